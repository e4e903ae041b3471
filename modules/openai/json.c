/*
 * json.c - the strict JSON parser and the string writer of json.h.
 * Recursive descent over the input with an explicit depth limit; values go
 * into one growing array, decoded strings into one arena as large as the
 * input (a decoded string plus its NUL is never longer than its literal).
 */
#include "json.h"
#include "router.h"

struct parser {
    const char *s;
    size_t n, i;
    struct json_doc *d;
    struct json_error *e;
    int depth;
};

static int fail(struct parser *p, size_t at, const char *msg)
{
    if (p->e && !p->e->msg[0]) {
        p->e->offset = at;
        snprintf(p->e->msg, sizeof(p->e->msg), "%s", msg);
    }
    return -1;
}

static void skip_ws(struct parser *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
                           p->s[p->i] == '\r'))
        p->i++;
}

static int new_value(struct parser *p, enum json_type t)
{
    struct json_doc *d = p->d;
    if (d->n == d->cap) {
        if (d->cap >= (1 << 24))
            return fail(p, p->i, "too many values");
        int nc = d->cap ? d->cap * 2 : 16;
        struct json_value *nv = anx_realloc(d->v, (size_t)nc * sizeof(*nv));
        if (!nv) {
            if (p->e)
                p->e->oom = true;
            return fail(p, p->i, "out of memory");
        }
        d->v = nv;
        d->cap = nc;
    }
    struct json_value *v = &d->v[d->n];
    memset(v, 0, sizeof(*v));
    v->type = t;
    v->first = v->next = -1;
    return d->n++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { o[0] = (char)cp; return 1; }
    if (cp < 0x800) { o[0] = (char)(0xc0 | cp >> 6); o[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f)); return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* p->i at the opening quote; decoded text into the arena. */
static int parse_string(struct parser *p, const char **out, size_t *out_len)
{
    size_t start = p->i++;
    char *o = p->d->strs + p->d->strs_used, *o0 = o;
    for (;;) {
        if (p->i >= p->n)
            return fail(p, start, "unterminated string");
        unsigned char c = (unsigned char)p->s[p->i];
        if (c == '"') {
            p->i++;
            break;
        }
        if (c < 0x20)
            return fail(p, p->i, "control character in string");
        if (c == '\\') {
            if (p->i + 1 >= p->n)
                return fail(p, start, "unterminated string");
            char esc = p->s[p->i + 1];
            const char *m = "\"\"\\\\//b\bf\fn\nr\rt\t";
            const char *f = NULL;
            for (int k = 0; m[k]; k += 2)
                if (m[k] == esc) { f = m + k + 1; break; }
            if (f) {
                *o++ = *f;
                p->i += 2;
                continue;
            }
            if (esc != 'u')
                return fail(p, p->i, "invalid escape in string");
            unsigned cp, lo;
            if (p->i + 6 > p->n || hex4(p->s + p->i + 2, &cp) < 0)
                return fail(p, p->i, "invalid \\u escape (needs 4 hex digits)");
            size_t at = p->i;
            p->i += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff)
                return fail(p, at, "lone low surrogate in \\u escape");
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (p->i + 6 > p->n || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u' ||
                    hex4(p->s + p->i + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
                    return fail(p, at, "high surrogate without a low surrogate in \\u escape");
                p->i += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            o += put_utf8(o, cp);
            continue;
        }
        size_t l = rt_utf8_len((const unsigned char *)p->s + p->i, p->n - p->i);
        if (!l)
            return fail(p, p->i, "invalid UTF-8 in string");
        memcpy(o, p->s + p->i, l);
        o += l;
        p->i += l;
    }
    *o = 0;
    *out = o0;
    *out_len = (size_t)(o - o0);
    p->d->strs_used += *out_len + 1;
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(struct parser *p, struct json_value *v)
{
    size_t start = p->i;
    bool neg = false;
    if (p->s[p->i] == '-') {
        neg = true;
        p->i++;
    }
    if (p->i >= p->n || !is_digit(p->s[p->i]))
        return fail(p, p->i, "invalid number: expected a digit");
    uint64_t mant = 0;
    int digits = 0, exp10 = 0;
    if (p->s[p->i] == '0') {
        p->i++;
        if (p->i < p->n && is_digit(p->s[p->i]))
            return fail(p, p->i, "invalid number: leading zero");
    } else {
        for (; p->i < p->n && is_digit(p->s[p->i]); p->i++) {
            if (digits < 19) { mant = mant * 10 + (uint64_t)(p->s[p->i] - '0'); digits++; }
            else exp10++;
        }
    }
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->n || !is_digit(p->s[p->i]))
            return fail(p, p->i, "invalid number: expected a digit after '.'");
        for (; p->i < p->n && is_digit(p->s[p->i]); p->i++) {
            if (digits >= 19)
                continue;                  /* beyond a double's precision */
            if (mant == 0 && p->s[p->i] == '0') {
                exp10--;                   /* a leading zero is not significant */
                continue;
            }
            mant = mant * 10 + (uint64_t)(p->s[p->i] - '0');
            digits++;
            exp10--;
        }
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        bool eneg = false;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            eneg = p->s[p->i++] == '-';
        if (p->i >= p->n || !is_digit(p->s[p->i]))
            return fail(p, p->i, "invalid number: expected a digit in the exponent");
        int e = 0;
        for (; p->i < p->n && is_digit(p->s[p->i]); p->i++)
            if (e < 100000) e = e * 10 + (p->s[p->i] - '0');
        exp10 += eneg ? -e : e;
    }
    double x = (double)mant;
    if (mant) {
        if (exp10 > 400)
            return fail(p, start, "number out of range");
        for (; exp10 >= 16; exp10 -= 16) x *= 1e16;
        for (; exp10 > 0; exp10--) x *= 10.0;
        for (; exp10 <= -16 && x != 0; exp10 += 16) x /= 1e16;
        for (; exp10 < 0 && x != 0; exp10++) x /= 10.0;
        if (x > 1.7976931348623157e308)
            return fail(p, start, "number out of range");
    }
    v->num = neg ? -x : x;
    v->str = p->s + start;
    v->len = p->i - start;
    return 0;
}

static int parse_value(struct parser *p);

static int parse_container(struct parser *p, int idx, bool object)
{
    char close = object ? '}' : ']';
    if (++p->depth > JSON_MAX_DEPTH)
        return fail(p, p->i, "nesting too deep");
    p->i++;
    skip_ws(p);
    int last = -1;
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        p->depth--;
        return 0;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        if (object) {
            if (p->i >= p->n || p->s[p->i] != '"')
                return fail(p, p->i, "expected a string key in object");
            if (parse_string(p, &key, &key_len) < 0)
                return -1;
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':')
                return fail(p, p->i, "expected ':' after object key");
            p->i++;
            skip_ws(p);
        }
        int c = parse_value(p);
        if (c < 0)
            return -1;
        p->d->v[c].key = key;
        p->d->v[c].key_len = key_len;
        if (last < 0) p->d->v[idx].first = c;
        else p->d->v[last].next = c;
        last = c;
        p->d->v[idx].count++;
        skip_ws(p);
        if (p->i >= p->n)
            return fail(p, p->i, object ? "unterminated object" : "unterminated array");
        if (p->s[p->i] == close) {
            p->i++;
            p->depth--;
            return 0;
        }
        if (p->s[p->i] != ',')
            return fail(p, p->i, object ? "expected ',' or '}' in object" : "expected ',' or ']' in array");
        p->i++;
        skip_ws(p);
    }
}

