/*
 * Cooperative threads, the run queue, wait queues, sleeping and the idle
 * loop. Everything that touches the queues runs with interrupts off
 * (plat_irq_save), since interrupt handlers wake threads.
 */
#define LOG_TAG "thread"
#include <anx/console.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/platform.h>
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
};

static struct anx_thread main_thread;
static struct anx_thread *current, *idle;
static struct anx_thread *run_head, *run_tail;
static struct anx_thread *all_head, *all_tail;
static struct anx_thread *zombies;
static struct anx_poll_hook *hooks;
static uint64_t poll_interval;      /* smallest hook interval, 0 = none */
static unsigned next_id;

/* ---- queues (interrupts off) ----------------------------------------- */

static void runq_push(struct anx_thread *t)
{
    t->next = NULL;
    if (run_tail)
        run_tail->next = t;
    else
        run_head = t;
    run_tail = t;
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
    struct anx_thread *t = run_head;
    if (t) {
        run_head = t->next;
        if (!run_head)
            run_tail = NULL;
        t->next = NULL;
    }
    return t;
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

static void check_stack(struct anx_thread *t)
{
    uint64_t c;
    if (!t->stack)
        return;
    memcpy(&c, t->stack, sizeof c);
    if (c != STACK_CANARY)
        anx_panic("stack overflow in thread '%s' (stack %zu bytes)", t->name, t->stack_size);
}

static void reap(void)
{
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

/* Switch to the next runnable thread (interrupts off). A running caller
 * goes to the back of the run queue; a blocked or dead one does not. */
static void schedule(void)
{
    struct anx_thread *prev = current, *next = runq_pop();
    if (!next) {
        if (prev->state == ANX_THREAD_RUNNING)
            return;
        next = idle;
    }
    if (next == prev) {
        prev->state = ANX_THREAD_RUNNING;
        return;
    }
    if (prev->state == ANX_THREAD_RUNNING) {
        prev->state = ANX_THREAD_READY;
        if (prev != idle)
            runq_push(prev);
    }
    check_stack(prev);
    next->state = ANX_THREAD_RUNNING;
    next->switches++;
    current = next;
    plat_context_switch(&prev->ctx, &next->ctx);
    reap();
}

static void thread_start(void *arg)
{
    struct anx_thread *t = arg;
    reap();
    plat_irq_enable();
    t->fn(t->arg);
    anx_thread_exit();
}

static struct anx_thread *thread_new(const char *name, void (*fn)(void *), void *arg,
                                     size_t stack_size)
{
    if (!stack_size)
        stack_size = ANX_THREAD_STACK_DEFAULT;
    stack_size = ANX_ALIGN_UP(stack_size, (size_t)ANX_PAGE_SIZE);
    struct anx_thread *t = anx_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->stack = anx_page_alloc(stack_size / ANX_PAGE_SIZE);
    if (!t->stack) {
        anx_free(t);
        return NULL;
    }
    uint64_t c = STACK_CANARY;
    memset(t->stack, STACK_FILL, stack_size);
    memcpy(t->stack, &c, sizeof c);
    t->stack_size = stack_size;
    t->fn = fn;
    t->arg = arg;
    strlcpy(t->name, name, sizeof t->name);
    plat_context_init(&t->ctx, (char *)t->stack + stack_size, thread_start, t);

    unsigned long f = plat_irq_save();
    t->id = next_id++;
    if (all_tail)
        all_tail->all_next = t;
    else
        all_head = t;
    all_tail = t;
    plat_irq_restore(f);
    return t;
}

struct anx_thread *anx_thread_create(const char *name, void (*fn)(void *), void *arg,
                                     size_t stack_size)
{
    struct anx_thread *t = thread_new(name, fn, arg, stack_size);
    if (t) {
        unsigned long f = plat_irq_save();
        make_ready(t);
        plat_irq_restore(f);
    }
    return t;
}

/* ---- poll hooks and the idle loop ------------------------------------ */

void anx_poll_register(struct anx_poll_hook *h)
{
    unsigned long f = plat_irq_save();
    h->next = hooks;
    hooks = h;
    if (h->interval_ns && (!poll_interval || h->interval_ns < poll_interval))
        poll_interval = h->interval_ns;
    plat_irq_restore(f);
}

static void run_hooks(void)
{
    for (struct anx_poll_hook *h = hooks; h; h = h->next)
        h->fn(h->arg);
}

static void idle_loop(void *unused)
{
    (void)unused;
    for (;;) {
        unsigned long f = plat_irq_save();
        run_hooks();
        uint64_t deadline = anx_timers_run();
        if (run_head) {
            schedule();
        } else {
            if (poll_interval) {
                uint64_t p = anx_time_ns() + poll_interval;
                if (!deadline || p < deadline)
                    deadline = p;
            }
            plat_timer_set_deadline(deadline);
            plat_wait_for_interrupt();
        }
        plat_irq_restore(f);
    }
}

void anx_threads_init(void)
{
    main_thread.state = ANX_THREAD_RUNNING;
    main_thread.id = next_id++;
    strlcpy(main_thread.name, "main", sizeof main_thread.name);
    all_head = all_tail = &main_thread;
    current = &main_thread;
    idle = thread_new("idle", idle_loop, NULL, 8192);
    if (!idle)
        anx_panic("threads: no memory for the idle thread");
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
    unsigned long f = plat_irq_save();
    run_hooks();
    anx_timers_run();
    schedule();
    plat_irq_restore(f);
}

void anx_thread_exit(void)
{
    plat_irq_save();
    current->state = ANX_THREAD_DEAD;
    current->next = zombies;
    zombies = current;
    schedule();
    anx_panic("dead thread '%s' was scheduled", current->name);
}

int anx_thread_kill(struct anx_thread *t)
{
    unsigned long f = plat_irq_save();
    int r = 0;
    if (t == current || t == idle || t == &main_thread || t->state == ANX_THREAD_DEAD) {
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
    plat_irq_restore(f);
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
    unsigned long f = plat_irq_save();
    if (t->state == ANX_THREAD_BLOCKED) {
        if (t->waiting_on)
            waitq_remove(t->waiting_on, t);
        make_ready(t);
    }
    plat_irq_restore(f);
}

void anx_waitq_init(struct anx_waitq *wq)
{
    wq->head = wq->tail = NULL;
}

void anx_wait(struct anx_waitq *wq)
{
    unsigned long f = plat_irq_save();
    if (current == idle)
        anx_panic("the idle thread may not wait");
    current->state = ANX_THREAD_BLOCKED;
    waitq_push(wq, current);
    schedule();
    plat_irq_restore(f);
}

static void timeout_fn(struct anx_timer *tm, void *arg)
{
    struct anx_thread *t = arg;
    (void)tm;
    if (t->state == ANX_THREAD_BLOCKED) {
        if (t->waiting_on)
            waitq_remove(t->waiting_on, t);
        t->timed_out = true;
        make_ready(t);
    }
}

int anx_wait_timeout(struct anx_waitq *wq, uint64_t timeout_ns)
{
    unsigned long f = plat_irq_save();
    if (current == idle)
        anx_panic("the idle thread may not wait");
    current->timed_out = false;
    anx_timer_start(&current->timer, anx_time_ns() + timeout_ns, timeout_fn, current);
    current->state = ANX_THREAD_BLOCKED;
    waitq_push(wq, current);
    schedule();
    anx_timer_cancel(&current->timer);
    int r = current->timed_out ? -1 : 0;
    plat_irq_restore(f);
    return r;
}

bool anx_waitq_wake_one(struct anx_waitq *wq)
{
    unsigned long f = plat_irq_save();
    struct anx_thread *t = waitq_pop(wq);
    if (t)
        make_ready(t);
    plat_irq_restore(f);
    return t != NULL;
}

int anx_waitq_wake_all(struct anx_waitq *wq)
{
    int n = 0;
    unsigned long f = plat_irq_save();
    struct anx_thread *t;
    while ((t = waitq_pop(wq))) {
        make_ready(t);
        n++;
    }
    plat_irq_restore(f);
    return n;
}

void anx_sleep_ns(uint64_t ns)
{
    uint64_t deadline = anx_time_ns() + ns;
    unsigned long f = plat_irq_save();
    while (anx_time_ns() < deadline) {
        anx_timer_start(&current->timer, deadline, timeout_fn, current);
        current->state = ANX_THREAD_BLOCKED;
        current->waiting_on = NULL;
        schedule();
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
            .switches = t->switches,
        };
        if (fn(&info, ctx))
            break;
    }
}
