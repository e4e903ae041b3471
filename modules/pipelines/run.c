/*
 * run.c - one run of a pipeline: its steps in dependency order (dag.c),
 * each ready step on a thread of its own so that independent steps
 * overlap, each attempt with its deadline, failures retried with backoff,
 * and the output stored as an object with the run's provenance.
 *
 * Timeouts and cooperative threads. An attempt cannot be interrupted: the
 * image's threads run until they block or yield. The runner waits for
 * each attempt until its deadline only; an attempt still running then is
 * abandoned: counted as a timeout (504), retried if retries remain, and
 * left to finish on its thread, which then frees it and drops its answer.
 * A step that blocks (a forward to an upstream, a disk) is thus cut off
 * on time. One that computes without blocking keeps the CPU past its
 * deadline until it ends or yields; an answer that arrives after the
 * deadline counts as a timeout all the same (and is dropped), so the
 * outcome does not depend on when the runner got to look.
 *
 * Ownership: a running attempt belongs to its thread and the runner both;
 * whoever is last frees it. With no preemption the handover needs no lock:
 * the thread marks it done (the runner frees it) unless the runner has
 * marked it abandoned (the thread frees it).
 */
#define LOG_TAG "pipelines"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/sha256.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "objstore.h"
#include "pipelines_run.h"

#define STEP_STACK (64 * 1024)  /* an engine runs on it: an inference's forward pass */
#define BACKOFF_NS 100000000ULL /* 100 ms, doubled for each further attempt, at most 5 s */
#define BACKOFF_MAX_NS 5000000000ULL
#define MAX_FWD_HEADERS 3 /* Content-Type, the caller's credentials, the depth */

struct attempt {
    bool done, abandoned;
    struct anx_waitq *wq;
    const struct pl_step_def *def;
    struct rt_kv headers[MAX_FWD_HEADERS];
    size_t nheaders;
    char *hdr_copy[MAX_FWD_HEADERS];
    char depth[8];
    struct anx_buf body;
    /* the answer */
    int status;
    int err; /* < 0: the engine failed, or none could be found */
    struct anx_buf out;
    char version[12]; /* its X-Object-Version header: the object version a GET read */
    uint64_t ended;
};

struct step_run {
    struct attempt *att;
    unsigned attempts;
    uint64_t started, deadline, not_before, time_ns;
    int status;
    char error[160];
    struct anx_buf req;  /* the expanded input */
    struct anx_buf body; /* the successful answer */
    char version[12];    /* the object version it read, or "" */
};

static void attempt_free(struct attempt *a)
{
    for (size_t k = 0; k < a->nheaders; k++)
        anx_free(a->hdr_copy[k]);
    anx_buf_free(&a->body);
    anx_buf_free(&a->out);
    anx_free(a);
}

static void call_route(struct rt_request *rq, struct rt_response *rs)
{
    rt_dispatch(rq, rs);
}

static void call_engine(struct attempt *a, struct rt_request *rq, struct rt_response *rs)
{
    struct rt_engine *e = rt_engine_find(a->def->engine);
    if (!e) {
        a->err = ANX_ENOENT;
        rt_reply(rs, 503, NULL, "no such engine\n");
        return;
    }
    e->requests++;
    int r = e->handle(e, rq, rs);
    if (r < 0 || rs->status >= 500)
        e->errors++;
    if (r < 0)
        a->err = r;
}

/* The value of header name among the response's extra header lines
 * ("Name: value" CRLF each), digits only, or "". */
static void header_value(const struct anx_buf *h, const char *name, char *out, size_t outlen)
{
    size_t nl = strlen(name), n = 0;
    out[0] = 0;
    for (const char *p = h->p; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl + 1 && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < p + len && *v == ' ')
                v++;
            while (v < p + len && isdigit((unsigned char)*v) && n + 1 < outlen)
                out[n++] = *v++;
            out[n] = 0;
            return;
        }
        p = eol ? eol + 2 : p + len;
    }
}

