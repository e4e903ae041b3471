/* modules/pipelines: runs (run.c) on tests/unit's simulated platform,
 * with real threads and the fake clock (the idle loop jumps it to the
 * next deadline), through the router (routes and engines of this test)
 * and a stand-in for the object store's os_write that records what it
 * is asked to store: dependency order with data passed between steps,
 * independent steps overlapping, retries after 5xx with backoff, a 4xx
 * not retried, timeouts of a step that blocks and of one that computes
 * past its deadline, abandoned attempts freeing themselves, the result
 * and its provenance, and the heap back where it was. */
#include <stdint.h>
#define UNIT_FILE "pipelines_run"
#include "unit.h"
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/module.h>

#include "pipelines_run.h"

const struct anx_module anx_module_table[] = {
    { .name = "router", .summary = "Routing" },
    { .name = "pipelines", .summary = "Task graphs" },
};
const size_t anx_module_count = 2;

/* ---- the object store, as far as run.c uses it --------------------------- */

static char stored_name[201], stored_data[512], stored_meta[8][2][201];
static int stored_nmeta, store_calls, store_error;

int os_write(const char *module, const char *name, const void *data, size_t len,
             const struct objstore_write_opts *o, struct objstore_version *out)
{
    store_calls++;
    if (store_error)
        return store_error;
    CHECK_STR(module, "pipelines");
    snprintf(stored_name, sizeof stored_name, "%s", name);
    snprintf(stored_data, sizeof stored_data, "%.*s", (int)len, (const char *)data);
    stored_nmeta = o->nmeta;
    for (int k = 0; k < o->nmeta && k < 8; k++) {
        snprintf(stored_meta[k][0], 201, "%s", o->keys[k]);
        snprintf(stored_meta[k][1], 201, "%s", o->values[k]);
    }
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    out->no = (uint32_t)store_calls;
    out->size = len;
    return 0;
}

static const char *meta(const char *key)
{
    for (int k = 0; k < stored_nmeta; k++)
        if (!strcmp(stored_meta[k][0], key))
            return stored_meta[k][1];
    return NULL;
}

/* ---- engines ---------------------------------------------------------------- */

static unsigned calls_flaky, flaky_failures, calls_slow, slow_done, running, max_running;
static uint64_t call_times[8];

/* echoes its body; /store answers like the object store's PUT, a GET
 * under /api/v1/objects/ like its read (the content, X-Object-Version) */
static int echo(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    if (!strcmp(rq->method, "GET")) {
        rt_add_header(rs, "Cache-Control", "no-cache");
        rt_add_header(rs, "X-Object-Version", "7");
        rt_reply(rs, 200, "text/plain", "stored text");
        return 0;
    }
    if (rq->path_len == 6 && !memcmp(rq->path, "/store", 6)) {
        rt_reply(rs, 201, "application/json",
                 "{\"name\": \"docs/a\", \"version\": 4, \"id\": \"x\"}");
        return 0;
    }
    rs->content_type = "application/json";
    anx_buf_add(&rs->out, rq->body, rq->body_len);
    return 0;
}

/* 503 for its first flaky_failures calls */
static int flaky(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    call_times[calls_flaky < 8 ? calls_flaky : 7] = anx_time_ns();
    if (calls_flaky++ < flaky_failures) {
        rt_reply(rs, 503, NULL, "busy\n");
        return 0;
    }
    rt_reply(rs, 200, "application/json", "{\"ok\": true}");
    return 0;
}

/* blocks 100 ms (anx_sleep lets others run) and counts how many overlap */
static int slow(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    calls_slow++;
    if (++running > max_running)
        max_running = running;
    anx_sleep_ns(100 * 1000000ULL);
    running--;
    slow_done++;
    rt_reply(rs, 200, "application/json", "{\"slept\": 100}");
    return 0;
}

/* computes 50 ms without blocking: the clock moves, nobody else runs */
static int spin(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    unit_time_ns += 50 * 1000000ULL;
    rt_reply(rs, 200, "application/json", "{\"spun\": 50}");
    return 0;
}

static int broken(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    (void)rs;
    return ANX_EIO;
}

static struct rt_engine engines[] = {
    { .name = "echo", .handle = echo },     { .name = "flaky", .handle = flaky },
    { .name = "slow", .handle = slow },     { .name = "spin", .handle = spin },
    { .name = "broken", .handle = broken },
};

/* ---- helpers -------------------------------------------------------------- */

#define MS 1000000ULL
#define STEP(n, m, p, in, after, timeout, retries)                                                 \
    {                                                                                              \
        n, m, p, 0, in, "application/json", after, (timeout)*MS, retries                           \
    }

static struct anx_buf answer;

static int run(const struct pl_def *d, const char *input, struct pl_run *r)
{
    static unsigned no;
    CHECK_EQ(pl_run_init(r, d, input, strlen(input), NULL, ++no, 0), 0);
    pl_run_steps(r);
    int e = pl_dag_count(&r->dag, PL_OK) == d->nsteps ? pl_store_result(r) : 0;
    anx_buf_free(&answer);
    answer = (struct anx_buf){ 0 };
    pl_run_json(r, e, &answer);
    return e;
}

