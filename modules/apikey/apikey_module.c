/*
 * apikey_module.c - the apikey module: the manifest's rules (apikey.h)
 * as the router's guard. A request whose rule is not `open` needs
 * `Authorization: Bearer KEY` with an api-token credential granted to
 * apikey (the credential store compares it in constant time and keeps
 * only its hash) whose scopes allow the rule's scope:
 *   no key, or a key that is none of them      401, WWW-Authenticate: Bearer
 *   a key without the scope                    403
 *   a key over its rate limit (config limits)  429, Retry-After
 * both as JSON: in OpenAI's error shape under /v1/ (what its clients
 * parse: code invalid_api_key / insufficient_scope), else
 * {"error": "unauthorized"|"forbidden", "message": ..., "scope": ...}.
 * A bearer value that starts with "anx1." is a capability token
 * (captoken.h, apikey_tokens.c) instead of a key: a bad tag, an expired or
 * revoked token is a 401, caveats that do not cover the request a 403.
 */
#define LOG_TAG "apikey"
#include <anx/buf.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

#include "../router/router.h"
#include "apikey.h"
#include "captoken.h"
#include "cred.h"

static struct apikey_rule *rules;
static size_t nrules;
static struct apikey_limit *limits;
static size_t nlimits;
/* one bucket per key or token that has a limit, made at its first
 * request, named as limits name them: the key's credential name, or
 * "token:ID" (a token and everything attenuated from it share one) */
#define BUCKETS 64
static struct {
    char who[sizeof limits->name];
    struct apikey_bucket b;
} buckets[BUCKETS];
static unsigned long long allowed, refused_401, refused_403, refused_429;

static bool openai_path(const struct rt_request *rq)
{
    return rq->path_len >= 4 && memcmp(rq->path, "/v1/", 4) == 0;
}

static void refuse(struct rt_request *rq, struct rt_response *rs, int status, const char *scope, const char *why)
{
    struct anx_buf *b = &rs->out;
    bool openai = openai_path(rq);
    rs->status = status;
    rs->content_type = "application/json";
    if (openai) {
        anx_buf_puts(b, "{\"error\": {\"message\": ");
        rt_json_str(b, why, strlen(why));
        anx_buf_printf(b, ", \"type\": \"%s\", \"param\": null, \"code\": \"%s\"}}\n",
                       status == 429 ? "requests" : "invalid_request_error",
                       status == 401   ? "invalid_api_key"
                       : status == 403 ? "insufficient_scope"
                                       : "rate_limit_exceeded");
    } else {
        anx_buf_printf(b, "{\"error\": \"%s\", \"message\": ",
                       status == 401 ? "unauthorized" : status == 403 ? "forbidden" : "rate_limited");
        rt_json_str(b, why, strlen(why));
        anx_buf_puts(b, ", \"scope\": ");
        rt_json_str(b, scope, strlen(scope));
        anx_buf_puts(b, "}\n");
    }
    if (status == 401) {
        /* RFC 6750 section 3: the scheme, and invalid_token when one was sent */
        rt_add_header(rs, "WWW-Authenticate",
                      rt_header(rq, "Authorization", NULL) ? "Bearer realm=\"anunix\", error=\"invalid_token\""
                                                           : "Bearer realm=\"anunix\"");
        refused_401++;
    } else if (status == 403) {
        refused_403++;
    } else {
        refused_429++;
    }
}

/* The limit of a key or token (who): its own line, else the `*` line,
 * else none. */
static const struct apikey_limit *limit_of(const char *who)
{
    const struct apikey_limit *any = NULL;
    for (size_t i = 0; i < nlimits; i++) {
        if (!strcmp(limits[i].name, who))
            return &limits[i];
        if (!strcmp(limits[i].name, "*"))
            any = &limits[i];
    }
    return any;
}