static void attempt_thread(void *arg)
{
    struct attempt *a = arg;
    const struct pl_step_def *d = a->def;
    struct rt_request rq = {
        .method = d->method,
        .path = d->path,
        .path_len = strlen(d->path),
        .headers = a->headers,
        .nheaders = a->nheaders,
        .body = a->body.p ? a->body.p : "",
        .body_len = a->body.len,
        .peer = "pipeline",
    };
    struct rt_response rs = { 0 };
    if (d->engine)
        call_engine(a, &rq, &rs);
    else
        call_route(&rq, &rs);
    a->status = rs.status ? rs.status : 200;
    if (a->err && a->status < 500)
        a->status = 502; /* as the router answers an engine's failure */
    if (rs.body)
        anx_buf_add(&a->out, rs.body, rs.body_len);
    else if (rs.out.p)
        anx_buf_add(&a->out, rs.out.p, rs.out.len);
    if (a->out.oom || rs.out.oom)
        a->err = ANX_ENOMEM;
    header_value(&rs.headers, "X-Object-Version", a->version, sizeof a->version);
    anx_buf_free(&rs.out);
    anx_buf_free(&rs.headers);
    if (a->abandoned) {
        attempt_free(a); /* the runner gave up on it: nobody else holds it */
        return;
    }
    a->ended = anx_time_ns();
    a->done = true;
    anx_waitq_wake_all(a->wq);
}

/* Copies a header of the caller into the step's request, so that a step
 * runs with the caller's rights (the router's guard sees the same key). */
static void forward_header(struct attempt *a, const struct rt_request *caller, const char *name)
{
    size_t len;
    const char *v = caller ? rt_header(caller, name, &len) : NULL;
    if (!v || a->nheaders >= MAX_FWD_HEADERS)
        return;
    char *c = anx_malloc(len + 1);
    if (!c)
        return;
    memcpy(c, v, len);
    c[len] = 0;
    a->hdr_copy[a->nheaders] = c;
    a->headers[a->nheaders++] = (struct rt_kv){ name, strlen(name), c, len };
}

static int attempt_start(struct pl_run *run, unsigned i)
{
    const struct pl_step_def *d = &run->def->steps[i];
    struct step_run *s = &run->steps[i];
    struct attempt *a = anx_calloc(1, sizeof *a);
    if (!a)
        return ANX_ENOMEM;
    a->wq = &run->wq;
    a->def = d;
    a->headers[a->nheaders++] =
        (struct rt_kv){ "Content-Type", 12, d->content_type, strlen(d->content_type) };
    forward_header(a, run->caller, "Authorization");
    /* a step that runs a pipeline (itself, or one that calls back) is one
     * level deeper: pipelines_module.c refuses beyond PL_MAX_DEPTH */
    snprintf(a->depth, sizeof a->depth, "%u", run->depth + 1);
    a->headers[a->nheaders++] =
        (struct rt_kv){ PL_DEPTH_HEADER, strlen(PL_DEPTH_HEADER), a->depth, strlen(a->depth) };
    anx_buf_add(&a->body, s->req.p ? s->req.p : "", s->req.len);
    if (a->body.oom || !anx_thread_create("pipeline-step", attempt_thread, a, STEP_STACK)) {
        attempt_free(a);
        return ANX_ENOMEM;
    }
    s->att = a;
    s->attempts++;
    s->started = anx_time_ns();
    s->deadline = s->started + d->timeout_ns;
    return 0;
}

/* The values templates may name: the input and every step that succeeded. */
static size_t values(struct pl_run *run, struct pl_value *v)
{
    size_t n = 0;
    v[n++] = (struct pl_value){ "input", run->input, run->input_len };
    for (unsigned k = 0; k < run->def->nsteps; k++)
        if (run->dag.state[k] == PL_OK)
            v[n++] = (struct pl_value){ run->def->steps[k].name,
                                        run->steps[k].body.p ? run->steps[k].body.p : "",
                                        run->steps[k].body.len };
    return n;
}

