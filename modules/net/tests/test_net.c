/*
 * The net module's host tests: the IPv4 configuration parser (ipconfig.c)
 * and lwIP's OS layer (sys_arch.c) on the core's threads, run on the host
 * platform of tests/unit (ucontext threads, a fake clock).
 */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "net"
#include "unit.h"
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "ipconfig.h"
#include "lwip/sys.h"

/* ---- ipconfig ------------------------------------------------------------ */

TEST(parse_ipv4)
{
    uint32_t a = 0;
    CHECK_EQ(net_parse_ipv4("10.0.2.15", &a), 0);
    CHECK_EQ(a, 0x0a00020f);
    CHECK_EQ(net_parse_ipv4("255.255.255.255", &a), 0);
    CHECK_EQ(a, 0xffffffffu);
    CHECK_EQ(net_parse_ipv4("0.0.0.0", &a), 0);
    CHECK_EQ(a, 0);
    const char *bad[] = {"", "10", "10.0.2", "10.0.2.15.1", "256.0.0.1", "10.0.2.", ".10.0.2.15", "10..2.15",
                         "10.0.2.15 ", " 10.0.2.15", "10.0.2.0015", "a.b.c.d", "10.0.2.15/24", "-1.0.0.0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (net_parse_ipv4(bad[i], &a) != -1) {
            fprintf(stderr, "  accepted '%s'\n", bad[i]);
            CHECK(0);
        }
    }
}

TEST(parse_cidr)
{
    uint32_t a = 0;
    int p = -1;
    CHECK_EQ(net_parse_cidr("10.0.2.15/24", &a, &p, false), 0);
    CHECK_EQ(a, 0x0a00020f);
    CHECK_EQ(p, 24);
    CHECK_EQ(net_parse_cidr("192.168.1.1/0", &a, &p, false), 0);
    CHECK_EQ(p, 0);
    CHECK_EQ(net_parse_cidr("192.168.1.1/32", &a, &p, false), 0);
    CHECK_EQ(p, 32);
    CHECK_EQ(net_parse_cidr("192.168.1.1", &a, &p, false), -1);
    CHECK_EQ(net_parse_cidr("192.168.1.1", &a, &p, true), 0);
    CHECK_EQ(p, 32);
    const char *bad[] = {"10.0.2.15/33", "10.0.2.15/", "10.0.2.15/2a", "10.0.2.15/-1", "10.0.2.15/024",
                         "10.0.2.15/24/1", "10.0.2/24", "/24", "10.0.2.15/ 24", "1234567890123456789012/8"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (net_parse_cidr(bad[i], &a, &p, false) != -1) {
            fprintf(stderr, "  accepted '%s'\n", bad[i]);
            CHECK(0);
        }
    }
}

TEST(prefix_mask)
{
    CHECK_EQ(net_prefix_mask(0), 0);
    CHECK_EQ(net_prefix_mask(8), 0xff000000u);
    CHECK_EQ(net_prefix_mask(24), 0xffffff00u);
    CHECK_EQ(net_prefix_mask(31), 0xfffffffeu);
    CHECK_EQ(net_prefix_mask(32), 0xffffffffu);
}

TEST(config)
{
    struct net_config c;
    char err[128];
    CHECK_EQ(net_config_parse("dhcp", "", "", &c, err, sizeof err), 0);
    CHECK(c.dhcp);
    CHECK_EQ(net_config_parse("", "", "", &c, err, sizeof err), 0);
    CHECK(c.dhcp);
    CHECK_EQ(net_config_parse("10.0.2.15/24", "10.0.2.2", "10.0.2.3", &c, err, sizeof err), 0);
    CHECK(!c.dhcp);
    CHECK_EQ(c.addr, 0x0a00020f);
    CHECK_EQ(c.mask, 0xffffff00u);
    CHECK_EQ(c.gateway, 0x0a000202);
    CHECK_EQ(c.dns, 0x0a000203);
    CHECK_EQ(net_config_parse("10.0.2.15", "", "", &c, err, sizeof err), -1);
    CHECK_STR(err, "ipv4 '10.0.2.15': expected 'dhcp' or an address with a prefix like 10.0.2.15/24");
    CHECK_EQ(net_config_parse("10.0.2.15/24", "10.0.3.2", "", &c, err, sizeof err), -1);
    CHECK_STR(err, "gateway '10.0.3.2' is outside 10.0.2.15/24");
    CHECK_EQ(net_config_parse("10.0.2.15/24", "gw", "", &c, err, sizeof err), -1);
    CHECK_STR(err, "gateway 'gw': expected an address like 10.0.2.2");
    CHECK_EQ(net_config_parse("dhcp", "", "8.8.8", &c, err, sizeof err), -1);
    CHECK_STR(err, "dns '8.8.8': expected an address like 10.0.2.3");
}

TEST(format)
{
    char b[16];
    net_format_ipv4(0x0a00020f, b);
    CHECK_STR(b, "10.0.2.15");
    net_format_ipv4(0xffffffffu, b);
    CHECK_STR(b, "255.255.255.255");
}

