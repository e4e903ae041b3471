/*
 * router.c - routes, engines, policies and the per-route counters metrics.c
 * reports (see router.h).
 * Pure logic: no I/O, so the host tests exercise all of it.
 */
#include <stdarg.h>

#include <anx/audit.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/time.h>

#include "router.h"

static struct rt_engine *engines;
static struct rt_route *routes;
static unsigned route_seq;

/* ---- responses --------------------------------------------------------------- */

void rt_reply(struct rt_response *rs, int status, const char *ctype, const char *text)
{
    rs->status = status;
    rs->content_type = ctype;
    rs->body = NULL;
    anx_buf_reset(&rs->out);
    anx_buf_puts(&rs->out, text);
}

void rt_add_header(struct rt_response *rs, const char *name, const char *value)
{
    anx_buf_puts(&rs->headers, name);
    anx_buf_add(&rs->headers, ": ", 2);
    anx_buf_puts(&rs->headers, value);
    anx_buf_add(&rs->headers, "\r\n", 2);
}

int rt_stream_begin(struct rt_response *rs)
{
    if (!rs->stream)
        return ANX_ENOTSUP;
    if (rs->streamed)
        return ANX_EINVAL;
    if (!rs->status)
        rs->status = 200;
    rs->streamed = true;
    return rs->stream->begin(rs);
}

int rt_stream_write(struct rt_response *rs, const void *data, size_t n)
{
    if (!rs->streamed)
        return ANX_EINVAL;
    return rs->stream->write(rs, data, n);
}

static bool name_eq(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

const char *rt_header(const struct rt_request *rq, const char *name, size_t *len)
{
    for (size_t i = 0; i < rq->nheaders; i++)
        if (name_eq(rq->headers[i].name, rq->headers[i].name_len, name)) {
            if (len)
                *len = rq->headers[i].value_len;
            return rq->headers[i].value;
        }
    return NULL;
}

const char *rt_param(const struct rt_request *rq, const char *name, size_t *len)
{
    for (size_t i = 0; i < rq->nparams; i++)
        if (rq->params[i].name_len == strlen(name) &&
            !memcmp(rq->params[i].name, name, rq->params[i].name_len)) {
            if (len)
                *len = rq->params[i].value_len;
            return rq->params[i].value;
        }
    return NULL;
}

/* ---- engines ----------------------------------------------------------------- */

int rt_engine_register(struct rt_engine *e)
{
    if (!e->name || !e->handle)
        return ANX_EINVAL;
    if (rt_engine_find(e->name))
        return ANX_EEXIST;
    struct rt_engine **pp = &engines;
    while (*pp)
        pp = &(*pp)->next;
    e->next = NULL;
    *pp = e;
    return 0;
}

struct rt_engine *rt_engine_find(const char *name)
{
    for (struct rt_engine *e = engines; e; e = e->next)
        if (!strcmp(e->name, name))
            return e;
    return NULL;
}

bool rt_engine_healthy(struct rt_engine *e)
{
    return e && (!e->healthy || e->healthy(e));
}

/* ---- routes ----------------------------------------------------------------------- */

static void route_free(struct rt_route *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->method);
    free(r->pattern);
    for (size_t i = 0; i < r->nengines; i++)
        free(r->engine_names[i]);
    free(r);
}

