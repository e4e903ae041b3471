/*
 * template.c - the {{ REF [| raw] }} placeholders of a step's input and a
 * pipeline's output (the rules are in pipelines.h). anx runs
 * pl_template_next over every template at `anx check`, so a malformed
 * placeholder or a reference to no step is a manifest error, never a
 * failed run; expansion then only meets what bodies hold.
 */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/printf.h>

#include "router.h"
#include "pipelines.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool path_char(char c)
{
    return name_char(c) || (c >= 'A' && c <= 'Z');
}

static size_t blanks(const char *t, size_t n, size_t i)
{
    while (i < n && t[i] == ' ')
        i++;
    return i;
}

int pl_template_next(const char *t, size_t n, size_t *pos, struct pl_ref *r, char *err,
                     size_t errlen)
{
    size_t i = *pos;
    while (i + 1 < n && !(t[i] == '{' && t[i + 1] == '{'))
        i++;
    if (i + 1 >= n)
        return 0;
    *pos = i;
    memset(r, 0, sizeof *r);
    r->start = i;
    i = blanks(t, n, i + 2);
    r->name = t + i;
    while (i < n && name_char(t[i]))
        i++;
    r->name_len = (size_t)(t + i - r->name);
    if (!r->name_len) {
        snprintf(err, errlen, "'{{' must be followed by 'input' or a step's name");
        return -1;
    }
    if (i < n && t[i] == '.') {
        r->path = t + ++i;
        for (;;) {
            size_t s = i;
            while (i < n && path_char(t[i]))
                i++;
            if (i == s) {
                snprintf(err, errlen, "empty field in the path after '%.*s' (write a.b.0)",
                         (int)r->name_len, r->name);
                return -1;
            }
            if (i < n && t[i] == '.') {
                i++;
                continue;
            }
            break;
        }
        r->path_len = (size_t)(t + i - r->path);
    }
    i = blanks(t, n, i);
    if (i < n && t[i] == '|') {
        i = blanks(t, n, i + 1);
        size_t f = i;
        while (i < n && path_char(t[i]))
            i++;
        if (i - f != 3 || memcmp(t + f, "raw", 3)) {
            snprintf(err, errlen, "unknown filter '%.*s' (the only one is 'raw')", (int)(i - f),
                     t + f);
            return -1;
        }
        r->raw = true;
        i = blanks(t, n, i);
    }
    if (i + 1 >= n || t[i] != '}' || t[i + 1] != '}') {
        snprintf(err, errlen,
                 "placeholder not closed with '}}' (write {{NAME}}, {{NAME.field}} "
                 "or {{NAME|raw}})");
        return -1;
    }
    r->end = i + 2;
    *pos = r->end;
    return 1;
}

static const struct pl_value *lookup(const struct pl_value *vals, size_t nvals,
                                     const struct pl_ref *r)
{
    for (size_t k = 0; k < nvals; k++)
        if (strlen(vals[k].name) == r->name_len && !memcmp(vals[k].name, r->name, r->name_len))
            return &vals[k];
    return NULL;
}

int pl_template_expand(const char *t, size_t n, const struct pl_value *vals, size_t nvals,
                       struct anx_buf *out, char *err, size_t errlen)
{
    size_t pos = 0, done = 0;
    struct pl_ref r;
    int got;
    while ((got = pl_template_next(t, n, &pos, &r, err, errlen)) == 1) {
        anx_buf_add(out, t + done, r.start - done);
        done = r.end;
        const struct pl_value *v = lookup(vals, nvals, &r);
        if (!v) {
            snprintf(err, errlen, "'%.*s' has no value here", (int)r.name_len, r.name);
            return ANX_EINVAL;
        }
        if (!r.path_len) {
            if (r.raw)
                anx_buf_add(out, v->data, v->len);
            else
                rt_json_str(out, v->data, v->len);
            continue;
        }
        const char *f;
        size_t flen;
        int e = pl_json_find(v->data, v->len, r.path, r.path_len, &f, &flen);
        if (e) {
            snprintf(err, errlen,
                     e == ANX_ENOENT ? "the answer of '%.*s' has no field '%.*s'"
                                     : "the answer of '%.*s' is not JSON (looking for "
                                       "'%.*s')",
                     (int)r.name_len, r.name, (int)r.path_len, r.path);
            return e;
        }
        if (r.raw && f[0] == '"')
            pl_json_unescape(f, flen, out); /* cannot fail: pl_json_find checked it */
        else
            anx_buf_add(out, f, flen);
    }
    if (got < 0)
        return ANX_EINVAL;
    anx_buf_add(out, t + done, n - done);
    return out->oom ? ANX_ENOMEM : 0;
}
