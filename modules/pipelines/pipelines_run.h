/*
 * pipelines_run.h - one run of a pipeline (run.c), as the module's engine
 * and shell command use it:
 *
 *     struct pl_run run;
 *     pl_run_init(&run, def, body, len, rq, ++runs, depth);   (rq: the caller, or NULL)
 *     pl_run_steps(&run);                               (blocks until every step ended)
 *     int e = all steps ok ? pl_store_result(&run) : 0;
 *     pl_run_json(&run, e, &answer);
 *     pl_run_free(&run);
 */
#ifndef PIPELINES_RUN_H
#define PIPELINES_RUN_H

#include <anx/thread.h>

#include "objstore.h"
#include "pipelines.h"
#include "router.h"

struct step_run;

/* The header that carries how deep in pipelines a request is: a step
 * that calls POST /api/v1/pipelines/... (the same pipeline, or one that
 * calls back) could recurse until memory runs out. */
#define PL_DEPTH_HEADER "X-Anx-Pipeline-Depth"
#define PL_MAX_DEPTH 4

struct pl_run {
    const struct pl_def *def;
    const char *input;
    size_t input_len;
    const struct rt_request *caller; /* its credentials go with each step's request */
    unsigned no;                     /* the run's number since boot, from 1 */
    unsigned depth;                  /* 0, or how many pipelines run this one */
    struct pl_dag dag;
    struct step_run *steps;
    struct anx_waitq wq; /* the runner waits here for its steps' threads */
    unsigned skipped;
    uint64_t time_ns;
    char error[200];                /* why the output was not stored */
    struct objstore_version stored; /* the result's version, once stored */
};

int pl_run_init(struct pl_run *run, const struct pl_def *def, const void *input, size_t len,
                const struct rt_request *caller, unsigned no, unsigned depth);
void pl_run_steps(struct pl_run *run);
/* Expands the output template and writes the result object with the run's
 * provenance. 0, or the error (also in run->error). */
int pl_store_result(struct pl_run *run);
/* The answer: {"pipeline", "run", "status", "time_ms", "steps": [{"name",
 * "status", "http_status", "attempts", "time_ms", "error"?}], "object"}. */
void pl_run_json(const struct pl_run *run, int store_err, struct anx_buf *b);
void pl_run_free(struct pl_run *run);

#endif