struct rt_route *rt_route_add(const char *name, const char *method, const char *pattern,
                              enum rt_policy policy, const char *engine_list)
{
    int klass;
    size_t lit;
    if (!rt_method_ok(method) || rt_pattern_check(pattern, &klass, &lit))
        return NULL;
    struct rt_route *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->name = strdup(name && *name ? name : pattern);
    r->method = strdup(!strcmp(method, "ANY") ? "*" : method);
    r->pattern = strdup(pattern);
    r->policy = policy;
    r->klass = klass;
    r->literal_len = lit;
    r->seq = route_seq++;
    if (!r->name || !r->method || !r->pattern)
        goto fail;
    for (const char *s = engine_list; *s;) {
        while (*s == ',' || *s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if (e == s)
            break;
        if (r->nengines == RT_MAX_ENGINES)
            goto fail;
        if (!(r->engine_names[r->nengines++] = strndup(s, (size_t)(e - s))))
            goto fail;
        s = e;
    }
    if (r->nengines == 0)
        goto fail;
    /* replace a route of the same name */
    for (struct rt_route **pp = &routes; *pp; pp = &(*pp)->next)
        if (!strcmp((*pp)->name, r->name)) {
            struct rt_route *old = *pp;
            r->next = old->next;
            *pp = r;
            route_free(old);
            return r;
        }
    struct rt_route **pp = &routes;
    while (*pp)
        pp = &(*pp)->next;
    *pp = r;
    return r;
fail:
    route_free(r);
    return NULL;
}

struct rt_route *rt_route_first(void)
{
    return routes;
}

struct rt_engine *rt_engine_first(void)
{
    return engines;
}

struct rt_route *rt_route_next(struct rt_route *r)
{
    return r->next;
}

/* The manifest's items were checked by anx with the same parser
 * (route_spec.c); what can still fail here is memory. */
int rt_route_config(const char *item, char *err, size_t errlen)
{
    struct rt_route_spec rs;
    if (rt_route_spec_parse(item, strlen(item), &rs, err, errlen))
        return -1;
    if (!rt_route_add(rs.name, rs.method, rs.pattern, rs.policy, rs.engines)) {
        snprintf(err, errlen, "cannot add route '%s': out of memory", item);
        return -1;
    }
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------ */

const uint64_t rt_hist_bounds_us[RT_HIST_BUCKETS] = {
    100, 500, 1000, 5000, 10000, 50000, 100000, 500000, 1000000, 5000000,
};

static bool better(const struct rt_route *a, const struct rt_route *b)
{
    if (!b)
        return true;
    if (a->klass != b->klass)
        return a->klass < b->klass;
    if (a->literal_len != b->literal_len)
        return a->literal_len > b->literal_len;
    return a->seq < b->seq;
}

static bool method_matches(const char *route_m, const char *m)
{
    return !strcmp(route_m, "*") || !strcmp(route_m, m) ||
           (!strcmp(route_m, "GET") && !strcmp(m, "HEAD"));
}

static void record(struct rt_route *r, uint64_t us, bool error)
{
    r->count++;
    if (error)
        r->errors++;
    r->latency_sum_us += us;
    size_t i = 0;
    while (i < RT_HIST_BUCKETS && us > rt_hist_bounds_us[i])
        i++;
    r->hist[i]++;
}

static void reset_response(struct rt_response *rs)
{
    rs->status = 0;
    rs->content_type = NULL;
    rs->body = NULL;
    rs->body_len = 0;
    anx_buf_reset(&rs->out);
    anx_buf_reset(&rs->headers);
}

/* Runs one engine; true when it produced a good (non-5xx) answer. */
static bool run_engine(struct rt_engine *e, struct rt_request *rq, struct rt_response *rs)
{
    reset_response(rs);
    e->requests++;
    int rc = e->handle(e, rq, rs);
    if (!rs->status)
        rs->status = 200;
    if (rc < 0 || rs->status >= 500) {
        e->errors++;
        if (rc < 0 && !rs->streamed) {
            reset_response(rs);
            rt_reply(rs, 502, NULL, "bad gateway: the engine failed\n");
        }
        return false;
    }
    return true;
}

static bool apply_policy(struct rt_route *r, struct rt_request *rq, struct rt_response *rs)
{
    struct rt_engine *list[RT_MAX_ENGINES];
    size_t n = 0;
    for (size_t i = 0; i < r->nengines; i++) {
        struct rt_engine *e = rt_engine_find(r->engine_names[i]);
        if (e)
            list[n++] = e;
    }
    if (n == 0) {
        rt_reply(rs, 503, NULL, "service unavailable: no engine for this route\n");
        return false;
    }
    switch (r->policy) {
    case RT_FIRST_HEALTHY:
        for (size_t i = 0; i < n; i++)
            if (rt_engine_healthy(list[i]))
                return run_engine(list[i], rq, rs);
        break;
    case RT_ROUND_ROBIN:
        for (size_t k = 0; k < n; k++) {
            size_t i = (r->rr_next + k) % n;
            if (rt_engine_healthy(list[i])) {
                r->rr_next = (unsigned)((i + 1) % n);
                return run_engine(list[i], rq, rs);
            }
        }
        break;
    case RT_FALLBACK: {
        bool tried = false, ok = false;
        for (size_t i = 0; i < n; i++) {
            if (!rt_engine_healthy(list[i]) && i + 1 < n)
                continue; /* the last one is tried even when marked down */
            tried = true;
            if ((ok = run_engine(list[i], rq, rs)) || rs->streamed)
                return ok;
        }
        if (tried)
            return false;
        break;
    }
    }
    reset_response(rs);
    rt_reply(rs, 503, NULL, "service unavailable: no healthy engine\n");
    return false;
}

static rt_guard_fn guard;

void rt_audit(const struct rt_request *rq, const char *who, const char *result)
{
    char path[200];
    snprintf(path, sizeof path, "%.*s", (int)(rq->path_len < sizeof path - 1 ? rq->path_len : sizeof path - 1),
             rq->path);
    anx_audit(who, rq->method, path, result, rq->peer);
}

void rt_guard_set(rt_guard_fn fn)
{
    guard = fn;
}

void rt_dispatch(struct rt_request *rq, struct rt_response *rs)
{
    struct rt_route *best = NULL;
    bool path_seen = false;
    struct anx_buf allow = { 0 };
    for (struct rt_route *r = routes; r; r = r->next) {
        if (!rt_match(r->pattern, rq->path, rq->path_len, NULL, NULL))
            continue;
        if (!method_matches(r->method, rq->method)) {
            path_seen = true;
            if (!strstr(allow.p ? allow.p : "", r->method)) {
                if (allow.len)
                    anx_buf_puts(&allow, ", ");
                anx_buf_puts(&allow, r->method);
            }
            continue;
        }
        if (better(r, best))
            best = r;
    }
    if (!best) {
        if (path_seen) {
            rt_reply(rs, 405, NULL, "method not allowed\n");
            rt_add_header(rs, "Allow", allow.p ? allow.p : "");
        } else {
            rt_reply(rs, 404, NULL, "not found\n");
        }
        anx_buf_free(&allow);
        return;
    }
    anx_buf_free(&allow);
    rt_match(best->pattern, rq->path, rq->path_len, rq->params, &rq->nparams);
    rq->route = best->name;
    uint64_t t0 = anx_time_ns();
    if (guard && !guard(rq, rs)) {
        record(best, (anx_time_ns() - t0) / 1000, false);
        return;
    }
    bool ok = apply_policy(best, rq, rs);
    record(best, (anx_time_ns() - t0) / 1000, !ok);
    if (rq->who && strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
        /* an authenticated change: who, what, which path, the answer */
        char status[8];
        snprintf(status, sizeof status, "%d", rs->status ? rs->status : 200);
        rt_audit(rq, rq->who, status);
    }
}

void rt_routes_json(struct anx_buf *b)
{
    anx_buf_puts(b, "[");
    for (struct rt_route *r = routes; r; r = r->next) {
        anx_buf_puts(b, r == routes ? "\n  {\"name\": " : ",\n  {\"name\": ");
        rt_json_str(b, r->name, strlen(r->name));
        anx_buf_puts(b, ", \"method\": ");
        rt_json_str(b, strcmp(r->method, "*") ? r->method : "ANY",
                    strlen(strcmp(r->method, "*") ? r->method : "ANY"));
        anx_buf_puts(b, ", \"pattern\": ");
        rt_json_str(b, r->pattern, strlen(r->pattern));
        anx_buf_printf(b, ", \"policy\": \"%s\", \"engines\": [", rt_policy_name(r->policy));
        for (size_t i = 0; i < r->nengines; i++) {
            if (i)
                anx_buf_puts(b, ", ");
            rt_json_str(b, r->engine_names[i], strlen(r->engine_names[i]));
        }
        anx_buf_printf(b, "], \"requests\": %llu, \"errors\": %llu}", (unsigned long long)r->count,
                       (unsigned long long)r->errors);
    }
    anx_buf_puts(b, routes ? "\n]\n" : "]\n");
}

void rt_reset(void)
{
    while (routes) {
        struct rt_route *r = routes;
        routes = r->next;
        route_free(r);
    }
    engines = NULL;
    rt_metrics_reset();
    guard = NULL;
    route_seq = 0;
}
