/*
 * Core logic on the host platform (tests/unit/host_plat.c): threads, wait
 * queues, timers and sleep on a fake clock, the console input path, the
 * log ring and levels, the command registry.
 */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "core"
#include "unit.h"
#include <anx/command.h>
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/netif.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

static char trace[256];
static void note(const char *s) { strlcat(trace, s, sizeof trace); }

static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    unit_threads_init(8u << 20);
}

/* ---- threads ------------------------------------------------------------ */

static struct anx_waitq done_q = ANX_WAITQ_INIT;
static int running;

static void join_all(void)
{
    unsigned long f = plat_irq_save();
    while (running)
        anx_wait(&done_q);
    plat_irq_restore(f);
}

static void finished(void)
{
    running--;
    anx_waitq_wake_all(&done_q);
}

static void yielder(void *arg)
{
    const char *tag = arg;
    for (int i = 0; i < 3; i++) {
        note(tag);
        anx_yield();
    }
    finished();
}

TEST(threads_round_robin)
{
    setup();
    trace[0] = 0;
    running = 2;
    CHECK(anx_thread_create("a", yielder, "a", 65536) != NULL);
    CHECK(anx_thread_create("b", yielder, "b", 65536) != NULL);
    join_all();
    CHECK_STR(trace, "ababab");
}

static struct anx_waitq q = ANX_WAITQ_INIT;
static int flag;

static void waiter(void *arg)
{
    unsigned long f = plat_irq_save();
    while (!flag)
        anx_wait(&q);
    plat_irq_restore(f);
    note(arg);
    finished();
}

static void timed_waiter(void *arg)
{
    uint64_t t0 = anx_time_ns();
    int r = anx_wait_timeout(&q, 5 * ANX_NS_PER_MS);
    note(r < 0 ? "T" : "W");
    CHECK(r < 0 ? anx_time_ns() - t0 >= 5 * ANX_NS_PER_MS : 1);
    (void)arg;
    finished();
}

TEST(wait_queues)
{
    setup();
    trace[0] = 0;
    flag = 0;
    running = 3;
    anx_thread_create("w1", waiter, "1", 65536);
    anx_thread_create("w2", waiter, "2", 65536);
    anx_thread_create("t", timed_waiter, NULL, 65536);
    anx_yield();                          /* all three block */
    CHECK_STR(trace, "");
    CHECK(anx_waitq_wake_one(&q));        /* w1 wakes, sees !flag, waits again */
    anx_yield();
    CHECK_STR(trace, "");
    flag = 1;
    CHECK(anx_waitq_wake_all(&q) >= 2);
    join_all();
    /* the timed waiter was woken too (not timed out) */
    CHECK(strchr(trace, '1') && strchr(trace, '2') && strchr(trace, 'W'));
    CHECK(!anx_waitq_wake_one(&q));

    trace[0] = 0;
    running = 1;
    anx_thread_create("t2", timed_waiter, NULL, 65536);
    join_all();                           /* only the fake clock can end this */
    CHECK_STR(trace, "T");
}

static void sleeper(void *arg)
{
    anx_sleep_ms((uint64_t)(uintptr_t)arg);
    char s[8];
    snprintf(s, sizeof s, "%d,", (int)(uintptr_t)arg);
    note(s);
    finished();
}

TEST(sleep_order_and_timers)
{
    setup();
    trace[0] = 0;
    running = 4;
    uint64_t t0 = anx_time_ns();
    anx_thread_create("s30", sleeper, (void *)30, 65536);
    anx_thread_create("s10", sleeper, (void *)10, 65536);
    anx_thread_create("s20", sleeper, (void *)20, 65536);
    anx_thread_create("s0", sleeper, (void *)0, 65536);
    join_all();
    CHECK_STR(trace, "0,10,20,30,");
    CHECK(anx_time_ns() - t0 >= 30 * ANX_NS_PER_MS);
    CHECK_EQ(unit_deadline_ns, 0);        /* nothing left armed */
}

static int timer_hits;
static void hit(struct anx_timer *t, void *arg) { (void)t; timer_hits += (int)(intptr_t)arg; }

