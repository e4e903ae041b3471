/*
 * pipelines_module.c - the manifest's pipelines (config.h: CONFIG_PIPELINES,
 * checked by anx), served by the router: GET /api/v1/pipelines lists them,
 * POST /api/v1/pipelines/NAME runs one with the request body as its input
 * (run.c), the shell command `pipeline` does both, and /metrics counts
 * runs and failures per pipeline (names are [a-z0-9-]: no escaping).
 */
#define LOG_TAG "pipelines"
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>

#include "pipelines_run.h"

/* Generated from the manifest by anx (gen/pipelines.c). */
static const struct pl_def table[] = CONFIG_PIPELINES;
static const unsigned count = CONFIG_PIPELINES_COUNT;
static unsigned runs[CONFIG_PIPELINES_COUNT + 1], failures[CONFIG_PIPELINES_COUNT + 1];

static const struct pl_def *find(const char *name, size_t len, unsigned *idx)
{
    for (unsigned i = 0; i < count; i++)
        if (strlen(table[i].name) == len && !memcmp(table[i].name, name, len)) {
            *idx = i;
            return &table[i];
        }
    return NULL;
}

static void list_json(struct anx_buf *b)
{
    anx_buf_puts(b, "[");
    for (unsigned i = 0; i < count; i++) {
        const struct pl_def *d = &table[i];
        anx_buf_puts(b, i ? ",\n {\"name\": " : "\n {\"name\": ");
        rt_json_str(b, d->name, strlen(d->name));
        anx_buf_puts(b, ", \"result\": ");
        rt_json_str(b, d->result, strlen(d->result));
        anx_buf_printf(b, ", \"runs\": %u, \"failures\": %u, \"steps\": [", runs[i], failures[i]);
        for (unsigned k = 0; k < d->nsteps; k++) {
            const struct pl_step_def *s = &d->steps[k];
            anx_buf_puts(b, k ? ", {\"name\": " : "{\"name\": ");
            rt_json_str(b, s->name, strlen(s->name));
            anx_buf_puts(b, ", \"call\": ");
            char call[300];
            snprintf(call, sizeof call, "%s%s%s%s %s", s->engine ? "engine " : "",
                     s->engine ? s->engine : "", s->engine ? ": " : "", s->method, s->path);
            rt_json_str(b, call, strlen(call));
            anx_buf_puts(b, ", \"after\": [");
            bool first = true;
            for (unsigned j = 0; j < d->nsteps; j++)
                if (s->after & (1u << j)) {
                    anx_buf_puts(b, first ? "" : ", ");
                    rt_json_str(b, d->steps[j].name, strlen(d->steps[j].name));
                    first = false;
                }
            anx_buf_printf(b, "], \"timeout_ms\": %llu, \"retries\": %u}",
                           (unsigned long long)(s->timeout_ns / 1000000), s->retries);
        }
        anx_buf_puts(b, "]}");
    }
    anx_buf_puts(b, count ? "\n]\n" : "]\n");
}

/* Runs pipeline idx; the answer's JSON goes to b. Returns the HTTP status. */
static int run_one(unsigned idx, const void *input, size_t len, const struct rt_request *caller,
                   struct anx_buf *b)
{
    unsigned depth = 0;
    size_t dl;
    const char *d = caller ? rt_header(caller, PL_DEPTH_HEADER, &dl) : NULL;
    for (size_t k = 0; d && k < dl && k < 4 && isdigit((unsigned char)d[k]); k++)
        depth = depth * 10 + (unsigned)(d[k] - '0');
    if (depth >= PL_MAX_DEPTH) {
        anx_buf_printf(
            b, "{\"error\": \"pipelines nested %u deep: a pipeline that runs itself?\"}\n", depth);
        return 508;
    }
    struct pl_run run;
    if (pl_run_init(&run, &table[idx], input, len, caller, ++runs[idx], depth)) {
        anx_buf_puts(b, "{\"error\": \"out of memory\"}\n");
        return 500;
    }
    pl_run_steps(&run);
    bool steps_ok = pl_dag_count(&run.dag, PL_OK) == table[idx].nsteps;
    int e = steps_ok ? pl_store_result(&run) : 0;
    pl_run_json(&run, e, b);
    log_info("run %s #%u: %s in %llu ms", table[idx].name, run.no,
             !steps_ok ? "a step failed"
             : e       ? run.error
                       : "stored",
             (unsigned long long)(run.time_ns / 1000000));
    if (!steps_ok || e)
        failures[idx]++;
    pl_run_free(&run);
    if (!steps_ok)
        return 502;
    if (e == ANX_EAGAIN)
        return 503;
    return e ? 500 : 200;
}

