/* modules/apikey: the rule syntax, rule matching, scopes and the bearer
 * header; then the guard in front of the router's dispatch, with keys
 * hashed in the credential store as an image holds them: each rule's scope
 * allowed and refused, 401 and 403 in both JSON shapes, the default that
 * shuts what no rule opens. */
#include <stdint.h>
#define UNIT_FILE "apikey"
#include "unit.h"
#include <anx/buf.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/module.h>

#include "../router/router.h"
#include "apikey.h"
#include "cred.h"

static const struct anx_module_ops no_ops = {0};
const struct anx_module anx_module_table[] = {
    { .name = "router", .summary = "router", .ops = &no_ops },
    { .name = "apikey", .summary = "apikey", .ops = &no_ops },
};
const size_t anx_module_count = 2;

#define READER_KEY "sk-reader-4f1c2a9e7b3d5f60a1b2c3d4e5f60718"
#define WRITER_KEY "sk-writer-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define ADMIN_KEY "sk-admin-99887766554433221100ffeeddccbbaa"
#define OTHER_KEY "sk-other-module-aaaabbbbccccddddeeeeffff0000"

TEST(rule_syntax)
{
    struct apikey_rule r;
    char err[120];
    CHECK_EQ(apikey_rule_parse("objects:read GET,HEAD /api/v1/objects/*", &r, err, sizeof err), 0);
    CHECK_STR(r.scope, "objects:read");
    CHECK_STR(r.methods, "GET,HEAD,");
    CHECK_STR(r.pattern, "/api/v1/objects/*");
    CHECK_EQ(apikey_rule_parse("  open   ANY   /api/v1/health  ", &r, err, sizeof err), 0);
    CHECK_STR(r.scope, "open");
    static const char *const bad[] = {
        "", "open", "open GET", "Objects GET /x", "open GET x/y", "open get /x", "open GET,,PUT /x",
        "open GET /x extra", "open GET /a/*/b", "scope-with-a-name-far-longer-than-forty-chars GET /x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_EQ(apikey_rule_parse(bad[i], &r, err, sizeof err), -1);
        CHECK(err[0] != 0);
    }
}

TEST(first_matching_rule_decides)
{
    struct apikey_rule rules[3];
    char err[120];
    apikey_rule_parse("open GET /api/v1/objects/public/*", &rules[0], err, sizeof err);
    apikey_rule_parse("objects:read GET /api/v1/objects/*", &rules[1], err, sizeof err);
    apikey_rule_parse("objects:write PUT,DELETE /api/v1/objects/*", &rules[2], err, sizeof err);
#define FIND(m, p) apikey_rule_find(rules, 3, m, p, strlen(p))
    CHECK(FIND("GET", "/api/v1/objects/public/a") == &rules[0]);
    CHECK(FIND("HEAD", "/api/v1/objects/public/a") == &rules[0]);  /* GET covers HEAD */
    CHECK(FIND("GET", "/api/v1/objects/notes/a") == &rules[1]);
    CHECK(FIND("PUT", "/api/v1/objects/public/a") == &rules[2]);
    CHECK(FIND("POST", "/api/v1/objects/notes/a") == NULL);
    CHECK(FIND("GET", "/api/v1/health") == NULL);
#undef FIND
}

TEST(scopes_and_bearer)
{
    CHECK(apikey_scope_has("objects:read infer", "infer"));
    CHECK(apikey_scope_has("objects:read  infer", "objects:read"));
    CHECK(!apikey_scope_has("objects:read", "objects:write"));
    CHECK(!apikey_scope_has("objects:readwrite", "objects:read"));
    CHECK(!apikey_scope_has("", "infer"));
    CHECK(apikey_scope_has("admin", "objects:write"));
    size_t n;
    const char *k = apikey_bearer("Bearer abc", 10, &n);
    CHECK(k && n == 3 && !memcmp(k, "abc", 3));
    k = apikey_bearer("bearer   abc  ", 14, &n);
    CHECK(k && n == 3);
    CHECK(apikey_bearer("Basic YWxhZGRpbjpvcGVu", 22, &n) == NULL);
    CHECK(apikey_bearer("Bearer", 6, &n) == NULL);
    CHECK(apikey_bearer("Bearer    ", 10, &n) == NULL);
    CHECK(apikey_bearer("Bearerabc", 9, &n) == NULL);
    CHECK(apikey_bearer("Bearer a b", 10, &n) == NULL);
}

