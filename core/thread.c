/*
 * Cooperative threads, the run queues, wait queues, sleeping and the idle
 * loops. Everything that touches the queues or a thread's state holds
 * sched_lock (interrupts off: interrupt handlers wake threads; a spinlock:
 * compute CPUs take detached threads and hand them back). As in xv6, the
 * lock is held across the context switch and released by the thread
 * switched to, so no other CPU can see a thread half switched out.
 *
 * Two queues: the kernel CPU's run queue, and the queue of detached threads
 * any compute CPU may take (<anx/smp.h>).
 */
#define LOG_TAG "thread"
#include <anx/console.h>
#include <anx/cpu.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/parallel.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/smp.h>
#include <anx/spinlock.h>
#include <anx/thread.h>
#include <anx/time.h>

#define STACK_FILL 0xa5u
#define STACK_CANARY 0x57ac4ca9a2f1c0deull

struct anx_thread {
    struct plat_context ctx;
    struct anx_thread *next;        /* run queue or wait queue */
    struct anx_thread *all_next;    /* every thread, creation order */
    struct anx_waitq *waiting_on;
    struct anx_timer timer;
    bool timed_out;
    enum anx_thread_state state;
    unsigned id;
    char name[24];
    void *stack;                    /* NULL for the boot thread */
    size_t stack_size;
    void (*fn)(void *);
    void *arg;
    uint64_t switches;
    struct anx_term *term;          /* its own console (<anx/console.h>), or NULL */
    struct anx_service *service;    /* the service it runs (core/service.c), or NULL */
    bool detached;                  /* computing off the kernel CPU (anx_detach) */
    unsigned cpu;                   /* the CPU it last ran on */
};

static struct anx_thread main_thread;
#define current (anx_this_cpu()->running)
#define idle (anx_this_cpu()->idle_thread)
static struct anx_spinlock sched_lock = ANX_SPINLOCK_INIT("sched", ANX_LOCK_RANK_SCHED);
static struct anx_thread *run_head, *run_tail;     /* the kernel CPU's */
static struct anx_thread *det_head, *det_tail;     /* detached, for any compute CPU */
static struct anx_thread *all_head, *all_tail;
static struct anx_thread *zombies;
static struct anx_poll_hook *hooks;
static uint64_t poll_interval;      /* smallest hook interval, 0 = none */
static unsigned next_id;

/* ---- queues (interrupts off) ----------------------------------------- */

static void queue_push(struct anx_thread **head, struct anx_thread **tail, struct anx_thread *t)
{
    t->next = NULL;
    if (*tail)
        (*tail)->next = t;
    else
        *head = t;
    *tail = t;
}

static struct anx_thread *queue_pop(struct anx_thread **head, struct anx_thread **tail)
{
    struct anx_thread *t = *head;
    if (t) {
        *head = t->next;
        if (!*head)
            *tail = NULL;
        t->next = NULL;
    }
    return t;
}

static void runq_push(struct anx_thread *t)
{
    queue_push(&run_head, &run_tail, t);
}

static void runq_remove(struct anx_thread *t)
{
    struct anx_thread *prev = NULL;
    for (struct anx_thread *p = run_head; p; prev = p, p = p->next) {
        if (p != t)
            continue;
        if (prev)
            prev->next = p->next;
        else
            run_head = p->next;
        if (run_tail == p)
            run_tail = prev;
        p->next = NULL;
        return;
    }
}

static struct anx_thread *runq_pop(void)
{
    return queue_pop(&run_head, &run_tail);
}

static void waitq_push(struct anx_waitq *wq, struct anx_thread *t)
{
    t->next = NULL;
    if (wq->tail)
        wq->tail->next = t;
    else
        wq->head = t;
    wq->tail = t;
    t->waiting_on = wq;
}

static struct anx_thread *waitq_pop(struct anx_waitq *wq)
{
    struct anx_thread *t = wq->head;
    if (t) {
        wq->head = t->next;
        if (!wq->head)
            wq->tail = NULL;
        t->next = NULL;
        t->waiting_on = NULL;
    }
    return t;
}

