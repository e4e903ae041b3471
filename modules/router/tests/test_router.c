/* modules/router: pattern matching and specificity, policies, 404/405,
 * per-route metrics in Prometheus text, JSON escaping, the routes and
 * upstreams config strings, static path mapping, the upstream response
 * parser and the de-chunker. */
#include <stdint.h>
#define UNIT_FILE "router"
#include "unit.h"
#include <anx/module.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/files.h>
#include <anx/data.h>
#include <anx/errno.h>

#include "router.h"

/* the router's object grant (module.yaml objects:); a test narrows it */
static const char *router_reads[] = { "www/", NULL };
const struct anx_module anx_module_table[] = {
    { .name = "net", .summary = "TCP/IP" },
    { .name = "router", .summary = "Routing \"plane\"", .reads = router_reads },
};
const size_t anx_module_count = 2;

/* --- engines for the tests --- */
static int calls_a, calls_b, calls_c;
static bool b_healthy = true;
static int c_fail;

static int handle_a(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    calls_a++;
    anx_buf_printf(&rs->out, "a:%.*s", (int)rq->path_len, rq->path);
    return 0;
}
static int handle_b(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    calls_b++;
    rt_reply(rs, 200, "text/x-b", "b");
    return 0;
}
static int handle_c(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    calls_c++;
    if (c_fail == 1)
        return -5;
    if (c_fail == 2) {
        rt_reply(rs, 503, NULL, "busy");
        return 0;
    }
    rt_reply(rs, 201, NULL, "c");
    return 0;
}
static bool healthy_b(struct rt_engine *e)
{
    (void)e;
    return b_healthy;
}

static struct rt_engine ea = { .name = "a", .handle = handle_a };
static struct rt_engine eb = { .name = "b", .handle = handle_b, .healthy = healthy_b };
static struct rt_engine ec = { .name = "c", .handle = handle_c };

static void setup(void)
{
    rt_reset();
    ea.next = eb.next = ec.next = NULL;
    ea.requests = eb.requests = ec.requests = ea.errors = eb.errors = ec.errors = 0;
    rt_engine_register(&ea);
    rt_engine_register(&eb);
    rt_engine_register(&ec);
    calls_a = calls_b = calls_c = 0;
    b_healthy = true;
    c_fail = 0;
}

static int get(const char *method, const char *path, struct rt_response *rs)
{
    struct rt_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = method;
    rq.path = path;
    rq.path_len = strlen(path);
    memset(rs, 0, sizeof *rs);
    rt_dispatch(&rq, rs);
    return rs->status;
}

static const char *body(struct rt_response *rs)
{
    static char b[4096];
    const char *p = rs->body ? rs->body : rs->out.p;
    size_t n = rs->body ? rs->body_len : rs->out.len;
    if (n >= sizeof b)
        n = sizeof b - 1;
    memcpy(b, p ? p : "", n);
    b[n] = 0;
    return b;
}

static void done(struct rt_response *rs)
{
    anx_buf_free(&rs->out);
    anx_buf_free(&rs->headers);
}

TEST(match_literal_params_wildcard)
{
    struct rt_kv p[RT_MAX_PARAMS];
    size_t n = 99;
    CHECK(rt_match("/api/v1/health", "/api/v1/health", 14, p, &n));
    CHECK_EQ(n, 0);
    CHECK(!rt_match("/api/v1/health", "/api/v1/health/", 15, p, &n));
    CHECK(!rt_match("/api/v1/health", "/api/v1/healt", 13, p, &n));
    CHECK(rt_match("/obj/{bucket}/{key}", "/obj/b1/k2", 10, p, &n));
    CHECK_EQ(n, 2);
    CHECK(p[0].name_len == 6 && !memcmp(p[0].name, "bucket", 6) && p[0].value_len == 2 &&
          !memcmp(p[0].value, "b1", 2));
    CHECK(p[1].value_len == 2 && !memcmp(p[1].value, "k2", 2));
    CHECK(!rt_match("/obj/{bucket}/{key}", "/obj//k", 7, p, &n));     /* empty param */
    CHECK(!rt_match("/obj/{bucket}/{key}", "/obj/b/k/x", 10, p, &n)); /* param is one segment */
    CHECK(rt_match("/static/*", "/static/", 8, p, &n));
    CHECK_EQ(n, 1);
    CHECK_EQ(p[0].value_len, 0);
    CHECK(rt_match("/static/*", "/static/a/b.css", 15, p, &n));
    CHECK(p[0].value_len == 7 && !memcmp(p[0].value, "a/b.css", 7));
    CHECK(!rt_match("/static/*", "/static", 7, p, &n));
    CHECK(rt_match("/*", "/", 1, p, &n));
}