static int literal(struct parser *p, const char *word, enum json_type t)
{
    size_t l = strlen(word);
    if (p->n - p->i < l || memcmp(p->s + p->i, word, l) != 0)
        return fail(p, p->i, "invalid literal");
    int idx = new_value(p, t);
    if (idx >= 0)
        p->i += l;
    return idx;
}

/* Returns the new value's index or -1. */
static int parse_value(struct parser *p)
{
    if (p->i >= p->n)
        return fail(p, p->i, "unexpected end of input");
    char c = p->s[p->i];
    int idx;
    switch (c) {
    case '{':
    case '[':
        idx = new_value(p, c == '{' ? JSON_OBJECT : JSON_ARRAY);
        if (idx < 0 || parse_container(p, idx, c == '{') < 0)
            return -1;
        return idx;
    case '"': {
        idx = new_value(p, JSON_STRING);
        if (idx < 0)
            return -1;
        const char *s;
        size_t l;
        if (parse_string(p, &s, &l) < 0)
            return -1;
        p->d->v[idx].str = s;
        p->d->v[idx].len = l;
        return idx;
    }
    case 't': return literal(p, "true", JSON_TRUE);
    case 'f': return literal(p, "false", JSON_FALSE);
    case 'n': return literal(p, "null", JSON_NULL);
    default:
        if (c == '-' || is_digit(c)) {
            idx = new_value(p, JSON_NUMBER);
            if (idx < 0 || parse_number(p, &p->d->v[idx]) < 0)
                return -1;
            return idx;
        }
        return fail(p, p->i, "unexpected character: expected a JSON value");
    }
}

