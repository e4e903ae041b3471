/*
 * Several CPUs (core/smp.c, core/thread.c, core/parallel.c).
 *
 * The model: one kernel CPU, the others compute.
 *
 *   CPU 0 is the kernel CPU. Every thread starts there and runs there
 *   cooperatively, exactly as on a one-CPU image; device interrupts are
 *   delivered there. So a module written for one CPU (lwIP, the object
 *   store, a driver) stays correct on many without a single lock.
 *
 *   The other CPUs run compute: the chunks of anx_parallel_for()
 *   (<anx/parallel.h>), and threads that have detached from the kernel CPU
 *   for a stretch of pure computation (anx_detach / anx_attach). While one
 *   thread computes an inference step on CPU 1, CPU 0 keeps serving the
 *   network, the shell and other requests; a matmul spreads over every idle
 *   CPU, CPU 0's idle time included.
 *
 * A detached thread may only compute on memory it owns or that nobody
 * changes meanwhile (its own buffers, read-only model weights), call
 * anx_parallel_for, anx_yield (to let other detached threads share the
 * CPU) and read the clock. Everything else — waiting, sleeping, the heap,
 * logging, any module's API — belongs to the kernel CPU: the core panics
 * when a detached thread waits or allocates. docs/architecture.md ("Several
 * CPUs") says why this model and what it costs.
 *
 * With one CPU (cpus: 1, or a board that starts no other), anx_detach does
 * nothing and anx_parallel_for runs its chunks in the caller.
 */
#ifndef ANX_SMP_H
#define ANX_SMP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef CONFIG_CPUS
#define ANX_CPUS_MAX CONFIG_CPUS       /* the manifest's cpus: */
#else
#define ANX_CPUS_MAX 16                /* host builds: worker threads (gen/config_host.c) */
#endif

/* CPUs running (1 until anx_smp_init has started the others). */
unsigned anx_cpu_count(void);
/* This CPU's index: 0 is the kernel CPU. */
unsigned anx_cpu_id(void);
/* Whether the caller runs on the kernel CPU (a detached thread does not). */
bool anx_on_kernel_cpu(void);

/* Leave the kernel CPU to compute on another one: returns true when the
 * thread now runs on a compute CPU, false when it stays (one CPU, or
 * already detached). Pair every true with anx_attach(). */
bool anx_detach(void);
/* Back to the kernel CPU (after a true anx_detach). */
void anx_attach(void);

/* Panic unless on the kernel CPU: for APIs that must not run detached. */
#define ANX_KERNEL_CPU_ONLY(what) \
    do { if (!anx_on_kernel_cpu()) anx_kernel_cpu_violation(what); } while (0)
_Noreturn void anx_kernel_cpu_violation(const char *what);

/* Per-CPU counters, for the `cpus` command and the SMP tests. */
struct anx_cpu_info {
    unsigned id;
    bool online;
    bool idle;                  /* waiting for an interrupt now */
    uint64_t switches;          /* threads switched to on this CPU */
    uint64_t detached_runs;     /* times a detached thread started running here */
    uint64_t chunks;            /* anx_parallel_for chunks run here */
    uint64_t ipis;              /* wake-up interrupts received */
    uint64_t ticks;             /* this CPU's own timer interrupts */
    uint64_t busy_ns;           /* time not waiting for an interrupt */
};
void anx_cpu_info(unsigned cpu, struct anx_cpu_info *out);

/* Core only. */
void anx_smp_init(void);                  /* kmain: start the other CPUs */
void anx_cpu_kick(unsigned cpu);          /* wake `cpu` if it waits for an interrupt */
void anx_cpu_kick_idle(unsigned max);     /* wake up to max idle compute CPUs */

#endif
