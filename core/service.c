/*
 * Services and their supervisor (<anx/service.h>).
 *
 * A service is a thread with a record: what to run, how to clean up after
 * it, and what happened to it. Failures reach the supervisor two ways:
 *  - the fault path (core/panic.c) ends a failing service thread at once
 *    (anx_service_fail_current) and queues its record;
 *  - the supervisor's own check finds a service whose heartbeat stopped
 *    and ends its thread (anx_thread_kill).
 * The supervisor thread then runs the service's cleanup and schedules the
 * restart the policy asks for. Everything it does runs in its own thread,
 * never in the fault path, which only flips fields and wakes it.
 */
#define LOG_TAG "supervisor"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/thread.h>
#include <anx/time.h>

static struct anx_service *services, *services_tail;   /* long-lived, start order */
static struct anx_service *failed;                      /* died, to handle (irq off) */
static struct anx_restart_policy policy;
static bool installed;
static struct anx_thread *supervisor;
static struct anx_waitq supervisor_wq = ANX_WAITQ_INIT;
static struct anx_service_totals totals;

const char *anx_restart_name(enum anx_restart r)
{
    switch (r) {
    case ANX_RESTART_ON_FAILURE: return "on-failure";
    case ANX_RESTART_ALWAYS: return "always";
    case ANX_RESTART_NEVER: return "never";
    }
    return "?";
}

static void service_main(void *arg);

static int launch(struct anx_service *s)
{
    struct anx_thread *t = anx_thread_create(s->name, service_main, s, s->stack_size);
    if (!t)
        return ANX_ENOMEM;
    anx_thread_set_service(t, s);
    s->thread = t;
    s->state = ANX_SERVICE_RUNNING;
    s->started_ns = s->last_alive_ns = anx_time_ns();
    s->dying = false;
    return 0;
}

/* Queue a dead service for the supervisor (interrupts off); why is "" for
 * one that returned and restarts under restart: always. */
static void queue_failed(struct anx_service *s, const char *why)
{
    strlcpy(s->last_failure, why, sizeof s->last_failure);
    s->dying = true;
    s->next_failed = failed;
    failed = s;
    anx_waitq_wake_one(&supervisor_wq);
}

static void service_main(void *arg)
{
    struct anx_service *s = arg;
    s->run(s->arg);
    /* returned: a normal end */
    unsigned long f = plat_irq_save();
    s->thread = NULL;
    if (s->transient) {
        anx_thread_set_service(anx_thread_current(), NULL);
        anx_free(s);
    } else if (installed && policy.restart == ANX_RESTART_ALWAYS) {
        queue_failed(s, "");
    } else {
        s->state = ANX_SERVICE_STOPPED;
    }
    plat_irq_restore(f);
}

int anx_service_start(struct anx_service *s)
{
    int r = launch(s);
    if (r)
        return r;
    s->next = NULL;
    if (services_tail)
        services_tail->next = s;
    else
        services = s;
    services_tail = s;
    if (s->heartbeat_ns)
        anx_waitq_wake_one(&supervisor_wq);   /* it may wait without a deadline */
    return 0;
}

int anx_service_spawn(const char *name, void (*run)(void *), void *arg, size_t stack_size,
                      void (*cleanup)(void *))
{
    struct anx_service *s = anx_calloc(1, sizeof *s);
    if (!s)
        return ANX_ENOMEM;
    *s = (struct anx_service){ .name = name, .run = run, .arg = arg,
                               .stack_size = stack_size, .cleanup = cleanup,
                               .transient = true };
    if (launch(s)) {
        anx_free(s);
        return ANX_ENOMEM;
    }
    totals.transient_started++;
    return 0;
}

void anx_service_alive(void)
{
    struct anx_service *s = anx_thread_service(anx_thread_current());
    if (s)
        s->last_alive_ns = anx_time_ns();
}

void anx_services_foreach(int (*fn)(const struct anx_service *, void *), void *ctx)
{
    for (struct anx_service *s = services; s; s = s->next)
        if (fn(s, ctx))
            break;
}

void anx_service_totals(struct anx_service_totals *t)
{
    *t = totals;
}

const struct anx_restart_policy *anx_supervisor_policy(void)
{
    return installed ? &policy : NULL;
}

/* ---- the fault path ------------------------------------------------------ */

bool anx_service_containable(void)
{
    struct anx_thread *t = anx_thread_current();
    struct anx_service *s = anx_thread_service(t);
    return installed && s && !s->dying && t != supervisor;
}

_Noreturn void anx_service_fail_current(const char *why)
{
    plat_irq_disable();
    struct anx_service *s = anx_thread_service(anx_thread_current());
    s->thread = NULL;
    totals.contained++;
    queue_failed(s, why);
    anx_thread_exit();
}

/* ---- the supervisor thread ------------------------------------------------ */

static uint64_t backoff_for(const struct anx_service *s)
{
    uint64_t d = policy.backoff_ns;
    for (unsigned i = 1; i < s->failures_in_row && d < policy.backoff_max_ns; i++)
        d *= 2;
    return d < policy.backoff_max_ns ? d : policy.backoff_max_ns;
}