static bool has(const char *s)
{
    bool ok = answer.p && strstr(answer.p, s);
    if (!ok)
        fprintf(stderr, "  answer lacks %s: %s", s, answer.p ? answer.p : "(none)");
    return ok;
}

/* ---- tests ------------------------------------------------------------------- */

/* store -> (left, right) -> join: data between steps, the result, the provenance */
TEST(order_data_and_result)
{
    static const struct pl_step_def steps[] = {
        STEP("put", "PUT", "/store", "{{input|raw}}", 0, 1000, 0),
        STEP("left", "POST", "/echo", "{\"doc\": {{put.name}}, \"in\": {{input}}}", 1, 1000, 0),
        STEP("right", "POST", "/echo", "[{{put.version}}]", 1, 1000, 0),
        STEP("join", "POST", "/echo", "{\"l\": {{left.in}}, \"r\": {{right.0}}}", 6, 1000, 0),
        STEP("get", "GET", "/api/v1/objects/docs/a", "", 1, 1000, 0),
    };
    static const struct pl_def d = { "p", "pipelines/p/result",
                                     "{\"join\": {{join}}, \"doc\": \"{{left.doc|raw}}\"}", steps,
                                     5 };
    struct pl_run r;
    store_calls = 0;
    CHECK_EQ(run(&d, "hi \"you\"", &r), 0);
    CHECK(has("\"status\": \"ok\""));
    CHECK(has("{\"name\": \"put\", \"status\": \"ok\", \"http_status\": 201, \"attempts\": 1"));
    CHECK(has("\"object\": {\"name\": \"pipelines/p/result\", \"version\": 1,"));
    CHECK_EQ(store_calls, 1);
    CHECK_STR(stored_name, "pipelines/p/result");
    CHECK_STR(
        stored_data,
        "{\"join\": \"{\\\"l\\\": \\\"hi \\\\\\\"you\\\\\\\"\\\", \\\"r\\\": 4}\", \"doc\": \"docs/a\"}");
    CHECK_STR(meta("pipeline"), "p");
    CHECK_STR(meta("steps"), "put:201:1,left:200:1,right:200:1,join:200:1,get:200:1");
    CHECK_STR(meta("wrote"), "docs/a@4");
    CHECK_STR(meta("read"), "docs/a@7");
    /* sha256("hi \"you\"") */
    CHECK_STR(meta("input_sha256"),
              "0f1a236867501e7656ab080322ac07990c7985e7fac638dc29c9ee10d63471b7");
    pl_run_free(&r);
}

/* two steps that block 100 ms each, independent: they overlap */
TEST(independent_steps_overlap)
{
    static const struct pl_step_def steps[] = {
        STEP("a", "POST", "/slow", "", 0, 1000, 0),
        STEP("b", "POST", "/slow", "", 0, 1000, 0),
        STEP("c", "POST", "/slow", "", 3, 1000, 0),
    };
    static const struct pl_def d = { "par", "pipelines/par/result", "{{c|raw}}", steps, 3 };
    struct pl_run r;
    max_running = 0;
    uint64_t t0 = anx_time_ns();
    CHECK_EQ(run(&d, "", &r), 0);
    uint64_t took = anx_time_ns() - t0;
    CHECK_EQ(max_running, 2);                   /* a and b at once, then c */
    CHECK(took >= 200 * MS && took < 250 * MS); /* two rounds of 100 ms, not three */
    CHECK(r.time_ns >= 200 * MS && r.time_ns < 250 * MS);
    pl_run_free(&r);
}

/* 503 twice, then 200: three attempts, 100 + 200 ms of backoff; a 4xx and
 * a failing engine are final after their retries; dependents skipped */
TEST(retries_backoff_and_failures)
{
    static const struct pl_step_def steps[] = {
        STEP("flaky", "POST", "/flaky", "", 0, 1000, 2),
        STEP("missing", "GET", "/nowhere", "", 0, 1000, 3),
        STEP("after-missing", "POST", "/echo", "", 2, 1000, 0),
        STEP("broken", "POST", "/broken", "", 1, 1000, 1),
        STEP("after-broken", "POST", "/echo", "", 8, 1000, 0),
    };
    static const struct pl_def d = { "f", "pipelines/f/result", "x", steps, 5 };
    struct pl_run r;
    calls_flaky = 0;
    flaky_failures = 2;
    store_calls = 0;
    CHECK_EQ(run(&d, "", &r), 0);
    CHECK_EQ(calls_flaky, 3);
    CHECK(call_times[1] - call_times[0] >= 100 * MS && call_times[1] - call_times[0] < 110 * MS);
    CHECK(call_times[2] - call_times[1] >= 200 * MS && call_times[2] - call_times[1] < 210 * MS);
    CHECK(has("{\"name\": \"flaky\", \"status\": \"ok\", \"http_status\": 200, \"attempts\": 3"));
    CHECK(has(
        "{\"name\": \"missing\", \"status\": \"failed\", \"http_status\": 404, \"attempts\": 1"));
    CHECK(has("\"error\": \"answered 404: not found\"}"));
    CHECK(has(
        "{\"name\": \"after-missing\", \"status\": \"skipped\", \"http_status\": 0, \"attempts\": 0"));
    CHECK(has(
        "{\"name\": \"broken\", \"status\": \"failed\", \"http_status\": 502, \"attempts\": 2"));
    /* through a route the router answers an engine's failure (502) */
    CHECK(has("\"error\": \"answered 502: bad gateway: the engine failed\""));
    CHECK(has("{\"name\": \"after-broken\", \"status\": \"skipped\""));
    CHECK(has("\"status\": \"failed\"") && has("\"object\": null"));
    CHECK_EQ(store_calls, 0);
    pl_run_free(&r);
}

