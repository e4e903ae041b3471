/*
 * builtins.c - the engines and routes every router image has:
 *   GET /api/v1/health   {"status":"ok"|"degraded", uptime, engines' health,
 *                        failed modules}; 503 when a module failed
 *   GET /api/v1/modules  the image's modules (name, summary, state)
 *   GET /api/v1/routes   routes with policy, engines and counts
 *   GET /metrics         Prometheus text format
 *   ANY /api/v1/echo     echoes the request body (tests, benchmarks)
 *   GET /...             static pages under a prefix: objects of the store
 *                        (when the image has one), else the image's files
 */
#include <anx/data.h>
#include <anx/content_type.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

#define SELF "router"      /* this module, as the object store's grants name it */

#include "router.h"

static char static_prefix[64] = "/www";

static int health_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    rs->content_type = "application/json";
    uint64_t up = anx_uptime_ns();
    bool all = true;
    struct anx_buf eng = { 0 };
    for (struct rt_route *r = rt_route_first(); r; r = rt_route_next(r))
        for (size_t i = 0; i < r->nengines; i++) {
            struct rt_engine *x = rt_engine_find(r->engine_names[i]);
            bool h = rt_engine_healthy(x);
            char key[80];
            snprintf(key, sizeof key, "\"%s\":", r->engine_names[i]);
            if (eng.p && strstr(eng.p, key))
                continue;
            if (!h)
                all = false;
            anx_buf_puts(&eng, eng.len ? ", " : "");
            rt_json_str(&eng, r->engine_names[i], strlen(r->engine_names[i]));
            anx_buf_puts(&eng, h ? ": true" : ": false");
        }
    /* A module that failed to start makes this image unable to do its job:
     * 503, so a load balancer sends the traffic elsewhere. An engine that
     * is down (an upstream) is another machine's trouble: "degraded" but
     * 200, or one dead peer would take every image that routes to it out
     * of the pool too (docs/router.md). */
    size_t failed = anx_modules_failed();
    rs->status = failed ? 503 : 200;
    anx_buf_printf(&rs->out, "{\"status\": \"%s\", \"uptime_ms\": %llu, \"image\": ",
                   all && !failed ? "ok" : "degraded", (unsigned long long)(up / 1000000));
    rt_json_str(&rs->out, CONFIG_IMAGE_NAME, strlen(CONFIG_IMAGE_NAME));
    anx_buf_puts(&rs->out, ", \"platform\": ");
    rt_json_str(&rs->out, CONFIG_PLATFORM, strlen(CONFIG_PLATFORM));
    anx_buf_printf(&rs->out, ", \"engines\": {%s}, \"failed\": [", eng.p ? eng.p : "");
    for (size_t i = 0, k = 0; i < anx_module_count; i++) {
        struct anx_module_status st = anx_module_status(i);
        if (st.state != ANX_MODULE_FAILED)
            continue;
        anx_buf_puts(&rs->out, k++ ? ", {\"module\": " : "{\"module\": ");
        rt_json_str(&rs->out, anx_module_table[i].name, strlen(anx_module_table[i].name));
        anx_buf_printf(&rs->out, ", \"error\": %d, \"error_text\": \"%s\", \"reason\": ", st.error,
                       anx_strerror(st.error));
        rt_json_str(&rs->out, st.reason, strlen(st.reason));
        anx_buf_puts(&rs->out, "}");
    }
    anx_buf_puts(&rs->out, "]}\n");
    anx_buf_free(&eng);
    return 0;
}

