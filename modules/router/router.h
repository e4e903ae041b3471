/*
 * router.h - the routing plane: named routes (method + path pattern) lead to
 * engines that modules register; httpd hands every request to rt_dispatch().
 *
 * A module that serves requests registers an engine once (at init):
 *
 *     static int echo_handle(struct rt_engine *e, const struct rt_request *rq,
 *                            struct rt_response *rs)
 *     {
 *         rs->status = 200;
 *         rs->content_type = "application/octet-stream";
 *         anx_buf_add(&rs->out, rq->body, rq->body_len);   (or rs->body = ...)
 *         return 0;
 *     }
 *     static struct rt_engine echo = { .name = "echo", .handle = echo_handle };
 *     rt_engine_register(&echo);
 *     rt_route_add("echo", "POST", "/api/v1/echo", RT_FIRST_HEALTHY, "echo");
 *
 * Patterns: literal segments, `{name}` segments (one segment, bound in
 * rq->params) and a final `*` (any rest, also empty; bound as param "*").
 * When several routes match, the most specific wins: no params and no `*`
 * first, then params, then `*`; within a class the longer literal prefix;
 * then the earlier route.  A path that matches only routes of other methods
 * gets 405 with Allow.  GET routes also answer HEAD.
 *
 * A handler returns 0 with rs filled, or a negative error: the route counts
 * an error and the policy decides (fallback tries the next engine).  A status
 * >= 500 also counts as an error and lets fallback go on.
 *
 * Streaming (server-sent events, large bodies): a handler calls
 * rt_stream_begin() and then rt_stream_write() as often as it likes; httpd
 * sends the body chunked (HTTP/1.1) or close-delimited (HTTP/1.0).
 */
#ifndef ANX_ROUTER_H
#define ANX_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/buf.h>

/* Bodies, header lines and JSON are built in the core's growable buffer,
 * struct anx_buf (<anx/buf.h>: anx_buf_add, anx_buf_puts, anx_buf_printf;
 * out of memory is sticky in .oom, which httpd turns into a 500). */

/* Append a JSON string literal (quotes included) of s[0..n) (json_str.c):
 * ", \ and controls escaped, valid UTF-8 passed through, each byte that
 * does not start a valid sequence written as U+FFFD. */
void rt_json_str(struct anx_buf *b, const char *s, size_t n);
/* Length of the valid UTF-8 sequence at s[0..n) (no overlong forms, no
 * surrogates, at most U+10FFFF), or 0 if invalid or incomplete. */
size_t rt_utf8_len(const unsigned char *s, size_t n);

/* ---- requests and responses --------------------------------------------- */