static _Noreturn void give_up(const struct anx_service *s)
{
    log_error("service '%s' failed %u times within %llu s (limit %u): %s", s->name,
              s->failures_in_row, (unsigned long long)(policy.window_ns / ANX_NS_PER_S),
              policy.limit, policy.then_reboot ? "rebooting" : "powering off");
    if (policy.then_reboot)
        plat_reboot();
    plat_poweroff(ANX_EXIT_SUPERVISOR);
}

/* A service's thread died (why = "" when it returned under restart: always). */
static void handle_death(struct anx_service *s)
{
    uint64_t now = anx_time_ns();
    bool failure = s->last_failure[0] != 0;
    if (failure) {
        s->failures++;
        if (s->transient)
            totals.transient_failed++;
        log_warn("service '%s' died: %s", s->name, s->last_failure);
        if (s->cleanup)
            s->cleanup(s->arg);
    }
    if (s->transient) {
        anx_free(s);
        return;
    }
    /* a service that stayed up for a whole window starts a new count */
    if (now - s->started_ns >= policy.window_ns)
        s->failures_in_row = 0;
    if (failure)
        s->failures_in_row++;
    if (failure && policy.restart == ANX_RESTART_NEVER) {
        s->state = ANX_SERVICE_STOPPED;
        log_warn("service '%s' is not restarted (restart: never)", s->name);
        return;
    }
    if (policy.limit && s->failures_in_row > policy.limit)
        give_up(s);
    uint64_t d = failure ? backoff_for(s) : policy.backoff_ns;
    s->state = ANX_SERVICE_WAITING;
    s->restart_at_ns = now + d;
    log_info("service '%s' restarts in %llu ms", s->name, (unsigned long long)(d / ANX_NS_PER_MS));
}

/* End services whose heartbeat stopped. */
static void check_heartbeats(uint64_t now)
{
    for (struct anx_service *s = services; s; s = s->next) {
        if (s->state != ANX_SERVICE_RUNNING || !s->heartbeat_ns || s->dying || !s->thread)
            continue;
        if (now - s->last_alive_ns <= s->heartbeat_ns)
            continue;
        if (anx_thread_kill(s->thread))
            continue;
        char why[96];
        snprintf(why, sizeof why, "hung: no heartbeat for %llu ms (heartbeat %llu ms)",
                     (unsigned long long)((now - s->last_alive_ns) / ANX_NS_PER_MS),
                     (unsigned long long)(s->heartbeat_ns / ANX_NS_PER_MS));
        unsigned long f = plat_irq_save();
        s->thread = NULL;
        queue_failed(s, why);
        plat_irq_restore(f);
    }
}

/* Start the services whose backoff has passed; the next deadline, or 0. */
static uint64_t restart_due(uint64_t now)
{
    uint64_t next = 0;
    for (struct anx_service *s = services; s; s = s->next) {
        if (s->state != ANX_SERVICE_WAITING)
            continue;
        if (s->restart_at_ns > now) {
            if (!next || s->restart_at_ns < next)
                next = s->restart_at_ns;
            continue;
        }
        if (launch(s)) {
            s->restart_at_ns = now + policy.backoff_ns;   /* no memory now: try again */
            log_warn("service '%s': no memory to restart it; trying again", s->name);
            continue;
        }
        s->restarts++;
        totals.restarts++;
        log_info("service '%s' restarted (%u so far)", s->name, s->restarts);
    }
    return next;
}

static uint64_t heartbeat_period(void)
{
    uint64_t p = 0;
    for (struct anx_service *s = services; s; s = s->next)
        if (s->heartbeat_ns && (!p || s->heartbeat_ns / 2 < p))
            p = s->heartbeat_ns / 2;
    return p;
}

static void supervisor_main(void *unused)
{
    (void)unused;
    for (;;) {
        unsigned long f = plat_irq_save();
        struct anx_service *list = failed;
        failed = NULL;
        plat_irq_restore(f);
        for (struct anx_service *s = list, *n; s; s = n) {
            n = s->next_failed;
            handle_death(s);
        }
        uint64_t now = anx_time_ns();
        check_heartbeats(now);
        uint64_t next = restart_due(now);
        uint64_t hb = heartbeat_period();
        if (hb && (!next || now + hb < next))
            next = now + hb;
        f = plat_irq_save();
        if (!failed) {
            if (next)
                anx_wait_timeout(&supervisor_wq, next > now ? next - now : 1);
            else
                anx_wait(&supervisor_wq);
        }
        plat_irq_restore(f);
    }
}

int anx_supervisor_install(const struct anx_restart_policy *p)
{
    policy = *p;
    if (!policy.backoff_max_ns || policy.backoff_max_ns < policy.backoff_ns)
        policy.backoff_max_ns = policy.backoff_ns;
    if (!supervisor) {
        supervisor = anx_thread_create("supervisor", supervisor_main, NULL, 0);
        if (!supervisor)
            return ANX_ENOMEM;
    }
    installed = true;
    return 0;
}