TEST(bad_patterns_rejected)
{
    setup();
    CHECK(rt_route_add("x", "GET", "nope", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "GET", "/a*/b", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "GET", "/a/{x", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "GET", "/a/{}", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "GET", "/a/x{y}", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "get", "/a", RT_FIRST_HEALTHY, "a") == NULL);
    CHECK(rt_route_add("x", "GET", "/a", RT_FIRST_HEALTHY, "") == NULL);
    CHECK(rt_route_first() == NULL);
}

TEST(most_specific_route_wins)
{
    setup();
    CHECK(rt_route_add("all", "GET", "/*", RT_FIRST_HEALTHY, "a"));
    CHECK(rt_route_add("param", "GET", "/api/{x}", RT_FIRST_HEALTHY, "b"));
    CHECK(rt_route_add("exact", "GET", "/api/health", RT_FIRST_HEALTHY, "c"));
    CHECK(rt_route_add("api", "GET", "/api/*", RT_FIRST_HEALTHY, "a"));
    struct rt_response rs;
    CHECK_EQ(get("GET", "/api/health", &rs), 201);
    CHECK_STR(body(&rs), "c");
    done(&rs);
    CHECK_EQ(get("GET", "/api/other", &rs), 200);
    CHECK_STR(body(&rs), "b");
    done(&rs);
    CHECK_EQ(get("GET", "/api/x/y", &rs), 200);
    CHECK_STR(body(&rs), "a:/api/x/y");
    done(&rs);
    CHECK_EQ(get("GET", "/index.html", &rs), 200);
    done(&rs);
    CHECK_EQ(get("HEAD", "/api/health", &rs), 201); /* GET routes answer HEAD */
    done(&rs);
}

TEST(not_found_and_method_not_allowed)
{
    setup();
    CHECK(rt_route_add("e", "POST", "/echo", RT_FIRST_HEALTHY, "a"));
    CHECK(rt_route_add("e2", "PUT", "/echo", RT_FIRST_HEALTHY, "a"));
    struct rt_response rs;
    CHECK_EQ(get("GET", "/nothing", &rs), 404);
    done(&rs);
    CHECK_EQ(get("GET", "/echo", &rs), 405);
    CHECK(rs.headers.p && strstr(rs.headers.p, "Allow: POST, PUT\r\n"));
    done(&rs);
    CHECK_EQ(get("POST", "/echo", &rs), 200);
    done(&rs);
}

TEST(params_reach_the_engine)
{
    setup();
    CHECK(rt_route_add("obj", "GET", "/obj/{bucket}/*", RT_FIRST_HEALTHY, "a"));
    struct rt_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "GET";
    rq.path = "/obj/photos/2024/x.jpg";
    rq.path_len = strlen(rq.path);
    struct rt_response rs;
    memset(&rs, 0, sizeof rs);
    rt_dispatch(&rq, &rs);
    size_t n;
    const char *v = rt_param(&rq, "bucket", &n);
    CHECK(v && n == 6 && !memcmp(v, "photos", 6));
    v = rt_param(&rq, "*", &n);
    CHECK(v && n == 10 && !memcmp(v, "2024/x.jpg", 10));
    CHECK_STR(rq.route, "obj");
    done(&rs);
}

