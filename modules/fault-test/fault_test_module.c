/*
 * Test-only module: crashes on purpose, so boot tests can check the fault
 * path.
 *  - `fault KIND` triggers a CPU exception through the platform
 *    (pagefault, ud, div0, write-text, exec-data ...), a failed assertion
 *    (assert) or a panic in the shell's thread: without a supervisor, the
 *    report and power-off with status 3.
 *  - `fault service KIND [N]` starts a supervised service, fault-svc,
 *    that fails that way in its first N runs (1), then waits: with the
 *    supervisor module, the failure ends that thread only and it restarts
 *    (docs/supervision.md).
 *  - With the router in the image, POST /api/v1/fault/KIND fails that way
 *    in the HTTP connection's own thread.
 */
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/module.h>
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/thread.h>
#ifdef CONFIG_MODULE_ROUTER
#include "../router/router.h"
#endif

#define KINDS "pagefault|ud|div0|write-text|exec-data|assert|panic"

/* Returns only for an unknown kind. */
static void fail_as(const char *kind)
{
    if (strcmp(kind, "panic") == 0)
        anx_panic("requested by the fault command");
    if (strcmp(kind, "assert") == 0)
        ANX_ASSERT(strcmp(kind, "assert") != 0);
    plat_trigger_fault(kind);
}

static char svc_kind[16];
static int svc_fail_runs, svc_runs;
static struct anx_waitq svc_wq = ANX_WAITQ_INIT;

static void svc_run(void *arg)
{
    (void)arg;
    svc_runs++;
    anx_printf("fault-svc: run %d\n", svc_runs);
    if (svc_runs <= svc_fail_runs)
        fail_as(svc_kind);
    anx_printf("fault-svc: serving\n");
    unsigned long f = plat_irq_save();
    for (;;)
        anx_wait(&svc_wq);
    plat_irq_restore(f);
}

static void svc_cleanup(void *arg)
{
    (void)arg;
    anx_printf("fault-svc: cleaned up after run %d\n", svc_runs);
}

static struct anx_service svc = { .name = "fault-svc", .run = svc_run, .cleanup = svc_cleanup };

static int start_service(int argc, char **argv)
{
    static bool started;
    if (started) {
        anx_printf("fault: fault-svc runs already\n");
        return 1;
    }
    strlcpy(svc_kind, argv[2], sizeof svc_kind);
    svc_fail_runs = argc == 4 ? atoi(argv[3]) : 1;
    if (anx_service_start(&svc)) {
        anx_printf("fault: no memory for fault-svc\n");
        return 1;
    }
    started = true;
    anx_printf("fault-svc started: fails with %s in its first %d runs\n", svc_kind,
               svc_fail_runs);
    return 0;
}

static int cmd_fault(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "service") == 0)
        return start_service(argc, argv);
    if (argc != 2) {
        anx_printf("usage: fault " KINDS "\n       fault service KIND [RUNS]\n");
        return 1;
    }
    anx_printf("triggering %s\n", argv[1]);
    fail_as(argv[1]);
    anx_printf("fault '%s' did not trap (unknown kind on this platform?)\n", argv[1]);
    return 1;
}

static struct anx_command fault_cmd = {
    .name = "fault",
    .summary = "Crash on purpose (test only): " KINDS ", or a supervised service that does",
    .usage = "fault " KINDS " | fault service KIND [RUNS]",
    .fn = cmd_fault,
};

#ifdef CONFIG_MODULE_ROUTER
/* POST /api/v1/fault/KIND: fails in the connection's thread. */
static int fault_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    size_t n;
    const char *k = rt_param(rq, "kind", &n);
    char kind[16];
    if (!k || n >= sizeof kind) {
        rt_reply(rs, 400, "text/plain", "unknown kind\n");
        return 0;
    }
    memcpy(kind, k, n);
    kind[n] = 0;
    anx_printf("fault: %s in HTTP connection thread '%s'\n", kind,
               anx_thread_name(anx_thread_current()));
    fail_as(kind);
    rt_reply(rs, 400, "text/plain", "unknown kind\n");
    return 0;
}

static struct rt_engine fault_engine = { .name = "fault", .handle = fault_handle };
#endif

static int fault_init(void)
{
#ifdef CONFIG_MODULE_ROUTER
    if (rt_engine_register(&fault_engine))
        return -1;
#endif
    return anx_command_register(&fault_cmd);
}

/* The route once every module's init ran: the router's own init sets up
 * its tables, and this module does not depend on it. */
static void fault_start(void)
{
#ifdef CONFIG_MODULE_ROUTER
    if (!rt_route_add("fault", "POST", "/api/v1/fault/{kind}", RT_FIRST_HEALTHY, "fault"))
        anx_module_fail("fault-test", -1, "cannot add the route POST /api/v1/fault/{kind}");
#endif
}

ANX_MODULE(fault_test, .init = fault_init, .start = fault_start);