/* A step became ready: expand its input and start its first attempt. */
static void step_begin(struct pl_run *run, unsigned i)
{
    const struct pl_step_def *d = &run->def->steps[i];
    struct step_run *s = &run->steps[i];
    struct pl_value v[PL_MAX_STEPS + 1];
    size_t nv = values(run, v);
    int e =
        pl_template_expand(d->input, strlen(d->input), v, nv, &s->req, s->error, sizeof s->error);
    if (!e)
        e = attempt_start(run, i);
    if (e) {
        if (!s->error[0])
            snprintf(s->error, sizeof s->error, "cannot start: %s", anx_strerror(e));
        run->skipped += pl_dag_finish(&run->dag, i, false);
    }
}

/* An attempt ended (done, or abandoned at its deadline): success, a
 * retry after backoff, or the step's failure. */
static void step_after_attempt(struct pl_run *run, unsigned i, bool timed_out)
{
    struct step_run *s = &run->steps[i];
    const struct pl_step_def *d = &run->def->steps[i];
    struct attempt *a = s->att;
    uint64_t now = anx_time_ns();
    s->time_ns += (a->done ? a->ended : now) - s->started;
    s->att = NULL;
    bool retryable;
    if (timed_out) {
        if (a->done)
            attempt_free(a); /* it ended, but past its deadline: too late */
        else
            a->abandoned = true; /* its thread frees it when it ends */
        s->status = 504;
        snprintf(s->error, sizeof s->error, "timed out after %llu ms (attempt %u)",
                 (unsigned long long)(d->timeout_ns / 1000000), s->attempts);
        retryable = true;
    } else {
        s->status = a->status;
        if (a->err == 0 && a->status < 400) {
            anx_buf_free(&s->body);
            s->body = a->out;
            a->out = (struct anx_buf){ 0 };
            memcpy(s->version, a->version, sizeof s->version);
            s->error[0] = 0;
            attempt_free(a);
            pl_dag_finish(&run->dag, i, true);
            return;
        }
        if (a->err)
            snprintf(s->error, sizeof s->error, "%s failed: %s", d->engine ? "engine" : "route",
                     anx_strerror(a->err));
        else
            snprintf(s->error, sizeof s->error, "answered %d: %.100s", a->status,
                     a->out.p ? a->out.p : "");
        /* a trailing newline of a text answer is noise in JSON */
        size_t l = strlen(s->error);
        while (l && (s->error[l - 1] == '\n' || s->error[l - 1] == '\r'))
            s->error[--l] = 0;
        retryable = a->err != 0 || a->status >= 500;
        attempt_free(a);
    }
    if (retryable && s->attempts <= d->retries) {
        uint64_t b = BACKOFF_NS << (s->attempts - 1 < 6 ? s->attempts - 1 : 6);
        s->not_before = now + (b < BACKOFF_MAX_NS ? b : BACKOFF_MAX_NS);
        return;
    }
    run->skipped += pl_dag_finish(&run->dag, i, false);
}

void pl_run_steps(struct pl_run *run)
{
    const struct pl_def *def = run->def;
    anx_waitq_init(&run->wq);
    uint32_t after[PL_MAX_STEPS];
    for (unsigned i = 0; i < def->nsteps; i++)
        after[i] = def->steps[i].after;
    pl_dag_init(&run->dag, def->nsteps, after);
    uint64_t t0 = anx_time_ns();
    for (;;) {
        int i;
        while ((i = pl_dag_next(&run->dag)) >= 0)
            step_begin(run, (unsigned)i);
        if (pl_dag_done(&run->dag))
            break;
        /* Collect what ended, start due retries, find the next wake-up. */
        uint64_t now = anx_time_ns(), wake = UINT64_MAX;
        bool progress = false;
        for (unsigned k = 0; k < def->nsteps; k++) {
            struct step_run *s = &run->steps[k];
            if (run->dag.state[k] != PL_RUNNING)
                continue;
            if (s->att && s->att->done) {
                /* an attempt that never blocked ran past its deadline
                 * before the runner could look: a timeout all the same */
                step_after_attempt(run, k, s->att->ended > s->deadline);
                progress = true;
            } else if (s->att && now >= s->deadline) {
                step_after_attempt(run, k, true);
                progress = true;
            } else if (!s->att && now >= s->not_before) {
                int e = attempt_start(run, k);
                if (e) {
                    snprintf(s->error, sizeof s->error, "cannot retry: %s", anx_strerror(e));
                    run->skipped += pl_dag_finish(&run->dag, k, false);
                }
                progress = true;
            }
            if (run->dag.state[k] == PL_RUNNING) {
                uint64_t w = s->att ? s->deadline : s->not_before;
                if (w < wake)
                    wake = w;
            }
        }
        if (progress)
            continue;
        anx_wait_timeout(&run->wq, wake > now ? wake - now : 1);
    }
    run->time_ns = anx_time_ns() - t0;
}

