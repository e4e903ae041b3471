/* modules/apikey: capability tokens (captoken.h, apikey_tokens.c). The
 * format and the HMAC chain; attenuation that only narrows; every byte of
 * a token altered, truncations, a caveat removed or reordered, tags
 * swapped - all refused; unknown caveats fail closed; expiry; the caps;
 * the root key of the host (own BLAKE2b) against the image's
 * cred_derive_key (libsodium); then the guard: tokens allowed and refused
 * (401, 403, both JSON shapes), revocation of a token and its children. */
#include <stdint.h>
#define UNIT_FILE "captoken"
#include "unit.h"
#include <anx/buf.h>
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/sha256.h>
#include <anx/time.h>

#include "../router/router.h"
#include "apikey.h"
#include "captoken.h"
#include "cred.h"

static const struct anx_module_ops no_ops = {0};
const struct anx_module anx_module_table[] = {
    { .name = "router", .summary = "router", .ops = &no_ops },
    { .name = "apikey", .summary = "apikey", .ops = &no_ops },
};
const size_t anx_module_count = 2;

#define ADMIN_KEY "sk-admin-99887766554433221100ffeeddccbbaa"
#define WRITER_KEY "sk-writer-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
/* the secret file's bytes (a test value: 40 bytes, as head -c 40 would give) */
static const char secret_file[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";

static struct apikey_cap tok, tok2;
static char text[APIKEY_CAP_TEXT_MAX + 1], text2[APIKEY_CAP_TEXT_MAX + 1];

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void root_of(const char *s, uint8_t root[32])
{
    apikey_cap_root_key((const uint8_t *)s, strlen(s), root);
}

static const uint8_t id1[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(blake2b_rfc7693)
{
    uint8_t d[64];
    char h[129];
    apikey_blake2b(d, 64, "abc", 3, NULL, 0);
    hex(d, 64, h);
    CHECK_STR(h, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                 "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
    apikey_blake2b(d, 64, "", 0, NULL, 0);
    hex(d, 64, h);
    CHECK_STR(h, "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                 "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
}

/* The host derives the root key from the file as the image's credential
 * store does (libsodium's BLAKE2b twice): secrets across block boundaries. */
TEST(root_key_is_cred_derive_key)
{
    static const size_t lens[] = {32, 40, 127, 128, 129, 256, 1000};
    static uint8_t file[1000];
    for (size_t i = 0; i < sizeof file; i++)
        file[i] = (uint8_t)(i * 37 + 11);
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        cred_store_reset();
        struct cred_decl d = {"tokkey", "secret", "apikey", "apikey", "", 0, 0};
        CHECK_EQ(cred_declare(&d), 0);
        CHECK_EQ(cred_provision("tokkey", file, lens[k], CRED_PROVISIONED), 0);
        uint8_t image[32], host[32];
        CHECK_EQ(cred_derive_key("apikey", "tokkey", APIKEY_CAP_CONTEXT, image), 0);
        apikey_cap_root_key(file, lens[k], host);
        CHECK(!memcmp(image, host, 32));
    }
}

TEST(chain_round_trip)
{
    uint8_t root[32], other[32];
    char err[160];
    root_of(secret_file, root);
    root_of("another secret of at least thirty-two bytes", other);
    apikey_cap_mint(&tok, root, id1);
    CHECK_STR(tok.id, "0102030405060708090a0b0c0d0e0f10");
    CHECK_EQ(apikey_cap_add(&tok, "resource", "/api/v1/objects/docs/*", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok, "rights", "read", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok, "expires", "2000000000", err, sizeof err), 0);
    int n = apikey_cap_encode(&tok, text, sizeof text);
    CHECK(n > 5 && !strncmp(text, "anx1.", 5) && (size_t)n == strlen(text));
    CHECK(!strchr(text, '=') && !strchr(text, '+') && !strchr(text, '/'));
    CHECK_EQ(apikey_cap_decode(text, (size_t)n, &tok2, err, sizeof err), 0);
    CHECK_STR(tok2.id, tok.id);
    CHECK_EQ(tok2.n, 3);
    CHECK_STR(tok2.c[0].key, "resource");
    CHECK_STR(tok2.c[0].value, "/api/v1/objects/docs/*");
    CHECK_STR(tok2.c[2].value, "2000000000");
    CHECK(apikey_cap_verify(&tok2, root));
    CHECK(!apikey_cap_verify(&tok2, other));
    /* the chain is HMAC(HMAC(HMAC(HMAC(root, id), c1), c2), c3): recomputed by hand */
    uint8_t t[32];
    anx_hmac_sha256(root, 32, tok.id, 32, t);
    anx_hmac_sha256(t, 32, "resource /api/v1/objects/docs/*", 31, t);
    anx_hmac_sha256(t, 32, "rights read", 11, t);
    anx_hmac_sha256(t, 32, "expires 2000000000", 18, t);
    CHECK(!memcmp(t, tok2.tag, 32));
}

TEST(attenuation_only_narrows)
{
    uint8_t root[32];
    char err[160], why[240];
    root_of(secret_file, root);
    apikey_cap_mint(&tok, root, id1);
    apikey_cap_add(&tok, "resource", "/api/v1/objects/docs/*", err, sizeof err);
    apikey_cap_encode(&tok, text, sizeof text);
    /* the holder attenuates from the text alone, with no key */
    CHECK_EQ(apikey_cap_decode(text, strlen(text), &tok2, err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok2, "rights", "read", err, sizeof err), 0);
    CHECK(apikey_cap_verify(&tok2, root));
#define ALLOWS(t, m, p, s) apikey_cap_allows(t, m, p, strlen(p), s, 1000, true, why, sizeof why)
    CHECK_EQ(ALLOWS(&tok, "PUT", "/api/v1/objects/docs/a", "objects:write"), 0);
    CHECK_EQ(ALLOWS(&tok2, "PUT", "/api/v1/objects/docs/a", "objects:write"), 403);
    CHECK(strstr(why, "rights 'read' do not cover PUT") != NULL);
    CHECK_EQ(ALLOWS(&tok2, "GET", "/api/v1/objects/docs/a", "objects:read"), 0);
    CHECK_EQ(ALLOWS(&tok2, "GET", "/api/v1/objects/other/a", "objects:read"), 403);
    CHECK(strstr(why, "does not cover this path (resource /api/v1/objects/docs/*)") != NULL);
    /* a wider resource or more rights added later do not widen: each caveat must hold */
    CHECK_EQ(apikey_cap_add(&tok2, "resource", "/api/v1/objects/*", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok2, "rights", "read,write,admin", err, sizeof err), 0);
    CHECK(apikey_cap_verify(&tok2, root));
    CHECK_EQ(ALLOWS(&tok2, "GET", "/api/v1/objects/other/a", "objects:read"), 403);
    CHECK_EQ(ALLOWS(&tok2, "PUT", "/api/v1/objects/docs/a", "objects:write"), 403);
    CHECK_EQ(ALLOWS(&tok2, "GET", "/api/v1/objects/docs/a", "objects:read"), 0);
    /* dropping a caveat from the text (same tag) breaks the chain */
    struct apikey_cap cut = tok2;
    cut.n = 1;
    CHECK(!apikey_cap_verify(&cut, root));
    /* so does reordering two caveats */
    cut = tok2;
    struct apikey_caveat c = cut.c[0];
    cut.c[0] = cut.c[1];
    cut.c[1] = c;
    CHECK(!apikey_cap_verify(&cut, root));
    /* and another token's tag on this body */
    cut = tok2;
    memcpy(cut.tag, tok.tag, 32);
    CHECK(!apikey_cap_verify(&cut, root));
}

TEST(rights_words)
{
    CHECK(apikey_cap_rights_cover("read", "GET", "objects:read"));
    CHECK(apikey_cap_rights_cover("read", "HEAD", "admin"));
    CHECK(!apikey_cap_rights_cover("read", "POST", "infer"));
    CHECK(apikey_cap_rights_cover("write", "POST", "infer"));
    CHECK(apikey_cap_rights_cover("write", "DELETE", "objects:write"));
    CHECK(!apikey_cap_rights_cover("write", "GET", "objects:read"));
    CHECK(apikey_cap_rights_cover("infer", "POST", "infer"));
    CHECK(!apikey_cap_rights_cover("infer", "POST", "objects:write"));
    CHECK(apikey_cap_rights_cover("objects:read,infer", "POST", "infer"));
    CHECK(!apikey_cap_rights_cover("objects:read,infe", "POST", "infer"));
    CHECK(apikey_cap_rights_cover("admin", "DELETE", "admin"));
    CHECK(!apikey_cap_rights_cover("read", "OPTIONS", "admin"));
}

TEST(every_altered_byte_is_refused)
{
    uint8_t root[32];
    char err[160];
    root_of(secret_file, root);
    apikey_cap_mint(&tok, root, id1);
    apikey_cap_add(&tok, "resource", "/api/v1/objects/docs/*", err, sizeof err);
    apikey_cap_add(&tok, "rights", "read", err, sizeof err);
    int n = apikey_cap_encode(&tok, text, sizeof text);
    static const char repl[] = "AaBbQq09-_.=+/ \n";
    size_t tried = 0, accepted = 0;
    for (int i = 0; i < n; i++) {
        for (const char *r = repl; *r; r++) {
            if (*r == text[i])
                continue;
            memcpy(text2, text, (size_t)n + 1);
            text2[i] = *r;
            tried++;
            if (!apikey_cap_decode(text2, (size_t)n, &tok2, err, sizeof err) && apikey_cap_verify(&tok2, root))
                accepted++;
        }
        /* every truncation, and the text with a byte added at the end */
        if (!apikey_cap_decode(text, (size_t)i, &tok2, err, sizeof err) && apikey_cap_verify(&tok2, root))
            accepted++;
    }
    memcpy(text2, text, (size_t)n);
    memcpy(text2 + n, "A", 2);
    if (!apikey_cap_decode(text2, (size_t)n + 1, &tok2, err, sizeof err) && apikey_cap_verify(&tok2, root))
        accepted++;
    CHECK(tried > 1000);
    CHECK_EQ(accepted, 0);
    /* the untouched text still verifies */
    CHECK(!apikey_cap_decode(text, (size_t)n, &tok2, err, sizeof err) && apikey_cap_verify(&tok2, root));
}

/* base64url of bytes, for hand-made bodies */
static void b64url(const char *in, size_t n, char *out)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(uint8_t)in[i] << 16 | (i + 1 < n ? (uint32_t)(uint8_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? (uint8_t)in[i + 2] : 0);
        size_t chars = n - i >= 3 ? 4 : n - i + 1;
        for (size_t k = 0; k < chars; k++)
            out[o++] = a[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = 0;
}

/* A token of a hand-made body with a 43-character tag of zeros. */
static int decode_body(const char *body, char *err, size_t errlen)
{
    static char t[4096];
    strcpy(t, "anx1.");
    b64url(body, strlen(body), t + 5);
    strcat(t, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    return apikey_cap_decode(t, strlen(t), &tok2, err, errlen);
}

TEST(syntax_errors_and_caps)
{
    uint8_t root[32];
    char err[160], body[2200];
    root_of(secret_file, root);
    CHECK_EQ(decode_body("id 0102030405060708090a0b0c0d0e0f10\nrights read\n", err, sizeof err), 0);
    static const char *const bad[] = {
        "",
        "rights read\n",                                            /* no id */
        "id 0102030405060708090A0B0C0D0E0F10\n",                    /* upper-case hex */
        "id 0102030405060708090a0b0c0d0e0f\n",                      /* short id */
        "id 0102030405060708090a0b0c0d0e0f10\nrights read",         /* no final newline */
        "id 0102030405060708090a0b0c0d0e0f10\nrights  read\n",      /* two spaces */
        "id 0102030405060708090a0b0c0d0e0f10\nRights read\n",       /* key case */
        "id 0102030405060708090a0b0c0d0e0f10\n\n",                  /* empty line */
        "id 0102030405060708090a0b0c0d0e0f10\nrights read\r\n",     /* CR */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = 0;
        CHECK_EQ(decode_body(bad[i], err, sizeof err), -1);
        CHECK(err[0] != 0);
    }
    /* 16 caveats decode, 17 do not */
    strcpy(body, "id 0102030405060708090a0b0c0d0e0f10\n");
    for (int i = 0; i < 16; i++)
        strcat(body, "rights read\n");
    CHECK_EQ(decode_body(body, err, sizeof err), 0);
    strcat(body, "rights read\n");
    CHECK_EQ(decode_body(body, err, sizeof err), -1);
    CHECK_STR(err, "more than 16 caveats");
    /* adding: 16 caveats, then none more */
    apikey_cap_mint(&tok, root, id1);
    for (int i = 0; i < 16; i++)
        CHECK_EQ(apikey_cap_add(&tok, "rights", "read", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok, "rights", "read", err, sizeof err), -1);
    CHECK_STR(err, "too many caveats (at most 16)");
    /* the 2048-byte cap: long values run out of room before 16 caveats */
    char big[201];
    memset(big, 'a', 200);
    big[0] = '/';
    big[200] = 0;
    apikey_cap_mint(&tok, root, id1);
    int added = 0;
    while (apikey_cap_add(&tok, "resource", big, err, sizeof err) == 0)
        added++;
    CHECK_STR(err, "the token would be longer than 2048 bytes");
    CHECK(added == 6);
    int n = apikey_cap_encode(&tok, text, sizeof text);
    CHECK(n > 1700 && n <= APIKEY_CAP_TEXT_MAX);
    CHECK_EQ(apikey_cap_decode(text, (size_t)n, &tok2, err, sizeof err), 0);
    CHECK(apikey_cap_verify(&tok2, root));
    static char longer[APIKEY_CAP_TEXT_MAX + 2];
    memset(longer, 'A', sizeof longer - 1);
    memcpy(longer, "anx1.", 5);
    CHECK_EQ(apikey_cap_decode(longer, APIKEY_CAP_TEXT_MAX + 1, &tok2, err, sizeof err), -1);
    CHECK_STR(err, "token longer than 2048 bytes");
    /* known caveats' values are checked when added */
    apikey_cap_mint(&tok, root, id1);
    CHECK_EQ(apikey_cap_add(&tok, "resource", "objects/*", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "rights", "read,,write", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "rights", "Read", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "expires", "1h", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "expires", "12345678901234567890", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "rights", "read write", err, sizeof err), -1);
    CHECK_EQ(apikey_cap_add(&tok, "Bad", "x", err, sizeof err), -1);
    CHECK_EQ(tok.n, 0);
}

TEST(unknown_caveats_and_expiry_fail_closed)
{
    uint8_t root[32];
    char err[160], why[240];
    root_of(secret_file, root);
    apikey_cap_mint(&tok, root, id1);
    CHECK_EQ(apikey_cap_add(&tok, "color", "blue", err, sizeof err), 0);  /* a caveat of some other verifier */
    CHECK(apikey_cap_verify(&tok, root));
    CHECK_EQ(ALLOWS(&tok, "GET", "/x", "objects:read"), 403);
    CHECK(strstr(why, "caveat 'color' is not one this image knows") != NULL);
    apikey_cap_mint(&tok, root, id1);
    CHECK_EQ(apikey_cap_add(&tok, "expires", "1000", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_allows(&tok, "GET", "/x", 2, "admin", 999, true, why, sizeof why), 0);
    CHECK_EQ(apikey_cap_allows(&tok, "GET", "/x", 2, "admin", 1000, true, why, sizeof why), 401);
    CHECK(strstr(why, "the token expired (expires 1000; now 1000)") != NULL);
    CHECK_EQ(apikey_cap_allows(&tok, "GET", "/x", 2, "admin", 0, false, why, sizeof why), 401);
    CHECK(strstr(why, "no clock") != NULL);
    /* expired outranks a caveat that does not cover: still 401 */
    CHECK_EQ(apikey_cap_add(&tok, "resource", "/y", err, sizeof err), 0);
    CHECK_EQ(apikey_cap_allows(&tok, "GET", "/x", 2, "admin", 5000, true, why, sizeof why), 401);
    /* two expiries: the earlier wins */
    apikey_cap_mint(&tok, root, id1);
    apikey_cap_add(&tok, "expires", "5000", err, sizeof err);
    apikey_cap_add(&tok, "expires", "3000", err, sizeof err);
    CHECK_EQ(apikey_cap_allows(&tok, "GET", "/x", 2, "admin", 4000, true, why, sizeof why), 401);
#undef ALLOWS
}

/* ---- the guard ---------------------------------------------------------------- */

static int served;
static int handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e, (void)rq;
    served++;
    rt_reply(rs, 200, NULL, "served\n");
    return 0;
}
static struct rt_engine engine = {.name = "app", .handle = handle};

static void setup(bool with_secret)
{
    static const char *const rules[] = {
        "open GET /api/v1/health",
        "objects:read GET /api/v1/objects/*",
        "objects:write PUT,DELETE /api/v1/objects/*",
        "infer POST /v1/*",
        NULL,
    };
    static const struct cred_decl creds[] = {
        {"writer", "api-token", "apikey", "apikey", "objects:read objects:write", 0, 0},
        {"ops", "api-token", "apikey", "apikey", "admin", 0, 0},
        {"token-key", "secret", "apikey", "apikey", "", 0, 0},
    };
    char err[200];
    rt_reset();
    rt_engine_register(&engine);
    rt_route_add("objects", "ANY", "/api/v1/objects/*", RT_FIRST_HEALTHY, "app");
    rt_route_add("chat", "POST", "/v1/chat/completions", RT_FIRST_HEALTHY, "app");
    CHECK_EQ(apikey_configure(rules, err, sizeof err), 0);
    cred_store_reset();
    for (size_t i = 0; i < 3; i++)
        CHECK_EQ(cred_declare(&creds[i]), 0);
    CHECK_EQ(cred_provision("writer", (const uint8_t *)WRITER_KEY, strlen(WRITER_KEY), CRED_PROVISIONED), 0);
    CHECK_EQ(cred_provision("ops", (const uint8_t *)ADMIN_KEY, strlen(ADMIN_KEY), CRED_PROVISIONED), 0);
    if (with_secret)
        CHECK_EQ(cred_provision("token-key", (const uint8_t *)secret_file, strlen(secret_file), CRED_PROVISIONED), 0);
    apikey_revocations_reset();
    apikey_configure_tokens("token-key", "sys/revoked-tokens");
    CHECK_EQ(apikey_tokens_init(), 0);
    unit_wall_ns = 1800000000ull * 1000000000ull;   /* 2027-01-15 */
    anx_time_wall_init();
}

static char body[700];
static const char *who;
static int call(const char *method, const char *path, const char *bearer, const char *data)
{
    static char auth[APIKEY_CAP_TEXT_MAX + 16];
    snprintf(auth, sizeof auth, "Bearer %s", bearer ? bearer : "");
    struct rt_kv h = {"Authorization", 13, auth, strlen(auth)};
    struct rt_request rq = {.method = method, .path = path, .path_len = strlen(path), .headers = &h,
                            .nheaders = bearer ? 1 : 0, .body = data, .body_len = data ? strlen(data) : 0};
    struct rt_response rs = {0};
    rt_dispatch(&rq, &rs);
    snprintf(body, sizeof body, "%.*s", (int)rs.out.len, rs.out.p ? rs.out.p : "");
    who = rq.who;
    anx_buf_free(&rs.out);
    anx_buf_free(&rs.headers);
    return rs.status ? rs.status : 200;
}

/* A token under the test secret with id id1 and caveats "KEY VALUE" (NULL-ended). */
static const char *make(char *out, const uint8_t id[16], const char *const *caveats)
{
    uint8_t root[32];
    char err[160];
    root_of(secret_file, root);
    apikey_cap_mint(&tok, root, id);
    for (; *caveats; caveats += 2)
        CHECK_EQ(apikey_cap_add(&tok, caveats[0], caveats[1], err, sizeof err), 0);
    CHECK(apikey_cap_encode(&tok, out, APIKEY_CAP_TEXT_MAX + 1) > 0);
    return out;
}

/* limits: a token's own line ("token:ID") or `*`, one bucket per id: over
 * it, 429 naming the token; another token is counted apart. */
TEST(tokens_have_rate_limits)
{
    setup(true);
    static const char *const lim[] = {"token:0102030405060708090a0b0c0d0e0f10 1/h burst 1", NULL};
    static const char *const none[] = {NULL};
    char err[200];
    CHECK_EQ(apikey_configure_limits(lim, err, sizeof err), 0);
    static const char *const docs_read[] = {"rights", "read", NULL};
    make(text, id1, docs_read);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 429);
    CHECK(strstr(body, "the token '0102030405060708090a0b0c0d0e0f10' is over its rate limit") != NULL);
    static const uint8_t id4[16] = {4};
    make(text2, id4, docs_read);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text2, NULL), 200);   /* no line of its own, no `*` */
    CHECK_EQ(apikey_configure_limits(none, err, sizeof err), 0);
}

TEST(guard_allows_and_refuses_tokens)
{
    setup(true);
    served = 0;
    static const char *const docs_read[] = {"resource", "/api/v1/objects/docs/*", "rights", "read", NULL};
    make(text, id1, docs_read);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 200);
    CHECK_STR(who, "token:0102030405060708090a0b0c0d0e0f10");
    CHECK_EQ(call("PUT", "/api/v1/objects/docs/a", text, "x"), 403);
    CHECK(strstr(body, "\"error\": \"forbidden\"") && strstr(body, "rights 'read' do not cover PUT"));
    CHECK_EQ(call("GET", "/api/v1/objects/other", text, NULL), 403);
    CHECK_EQ(call("POST", "/v1/chat/completions", text, "{}"), 403);
    CHECK(strstr(body, "\"code\": \"insufficient_scope\""));
    /* an altered token: 401 in both shapes */
    memcpy(text2, text, sizeof text);
    text2[strlen(text2) - 3] ^= 1;
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text2, NULL), 401);
    CHECK(strstr(body, "\"error\": \"unauthorized\"") && strstr(body, "invalid token"));
    CHECK_EQ(call("POST", "/v1/chat/completions", text2, "{}"), 401);
    CHECK(strstr(body, "\"code\": \"invalid_api_key\""));
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", "anx1.garbage", NULL), 401);
    /* a scope right, for inference */
    static const char *const infer[] = {"rights", "infer", NULL};
    make(text2, id1, infer);
    CHECK_EQ(call("POST", "/v1/chat/completions", text2, "{}"), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text2, NULL), 403);
    /* expired by the image's clock */
    static const char *const old[] = {"expires", "1700000000", NULL};
    make(text2, id1, old);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text2, NULL), 401);
    CHECK(strstr(body, "the token expired"));
    static const char *const fresh[] = {"expires", "1900000000", NULL};
    make(text2, id1, fresh);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text2, NULL), 200);
    /* API keys work beside tokens */
    CHECK_EQ(call("PUT", "/api/v1/objects/docs/a", WRITER_KEY, "x"), 200);
    CHECK_EQ(served, 4);
}

