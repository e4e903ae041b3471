// apikey: who may call which HTTP route (docs/security.md). The manifest
// lists rules, each a scope, methods and a router path pattern:
//
//     apikey:
//       rules:
//         - "open GET /api/v1/health"
//         - "objects:read GET /api/v1/objects/*"
//         - "objects:write PUT,DELETE /api/v1/objects/*"
//         - "infer POST /v1/*"
//
/*
 * The first rule that matches a request's method and path decides: scope
 * `open` lets anyone through; any other scope needs an API key (an
 * api-token credential granted to apikey, sent as `Authorization: Bearer
 * KEY`) whose scopes include it or `admin`. A request no rule matches
 * needs a key with `admin`: what the manifest does not open stays shut.
 *
 * apikey_rules.c is the pure part (the syntax of rules and limits, scopes,
 * the bearer header, token buckets): anx compiles it too, so `anx check`
 * reports a bad rule at its file:line:col. apikey_module.c is the router
 * guard.
 */
#ifndef APIKEY_H
#define APIKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APIKEY_SCOPE_MAX 40
#define APIKEY_PATTERN_MAX 200

struct apikey_rule {
    char scope[APIKEY_SCOPE_MAX + 1];     /* "open" or a scope name */
    char methods[64];                     /* "GET,HEAD," or "ANY," */
    char pattern[APIKEY_PATTERN_MAX + 1]; /* a router pattern */
};

/* Parse one rule; 0, or -1 with what is wrong in err. */
int apikey_rule_parse(const char *s, struct apikey_rule *r, char *err, size_t errlen);
/* Whether a space-separated scope list grants scope (`admin` grants every one). */
bool apikey_scope_has(const char *scopes, const char *scope);
/* The key of an Authorization header value "Bearer KEY" (case-insensitive
 * scheme, one or more spaces): a pointer into value and its length, or NULL. */
const char *apikey_bearer(const char *value, size_t len, size_t *key_len);

/* A rate limit, one item of the config's `limits`: "NAME RATE [burst N]"
 * with NAME a key's credential name or `*` (every key without a line of
 * its own, each counted apart) and RATE "N/s", "N/min" or "N/h". Burst:
 * the requests a key may make at once after a quiet spell (default: one
 * second's worth, at least 1). */
struct apikey_limit {
    char name[40];
    uint64_t per_ns;      /* one request per this many ns */
    uint32_t burst;
};
int apikey_limit_parse(const char *s, struct apikey_limit *l, char *err, size_t errlen);

/* A token bucket: full at first use. */
struct apikey_bucket {
    uint64_t tokens_ns;   /* saved-up time, at most burst * per_ns */
    uint64_t last_ns;
    bool used;
};
/* Take one request at now_ns: true, or false with *retry_ns until the next fits. */
bool apikey_bucket_take(struct apikey_bucket *b, const struct apikey_limit *l, uint64_t now_ns, uint64_t *retry_ns);

/* ---- the module (apikey_module.c) ---- */
struct rt_request;
struct rt_response;
/* Take the rules (a NULL-terminated list of items) and install the guard:
 * 0, or ANX_EINVAL with the item and what is wrong in err. */
int apikey_configure(const char *const *items, char *err, size_t errlen);
/* Take the rate limits (a NULL-terminated list of items): 0, or ANX_EINVAL. */
int apikey_configure_limits(const char *const *items, char *err, size_t errlen);
/* The first rule that matches, or NULL. A GET rule also covers HEAD, as a GET route does. */
const struct apikey_rule *apikey_rule_find(const struct apikey_rule *rules, size_t n, const char *method,
                                           const char *path, size_t path_len);
/* The router guard (rt_guard_fn). */
bool apikey_guard(struct rt_request *rq, struct rt_response *rs);

#endif
