/*
 * Data parallelism over every CPU (core/parallel.c; host builds:
 * host/parallel.c over pthreads).
 *
 *     static void rows(size_t begin, size_t end, void *ctx) { ... }
 *     anx_parallel_for(n_rows, 16, rows, &args);
 *
 * splits [0, n) into chunks of at least `grain` items and calls fn on each,
 * on the calling CPU and on every CPU that is idle, and returns when all
 * chunks are done. fn must be pure computation on disjoint output (see the
 * rules for detached threads in <anx/smp.h>): it may run on any CPU, in any
 * order, several at once. Chunks are handed out one at a time from a shared
 * counter, so a CPU that is slower (or busy with kernel work) simply takes
 * fewer. Nested calls run the inner loop in the caller.
 */
#ifndef ANX_PARALLEL_H
#define ANX_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*anx_parallel_fn)(size_t begin, size_t end, void *ctx);

void anx_parallel_for(size_t n, size_t grain, anx_parallel_fn fn, void *ctx);

/* How many CPUs a parallel loop can use (the CPU count; host builds: the
 * worker count chosen with anx_parallel_set_workers). */
unsigned anx_parallel_width(void);

/* Host builds only: use n threads (1 = none). */
void anx_parallel_set_workers(unsigned n);

/* Core only: the idle loops help with published loops. help runs chunks
 * until none are left (or, when kernel_cpu, until kernel threads are
 * ready: stop_early returns true); returns whether it ran any. */
bool anx_parallel_pending(void);
bool anx_parallel_help(bool (*stop_early)(void));

#endif
