/*
 * apikey_tokens.c - capability tokens in the image (captoken.h,
 * docs/security.md "Capability tokens"): the caveats checked against a
 * request, the root key from the `token_key` secret credential, the
 * revoked ids (kept as the object `revoked_object`, one id a line, a new
 * version per revocation, when the image has the object store; in memory
 * only otherwise), `POST /api/v1/tokens/revoke`, and the shell's `token`
 * command. The guard that uses them is apikey_module.c's.
 */
#define LOG_TAG "apikey"
#define SELF "apikey"      /* this module, as the object store's grants name it */
#include <anx/audit.h>
#include <anx/buf.h>
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/time.h>

#include "../router/router.h"
#include "apikey.h"
#include "captoken.h"
#include "cred.h"
#ifdef CONFIG_MODULE_OBJSTORE
#include "../objstore/objstore.h"
#endif

static const char *token_key;           /* the secret credential's name, or NULL: tokens off */
static const char *revoked_object;
static char (*revoked)[APIKEY_CAP_ID_HEX + 1];
static size_t nrevoked, revoked_cap;
static bool revoked_loaded;

int apikey_cap_allows(const struct apikey_cap *t, const char *method, const char *path, size_t path_len,
                      const char *scope, uint64_t now_s, bool have_clock, char *why, size_t n)
{
    /* expiry first: an expired token is refused as invalid (401), whatever else it says */
    for (size_t i = 0; i < t->n; i++) {
        uint64_t at;
        if (strcmp(t->c[i].key, "expires"))
            continue;
        if (apikey_cap_parse_seconds(t->c[i].value, &at)) {
            snprintf(why, n, "the token's caveat 'expires %s' is not Unix seconds", t->c[i].value);
            return 403;
        }
        if (!have_clock) {
            snprintf(why, n, "the token expires, and this image has no clock to check it against");
            return 401;
        }
        if (now_s >= at) {
            snprintf(why, n, "the token expired (expires %s; now %llu)", t->c[i].value, (unsigned long long)now_s);
            return 401;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct apikey_caveat *c = &t->c[i];
        char err[120];
        if (!strcmp(c->key, "expires"))
            continue;
        if (apikey_cap_caveat_check(c->key, c->value, err, sizeof err)) {
            /* unknown or malformed: what the verifier cannot evaluate does not hold */
            snprintf(why, n, "the token's caveat '%s' is not one this image knows how to check", c->key);
            return 403;
        }
        if (!strcmp(c->key, "resource") && !rt_match(c->value, path, path_len, NULL, NULL)) {
            snprintf(why, n, "the token does not cover this path (resource %s)", c->value);
            return 403;
        }
        if (!strcmp(c->key, "rights") && !apikey_cap_rights_cover(c->value, method, scope)) {
            snprintf(why, n, "the token's rights '%s' do not cover %s here (scope '%s')", c->value, method, scope);
            return 403;
        }
    }
    return 0;
}

void apikey_configure_tokens(const char *key_name, const char *object)
{
    token_key = key_name && *key_name ? key_name : NULL;
    revoked_object = object;
}

int apikey_token_root(uint8_t root[32], char *why, size_t n)
{
    if (!token_key) {
        snprintf(why, n, "capability tokens are off in this image (apikey config token_key)");
        return -1;
    }
    int err = cred_derive_key("apikey", token_key, APIKEY_CAP_CONTEXT, root);
    if (err) {
        snprintf(why, n, "capability tokens are refused: the secret '%s' is %s", token_key,
                 err == ANX_ENOENT ? "not provisioned (anx run --secret NAME=FILE)" : anx_strerror(err));
        return -1;
    }
    return 0;
}

/* ---- revoked ids ------------------------------------------------------------------- */

bool apikey_revoked(const char *id)
{
    for (size_t i = 0; i < nrevoked; i++)
        if (!strcmp(revoked[i], id))
            return true;
    return false;
}

static int remember(const char *id)
{
    if (apikey_revoked(id))
        return 0;
    if (nrevoked == revoked_cap) {
        size_t cap = revoked_cap ? 2 * revoked_cap : 16;
        void *p = anx_realloc(revoked, cap * sizeof *revoked);
        if (!p)
            return ANX_ENOMEM;
        revoked = p;
        revoked_cap = cap;
    }
    memcpy(revoked[nrevoked++], id, APIKEY_CAP_ID_HEX + 1);
    return 0;
}

void apikey_revocations_reset(void)
{
    anx_free(revoked);
    revoked = NULL;
    nrevoked = revoked_cap = 0;
    revoked_loaded = false;
}

/* Read the revoked ids from the object store once it is open (the store
 * may start after this module): 0 once loaded, ANX_EAGAIN before. Without
 * the store the list is memory only and always loaded. */
int apikey_revocations_load(void)
{
    if (revoked_loaded)
        return 0;
#ifdef CONFIG_MODULE_OBJSTORE
    if (!os_ready())
        return ANX_EAGAIN;
    void *data;
    size_t len;
    int err = os_read(SELF, revoked_object, 0, &data, &len, NULL);
    if (err == ANX_ENOENT) {
        revoked_loaded = true;
        return 0;
    }
    if (err) {
        log_error("cannot read the revoked tokens from %s (%s): tokens are refused", revoked_object,
                  anx_strerror(err));
        return ANX_EAGAIN;
    }
    const char *s = data;
    size_t bad = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(s + at, '\n', len - at);
        size_t l = nl ? (size_t)(nl - s - at) : len - at;
        char id[APIKEY_CAP_ID_HEX + 1];
        if (apikey_cap_is_id(s + at, l)) {
            memcpy(id, s + at, l);
            id[l] = 0;
            if (remember(id)) {
                anx_free(data);
                return ANX_ENOMEM;
            }
        } else if (l) {
            bad++;
        }
        at += l + 1;
    }
    anx_free(data);
    if (bad)
        log_warn("%s: %zu lines are not token ids (skipped)", revoked_object, bad);
    log_info("%zu revoked tokens read from %s", nrevoked, revoked_object);
#endif
    revoked_loaded = true;
    return 0;
}

