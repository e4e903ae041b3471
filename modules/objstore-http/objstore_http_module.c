/*
 * objstore_http_module.c - the object store over HTTP (module objstore-http): one
 * router engine "objstore" and its routes.
 *
 *   GET    /api/v1/objects[?prefix=P]      current version of every name (JSON)
 *   GET    /api/v1/objects/NAME            content; ETag "ID", X-Object-Version,
 *                                          If-None-Match -> 304; ?version=N
 *   PUT    /api/v1/objects/NAME            body -> new version (Content-Type kept);
 *                                          If-Match "ID" -> 412 unless current
 *   DELETE /api/v1/objects/NAME            204
 *   GET    /api/v1/objects/NAME/versions   history with provenance (JSON)
 *   GET    /api/v1/blobs/ID                content by object id
 */
#define LOG_TAG "objstore-http"
#define SELF "objstore-http"      /* this module, as the object store's grants name it */
#include <anx/feed.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>
#include "objstore.h"   /* the objstore module's API (this module depends on it) */
#include "router.h"     /* the router module's API */

static int status_of(int err)
{
    switch (err) {
    case ANX_ENOENT: return 404;
    case ANX_EINVAL: return 400;
    case ANX_EDQUOT: case ANX_ENOSPC: return 507;
    case ANX_EROFS: case ANX_EPERM: return 403;    /* read-only, or not granted */
    case ANX_EAGAIN: case ANX_EBROKEN: return 503;
    }
    return 500;
}

static int fail(struct rt_response *rs, int err)
{
    rs->status = status_of(err);
    rs->content_type = "application/json";
    anx_buf_printf(&rs->out, "{\"error\": \"%s\"}\n", anx_strerror(err));
    return 0;
}

static void etag(struct rt_response *rs, const char *id)
{
    char tag[70];
    snprintf(tag, sizeof(tag), "\"%s\"", id);
    rt_add_header(rs, "ETag", tag);
}

/* does header h of rq hold the tag "id" (or *)? */
static bool tag_match(const struct rt_request *rq, const char *h, const char *id, bool *present)
{
    size_t n;
    const char *v = rt_header(rq, h, &n);
    *present = v != NULL;
    if (!v)
        return false;
    if (n == 1 && v[0] == '*')
        return true;
    for (size_t i = 0; i + 64 <= n; i++)
        if (!memcmp(v + i, id, 64))
            return true;
    return false;
}

static const char *type_of(const struct objstore_version *v)
{
    for (int i = 0; i < v->nmeta; i++)
        if (!strcmp(v->key[i], "type"))
            return v->value[i];
    return NULL;
}

static void json_version(struct anx_buf *b, const struct objstore_version *v)
{
    anx_buf_puts(b, "{\"name\": ");
    rt_json_str(b, v->name, strlen(v->name));
    anx_buf_printf(b, ", \"version\": %u, \"id\": \"%s\", \"size\": %llu, \"time_ns\": %llu, \"writer\": ",
                  (unsigned)v->no, v->id, (unsigned long long)v->size, (unsigned long long)v->time_ns);
    rt_json_str(b, v->writer, strlen(v->writer));
    anx_buf_printf(b, ", \"manifest\": \"%s\", \"parents\": [", v->manifest);
    for (int i = 0; i < v->nparents; i++)
        anx_buf_printf(b, "%s%u", i ? ", " : "", (unsigned)v->parents[i]);
    anx_buf_puts(b, "], \"meta\": {");
    for (int i = 0; i < v->nmeta; i++) {
        anx_buf_puts(b, i ? ", " : "");
        rt_json_str(b, v->key[i], strlen(v->key[i]));
        anx_buf_puts(b, ": ");
        rt_json_str(b, v->value[i], strlen(v->value[i]));
    }
    anx_buf_printf(b, "}, \"layer\": \"%s\"}", v->base ? "base" : "writable");
}

struct list_ctx { struct anx_buf *b; int n; };

static int list_one(const struct objstore_version *v, void *arg)
{
    struct list_ctx *c = arg;
    anx_buf_puts(c->b, c->n++ ? ",\n  " : "\n  ");
    json_version(c->b, v);
    return 0;
}

/* value of ?key=... (not decoded) into out */
static bool query(const struct rt_request *rq, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    const char *q = rq->query;
    size_t n = rq->query ? rq->query_len : 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && q[e] != '&')
            e++;
        if (e - i > kl && !memcmp(q + i, key, kl) && q[i + kl] == '=') {
            size_t vl = e - i - kl - 1;
            if (vl >= outlen)
                return false;
            memcpy(out, q + i + kl + 1, vl);
            out[vl] = 0;
            return true;
        }
        i = e + 1;
    }
    return false;
}

