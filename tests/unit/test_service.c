/* core/service.c: supervised services. Without a supervisor nothing is
 * contained; with one, a failing service's thread ends alone, its cleanup
 * runs and it restarts after a doubling backoff; a service whose heartbeat
 * stops is ended and restarted; restart: never leaves it stopped; a
 * transient one is cleaned up, not restarted; restart: always restarts one
 * that returned; too many failures in a window power off with status 4. */
#include <stdint.h>
#include <string.h>
#define UNIT_FILE "service"
#include "unit.h"
#include <anx/errno.h>
#include <anx/panic.h>
#include <anx/service.h>

extern jmp_buf unit_poweroff_jmp;
extern int unit_poweroff_armed, unit_poweroff_status;

static struct anx_restart_policy policy(enum anx_restart r, unsigned limit)
{
    return (struct anx_restart_policy){
        .restart = r, .backoff_ns = 100 * ANX_NS_PER_MS, .backoff_max_ns = 400 * ANX_NS_PER_MS,
        .limit = limit, .window_ns = 60 * ANX_NS_PER_S,
    };
}

/* ---- a service that fails its first `fail_runs` runs, then serves ---- */
static int runs, cleanups, fail_runs;
static uint64_t run_at[8];
static struct anx_waitq forever = ANX_WAITQ_INIT;

static void flaky_run(void *arg)
{
    (void)arg;
    if (runs < 8)
        run_at[runs] = anx_time_ns();
    if (runs++ < fail_runs)
        anx_fail("flaky run %d", runs);
    unsigned long f = plat_irq_save();
    for (;;)
        anx_wait(&forever);
    plat_irq_restore(f);
}

static void count_cleanup(void *arg)
{
    (void)arg;
    cleanups++;
}

TEST(no_supervisor_no_containment)
{
    CHECK(!anx_supervisor_policy());
    CHECK(!anx_service_containable());   /* main is no service, and no supervisor */
}

static struct anx_service flaky = { .name = "flaky", .run = flaky_run, .cleanup = count_cleanup };

TEST(fault_restarts_with_backoff)
{
    struct anx_restart_policy p = policy(ANX_RESTART_ON_FAILURE, 5);
    CHECK_EQ(anx_supervisor_install(&p), 0);
    CHECK(anx_supervisor_policy() != NULL);
    fail_runs = 3;
    CHECK_EQ(anx_service_start(&flaky), 0);
    anx_sleep_ms(5000);
    CHECK_EQ(runs, 4);                    /* three failures, then it serves */
    CHECK_EQ(cleanups, 3);
    CHECK_EQ(flaky.restarts, 3);
    CHECK_EQ(flaky.failures, 3);
    CHECK(flaky.state == ANX_SERVICE_RUNNING);
    CHECK_STR(flaky.last_failure, "flaky run 3");
    /* the backoff doubles: 100, 200, 400 ms (the cap) */
    CHECK(run_at[1] - run_at[0] >= 100 * ANX_NS_PER_MS && run_at[1] - run_at[0] < 150 * ANX_NS_PER_MS);
    CHECK(run_at[2] - run_at[1] >= 200 * ANX_NS_PER_MS && run_at[2] - run_at[1] < 250 * ANX_NS_PER_MS);
    CHECK(run_at[3] - run_at[2] >= 400 * ANX_NS_PER_MS && run_at[3] - run_at[2] < 450 * ANX_NS_PER_MS);
    struct anx_service_totals t;
    anx_service_totals(&t);
    CHECK_EQ(t.contained, 3);
    CHECK_EQ(t.restarts, 3);
}

/* ---- a service with a heartbeat that stops beating ---- */
static int beats_runs;
static void beating_run(void *arg)
{
    (void)arg;
    beats_runs++;
    for (int i = 0; i < 20; i++) {     /* 2 s of heartbeats every 100 ms */
        anx_service_alive();
        anx_sleep_ms(100);
    }
    unsigned long f = plat_irq_save();
    for (;;)
        anx_wait(&forever);            /* then wedged: blocked for good */
    plat_irq_restore(f);
}

static struct anx_service beating = {
    .name = "beating", .run = beating_run, .cleanup = count_cleanup,
    .heartbeat_ns = 1000 * ANX_NS_PER_MS,
};