TEST(first_healthy_skips_down_engines)
{
    setup();
    CHECK(rt_route_add("r", "GET", "/r", RT_FIRST_HEALTHY, "b,a"));
    struct rt_response rs;
    get("GET", "/r", &rs);
    CHECK_STR(body(&rs), "b");
    done(&rs);
    b_healthy = false;
    get("GET", "/r", &rs);
    CHECK_STR(body(&rs), "a:/r");
    done(&rs);
    CHECK_EQ(calls_b, 1);
    CHECK_EQ(calls_a, 1);
}

TEST(round_robin_rotates_among_healthy)
{
    setup();
    CHECK(rt_route_add("r", "GET", "/r", RT_ROUND_ROBIN, "a,b,c"));
    struct rt_response rs;
    for (int i = 0; i < 6; i++) {
        get("GET", "/r", &rs);
        done(&rs);
    }
    CHECK_EQ(calls_a, 2);
    CHECK_EQ(calls_b, 2);
    CHECK_EQ(calls_c, 2);
    b_healthy = false;
    for (int i = 0; i < 4; i++) {
        get("GET", "/r", &rs);
        done(&rs);
    }
    CHECK_EQ(calls_b, 2);
    CHECK_EQ(calls_a + calls_c, 8);
}

TEST(fallback_tries_the_next_on_failure)
{
    setup();
    CHECK(rt_route_add("r", "GET", "/r", RT_FALLBACK, "c,b"));
    struct rt_response rs;
    c_fail = 1; /* engine error */
    CHECK_EQ(get("GET", "/r", &rs), 200);
    CHECK_STR(body(&rs), "b");
    done(&rs);
    c_fail = 2; /* 503 answer */
    CHECK_EQ(get("GET", "/r", &rs), 200);
    CHECK_STR(body(&rs), "b");
    done(&rs);
    c_fail = 0;
    CHECK_EQ(get("GET", "/r", &rs), 201);
    done(&rs);
    CHECK_EQ(calls_c, 3);
    CHECK_EQ(calls_b, 2);
    /* every engine fails: 502 and an error counted */
    c_fail = 1;
    b_healthy = false;
    CHECK_EQ(get("GET", "/r", &rs), 200); /* b is the last: tried although down */
    done(&rs);
    CHECK_EQ(calls_b, 3);
    c_fail = 2;
    CHECK(rt_route_add("r2", "GET", "/r2", RT_FALLBACK, "c"));
    CHECK_EQ(get("GET", "/r2", &rs), 503); /* the last answer stands */
    done(&rs);
    struct rt_route *r = rt_route_first();
    CHECK_EQ(r->count, 4);
    CHECK_EQ(r->errors, 0);
    CHECK_EQ(rt_route_next(r)->errors, 1);
}

TEST(first_healthy_engine_error_is_502_and_counted)
{
    setup();
    CHECK(rt_route_add("r", "GET", "/r", RT_FIRST_HEALTHY, "c"));
    CHECK(rt_route_add("none", "GET", "/none", RT_FIRST_HEALTHY, "missing"));
    struct rt_response rs;
    c_fail = 1;
    CHECK_EQ(get("GET", "/r", &rs), 502);
    done(&rs);
    CHECK_EQ(get("GET", "/none", &rs), 503);
    done(&rs);
    struct rt_route *r = rt_route_first();
    CHECK_EQ(r->count, 1);
    CHECK_EQ(r->errors, 1);
    CHECK_EQ(ec.errors, 1);
}