/* Whether the query has key, with or without a value (?watch). */
static bool has_query(const struct rt_request *rq, const char *key)
{
    size_t kl = strlen(key), n = rq->query ? rq->query_len : 0;
    const char *q = rq->query;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && q[e] != '&')
            e++;
        if (e - i >= kl && !memcmp(q + i, key, kl) && (e - i == kl || q[i + kl] == '='))
            return true;
        i = e + 1;
    }
    return false;
}

/* One event of the change feed as server-sent event text. Names are
 * object names (letters, digits, . _ - /): JSON without escapes. */
static int sse_event(const struct anx_feed_event *ev, char *out, size_t n)
{
    if (ev->kind == ANX_FEED_LOST)
        return snprintf(out, n, "event: lost\ndata: {\"lost\": %llu}\n\n", (unsigned long long)ev->lost);
    if (ev->kind == ANX_FEED_DELETE)
        return snprintf(out, n, "id: %llu\nevent: delete\ndata: {\"name\": \"%s\"}\n\n",
                        (unsigned long long)ev->seq, ev->name);
    return snprintf(out, n, "id: %llu\nevent: version\ndata: {\"name\": \"%s\", \"version\": %u, \"id\": \"%s\"}\n\n",
                    (unsigned long long)ev->seq, ev->name, (unsigned)ev->version, ev->id);
}

#define WATCH_KEEPALIVE_NS (15 * ANX_NS_PER_S)

/* GET /api/v1/objects/PREFIX?watch, GET /api/v1/objects?watch[&prefix=P]:
 * the change feed of the names under PREFIX (that this module may read) as
 * server-sent events, until the client goes away, which the next event or
 * the keep-alive comment every 15 s finds out. No history: a client that
 * reconnects, or gets `event: lost` (its queue of watch_depth events
 * overflowed while it read slowly; the oldest were dropped), lists the
 * prefix again. Writers never wait for a watcher (<anx/feed.h>). */
static int watch(struct rt_response *rs, const char *prefix)
{
    struct anx_feed_sub *s;
    int rc = anx_feed_subscribe(SELF, prefix, CONFIG_OBJSTORE_HTTP_WATCH_DEPTH, &s);
    if (rc)
        return fail(rs, rc);
    rs->status = 200;
    rs->content_type = "text/event-stream";
    rt_add_header(rs, "Cache-Control", "no-cache");
    rc = rt_stream_begin(rs);
    if (rc) {
        anx_feed_unsubscribe(s);
        return rc == ANX_ENOTSUP ? fail(rs, rc) : 0;
    }
    char text[400];
    int n = snprintf(text, sizeof text, "retry: 2000\n: watching '%s'\n\n", prefix);
    for (rc = rt_stream_write(rs, text, (size_t)n); rc >= 0; rc = rt_stream_write(rs, text, (size_t)n)) {
        struct anx_feed_event ev;
        n = anx_feed_next(s, &ev, WATCH_KEEPALIVE_NS) ? snprintf(text, sizeof text, ": keep-alive\n\n")
                                                       : sse_event(&ev, text, sizeof text);
    }
    anx_feed_unsubscribe(s);
    return 0;
}

static int send_content(const struct rt_request *rq, struct rt_response *rs, const char *id,
                        void *data, size_t len, const char *type)
{
    bool present;
    etag(rs, id);
    if (tag_match(rq, "If-None-Match", id, &present)) {
        anx_free(data);
        rs->status = 304;
        return 0;
    }
    rs->status = 200;
    rs->content_type = type ? type : "application/octet-stream";
    anx_buf_add(&rs->out, data, len);
    anx_free(data);
    return rs->out.oom ? fail(rs, ANX_ENOMEM) : 0;
}