/* Appends "NAME@VERSION" to out (comma-separated, cut at outlen). */
static void add_object(char *out, size_t outlen, const char *name, size_t nl, const char *ver,
                       size_t vl)
{
    size_t used = strlen(out);
    int w = snprintf(out + used, outlen - used, "%s%.*s@%.*s", used ? "," : "", (int)nl, name,
                     (int)vl, ver);
    if (w < 0 || (size_t)w >= outlen - used)
        out[used] = 0; /* what does not fit is left out whole */
}

#define OBJECTS_PATH "/api/v1/objects/"

/* The object versions the run read and wrote, for the result's
 * provenance: a step that read an object through the object store's HTTP
 * door (GET /api/v1/objects/NAME, answered with X-Object-Version) read
 * NAME@VERSION; a step whose answer names a version ({"name": ...,
 * "version": N}, what a PUT answers) wrote it. */
static void touched_objects(const struct pl_run *run, char *read, char *wrote, size_t outlen)
{
    read[0] = wrote[0] = 0;
    for (unsigned k = 0; k < run->def->nsteps; k++) {
        const struct step_run *s = &run->steps[k];
        const struct pl_step_def *d = &run->def->steps[k];
        size_t pl = strlen(OBJECTS_PATH);
        if (s->version[0] && !strcmp(d->method, "GET") && !strncmp(d->path, OBJECTS_PATH, pl)) {
            add_object(read, outlen, d->path + pl, strlen(d->path + pl), s->version,
                       strlen(s->version));
            continue;
        }
        const struct anx_buf *b = &s->body;
        const char *name, *ver;
        size_t nl, vl;
        if (!b->p || pl_json_find(b->p, b->len, "name", 4, &name, &nl) ||
            pl_json_find(b->p, b->len, "version", 7, &ver, &vl) || name[0] != '"' ||
            !isdigit((unsigned char)ver[0]) || nl < 2)
            continue;
        add_object(wrote, outlen, name + 1, nl - 2, ver, vl);
    }
}

int pl_store_result(struct pl_run *run)
{
    const struct pl_def *def = run->def;
    struct pl_value v[PL_MAX_STEPS + 1];
    size_t nv = values(run, v);
    struct anx_buf out = { 0 };
    int e = pl_template_expand(def->output, strlen(def->output), v, nv, &out, run->error,
                               sizeof run->error);
    if (e) {
        anx_buf_free(&out);
        return e;
    }
    const char *j;
    size_t jl;
    const char *type = pl_json_find(out.p ? out.p : "", out.len, "", 0, &j, &jl) == 0
                           ? "application/json"
                           : "text/plain; charset=utf-8";
    /* provenance: which pipeline, which run, how each step went, what it
     * touched, and the input's hash */
    char runno[24], steps[201], read[201], wrote[201], input_sha[65];
    uint8_t digest[ANX_SHA256_SIZE];
    snprintf(runno, sizeof runno, "%u", run->no);
    size_t used = 0;
    steps[0] = 0;
    for (unsigned k = 0; k < def->nsteps && used < sizeof steps; k++)
        used += snprintf(steps + used, sizeof steps - used, "%s%s:%d:%u", k ? "," : "",
                         def->steps[k].name, run->steps[k].status, run->steps[k].attempts);
    touched_objects(run, read, wrote, sizeof read);
    anx_sha256(run->input, run->input_len, digest);
    anx_sha256_hex(digest, input_sha);
    const char *keys[6] = { "pipeline", "run", "steps", "input_sha256" };
    const char *vals[6] = { def->name, runno, steps, input_sha };
    int nmeta = 4;
    if (read[0]) { /* only what there is: an object's metadata has 8 places */
        keys[nmeta] = "read";
        vals[nmeta++] = read;
    }
    if (wrote[0]) {
        keys[nmeta] = "wrote";
        vals[nmeta++] = wrote;
    }
    struct objstore_write_opts o = {
        .writer = "pipelines",
        .type = type,
        .nmeta = nmeta,
        .keys = keys,
        .values = vals,
        .nparents = -1,
    };
    e = out.oom ? ANX_ENOMEM
                : os_write("pipelines", def->result, out.p ? out.p : "", out.len, &o, &run->stored);
    anx_buf_free(&out);
    if (e)
        snprintf(run->error, sizeof run->error, "storing %s: %s", def->result, anx_strerror(e));
    return e;
}

