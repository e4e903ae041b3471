/*
 * dag.c - the scheduler of a pipeline's steps (pipelines.h). Pure: no
 * heap, no I/O, so the image, its host tests and anx (`anx check` names
 * cycles with it) run the same code. Dependencies are bit masks: a
 * pipeline has at most PL_MAX_STEPS steps, and a mask makes "are all of
 * its dependencies done" one AND.
 */
#include <anx/lib.h>
#include <anx/printf.h>

#include "pipelines.h"

static const char *const state_names[] = { "waiting", "running", "ok", "failed", "skipped" };

const char *pl_state_name(enum pl_state s)
{
    return (unsigned)s < 5 ? state_names[s] : "?";
}

/* Depth-first search over "runs after" edges; color 0 unseen, 1 on the
 * current path, 2 finished. On finding a step already on the path, the
 * path from it to here is the cycle. */
static int visit(unsigned i, unsigned n, const uint32_t *after, uint8_t *color, unsigned *path,
                 unsigned depth, unsigned *cyc_from, unsigned *cyc_len)
{
    color[i] = 1;
    path[depth] = i;
    for (unsigned j = 0; j < n; j++) {
        if (!(after[i] & (1u << j)))
            continue;
        if (color[j] == 1) {
            unsigned k = 0;
            while (path[k] != j)
                k++;
            *cyc_from = k;
            *cyc_len = depth + 1 - k;
            return -1;
        }
        if (color[j] == 0 && visit(j, n, after, color, path, depth + 1, cyc_from, cyc_len))
            return -1;
    }
    color[i] = 2;
    return 0;
}

int pl_dag_check(unsigned n, const uint32_t *after, const char *const *names, char *cycle,
                 size_t cyclen)
{
    uint8_t color[PL_MAX_STEPS] = { 0 };
    unsigned path[PL_MAX_STEPS];
    if (cyclen)
        cycle[0] = 0;
    if (n > PL_MAX_STEPS)
        return -1;
    for (unsigned i = 0; i < n; i++) {
        unsigned from = 0, len = 0;
        if (color[i] || !visit(i, n, after, color, path, 0, &from, &len))
            continue;
        size_t used = 0;
        for (unsigned k = 0; k <= len && used < cyclen; k++) {
            unsigned s = path[from + (k % len)];
            used += snprintf(cycle + used, cyclen - used, "%s%s", k ? " -> " : "", names[s]);
        }
        return -1;
    }
    return 0;
}

unsigned pl_dag_levels(unsigned n, const uint32_t *after, unsigned *level)
{
    /* Acyclic, so n rounds settle every level (each round fixes at least
     * the steps whose dependencies all have their final level). */
    unsigned top = 0;
    for (unsigned i = 0; i < n; i++)
        level[i] = 0;
    for (unsigned round = 0; round < n; round++)
        for (unsigned i = 0; i < n; i++)
            for (unsigned j = 0; j < n; j++)
                if ((after[i] & (1u << j)) && level[i] < level[j] + 1)
                    level[i] = level[j] + 1;
    for (unsigned i = 0; i < n; i++)
        if (level[i] + 1 > top)
            top = level[i] + 1;
    return top;
}

void pl_dag_init(struct pl_dag *d, unsigned n, const uint32_t *after)
{
    memset(d, 0, sizeof *d);
    d->n = n > PL_MAX_STEPS ? PL_MAX_STEPS : n;
    for (unsigned i = 0; i < d->n; i++) {
        d->after[i] = after[i];
        d->state[i] = PL_WAITING;
    }
}

int pl_dag_next(struct pl_dag *d)
{
    uint32_t ok = 0;
    for (unsigned i = 0; i < d->n; i++)
        if (d->state[i] == PL_OK)
            ok |= 1u << i;
    for (unsigned i = 0; i < d->n; i++)
        if (d->state[i] == PL_WAITING && (d->after[i] & ~ok) == 0) {
            d->state[i] = PL_RUNNING;
            return (int)i;
        }
    return -1;
}

unsigned pl_dag_finish(struct pl_dag *d, unsigned i, bool ok)
{
    if (i >= d->n || d->state[i] != PL_RUNNING)
        return 0;
    d->state[i] = ok ? PL_OK : PL_FAILED;
    if (ok)
        return 0;
    /* Everything downstream of a failure, to a fixed point. */
    uint32_t dead = 1u << i;
    unsigned skipped = 0;
    for (bool more = true; more;) {
        more = false;
        for (unsigned k = 0; k < d->n; k++)
            if (d->state[k] == PL_WAITING && (d->after[k] & dead)) {
                d->state[k] = PL_SKIPPED;
                dead |= 1u << k;
                skipped++;
                more = true;
            }
    }
    return skipped;
}

unsigned pl_dag_count(const struct pl_dag *d, enum pl_state s)
{
    unsigned c = 0;
    for (unsigned i = 0; i < d->n; i++)
        c += d->state[i] == s;
    return c;
}

bool pl_dag_done(const struct pl_dag *d)
{
    return pl_dag_count(d, PL_WAITING) == 0 && pl_dag_count(d, PL_RUNNING) == 0;
}