struct rt_kv {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

#define RT_MAX_PARAMS 8

struct rt_request {
    const char *method; /* "GET" (NUL-terminated) */
    const char *path;   /* without the query, percent-decoded not */
    size_t path_len;
    const char *query; /* after '?', or NULL */
    size_t query_len;
    struct rt_kv params[RT_MAX_PARAMS]; /* filled by the router */
    size_t nparams;
    const struct rt_kv *headers;
    size_t nheaders;
    const void *body;
    size_t body_len;
    const char *route; /* name of the matched route (set by the router) */
    const char *who;   /* the caller a guard identified (a key's credential name), or NULL */
    const char *peer;  /* the client's address ("10.0.2.2"), or NULL */
};

struct rt_response;
/* Set by the server so handlers can stream; NULL when streaming is impossible. */
struct rt_stream_ops {
    int (*begin)(struct rt_response *rs); /* status, content type, headers */
    int (*write)(struct rt_response *rs, const void *data, size_t n);
};

struct rt_response {
    int status;               /* 0 = 200 */
    const char *content_type; /* NULL = text/plain; charset=utf-8 */
    const void *body;         /* static or long-lived body, or NULL: out */
    size_t body_len;
    struct anx_buf out;     /* the body when body == NULL; freed by the server */
    struct anx_buf headers; /* extra header lines, each ending in CRLF */
    bool streamed;          /* rt_stream_begin() was called */
    const struct rt_stream_ops *stream;
    void *stream_ctx;
};

/* Set status, content type and a NUL-terminated text body. */
void rt_reply(struct rt_response *rs, int status, const char *ctype, const char *text);
/* Adds "Name: value" CRLF to rs->headers. */
void rt_add_header(struct rt_response *rs, const char *name, const char *value);
/* 0, or ANX_ENOTSUP (the server cannot stream this response), ANX_EINVAL
 * (begun twice, or a write before begin), or the server's error (negative:
 * the client went away). */
int rt_stream_begin(struct rt_response *rs);
int rt_stream_write(struct rt_response *rs, const void *data, size_t n);

/* Case-insensitive header / param lookup: the value (not NUL-terminated) or NULL. */
const char *rt_header(const struct rt_request *rq, const char *name, size_t *len);
const char *rt_param(const struct rt_request *rq, const char *name, size_t *len);

/* ---- engines ---------------------------------------------------------------- */

struct rt_engine {
    const char *name;
    int (*handle)(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs);
    bool (*healthy)(struct rt_engine *e); /* NULL = always healthy */
    void *priv;
    /* kept by the router */
    uint64_t requests, errors;
    struct rt_engine *next;
};
/* 0, ANX_EEXIST (the name is taken) or ANX_EINVAL (no name or handle). */
int rt_engine_register(struct rt_engine *e);
struct rt_engine *rt_engine_find(const char *name);
struct rt_engine *rt_engine_first(void);
bool rt_engine_healthy(struct rt_engine *e);

/* ---- routes ------------------------------------------------------------------ */

enum rt_policy { RT_FIRST_HEALTHY, RT_ROUND_ROBIN, RT_FALLBACK };
const char *rt_policy_name(enum rt_policy p);
int rt_policy_parse(const char *s, size_t n, enum rt_policy *out);

#define RT_MAX_ENGINES 8
#define RT_HIST_BUCKETS 10 /* + the +Inf bucket */
extern const uint64_t rt_hist_bounds_us[RT_HIST_BUCKETS];

struct rt_route {
    char *name;
    char *method; /* "GET", or "*" for any */
    char *pattern;
    enum rt_policy policy;
    char *engine_names[RT_MAX_ENGINES]; /* resolved lazily, so order of init does not matter */
    size_t nengines;
    unsigned rr_next;
    /* metrics */
    uint64_t count, errors;
    uint64_t hist[RT_HIST_BUCKETS + 1];
    uint64_t latency_sum_us;
    /* private */
    int klass;
    size_t literal_len;
    unsigned seq;
    struct rt_route *next;
};

/* Add a route; engines is a comma-separated list of engine names.  Returns
 * the route or NULL (bad pattern/method, out of memory) with *err set. */
struct rt_route *rt_route_add(const char *name, const char *method, const char *pattern,
                              enum rt_policy policy, const char *engines);
/* Add one item of the manifest's `routes:` list, "[NAME:] METHOD PATTERN
 * -> ENGINE[,ENGINE...] [POLICY]".  0, or -1 with a message in err. */
int rt_route_config(const char *item, char *err, size_t errlen);
/* The route and engine lists in registration order (metrics.c walks them). */
struct rt_route *rt_route_first(void);
struct rt_route *rt_route_next(struct rt_route *r);

/* Pattern matching alone (for tests): fills params, returns whether it matches. */
bool rt_match(const char *pattern, const char *path, size_t path_len, struct rt_kv *params,
              size_t *nparams);

/* Handle one request: find the route, apply its policy, time it, count it.
 * Always fills rs (404/405/503 ... when nothing handles it). */
void rt_dispatch(struct rt_request *rq, struct rt_response *rs);

/* A guard sees every request that found its route, before any engine:
 * it returns true to let it through, or false after answering it (401,
 * 403, 429 ...); the answer is counted on the route. One guard (the
 * apikey module's); NULL removes it. The guard sets rq->who to name the
 * caller it identified (a key's credential name, never a secret): the router then
 * records every request of such a caller that is not a GET or HEAD in the
 * audit trail (<anx/audit.h>) with its status. */
typedef bool (*rt_guard_fn)(struct rt_request *rq, struct rt_response *rs);
void rt_guard_set(rt_guard_fn fn);
/* One audit event for a request: who, its method, its path, result, its peer. */
void rt_audit(const struct rt_request *rq, const char *who, const char *result);

/* ---- metrics ------------------------------------------------------------------- */

/* Modules add their own lines to /metrics (Prometheus text format). */
struct rt_metrics_source {
    void (*emit)(struct anx_buf *b, void *arg);
    void *arg;
    struct rt_metrics_source *next;
};
void rt_metrics_register(struct rt_metrics_source *s);
void rt_metrics_reset(void);   /* forget every source (rt_reset calls it) */
void rt_metrics_text(struct anx_buf *b); /* the whole /metrics body */
void rt_routes_json(struct anx_buf *b);  /* the /api/v1/routes body */

/* ---- set-up (router.c's module init calls these) ------------------------- */
void rt_builtin_init(
    const char *static_prefix); /* health, modules, routes, metrics, static, echo */
void rt_reset(void);            /* tests: forget every route, engine and source */

/* ---- the remote engine (remote.c) ------------------------------------------- */

/* One item of the manifest's `upstreams:` list, "NAME=HOST:PORT[/HEALTH-PATH]":
 * an engine that forwards requests to HOST:PORT and probes HEALTH-PATH
 * periodically.  0, or -1 with a message in err. */
int rt_upstream_config(const char *item, char *err, size_t errlen);

/* ---- the syntax of config items (route_spec.c) --------------------------------
 * Pure, so anx compiles the same code and checks each item at `anx check`. */

bool rt_method_ok(const char *method);
/* Validates a pattern; computes its class and literal length.  0 or -1. */
int rt_pattern_check(const char *pattern, int *klass, size_t *literal);

struct rt_route_spec {
    char line[512];   /* the item, split into words in place */
    const char *name; /* NULL: the route is named by its pattern */
    const char *method, *pattern;
    char engines[256]; /* "a,b," as rt_route_add takes them */
    size_t nengines;
    enum rt_policy policy;
};
/* One `routes:` item s[0..n): 0, or -1 with what is wrong in err. */
int rt_route_spec_parse(const char *s, size_t n, struct rt_route_spec *rs, char *err,
                        size_t errlen);

#define RT_DEFAULT_HEALTH_PATH "/api/v1/health"
struct rt_upstream_spec {
    char name[32];
    char host[64];
    uint16_t port;
    char health_path[96]; /* RT_DEFAULT_HEALTH_PATH when the item gives none */
};
/* One `upstreams:` item s[0..n): 0, or -1 with what is wrong in err. */
int rt_upstream_spec_parse(const char *s, size_t n, struct rt_upstream_spec *u, char *err,
                           size_t errlen);

/* Parse an upstream's HTTP/1.x response head (for the remote engine and its
 * tests): status, header block length, content length (-1 = none/close),
 * chunked.  Returns 1 complete, 0 need more, -1 malformed. */
struct rt_upstream_head {
    int status;
    size_t head_len;
    int64_t content_length;
    bool chunked;
    bool close;
    char content_type[96];
};
int rt_parse_upstream_head(const char *data, size_t n, struct rt_upstream_head *h);
/* Decode a complete chunked body in place: its length, or -1 if malformed. */
long rt_dechunk(char *data, size_t n);

/* Static pages (builtins.c): GET PREFIX/x is the named data "PREFIX/x"
 * without its leading '/' (<anx/data.h>: the object store's object when the
 * image has one), else the image file "PREFIX/x"; see docs/router.md.
 * For tests: the content type of a path, and the archive path of a URL
 * path under prefix (-1 for paths escaping it). */
const char *rt_content_type(const char *path);
int rt_static_path(const char *prefix, const char *p, size_t n, char *out, size_t outlen);

#endif
