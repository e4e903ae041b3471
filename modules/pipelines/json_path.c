/*
 * json_path.c - one field of a JSON text, found without building a tree
 * (pipelines.h). The text is a step's answer: whatever an engine or an
 * upstream said, so every byte is checked and nesting is bounded; the
 * value found is copied verbatim into another JSON document, so it must
 * itself be well-formed.
 */
#include <anx/errno.h>
#include <anx/lib.h>

#include "pipelines.h"

#define MAX_DEPTH 64

static size_t ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* End of the string token at s[i] == '"', or 0 when malformed. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            return i + 1;
        if (c < 0x20)
            return 0;
        if (c != '\\')
            continue;
        if (++i >= n)
            return 0;
        if (s[i] == 'u') {
            for (int k = 1; k <= 4; k++)
                if (i + k >= n || !isxdigit((unsigned char)s[i + k]))
                    return 0;
            i += 4;
        } else if (!strchr("\"\\/bfnrt", s[i]) || !s[i]) {
            return 0;
        }
    }
    return 0;
}

static size_t skip_number(const char *s, size_t n, size_t i)
{
    size_t start = i;
    if (i < n && s[i] == '-')
        i++;
    size_t digits = i;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i == digits)
        return 0;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == f)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i == e)
            return 0;
    }
    return i > start ? i : 0;
}

/* End of the value starting at s[i] (no leading blanks), or 0. */
static size_t skip_value(const char *s, size_t n, size_t i, int depth)
{
    if (i >= n || depth > MAX_DEPTH)
        return 0;
    char c = s[i];
    if (c == '"')
        return skip_string(s, n, i);
    if (c == '-' || isdigit((unsigned char)c))
        return skip_number(s, n, i);
    static const char *const words[] = { "true", "false", "null" };
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(words[k]);
        if (n - i >= l && !memcmp(s + i, words[k], l))
            return i + l;
    }
    if (c != '{' && c != '[')
        return 0;
    char close = c == '{' ? '}' : ']';
    i = ws(s, n, i + 1);
    if (i < n && s[i] == close)
        return i + 1;
    for (;;) {
        if (c == '{') {
            if (i >= n || s[i] != '"' || !(i = skip_string(s, n, i)))
                return 0;
            i = ws(s, n, i);
            if (i >= n || s[i] != ':')
                return 0;
            i = ws(s, n, i + 1);
        }
        if (!(i = skip_value(s, n, i, depth + 1)))
            return 0;
        i = ws(s, n, i);
        if (i < n && s[i] == ',') {
            i = ws(s, n, i + 1);
            continue;
        }
        return i < n && s[i] == close ? i + 1 : 0;
    }
}

/* In the object or array at s[i], the member named seg: its value's start
 * (0 < result) or 0 when missing; -1 when malformed. */
static long member(const char *s, size_t n, size_t i, const char *seg, size_t seglen)
{
    char c = s[i], close = c == '{' ? '}' : ']';
    unsigned long want = 0;
    if (c == '[') {
        if (!seglen || seglen > 9)
            return 0;
        for (size_t k = 0; k < seglen; k++) {
            if (!isdigit((unsigned char)seg[k]))
                return 0;
            want = want * 10 + (unsigned long)(seg[k] - '0');
        }
    }
    i = ws(s, n, i + 1);
    if (i < n && s[i] == close)
        return 0;
    for (unsigned long idx = 0;; idx++) {
        bool hit;
        if (c == '{') {
            size_t k0 = i;
            if (i >= n || s[i] != '"' || !(i = skip_string(s, n, i)))
                return -1;
            hit = i - k0 - 2 == seglen && !memcmp(s + k0 + 1, seg, seglen);
            i = ws(s, n, i);
            if (i >= n || s[i] != ':')
                return -1;
            i = ws(s, n, i + 1);
        } else {
            hit = idx == want;
        }
        size_t end = skip_value(s, n, i, 1);
        if (!end)
            return -1;
        if (hit)
            return (long)i;
        i = ws(s, n, end);
        if (i < n && s[i] == ',') {
            i = ws(s, n, i + 1);
            continue;
        }
        return i < n && s[i] == close ? 0 : -1;
    }
}

int pl_json_find(const char *j, size_t n, const char *path, size_t plen, const char **v,
                 size_t *vlen)
{
    size_t i = ws(j, n, 0);
    size_t p = 0;
    while (p < plen) {
        size_t e = p;
        while (e < plen && path[e] != '.')
            e++;
        if (i >= n || (j[i] != '{' && j[i] != '[')) {
            /* a scalar has no fields; but a malformed text is reported as such */
            return skip_value(j, n, i, 0) ? ANX_ENOENT : ANX_EINVAL;
        }
        long m = member(j, n, i, path + p, e - p);
        if (m < 0)
            return ANX_EINVAL;
        if (m == 0)
            return skip_value(j, n, i, 0) ? ANX_ENOENT : ANX_EINVAL;
        i = (size_t)m;
        p = e + 1;
    }
    size_t end = skip_value(j, n, i, 0);
    if (!end)
        return ANX_EINVAL;
    *v = j + i;
    *vlen = end - i;
    return 0;
}

static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static void put_utf8(struct anx_buf *out, unsigned cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | cp >> 6);
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | cp >> 12);
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | cp >> 18);
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    anx_buf_add(out, b, n);
}

int pl_json_unescape(const char *s, size_t n, struct anx_buf *out)
{
    if (n < 2 || s[0] != '"' || skip_string(s, n, 0) != n)
        return ANX_EINVAL;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] != '\\') {
            size_t k = i;
            while (k + 1 < n && s[k] != '\\')
                k++;
            anx_buf_add(out, s + i, k - i);
            i = k - 1;
            continue;
        }
        char c = s[++i];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        if (c != 'u') {
            anx_buf_add(out, &to[strchr(from, c) - from], 1);
            continue;
        }
        unsigned cp = hex4(s + i + 1);
        i += 4;
        /* a surrogate pair is one code point; a lone surrogate is U+FFFD */
        if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
            unsigned lo = hex4(s + i + 3);
            if (lo >= 0xdc00 && lo < 0xe000) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                i += 6;
            }
        }
        if (cp >= 0xd800 && cp < 0xe000)
            cp = 0xfffd;
        put_utf8(out, cp);
    }
    return 0;
}