static void waitq_remove(struct anx_waitq *wq, struct anx_thread *t)
{
    struct anx_thread *prev = NULL;
    for (struct anx_thread *p = wq->head; p; prev = p, p = p->next) {
        if (p != t)
            continue;
        if (prev)
            prev->next = p->next;
        else
            wq->head = p->next;
        if (wq->tail == p)
            wq->tail = prev;
        p->next = NULL;
        break;
    }
    t->waiting_on = NULL;
}

static void make_ready(struct anx_thread *t)
{
    t->state = ANX_THREAD_READY;
    runq_push(t);
}

/* ---- switching -------------------------------------------------------- */

static unsigned long sched_lock_take(void)
{
    return anx_spin_lock(&sched_lock);
}

static void sched_lock_drop(unsigned long f)
{
    anx_spin_unlock(&sched_lock, f);
}

static void check_stack(struct anx_thread *t)
{
    uint64_t c;
    if (!t->stack)
        return;
    memcpy(&c, t->stack, sizeof c);
    if (c != STACK_CANARY)
        anx_panic("stack overflow in thread '%s' (stack %zu bytes)", t->name, t->stack_size);
}

/* Free exited threads (kernel CPU only: the heap lives there). */
static void reap(void)
{
    if (!anx_on_kernel_cpu())
        return;
    while (zombies) {
        struct anx_thread *z = zombies;
        zombies = z->next;
        for (struct anx_thread **p = &all_head; *p; p = &(*p)->all_next) {
            if (*p == z) {
                *p = z->all_next;
                if (all_tail == z) {
                    all_tail = all_head;
                    while (all_tail && all_tail->all_next)
                        all_tail = all_tail->all_next;
                }
                break;
            }
        }
        if (z != &main_thread) {
            anx_page_free(z->stack, z->stack_size / ANX_PAGE_SIZE);
            anx_free(z);
        }
    }
}

/* Switch to the next runnable thread of this CPU (sched_lock held): the
 * kernel CPU's run queue, or on a compute CPU the detached queue. A
 * running caller goes to the back of its queue; a blocked, dead or
 * migrating one does not. */
static void schedule(void)
{
    struct anx_cpu *cpu = anx_this_cpu();
    bool kernel = anx_on_kernel_cpu();
    struct anx_thread *prev = cpu->running;
    struct anx_thread *next = kernel ? runq_pop() : queue_pop(&det_head, &det_tail);
    if (!next) {
        if (prev->state == ANX_THREAD_RUNNING)
            return;
        next = cpu->idle_thread;
    }
    if (next == prev) {
        prev->state = ANX_THREAD_RUNNING;
        return;
    }
    if (prev->state == ANX_THREAD_RUNNING) {
        prev->state = ANX_THREAD_READY;
        if (prev != cpu->idle_thread) {
            if (kernel)
                runq_push(prev);
            else
                queue_push(&det_head, &det_tail, prev);
        }
    }
    check_stack(prev);
    next->state = ANX_THREAD_RUNNING;
    next->switches++;
    next->cpu = plat_cpu_id();
    cpu->switches++;
    if (next->detached)
        cpu->detached_runs++;
    cpu->running = next;
    plat_context_switch(&prev->ctx, &next->ctx);
    /* back in prev, perhaps on another CPU than the one that switched away */
    reap();
}

static void thread_start(void *arg)
{
    struct anx_thread *t = arg;
    reap();
    /* switched to by schedule(), which holds sched_lock: release it, and
     * start with interrupts on */
    sched_lock_drop(plat_irq_save());
    plat_irq_enable();
    t->fn(t->arg);
    anx_thread_exit();
}

static struct anx_thread *thread_alloc(const char *name, void *stack, size_t stack_size)
{
    struct anx_thread *t = anx_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    uint64_t c = STACK_CANARY;
    t->stack = stack;
    memset(t->stack, STACK_FILL, stack_size);
    memcpy(t->stack, &c, sizeof c);
    t->stack_size = stack_size;
    strlcpy(t->name, name, sizeof t->name);
    return t;
}

static void thread_register(struct anx_thread *t)
{
    unsigned long f = sched_lock_take();
    t->id = next_id++;
    if (all_tail)
        all_tail->all_next = t;
    else
        all_head = t;
    all_tail = t;
    sched_lock_drop(f);
}

