/*
 * record.c - the bytes of a stored vector (record.h). Header lines are
 * "key value"; unknown keys are an error rather than ignored, so a future
 * format bumps the version line instead of being half-read.
 */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/printf.h>
#include "index.h"
#include "record.h"

#define MAGIC "anx-vector 1\n"
#define HEADER_MAX 1024

void vec_record_encode(struct anx_buf *b, const struct vec_record *r, const float *v,
                       const char *text, size_t len)
{
    anx_buf_printf(b, MAGIC "dim %d\n", r->dim);
    if (r->source[0])
        anx_buf_printf(b, "source %s\nversion %u\nobject %s\noffset %llu\n", r->source,
                       (unsigned)r->version, r->object, (unsigned long long)r->offset);
    anx_buf_printf(b, "model %s\n\n", r->model);
    for (int d = 0; d < r->dim; d++) {
        uint32_t u;
        memcpy(&u, &v[d], 4);
        unsigned char le[4] = {(unsigned char)u, (unsigned char)(u >> 8),
                               (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
        anx_buf_add(b, le, 4);
    }
    anx_buf_add(b, text, len);
}

void vec_record_vector(const struct vec_record *r, float *out)
{
    for (int d = 0; d < r->dim; d++) {
        const unsigned char *p = r->vec + 4 * (size_t)d;
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        memcpy(&out[d], &u, 4);
    }
}

static int bad(char *err, size_t n, const char *why, size_t line)
{
    snprintf(err, n, "not a vector record: %s (line %zu)", why, line);
    return ANX_EINVAL;
}

/* A decimal number of at most 19 digits, nothing else. */
static bool number(const char *s, size_t n, uint64_t *out)
{
    if (!n || n > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* A value without control bytes, copied with its NUL into out (room n+1). */
static bool text_value(const char *s, size_t len, char *out, size_t n)
{
    if (len > n)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    memcpy(out, s, len);
    out[len] = 0;
    return true;
}

int vec_record_parse(const void *data, size_t len, struct vec_record *r, char *err, size_t errlen)
{
    const char *p = data;
    memset(r, 0, sizeof(*r));
    if (len < sizeof(MAGIC) - 1 || memcmp(p, MAGIC, sizeof(MAGIC) - 1))
        return bad(err, errlen, "no 'anx-vector 1' line", 1);
    size_t pos = sizeof(MAGIC) - 1, line = 1;
    bool have_dim = false, have_model = false, have_version = false, have_offset = false;
    for (;;) {
        line++;
        size_t lim = len < HEADER_MAX ? len : HEADER_MAX;
        const char *nl = pos < lim ? memchr(p + pos, '\n', lim - pos) : NULL;
        if (!nl)
            return bad(err, errlen, "the header does not end", line);
        size_t e = (size_t)(nl - p), n = e - pos;
        const char *s = p + pos;
        pos = e + 1;
        if (!n)
            break;                                  /* the blank line */
        const char *sp = memchr(s, ' ', n);
        if (!sp)
            return bad(err, errlen, "a line without 'key value'", line);
        size_t kl = (size_t)(sp - s), vl = n - kl - 1;
        const char *v = sp + 1;
        uint64_t u;
        if (kl == 3 && !memcmp(s, "dim", 3)) {
            if (have_dim || !number(v, vl, &u) || u < 1 || u > VEC_DIM_MAX)
                return bad(err, errlen, "a bad dim", line);
            r->dim = (int)u;
            have_dim = true;
        } else if (kl == 6 && !memcmp(s, "source", 6)) {
            if (r->source[0] || !vl || !text_value(v, vl, r->source, VEC_SOURCE_MAX))
                return bad(err, errlen, "a bad source", line);
        } else if (kl == 7 && !memcmp(s, "version", 7)) {
            if (have_version || !number(v, vl, &u) || u > UINT32_MAX)
                return bad(err, errlen, "a bad version", line);
            r->version = (uint32_t)u;
            have_version = true;
        } else if (kl == 6 && !memcmp(s, "object", 6)) {
            bool hex = vl == 64 && !r->object[0];
            for (size_t i = 0; hex && i < vl; i++)
                hex = (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f');
            if (!hex)
                return bad(err, errlen, "a bad object id", line);
            memcpy(r->object, v, 64);
            r->object[64] = 0;
        } else if (kl == 6 && !memcmp(s, "offset", 6)) {
            if (have_offset || !number(v, vl, &u))
                return bad(err, errlen, "a bad offset", line);
            r->offset = u;
            have_offset = true;
        } else if (kl == 5 && !memcmp(s, "model", 5)) {
            if (have_model || !text_value(v, vl, r->model, VEC_MODEL_MAX))
                return bad(err, errlen, "a bad model", line);
            have_model = true;
        } else {
            return bad(err, errlen, "an unknown key", line);
        }
    }
    if (!have_dim || !have_model)
        return bad(err, errlen, "no dim or no model line", line);
    if (r->source[0] && (!have_version || !r->object[0]))
        return bad(err, errlen, "a source without a version or object id", line);
    if (!r->source[0] && (have_version || have_offset || r->object[0]))
        return bad(err, errlen, "a version, object or offset without a source", line);
    size_t vb = (size_t)r->dim * 4;
    if (len - pos < vb)
        return bad(err, errlen, "fewer vector bytes than dim says", line);
    r->vec = (const unsigned char *)p + pos;
    r->text = p + pos + vb;
    r->text_len = len - pos - vb;
    return 0;
}
