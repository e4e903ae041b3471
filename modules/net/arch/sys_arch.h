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
#define sys_sem_valid(s) ((s) != NULL && (s)->valid)
#define sys_sem_set_invalid(s) do { if (s) (s)->valid = false; } while (0)

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
#define sys_mbox_valid(m) ((m) != NULL && (m)->valid)
#define sys_mbox_set_invalid(m) do { if (m) (m)->valid = false; } while (0)

typedef struct anx_thread *sys_thread_t;

/* Threads are cooperative and interrupt handlers never enter lwIP, so a
 * critical section needs no lock. */
typedef int sys_prot_t;

#endif
