/*
 * route_spec.c - the syntax of the router's config items: one route of
 * `routes:` and one upstream of `upstreams:`, plus the method, pattern and
 * policy rules that rt_route_add() also applies.  Pure (no heap, no I/O,
 * only string functions): the image compiles it for router_init, and anx
 * compiles it too (gen/config_items.c), so `anx check` refuses at the
 * manifest's line exactly the items the router would refuse at boot.
 */
#include <anx/lib.h>
#include <anx/printf.h>

#include "router.h"

/* ---- policies, methods, patterns --------------------------------------------- */

static const char *const policy_names[] = { "first-healthy", "round-robin", "fallback" };

const char *rt_policy_name(enum rt_policy p)
{
    return (unsigned)p < 3 ? policy_names[p] : "?";
}

int rt_policy_parse(const char *s, size_t n, enum rt_policy *out)
{
    for (int i = 0; i < 3; i++)
        if (strlen(policy_names[i]) == n && !memcmp(s, policy_names[i], n)) {
            *out = (enum rt_policy)i;
            return 0;
        }
    return -1;
}

/* An HTTP method token as routes use them: uppercase letters, '-' and '_'
 * (RFC 9110 allows more, but every registered method is uppercase), or
 * "*" / "ANY" for any method. */
bool rt_method_ok(const char *m)
{
    if (!strcmp(m, "*") || !strcmp(m, "ANY"))
        return true;
    if (!*m || strlen(m) > 15)
        return false;
    for (const char *s = m; *s; s++)
        if (!(*s >= 'A' && *s <= 'Z') && *s != '-' && *s != '_')
            return false;
    return true;
}

int rt_pattern_check(const char *p, int *klass, size_t *literal)
{
    if (p[0] != '/')
        return -1;
    int k = 0;
    size_t lit = 0;
    for (const char *s = p; *s; s++) {
        if (*s == '*') {
            if (s[1] != 0)
                return -1; /* only as the last character */
            k = 2;
        } else if (*s == '{') {
            if (s[-1] != '/')
                return -1;
            const char *e = strchr(s, '}');
            if (!e || e == s + 1 || (e[1] != '/' && e[1] != 0))
                return -1;
            for (const char *q = s + 1; q < e; q++)
                if (*q == '/' || *q == '{' || *q == '*')
                    return -1;
            if (k < 1)
                k = 1;
            s = e;
        } else if (*s == '}') {
            return -1;
        } else {
            lit++;
        }
    }
    *klass = k;
    *literal = lit;
    return 0;
}

/* ---- one route ------------------------------------------------------------------ */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* An item without the blanks around it (the old ';' form had them). */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((*s)[*n - 1]))
        (*n)--;
}

/* Appends s[0..n) and a ',' to the engine list; false when it is full. */
static bool engines_add(struct rt_route_spec *rs, const char *s, size_t n)
{
    size_t have = strlen(rs->engines);
    if (have + n + 2 > sizeof rs->engines)
        return false;
    memcpy(rs->engines + have, s, n);
    rs->engines[have + n] = ',';
    rs->engines[have + n + 1] = 0;
    rs->nengines++;
    return true;
}

/* The engine words after "->" (each may hold several names separated by
 * commas), without a final policy word. */
static int route_engines(struct rt_route_spec *rs, char **words, int from, int to, char *err,
                         size_t errlen)
{
    for (int i = from; i < to; i++)
        for (const char *s = words[i]; *s;) {
            while (*s == ',')
                s++;
            const char *e = s;
            while (*e && *e != ',')
                e++;
            if (e == s)
                break;
            if (rs->nengines == RT_MAX_ENGINES) {
                snprintf(err, errlen, "route names more than %d engines", RT_MAX_ENGINES);
                return -1;
            }
            if (!engines_add(rs, s, (size_t)(e - s))) {
                snprintf(err, errlen, "route's engine names are longer than %u bytes in all",
                         (unsigned)sizeof rs->engines - 2);
                return -1;
            }
            s = e;
        }
    return 0;
}

int rt_route_spec_parse(const char *s, size_t n, struct rt_route_spec *rs, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    trim(&s, &n);
    if (n >= sizeof rs->line) {
        snprintf(err, errlen, "route is longer than %u bytes: '%.40s...'",
                 (unsigned)sizeof rs->line - 1, s);
        return -1;
    }
    memcpy(rs->line, s, n);
    rs->line[n] = 0;
    char *words[4 + RT_MAX_ENGINES + 2];
    int nw = 0;
    for (char *p = rs->line; *p;) {
        while (is_space(*p))
            p++;
        if (!*p)
            break;
        if (nw == (int)ANX_ARRAY_SIZE(words)) {
            snprintf(err, errlen, "route has more than %d words: '%.*s'", nw, (int)n, s);
            return -1;
        }
        words[nw++] = p;
        while (*p && !is_space(*p))
            p++;
        if (*p)
            *p++ = 0;
    }
    int w = 0;
    if (nw > 0 && words[0][strlen(words[0]) - 1] == ':') {
        words[0][strlen(words[0]) - 1] = 0;
        rs->name = words[0][0] ? words[0] : NULL;
        w = 1;
    }
    /* METHOD PATTERN -> ENGINE[,ENGINE ...] [POLICY] */
    if (nw - w < 4 || strcmp(words[w + 2], "->")) {
        snprintf(
            err, errlen,
            "expected 'METHOD PATTERN -> ENGINE[,ENGINE...] [POLICY]' (after an optional 'NAME:'), found '%.*s'",
            (int)n, s);
        return -1;
    }
    rs->method = words[w];
    rs->pattern = words[w + 1];
    if (!rt_method_ok(rs->method)) {
        snprintf(err, errlen,
                 "invalid method '%s' (expected an uppercase method like GET or POST, or ANY)",
                 rs->method);
        return -1;
    }
    int k;
    size_t l;
    if (rt_pattern_check(rs->pattern, &k, &l)) {
        snprintf(
            err, errlen,
            "invalid path pattern '%s' (expected '/', literal segments, {param} segments, a final *)",
            rs->pattern);
        return -1;
    }
    int last = nw;
    rs->policy = RT_FIRST_HEALTHY;
    if (nw - w > 4 && rt_policy_parse(words[nw - 1], strlen(words[nw - 1]), &rs->policy) == 0)
        last = nw - 1;
    if (route_engines(rs, words, w + 3, last, err, errlen))
        return -1;
    if (rs->nengines == 0) {
        snprintf(err, errlen, "route '%.*s' names no engine after '->'", (int)n, s);
        return -1;
    }
    return 0;
}