/* The whole list as a new version of the object: 1 stored, 0 not (no store, or it failed: logged). */
static bool persist(void)
{
#ifdef CONFIG_MODULE_OBJSTORE
    struct anx_buf b = {0};
    for (size_t i = 0; i < nrevoked; i++)
        anx_buf_printf(&b, "%s\n", revoked[i]);
    struct objstore_write_opts o = {.writer = "apikey", .type = "text/plain"};
    int err = b.oom ? ANX_ENOMEM : os_write(SELF, revoked_object, b.p ? b.p : "", b.len, &o, NULL);
    anx_buf_free(&b);
    if (!err)
        return true;
    log_error("cannot store the revoked tokens in %s (%s): the revocation holds until reboot only", revoked_object,
              anx_strerror(err));
#endif
    return false;
}

int apikey_revoke(const char *id, bool *persisted)
{
    *persisted = false;
    if (!apikey_cap_is_id(id, strlen(id)))
        return ANX_EINVAL;
    int err = apikey_revocations_load();
    if (err)
        return err;
    bool had = apikey_revoked(id);
    if ((err = remember(id)))
        return err;
    *persisted = had ? true : persist();
#ifndef CONFIG_MODULE_OBJSTORE
    *persisted = false;
#endif
    return 0;
}

/* The id of "ID" or of a token's text (n bytes, spaces around allowed)
 * into id: 0, or -1 with why. */
static int id_of(const char *s, size_t n, char id[APIKEY_CAP_ID_HEX + 1], char *why, size_t wn)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (apikey_cap_is_id(s, n)) {
        memcpy(id, s, n);
        id[n] = 0;
        return 0;
    }
    struct apikey_cap *t = anx_malloc(sizeof *t);
    if (!t) {
        snprintf(why, wn, "out of memory");
        return -1;
    }
    char err[120];
    int rc = apikey_cap_decode(s, n, t, err, sizeof err);
    if (rc)
        snprintf(why, wn, "expected a token id (32 hex digits) or a token: %s", err);
    else
        memcpy(id, t->id, APIKEY_CAP_ID_HEX + 1);
    anx_free(t);
    return rc;
}

/* "token:ID" for rq->who and audit events: it must outlive the request, so
 * the last few are kept (a request in flight is never 32 tokens old). */
const char *apikey_token_who(const char *id)
{
    static char whos[32][6 + APIKEY_CAP_ID_HEX + 1];
    static unsigned next;
    for (unsigned i = 0; i < 32; i++)
        if (!strcmp(whos[i] + 6, id) && whos[i][0])
            return whos[i];
    char *w = whos[next++ % 32];
    snprintf(w, sizeof whos[0], "token:%s", id);
    return w;
}