void pl_run_free(struct pl_run *run)
{
    if (!run->steps)
        return;
    for (unsigned k = 0; k < PL_MAX_STEPS; k++) {
        anx_buf_free(&run->steps[k].req);
        anx_buf_free(&run->steps[k].body);
    }
    anx_free(run->steps);
    run->steps = NULL;
}

int pl_run_init(struct pl_run *run, const struct pl_def *def, const void *input, size_t len,
                const struct rt_request *caller, unsigned no, unsigned depth)
{
    memset(run, 0, sizeof *run);
    run->depth = depth;
    run->def = def;
    run->input = input ? input : "";
    run->input_len = len;
    run->caller = caller;
    run->no = no;
    run->steps = anx_calloc(PL_MAX_STEPS, sizeof *run->steps);
    return run->steps ? 0 : ANX_ENOMEM;
}

void pl_run_json(const struct pl_run *run, int store_err, struct anx_buf *b)
{
    const struct pl_def *def = run->def;
    bool ok = pl_dag_count(&run->dag, PL_OK) == def->nsteps && !store_err;
    anx_buf_puts(b, "{\"pipeline\": ");
    rt_json_str(b, def->name, strlen(def->name));
    anx_buf_printf(b, ", \"run\": %u, \"status\": \"%s\", \"time_ms\": %llu, \"steps\": [", run->no,
                   ok ? "ok" : "failed", (unsigned long long)(run->time_ns / 1000000));
    for (unsigned k = 0; k < def->nsteps; k++) {
        const struct step_run *s = &run->steps[k];
        anx_buf_puts(b, k ? ", {\"name\": " : "{\"name\": ");
        rt_json_str(b, def->steps[k].name, strlen(def->steps[k].name));
        anx_buf_printf(b,
                       ", \"status\": \"%s\", \"http_status\": %d, \"attempts\": %u, "
                       "\"time_ms\": %llu",
                       pl_state_name(run->dag.state[k]), s->status, s->attempts,
                       (unsigned long long)(s->time_ns / 1000000));
        if (s->error[0]) {
            anx_buf_puts(b, ", \"error\": ");
            rt_json_str(b, s->error, strlen(s->error));
        }
        anx_buf_puts(b, "}");
    }
    anx_buf_puts(b, "], \"object\": ");
    if (ok) {
        anx_buf_puts(b, "{\"name\": ");
        rt_json_str(b, run->stored.name, strlen(run->stored.name));
        anx_buf_printf(b, ", \"version\": %u, \"id\": \"%s\", \"size\": %llu}",
                       (unsigned)run->stored.no, run->stored.id,
                       (unsigned long long)run->stored.size);
    } else {
        anx_buf_puts(b, "null");
    }
    if (run->error[0]) {
        anx_buf_puts(b, ", \"error\": ");
        rt_json_str(b, run->error, strlen(run->error));
    }
    anx_buf_puts(b, "}\n");
}
