/*
 * anx_parallel_for: a loop published in a small job table; the caller and
 * every idle CPU take chunks from its shared counter. The table lock only
 * guards joining and unpublishing, so the caller can wait for the CPUs
 * still inside its loop before its job (on its stack) goes away.
 */
#include <anx/cpu.h>
#include <anx/parallel.h>
#include <anx/spinlock.h>

#define CHUNKS_PER_CPU 4    /* slack for CPUs that join late or run slower */

struct job {
    anx_parallel_fn fn;
    void *ctx;
    size_t n, chunk;
    size_t next;            /* atomic: first item not yet handed out */
    unsigned helpers;       /* atomic: other CPUs inside run_chunks */
};

/* One loop per CPU at most: nested calls run inline. */
static struct job *jobs[ANX_CPUS_MAX];
static struct anx_spinlock jobs_lock = ANX_SPINLOCK_INIT("parallel jobs", ANX_LOCK_RANK_JOBS);
static unsigned published;  /* atomic: jobs in the table, a hint for idle loops */

static unsigned width = 1; /* CPUs that take chunks (smp.c; host builds: host/workers.c) */

unsigned anx_parallel_width(void)
{
    return __atomic_load_n(&width, __ATOMIC_ACQUIRE);
}

void anx_parallel_set_width(unsigned n)
{
    __atomic_store_n(&width, n < 1 ? 1 : n > ANX_CPUS_MAX ? ANX_CPUS_MAX : n, __ATOMIC_RELEASE);
}

static void run_chunks(struct job *j, bool (*stop_early)(void))
{
    struct anx_cpu *c = anx_this_cpu();
    c->in_parallel = 1;
    for (;;) {
        size_t b = __atomic_fetch_add(&j->next, j->chunk, __ATOMIC_RELAXED);
        if (b >= j->n)
            break;
        size_t e = j->n - b < j->chunk ? j->n : b + j->chunk;
        j->fn(b, e, j->ctx);
        c->chunks++;
        if (stop_early && stop_early())
            break;
    }
    c->in_parallel = 0;
}

void anx_parallel_for(size_t n, size_t grain, anx_parallel_fn fn, void *ctx)
{
    unsigned width = anx_parallel_width();
    if (n == 0)
        return;
    if (grain == 0)
        grain = 1;
    if (width == 1 || n <= grain || anx_this_cpu()->in_parallel) {
        fn(0, n, ctx);
        return;
    }
    size_t chunk = (n + (size_t)width * CHUNKS_PER_CPU - 1) / ((size_t)width * CHUNKS_PER_CPU);
    if (chunk < grain)
        chunk = grain;
    struct job j = { .fn = fn, .ctx = ctx, .n = n, .chunk = chunk };
    unsigned me = plat_cpu_id();

    unsigned long f = anx_spin_lock(&jobs_lock);
    jobs[me] = &j;
    __atomic_add_fetch(&published, 1, __ATOMIC_SEQ_CST);
    anx_spin_unlock(&jobs_lock, f);
    anx_cpu_kick_idle(width - 1);

    run_chunks(&j, NULL);

    f = anx_spin_lock(&jobs_lock);
    jobs[me] = NULL;
    __atomic_sub_fetch(&published, 1, __ATOMIC_SEQ_CST);
    anx_spin_unlock(&jobs_lock, f);
    while (__atomic_load_n(&j.helpers, __ATOMIC_ACQUIRE))
        anx_cpu_relax();
}

bool anx_parallel_pending(void)
{
    if (!__atomic_load_n(&published, __ATOMIC_SEQ_CST))
        return false;
    for (unsigned i = 0; i < ANX_CPUS_MAX; i++) {
        struct job *j = __atomic_load_n(&jobs[i], __ATOMIC_ACQUIRE);
        /* a racy peek: the job may be unpublished meanwhile; help() rechecks */
        if (j && __atomic_load_n(&j->next, __ATOMIC_RELAXED) < j->n)
            return true;
    }
    return false;
}

bool anx_parallel_help(bool (*stop_early)(void))
{
    static unsigned rr;     /* start the search at a different slot each time */
    struct job *j = NULL;
    unsigned long f = anx_spin_lock(&jobs_lock);
    for (unsigned k = 0; k < ANX_CPUS_MAX && !j; k++) {
        struct job *c = jobs[(rr + k) % ANX_CPUS_MAX];
        if (c && __atomic_load_n(&c->next, __ATOMIC_RELAXED) < c->n)
            j = c;
    }
    rr++;
    if (j)
        __atomic_add_fetch(&j->helpers, 1, __ATOMIC_ACQUIRE);
    anx_spin_unlock(&jobs_lock, f);
    if (!j)
        return false;
    run_chunks(j, stop_early);
    __atomic_sub_fetch(&j->helpers, 1, __ATOMIC_RELEASE);
    return true;
}