TEST(tokens_refused_without_the_secret)
{
    setup(false);
    static const char *const none[] = {NULL};
    make(text, id1, none);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 401);
    CHECK(strstr(body, "the secret 'token-key' is not provisioned"));
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", WRITER_KEY, NULL), 200);
    apikey_configure_tokens("", "sys/revoked-tokens");
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 401);
    CHECK(strstr(body, "capability tokens are off"));
}

TEST(revocation_covers_the_token_and_its_children)
{
    setup(true);
    static const char *const docs[] = {"resource", "/api/v1/objects/docs/*", NULL};
    static const char *const admin[] = {"rights", "admin", NULL};
    static const uint8_t id2[16] = {0xaa, 0xbb};
    char err[160], child[APIKEY_CAP_TEXT_MAX + 1], admin_tok[APIKEY_CAP_TEXT_MAX + 1];
    make(text, id1, docs);
    make(admin_tok, id2, admin);
    CHECK_EQ(apikey_cap_decode(text, strlen(text), &tok2, err, sizeof err), 0);
    CHECK_EQ(apikey_cap_add(&tok2, "rights", "read", err, sizeof err), 0);
    apikey_cap_encode(&tok2, child, sizeof child);
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", child, NULL), 200);
    /* revoking is admin's: the writer key and a docs-only token are refused */
    CHECK_EQ(call("POST", APIKEY_REVOKE_PATH, WRITER_KEY, tok.id), 403);
    CHECK_EQ(call("POST", APIKEY_REVOKE_PATH, text, "0102030405060708090a0b0c0d0e0f10"), 403);
    CHECK_EQ(call("POST", APIKEY_REVOKE_PATH, ADMIN_KEY, "nonsense"), 400);
    CHECK(strstr(body, "expected a token id (32 hex digits) or a token"));
    /* the admin key revokes by id */
    CHECK_EQ(call("POST", APIKEY_REVOKE_PATH, ADMIN_KEY, "0102030405060708090a0b0c0d0e0f10\n"), 200);
    CHECK(strstr(body, "\"revoked\": \"0102030405060708090a0b0c0d0e0f10\", \"persisted\": false"));
    CHECK(apikey_revoked("0102030405060708090a0b0c0d0e0f10"));
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", text, NULL), 401);
    CHECK(strstr(body, "was revoked"));
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", child, NULL), 401);
    /* a token with admin rights revokes another, given as the token's text */
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", admin_tok, NULL), 200);
    static const uint8_t id3[16] = {3};
    char third[APIKEY_CAP_TEXT_MAX + 1];
    static const char *const none[] = {NULL};
    make(third, id3, none);
    CHECK_EQ(call("GET", "/api/v1/objects/x", third, NULL), 200);
    CHECK_EQ(call("POST", APIKEY_REVOKE_PATH, admin_tok, third), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/x", third, NULL), 401);
    CHECK_EQ(apikey_revoke("not-an-id", &(bool){0}), ANX_EINVAL);
}

/* The shell's token command: inspect shows the caveats and checks the tag
 * with the image's key, never printing the key; revoke takes an id or a token.
 * (The console writes each "\n" as "\r\n".) */
TEST(shell_token_command)
{
    static char line[APIKEY_CAP_TEXT_MAX + 32];
    setup(true);
    static const char *const docs[] = {"resource", "/api/v1/objects/docs/*", "rights", "read", NULL};
    make(text, id1, docs);
    unit_console_clear();
    snprintf(line, sizeof line, "token inspect %s", text);
    CHECK_EQ(anx_command_run(line), 0);
    CHECK(strstr(unit_console, "id       0102030405060708090a0b0c0d0e0f10\r\n"));
    CHECK(strstr(unit_console, "resource /api/v1/objects/docs/*\r\n"));
    CHECK(strstr(unit_console, "rights   read\r\n"));
    CHECK(strstr(unit_console, "tag      valid\r\n"));
    CHECK(strstr(unit_console, "revoked  no\r\n"));
    CHECK(!strstr(unit_console, secret_file));
    unit_console_clear();
    snprintf(line, sizeof line, "token inspect %sx", text);
    CHECK_EQ(anx_command_run(line), 1);
    CHECK(strstr(unit_console, "token: the tag is not 32 bytes"));
    unit_console_clear();
    snprintf(line, sizeof line, "token revoke %s", text);
    CHECK_EQ(anx_command_run(line), 0);
    CHECK(strstr(unit_console, "revoked 0102030405060708090a0b0c0d0e0f10 (in memory only: no object store)"));
    CHECK(apikey_revoked("0102030405060708090a0b0c0d0e0f10"));
    unit_console_clear();
    snprintf(line, sizeof line, "token inspect %s", text);
    CHECK_EQ(anx_command_run(line), 0);
    CHECK(strstr(unit_console, "revoked  yes\r\n"));
    snprintf(line, sizeof line, "token revoke 12345");
    CHECK_EQ(anx_command_run(line), 1);
    snprintf(line, sizeof line, "token");
    CHECK_EQ(anx_command_run(line), 1);
}

/* The token of the console's output (the line starting "anx1."), into out. */
static void console_token(char *out, size_t n)
{
    const char *p = strstr(unit_console, "anx1.");
    size_t k = 0;
    while (p && p[k] && p[k] != '\r' && p[k] != '\n' && k + 1 < n)
        k++;
    memcpy(out, p ? p : "", k);
    out[k] = 0;
}

/* anx_command_run splits its line in place: a writable copy */
static int run_line(char *line, size_t n, const char *text)
{
    snprintf(line, n, "%s", text);
    return anx_command_run(line);
}

/* token mint and token attenuate in the shell: a minted token is valid
 * under the image's key and opens what its caveats say; an attenuated one
 * narrows it without the key; bad caveats are refused with the reason. */
TEST(shell_token_mint_and_attenuate)
{
    static char line[APIKEY_CAP_TEXT_MAX + 64], minted[APIKEY_CAP_TEXT_MAX + 1], narrow[APIKEY_CAP_TEXT_MAX + 1];
    extern int unit_random_hw;
    unit_random_hw = 1;
    setup(true);
    unit_console_clear();
    CHECK_EQ(run_line(line, sizeof line, "token mint resource=/api/v1/objects/docs/* rights=read,write expires=1h"), 0);
    console_token(minted, sizeof minted);
    struct apikey_cap *t = malloc(sizeof *t);
    char err[160];
    uint8_t root[32];
    apikey_cap_root_key((const uint8_t *)secret_file, strlen(secret_file), root);
    CHECK_EQ(apikey_cap_decode(minted, strlen(minted), t, err, sizeof err), 0);
    CHECK(apikey_cap_verify(t, root));
    CHECK_EQ(t->n, 3);
    CHECK_STR(t->c[2].key, "expires");
    uint64_t at = 0;
    CHECK_EQ(apikey_cap_parse_seconds(t->c[2].value, &at), 0);
    CHECK(at > anx_time_unix_ns() / ANX_NS_PER_S + 3500);      /* an hour from the image's clock */
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", minted, NULL), 200);
    CHECK_EQ(call("PUT", "/api/v1/objects/docs/a", minted, "x"), 200);
    CHECK_EQ(call("GET", "/api/v1/objects/other", minted, NULL), 403);
    snprintf(line, sizeof line, "token attenuate %s rights=read", minted);
    unit_console_clear();
    CHECK_EQ(anx_command_run(line), 0);
    console_token(narrow, sizeof narrow);
    CHECK(strlen(narrow) > strlen(minted));
    CHECK_EQ(call("GET", "/api/v1/objects/docs/a", narrow, NULL), 200);
    CHECK_EQ(call("PUT", "/api/v1/objects/docs/a", narrow, "x"), 403);   /* narrowed: read only */
    unit_console_clear();
    CHECK_EQ(run_line(line, sizeof line, "token mint rights"), 1);
    CHECK(strstr(unit_console, "token: caveat 'rights': expected KEY=VALUE"));
    unit_console_clear();
    CHECK_EQ(run_line(line, sizeof line, "token mint expires=soon"), 1);
    CHECK(strstr(unit_console, "token: expires=soon: expected Unix seconds or a duration"));
    unit_console_clear();
    CHECK_EQ(run_line(line, sizeof line, "token mint rights=r@d"), 1);
    CHECK(strstr(unit_console, "token: caveat rights=r@d: "));
    CHECK(!strstr(unit_console, secret_file));
    CHECK_EQ(apikey_cap_expires_at("90s", 1000, &at), 0);
    CHECK_EQ(at, 1090);
    CHECK_EQ(apikey_cap_expires_at("7d", 0, &at), 0);
    CHECK_EQ(at, 7 * 86400);
    CHECK_EQ(apikey_cap_expires_at("1700000000", 5, &at), 0);
    CHECK_EQ(at, 1700000000);
    CHECK_EQ(apikey_cap_expires_at("0h", 0, &at), -1);
    CHECK_EQ(apikey_cap_expires_at("h", 0, &at), -1);
    CHECK_EQ(apikey_cap_expires_at("1y", 0, &at), -1);
    free(t);
}

int main(void)
{
    unit_heap_init(16u << 20);
    RUN(blake2b_rfc7693);
    RUN(root_key_is_cred_derive_key);
    RUN(chain_round_trip);
    RUN(attenuation_only_narrows);
    RUN(rights_words);
    RUN(every_altered_byte_is_refused);
    RUN(syntax_errors_and_caps);
    RUN(unknown_caveats_and_expiry_fail_closed);
    RUN(guard_allows_and_refuses_tokens);
    RUN(tokens_have_rate_limits);
    RUN(tokens_refused_without_the_secret);
    RUN(revocation_covers_the_token_and_its_children);
    RUN(shell_token_command);
    RUN(shell_token_mint_and_attenuate);
    return unit_done();
}