/* ---- sys_arch ------------------------------------------------------------ */

static void setup(void)
{
    unit_threads_init(8u << 20);
}

static struct anx_waitq done_q = ANX_WAITQ_INIT;
static int running;
static char trace[256];
static void note(const char *s) { strlcat(trace, s, sizeof trace); }

static void join_all(void)
{
    while (running)
        anx_wait(&done_q);
}

static void finished(void)
{
    running--;
    anx_waitq_wake_all(&done_q);
}

static sys_sem_t sem;
static sys_mbox_t mbox;

static void sem_waiter(void *arg)
{
    u32_t r = sys_arch_sem_wait(&sem, (u32_t)(uintptr_t)arg);
    note(r == SYS_ARCH_TIMEOUT ? "T" : "S");
    finished();
}

TEST(semaphore)
{
    trace[0] = 0;
    CHECK_EQ(sys_sem_new(&sem, 1), ERR_OK);
    CHECK(sys_sem_valid(&sem));
    CHECK(sys_arch_sem_wait(&sem, 0) != SYS_ARCH_TIMEOUT);   /* the initial count */
    running = 2;
    anx_thread_create("w", sem_waiter, (void *)0, 65536);          /* forever */
    anx_thread_create("t", sem_waiter, (void *)(uintptr_t)50, 65536); /* 50 ms */
    anx_yield();
    CHECK_STR(trace, "");
    sys_sem_signal(&sem);            /* wakes the first waiter */
    join_all();                      /* the fake clock runs the 50 ms out */
    CHECK_STR(trace, "ST");
    uint64_t t0 = anx_time_ns();
    CHECK_EQ(sys_arch_sem_wait(&sem, 20), SYS_ARCH_TIMEOUT);
    CHECK(anx_time_ns() - t0 >= 20 * ANX_NS_PER_MS);
    sys_sem_signal(&sem);
    sys_sem_signal(&sem);
    CHECK(sys_arch_sem_wait(&sem, 10) != SYS_ARCH_TIMEOUT);
    CHECK(sys_arch_sem_wait(&sem, 10) != SYS_ARCH_TIMEOUT);
    CHECK_EQ(sys_arch_sem_wait(&sem, 10), SYS_ARCH_TIMEOUT);
    sys_sem_free(&sem);
    sys_sem_set_invalid(&sem);
    CHECK(!sys_sem_valid(&sem));
}

static void producer(void *arg)
{
    for (uintptr_t i = 1; i <= (uintptr_t)arg; i++)
        sys_mbox_post(&mbox, (void *)i);   /* blocks when full */
    note("P");
    finished();
}

TEST(mailbox)
{
    trace[0] = 0;
    CHECK_EQ(sys_mbox_new(&mbox, 4), ERR_OK);
    void *m = (void *)1;
    CHECK_EQ(sys_arch_mbox_tryfetch(&mbox, &m), SYS_MBOX_EMPTY);
    CHECK_EQ(sys_arch_mbox_fetch(&mbox, &m, 5), SYS_ARCH_TIMEOUT);
    CHECK(m == NULL);
    for (uintptr_t i = 0; i < 4; i++)
        CHECK_EQ(sys_mbox_trypost(&mbox, (void *)(i + 100)), ERR_OK);
    CHECK_EQ(sys_mbox_trypost(&mbox, (void *)1), ERR_MEM);      /* full */
    for (uintptr_t i = 0; i < 4; i++) {
        CHECK(sys_arch_mbox_fetch(&mbox, &m, 0) != SYS_ARCH_TIMEOUT);
        CHECK_EQ((uintptr_t)m, i + 100);                         /* FIFO */
    }
    /* A producer of 10 messages into 4 slots blocks until we fetch. */
    running = 1;
    anx_thread_create("p", producer, (void *)10, 65536);
    uintptr_t want = 1;
    int order_ok = 1;
    while (want <= 10) {
        if (sys_arch_mbox_fetch(&mbox, &m, 1000) == SYS_ARCH_TIMEOUT)
            break;
        order_ok &= (uintptr_t)m == want++;
    }
    CHECK(order_ok);
    CHECK_EQ(want, 11);
    join_all();
    CHECK_STR(trace, "P");
    sys_mbox_free(&mbox);
}

TEST(mutex_and_time)
{
    sys_mutex_t mu;
    CHECK_EQ(sys_mutex_new(&mu), ERR_OK);
    sys_mutex_lock(&mu);
    sys_mutex_unlock(&mu);
    sys_mutex_lock(&mu);
    sys_mutex_unlock(&mu);
    sys_mutex_free(&mu);
    u32_t t0 = sys_now();
    anx_sleep_ms(25);
    CHECK(sys_now() - t0 >= 25);
    uint32_t a = net_rand(), b = net_rand();
    CHECK(a != b);
}

int main(void)
{
    RUN(parse_ipv4);
    RUN(parse_cidr);
    RUN(prefix_mask);
    RUN(config);
    RUN(format);
    setup();
    RUN(semaphore);
    RUN(mailbox);
    RUN(mutex_and_time);
    return unit_done();
}
