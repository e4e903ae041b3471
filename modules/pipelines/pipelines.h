/*
 * pipelines.h - task graphs: the manifest's `pipelines:`, each a DAG of
 * steps that call the image's own routes or engines, run by the router.
 *
 * anx turns the manifest's section into a table (config.h:
 * CONFIG_PIPELINES, an initializer of struct pl_def[]) after checking it:
 * names, references, cycles, routes and engines, durations. At run time
 * POST /api/v1/pipelines/NAME runs one (run.c):
 *
 *     pipelines:
 *       summarize:
 *         steps:
 *           - {name: ingest, call: "PUT /api/v1/objects/docs/latest", input: "{{input|raw}}"}
 *           - name: summary
 *             call: "POST /v1/completions"
 *             input: '{"prompt": {{input}}, "max_tokens": 32, "temperature": 0}'
 *             after: [ingest]
 *             timeout: 60s
 *             retries: 1
 *
 * Three pure parts, compiled into the image, its host tests and anx (so
 * `anx check` refuses exactly what the image could not run):
 *   dag.c        the scheduler: dependency masks, cycles named, the
 *                ready steps in order, a failure skipping its dependents;
 *   template.c   the {{ ... }} placeholders of a step's input (below);
 *   json_path.c  a field of a step's JSON answer (defensive: the answer
 *                is whatever the engine said).
 *
 * Templates. A step's input, and the pipeline's output, are text with
 * placeholders `{{ REF }}` or `{{ REF | raw }}`; REF is `input` (the body
 * the pipeline was called with) or the name of an earlier step (its
 * answer's body), optionally followed by a path into that body as JSON
 * (`summary.choices.0.text`: object keys and array indices). Each form
 * gives valid JSON where a JSON value belongs:
 *     {{input}}              the whole body as a JSON string ("..." escaped)
 *     {{step.a.0.b}}         the JSON value at that path, as it is written
 *     {{input|raw}}          the body's bytes unchanged (a document PUT as is)
 *     {{step.a.b|raw}}       a string value's text unescaped, else the value
 * `{{` always opens a placeholder (JSON text holds it only inside strings).
 */
#ifndef PIPELINES_H
#define PIPELINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/buf.h>

#define PL_MAX_STEPS 32 /* a step's dependencies are a 32-bit mask */

/* ---- the table anx generates (config.h CONFIG_PIPELINES) ------------------ */

struct pl_step_def {
    const char *name;
    const char *method;       /* of the request the step makes: "POST" */
    const char *path;         /* "/v1/completions" */
    const char *engine;       /* NULL: dispatched as a route; else that engine directly */
    const char *input;        /* the body's template */
    const char *content_type; /* of the body */
    uint32_t after;           /* bit j: this step runs after step j */
    uint64_t timeout_ns;      /* per attempt */
    unsigned retries;         /* further attempts after a 5xx, an engine error or a timeout */
};

struct pl_def {
    const char *name;
    const char *result; /* the object the output is stored as */
    const char *output; /* the output's template */
    const struct pl_step_def *steps;
    unsigned nsteps;
};

/* ---- dag.c: the scheduler --------------------------------------------------- */

enum pl_state { PL_WAITING, PL_RUNNING, PL_OK, PL_FAILED, PL_SKIPPED };
const char *pl_state_name(enum pl_state s);

/* 0 when after[0..n) (bit j of after[i]: i runs after j) has no cycle,
 * else -1 with the cycle written to cycle as "a -> b -> a" (each step runs
 * after the next one). n <= PL_MAX_STEPS. */
int pl_dag_check(unsigned n, const uint32_t *after, const char *const *names, char *cycle,
                 size_t cyclen);
/* The parallel groups: level[i] = 0 for a step without dependencies, else
 * one more than its deepest dependency. Steps of one level never depend on
 * each other. The DAG must have passed pl_dag_check. Returns the number of
 * levels. */
unsigned pl_dag_levels(unsigned n, const uint32_t *after, unsigned *level);

struct pl_dag {
    unsigned n;
    uint32_t after[PL_MAX_STEPS];
    enum pl_state state[PL_MAX_STEPS];
};
void pl_dag_init(struct pl_dag *d, unsigned n, const uint32_t *after);
/* The first waiting step whose dependencies all succeeded, now marked
 * running; -1 when none is ready. */
int pl_dag_next(struct pl_dag *d);
/* A running step ended. A failure marks every step that depends on it,
 * directly or not, skipped; returns how many it skipped. */
unsigned pl_dag_finish(struct pl_dag *d, unsigned i, bool ok);
/* Nothing waits or runs any more. */
bool pl_dag_done(const struct pl_dag *d);
unsigned pl_dag_count(const struct pl_dag *d, enum pl_state s);

/* ---- template.c ---------------------------------------------------------------- */

struct pl_ref {
    const char *name; /* "input" or a step's name */
    size_t name_len;
    const char *path; /* "choices.0.text" (after the first '.'), path_len 0: none */
    size_t path_len;
    bool raw;
    size_t start, end; /* the placeholder's bytes t[start..end) */
};
/* The next placeholder of t[0..n) at or after *pos: 1 with *r filled and
 * *pos past it, 0 when there is none, -1 when the one at *pos (set to its
 * start) is malformed, with what is wrong in err. */
int pl_template_next(const char *t, size_t n, size_t *pos, struct pl_ref *r, char *err,
                     size_t errlen);

struct pl_value {
    const char *name; /* "input" or a step's name */
    const char *data;
    size_t len;
};
/* Appends t with each placeholder replaced (rules above) to out. 0, or
 * ANX_EINVAL (a malformed template, a name not among vals, a path into a
 * body that is not JSON) or ANX_ENOENT (no such field) with err saying
 * which; ANX_ENOMEM when out ran out. */
int pl_template_expand(const char *t, size_t n, const struct pl_value *vals, size_t nvals,
                       struct anx_buf *out, char *err, size_t errlen);

/* ---- json_path.c ---------------------------------------------------------------- */

/* The value at path ("a.0.b": keys and array indices, "" = the whole
 * document) of the JSON text j[0..n): 0 with *v, *vlen its bytes; ANX_ENOENT
 * when a key or index is missing; ANX_EINVAL when j is not well-formed JSON
 * on the way (or nests deeper than 64). Keys compare with their text as
 * written (a key spelled with escapes is not found). */
int pl_json_find(const char *j, size_t n, const char *path, size_t plen, const char **v,
                 size_t *vlen);
/* Appends the text of the JSON string token s[0..n) (quotes included),
 * escapes decoded, to out. 0, or ANX_EINVAL when s is not a valid string. */
int pl_json_unescape(const char *s, size_t n, struct anx_buf *out);

#endif