TEST(timer_list)
{
    setup();
    struct anx_timer a = { 0 }, b = { 0 }, c = { 0 };
    uint64_t now = anx_time_ns();
    timer_hits = 0;
    anx_timer_start(&a, now + 300, hit, (void *)1);
    CHECK_EQ(unit_deadline_ns, now + 300);
    anx_timer_start(&b, now + 100, hit, (void *)10);
    CHECK_EQ(unit_deadline_ns, now + 100);
    anx_timer_start(&c, now + 200, hit, (void *)100);
    CHECK(anx_timer_cancel(&b));
    CHECK(!anx_timer_cancel(&b));
    CHECK_EQ(unit_deadline_ns, now + 200);
    unit_time_ns = now + 250;
    anx_timer_interrupt();
    CHECK_EQ(timer_hits, 100);
    CHECK_EQ(unit_deadline_ns, now + 300);
    anx_timer_start(&a, now + 1000, hit, (void *)1);   /* re-arm moves it */
    unit_time_ns = now + 999;
    anx_timer_interrupt();
    CHECK_EQ(timer_hits, 100);
    unit_time_ns = now + 1000;
    anx_timer_interrupt();
    CHECK_EQ(timer_hits, 101);
    CHECK_EQ(unit_deadline_ns, 0);
}

static int thread_rows;
static int count_row(const struct anx_thread_info *t, void *ctx)
{
    (void)ctx;
    thread_rows++;
    CHECK(t->name && t->name[0]);
    return 0;
}

TEST(dead_threads_are_reaped)
{
    setup();
    struct anx_pmem_stats before, after;
    anx_yield();
    anx_pmem_stats(&before);
    running = 1;
    anx_thread_create("short", yielder, "x", 65536);
    join_all();
    anx_yield();                          /* let the exit finish */
    anx_pmem_stats(&after);
    CHECK_EQ(after.free_pages, before.free_pages);
    thread_rows = 0;
    anx_threads_foreach(count_row, NULL);
    CHECK_EQ(thread_rows, 2);             /* main and idle */
}

/* ---- console ------------------------------------------------------------ */

static char got[64];
static void reader(void *arg)
{
    (void)arg;
    int i = 0, c;
    while ((c = anx_console_getc()) != '\n' && i < 63)
        got[i++] = (char)c;
    got[i] = 0;
    finished();
}

static const char *feed = "typed\n";
static void poll_feed(void *arg)
{
    (void)arg;
    if (*feed)
        anx_console_input(*feed++);
}

TEST(console_input_and_output)
{
    setup();
    unit_console_clear();
    anx_console_puts("a\nb");
    CHECK_STR(unit_console, "a\r\nb");
    unit_console_clear();
    anx_printf("%d-%s\n", 5, "x");
    CHECK_STR(unit_console, "5-x\r\n");

    /* input queued from an "interrupt" before the reader runs */
    anx_console_input('h');
    anx_console_input('i');
    anx_console_input('\n');
    running = 1;
    anx_thread_create("reader", reader, NULL, 65536);
    join_all();
    CHECK_STR(got, "hi");

    /* input arriving from a poll hook while the reader blocks */
    static struct anx_poll_hook hook = { .fn = poll_feed, .interval_ns = 1000000 };
    anx_poll_register(&hook);
    running = 1;
    anx_thread_create("reader2", reader, NULL, 65536);
    join_all();
    CHECK_STR(got, "typed");

    /* overflow drops and counts */
    unsigned long d0 = anx_console_dropped();
    for (int i = 0; i < 300; i++)
        anx_console_input('z');
    CHECK_EQ(anx_console_dropped() - d0, 300 - 256);
    int n = 0;
    while (anx_console_trygetc() >= 0)
        n++;
    CHECK_EQ(n, 256);
    CHECK_EQ(anx_console_getc_timeout(1000), -1);
}

/* ---- log ------------------------------------------------------------------ */

static char dump[16384];
static void dump_out(const char *s, size_t n, void *ctx)
{
    (void)ctx;
    size_t l = strlen(dump);
    if (l + n < sizeof dump) {
        memcpy(dump + l, s, n);
        dump[l + n] = 0;
    }
}