/* ---- POST /api/v1/tokens/revoke (admin: the guard asks for it whatever the rules say) ---- */

static void json_error(struct rt_response *rs, int status, const char *error, const char *msg)
{
    rs->status = status;
    rs->content_type = "application/json";
    anx_buf_printf(&rs->out, "{\"error\": \"%s\", \"message\": ", error);
    rt_json_str(&rs->out, msg, strlen(msg));
    anx_buf_puts(&rs->out, "}\n");
}

static int revoke_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    char id[APIKEY_CAP_ID_HEX + 1], why[200];
    if (id_of(rq->body, rq->body_len, id, why, sizeof why)) {
        json_error(rs, 400, "bad_request", why);
        return 0;
    }
    bool persisted;
    int err = apikey_revoke(id, &persisted);
    anx_audit(rq->who ? rq->who : "-", "token revoke", id, err ? anx_strerror(err) : "ok", rq->peer);
    if (err) {
        json_error(rs, err == ANX_EAGAIN ? 503 : 500, "unavailable",
                   err == ANX_EAGAIN ? "the revoked-token list is not loaded yet (the object store is not open)"
                                     : anx_strerror(err));
        return 0;
    }
    rs->status = 200;
    rs->content_type = "application/json";
    anx_buf_printf(&rs->out, "{\"revoked\": \"%s\", \"persisted\": %s}\n", id, persisted ? "true" : "false");
    return 0;
}

static struct rt_engine engine = {.name = "apikey", .handle = revoke_handle};

/* ---- the shell: token mint|attenuate|inspect|revoke ------------------------------- */

#define TOKEN_USAGE                                                                                        \
    "token mint [KEY=VALUE...] | token attenuate TOKEN KEY=VALUE... | token inspect TOKEN | token revoke " \
    "ID|TOKEN"

/* Append the caveats "KEY=VALUE" of args to t (expires=1h from now): 0,
 * or 1 after saying which is wrong. */
static int add_caveats(struct apikey_cap *t, int n, char **args)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(args[i], '='), err[160], at_text[24];
        if (!eq || eq == args[i]) {
            anx_printf("token: caveat '%s': expected KEY=VALUE (resource=/api/v1/objects/notes/*, rights=read, "
                       "expires=1h)\n", args[i]);
            return 1;
        }
        *eq = 0;
        const char *value = eq + 1;
        uint64_t at;
        if (!strcmp(args[i], "expires")) {
            if (!anx_time_has_wall_clock() && apikey_cap_parse_seconds(value, &at) != 0) {
                anx_printf("token: expires=%s: the image has no wall clock; give Unix seconds\n", value);
                return 1;
            }
            if (apikey_cap_expires_at(value, anx_time_unix_ns() / ANX_NS_PER_S, &at)) {
                anx_printf("token: expires=%s: expected Unix seconds or a duration such as 90s, 30m, 1h, 7d\n", value);
                return 1;
            }
            snprintf(at_text, sizeof at_text, "%llu", (unsigned long long)at);
            value = at_text;
        }
        if (apikey_cap_add(t, args[i], value, err, sizeof err)) {
            anx_printf("token: caveat %s=%s: %s\n", args[i], value, err);
            return 1;
        }
    }
    return 0;
}

static int print_token(const struct apikey_cap *t)
{
    char *text = anx_malloc(APIKEY_CAP_TEXT_MAX + 1);
    if (!text || apikey_cap_encode(t, text, APIKEY_CAP_TEXT_MAX + 1) < 0) {
        anx_printf("token: out of memory\n");
        anx_free(text);
        return 1;
    }
    anx_printf("%s\n", text);
    anx_free(text);
    return 0;
}

/* token mint: a new token under the image's key, with the caveats given
 * (an operator at the console, or an SSH key with the credentials scope). */
static int token_mint(struct apikey_cap *t, int n, char **args)
{
    uint8_t root[32], id[APIKEY_CAP_ID_BYTES];
    char why[160];
    if (apikey_token_root(root, why, sizeof why)) {
        anx_printf("token: cannot mint: %s\n", why);
        return 1;
    }
    if (anx_random(id, sizeof id) < 0) {
        memset(root, 0, sizeof root);
        anx_printf("token: cannot mint: no hardware random source for the id\n");
        return 1;
    }
    apikey_cap_mint(t, root, id);
    memset(root, 0, sizeof root);
    if (add_caveats(t, n, args))
        return 1;
    anx_audit("console", "token mint", t->id, "ok", NULL);
    return print_token(t);
}

