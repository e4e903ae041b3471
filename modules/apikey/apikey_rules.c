/* apikey_rules.c - rules, scopes and the bearer header (apikey.h). */
#include "apikey.h"
#include <anx/lib.h>
#include "../router/router.h"

static bool scope_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '.' || c == '-';
}

/* The next space-separated word of *s: its start and length (0 at the end). */
static size_t word(const char **s, const char **start)
{
    while (**s == ' ' || **s == '\t')
        (*s)++;
    *start = *s;
    while (**s && **s != ' ' && **s != '\t')
        (*s)++;
    return (size_t)(*s - *start);
}

static int fail(char *err, size_t errlen, const char *msg)
{
    strncpy(err, msg, errlen - 1);
    err[errlen - 1] = 0;
    return -1;
}

/* "GET,PUT" into "GET,PUT," with each method checked */
static int parse_methods(const char *p, size_t n, char *out, size_t cap, char *err, size_t errlen)
{
    size_t at = 0;
    while (n) {
        const char *comma = memchr(p, ',', n);
        size_t len = comma ? (size_t)(comma - p) : n;
        char m[16];
        if (!len || len >= sizeof m)
            return fail(err, errlen, "bad method list (METHOD[,METHOD...], e.g. GET,HEAD or ANY)");
        memcpy(m, p, len);
        m[len] = 0;
        if (strcmp(m, "ANY") != 0 && !rt_method_ok(m))
            return fail(err, errlen, "bad method (upper-case letters as in GET or PUT, or ANY)");
        if (at + len + 2 > cap)
            return fail(err, errlen, "too many methods");
        memcpy(out + at, m, len);
        at += len;
        out[at++] = ',';
        out[at] = 0;
        p += len + (comma ? 1 : 0);
        n -= len + (comma ? 1 : 0);
    }
    return at ? 0 : fail(err, errlen, "no method");
}

int apikey_rule_parse(const char *s, struct apikey_rule *r, char *err, size_t errlen)
{
    const char *w;
    size_t n;
    memset(r, 0, sizeof *r);
    if (!(n = word(&s, &w)) || n > APIKEY_SCOPE_MAX)
        return fail(err, errlen, "expected 'SCOPE METHOD[,METHOD...] PATTERN' (SCOPE 1-40 of a-z 0-9 : _ . -, or open)");
    for (size_t i = 0; i < n; i++)
        if (!scope_char(w[i]))
            return fail(err, errlen, "bad scope (1-40 of a-z 0-9 : _ . -, or open)");
    memcpy(r->scope, w, n);
    if (!(n = word(&s, &w)))
        return fail(err, errlen, "missing methods and pattern after the scope");
    if (parse_methods(w, n, r->methods, sizeof r->methods, err, errlen))
        return -1;
    if (!(n = word(&s, &w)))
        return fail(err, errlen, "missing the path pattern (e.g. /api/v1/objects/*)");
    if (n > APIKEY_PATTERN_MAX)
        return fail(err, errlen, "pattern longer than 200 bytes");
    memcpy(r->pattern, w, n);
    int klass;
    size_t literal;
    if (rt_pattern_check(r->pattern, &klass, &literal))
        return fail(err, errlen, "bad pattern (literal and {param} segments from '/', an optional final *)");
    if (word(&s, &w))
        return fail(err, errlen, "unexpected words after the pattern");
    return 0;
}

bool apikey_scope_has(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    const char *w;
    size_t len;
    while ((len = word(&scopes, &w)))
        if ((len == n && !memcmp(w, scope, n)) || (len == 5 && !memcmp(w, "admin", 5)))
            return true;
    return false;
}

const char *apikey_bearer(const char *value, size_t len, size_t *key_len)
{
    static const char scheme[] = "bearer";
    if (len < 7)
        return NULL;
    for (size_t i = 0; i < 6; i++)
        if ((value[i] | 0x20) != scheme[i])
            return NULL;
    if (value[6] != ' ')
        return NULL;
    size_t at = 6;
    while (at < len && value[at] == ' ')
        at++;
    size_t end = len;
    while (end > at && (value[end - 1] == ' ' || value[end - 1] == '\t'))
        end--;
    if (end == at)
        return NULL;
    for (size_t i = at; i < end; i++)
        if (value[i] == ' ')
            return NULL;   /* one token, no second word */
    *key_len = end - at;
    return value + at;
}

