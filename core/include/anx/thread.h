/*
 * Cooperative threads and wait queues (core/thread.c).
 *
 * A thread runs until it yields, sleeps, waits or exits; there is no
 * preemption. Interrupt handlers may wake threads (anx_waitq_wake_*,
 * anx_thread_wake) — the queues are guarded by a spinlock with interrupts
 * off. Threads run on the kernel CPU (CPU 0) unless they detach for a
 * stretch of computation (<anx/smp.h>).
 *
 * Waiting for a condition an interrupt handler makes true, without losing
 * the wake-up:
 *
 *     unsigned long f = plat_irq_save();
 *     while (!ready)
 *         anx_wait(&wq);            // returns with interrupts still off
 *     plat_irq_restore(f);
 *
 * When nothing is runnable the idle thread runs poll hooks and expired
 * timers, programs the timer for the earliest deadline and waits for an
 * interrupt.
 */
#ifndef ANX_THREAD_H
#define ANX_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANX_THREAD_STACK_DEFAULT (16 * 1024)

enum anx_thread_state {
    ANX_THREAD_READY,
    ANX_THREAD_RUNNING,
    ANX_THREAD_BLOCKED,
    ANX_THREAD_DEAD,
};

struct anx_thread;

struct anx_waitq {
    struct anx_thread *head, *tail;
};
#define ANX_WAITQ_INIT { 0, 0 }

/* Create a ready thread running fn(arg); stack_size 0 = default. Returning
 * from fn exits the thread. NULL when out of memory. */
struct anx_thread *anx_thread_create(const char *name, void (*fn)(void *),
                                     void *arg, size_t stack_size);
void anx_yield(void);
_Noreturn void anx_thread_exit(void);
struct anx_thread *anx_thread_current(void);
const char *anx_thread_name(const struct anx_thread *t);
/* Make a blocked thread runnable (no-op otherwise). IRQ safe. */
void anx_thread_wake(struct anx_thread *t);

/* End another thread that is blocked or ready, from outside (the
 * supervisor ends a hung service this way): it is taken off its wait or
 * run queue and its stack is freed; nothing it held is released. 0, or -1
 * for the current, idle, boot or a dead thread. */
int anx_thread_kill(struct anx_thread *t);

/* The service a thread runs (<anx/service.h>), set by core/service.c. */
struct anx_service;
void anx_thread_set_service(struct anx_thread *t, struct anx_service *s);
struct anx_service *anx_thread_service(const struct anx_thread *t);

void anx_waitq_init(struct anx_waitq *wq);
/* Block until woken. See the pattern above. */
void anx_wait(struct anx_waitq *wq);
/* As anx_wait, at most timeout_ns: 0 when woken, -1 on timeout. */
int anx_wait_timeout(struct anx_waitq *wq, uint64_t timeout_ns);
/* IRQ safe. wake_one returns whether a thread was woken; wake_all the count. */
bool anx_waitq_wake_one(struct anx_waitq *wq);
int anx_waitq_wake_all(struct anx_waitq *wq);

/* Poll hooks: the idle loop (and anx_yield) calls fn(arg) with interrupts
 * off; a hook with interval_ns != 0 makes the idle loop wake at least that
 * often (for devices without an interrupt). */
struct anx_poll_hook {
    void (*fn)(void *arg);
    void *arg;
    uint64_t interval_ns;
    struct anx_poll_hook *next;    /* private */
};
void anx_poll_register(struct anx_poll_hook *h);

/* For the `threads` command: a snapshot of each thread in creation order.
 * Calls fn for each; stops when fn returns nonzero. */
struct anx_thread_info {
    unsigned id;
    const char *name;
    enum anx_thread_state state;
    size_t stack_size;         /* 0 for the boot thread's stack */
    size_t stack_used;         /* high-water mark, bytes */
    uint64_t switches;         /* times it was switched to */
    unsigned cpu;              /* the CPU it last ran on */
    bool detached;             /* computing off the kernel CPU (<anx/smp.h>) */
};
void anx_threads_foreach(int (*fn)(const struct anx_thread_info *, void *),
                         void *ctx);
const char *anx_thread_state_name(enum anx_thread_state s);

/* Core only: turn the boot context into thread "main", start idle. */
void anx_threads_init(void);

#endif