void oa_json_free(struct json_doc *d)
{
    anx_free(d->v);
    anx_free(d->strs);
    memset(d, 0, sizeof(*d));
}

int oa_json_parse(struct json_doc *d, const char *text, size_t n, struct json_error *e)
{
    memset(d, 0, sizeof(*d));
    if (e)
        memset(e, 0, sizeof(*e));
    struct parser p = { .s = text, .n = n, .d = d, .e = e };
    d->strs = anx_malloc(n + 1);
    if (!d->strs) {
        if (e)
            e->oom = true;
        fail(&p, 0, "out of memory");
        return -1;
    }
    skip_ws(&p);
    if (parse_value(&p) < 0) {
        oa_json_free(d);
        return -1;
    }
    skip_ws(&p);
    if (p.i != n) {
        fail(&p, p.i, "unexpected data after the JSON value");
        oa_json_free(d);
        return -1;
    }
    return 0;
}

const struct json_value *oa_json_at(const struct json_doc *d, int index)
{
    return index >= 0 && index < d->n ? &d->v[index] : NULL;
}

const struct json_value *oa_json_get(const struct json_doc *d, const struct json_value *obj,
                                  const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    const struct json_value *found = NULL;
    for (const struct json_value *c = oa_json_at(d, obj->first); c; c = oa_json_at(d, c->next))
        if (c->key_len == kl && memcmp(c->key, key, kl) == 0)
            found = c;
    return found;
}

const char *oa_json_type_name(enum json_type t)
{
    switch (t) {
    case JSON_NULL: return "null";
    case JSON_FALSE: case JSON_TRUE: return "boolean";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    }
    return "?";
}

/* ---- writing ---------------------------------------------------------------------------- */


size_t oa_utf8_complete_prefix(const char *s, size_t n)
{
    /* look at most 3 bytes back for the start of an unfinished sequence */
    for (size_t back = 1; back <= 3 && back <= n; back++) {
        unsigned char c = (unsigned char)s[n - back];
        if ((c & 0xc0) == 0x80)
            continue;                      /* a continuation byte: look further */
        size_t need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 && c <= 0xef ? 3 :
                      c >= 0xc2 && c <= 0xdf ? 2 : 1;
        if (need > back) {
            /* unfinished; hold it back only if what is there could still be valid */
            for (size_t k = n - back + 1; k < n; k++)
                if (((unsigned char)s[k] & 0xc0) != 0x80)
                    return n;
            return n - back;
        }
        return n;
    }
    return n;
}