int apikey_limit_parse(const char *s, struct apikey_limit *l, char *err, size_t errlen)
{
    const char *w;
    size_t n;
    memset(l, 0, sizeof *l);
    if (!(n = word(&s, &w)) || n >= sizeof l->name)
        return fail(err, errlen, "expected 'NAME RATE [burst N]' (NAME a key's credential name, token:ID or *; RATE N/s, N/min or N/h)");
    memcpy(l->name, w, n);
    if (!(n = word(&s, &w)))
        return fail(err, errlen, "missing the rate after the name (N/s, N/min or N/h)");
    uint64_t count = 0;
    size_t i = 0;
    while (i < n && w[i] >= '0' && w[i] <= '9' && count < 1000000000)
        count = count * 10 + (uint64_t)(w[i++] - '0');
    uint64_t unit = 0;
    if (i < n && w[i] == '/') {
        size_t ul = n - i - 1;
        const char *u = w + i + 1;
        if (ul == 1 && *u == 's')
            unit = 1000000000ull;
        else if (ul == 3 && !memcmp(u, "min", 3))
            unit = 60000000000ull;
        else if (ul == 1 && *u == 'h')
            unit = 3600000000000ull;
    }
    if (!count || count >= 1000000000 || !unit)
        return fail(err, errlen, "bad rate (1 to 999999999 requests per s, min or h: 10/s, 600/min)");
    l->per_ns = unit / count;
    if (!l->per_ns)
        l->per_ns = 1;
    uint64_t second = 1000000000ull / l->per_ns;
    l->burst = second ? (second > 1000000 ? 1000000 : (uint32_t)second) : 1;
    if ((n = word(&s, &w))) {
        if (n != 5 || memcmp(w, "burst", 5) || !(n = word(&s, &w)))
            return fail(err, errlen, "after the rate only 'burst N' may follow");
        uint64_t b = 0;
        for (i = 0; i < n && w[i] >= '0' && w[i] <= '9' && b <= 1000000; i++)
            b = b * 10 + (uint64_t)(w[i] - '0');
        if (i != n || !b || b > 1000000)
            return fail(err, errlen, "bad burst (1 to 1000000 requests)");
        l->burst = (uint32_t)b;
        if (word(&s, &w))
            return fail(err, errlen, "unexpected words after the burst");
    }
    return 0;
}

bool apikey_bucket_take(struct apikey_bucket *b, const struct apikey_limit *l, uint64_t now_ns, uint64_t *retry_ns)
{
    uint64_t cap = (uint64_t)l->burst * l->per_ns;
    if (!b->used) {
        b->used = true;
        b->tokens_ns = cap;
    } else if (now_ns > b->last_ns) {
        uint64_t gained = now_ns - b->last_ns;
        b->tokens_ns = gained >= cap - b->tokens_ns ? cap : b->tokens_ns + gained;
    }
    b->last_ns = now_ns;
    if (b->tokens_ns >= l->per_ns) {
        b->tokens_ns -= l->per_ns;
        return true;
    }
    *retry_ns = l->per_ns - b->tokens_ns;
    return false;
}

static bool method_listed(const char *methods, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = methods; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = (size_t)(comma - p);
        if (len == 3 && !memcmp(p, "ANY", 3))
            return true;
        if ((len == n && !memcmp(p, method, n)) || (len == 3 && !memcmp(p, "GET", 3) && !strcmp(method, "HEAD")))
            return true;
        p = comma + 1;
    }
    return false;
}

const struct apikey_rule *apikey_rule_find(const struct apikey_rule *rules, size_t n, const char *method,
                                           const char *path, size_t path_len)
{
    for (size_t i = 0; i < n; i++)
        if (method_listed(rules[i].methods, method) && rt_match(rules[i].pattern, path, path_len, NULL, NULL))
            return &rules[i];
    return NULL;
}
