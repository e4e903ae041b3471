/*
 * builtin_tools.c - the built-in tools: how a call's arguments become a GET
 * request, and running it with the caller's rights (builtin_tools.h says
 * how; tools.c holds what the model is told of them).
 */
#include "builtin_tools.h"
#include "json.h"
#include "tools.h"

static const char *const *route_allow;
static const char *const *http_allow;

void oa_builtins_configure(const char *const *routes, const char *const *http)
{
    route_allow = routes;
    http_allow = http;
}

bool oa_builtin_known(const char *name)
{
    return oa_builtin_describe(name, NULL) != NULL;
}

static int why(char *w, size_t n, const char *msg, const char *a)
{
    snprintf(w, n, msg, a ? a : "");
    return -1;
}

/* An object name (or prefix) as the store spells them: [A-Za-z0-9._-/],
 * no "..", no leading '/'. */
static bool object_name_ok(const char *s, size_t n, bool prefix)
{
    if ((!prefix && n == 0) || n > 200 || (n && s[0] == '/'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._-/", s[i]))
            return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.')
            return false;
    return true;
}

/* A path (and query) a GET may take: printable ASCII without spaces, no
 * "..", no percent-encoded dot (either could climb out of an allowed
 * prefix), no fragment. */
static bool path_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] <= ' ' || s[i] >= 0x7f || s[i] == '#' || s[i] == '\\')
            return false;
        if (s[i] == '.' && i + 1 < n && s[i + 1] == '.')
            return false;
        if (s[i] == '%' && i + 2 < n && s[i + 1] == '2' && (s[i + 2] == 'e' || s[i + 2] == 'E'))
            return false;
    }
    return true;
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return k <= n && !memcmp(s, prefix, k);
}

/* Split "path?query" into out. */
static int split_path(const char *s, size_t n, struct oa_builtin_req *out, char *w, size_t wn)
{
    const char *q = memchr(s, '?', n);
    size_t pl = q ? (size_t)(q - s) : n;
    if (pl == 0 || pl >= sizeof(out->path) || (q && n - pl - 1 >= sizeof(out->query)))
        return why(w, wn, "the path is empty or too long", NULL);
    memcpy(out->path, s, pl);
    out->path[pl] = 0;
    if (q) {
        memcpy(out->query, q + 1, n - pl - 1);
        out->query[n - pl - 1] = 0;
    }
    return 0;
}

int oa_builtin_plan(const char *name, const char *args, struct oa_builtin_req *out, char *w,
                    size_t wn)
{
    memset(out, 0, sizeof(*out));
    struct json_doc d;
    struct json_error je;
    if (oa_json_parse(&d, args, strlen(args), &je) < 0 || d.v[0].type != JSON_OBJECT) {
        oa_json_free(&d);
        return why(w, wn, "the arguments are not a JSON object", NULL);
    }
    const struct json_value *root = &d.v[0];
    int rc = -1;
    if (!strcmp(name, "read_object") || !strcmp(name, "list_objects")) {
        bool list = name[0] == 'l';
        const struct json_value *v = oa_json_get(&d, root, list ? "prefix" : "name");
        if (v && v->type != JSON_STRING && v->type != JSON_NULL) {
            why(w, wn, "'%s' must be a string", list ? "prefix" : "name");
            goto out;
        }
        const char *s = v && v->type == JSON_STRING ? v->str : "";
        size_t n = v && v->type == JSON_STRING ? v->len : 0;
        if (!object_name_ok(s, n, list)) {
            why(w, wn,
                list ? "'prefix' is not an object name prefix" : "'name' is not an object name",
                NULL);
            goto out;
        }
        if (list) {
            strlcpy(out->path, "/api/v1/objects", sizeof(out->path));
            if (n)
                snprintf(out->query, sizeof(out->query), "prefix=%.*s", (int)n, s);
        } else {
            snprintf(out->path, sizeof(out->path), "/api/v1/objects/%.*s", (int)n, s);
        }
        out->with_auth = true;
        rc = 0;
    } else if (!strcmp(name, "route")) {
        const struct json_value *v = oa_json_get(&d, root, "path");
        if (!v || v->type != JSON_STRING || !v->len || v->str[0] != '/' ||
            !path_ok(v->str, v->len)) {
            why(w, wn, "'path' must be an absolute path (no spaces, no '..')", NULL);
            goto out;
        }
        /* the openai engine's own routes would wait for the model this request holds */
        bool allowed = false;
        for (int i = 0; route_allow && route_allow[i]; i++)
            allowed |= starts(v->str, v->len, route_allow[i]);
        if (!allowed || starts(v->str, v->len, "/v1/")) {
            why(w, wn, "the path is not under a prefix of openai.tool_routes", NULL);
            goto out;
        }
        rc = split_path(v->str, v->len, out, w, wn);
        out->with_auth = true;
    } else if (!strcmp(name, "http_get")) {
        const struct json_value *v = oa_json_get(&d, root, "url");
        if (!v || v->type != JSON_STRING || !path_ok(v->str, v->len)) {
            why(w, wn, "'url' must be a URL (no spaces, no '..')", NULL);
            goto out;
        }
        int k = -1;
        for (int i = 0; http_allow && http_allow[i] && k < 0; i++)
            if (starts(v->str, v->len, http_allow[i]))
                k = i;
        if (k < 0 || !starts(v->str, v->len, "http://")) {
            why(w, wn, "the URL is not under a prefix of openai.http_allow", NULL);
            goto out;
        }
        const char *p = memchr(v->str + 7, '/', v->len - 7); /* after http://HOST:PORT */
        if (!p) {
            why(w, wn, "the URL has no path", NULL);
            goto out;
        }
        snprintf(out->engine, sizeof(out->engine), "oa-http-%d", k);
        rc = split_path(p, v->len - (size_t)(p - v->str), out, w, wn);
    } else {
        why(w, wn, "no built-in tool is called %s", name);
    }
out:
    oa_json_free(&d);
    return rc;
}

