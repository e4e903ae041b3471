/* core/random.c and core/random_init.c on the unit platform, whose CPU
 * instruction a test switches on (unit_random_hw): refusal and zeroed
 * buffers until hardware bytes arrive, the boot line, a driver's
 * contribution, reseeding from the CPU and the sources, fast key erasure,
 * and the shell's `random [N]`. The tests run in order: the generator is
 * one state for the whole program, as in an image. */
#include <stdint.h>
#define UNIT_FILE "random"
#include "unit.h"
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/module.h>
#include <anx/random.h>

extern int unit_random_hw;
extern unsigned long long unit_random_hw_calls;

/* An image without virtio-rng: the boot line then says how to get keys. */
static const struct anx_module_ops no_ops = { 0 };
const struct anx_module anx_module_table[] = { { .name = "console", .summary = "console", .ops = &no_ops } };
const size_t anx_module_count = 1;

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static int run(const char *line)
{
    char buf[128];
    strlcpy(buf, line, sizeof buf);
    unit_console_clear();
    return anx_command_run(buf);
}

/* No CPU instruction, no driver: keys are refused with a zeroed buffer;
 * the boot line says why and what to add; u32 still works (jitter). */
TEST(refuses_before_hardware_seeding)
{
    uint8_t buf[40];
    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ(anx_random(buf, sizeof buf), ANX_ENOTSUP);
    CHECK(all_zero(buf, sizeof buf));
    CHECK(!anx_random_ready());

    unit_console_clear();
    anx_random_init();
    CHECK(strstr(unit_console, "random: warning: no hardware source: keys cannot be made "
                               "(add virtio-rng or use -cpu max)") != NULL);
    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ(anx_random(buf, sizeof buf), ANX_ENOTSUP);
    CHECK(all_zero(buf, sizeof buf));
    uint32_t a = anx_random_u32(), b = anx_random_u32();
    CHECK(a != b);

    /* An instruction that is there but keeps failing credits nothing. */
    unit_random_hw = -1;
    unit_time_ns += 61 * ANX_NS_PER_S;
    CHECK_EQ(anx_random(buf, sizeof buf), ANX_ENOTSUP);
    CHECK(all_zero(buf, sizeof buf));
    unit_random_hw = 0;
}

TEST(command_says_why_before_seeding)
{
    CHECK(run("random") != 0);
    CHECK(strstr(unit_console, "random: no hardware random source: keys cannot be made") != NULL);
    CHECK(run("random 0") != 0);
    CHECK(strstr(unit_console, "random: '0' is not a byte count from 1 to 4096") != NULL);
    CHECK(run("random 12x") != 0);
    CHECK(run("random 1 2") != 0);
    CHECK(strstr(unit_console, "usage: random [N]") != NULL);
}

/* 32 bytes from a driver (in two halves: 16 alone are not enough) seed it. */
TEST(driver_bytes_seed)
{
    uint8_t half[16], buf[32];
    memset(half, 0x5c, sizeof half);
    unit_console_clear();
    anx_random_add(half, sizeof half, "test-rng");
    CHECK(!anx_random_ready());
    CHECK_EQ(anx_random(buf, sizeof buf), ANX_ENOTSUP);
    anx_random_add(half, sizeof half, "test-rng");
    CHECK(anx_random_ready());
    CHECK(strstr(unit_console, "random: seeded from test-rng, jitter") != NULL);
    CHECK_EQ(anx_random(buf, sizeof buf), 0);
    CHECK(!all_zero(buf, sizeof buf));
}

/* Fast key erasure: without a reseed (no time passes, nothing added, the
 * CPU not asked), two requests still give different bytes. Nonce and
 * counter are fixed, so equal keys would give equal bytes: the key
 * changed after the first request. */
TEST(each_request_changes_the_key)
{
    uint8_t a[64], b[64];
    unit_random_hw = 1;
    unsigned long long calls = unit_random_hw_calls;
    CHECK_EQ(anx_random(a, sizeof a), 0);
    CHECK_EQ(anx_random(b, sizeof b), 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(!all_zero(a, sizeof a));
    CHECK_EQ(unit_random_hw_calls, calls);          /* no reseed in between */
    uint8_t c[1000], d[1000];                       /* longer requests alike */
    CHECK_EQ(anx_random(c, sizeof c), 0);
    CHECK_EQ(anx_random(d, sizeof d), 0);
    CHECK(memcmp(c, d, sizeof c) != 0);
}

/* Every minute the next request reseeds from the CPU (8 words) and asks the
 * registered sources; a contribution makes the next request reseed. */
static int source_calls;
static void test_source_reseed(struct anx_random_source *src)
{
    uint8_t bytes[32];
    memset(bytes, source_calls, sizeof bytes);
    source_calls++;
    anx_random_add(bytes, sizeof bytes, src->name);
}
static struct anx_random_source test_source = { .name = "test-src", .reseed = test_source_reseed };

TEST(reseeds_periodically_from_every_source)
{
    uint8_t buf[16];
    unit_random_hw = 1;
    unsigned long long calls = unit_random_hw_calls;
    unit_time_ns += 59 * ANX_NS_PER_S;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);
    CHECK_EQ(unit_random_hw_calls, calls);          /* within the minute: none */
    unit_time_ns += 2 * ANX_NS_PER_S;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);
    CHECK_EQ(unit_random_hw_calls, calls + 8);

    anx_random_source_register(&test_source);       /* asked at once ... */
    CHECK_EQ(source_calls, 1);
    calls = unit_random_hw_calls;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* ... and its bytes reseed the next request */
    CHECK_EQ(source_calls, 2);
    CHECK_EQ(unit_random_hw_calls, calls + 8);
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* what it gave during that reseed joined it: */
    CHECK_EQ(source_calls, 2);                      /* no reseed now */
    CHECK_EQ(unit_random_hw_calls, calls + 8);
    unit_time_ns += 61 * ANX_NS_PER_S;
    CHECK_EQ(anx_random(buf, sizeof buf), 0);       /* a minute on, both are asked again */
    CHECK_EQ(source_calls, 3);
    CHECK_EQ(unit_random_hw_calls, calls + 16);
    unit_random_hw = 0;
}

TEST(command_prints_hex)
{
    CHECK_EQ(run("random 16"), 0);
    CHECK_EQ(strlen(unit_console), 16 * 2 + 2);     /* "\r\n" from the console */
    for (int i = 0; i < 32; i++)
        CHECK(isxdigit((unsigned char)unit_console[i]));
    char first[40];
    strlcpy(first, unit_console, sizeof first);
    CHECK_EQ(run("random"), 0);
    CHECK_EQ(strlen(unit_console), 32 * 2 + 2);
    CHECK(strncmp(first, unit_console, 32) != 0);
    CHECK_EQ(run("random 4096"), 0);
    CHECK_EQ(strlen(unit_console), 4096 * 2 + 2);
}

int main(void)
{
    unit_heap_init(4 << 20);
    RUN(refuses_before_hardware_seeding);
    RUN(command_says_why_before_seeding);
    RUN(driver_bytes_seed);
    RUN(each_request_changes_the_key);
    RUN(reseeds_periodically_from_every_source);
    RUN(command_prints_hex);
    return unit_done();
}