/* a step that blocks past its timeout is abandoned at the deadline and
 * retried; the abandoned attempts end later and free themselves. A step
 * that computes past its deadline is a timeout too. */
TEST(timeouts)
{
    static const struct pl_step_def steps[] = {
        STEP("sleepy", "POST", "/slow", "", 0, 30, 1),
        STEP("spinner", "POST", "/spin", "", 0, 10, 0),
    };
    static const struct pl_def d = { "t", "pipelines/t/result", "x", steps, 2 };
    struct anx_heap_stats h0, h1;
    anx_buf_free(&answer);
    answer = (struct anx_buf){ 0 };
    anx_heap_stats(&h0);
    struct pl_run r;
    calls_slow = slow_done = 0;
    uint64_t t0 = anx_time_ns();
    CHECK_EQ(run(&d, "", &r), 0);
    uint64_t took = anx_time_ns() - t0;
    CHECK(has(
        "{\"name\": \"sleepy\", \"status\": \"failed\", \"http_status\": 504, \"attempts\": 2"));
    CHECK(has("\"error\": \"timed out after 30 ms (attempt 2)\""));
    CHECK(has(
        "{\"name\": \"spinner\", \"status\": \"failed\", \"http_status\": 504, \"attempts\": 1"));
    /* 30 ms, 100 ms of backoff, 30 ms (the spinner's 50 ms overlaps the first) */
    CHECK(took >= 160 * MS && took < 200 * MS);
    CHECK_EQ(calls_slow, 2);
    CHECK(slow_done < 2); /* the run did not wait for them */
    pl_run_free(&r);
    anx_buf_free(&answer);
    answer = (struct anx_buf){ 0 };
    anx_sleep_ns(200 * MS); /* the abandoned attempts end ... */
    CHECK_EQ(slow_done, 2);
    anx_heap_stats(&h1);
    CHECK_EQ(h1.in_use, h0.in_use); /* ... and free all they held */
}

/* the output names a field the answer lacks: nothing stored, the reason said */
TEST(output_errors_and_store_errors)
{
    static const struct pl_step_def steps[] = { STEP("a", "POST", "/echo", "{\"x\": 1}", 0, 100,
                                                     0) };
    static const struct pl_def bad = { "o", "pipelines/o/result", "{{a.y}}", steps, 1 };
    static const struct pl_def good = { "o", "pipelines/o/result", "{{a.x}}", steps, 1 };
    struct pl_run r;
    store_calls = 0;
    CHECK_EQ(run(&bad, "", &r), ANX_ENOENT);
    CHECK(has("\"object\": null, \"error\": \"the answer of 'a' has no field 'y'\""));
    CHECK_EQ(store_calls, 0);
    pl_run_free(&r);
    CHECK_EQ(run(&good, "", &r), 0);
    CHECK_STR(stored_data, "1");
    CHECK(!meta("read") && !meta("wrote")); /* nothing read or written: no such keys */
    pl_run_free(&r);
    store_error = ANX_ENOSPC;
    CHECK_EQ(run(&good, "", &r), ANX_ENOSPC);
    CHECK(has("\"error\": \"storing pipelines/o/result: no space left\""));
    store_error = 0;
    pl_run_free(&r);
}

int main(void)
{
    unit_threads_init(16u << 20);
    for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
        rt_engine_register(&engines[i]);
    rt_route_add("echo", "POST", "/echo", RT_FIRST_HEALTHY, "echo");
    rt_route_add("store", "PUT", "/store", RT_FIRST_HEALTHY, "echo");
    rt_route_add("objects", "GET", "/api/v1/objects/*", RT_FIRST_HEALTHY, "echo");
    rt_route_add("flaky", "POST", "/flaky", RT_FIRST_HEALTHY, "flaky");
    rt_route_add("slow", "POST", "/slow", RT_FIRST_HEALTHY, "slow");
    rt_route_add("spin", "POST", "/spin", RT_FIRST_HEALTHY, "spin");
    rt_route_add("broken", "POST", "/broken", RT_FIRST_HEALTHY, "broken");
    RUN(order_data_and_result);
    RUN(independent_steps_overlap);
    RUN(retries_backoff_and_failures);
    RUN(timeouts);
    RUN(output_errors_and_store_errors);
    anx_buf_free(&answer);
    return unit_done();
}