TEST(limit_syntax_and_buckets)
{
    struct apikey_limit l;
    char err[160];
    CHECK_EQ(apikey_limit_parse("ci 10/s", &l, err, sizeof err), 0);
    CHECK_STR(l.name, "ci");
    CHECK_EQ(l.per_ns, 100000000);
    CHECK_EQ(l.burst, 10);
    CHECK_EQ(apikey_limit_parse("* 600/min burst 3", &l, err, sizeof err), 0);
    CHECK_EQ(l.per_ns, 100000000);
    CHECK_EQ(l.burst, 3);
    CHECK_EQ(apikey_limit_parse("slow 2/h", &l, err, sizeof err), 0);
    CHECK_EQ(l.burst, 1);  /* less than one a second: one at a time */
    static const char *const bad[] = {"", "ci", "ci 10", "ci 0/s", "ci 10/d", "ci /s", "ci 10/s burst",
                                      "ci 10/s burst 0", "ci 10/s burst x", "ci 10/s sometimes", "ci -1/s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_EQ(apikey_limit_parse(bad[i], &l, err, sizeof err), -1);
        CHECK(err[0] != 0);
    }
    /* 10/s with a burst of 3: three at once, then one per 100 ms */
    apikey_limit_parse("ci 10/s burst 3", &l, err, sizeof err);
    struct apikey_bucket b = {0};
    uint64_t t = 5000000000ull, retry = 0;
    CHECK(apikey_bucket_take(&b, &l, t, &retry));
    CHECK(apikey_bucket_take(&b, &l, t, &retry));
    CHECK(apikey_bucket_take(&b, &l, t, &retry));
    CHECK(!apikey_bucket_take(&b, &l, t, &retry));
    CHECK_EQ(retry, 100000000);
    CHECK(!apikey_bucket_take(&b, &l, t + 60000000, &retry));
    CHECK_EQ(retry, 40000000);
    CHECK(apikey_bucket_take(&b, &l, t + 100000000, &retry));
    /* a long quiet spell refills to the burst, no further */
    t += 3600000000000ull;
    for (int i = 0; i < 3; i++)
        CHECK(apikey_bucket_take(&b, &l, t, &retry));
    CHECK(!apikey_bucket_take(&b, &l, t, &retry));
}

/* ---- the guard in front of the router ---------------------------------- */

static int served;
static int handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e, (void)rq;
    served++;
    rt_reply(rs, 200, NULL, "served\n");
    return 0;
}
static struct rt_engine engine = {.name = "app", .handle = handle};

static const struct cred_decl keys[] = {
    {"reader", "api-token", "apikey", "apikey", "objects:read", 0, 0},
    {"writer", "api-token", "apikey", "apikey", "objects:read objects:write", 0, 0},
    {"ops", "api-token", "apikey", "apikey", "admin", 0, 0},
    {"elsewhere", "api-token", "httpd", "httpd", "admin", 0, 0},  /* not granted to apikey */
};

static void setup(void)
{
    static const char *const rules[] = {
        "open GET /api/v1/health",
        "objects:read GET /api/v1/objects/*",
        "objects:write PUT,DELETE /api/v1/objects/*",
        "infer POST /v1/*",
        NULL,
    };
    char err[200];
    rt_reset();
    rt_engine_register(&engine);
    rt_route_add("health", "GET", "/api/v1/health", RT_FIRST_HEALTHY, "app");
    rt_route_add("objects", "ANY", "/api/v1/objects/*", RT_FIRST_HEALTHY, "app");
    rt_route_add("chat", "POST", "/v1/chat/completions", RT_FIRST_HEALTHY, "app");
    rt_route_add("routes", "GET", "/api/v1/routes", RT_FIRST_HEALTHY, "app");
    CHECK_EQ(apikey_configure(rules, err, sizeof err), 0);
    cred_store_reset();
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_EQ(cred_declare(&keys[i]), 0);
    const char *values[] = {READER_KEY, WRITER_KEY, ADMIN_KEY, OTHER_KEY};
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ(cred_provision(keys[i].name, (const uint8_t *)values[i], strlen(values[i]), CRED_PROVISIONED), 0);
}

/* One request: its status; body and the WWW-Authenticate header into the buffers. */
static char body[512], www[128];
static const char *who;
static int call(const char *method, const char *path, const char *authorization)
{
    struct rt_kv h = {"Authorization", 13, authorization, authorization ? strlen(authorization) : 0};
    struct rt_request rq = {.method = method, .path = path, .path_len = strlen(path), .headers = &h,
                            .nheaders = authorization ? 1 : 0};
    struct rt_response rs = {0};
    rt_dispatch(&rq, &rs);
    snprintf(body, sizeof body, "%.*s", (int)rs.out.len, rs.out.p ? rs.out.p : "");
    www[0] = 0;
    const char *w = rs.headers.p ? strstr(rs.headers.p, "WWW-Authenticate: ") : NULL;
    if (w)
        snprintf(www, sizeof www, "%.*s", (int)strcspn(w + 18, "\r"), w + 18);
    who = rq.who;
    anx_buf_free(&rs.out);
    anx_buf_free(&rs.headers);
    return rs.status ? rs.status : 200;
}