static int handle(struct rt_engine *eng, const struct rt_request *rq, struct rt_response *rs)
{
    (void)eng;
    rs->content_type = "application/json";
    if (!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD")) {
        list_json(&rs->out);
        return 0;
    }
    size_t nl;
    const char *name = rt_param(rq, "name", &nl);
    unsigned idx;
    if (!name || !find(name, nl, &idx)) {
        rs->status = 404;
        anx_buf_puts(&rs->out, "{\"error\": \"no such pipeline\"}\n");
        return 0;
    }
    rs->status = run_one(idx, rq->body, rq->body_len, rq, &rs->out);
    return 0;
}

static struct rt_engine engine = { .name = "pipelines", .handle = handle };

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_puts(b, "# HELP anx_pipeline_runs_total Pipeline runs started.\n"
                    "# TYPE anx_pipeline_runs_total counter\n");
    for (unsigned i = 0; i < count; i++)
        anx_buf_printf(b, "anx_pipeline_runs_total{pipeline=\"%s\"} %u\n", table[i].name, runs[i]);
    anx_buf_puts(b, "# HELP anx_pipeline_failures_total Pipeline runs that stored no result.\n"
                    "# TYPE anx_pipeline_failures_total counter\n");
    for (unsigned i = 0; i < count; i++)
        anx_buf_printf(b, "anx_pipeline_failures_total{pipeline=\"%s\"} %u\n", table[i].name,
                       failures[i]);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

static int cmd_pipeline(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "ls")) {
        for (unsigned i = 0; i < count; i++) {
            anx_printf("%-16s %2u steps  runs %u  failures %u  -> %s\n", table[i].name,
                       table[i].nsteps, runs[i], failures[i], table[i].result);
            unsigned level[PL_MAX_STEPS];
            uint32_t after[PL_MAX_STEPS];
            for (unsigned k = 0; k < table[i].nsteps; k++)
                after[k] = table[i].steps[k].after;
            pl_dag_levels(table[i].nsteps, after, level);
            for (unsigned k = 0; k < table[i].nsteps; k++) {
                const struct pl_step_def *s = &table[i].steps[k];
                anx_printf("  %u %-14s %s%s%s%s %s\n", level[k], s->name,
                           s->engine ? "engine " : "", s->engine ? s->engine : "",
                           s->engine ? ": " : "", s->method, s->path);
            }
        }
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "run")) {
        unsigned idx;
        if (!find(argv[2], strlen(argv[2]), &idx)) {
            anx_printf("pipeline: no pipeline '%s' (pipeline ls lists them)\n", argv[2]);
            return 1;
        }
        struct anx_buf in = { 0 }, out = { 0 };
        for (int k = 3; k < argc; k++) {
            if (k > 3)
                anx_buf_puts(&in, " ");
            anx_buf_puts(&in, argv[k]);
        }
        int status = run_one(idx, in.p ? in.p : "", in.len, NULL, &out);
        anx_printf("%d %s", status, out.p ? out.p : "\n");
        anx_buf_free(&in);
        anx_buf_free(&out);
        return status == 200 ? 0 : 1;
    }
    anx_printf("usage: pipeline ls | pipeline run NAME [INPUT...]\n");
    return 1;
}

static struct anx_command pipeline_cmd = {
    .name = "pipeline",
    .summary = "List the image's pipelines or run one",
    .usage = "pipeline ls | pipeline run NAME [INPUT...]",
    .fn = cmd_pipeline,
    .scope = "objects",
};

static int pipelines_init(void)
{
    int e = rt_engine_register(&engine);
    if (e)
        return e;
    anx_command_register(&pipeline_cmd);
    rt_metrics_register(&metrics);
    log_info("%u pipelines", count);
    return 0;
}

ANX_MODULE(pipelines, .init = pipelines_init);
