/*
 * Spinlocks (core/spinlock.c), for the little state that CPUs share.
 *
 * Most of the kernel needs none: every ordinary thread runs on CPU 0, the
 * kernel CPU, where cooperative scheduling and plat_irq_save() already
 * exclude each other (<anx/smp.h> explains the model). A spinlock guards
 * what the other CPUs touch too: the scheduler's queues, the parallel-for
 * job table, per-CPU counters read across CPUs.
 *
 * A lock is taken with interrupts off on this CPU and must be held briefly:
 * no waiting, sleeping or allocation while holding one.
 *
 * Lock order: each lock has a rank, and a CPU may only take a lock whose
 * rank is higher than every lock it already holds. Images built with
 * `debug: true` check this on every acquisition and panic naming both locks
 * (an ABBA deadlock needs two CPUs and bad luck to show; the rank check
 * finds the mistake on one CPU, the first time the wrong order runs). They
 * also panic on a recursive acquisition and on releasing a lock this CPU
 * does not hold.
 */
#ifndef ANX_SPINLOCK_H
#define ANX_SPINLOCK_H

#include <stdbool.h>

struct anx_spinlock {
    volatile int locked;
    unsigned rank;              /* lock order: take higher ranks later */
    const char *name;
    int owner;                  /* CPU holding it, -1 when free (debug builds) */
};

#define ANX_SPINLOCK_INIT(lock_name, lock_rank) \
    { .locked = 0, .rank = (lock_rank), .name = (lock_name), .owner = -1 }

/* The ranks of the core's locks, lowest (taken first) to highest. */
enum {
    ANX_LOCK_RANK_SCHED = 10,   /* run queues, thread states (core/thread.c) */
    ANX_LOCK_RANK_JOBS = 20,    /* parallel-for jobs (core/parallel.c) */
    ANX_LOCK_RANK_TEST = 30,    /* first rank free for modules */
};

void anx_spinlock_init(struct anx_spinlock *l, const char *name, unsigned rank);

/* Disable interrupts on this CPU, take the lock; returns the old interrupt
 * state for anx_spin_unlock. */
unsigned long anx_spin_lock(struct anx_spinlock *l);
void anx_spin_unlock(struct anx_spinlock *l, unsigned long irq_flags);
/* Take it only if free: true when taken (interrupt state in *irq_flags). */
bool anx_spin_trylock(struct anx_spinlock *l, unsigned long *irq_flags);
/* Whether this CPU holds it (debug builds; always true otherwise). */
bool anx_spin_held(const struct anx_spinlock *l);

/* A CPU waiting for another: the pause/yield hint of the architecture. */
static inline void anx_cpu_relax(void)
{
#if defined(__x86_64__)
    __asm__ volatile("pause" ::: "memory");
#elif defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#else
    __asm__ volatile("" ::: "memory");
#endif
}

#endif
