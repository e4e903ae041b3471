/*
 * lwIP's OS layer (sys_arch) on the core's cooperative threads.
 *
 * Nothing preempts a thread, and interrupt handlers never call into lwIP,
 * so a semaphore is a count plus a wait queue, a mailbox a ring plus two
 * wait queues, and SYS_ARCH_PROTECT needs no lock at all. A thread that
 * waits re-checks its condition after every wake-up (a timeout can race a
 * signal). Time is the core's monotonic clock in milliseconds.
 */
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/err.h"

#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/random.h>
#include <anx/thread.h>
#include <anx/time.h>

void sys_init(void)
{
}

u32_t sys_now(void)
{
    return (u32_t)(anx_time_ns() / ANX_NS_PER_MS);
}

sys_prot_t sys_arch_protect(void)
{
    return 0;
}

void sys_arch_unprotect(sys_prot_t pval)
{
    (void)pval;
}

/* ---- random numbers (LWIP_RAND: TCP ports and ISNs, DHCP xids, DNS ids) -- */

/* The core's generator (<anx/random.h>): unpredictable initial sequence
 * numbers and ports keep off-path attackers from injecting into TCP
 * connections, so even without a hardware source this is far better than
 * a clock-seeded sequence. */
uint32_t net_rand(void)
{
    return anx_random_u32();
}

/* ---- semaphores and mutexes ---------------------------------------------- */

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
    sem->valid = true;
    sem->count = count;
    anx_waitq_init(&sem->wq);
    return ERR_OK;
}

void sys_sem_free(sys_sem_t *sem)
{
    sem->valid = false;
}

void sys_sem_signal(sys_sem_t *sem)
{
    sem->count++;
    anx_waitq_wake_one(&sem->wq);
}

/* Waits for cond(arg) on wq for at most timeout_ms (0 = forever). Returns
 * the milliseconds waited, or SYS_ARCH_TIMEOUT. */
static u32_t wait_until(struct anx_waitq *wq, bool (*cond)(void *), void *arg, u32_t timeout_ms)
{
    uint64_t start = anx_time_ns();
    uint64_t deadline = start + (uint64_t)timeout_ms * ANX_NS_PER_MS;
    while (!cond(arg)) {
        if (timeout_ms == 0) {
            anx_wait(wq);
        } else {
            uint64_t now = anx_time_ns();
            if (now >= deadline || anx_wait_timeout(wq, deadline - now) < 0) {
                if (cond(arg))
                    break;
                return SYS_ARCH_TIMEOUT;
            }
        }
    }
    u32_t waited = (u32_t)((anx_time_ns() - start) / ANX_NS_PER_MS);
    /* 0 would read as "no wait"; lwIP only uses it for statistics. */
    return waited;
}

static bool sem_ready(void *arg)
{
    return ((sys_sem_t *)arg)->count > 0;
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
    u32_t r = wait_until(&sem->wq, sem_ready, sem, timeout);
    if (r != SYS_ARCH_TIMEOUT)
        sem->count--;
    return r;
}

err_t sys_mutex_new(sys_mutex_t *mutex)
{
    return sys_sem_new(mutex, 1);
}

void sys_mutex_lock(sys_mutex_t *mutex)
{
    sys_arch_sem_wait(mutex, 0);
}

void sys_mutex_unlock(sys_mutex_t *mutex)
{
    sys_sem_signal(mutex);
}

void sys_mutex_free(sys_mutex_t *mutex)
{
    sys_sem_free(mutex);
}

/* ---- mailboxes ---------------------------------------------------------- */

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
    if (size <= 0)
        size = 16;
    mbox->msgs = anx_calloc((size_t)size, sizeof *mbox->msgs);
    if (!mbox->msgs)
        return ERR_MEM;
    mbox->size = (unsigned)size;
    mbox->head = mbox->count = 0;
    anx_waitq_init(&mbox->not_empty);
    anx_waitq_init(&mbox->not_full);
    mbox->valid = true;
    return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
    anx_free(mbox->msgs);
    mbox->msgs = NULL;
    mbox->valid = false;
}

static void mbox_put(sys_mbox_t *mbox, void *msg)
{
    mbox->msgs[(mbox->head + mbox->count) % mbox->size] = msg;
    mbox->count++;
    anx_waitq_wake_one(&mbox->not_empty);
}

static bool mbox_has_room(void *arg)
{
    sys_mbox_t *m = arg;
    return m->count < m->size;
}

static bool mbox_has_msg(void *arg)
{
    return ((sys_mbox_t *)arg)->count > 0;
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
    wait_until(&mbox->not_full, mbox_has_room, mbox, 0);
    mbox_put(mbox, msg);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
    if (mbox->count >= mbox->size)
        return ERR_MEM;
    mbox_put(mbox, msg);
    return ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
    return sys_mbox_trypost(mbox, msg);
}

static void *mbox_take(sys_mbox_t *mbox)
{
    void *msg = mbox->msgs[mbox->head];
    mbox->head = (mbox->head + 1) % mbox->size;
    mbox->count--;
    anx_waitq_wake_one(&mbox->not_full);
    return msg;
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
    u32_t r = wait_until(&mbox->not_empty, mbox_has_msg, mbox, timeout);
    if (r == SYS_ARCH_TIMEOUT) {
        if (msg)
            *msg = NULL;
        return r;
    }
    void *m = mbox_take(mbox);
    if (msg)
        *msg = m;
    return r;
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
    if (mbox->count == 0)
        return SYS_MBOX_EMPTY;
    void *m = mbox_take(mbox);
    if (msg)
        *msg = m;
    return 0;
}

/* ---- threads -------------------------------------------------------------- */

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn thread, void *arg, int stacksize, int prio)
{
    (void)prio;
    struct anx_thread *t = anx_thread_create(name, thread, arg, stacksize > 0 ? (size_t)stacksize : 0);
    if (!t)
        LWIP_PLATFORM_ASSERT("sys_thread_new: out of memory");
    return t;
}