static int handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    size_t pl;
    const char *p = rt_param(rq, "*", &pl);
    char name[256];
    if (!p) {                                         /* GET /api/v1/objects */
        char prefix[201] = "";
        query(rq, "prefix", prefix, sizeof(prefix));
        if (has_query(rq, "watch"))
            return watch(rs, prefix);
        struct list_ctx c = {&rs->out, 0};
        rs->content_type = "application/json";
        anx_buf_puts(&rs->out, "{\"objects\": [");
        int rc = os_list(SELF, prefix, list_one, &c);
        if (rc < 0) {           /* e.g. the disk is still opening: 503, not an empty list */
            anx_buf_free(&rs->out);
            return fail(rs, rc);
        }
        anx_buf_puts(&rs->out, c.n ? "\n]}\n" : "]}\n");
        return 0;
    }
    if (pl >= sizeof(name))
        return fail(rs, ANX_EINVAL);
    memcpy(name, p, pl);
    name[pl] = 0;

    if (!strcmp(rq->route, "objstore-blob")) {       /* GET /api/v1/blobs/ID */
        void *data;
        size_t len;
        int rc = os_get(SELF, name, &data, &len);
        if (rc)
            return fail(rs, rc);
        rt_add_header(rs, "Cache-Control", "public, max-age=31536000, immutable");
        return send_content(rq, rs, name, data, len, NULL);
    }

    bool get = !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
    if (!strcmp(rq->method, "GET") && has_query(rq, "watch"))
        return watch(rs, name);
    if (get && pl > 9 && !strcmp(name + pl - 9, "/versions")) {
        name[pl - 9] = 0;
        struct list_ctx c = {&rs->out, 0};
        anx_buf_puts(&rs->out, "{\"versions\": [");
        int rc = os_versions(SELF, name, list_one, &c);
        if (rc) {
            anx_buf_free(&rs->out);
            return fail(rs, rc);
        }
        rs->content_type = "application/json";
        anx_buf_puts(&rs->out, c.n ? "\n]}\n" : "]}\n");
        return 0;
    }
    if (get) {
        char vs[16];
        uint32_t no = query(rq, "version", vs, sizeof(vs)) ? (uint32_t)strtoul(vs, NULL, 10) : 0;
        struct objstore_version v;
        void *data;
        size_t len;
        int rc = os_read(SELF, name, no, &data, &len, &v);
        if (rc)
            return fail(rs, rc);
        char num[16];
        snprintf(num, sizeof(num), "%u", (unsigned)v.no);
        rt_add_header(rs, "X-Object-Version", num);
        return send_content(rq, rs, v.id, data, len, type_of(&v));
    }
    if (!strcmp(rq->method, "PUT")) {
        size_t iml;
        const char *im = rt_header(rq, "If-Match", &iml);
        if (im) {                             /* optimistic concurrency */
            struct objstore_version cur;
            bool have = os_read(SELF, name, 0, NULL, NULL, &cur) == 0, ok = false;
            if (iml == 1 && im[0] == '*')
                ok = have;
            for (size_t i = 0; have && !ok && i + 64 <= iml; i++)
                ok = !memcmp(im + i, cur.id, 64);
            if (!ok) {
                rs->status = 412;
                rs->content_type = "application/json";
                anx_buf_puts(&rs->out, "{\"error\": \"precondition failed: not the current version\"}\n");
                return 0;
            }
        }
        char type[201] = "";
        size_t tl;
        const char *t = rt_header(rq, "Content-Type", &tl);
        if (t && tl < sizeof(type)) {
            memcpy(type, t, tl);
            type[tl] = 0;
        }
        struct objstore_write_opts o = {.writer = "http", .type = type[0] ? type : NULL};
        struct objstore_version v;
        int rc = os_write(SELF, name, rq->body, rq->body_len, &o, &v);
        if (rc)
            return fail(rs, rc);
        rs->status = v.no == 1 ? 201 : 200;
        rs->content_type = "application/json";
        etag(rs, v.id);
        json_version(&rs->out, &v);
        anx_buf_puts(&rs->out, "\n");
        return 0;
    }
    if (!strcmp(rq->method, "DELETE")) {
        int rc = os_delete(SELF, name);
        if (rc)
            return fail(rs, rc);
        rs->status = 204;
        return 0;
    }
    rs->status = 405;
    return 0;
}

static struct rt_engine engine = {.name = "objstore", .handle = handle};

/* Its routes are in module.yaml (routes:); the router adds them. */
static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_printf(b,
                   "# HELP anx_feed_subscribers Change-feed subscribers (?watch streams and modules).\n"
                   "# TYPE anx_feed_subscribers gauge\nanx_feed_subscribers %zu\n"
                   "# HELP anx_feed_dropped_total Change-feed events dropped from full subscriber queues.\n"
                   "# TYPE anx_feed_dropped_total counter\nanx_feed_dropped_total %llu\n",
                   anx_feed_subscribers(), (unsigned long long)anx_feed_dropped());
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

static int objstore_http_init(void)
{
    rt_metrics_register(&metrics);
    return rt_engine_register(&engine) ? -1 : 0;
}

ANX_MODULE(objstore_http, .init = objstore_http_init);