/* Within who's rate: true; else a 429 with Retry-After was answered. */
static bool within_rate(struct rt_request *rq, struct rt_response *rs, const char *who, const char *scope)
{
    const struct apikey_limit *l = limit_of(who);
    if (!l)
        return true;
    size_t i = 0;
    while (i < BUCKETS && buckets[i].who[0] && strcmp(buckets[i].who, who))
        i++;
    if (i == BUCKETS)
        return true;  /* more limited keys than buckets: counted nowhere (64 is far beyond use) */
    strlcpy(buckets[i].who, who, sizeof buckets[i].who);
    uint64_t retry;
    if (apikey_bucket_take(&buckets[i].b, l, anx_time_ns(), &retry))
        return true;
    char why[160], secs[24];
    snprintf(why, sizeof why, "%s '%s' is over its rate limit; try again later",
             strncmp(who, "token:", 6) ? "the key" : "the token", strncmp(who, "token:", 6) ? who : who + 6);
    refuse(rq, rs, 429, scope, why);
    snprintf(secs, sizeof secs, "%llu", (unsigned long long)(retry / 1000000000u + 1));
    rt_add_header(rs, "Retry-After", secs);
    return false;
}

/* A capability token (len bytes at tok) for a request whose rule names
 * scope: true, or false after a 401 or 403 and its audit event. */
static bool token_guard(struct rt_request *rq, struct rt_response *rs, const char *tok, size_t len, const char *scope)
{
    char why[240], err[120];
    uint8_t root[32];
    struct apikey_cap *t = NULL;   /* 3.6 KiB: not on a thread's stack */
    int status = 401;
    const char *who = "unknown token", *result = "401 invalid token";
    if (apikey_token_root(root, why, sizeof why)) {
        /* why says: off, or the secret not provisioned */
    } else if (!(t = anx_malloc(sizeof *t))) {
        snprintf(why, sizeof why, "out of memory checking the token");
    } else if (apikey_cap_decode(tok, len, t, err, sizeof err)) {
        snprintf(why, sizeof why, "invalid token: %s", err);
    } else if (!apikey_cap_verify(t, root)) {
        snprintf(why, sizeof why, "invalid token: its tag does not match (altered, or made with another key)");
    } else {
        who = apikey_token_who(t->id);
        if (apikey_revocations_load()) {
            snprintf(why, sizeof why, "the revoked-token list is not loaded yet (the object store is not open)");
        } else if (apikey_revoked(t->id)) {
            snprintf(why, sizeof why, "the token %s was revoked", t->id);
            result = "401 revoked token";
        } else {
            status = apikey_cap_allows(t, rq->method, rq->path, rq->path_len, scope,
                                       anx_time_unix_ns() / 1000000000u, anx_time_has_wall_clock(), why, sizeof why);
            result = status == 401 ? "401 expired token" : "403 token caveat";
        }
    }
    memset(root, 0, sizeof root);
    anx_free(t);
    if (status) {
        refuse(rq, rs, status, scope, why);
        rt_audit(rq, who, result);
        return false;
    }
    rq->who = who;
    if (!within_rate(rq, rs, who, scope))
        return false;
    allowed++;
    return true;
}

bool apikey_guard(struct rt_request *rq, struct rt_response *rs)
{
    const char *scope;
    if (rq->path_len == strlen(APIKEY_REVOKE_PATH) && !memcmp(rq->path, APIKEY_REVOKE_PATH, rq->path_len)) {
        scope = "admin";   /* revoking is admin's, whatever the rules open */
    } else {
        const struct apikey_rule *r = apikey_rule_find(rules, nrules, rq->method, rq->path, rq->path_len);
        scope = r ? r->scope : "admin";
    }
    if (!strcmp(scope, "open"))
        return true;
    size_t hlen, klen;
    const char *h = rt_header(rq, "Authorization", &hlen);
    const char *key = h ? apikey_bearer(h, hlen, &klen) : NULL;
    if (!key) {
        refuse(rq, rs, 401, scope, h ? "the Authorization header is not 'Bearer KEY'"
                                     : "this route needs an API key: send Authorization: Bearer KEY");
        return false;
    }
    if (klen >= 5 && !memcmp(key, APIKEY_CAP_PREFIX, 5))
        return token_guard(rq, rs, key, klen, scope);
    const struct cred_info *which;
    if (cred_token_match("apikey", key, klen, &which) != 0) {
        refuse(rq, rs, 401, scope, "invalid API key");
        rt_audit(rq, "unknown key", "401 invalid API key");
        return false;
    }
    rq->who = which->name;   /* the credential's name: it outlives the request */
    if (!within_rate(rq, rs, which->name, scope))
        return false;
    if (!apikey_scope_has(which->scopes, scope)) {
        char why[160];
        snprintf(why, sizeof why, "the key '%s' does not have the scope '%s'", which->name, scope);
        refuse(rq, rs, 403, scope, why);
        rt_audit(rq, rq->who, "403 missing scope");
        return false;
    }
    allowed++;
    return true;
}

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_printf(b,
                   "# HELP anx_apikey_requests_total Requests that needed an API key, by outcome.\n"
                   "# TYPE anx_apikey_requests_total counter\n"
                   "anx_apikey_requests_total{outcome=\"allowed\"} %llu\n"
                   "anx_apikey_requests_total{outcome=\"401\"} %llu\n"
                   "anx_apikey_requests_total{outcome=\"403\"} %llu\n"
                   "anx_apikey_requests_total{outcome=\"429\"} %llu\n",
                   allowed, refused_401, refused_403, refused_429);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

