/* lwIP's OS layer types on the core's cooperative threads (sys_arch.c). */
#ifndef ANX_LWIP_ARCH_SYS_ARCH_H
#define ANX_LWIP_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <anx/thread.h>

/* A counting semaphore: a count and the threads waiting for it. */
struct sys_sem {
    bool valid;
    unsigned count;
    struct anx_waitq wq;
};
typedef struct sys_sem sys_sem_t;
static inline int anx_sys_sem_valid(const struct sys_sem *s) { return s && s->valid; }
static inline void anx_sys_sem_invalidate(struct sys_sem *s) { if (s) s->valid = false; }
#define sys_sem_valid(s) anx_sys_sem_valid(s)
#define sys_sem_set_invalid(s) anx_sys_sem_invalidate(s)

/* A mutex is a binary semaphore. */
typedef struct sys_sem sys_mutex_t;
#define sys_mutex_valid(m) sys_sem_valid(m)
#define sys_mutex_set_invalid(m) sys_sem_set_invalid(m)

/* A bounded message queue (a ring of pointers). */
struct sys_mbox {
    bool valid;
    void **msgs;
    unsigned size, head, count;
    struct anx_waitq not_empty, not_full;
};
typedef struct sys_mbox sys_mbox_t;
static inline int anx_sys_mbox_valid(const struct sys_mbox *m) { return m && m->valid; }
static inline void anx_sys_mbox_invalidate(struct sys_mbox *m) { if (m) m->valid = false; }
#define sys_mbox_valid(m) anx_sys_mbox_valid(m)
#define sys_mbox_set_invalid(m) anx_sys_mbox_invalidate(m)

typedef struct anx_thread *sys_thread_t;

/* Threads are cooperative and interrupt handlers never enter lwIP, so a
 * critical section needs no lock. */
typedef int sys_prot_t;

#endif
