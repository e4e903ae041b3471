/* core/module.c: init order, start hooks, the log line per module; a
 * failing init marks its module failed (error and reason) and the boot goes
 * on, unless the module is essential; anx_module_fail after init. */
#include <stdint.h>
#define UNIT_FILE "module"
#include "unit.h"
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>

static char order[64];
static int fail_b, fail_d;

static int init_a(void) { strlcat(order, "a", sizeof order); return 0; }
static int init_b(void)
{
    strlcat(order, "b", sizeof order);
    if (fail_b)
        anx_log(ANX_LOG_ERROR, "b", "cannot find its model /models/x.bin");
    return fail_b ? ANX_ENOENT : 0;
}
static void start_a(void) { strlcat(order, "A", sizeof order); }
static void start_b(void) { strlcat(order, "B", sizeof order); }
static int init_c(void) { strlcat(order, "c", sizeof order); return 0; }
static int init_d(void) { strlcat(order, "d", sizeof order); return fail_d ? ANX_ENOMEM : 0; }

ANX_MODULE(a, .init = init_a, .start = start_a);
ANX_MODULE(b, .init = init_b, .start = start_b);
ANX_MODULE(c_d, .init = init_c);
ANX_MODULE(d, .init = init_d, .essential = true);
static const struct anx_module_ops no_init = { 0 };

const struct anx_module anx_module_table[] = {
    { .name = "a", .summary = "first", .ops = &anx_module_a },
    { .name = "b", .summary = "second", .ops = &anx_module_b },
    { .name = "c-d", .summary = "third", .ops = &anx_module_c_d },
    { .name = "d", .summary = "essential", .ops = &anx_module_d },
    { .name = "e", .summary = "no init", .ops = &no_init },
};
const size_t anx_module_count = 5;

TEST(inits_in_order_then_starts)
{
    order[0] = 0;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), 0);
    CHECK_STR(order, "abcdAB");
    CHECK(strstr(unit_console, "] module a: ok (") != NULL);
    CHECK(strstr(unit_console, "] module c-d: ok (") != NULL);
    CHECK(strstr(unit_console, "] module e: ok (no init)") != NULL);
    CHECK(anx_module_present("c-d") && !anx_module_present("c"));
    CHECK_EQ(anx_modules_failed(), 0);
    CHECK_EQ(anx_module_status(0).state, ANX_MODULE_OK);
    CHECK_EQ(anx_module_status(4).state, ANX_MODULE_OK);
    CHECK_STR(anx_module_state_name(ANX_MODULE_OK), "ok");
}

/* Today's rule: a failed init no longer stops the boot; it is recorded
 * with the module's own last error line as the reason, and its start is
 * skipped. */
TEST(failing_init_marks_the_module_and_the_boot_goes_on)
{
    order[0] = 0;
    fail_b = 1;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), 0);
    CHECK_STR(order, "abcdA");            /* c and d still init; b's start skipped */
    CHECK(strstr(unit_console, "module b: error: init failed: not found (error -4, ") != NULL);
    CHECK(strstr(unit_console, "the boot goes on without it") != NULL);
    CHECK_EQ(anx_modules_failed(), 1);
    struct anx_module_status st = anx_module_status(1);
    CHECK_EQ(st.state, ANX_MODULE_FAILED);
    CHECK_EQ(st.error, ANX_ENOENT);
    CHECK_STR(st.reason, "cannot find its model /models/x.bin");   /* its own tag dropped */
    CHECK_STR(anx_module_state_name(st.state), "failed");
    fail_b = 0;
}

TEST(essential_module_stops_the_boot)
{
    order[0] = 0;
    fail_d = 1;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), ANX_ENOMEM);
    CHECK_STR(order, "abcd");             /* nothing after d; no starts */
    CHECK(strstr(unit_console, "module d: error: init failed: out of memory (error -2, ") != NULL);
    CHECK(strstr(unit_console, "it is essential, the boot stops") != NULL);
    CHECK_EQ(anx_module_status(3).state, ANX_MODULE_FAILED);
    CHECK_STR(anx_module_status(3).reason, "");   /* it logged nothing itself */
    fail_d = 0;
}

TEST(fail_after_init)
{
    order[0] = 0;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), 0);
    size_t before = anx_modules_failed();
    anx_module_fail("c-d", ANX_ENOENT, "model %s: no such object", "models/tiny");
    CHECK(strstr(unit_console, "module c-d: error: failed: model models/tiny: no such object") != NULL);
    CHECK_EQ(anx_modules_failed(), before + 1);
    CHECK_EQ(anx_module_status(2).state, ANX_MODULE_FAILED);
    CHECK_EQ(anx_module_status(2).error, ANX_ENOENT);
    CHECK_STR(anx_module_status(2).reason, "model models/tiny: no such object");
    anx_module_fail("nonesuch", -1, "x");          /* unknown name: logged only */
    CHECK_EQ(anx_module_status(99).state, ANX_MODULE_WAITING);
}

int main(void)
{
    RUN(inits_in_order_then_starts);
    RUN(failing_init_marks_the_module_and_the_boot_goes_on);
    RUN(essential_module_stops_the_boot);
    RUN(fail_after_init);
    return unit_done();
}