/* The object store's listing ({"objects": [{"name", "size", ...}]}) as
 * "NAME (SIZE bytes)" lines: the names are what the model needs, and the
 * ids and provenance would take a small model's whole context. 0, or -1
 * when the body is not such a listing (then it is passed as it is). */
static int condense_listing(const char *body, size_t len, struct anx_buf *out)
{
    struct json_doc d;
    struct json_error je;
    const struct json_value *objs = NULL;
    if (oa_json_parse(&d, body, len, &je) == 0 && d.v[0].type == JSON_OBJECT)
        objs = oa_json_get(&d, &d.v[0], "objects");
    if (!objs || objs->type != JSON_ARRAY) {
        oa_json_free(&d);
        return -1;
    }
    for (const struct json_value *o = oa_json_at(&d, objs->first); o; o = oa_json_at(&d, o->next)) {
        const struct json_value *nm = o->type == JSON_OBJECT ? oa_json_get(&d, o, "name") : NULL;
        const struct json_value *sz = o->type == JSON_OBJECT ? oa_json_get(&d, o, "size") : NULL;
        if (!nm || nm->type != JSON_STRING)
            continue;
        anx_buf_add(out, nm->str, nm->len);
        if (sz && sz->type == JSON_NUMBER)
            anx_buf_printf(out, " (%.*s bytes)", (int)sz->len, sz->str);
        anx_buf_puts(out, "\n");
    }
    if (!objs->count)
        anx_buf_puts(out, "(no objects)\n");
    oa_json_free(&d);
    return 0;
}

int oa_builtin_run(const void *caller, const char *name, const char *args, struct anx_buf *out,
                   int *status)
{
    const struct rt_request *c = caller;
    struct oa_builtin_req br;
    char w[160];
    if (oa_builtin_plan(name, args, &br, w, sizeof(w)) < 0) {
        *status = 400;
        anx_buf_puts(out, w);
        return -1;
    }
    struct rt_kv auth[1];
    size_t nh = 0;
    size_t al;
    const char *a = c && br.with_auth ? rt_header(c, "Authorization", &al) : NULL;
    if (a)
        auth[nh++] = (struct rt_kv){ "Authorization", 13, a, al };
    struct rt_request rq = {
        .method = "GET",
        .path = br.path,
        .path_len = strlen(br.path),
        .query = br.query[0] ? br.query : NULL,
        .query_len = strlen(br.query),
        .headers = auth,
        .nheaders = nh,
        .peer = c ? c->peer : NULL,
    };
    struct rt_response rs = { 0 };
    int rc = 0;
    if (br.engine[0]) {
        struct rt_engine *e = rt_engine_find(br.engine);
        rc = e ? e->handle(e, &rq, &rs) : -1;
    } else {
        rt_dispatch(&rq, &rs);
    }
    *status = rc < 0 ? 502 : rs.status ? rs.status : 200;
    const char *body = rs.body ? rs.body : rs.out.p;
    size_t len = rs.body ? rs.body_len : rs.out.len;
    if (rc == 0 && body) {
        size_t start = out->len;
        if (*status != 200 || strcmp(name, "list_objects") || condense_listing(body, len, out) < 0)
            anx_buf_add(out, body, len);
        for (size_t i = start; !out->oom && i < out->len; i++) /* text for a prompt */
            if ((unsigned char)out->p[i] < 0x20 && out->p[i] != '\n' && out->p[i] != '\t')
                out->p[i] = ' ';
    } else if (rc < 0) {
        anx_buf_puts(out, "the request failed");
    }
    anx_buf_free(&rs.out);
    anx_buf_free(&rs.headers);
    return rc < 0 ? -1 : 0;
}