TEST(metrics_text_format)
{
    setup();
    CHECK(rt_route_add("r\"1", "GET", "/r", RT_FIRST_HEALTHY, "a"));
    struct rt_response rs;
    unit_time_ns = 1000000000ull;
    get("GET", "/r", &rs);
    done(&rs);
    get("GET", "/r", &rs);
    done(&rs);
    struct anx_buf b = { 0 };
    rt_metrics_text(&b);
    CHECK(strstr(b.p, "# TYPE anx_route_requests_total counter\n"));
    CHECK(strstr(b.p, "anx_route_requests_total{route=\"r\\\"1\"} 2\n"));
    CHECK(strstr(b.p, "anx_route_errors_total{route=\"r\\\"1\"} 0\n"));
    CHECK(strstr(b.p, "# TYPE anx_route_latency_seconds histogram\n"));
    CHECK(strstr(b.p, "anx_route_latency_seconds_bucket{route=\"r\\\"1\",le=\"0.000100\"} 2\n"));
    CHECK(strstr(b.p, "anx_route_latency_seconds_bucket{route=\"r\\\"1\",le=\"+Inf\"} 2\n"));
    CHECK(strstr(b.p, "anx_route_latency_seconds_count{route=\"r\\\"1\"} 2\n"));
    CHECK(strstr(b.p, "anx_engine_healthy{engine=\"b\"} 1\n"));
    /* every line is a comment or "name{labels} value" */
    for (char *l = b.p; *l;) {
        char *e = strchr(l, '\n');
        CHECK(e != NULL);
        if (!e)
            break;
        CHECK(*l == '#' || (strchr(l, ' ') && strchr(l, ' ') < e));
        l = e + 1;
    }
    anx_buf_free(&b);
}

/* The value of the unlabelled sample NAME in a /metrics text, or -1. */
static long long metric(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
        if (!strncmp(l, name, n) && l[n] == ' ')
            return strtoll(l + n + 1, NULL, 10);
        if (!strchr(l, '\n'))
            break;
    }
    return -1;
}

/* The memory gauges follow the core's heap and page allocator: what a soak
 * test samples to tell a leak from a steady state. */
TEST(metrics_memory_gauges)
{
    setup();
    struct anx_buf b = { 0 };
    rt_metrics_text(&b);
    long long heap0 = metric(b.p, "anx_heap_in_use_bytes"), pages0 = metric(b.p, "anx_pages_in_use");
    long long total = metric(b.p, "anx_pages_total"), hpages0 = metric(b.p, "anx_heap_pages");
    anx_buf_free(&b);
    struct anx_pmem_stats ps;
    anx_pmem_stats(&ps);
    CHECK_EQ(total, (long long)ps.total_pages);
    CHECK_EQ(pages0, (long long)(ps.total_pages - ps.free_pages));   /* the text's pages stay the heap's */
    CHECK(pages0 > 0 && pages0 < total);
    CHECK(hpages0 > 0 && hpages0 <= pages0);

    void *blk = anx_malloc(100000);   /* a large block: its own pages */
    void *pg = anx_page_alloc(3);
    CHECK(blk && pg);
    rt_metrics_text(&b);
    CHECK(strstr(b.p, "# TYPE anx_pages_in_use gauge\n"));
    CHECK(strstr(b.p, "# TYPE anx_heap_pages gauge\n"));
    /* the text itself is on the heap while it is measured: at least, not exactly */
    CHECK(metric(b.p, "anx_heap_in_use_bytes") >= heap0 + 100000);
    CHECK(metric(b.p, "anx_heap_pages") >= hpages0 + 100000 / ANX_PAGE_SIZE);
    CHECK(metric(b.p, "anx_pages_in_use") >= pages0 + 3 + 100000 / ANX_PAGE_SIZE);
    anx_buf_free(&b);

    anx_free(blk);
    anx_page_free(pg, 3);
    rt_metrics_text(&b);
    CHECK_EQ(metric(b.p, "anx_heap_in_use_bytes"), heap0);
    CHECK_EQ(metric(b.p, "anx_pages_in_use"), pages0);
    anx_buf_free(&b);
}

