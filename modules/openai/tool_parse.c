/*
 * tool_parse.c - the model's side of tool calls: find the
 * <tool_call>{"name": ..., "arguments": {...}}</tool_call> blocks in
 * generated text and turn them into the answer's tool_calls. The text is
 * the model's, so it is parsed as untrusted input (the strict parser of
 * json.c; a fuzz smoke in tests/fuzz_tools.c): a block that is not a
 * well-formed call stays in the content, it never fails the request.
 */
#include "tools.h"

void oa_json_write(struct anx_buf *b, const struct json_doc *d, const struct json_value *v)
{
    switch (v->type) {
    case JSON_NULL: anx_buf_puts(b, "null"); return;
    case JSON_TRUE: anx_buf_puts(b, "true"); return;
    case JSON_FALSE: anx_buf_puts(b, "false"); return;
    case JSON_NUMBER: anx_buf_add(b, v->str, v->len); return; /* its source text */
    case JSON_STRING: rt_json_str(b, v->str, v->len); return;
    case JSON_ARRAY:
    case JSON_OBJECT: break;
    }
    bool obj = v->type == JSON_OBJECT;
    anx_buf_puts(b, obj ? "{" : "[");
    for (const struct json_value *c = oa_json_at(d, v->first); c; c = oa_json_at(d, c->next)) {
        if (obj) {
            rt_json_str(b, c->key, c->key_len);
            anx_buf_puts(b, ": ");
        }
        oa_json_write(b, d, c);
        if (c->next >= 0)
            anx_buf_puts(b, ", ");
    }
    anx_buf_puts(b, obj ? "}" : "]");
}

void oa_tool_calls_free(struct oa_tool_calls *tc)
{
    for (int i = 0; i < tc->n; i++)
        anx_free(tc->c[i].arguments);
    anx_free(tc->content);
    memset(tc, 0, sizeof(*tc));
}

static const char *find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k))
            return s + i;
    return NULL;
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One call from the JSON text s[0..n): 1, 0 (not a call) or ANX_ENOMEM. */
static int one_call(const char *s, size_t n, struct oa_tool_call *c)
{
    struct json_doc d;
    struct json_error je;
    if (oa_json_parse(&d, s, n, &je) < 0) {
        oa_json_free(&d);
        return je.oom ? ANX_ENOMEM : 0;
    }
    int rc = 0;
    const struct json_value *root = &d.v[0];
    const struct json_value *nm = root->type == JSON_OBJECT ? oa_json_get(&d, root, "name") : NULL;
    if (!nm || nm->type != JSON_STRING || !oa_tool_name_ok(nm->str, nm->len))
        goto out;
    const struct json_value *ar = oa_json_get(&d, root, "arguments");
    if (!ar)
        ar = oa_json_get(&d, root, "parameters");
    struct anx_buf b = { 0 };
    if (!ar) {
        anx_buf_puts(&b, "{}");
    } else if (ar->type == JSON_OBJECT) {
        oa_json_write(&b, &d, ar);
    } else if (ar->type == JSON_STRING) { /* arguments as OpenAI sends them: a string */
        struct json_doc a2;
        struct json_error e2;
        int ok = oa_json_parse(&a2, ar->str, ar->len, &e2) == 0 && a2.v[0].type == JSON_OBJECT;
        if (ok)
            oa_json_write(&b, &a2, &a2.v[0]);
        oa_json_free(&a2);
        if (!ok) {
            rc = e2.oom ? ANX_ENOMEM : 0;
            goto out;
        }
    } else {
        goto out;
    }
    if (!(c->arguments = anx_buf_take(&b))) {
        rc = ANX_ENOMEM;
        goto out;
    }
    memcpy(c->name, nm->str, nm->len);
    c->name[nm->len] = 0;
    rc = 1;
out:
    oa_json_free(&d);
    return rc;
}

int oa_tool_calls_parse(const char *text, size_t n, struct oa_tool_calls *out)
{
    memset(out, 0, sizeof(*out));
    struct anx_buf rest = { 0 }; /* the text that is not a call */
    size_t ol = strlen(OA_TOOL_OPEN), cl = strlen(OA_TOOL_CLOSE);
    const char *p = text, *end = text + n;
    while (p < end) {
        const char *o = find(p, (size_t)(end - p), OA_TOOL_OPEN);
        if (!o) {
            anx_buf_add(&rest, p, (size_t)(end - p));
            break;
        }
        const char *in = o + ol;
        const char *c = find(in, (size_t)(end - in), OA_TOOL_CLOSE);
        const char *in_end = c ? c : end;
        int r = out->n < OA_MAX_CALLS ? one_call(in, (size_t)(in_end - in), &out->c[out->n]) : 0;
        if (r < 0)
            goto oom;
        anx_buf_add(&rest, p, (size_t)(o - p));
        if (r == 1)
            out->n++;
        else /* not a call: the model's text as it is */
            anx_buf_add(&rest, o, (size_t)((c ? c + cl : end) - o));
        p = c ? c + cl : end;
    }
    if (rest.oom)
        goto oom;
    size_t a = 0, z = rest.len;
    while (a < z && space(rest.p[a]))
        a++;
    while (z > a && space(rest.p[z - 1]))
        z--;
    if (z > a && !(out->content = strndup(rest.p + a, z - a)))
        goto oom;
    if (out->content && !out->content[0]) { /* the text held only a NUL */
        anx_free(out->content);
        out->content = NULL;
    }
    anx_buf_free(&rest);
    return out->n;
oom:
    anx_buf_free(&rest);
    oa_tool_calls_free(out);
    return ANX_ENOMEM;
}