static struct anx_thread *thread_new(const char *name, void (*fn)(void *), void *arg,
                                     size_t stack_size)
{
    ANX_KERNEL_CPU_ONLY("creating a thread");
    if (!stack_size)
        stack_size = ANX_THREAD_STACK_DEFAULT;
    stack_size = ANX_ALIGN_UP(stack_size, (size_t)ANX_PAGE_SIZE);
    void *stack = anx_page_alloc(stack_size / ANX_PAGE_SIZE);
    if (!stack)
        return NULL;
    struct anx_thread *t = thread_alloc(name, stack, stack_size);
    if (!t) {
        anx_page_free(stack, stack_size / ANX_PAGE_SIZE);
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;
    plat_context_init(&t->ctx, (char *)t->stack + stack_size, thread_start, t);
    thread_register(t);
    return t;
}

struct anx_thread *anx_thread_create(const char *name, void (*fn)(void *), void *arg,
                                     size_t stack_size)
{
    struct anx_thread *t = thread_new(name, fn, arg, stack_size);
    if (t) {
        unsigned long f = sched_lock_take();
        make_ready(t);
        sched_lock_drop(f);
    }
    return t;
}

/* A compute CPU's idle thread is the context its start code runs in, on
 * the stack smp.c gave it (like "main" on the boot stack). */
struct anx_thread *anx_thread_new_cpu_idle(unsigned cpu, void *stack, size_t size)
{
    char name[24];
    snprintf(name, sizeof name, "idle%u", cpu);
    struct anx_thread *t = thread_alloc(name, stack, size);
    if (!t)
        return NULL;
    t->state = ANX_THREAD_RUNNING;
    t->cpu = cpu;
    thread_register(t);
    anx_cpus[cpu].idle_thread = anx_cpus[cpu].running = t;
    return t;
}

/* ---- poll hooks and the idle loops ------------------------------------ */

void anx_poll_register(struct anx_poll_hook *h)
{
    unsigned long f = plat_irq_save();
    h->next = hooks;
    hooks = h;
    if (h->interval_ns && (!poll_interval || h->interval_ns < poll_interval))
        poll_interval = h->interval_ns;
    plat_irq_restore(f);
}

/* Poll hooks and timers may wake threads: call them without sched_lock. */
static void run_hooks(void)
{
    for (struct anx_poll_hook *h = hooks; h; h = h->next)
        h->fn(h->arg);
}

static bool kernel_work_ready(void)
{
    return __atomic_load_n(&run_head, __ATOMIC_RELAXED) != NULL;
}

static void idle_loop(void *unused)
{
    (void)unused;
    struct anx_cpu *cpu = anx_this_cpu();
    for (;;) {
        unsigned long f = plat_irq_save();
        run_hooks();
        uint64_t deadline = anx_timers_run();
        unsigned long l = sched_lock_take();
        if (run_head) {
            schedule();
            sched_lock_drop(l);
            plat_irq_restore(f);
            continue;
        }
        sched_lock_drop(l);
        if (anx_parallel_pending()) {
            /* help the compute CPUs, interrupts on, back at the first kernel work */
            plat_irq_enable();
            anx_parallel_help(kernel_work_ready);
            plat_irq_restore(f);
            continue;
        }
        if (poll_interval) {
            uint64_t p = anx_time_ns() + poll_interval;
            if (!deadline || p < deadline)
                deadline = p;
        }
        plat_timer_set_deadline(deadline);
        anx_cpu_wait_begin(cpu);
        if (!kernel_work_ready() && !anx_parallel_pending())
            plat_wait_for_interrupt();
        anx_cpu_wait_end(cpu);
        plat_irq_restore(f);
    }
}

/* How often a waiting compute CPU looks at the queues even without a
 * wake-up interrupt: a safety net, not the mechanism. */
#define COMPUTE_TICK_NS (100 * ANX_NS_PER_MS)

void anx_cpu_secondary_loop(void)
{
    struct anx_cpu *cpu = anx_this_cpu();
    plat_irq_enable();
    for (;;) {
        unsigned long f = sched_lock_take();
        if (det_head) {
            schedule();
            sched_lock_drop(f);
            continue;
        }
        sched_lock_drop(f);
        if (anx_parallel_help(NULL))
            continue;
        f = plat_irq_save();
        anx_cpu_wait_begin(cpu);
        if (!__atomic_load_n(&det_head, __ATOMIC_SEQ_CST) && !anx_parallel_pending()) {
            plat_timer_set_deadline(plat_time_ns() + COMPUTE_TICK_NS);
            plat_wait_for_interrupt();
        }
        anx_cpu_wait_end(cpu);
        plat_irq_restore(f);
    }
}

void anx_threads_init(void)
{
    main_thread.state = ANX_THREAD_RUNNING;
    main_thread.id = next_id++;
    strlcpy(main_thread.name, "main", sizeof main_thread.name);
    all_head = all_tail = &main_thread;
    anx_cpus[0].running = &main_thread;
    anx_cpus[0].idle_thread = thread_new("idle", idle_loop, NULL, 8192);
    if (!anx_cpus[0].idle_thread)
        anx_panic("threads: no memory for the idle thread");
}

/* ---- detaching ------------------------------------------------------- */

bool anx_detach(void)
{
    if (anx_cpu_count() < 2 || !anx_on_kernel_cpu() || current == idle)
        return false;
    unsigned long f = sched_lock_take();
    struct anx_thread *t = current;
    t->detached = true;
    t->state = ANX_THREAD_READY;
    queue_push(&det_head, &det_tail, t);
    anx_cpu_kick_idle(1);
    schedule();                     /* returns on a compute CPU */
    sched_lock_drop(f);
    return true;
}

void anx_attach(void)
{
    if (anx_on_kernel_cpu())
        return;
    unsigned long f = sched_lock_take();
    struct anx_thread *t = current;
    t->detached = false;
    t->state = ANX_THREAD_READY;
    runq_push(t);
    anx_cpu_kick(0);
    schedule();                     /* returns on the kernel CPU */
    sched_lock_drop(f);
}

/* ---- the thread API --------------------------------------------------- */

struct anx_thread *anx_thread_current(void)
{
    return current;
}

void anx_term_bind(struct anx_term *t)
{
    if (current)
        current->term = t;
}

struct anx_term *anx_term_current(void)
{
    return current ? current->term : NULL;
}

const char *anx_thread_name(const struct anx_thread *t)
{
    return t->name;
}

void anx_yield(void)
{
    if (!current)                   /* a host program that never started threads */
        return;
    if (!anx_on_kernel_cpu()) {     /* a detached thread: let others on this CPU run */
        unsigned long f = sched_lock_take();
        schedule();
        sched_lock_drop(f);
        return;
    }
    unsigned long f = plat_irq_save();
    run_hooks();
    anx_timers_run();
    unsigned long l = sched_lock_take();
    schedule();
    sched_lock_drop(l);
    plat_irq_restore(f);
}

void anx_thread_exit(void)
{
    ANX_KERNEL_CPU_ONLY("a thread exiting detached");
    sched_lock_take();
    current->state = ANX_THREAD_DEAD;
    current->next = zombies;
    zombies = current;
    schedule();
    anx_panic("dead thread '%s' was scheduled", current->name);
}

int anx_thread_kill(struct anx_thread *t)
{
    ANX_KERNEL_CPU_ONLY("anx_thread_kill");
    unsigned long f = sched_lock_take();
    int r = 0;
    /* a detached thread is running or queued on a compute CPU: it cannot
     * be taken off it from here */
    if (t == current || t == idle || t == &main_thread || t->state == ANX_THREAD_DEAD ||
        t->detached || t->state == ANX_THREAD_RUNNING) {
        r = -1;
    } else {
        if (t->state == ANX_THREAD_BLOCKED && t->waiting_on)
            waitq_remove(t->waiting_on, t);
        else if (t->state == ANX_THREAD_READY)
            runq_remove(t);
        anx_timer_cancel(&t->timer);
        t->state = ANX_THREAD_DEAD;
        t->next = zombies;
        zombies = t;
    }
    sched_lock_drop(f);
    return r;
}

void anx_thread_set_service(struct anx_thread *t, struct anx_service *s)
{
    t->service = s;
}

struct anx_service *anx_thread_service(const struct anx_thread *t)
{
    return t ? t->service : NULL;
}

void anx_thread_wake(struct anx_thread *t)
{
    unsigned long f = sched_lock_take();
    if (t->state == ANX_THREAD_BLOCKED) {
        if (t->waiting_on)
            waitq_remove(t->waiting_on, t);
        make_ready(t);
    }
    sched_lock_drop(f);
}

void anx_waitq_init(struct anx_waitq *wq)
{
    wq->head = wq->tail = NULL;
}

static void check_may_wait(void)
{
    ANX_KERNEL_CPU_ONLY("waiting");
    if (current == idle)
        anx_panic("the idle thread may not wait");
}

void anx_wait(struct anx_waitq *wq)
{
    check_may_wait();
    unsigned long f = sched_lock_take();
    current->state = ANX_THREAD_BLOCKED;
    waitq_push(wq, current);
    schedule();
    sched_lock_drop(f);
}

/* From a timer (anx_timers_run or the timer interrupt, without sched_lock). */
static void timeout_fn(struct anx_timer *tm, void *arg)
{
    struct anx_thread *t = arg;
    (void)tm;
    unsigned long f = sched_lock_take();
    if (t->state == ANX_THREAD_BLOCKED) {
        if (t->waiting_on)
            waitq_remove(t->waiting_on, t);
        t->timed_out = true;
        make_ready(t);
    }
    sched_lock_drop(f);
}

int anx_wait_timeout(struct anx_waitq *wq, uint64_t timeout_ns)
{
    check_may_wait();
    unsigned long f = plat_irq_save();      /* the timer cannot fire before we block */
    current->timed_out = false;
    anx_timer_start(&current->timer, anx_time_ns() + timeout_ns, timeout_fn, current);
    unsigned long l = sched_lock_take();
    current->state = ANX_THREAD_BLOCKED;
    waitq_push(wq, current);
    schedule();
    sched_lock_drop(l);
    anx_timer_cancel(&current->timer);
    int r = current->timed_out ? -1 : 0;
    plat_irq_restore(f);
    return r;
}

bool anx_waitq_wake_one(struct anx_waitq *wq)
{
    unsigned long f = sched_lock_take();
    struct anx_thread *t = waitq_pop(wq);
    if (t)
        make_ready(t);
    sched_lock_drop(f);
    return t != NULL;
}

int anx_waitq_wake_all(struct anx_waitq *wq)
{
    int n = 0;
    unsigned long f = sched_lock_take();
    struct anx_thread *t;
    while ((t = waitq_pop(wq))) {
        make_ready(t);
        n++;
    }
    sched_lock_drop(f);
    return n;
}

void anx_sleep_ns(uint64_t ns)
{
    check_may_wait();
    uint64_t deadline = anx_time_ns() + ns;
    unsigned long f = plat_irq_save();
    while (anx_time_ns() < deadline) {
        anx_timer_start(&current->timer, deadline, timeout_fn, current);
        unsigned long l = sched_lock_take();
        current->state = ANX_THREAD_BLOCKED;
        current->waiting_on = NULL;
        schedule();
        sched_lock_drop(l);
        anx_timer_cancel(&current->timer);
    }
    plat_irq_restore(f);
}

void anx_sleep_ms(uint64_t ms)
{
    anx_sleep_ns(ms * ANX_NS_PER_MS);
}

/* ---- introspection ---------------------------------------------------- */

const char *anx_thread_state_name(enum anx_thread_state s)
{
    switch (s) {
    case ANX_THREAD_READY: return "ready";
    case ANX_THREAD_RUNNING: return "running";
    case ANX_THREAD_BLOCKED: return "blocked";
    case ANX_THREAD_DEAD: return "dead";
    }
    return "?";
}

static size_t stack_used(const struct anx_thread *t)
{
    const unsigned char *p = t->stack;
    size_t i = sizeof(uint64_t);
    if (!p)
        return 0;
    while (i < t->stack_size && p[i] == STACK_FILL)
        i++;
    return t->stack_size - i;
}

void anx_threads_foreach(int (*fn)(const struct anx_thread_info *, void *), void *ctx)
{
    /* Cooperative: the list only changes when a thread is created or
     * reaped, which cannot happen during the walk unless fn blocks. */
    for (struct anx_thread *t = all_head; t; t = t->all_next) {
        struct anx_thread_info info = {
            .id = t->id, .name = t->name, .state = t->state,
            .stack_size = t->stack_size, .stack_used = stack_used(t),
            .switches = t->switches, .cpu = t->cpu, .detached = t->detached,
        };
        if (fn(&info, ctx))
            break;
    }
}
