/*
 * Per-CPU state, for the core's scheduler, SMP and parallel code only
 * (modules use <anx/smp.h>). Indexed by plat_cpu_id(); each CPU writes its
 * own counters, other CPUs only read them.
 */
#ifndef ANX_CPU_H
#define ANX_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <anx/platform.h>
#include <anx/smp.h>

struct anx_thread;

struct anx_cpu {
    struct anx_thread *running;     /* the thread running here */
    struct anx_thread *idle_thread;   /* this CPU's idle thread */
    volatile int online;
    volatile int waiting;           /* in plat_wait_for_interrupt: kick with an IPI */
    volatile int in_parallel;       /* running anx_parallel_for chunks */
    uint64_t switches, detached_runs, chunks, ipis, ticks;
    uint64_t busy_ns, wait_start_ns;
};

extern struct anx_cpu anx_cpus[ANX_CPUS_MAX];

static inline struct anx_cpu *anx_this_cpu(void)
{
    return &anx_cpus[plat_cpu_id()];
}

/* thread.c: the idle loop of a compute CPU (smp.c calls it on each). */
_Noreturn void anx_cpu_secondary_loop(void);
/* thread.c: give compute CPU `cpu` its idle thread, running on `stack`. */
struct anx_thread *anx_thread_new_cpu_idle(unsigned cpu, void *stack, size_t size);

/* smp.c: around plat_wait_for_interrupt in the idle loops (counts busy time,
 * makes the CPU kickable). */
void anx_cpu_wait_begin(struct anx_cpu *c);
void anx_cpu_wait_end(struct anx_cpu *c);
/* parallel.c: how many CPUs take chunks (smp.c as they come online;
 * host builds: host/workers.c). */
void anx_parallel_set_width(unsigned n);
/* smp.c: a compute CPU's own timer fired. */
void anx_cpu_tick(void);

#endif
