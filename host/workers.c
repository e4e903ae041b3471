/*
 * anx_parallel_for's helpers in a host program: worker threads (pthreads)
 * that take chunks as the compute CPUs of an image do. A host program
 * (anx-model --threads N) calls anx_parallel_set_workers(N); until then
 * loops run in the caller. plat_cpu_id() is the worker's index, 0 for the
 * program's own thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <anx/cpu.h>
#include <anx/parallel.h>
#include <anx/platform.h>
#include <anx/spinlock.h>

static __thread unsigned worker_id;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static unsigned kicks;
static unsigned started = 1;

unsigned plat_cpu_id(void) { return worker_id; }

/* A kick wakes every waiting worker: they recheck for chunks. */
void plat_ipi_send(unsigned cpu)
{
    (void)cpu;
    pthread_mutex_lock(&mu);
    kicks++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* How long an idle worker keeps looking for the next loop before it
 * sleeps: a forward pass publishes a loop every ~100 us, and waking a
 * sleeping thread takes about as long. */
#define SPIN_NS 200000

static void *worker(void *arg)
{
    worker_id = (unsigned)(uintptr_t)arg;
    struct anx_cpu *c = anx_this_cpu();
    for (;;) {
        if (anx_parallel_help(NULL))
            continue;
        uint64_t until = plat_time_ns() + SPIN_NS;
        while (!anx_parallel_pending() && plat_time_ns() < until)
            anx_cpu_relax();
        if (anx_parallel_pending())
            continue;
        pthread_mutex_lock(&mu);
        unsigned seen = kicks;
        anx_cpu_wait_begin(c);
        if (!anx_parallel_pending())
            while (kicks == seen)
                pthread_cond_wait(&cv, &mu);
        anx_cpu_wait_end(c);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

void anx_parallel_set_workers(unsigned n)
{
    if (n > ANX_CPUS_MAX)
        n = ANX_CPUS_MAX;
    for (; started < n; started++) {
        pthread_t t;
        if (pthread_create(&t, NULL, worker, (void *)(uintptr_t)started) != 0) {
            fprintf(stderr, "anx_parallel_set_workers: cannot start worker %u\n", started);
            break;
        }
        pthread_detach(t);
        anx_cpus[started].online = 1;
    }
    anx_parallel_set_width(started);
}
