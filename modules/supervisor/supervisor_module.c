/*
 * The supervisor module: the restart policy of module.yaml, handed to the
 * core (<anx/service.h>, core/service.c does the work), the `services`
 * command, and the services' counters on /metrics when the router is in
 * the image.
 */
#define LOG_TAG "supervisor"
#include <anx/command.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/time.h>
#ifdef CONFIG_MODULE_ROUTER
#include "../router/router.h"
#endif

static const char *state_name(enum anx_service_state s)
{
    switch (s) {
    case ANX_SERVICE_RUNNING: return "running";
    case ANX_SERVICE_WAITING: return "restarting";
    case ANX_SERVICE_STOPPED: return "stopped";
    }
    return "?";
}

static int print_service(const struct anx_service *s, void *ctx)
{
    (void)ctx;
    anx_printf("%-16s %-10s %8u %8u  %s\n", s->name, state_name(s->state), s->restarts,
               s->failures, s->last_failure[0] ? s->last_failure : "-");
    return 0;
}

static int cmd_services(int argc, char **argv)
{
    (void)argv;
    if (argc != 1) {
        anx_printf("usage: services\n");
        return 1;
    }
    const struct anx_restart_policy *p = anx_supervisor_policy();
    anx_printf("restart: %s, backoff %llu ms (max %llu ms), limit %u per %llu s, then %s\n",
               anx_restart_name(p->restart), (unsigned long long)(p->backoff_ns / ANX_NS_PER_MS),
               (unsigned long long)(p->backoff_max_ns / ANX_NS_PER_MS), p->limit,
               (unsigned long long)(p->window_ns / ANX_NS_PER_S),
               p->then_reboot ? "reboot" : "poweroff");
    anx_printf("%-16s %-10s %8s %8s  %s\n", "SERVICE", "STATE", "RESTARTS", "FAILURES",
               "LAST FAILURE");
    anx_services_foreach(print_service, NULL);
    struct anx_service_totals t;
    anx_service_totals(&t);
    anx_printf("jobs (transient): %llu started, %llu failed; %llu failures contained\n",
               (unsigned long long)t.transient_started, (unsigned long long)t.transient_failed,
               (unsigned long long)t.contained);
    return 0;
}

static struct anx_command services_cmd = {
    .name = "services",
    .summary = "Supervised services: state, restarts, failures, the restart policy",
    .usage = "services",
    .fn = cmd_services,
};

#ifdef CONFIG_MODULE_ROUTER
static int emit_service(const struct anx_service *s, void *ctx)
{
    struct anx_buf *b = ctx;
    anx_buf_printf(b, "anx_service_restarts_total{service=\"%s\"} %u\n", s->name, s->restarts);
    anx_buf_printf(b, "anx_service_failures_total{service=\"%s\"} %u\n", s->name, s->failures);
    anx_buf_printf(b, "anx_service_up{service=\"%s\"} %d\n", s->name,
                   s->state == ANX_SERVICE_RUNNING);
    return 0;
}

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    struct anx_service_totals t;
    anx_service_totals(&t);
    anx_buf_puts(b, "# HELP anx_service_restarts_total Times a service was started again.\n"
                    "# TYPE anx_service_restarts_total counter\n"
                    "# HELP anx_service_failures_total A service's faults, failed assertions and hangs.\n"
                    "# TYPE anx_service_failures_total counter\n"
                    "# HELP anx_service_up Whether the service's thread runs (1) or not (0).\n"
                    "# TYPE anx_service_up gauge\n");
    anx_services_foreach(emit_service, b);
    anx_buf_printf(b,
                   "# HELP anx_jobs_failed_total Per-job threads (connections) that failed.\n"
                   "# TYPE anx_jobs_failed_total counter\nanx_jobs_failed_total %llu\n"
                   "# HELP anx_failures_contained_total Failures that ended one thread only.\n"
                   "# TYPE anx_failures_contained_total counter\n"
                   "anx_failures_contained_total %llu\n",
                   (unsigned long long)t.transient_failed, (unsigned long long)t.contained);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };
#endif

static int supervisor_init(void)
{
    struct anx_restart_policy p = {
#if defined(CONFIG_SUPERVISOR_RESTART_ALWAYS)
        .restart = ANX_RESTART_ALWAYS,
#elif defined(CONFIG_SUPERVISOR_RESTART_NEVER)
        .restart = ANX_RESTART_NEVER,
#else
        .restart = ANX_RESTART_ON_FAILURE,
#endif
        .backoff_ns = CONFIG_SUPERVISOR_BACKOFF,
        .backoff_max_ns = CONFIG_SUPERVISOR_BACKOFF_MAX,
        .limit = CONFIG_SUPERVISOR_LIMIT,
        .window_ns = CONFIG_SUPERVISOR_WINDOW,
#ifdef CONFIG_SUPERVISOR_THEN_REBOOT
        .then_reboot = true,
#endif
    };
    int r = anx_supervisor_install(&p);
    if (r)
        return r;
#ifdef CONFIG_MODULE_ROUTER
    rt_metrics_register(&metrics);
#endif
    return anx_command_register(&services_cmd);
}

ANX_MODULE(supervisor, .init = supervisor_init);