TEST(log_lines_levels_ring)
{
    setup();
    unit_console_clear();
    anx_log_set_level(ANX_LOG_INFO);
    unit_time_ns += 2000000000ull;
    anx_time_init(unit_time_ns - 1234567000ull);   /* uptime 1.234567 s */
    anx_log(ANX_LOG_INFO, "test", "hello %d", 42);
    CHECK_STR(unit_console, "[    1.234567] test: hello 42\r\n");
    unit_console_clear();
    anx_log(ANX_LOG_DEBUG, "test", "hidden");
    CHECK_STR(unit_console, "");
    anx_log(ANX_LOG_ERROR, "test", "bad");
    CHECK(strstr(unit_console, "test: error: bad") != NULL);

    anx_log_init("quiet loglevel=debug x=y");
    CHECK_EQ(anx_log_level(), ANX_LOG_DEBUG);
    anx_log_init("loglevel=0");
    CHECK_EQ(anx_log_level(), ANX_LOG_ERROR);
    anx_log_init("loglevel=bogus");
    CHECK_EQ(anx_log_level(), ANX_LOG_ERROR);
    anx_log_set_level(ANX_LOG_INFO);

    char v[8];
    CHECK_EQ(anx_cmdline_get("a=1 bb=22 b=3", "b", v, sizeof v), 0);
    CHECK_STR(v, "3");
    CHECK_EQ(anx_cmdline_get("a=1", "b", v, sizeof v), -1);
    CHECK_EQ(anx_cmdline_get("a=123456789012", "a", v, sizeof v), 0);
    CHECK_STR(v, "1234567");

    char longmsg[400];
    memset(longmsg, 'L', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = 0;
    unit_console_clear();
    anx_log(ANX_LOG_INFO, "test", "%s", longmsg);  /* truncated, still one line */
    CHECK(unit_console_len > 200 && unit_console[unit_console_len - 1] == '\n');

    /* the ring keeps the latest lines, oldest first, whole lines only */
    for (int i = 0; i < 400; i++)
        anx_log(ANX_LOG_INFO, "ring", "line %03d", i);
    dump[0] = 0;
    anx_log_dump(dump_out, NULL);
    CHECK(strstr(dump, "ring: line 399\n") != NULL);
    CHECK(strstr(dump, "ring: line 000") == NULL);
    CHECK(dump[0] == '[');
    CHECK(strlen(dump) <= 8192);
}

/* ---- commands ------------------------------------------------------------- */

static int last_argc;
static char last_arg[64];
static int cmd_probe(int argc, char **argv)
{
    last_argc = argc;
    strlcpy(last_arg, argv[argc - 1], sizeof last_arg);
    return 7;
}

/* Wall time: the RTC once at boot, the monotonic clock from there. */
TEST(wall_clock)
{
    unit_wall_ns = 0;
    anx_time_wall_init();
    CHECK(!anx_time_has_wall_clock());
    uint64_t t0 = anx_time_unix_ns();
    CHECK(t0 < 1000000000ull);              /* no RTC: time since the reading */
    unit_wall_ns = 1700000000ull * 1000000000ull;
    anx_time_wall_init();
    CHECK(anx_time_has_wall_clock());
    CHECK_EQ(anx_time_unix_ns(), 1700000000ull * 1000000000ull);
    unit_wall_ns = 5;                        /* read once: later RTC values do not matter */
    unit_time_ns += 1500000000ull;
    CHECK_EQ(anx_time_unix_ns(), 1700000001500000000ull);
    unit_wall_ns = 0;
}

TEST(command_registry)
{
    static struct anx_command zed = { .name = "zed", .summary = "z", .fn = cmd_probe };
    static struct anx_command alpha = { .name = "alpha", .summary = "a", .fn = cmd_probe };
    static struct anx_command alpha2 = { .name = "alpha", .summary = "dup", .fn = cmd_probe };
    static struct anx_command noname = { .name = "", .fn = cmd_probe };
    CHECK_EQ(anx_command_register(&zed), 0);
    CHECK_EQ(anx_command_register(&alpha), 0);
    CHECK_EQ(anx_command_register(&alpha2), ANX_EEXIST);
    CHECK_EQ(anx_command_register(&noname), ANX_EINVAL);
    CHECK(anx_command_find("zed") == &zed);
    CHECK(anx_command_find("nope") == NULL);
    CHECK(anx_command_first() == &alpha);
    CHECK(anx_command_next(&alpha) == &zed);

    char line[] = "  zed one \"two three\"";
    CHECK_EQ(anx_command_run(line), 7);
    CHECK_EQ(last_argc, 3);
    CHECK_STR(last_arg, "two three");
    unit_console_clear();
    char bad[] = "frobnicate x";
    CHECK_EQ(anx_command_run(bad), -1);
    CHECK_STR(unit_console, "unknown command 'frobnicate' (try help)\r\n");
    unit_console_clear();
    char q[] = "zed 'open";
    CHECK_EQ(anx_command_run(q), -1);
    CHECK_STR(unit_console, "error: unterminated quote\r\n");
    char empty[] = "   ";
    CHECK_EQ(anx_command_run(empty), 0);
}

static char term_out[256];
static void term_capture(struct anx_term *t, const char *p, size_t n)
{
    (void)t;
    size_t have = strlen(term_out);
    if (have + n < sizeof term_out) {
        memcpy(term_out + have, p, n);
        term_out[have + n] = 0;
    }
}

/* A terminal's scopes (an SSH key's): a command outside them is refused
 * with 126 and a line naming the scope; admin grants all; no scopes (the
 * machine's console, a password login) run everything. */
TEST(command_scopes)
{
    static struct anx_command obj = { .name = "objcmd", .summary = "o", .fn = cmd_probe, .scope = "objects" };
    static struct anx_command plain = { .name = "plaincmd", .summary = "p", .fn = cmd_probe };
    anx_command_register(&obj);
    anx_command_register(&plain);
    struct anx_term t = { .write = term_capture, .scopes = "objects" };
    anx_term_bind(&t);
    char l1[] = "objcmd a";
    CHECK_EQ(anx_command_run(l1), 7);
    char l2[] = "plaincmd";
    term_out[0] = 0;
    CHECK_EQ(anx_command_run(l2), ANX_COMMAND_DENIED);
    CHECK(strstr(term_out, "plaincmd: not allowed here: it needs the scope 'console' (this session has: objects)"));
    t.scopes = "console, admin";
    char l3[] = "plaincmd";
    CHECK_EQ(anx_command_run(l3), 7);
    char l4[] = "objcmd";
    CHECK_EQ(anx_command_run(l4), 7);
    t.scopes = NULL;
    char l5[] = "objcmd";
    CHECK_EQ(anx_command_run(l5), 7);
    anx_term_bind(NULL);
    CHECK(anx_scopes_allow("console objects", "objects"));
    CHECK(!anx_scopes_allow("console,objectsx", "objects"));
    CHECK(!anx_scopes_allow("", "console"));
    CHECK(anx_scopes_allow(NULL, "admin"));
}

static int tx_drop(struct anx_netif *nif, const void *frame, size_t len)
{
    (void)nif, (void)frame, (void)len;
    return 0;
}

/* The net interface registry refuses a driver without transmit with
 * ANX_EINVAL and names the rest in order. */
TEST(netif_registry)
{
    static const struct anx_netif_ops no_tx = { 0 }, ops = { .transmit = tx_drop };
    static struct anx_netif mute = { .driver = "mute", .ops = &no_tx };
    static struct anx_netif nic = { .driver = "fake", .ops = &ops };
    CHECK_EQ(anx_netif_register(NULL), ANX_EINVAL);
    CHECK_EQ(anx_netif_register(&mute), ANX_EINVAL);
    CHECK(anx_netif_first() == NULL);
    CHECK_EQ(anx_netif_register(&nic), 0);
    CHECK_STR(nic.name, "eth0");
    CHECK_EQ(nic.mtu, 1500);
    CHECK(anx_netif_find("eth0") == &nic);
}

int main(void)
{
    RUN(threads_round_robin);
    RUN(wait_queues);
    RUN(sleep_order_and_timers);
    RUN(timer_list);
    RUN(dead_threads_are_reaped);
    RUN(console_input_and_output);
    RUN(log_lines_levels_ring);
    RUN(command_registry);
    RUN(command_scopes);
    RUN(netif_registry);
    RUN(wall_clock);
    return unit_done();
}