TEST(each_scope_allowed_and_refused)
{
    setup();
    served = 0;
    CHECK_EQ(call("GET", "/api/v1/health", NULL), 200);                         /* open */
    CHECK_EQ(call("GET", "/api/v1/objects/a", NULL), 401);
    CHECK(strstr(body, "\"error\": \"unauthorized\"") && strstr(body, "\"scope\": \"objects:read\""));
    CHECK_STR(www, "Bearer realm=\"anunix\"");
    CHECK_EQ(call("GET", "/api/v1/objects/a", "Bearer " READER_KEY), 200);
    CHECK_STR(who, "reader");
    CHECK_EQ(call("PUT", "/api/v1/objects/a", "Bearer " READER_KEY), 403);
    CHECK(strstr(body, "\"error\": \"forbidden\"") && strstr(body, "does not have the scope 'objects:write'"));
    CHECK_EQ(call("PUT", "/api/v1/objects/a", "Bearer " WRITER_KEY), 200);
    CHECK_EQ(call("DELETE", "/api/v1/objects/a", "Bearer " WRITER_KEY), 200);
    CHECK_EQ(call("DELETE", "/api/v1/objects/a", "Bearer " ADMIN_KEY), 200);      /* admin: every scope */
    /* no rule: admin only */
    CHECK_EQ(call("GET", "/api/v1/routes", "Bearer " WRITER_KEY), 403);
    CHECK(strstr(body, "\"scope\": \"admin\""));
    CHECK_EQ(call("GET", "/api/v1/routes", "Bearer " ADMIN_KEY), 200);
    CHECK_EQ(served, 6);
}

TEST(wrong_keys_are_401)
{
    setup();
    served = 0;
    static const char *const wrong[] = {
        "Bearer sk-nobody",
        "Bearer " READER_KEY "x",
        "Bearer " OTHER_KEY,            /* a real key, granted to another module */
        "bearer",
        "Basic cmVhZGVyOnNlY3JldA==",
        "Bearer " READER_KEY " " WRITER_KEY,
        READER_KEY,
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        CHECK_EQ(call("GET", "/api/v1/objects/a", wrong[i]), 401);
        CHECK_STR(www, "Bearer realm=\"anunix\", error=\"invalid_token\"");
        CHECK(who == NULL || i == 2 ? true : false);
    }
    CHECK_EQ(served, 0);
}

TEST(openai_error_shape_under_v1)
{
    setup();
    CHECK_EQ(call("POST", "/v1/chat/completions", NULL), 401);
    CHECK(strstr(body, "{\"error\": {\"message\": ") && strstr(body, "\"code\": \"invalid_api_key\"") &&
          strstr(body, "\"type\": \"invalid_request_error\""));
    CHECK_EQ(call("POST", "/v1/chat/completions", "Bearer " READER_KEY), 403);
    CHECK(strstr(body, "\"code\": \"insufficient_scope\""));
    CHECK_EQ(call("POST", "/v1/chat/completions", "Bearer " ADMIN_KEY), 200);
}

TEST(refusals_are_counted_on_the_route)
{
    setup();
    call("GET", "/api/v1/objects/a", NULL);
    call("GET", "/api/v1/objects/a", "Bearer " READER_KEY);
    struct rt_route *r = rt_route_first();
    while (r && strcmp(r->name, "objects"))
        r = rt_route_next(r);
    CHECK(r && r->count == 2 && r->errors == 0);
}

TEST(rate_limit_answers_429)
{
    static const char *const lim[] = {"reader 1/h burst 2", NULL};
    static const char *const none[] = {NULL};
    char err[200];
    setup();
    CHECK_EQ(apikey_configure_limits(lim, err, sizeof err), 0);
    CHECK_EQ(call("GET", "/api/v1/objects/a", "Bearer " READER_KEY), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/a", "Bearer " READER_KEY), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/a", "Bearer " READER_KEY), 429);
    CHECK(strstr(body, "\"error\": \"rate_limited\"") && strstr(body, "'reader' is over its rate limit"));
    CHECK_EQ(call("POST", "/v1/chat/completions", "Bearer " READER_KEY), 429);
    CHECK(strstr(body, "\"code\": \"rate_limit_exceeded\""));
    CHECK_EQ(call("GET", "/api/v1/objects/a", "Bearer " WRITER_KEY), 200);  /* no limit of its own */
    CHECK_EQ(call("GET", "/api/v1/health", NULL), 200);                    /* open: not counted */
    static const char *const badlim[] = {"reader fast", NULL};
    CHECK_EQ(apikey_configure_limits(badlim, err, sizeof err), ANX_EINVAL);
    CHECK(strstr(err, "limits[0] 'reader fast': ") != NULL);
    CHECK_EQ(apikey_configure_limits(none, err, sizeof err), 0);
}

int main(void)
{
    unit_heap_init(16u << 20);
    RUN(rule_syntax);
    RUN(first_matching_rule_decides);
    RUN(scopes_and_bearer);
    RUN(each_scope_allowed_and_refused);
    RUN(wrong_keys_are_401);
    RUN(openai_error_shape_under_v1);
    RUN(refusals_are_counted_on_the_route);
    RUN(limit_syntax_and_buckets);
    RUN(rate_limit_answers_429);
    return unit_done();
}