/* The router's errors are <anx/errno.h> codes a caller can tell apart. */
TEST(engine_and_stream_errors)
{
    setup();
    static struct rt_engine twin = { .name = "a", .handle = handle_a };
    static struct rt_engine nameless = { .handle = handle_a };
    CHECK_EQ(rt_engine_register(&twin), ANX_EEXIST);
    CHECK_EQ(rt_engine_register(&nameless), ANX_EINVAL);
    struct rt_response rs;
    memset(&rs, 0, sizeof rs);
    CHECK_EQ(rt_stream_write(&rs, "x", 1), ANX_EINVAL); /* not begun */
    CHECK_EQ(rt_stream_begin(&rs), ANX_ENOTSUP);        /* this server cannot stream */
    CHECK(!rs.streamed);
}

TEST(json_escaping)
{
    struct anx_buf b = { 0 };
    const char s[] = "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff/";
    rt_json_str(&b, s, sizeof s - 1);
    CHECK_STR(b.p, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd/\"");
    anx_buf_reset(&b);
    rt_json_str(&b, "\xe2\x82", 2); /* truncated sequence */
    CHECK_STR(b.p, "\"\\ufffd\\ufffd\"");
    anx_buf_free(&b);
}

TEST(builtin_endpoints)
{
    setup();
    rt_builtin_init("/www");
    struct rt_response rs;
    CHECK_EQ(get("GET", "/api/v1/health", &rs), 200);
    CHECK(strstr(body(&rs), "\"status\": \"ok\""));
    CHECK_STR(rs.content_type, "application/json");
    done(&rs);
    CHECK_EQ(get("GET", "/api/v1/modules", &rs), 200);
    CHECK(strstr(
        body(&rs),
        "{\"name\": \"router\", \"summary\": \"Routing \\\"plane\\\"\", \"state\": \"waiting\"}"));
    done(&rs);
    CHECK_EQ(get("GET", "/api/v1/routes", &rs), 200);
    CHECK(strstr(body(&rs),
                 "\"name\": \"health\", \"method\": \"GET\", \"pattern\": \"/api/v1/health\""));
    CHECK(strstr(body(&rs), "\"name\": \"echo\", \"method\": \"ANY\""));
    done(&rs);
    CHECK_EQ(get("GET", "/metrics", &rs), 200);
    CHECK(strstr(body(&rs), "anx_route_requests_total{route=\"health\"} 1\n"));
    done(&rs);
    CHECK_EQ(get("GET", "/no/such/file", &rs), 404); /* static: empty archive */
    done(&rs);
    CHECK_EQ(get("GET", "/../etc/passwd", &rs), 400);
    done(&rs);
    CHECK_EQ(get("POST", "/api/v1/health", &rs), 405);
    done(&rs);
    struct rt_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.path = "/api/v1/echo";
    rq.path_len = 12;
    rq.body = "hello";
    rq.body_len = 5;
    memset(&rs, 0, sizeof rs);
    rt_dispatch(&rq, &rs);
    CHECK_EQ(rs.status, 200);
    CHECK_STR(body(&rs), "hello");
    done(&rs);
}

/* A module that failed to start: health says "degraded" with 503 and
 * names it with its reason; /api/v1/modules shows its state. An engine
 * that is down alone is "degraded" with 200. */
TEST(health_reports_failed_modules)
{
    setup();
    rt_builtin_init("");
    rt_route_add("b-route", "GET", "/b", RT_FIRST_HEALTHY, "b");
    struct rt_response rs;
    CHECK_EQ(get("GET", "/api/v1/health", &rs), 200);
    CHECK(strstr(body(&rs), "\"status\": \"ok\""));
    CHECK(strstr(body(&rs), "\"failed\": []}"));
    done(&rs);
    b_healthy = false;
    CHECK_EQ(get("GET", "/api/v1/health", &rs), 200);
    CHECK(strstr(body(&rs), "\"status\": \"degraded\""));
    CHECK(strstr(body(&rs), "\"b\": false"));
    done(&rs);
    b_healthy = true;
    anx_module_fail("net", ANX_ENOMEM, "net: out of memory for %d buffers", 64);
    CHECK_EQ(get("GET", "/api/v1/health", &rs), 503);
    CHECK(strstr(body(&rs), "\"status\": \"degraded\""));
    CHECK(strstr(
        body(&rs),
        "\"failed\": [{\"module\": \"net\", \"error\": -2, \"error_text\": \"out of memory\", "
        "\"reason\": \"net: out of memory for 64 buffers\"}]}"));
    CHECK_STR(rs.content_type, "application/json");
    done(&rs);
    CHECK_EQ(get("GET", "/api/v1/modules", &rs), 200);
    CHECK(strstr(
        body(&rs),
        "{\"name\": \"net\", \"summary\": \"TCP/IP\", \"state\": \"failed\", \"error\": -2, "
        "\"error_text\": \"out of memory\", \"reason\": \"net: out of memory for 64 buffers\"}"));
    done(&rs);
}