/* ---- one upstream ------------------------------------------------------------- */

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
}

static bool name_char(char c)
{
    return host_char(c) || c == '_';
}

/* NAME=HOST:PORT[/HEALTH-PATH] */
int rt_upstream_spec_parse(const char *s, size_t n, struct rt_upstream_spec *u, char *err,
                           size_t errlen)
{
    memset(u, 0, sizeof *u);
    trim(&s, &n);
    const char *eq = memchr(s, '=', n), *end = s + n;
    const char *colon = eq ? memchr(eq, ':', (size_t)(end - eq)) : NULL;
    if (!eq || !colon || eq == s || colon == eq + 1) {
        snprintf(
            err, errlen,
            "expected 'NAME=HOST:PORT[/HEALTH-PATH]' (like peer=10.0.2.2:9000/health), found '%.*s'",
            (int)n, s);
        return -1;
    }
    size_t nl = (size_t)(eq - s), hl = (size_t)(colon - eq - 1);
    for (size_t i = 0; i < nl; i++)
        if (!name_char(s[i])) {
            snprintf(err, errlen,
                     "invalid upstream name '%.*s' (expected letters, digits, '.', '-' and '_')",
                     (int)nl, s);
            return -1;
        }
    if (nl >= sizeof u->name) {
        snprintf(err, errlen, "upstream name '%.*s' is longer than %u bytes", (int)nl, s,
                 (unsigned)sizeof u->name - 1);
        return -1;
    }
    for (size_t i = 0; i < hl; i++)
        if (!host_char(eq[1 + i])) {
            snprintf(
                err, errlen,
                "invalid host '%.*s' in upstream '%.*s' (expected an IPv4 address or a DNS name)",
                (int)hl, eq + 1, (int)n, s);
            return -1;
        }
    if (hl >= sizeof u->host) {
        snprintf(err, errlen, "host of upstream '%.*s' is longer than %u bytes", (int)nl, s,
                 (unsigned)sizeof u->host - 1);
        return -1;
    }
    const char *p = colon + 1;
    unsigned port = 0;
    while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
        port = port * 10 + (unsigned)(*p++ - '0');
    if (port == 0 || port > 65535 || (p < end && *p != '/')) {
        const char *pe = memchr(colon, '/', (size_t)(end - colon));
        snprintf(err, errlen, "invalid port '%.*s' in upstream '%.*s' (expected 1 to 65535)",
                 (int)((pe ? pe : end) - colon - 1), colon + 1, (int)n, s);
        return -1;
    }
    if ((size_t)(end - p) >= sizeof u->health_path) {
        snprintf(err, errlen, "health path of upstream '%.*s' is longer than %u bytes", (int)nl, s,
                 (unsigned)sizeof u->health_path - 1);
        return -1;
    }
    memcpy(u->name, s, nl);
    memcpy(u->host, eq + 1, hl);
    u->port = (uint16_t)port;
    if (p < end)
        memcpy(u->health_path, p, (size_t)(end - p));
    else
        memcpy(u->health_path, RT_DEFAULT_HEALTH_PATH, sizeof RT_DEFAULT_HEALTH_PATH);
    return 0;
}

/* ---- matching a path (the dispatch's, apikey's rules', anx's checks) -------------------------------------------------------------------- */

bool rt_match(const char *pat, const char *path, size_t n, struct rt_kv *params, size_t *np)
{
    size_t i = 0, count = 0;
    while (*pat) {
        if (*pat == '*') {
            if (params && count < RT_MAX_PARAMS)
                params[count++] = (struct rt_kv){ "*", 1, path + i, n - i };
            if (np)
                *np = count;
            return true;
        }
        if (*pat == '{') {
            const char *e = strchr(pat, '}');
            size_t start = i;
            while (i < n && path[i] != '/')
                i++;
            if (i == start)
                return false; /* a parameter is never empty */
            if (params && count < RT_MAX_PARAMS)
                params[count++] =
                    (struct rt_kv){ pat + 1, (size_t)(e - pat - 1), path + start, i - start };
            pat = e + 1;
            continue;
        }
        if (i >= n || path[i] != *pat)
            return false;
        i++;
        pat++;
    }
    if (i != n)
        return false;
    if (np)
        *np = count;
    return true;
}