static int token_inspect(struct apikey_cap *t)
{
    uint8_t root[32];
    char why[160];
    anx_printf("id       %s\n", t->id);
    for (size_t i = 0; i < t->n; i++)
        anx_printf("%-8s %s\n", t->c[i].key, t->c[i].value);
    if (apikey_token_root(root, why, sizeof why))
        anx_printf("tag      not checked: %s\n", why);
    else
        anx_printf("tag      %s\n", apikey_cap_verify(t, root) ? "valid" : "INVALID (not made with this image's key)");
    memset(root, 0, sizeof root);
    anx_printf("revoked  %s\n", apikey_revocations_load() ? "unknown (the store is not open)"
                                : apikey_revoked(t->id)    ? "yes"
                                                           : "no");
    return 0;
}

static int token_revoke(const char *arg)
{
    char id[APIKEY_CAP_ID_HEX + 1], why[200];
    bool persisted;
    if (id_of(arg, strlen(arg), id, why, sizeof why)) {
        anx_printf("token: %s\n", why);
        return 1;
    }
    int err = apikey_revoke(id, &persisted);
    anx_audit("console", "token revoke", id, err ? anx_strerror(err) : "ok", NULL);
    if (err) {
        anx_printf("token: cannot revoke %s: %s\n", id, anx_strerror(err));
        return 1;
    }
    anx_printf("revoked %s%s\n", id, persisted ? "" : " (in memory only: no object store)");
    return 0;
}

static int cmd_token(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    bool mint = !strcmp(sub, "mint"), att = !strcmp(sub, "attenuate");
    if (!((mint && argc >= 2) || (att && argc >= 4) || (!strcmp(sub, "inspect") && argc == 3) ||
          (!strcmp(sub, "revoke") && argc == 3))) {
        anx_printf("usage: " TOKEN_USAGE "\n");
        return 1;
    }
    if (!strcmp(sub, "revoke"))
        return token_revoke(argv[2]);
    struct apikey_cap *t = anx_malloc(sizeof *t);     /* 3.6 KiB: not on the shell's stack */
    char err[120];
    int rc = 1;
    if (!t)
        anx_printf("token: out of memory\n");
    else if (mint)
        rc = token_mint(t, argc - 2, argv + 2);
    else if (apikey_cap_decode(argv[2], strlen(argv[2]), t, err, sizeof err))
        anx_printf("token: %s\n", err);
    else if (att)
        rc = add_caveats(t, argc - 3, argv + 3) ? 1 : print_token(t);   /* no key needed: the chain goes on */
    else
        rc = token_inspect(t);
    if (t)
        memset(t, 0, sizeof *t);
    anx_free(t);
    return rc;
}

static struct anx_command token_cmd = {
    .name = "token",
    .scope = "credentials",
    .summary = "Mint, attenuate, inspect or revoke a capability token",
    .usage = TOKEN_USAGE,
    .fn = cmd_token,
};

int apikey_tokens_init(void)
{
    anx_command_register(&token_cmd);
    if (!token_key)
        return 0;
    if (rt_engine_register(&engine) ||
        !rt_route_add("tokens-revoke", "POST", APIKEY_REVOKE_PATH, RT_FIRST_HEALTHY, "apikey")) {
        log_error("cannot add the route POST %s", APIKEY_REVOKE_PATH);
        return ANX_ENOMEM;
    }
    const struct cred_info *c;
    int err = cred_find("apikey", token_key, &c);
    if (err || c->type != CRED_SECRET) {
        log_error("token_key: '%s' is %s: declare it under credentials: with type: secret and modules: [apikey]",
                  token_key, err ? anx_strerror(err) : "not a secret credential");
        return err ? err : ANX_EINVAL;
    }
    if (c->origin == CRED_MISSING)
        log_warn("the secret '%s' has no value: capability tokens are refused (anx run --secret %s=FILE)",
                 token_key, token_key);
#ifdef CONFIG_MODULE_OBJSTORE
    log_info("capability tokens: root key from the secret '%s'; revoked ids in the object %s", token_key,
             revoked_object);
#else
    log_info("capability tokens: root key from the secret '%s'; revoked ids in memory only (no objstore)",
             token_key);
#endif
    return 0;
}
