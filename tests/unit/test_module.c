/* core/module.c: init order, start hooks, the log line per module, and a
 * failing init stopping the sequence. */
#include <stdint.h>
#define UNIT_FILE "module"
#include "unit.h"
#include <anx/module.h>

static char order[64];
static int fail_b;

static int init_a(void) { strlcat(order, "a", sizeof order); return 0; }
static int init_b(void) { strlcat(order, "b", sizeof order); return fail_b ? -5 : 0; }
static void start_a(void) { strlcat(order, "A", sizeof order); }
static int init_c(void) { strlcat(order, "c", sizeof order); return 0; }

ANX_MODULE(a, .init = init_a, .start = start_a);
ANX_MODULE(b, .init = init_b);
ANX_MODULE(c_d, .init = init_c);
static const struct anx_module_ops no_init = { 0 };

const struct anx_module anx_module_table[] = {
    { "a", "first", &anx_module_a },
    { "b", "second", &anx_module_b },
    { "c-d", "third", &anx_module_c_d },
    { "e", "no init", &no_init },
};
const size_t anx_module_count = 4;

TEST(inits_in_order_then_starts)
{
    order[0] = 0;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), 0);
    CHECK_STR(order, "abcA");
    CHECK(strstr(unit_console, "] module a: ok (") != NULL);
    CHECK(strstr(unit_console, "] module c-d: ok (") != NULL);
    CHECK(strstr(unit_console, "] module e: ok (no init)") != NULL);
    CHECK(anx_module_present("c-d") && !anx_module_present("c"));
}

TEST(failing_init_stops)
{
    order[0] = 0;
    fail_b = 1;
    unit_console_clear();
    CHECK_EQ(anx_modules_init(), -5);
    CHECK_STR(order, "ab");               /* c not initialised, no starts */
    CHECK(strstr(unit_console, "module b: error: init failed with error -5") != NULL);
    fail_b = 0;
}

int main(void)
{
    RUN(inits_in_order_then_starts);
    RUN(failing_init_stops);
    return unit_done();
}
