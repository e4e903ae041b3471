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
 * the rule a request matches, the bearer header, token buckets): anx
 * compiles it too, so `anx check` reports a bad rule at its file:line:col
 * and warns of writable routes a rule opens to anyone. apikey_module.c is the router
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

/* The first rule that matches, or NULL. A GET rule also covers HEAD, as a GET route does. */
const struct apikey_rule *apikey_rule_find(const struct apikey_rule *rules, size_t n, const char *method,
                                           const char *path, size_t path_len);

/* A rate limit, one item of the config's `limits`: "NAME RATE [burst N]"
 * with NAME a key's credential name, "token:ID" (a capability token and
 * those attenuated from it) or `*` (every key and token without a line of
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
/* The router guard (rt_guard_fn). */
bool apikey_guard(struct rt_request *rq, struct rt_response *rs);

/* ---- capability tokens (captoken.h; apikey_module.c) ---- */
struct apikey_cap;
/* Whether the caveats of a verified token allow a request whose rule
 * names scope, at now_s (Unix seconds; have_clock false when the image
 * has no wall clock): 0; 401 (expired, or an expiry with no clock to
 * check it); 403 (a resource or rights caveat that does not cover the
 * request, a caveat this image does not know, a known caveat's value
 * that does not parse). why says which caveat. */
int apikey_cap_allows(const struct apikey_cap *t, const char *method, const char *path, size_t path_len,
                      const char *scope, uint64_t now_s, bool have_clock, char *why, size_t n);
/* Tokens on: root key from the secret credential key_name (granted to
 * apikey), revoked ids kept in the object store under object when the
 * image has objstore. An empty key_name turns tokens off. */
void apikey_configure_tokens(const char *key_name, const char *object);
/* Revoke a token id (32 hex digits) and so every token attenuated from it:
 * 0 (*persisted says whether the object store has it), ANX_EINVAL (not an
 * id), ANX_EAGAIN (the list of revoked ids is not loaded: the store is not
 * open), ANX_ENOMEM. */
int apikey_revoke(const char *id, bool *persisted);
/* Whether an id is revoked (false also when the list is not loaded). */
bool apikey_revoked(const char *id);
/* Forget every revoked id and whether the list was loaded (tests). */
void apikey_revocations_reset(void);
/* For the guard (apikey_tokens.c): the root key (0, or -1 with why: tokens
 * off, the secret not provisioned); load the revoked ids (0, or ANX_EAGAIN
 * while the store is not open); "token:ID", valid long after the request;
 * the route and the shell command. */
#define APIKEY_REVOKE_PATH "/api/v1/tokens/revoke"
int apikey_token_root(uint8_t root[32], char *why, size_t n);
int apikey_revocations_load(void);
const char *apikey_token_who(const char *id);
int apikey_tokens_init(void);

#endif