static int modules_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    rs->content_type = "application/json";
    anx_buf_puts(&rs->out, "[");
    for (size_t i = 0; i < anx_module_count; i++) {
        const struct anx_module *m = &anx_module_table[i];
        anx_buf_puts(&rs->out, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
        rt_json_str(&rs->out, m->name, strlen(m->name));
        anx_buf_puts(&rs->out, ", \"summary\": ");
        rt_json_str(&rs->out, m->summary, strlen(m->summary));
        struct anx_module_status st = anx_module_status(i);
        anx_buf_printf(&rs->out, ", \"state\": \"%s\"", anx_module_state_name(st.state));
        if (st.state == ANX_MODULE_FAILED) {
            anx_buf_printf(&rs->out,
                           ", \"error\": %d, \"error_text\": \"%s\", \"reason\": ", st.error,
                           anx_strerror(st.error));
            rt_json_str(&rs->out, st.reason, strlen(st.reason));
        }
        anx_buf_puts(&rs->out, "}");
    }
    anx_buf_puts(&rs->out, anx_module_count ? "\n]\n" : "]\n");
    return 0;
}

static int routes_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    rs->content_type = "application/json";
    rt_routes_json(&rs->out);
    return 0;
}

static int metrics_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
    rt_metrics_text(&rs->out);
    return 0;
}

static int echo_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    size_t n;
    const char *ct = rt_header(rq, "Content-Type", &n);
    static char ctype[96];
    if (ct && n < sizeof ctype) {
        memcpy(ctype, ct, n);
        ctype[n] = 0;
        rs->content_type = ctype;
    } else {
        rs->content_type = "application/octet-stream";
    }
    anx_buf_add(&rs->out, rq->body, rq->body_len);
    return 0;
}

/* ---- static files -------------------------------------------------------------- */

const char *rt_content_type(const char *path)
{
    return anx_content_type(path, true);
}

/* Maps a URL path to "<prefix><path>", percent-decoded; -1 for paths that
 * try to leave the prefix (".." segments, NUL, backslash). */
int rt_static_path(const char *prefix, const char *p, size_t n, char *out, size_t outlen)
{
    size_t o = strlcpy(out, prefix, outlen);
    if (o >= outlen || n == 0 || p[0] != '/')
        return -1;
    while (o && out[o - 1] == '/')
        o--;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '%') {
            int h = i + 2 < n ? anx_hexval(p[i + 1]) : -1, l = i + 2 < n ? anx_hexval(p[i + 2]) : -1;
            if (h < 0 || l < 0)
                return -1;
            c = (char)(h * 16 + l);
            i += 2;
        }
        if (c == 0 || c == '\\')
            return -1;
        if (c == '/' && o && out[o - 1] == '/')
            continue; /* collapse "//" */
        if (o + 1 >= outlen)
            return -1;
        out[o++] = c;
        out[o] = 0;
        /* a finished segment of "." or ".." */
        if (c == '/' || i + 1 == n) {
            size_t end = c == '/' ? o - 1 : o, s = end;
            while (s && out[s - 1] != '/')
                s--;
            if ((end - s == 1 && out[s] == '.') ||
                (end - s == 2 && out[s] == '.' && out[s + 1] == '.'))
                return -1;
        }
    }
    out[o] = 0;
    return 0;
}

/* The current content of archive path P ("/www/x.html"): the named-data
 * providers first (the object store, where it is the object "www/x.html":
 * a PUT there changes the page), then the image's files. No compile-time
 * tie to the object store: without one, only the files answer. 1 found,
 * 0 not found, or an error of <anx/data.h> other than ANX_ENOENT. */
static int find_page(const char *path, struct anx_data *d)
{
    /* objects only where the router is granted them (module.yaml objects:,
     * the manifest's grants:), so that a narrower grant serves the image's
     * files quietly instead of logging a refusal per request */
    int rc = anx_object_grant_test(SELF, path + 1, ANX_ACCESS_READ) ? anx_data_get(SELF, path + 1, d) : ANX_ENOENT;
    if (rc == 0)
        return 1;
    if (rc != ANX_ENOENT)
        return rc;
    return anx_data_get(SELF, path, d) == 0 ? 1 : 0;
}