TEST(routes_config_items)
{
    setup();
    char err[200] = "";
    CHECK_EQ(rt_route_config(" GET /x -> a ", err, sizeof err), 0);
    CHECK_EQ(rt_route_config("POST /y/{id} -> b,c round-robin", err, sizeof err), 0);
    CHECK_EQ(rt_route_config("api: ANY /api/* -> c, a fallback", err, sizeof err), 0);
    struct rt_route *r = rt_route_first();
    CHECK(r && !strcmp(r->name, "/x") && !strcmp(r->method, "GET") && r->nengines == 1);
    r = r ? rt_route_next(r) : NULL;
    CHECK(r && !strcmp(r->pattern, "/y/{id}") && r->policy == RT_ROUND_ROBIN && r->nengines == 2);
    r = r ? rt_route_next(r) : NULL;
    CHECK(r && !strcmp(r->name, "api") && !strcmp(r->method, "*") && r->policy == RT_FALLBACK &&
          r->nengines == 2 && !strcmp(r->engine_names[1], "a"));
    CHECK_EQ(rt_route_config("GET /x a", err, sizeof err), -1);
    CHECK(strstr(err, "expected 'METHOD PATTERN -> ENGINE"));
    CHECK_EQ(rt_route_config("GET x -> a", err, sizeof err), -1);
    CHECK(strstr(err, "invalid path pattern 'x'"));
    CHECK_EQ(rt_route_config("get /x -> a", err, sizeof err), -1);
    CHECK(strstr(err, "invalid method 'get'"));
    CHECK_EQ(rt_route_config("", err, sizeof err), -1);
    CHECK_EQ(rt_route_config("GET /x -> a b c d e f g h i", err, sizeof err), -1);
    CHECK(strstr(err, "more than 8 engines"));
    CHECK_EQ(rt_route_config("GET /x -> ,", err, sizeof err), -1);
    CHECK(strstr(err, "names no engine"));
}

/* The upstream syntax (route_spec.c): what anx checks and router_init uses. */
TEST(upstream_spec)
{
    struct rt_upstream_spec u;
    char err[200] = "";
    CHECK_EQ(rt_upstream_spec_parse("peer=10.0.2.2:9000/h", 20, &u, err, sizeof err), 0);
    CHECK(!strcmp(u.name, "peer") && !strcmp(u.host, "10.0.2.2") && u.port == 9000 &&
          !strcmp(u.health_path, "/h"));
    CHECK_EQ(rt_upstream_spec_parse(" api=example.org:80 ", 20, &u, err, sizeof err), 0);
    CHECK(!strcmp(u.host, "example.org") && !strcmp(u.health_path, RT_DEFAULT_HEALTH_PATH));
    CHECK_EQ(rt_upstream_spec_parse("peer=h:0", 8, &u, err, sizeof err), -1);
    CHECK(strstr(err, "invalid port '0'"));
    CHECK_EQ(rt_upstream_spec_parse("peer=h:65536", 12, &u, err, sizeof err), -1);
    CHECK(strstr(err, "invalid port '65536'"));
    CHECK_EQ(rt_upstream_spec_parse("peer:80", 7, &u, err, sizeof err), -1);
    CHECK(strstr(err, "expected 'NAME=HOST:PORT"));
    CHECK_EQ(rt_upstream_spec_parse("peer=a b:80", 11, &u, err, sizeof err), -1);
    CHECK(strstr(err, "invalid host 'a b'"));
    CHECK_EQ(rt_upstream_spec_parse("a;b=h:80", 8, &u, err, sizeof err), -1);
    CHECK(strstr(err, "invalid upstream name 'a;b'"));
}