TEST(hung_service_is_ended_and_restarted)
{
    cleanups = 0;
    CHECK_EQ(anx_service_start(&beating), 0);
    anx_sleep_ms(2500);
    CHECK_EQ(beats_runs, 1);                /* beating while it beats */
    CHECK_EQ(beating.failures, 0);
    anx_sleep_ms(1500);                     /* 2 s + 1 s without a beat: hung */
    CHECK_EQ(beating.failures, 1);
    CHECK_EQ(cleanups, 1);
    CHECK(strstr(beating.last_failure, "hung: no heartbeat") != NULL);
    CHECK_EQ(beats_runs, 2);                /* restarted after 100 ms */
    CHECK(beating.state == ANX_SERVICE_RUNNING);
}

/* ---- restart: never; a transient job; restart: always ---- */
static int once_runs;
static void fail_once(void *arg)
{
    (void)arg;
    once_runs++;
    anx_fail("always fails");
}

static struct anx_service never = { .name = "never", .run = fail_once, .cleanup = count_cleanup };

TEST(never_leaves_it_stopped)
{
    struct anx_restart_policy p = policy(ANX_RESTART_NEVER, 5);
    anx_supervisor_install(&p);
    cleanups = once_runs = 0;
    CHECK_EQ(anx_service_start(&never), 0);
    anx_sleep_ms(1000);
    CHECK_EQ(once_runs, 1);
    CHECK_EQ(cleanups, 1);
    CHECK(never.state == ANX_SERVICE_STOPPED);
    CHECK_EQ(never.restarts, 0);
}

static int job_cleaned;
static void job_cleanup(void *arg) { job_cleaned += *(int *)arg; }

TEST(transient_is_cleaned_up_not_restarted)
{
    struct anx_restart_policy p = policy(ANX_RESTART_ALWAYS, 5);
    anx_supervisor_install(&p);
    static int weight = 7;
    once_runs = 0;
    struct anx_service_totals before, after;
    anx_service_totals(&before);
    CHECK_EQ(anx_service_spawn("job", fail_once, &weight, 0, job_cleanup), 0);
    anx_sleep_ms(1000);
    CHECK_EQ(once_runs, 1);
    CHECK_EQ(job_cleaned, 7);
    anx_service_totals(&after);
    CHECK_EQ(after.transient_started - before.transient_started, 1);
    CHECK_EQ(after.transient_failed - before.transient_failed, 1);
    CHECK_EQ(after.restarts, before.restarts);
}

static int returns;
static void return_at_once(void *arg)
{
    (void)arg;
    returns++;
    anx_sleep_ms(50);
}

static struct anx_service returner = { .name = "returner", .run = return_at_once };

TEST(always_restarts_one_that_returned)
{
    returns = 0;
    CHECK_EQ(anx_service_start(&returner), 0);
    anx_sleep_ms(1000);                     /* 50 ms up, 100 ms backoff: 6 or 7 runs */
    CHECK(returns >= 5 && returns <= 8);
    CHECK_EQ(returner.failures, 0);         /* a return is no failure */
    struct anx_restart_policy p = policy(ANX_RESTART_ON_FAILURE, 5);
    anx_supervisor_install(&p);             /* on-failure: the next return stops it */
    anx_sleep_ms(1000);
    CHECK(returner.state == ANX_SERVICE_STOPPED);
}

/* ---- the limit: the image powers off with status 4 ---- */
static struct anx_service doomed = { .name = "doomed", .run = fail_once };

TEST(limit_powers_off)
{
    struct anx_restart_policy p = policy(ANX_RESTART_ON_FAILURE, 2);
    anx_supervisor_install(&p);
    once_runs = 0;
    unit_poweroff_armed = 1;
    if (setjmp(unit_poweroff_jmp) == 0) {
        CHECK_EQ(anx_service_start(&doomed), 0);
        anx_sleep_ms(10000);
        CHECK(!"the supervisor did not give up");
        return;
    }
    /* back on main's stack from the supervisor's poweroff: stop here */
    unit_poweroff_armed = 0;
    CHECK_EQ(unit_poweroff_status, ANX_EXIT_SUPERVISOR);
    CHECK_EQ(once_runs, 3);                 /* failures 1 and 2 restart, 3 exceeds the limit */
}

int main(void)
{
    unit_threads_init(8u << 20);
    RUN(no_supervisor_no_containment);
    RUN(fault_restarts_with_backoff);
    RUN(hung_service_is_ended_and_restarted);
    RUN(never_leaves_it_stopped);
    RUN(transient_is_cleaned_up_not_restarted);
    RUN(always_restarts_one_that_returned);
    RUN(limit_powers_off);
    return unit_done();
}