/* Parse a NULL-terminated list of config items into a new array of
 * elem-sized entries (*out, freed first; *count set only on success). */
static int parse_items(const char *const *items, const char *what, size_t elem,
                       int (*parse)(const char *s, void *entry, char *err, size_t errlen), void **out, size_t *count,
                       char *err, size_t errlen)
{
    size_t n = 0;
    while (items[n])
        n++;
    anx_free(*out);
    *count = 0;
    *out = anx_calloc(n ? n : 1, elem);
    if (!*out)
        return ANX_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        char why[160];
        if (parse(items[i], (char *)*out + i * elem, why, sizeof why)) {
            snprintf(err, errlen, "%s[%zu] '%s': %s", what, i, items[i], why);
            return ANX_EINVAL;
        }
    }
    *count = n;
    return 0;
}

static int parse_rule(const char *s, void *r, char *err, size_t errlen)
{
    return apikey_rule_parse(s, r, err, errlen);
}

static int parse_limit(const char *s, void *l, char *err, size_t errlen)
{
    return apikey_limit_parse(s, l, err, errlen);
}

int apikey_configure(const char *const *items, char *err, size_t errlen)
{
    int e = parse_items(items, "rules", sizeof *rules, parse_rule, (void **)&rules, &nrules, err, errlen);
    if (!e)
        rt_guard_set(apikey_guard);
    return e;
}

int apikey_configure_limits(const char *const *items, char *err, size_t errlen)
{
    memset(buckets, 0, sizeof buckets);
    return parse_items(items, "limits", sizeof *limits, parse_limit, (void **)&limits, &nlimits, err, errlen);
}

static const char *const config_rules[] = CONFIG_APIKEY_RULES;
static const char *const config_limits[] = CONFIG_APIKEY_LIMITS;

static int apikey_init(void)
{
    char err[320];
    int e = apikey_configure(config_rules, err, sizeof err);
    if (!e)
        e = apikey_configure_limits(config_limits, err, sizeof err);
    if (e) {
        log_error("config %s", err);
        return e;
    }
    apikey_configure_tokens(CONFIG_APIKEY_TOKEN_KEY, CONFIG_APIKEY_REVOKED_OBJECT);
    if ((e = apikey_tokens_init()))
        return e;
    size_t keys = 0;
    for (size_t i = 0; i < cred_count(); i++) {
        const struct cred_info *c = cred_at(i);
        const struct cred_info *mine;
        if (c->type == CRED_API_TOKEN && cred_find("apikey", c->name, &mine) == 0)
            keys++;
    }
    if (!keys && !*CONFIG_APIKEY_TOKEN_KEY)
        log_warn("no api-token credential is granted to apikey: only the open rules' routes answer "
                 "(declare one with modules: [apikey] and give it with anx run --secret NAME=FILE)");
    rt_metrics_register(&metrics);
    log_info("%zu rules, %zu API keys declared", nrules, keys);
    return 0;
}

/* Essential: an image that should ask for keys must not come up open. */
ANX_MODULE(apikey, .init = apikey_init, .essential = true);