/* A store (a named-data provider) in front of the files: what was PUT is
 * what the site serves, with the object's id as ETag. */
static int store_state; /* 0 open, 1 opening */
static int store_calls;
static int store_get(const char *module, const char *name, struct anx_data *out)
{
    store_calls++;
    CHECK_STR(module, "router");
    if (store_state == 1)
        return ANX_EAGAIN;
    if (!strcmp(name, "www/index.html") || !strcmp(name, "www/notes")) {
        const char *text = name[4] == 'i' ? "<h1>PUT</h1>" : "plain notes";
        char *p = malloc(strlen(text));
        memcpy(p, text, strlen(text));
        out->data = p;
        out->size = strlen(text);
        out->owned = true;
        out->has_sha256 = true;
        memset(out->sha256, 0x5a, 32);
        strlcpy(out->type, name[4] == 'i' ? "application/x-www-form-urlencoded" : "text/plain",
                sizeof out->type);
        return 0;
    }
    if (!strcmp(name, "www/broken.html"))
        return ANX_ECORRUPT;
    return ANX_ENOENT;
}
static struct anx_data_provider store = { .name = "store", .get = store_get };

TEST(static_pages_from_the_store)
{
    setup();
    rt_builtin_init("/www");
    anx_data_provider_register(&store);
    struct rt_response rs;
    CHECK_EQ(get("GET", "/", &rs), 200);
    CHECK_STR(body(&rs), "<h1>PUT</h1>");
    CHECK_STR(rs.content_type, "text/html; charset=utf-8"); /* by extension, not the PUT's type */
    CHECK(rs.headers.p && strstr(rs.headers.p, "ETag: \"5a5a5a5a5a5a5a5a\"\r\n"));
    done(&rs);
    CHECK_EQ(get("GET", "/notes", &rs), 200);
    CHECK_STR(body(&rs), "plain notes");
    CHECK_STR(rs.content_type, "text/plain"); /* no extension: the stored type */
    done(&rs);
    struct rt_request rq;
    memset(&rq, 0, sizeof rq);
    struct rt_kv h = { "If-None-Match", 13, "\"5a5a5a5a5a5a5a5a\"", 18 };
    rq.method = "GET";
    rq.path = "/index.html";
    rq.path_len = 11;
    rq.headers = &h;
    rq.nheaders = 1;
    memset(&rs, 0, sizeof rs);
    rt_dispatch(&rq, &rs);
    CHECK_EQ(rs.status, 304);
    done(&rs);
    CHECK_EQ(get("GET", "/broken", &rs), 500);
    CHECK_STR(body(&rs),
              "internal error: the stored page cannot be read: damaged data (the log says more)\n");
    done(&rs);
    CHECK_EQ(get("GET", "/absent", &rs), 404); /* neither store nor files */
    done(&rs);
    store_state = 1;
    CHECK_EQ(get("GET", "/", &rs), 503);
    CHECK(rs.headers.p && strstr(rs.headers.p, "Retry-After: 1\r\n"));
    done(&rs);
    store_state = 0;
    /* a router not granted www/ serves the image's files only: the store is
     * not asked (no refusal logged per request) */
    router_reads[0] = NULL;
    store_calls = 0;
    CHECK_EQ(get("GET", "/", &rs), 404);
    CHECK_EQ(store_calls, 0);
    done(&rs);
    router_reads[0] = "www/";
}