static int static_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    char path[300];
    if (rt_static_path(static_prefix, rq->path, rq->path_len, path, sizeof path - 16)) {
        rt_reply(rs, 400, NULL, "bad request: invalid path\n");
        return 0;
    }
    struct anx_data d;
    size_t n = strlen(path);
    int found;
    if (path[n - 1] == '/') {
        strlcat(path, "index.html", sizeof path);
        found = find_page(path, &d);
    } else {
        found = find_page(path, &d);
        if (found == 0) {
            strlcat(path, ".html", sizeof path);
            found = find_page(path, &d);
            if (found == 0) {
                path[n] = 0;
                strlcat(path, "/index.html", sizeof path);
                found = find_page(path, &d);
            }
        }
    }
    if (found == ANX_EAGAIN) {
        /* the store is still opening its disk: not the image's old copy */
        rt_reply(rs, 503, NULL, "service unavailable: the object store is not open yet\n");
        rt_add_header(rs, "Retry-After", "1");
        return 0;
    }
    if (found < 0) {
        rt_reply(rs, 500, NULL, "internal error: the stored page cannot be read: ");
        anx_buf_printf(&rs->out, "%s (the log says more)\n", anx_strerror(found));
        return 0;
    }
    if (!found) {
        rt_reply(rs, 404, NULL, "not found\n");
        return 0;
    }
    if (d.has_sha256) {
        char etag[24];
        snprintf(etag, sizeof etag, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", d.sha256[0],
                 d.sha256[1], d.sha256[2], d.sha256[3], d.sha256[4], d.sha256[5], d.sha256[6],
                 d.sha256[7]);
        rt_add_header(rs, "ETag", etag);
        size_t inm_len;
        const char *inm = rt_header(rq, "If-None-Match", &inm_len);
        if (inm && inm_len == strlen(etag) && !memcmp(inm, etag, inm_len)) {
            if (d.owned)
                free((void *)d.data);
            rs->status = 304;
            rs->body = "";
            rs->body_len = 0;
            return 0;
        }
    }
    rs->status = 200;
    /* the type by extension, as for files; a stored type only where the
     * name has none (a PUT's Content-Type is often a client's default) */
    rs->content_type = rt_content_type(path);
    static char stored_type[64];
    if (!strcmp(rs->content_type, "application/octet-stream") && d.type[0]) {
        strlcpy(stored_type, d.type, sizeof stored_type);
        rs->content_type = stored_type;
    }
    if (d.owned) {
        anx_buf_adopt(&rs->out, (void *)d.data, d.size); /* freed with the response */
    } else {
        rs->body = d.data;
        rs->body_len = d.size;
    }
    return 0;
}

static struct rt_engine builtin_engines[] = {
    { .name = "health", .handle = health_handle }, { .name = "modules", .handle = modules_handle },
    { .name = "routes", .handle = routes_handle }, { .name = "metrics", .handle = metrics_handle },
    { .name = "echo", .handle = echo_handle },     { .name = "static", .handle = static_handle },
};

void rt_builtin_init(const char *prefix)
{
    if (prefix)
        strlcpy(static_prefix, prefix, sizeof static_prefix);
    for (size_t i = 0; i < ANX_ARRAY_SIZE(builtin_engines); i++)
        rt_engine_register(&builtin_engines[i]);
    rt_route_add("health", "GET", "/api/v1/health", RT_FIRST_HEALTHY, "health");
    rt_route_add("modules", "GET", "/api/v1/modules", RT_FIRST_HEALTHY, "modules");
    rt_route_add("routes", "GET", "/api/v1/routes", RT_FIRST_HEALTHY, "routes");
    rt_route_add("metrics", "GET", "/metrics", RT_FIRST_HEALTHY, "metrics");
    rt_route_add("echo", "*", "/api/v1/echo", RT_FIRST_HEALTHY, "echo");
    if (*static_prefix)
        rt_route_add("static", "GET", "/*", RT_FIRST_HEALTHY, "static");
}
