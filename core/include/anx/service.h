/*
 * Services: module threads the core supervises (core/service.c).
 *
 * A module starts its long-running threads as services rather than bare
 * threads, and says how to release what one held if it dies:
 *
 *     static void listen_main(void *arg);       // accept loop, never returns
 *     static void listen_cleanup(void *arg);    // closes the listening socket
 *     static struct anx_service listener = {
 *         .name = "httpd", .run = listen_main, .cleanup = listen_cleanup,
 *     };
 *     anx_service_start(&listener);
 *
 * and a thread per job (one per connection) as a transient service, which
 * is cleaned up when it dies but never restarted:
 *
 *     anx_service_spawn("http", conn_main, conn, stack, conn_cleanup);
 *
 * What supervision does depends on the image (docs/supervision.md):
 *
 *  - Without the `supervisor` module a service is a plain thread: a CPU
 *    fault or failed assertion in it powers the image off (status 3), as
 *    in any thread.
 *  - With it, such a failure ends that thread alone, provided the thread
 *    had interrupts on (a fault inside a critical section or an interrupt
 *    handler may have left shared state half-changed: it stays fatal). The
 *    core prints the report, the supervisor thread runs cleanup(arg), and
 *    restarts run(arg) after a backoff as the policy says (restart:
 *    always|on-failure|never, a limit per window, then poweroff or reboot).
 *    A service with heartbeat_ns must call anx_service_alive() at least
 *    that often; one that stops is treated as hung: ended and restarted
 *    the same way (it must be blocked or ready to be ended: a thread that
 *    spins without yielding stops the whole cooperative image, and only
 *    the hardware watchdog can help then).
 *
 * anx_panic() stays fatal everywhere: the core calls it for broken
 * invariants (a corrupted heap, a stack overflow) that no thread's death
 * repairs. ANX_ASSERT and libc's assert()/abort() are a module's own
 * checks, and end only the thread when they can.
 */
#ifndef ANX_SERVICE_H
#define ANX_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct anx_thread;

enum anx_service_state {
    ANX_SERVICE_RUNNING,   /* its thread exists */
    ANX_SERVICE_WAITING,   /* died; restarts when the backoff has passed */
    ANX_SERVICE_STOPPED,   /* returned, or died and the policy does not restart it */
};

struct anx_service {
    const char *name;
    void (*run)(void *arg);
    void *arg;
    size_t stack_size;              /* 0: the default */
    void (*cleanup)(void *arg);     /* after a death (fault, hang): release what run held */
    uint64_t heartbeat_ns;          /* 0: not watched */
    bool transient;                 /* one job: cleaned up, never restarted */

    /* kept by the core */
    enum anx_service_state state;
    struct anx_thread *thread;
    uint64_t last_alive_ns;
    uint64_t started_ns;
    uint64_t restart_at_ns;         /* WAITING: when to start it again */
    unsigned restarts;              /* times started again */
    unsigned failures;              /* deaths by fault or hang */
    unsigned failures_in_row;       /* since it last stayed up for a window */
    char last_failure[96];
    bool dying;                     /* its death is being handled */
    struct anx_service *next;
    struct anx_service *next_failed;
};

/* Start a service's thread; 0, or ANX_ENOMEM. The struct must outlive it
 * (static, usually). */
int anx_service_start(struct anx_service *s);

/* Start a transient service for one job; the core allocates and frees its
 * record. 0, or ANX_ENOMEM (nothing was started; the caller still owns arg). */
int anx_service_spawn(const char *name, void (*run)(void *arg), void *arg, size_t stack_size,
                      void (*cleanup)(void *arg));

/* Heartbeat: the calling service is making progress. No-op elsewhere. */
void anx_service_alive(void);

/* Every long-lived service, in start order (transient ones are counted
 * in the totals instead). Stops when fn returns nonzero. */
void anx_services_foreach(int (*fn)(const struct anx_service *, void *), void *ctx);

struct anx_service_totals {
    uint64_t transient_started, transient_failed;
    uint64_t contained;             /* failures ended in one thread */
    uint64_t restarts;
};
void anx_service_totals(struct anx_service_totals *t);

/* ---- the policy (the supervisor module installs it) -------------------- */

enum anx_restart { ANX_RESTART_ON_FAILURE, ANX_RESTART_ALWAYS, ANX_RESTART_NEVER };

struct anx_restart_policy {
    enum anx_restart restart;
    uint64_t backoff_ns;            /* first delay; doubled after each failure in a row */
    uint64_t backoff_max_ns;
    unsigned limit;                 /* failures of one service within window... */
    uint64_t window_ns;             /* ...after which `then` happens */
    bool then_reboot;               /* else power off with ANX_EXIT_SUPERVISOR */
};

#define ANX_EXIT_SUPERVISOR 4

/* Turns containment on with this policy (copied) and starts the
 * supervisor thread. 0, or ANX_ENOMEM. */
int anx_supervisor_install(const struct anx_restart_policy *p);
const struct anx_restart_policy *anx_supervisor_policy(void);   /* NULL: none */
const char *anx_restart_name(enum anx_restart r);

/* ---- for the core's fault path (core/panic.c) ------------------------------ */

/* May the current thread's failure end only that thread? (A service's
 * thread, a supervisor installed, not the supervisor itself.) */
bool anx_service_containable(void);
/* End the current thread after a contained failure: records why, wakes
 * the supervisor; never returns. Interrupts off. */
_Noreturn void anx_service_fail_current(const char *why);

#endif