TEST(static_paths)
{
    char out[128];
    CHECK_EQ(rt_static_path("/www", "/", 1, out, sizeof out), 0);
    CHECK_STR(out, "/www/");
    CHECK_EQ(rt_static_path("/www/", "/a/b.css", 8, out, sizeof out), 0);
    CHECK_STR(out, "/www/a/b.css");
    CHECK_EQ(rt_static_path("/www", "/a%20b", 6, out, sizeof out), 0);
    CHECK_STR(out, "/www/a b");
    CHECK_EQ(rt_static_path("/www", "//a", 3, out, sizeof out), 0);
    CHECK_STR(out, "/www/a");
    CHECK_EQ(rt_static_path("/www", "/..", 3, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/a/../../x", 10, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/%2e%2e/x", 9, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/./x", 4, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/a%00", 5, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/a%2", 4, out, sizeof out), -1);
    CHECK_EQ(rt_static_path("/www", "/..a", 4, out, sizeof out), 0);
    CHECK_STR(rt_content_type("/www/index.html"), "text/html; charset=utf-8");
    CHECK_STR(rt_content_type("/www/style.CSS"), "text/css; charset=utf-8");
    CHECK_STR(rt_content_type("/www/blob"), "application/octet-stream");
}

TEST(upstream_head)
{
    struct rt_upstream_head h;
    const char ok[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
    CHECK_EQ(rt_parse_upstream_head(ok, sizeof ok - 1, &h), 1);
    CHECK_EQ(h.status, 200);
    CHECK_EQ(h.content_length, 5);
    CHECK_EQ(h.head_len, sizeof ok - 6);
    CHECK_STR(h.content_type, "text/html");
    CHECK_EQ(rt_parse_upstream_head(ok, 20, &h), 0);
    const char ch[] = "HTTP/1.0 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK_EQ(rt_parse_upstream_head(ch, sizeof ch - 1, &h), 1);
    CHECK(h.chunked && h.close && h.status == 404 && h.content_length == -1);
    CHECK_EQ(rt_parse_upstream_head("HTTP/1.1 20 OK\r\n\r\n", 18, &h), -1);
    CHECK_EQ(rt_parse_upstream_head("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 38, &h), -1);
    CHECK_EQ(rt_parse_upstream_head("HTTP/1.1 200 OK\nX: y\r\n\r\n", 24, &h), -1);
    CHECK_EQ(rt_parse_upstream_head("HTTP/1.1 204 No Content\r\n\r\n", 27, &h), 1);
    CHECK_EQ(h.content_length, 0);
    char body[] = "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: v\r\n\r\n";
    CHECK_EQ(rt_dechunk(body, sizeof body - 1), 11);
    CHECK(!memcmp(body, "hello world", 11));
    char bad[] = "5\r\nhell\r\n0\r\n\r\n";
    CHECK_EQ(rt_dechunk(bad, sizeof bad - 1), -1);
    char bad2[] = "zz\r\n";
    CHECK_EQ(rt_dechunk(bad2, sizeof bad2 - 1), -1);
}

int main(void)
{
    /* the core heap on a host arena */
    unit_heap_init(32u << 20);
    RUN(match_literal_params_wildcard);
    RUN(bad_patterns_rejected);
    RUN(most_specific_route_wins);
    RUN(not_found_and_method_not_allowed);
    RUN(params_reach_the_engine);
    RUN(first_healthy_skips_down_engines);
    RUN(round_robin_rotates_among_healthy);
    RUN(fallback_tries_the_next_on_failure);
    RUN(first_healthy_engine_error_is_502_and_counted);
    RUN(metrics_text_format);
    RUN(metrics_memory_gauges);
    RUN(json_escaping);
    RUN(engine_and_stream_errors);
    RUN(builtin_endpoints);
    RUN(routes_config_items);
    RUN(upstream_spec);
    RUN(health_reports_failed_modules);
    RUN(static_paths);
    RUN(static_pages_from_the_store);
    RUN(upstream_head);
    return unit_done();
}
