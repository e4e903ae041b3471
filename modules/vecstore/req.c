/*
 * req.c - a strict JSON reader for the few members the vector-memory API
 * takes (req.h): recursive descent over the bytes, values it does not want
 * skipped with the same checks as those it keeps.
 */
#include <anx/buf.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include "index.h"
#include "rank.h"
#include "req.h"

#define DEPTH_MAX 32

struct p {
    const char *s;
    size_t n, i;
    char *err;
    size_t errlen;
    int rc;                         /* the first error */
};

static int fail(struct p *p, const char *what)
{
    if (!p->rc) {
        snprintf(p->err, p->errlen, "bad JSON body: %s at byte %zu", what, p->i);
        p->rc = ANX_EINVAL;
    }
    return p->rc;
}

static int oom(struct p *p)
{
    if (!p->rc) {
        snprintf(p->err, p->errlen, "out of memory reading the body");
        p->rc = ANX_ENOMEM;
    }
    return p->rc;
}

static void ws(struct p *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

static bool eat(struct p *p, char c)
{
    ws(p);
    if (p->i < p->n && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static int hex4(struct p *p, unsigned *out)
{
    if (p->n - p->i < 4)
        return fail(p, "a short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[p->i++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return fail(p, "a bad \\u escape");
    }
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    else if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
    else return 0;
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return len;
}

static void put_utf8(struct anx_buf *b, unsigned c)
{
    char u[4];
    size_t n;
    if (c < 0x80) { u[0] = (char)c; n = 1; }
    else if (c < 0x800) { u[0] = (char)(0xC0 | c >> 6); u[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) {
        u[0] = (char)(0xE0 | c >> 12); u[1] = (char)(0x80 | (c >> 6 & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F)); n = 3;
    } else {
        u[0] = (char)(0xF0 | c >> 18); u[1] = (char)(0x80 | (c >> 12 & 0x3F));
        u[2] = (char)(0x80 | (c >> 6 & 0x3F)); u[3] = (char)(0x80 | (c & 0x3F)); n = 4;
    }
    anx_buf_add(b, u, n);
}

/* A string at p->i (after white space); decoded into out when out != NULL. */
static int string(struct p *p, struct anx_buf *out)
{
    if (!eat(p, '"'))
        return fail(p, "a string expected");
    for (;;) {
        if (p->i >= p->n)
            return fail(p, "an unterminated string");
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c < 0x20)
            return fail(p, "a control byte in a string");
        if (c == '\\') {
            if (++p->i >= p->n)
                return fail(p, "an unterminated escape");
            char e = p->s[p->i++];
            unsigned u;
            const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
            const char *m = NULL;
            for (const char *q = map; *q; q += 2)
                if (*q == e) m = q;
            if (m) {
                if (out) anx_buf_add(out, m + 1, 1);
                continue;
            }
            if (e != 'u')
                return fail(p, "an unknown escape");
            if (hex4(p, &u))
                return p->rc;
            if (u >= 0xDC00 && u <= 0xDFFF)
                return fail(p, "a lone low surrogate");
            if (u >= 0xD800 && u <= 0xDBFF) {
                unsigned lo;
                if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
                    return fail(p, "a lone high surrogate");
                p->i += 2;
                if (hex4(p, &lo))
                    return p->rc;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(p, "a bad surrogate pair");
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (out) put_utf8(out, u);
            continue;
        }
        size_t l = utf8_len((const unsigned char *)p->s + p->i, p->n - p->i);
        if (!l)
            return fail(p, "invalid UTF-8 in a string");
        if (out) anx_buf_add(out, p->s + p->i, l);
        p->i += l;
    }
    if (out && out->oom)
        return oom(p);
    return 0;
}

/* A JSON number, its value as a double (exact enough for float32). */
static int number(struct p *p, double *out)
{
    ws(p);
    size_t i = p->i;
    const char *s = p->s;
    bool neg = false;
    if (i < p->n && s[i] == '-') { neg = true; i++; }
    if (i >= p->n || s[i] < '0' || s[i] > '9')
        return fail(p, "a number expected");
    double v = 0;
    int exp10 = 0;
    if (s[i] == '0') {
        i++;
    } else {
        for (; i < p->n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (v < 1e18) v = v * 10 + (s[i] - '0');
            else exp10++;
        }
    }
    if (i < p->n && s[i] == '.') {
        i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9')
            return fail(p, "a digit expected after '.'");
        for (; i < p->n && s[i] >= '0' && s[i] <= '9'; i++)
            if (v < 1e18) { v = v * 10 + (s[i] - '0'); exp10--; }
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        if (i >= p->n || s[i] < '0' || s[i] > '9')
            return fail(p, "a digit expected in an exponent");
        int e = 0;
        for (; i < p->n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000) e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    p->i = i;
    /* Scale by powers of ten; beyond float's range the value is 0 or inf. */
    if (exp10 > 400) exp10 = 400;
    if (exp10 < -400) exp10 = -400;
    double scale = 1;
    for (int k = exp10 < 0 ? -exp10 : exp10; k > 0 && v != 0; k--)
        scale *= 10;                /* 0e999 stays 0, not 0 * inf */
    if (v != 0)
        v = exp10 < 0 ? v / scale : v * scale;
    *out = neg ? -v : v;
    return 0;
}

static int skip(struct p *p, int depth);

static int literal(struct p *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l))
        return fail(p, "a value expected");
    p->i += l;
    return 0;
}

static int skip(struct p *p, int depth)
{
    if (depth > DEPTH_MAX)
        return fail(p, "nesting too deep");
    ws(p);
    if (p->i >= p->n)
        return fail(p, "a value expected");
    char c = p->s[p->i];
    double d;
    if (c == '"')
        return string(p, NULL);
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(p, &d);
    if (c == 't') return literal(p, "true");
    if (c == 'f') return literal(p, "false");
    if (c == 'n') return literal(p, "null");
    if (c != '[' && c != '{')
        return fail(p, "a value expected");
    char close = c == '[' ? ']' : '}';
    p->i++;
    if (eat(p, close))
        return 0;
    do {
        if (close == '}') {
            if (string(p, NULL))
                return p->rc;
            if (!eat(p, ':'))
                return fail(p, "':' expected");
        }
        if (skip(p, depth + 1))
            return p->rc;
    } while (eat(p, ','));
    if (eat(p, close))
        return 0;
    return fail(p, close == ']' ? "',' or ']' expected" : "',' or '}' expected");
}

static int vector(struct p *p, struct vec_req *r)
{
    if (!eat(p, '['))
        return fail(p, "'vector' must be an array of numbers");
    int cap = 64;
    r->vector = anx_malloc((size_t)cap * sizeof(float));
    if (!r->vector)
        return oom(p);
    r->dim = 0;
    if (eat(p, ']'))
        return fail(p, "'vector' is empty");
    do {
        double d;
        if (number(p, &d))
            return p->rc;
        float f = (float)d;
        if (f - f != 0)
            return fail(p, "a vector value beyond float range");
        if (r->dim == VEC_DIM_MAX)
            return fail(p, "'vector' has too many values");
        if (r->dim == cap) {
            float *v = anx_realloc(r->vector, (size_t)cap * 2 * sizeof(float));
            if (!v)
                return oom(p);
            r->vector = v;
            cap *= 2;
        }
        r->vector[r->dim++] = f;
    } while (eat(p, ','));
    return eat(p, ']') ? 0 : fail(p, "',' or ']' expected in 'vector'");
}

static int member(struct p *p, const char *key, size_t kl, struct vec_req *r)
{
    ws(p);
    if (kl == 2 && !memcmp(key, "id", 2)) {
        struct anx_buf b = {0};
        if (p->i >= p->n || p->s[p->i] != '"')
            return fail(p, "'id' must be a string");
        if (string(p, &b)) {
            anx_buf_free(&b);
            return p->rc;
        }
        anx_free(r->id);
        r->id = anx_buf_take(&b);
        if (!r->id)
            r->id = strdup("");
        return r->id ? 0 : oom(p);
    }
    if (kl == 4 && !memcmp(key, "text", 4)) {
        struct anx_buf b = {0};
        if (p->i >= p->n || p->s[p->i] != '"')
            return fail(p, "'text' must be a string");
        if (string(p, &b)) {
            anx_buf_free(&b);
            return p->rc;
        }
        anx_free(r->text);
        r->text_len = b.len;
        r->text = anx_buf_take(&b);
        if (!r->text)
            r->text = strdup("");
        return r->text ? 0 : oom(p);
    }
    if (kl == 6 && !memcmp(key, "vector", 6)) {
        anx_free(r->vector);
        r->vector = NULL;
        return vector(p, r);
    }
    if (kl == 9 && !memcmp(key, "retrieval", 9)) {
        struct anx_buf b = {0};
        if (p->i >= p->n || p->s[p->i] != '"')
            return fail(p, "'retrieval' must be a string");
        if (string(p, &b)) {
            anx_buf_free(&b);
            return p->rc;
        }
        r->mode = b.p && !b.oom && strlen(b.p) == b.len ? vec_mode_parse(b.p) : -1;
        bool oomed = b.oom;
        anx_buf_free(&b);
        if (oomed)
            return oom(p);
        return r->mode < 0 ? fail(p, "'retrieval' must be \"hybrid\", \"cosine\" or "
                                     "\"lexical\"") : 0;
    }
    if (kl == 1 && key[0] == 'k') {
        double d;
        if (p->i >= p->n || (p->s[p->i] != '-' && (p->s[p->i] < '0' || p->s[p->i] > '9')))
            return fail(p, "'k' must be a number");
        if (number(p, &d))
            return p->rc;
        if (!(d >= -1e9 && d <= 1e9) || d != (double)(long)d)
            return fail(p, "'k' must be an integer");
        r->k = (long)d;
        r->has_k = true;
        return 0;
    }
    return skip(p, 1);
}

int vec_req_parse(const char *body, size_t n, struct vec_req *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->mode = -1;
    struct p p = {body, n, 0, err, errlen, 0};
    if (!eat(&p, '{'))
        return fail(&p, "an object expected");
    if (!eat(&p, '}')) {
        do {
            struct anx_buf key = {0};
            ws(&p);
            if (string(&p, &key)) {
                anx_buf_free(&key);
                return p.rc;
            }
            if (!eat(&p, ':')) {
                anx_buf_free(&key);
                return fail(&p, "':' expected");
            }
            int rc = member(&p, key.p ? key.p : "", key.len, r);
            anx_buf_free(&key);
            if (rc)
                return p.rc;
        } while (eat(&p, ','));
        if (!eat(&p, '}'))
            return fail(&p, "',' or '}' expected");
    }
    ws(&p);
    if (p.i != n)
        return fail(&p, "trailing bytes after the object");
    return 0;
}

void vec_req_free(struct vec_req *r)
{
    anx_free(r->id);
    anx_free(r->text);
    anx_free(r->vector);
    memset(r, 0, sizeof(*r));
}
