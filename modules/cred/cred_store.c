/*
 * The credential store (cred.h): the records, the grant check on every
 * access, and what each type keeps (a hash, a key). Payloads live in heap
 * blocks of their own, wiped before they are freed; no function here
 * formats a payload into text.
 */
#define LOG_TAG "cred"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/random.h>
#include "crypto.h"
#include "cred.h"

struct cred_rec {
    struct cred_info info;   /* the strings are the record's own copies */
    bool declared;           /* from the manifest (else added in the shell) */
    uint8_t *payload;
    size_t len;
};

/* One block per record, so a struct cred_info pointer handed out stays
 * valid while its record exists (others may be added or removed). */
static struct cred_rec **recs;
static size_t nrecs, caprecs;
static unsigned long long pw_ops = 2;
static size_t pw_mem = 512 * 1024;

void (*cred_wipe_hook)(const void *p, size_t n);

static const char *const type_names[] = {
    [CRED_SSH_HOST_KEY] = "ssh-host-key",
    [CRED_SSH_AUTHORIZED_KEYS] = "ssh-authorized-keys",
    [CRED_PASSWORD] = "password",
    [CRED_API_TOKEN] = "api-token",
    [CRED_SECRET] = "secret",
    [CRED_TLS_CERT] = "tls-cert",
};

const char *cred_type_name(enum cred_type t)
{
    return (unsigned)t < ANX_ARRAY_SIZE(type_names) ? type_names[t] : "?";
}

int cred_type_parse(const char *s)
{
    for (size_t i = 0; i < ANX_ARRAY_SIZE(type_names); i++)
        if (s && strcmp(s, type_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *cred_origin_name(enum cred_origin o)
{
    switch (o) {
    case CRED_MISSING: return "missing";
    case CRED_PROVISIONED: return "provisioned";
    case CRED_GENERATED: return "generated";
    case CRED_ADDED: return "added";
    case CRED_RESTORED: return "restored";
    }
    return "?";
}

void cred_set_pwhash_cost(unsigned long long ops, size_t mem)
{
    pw_ops = ops;
    pw_mem = mem;
}

/* ---- records ------------------------------------------------------------- */

static void wipe_payload(struct cred_rec *r)
{
    if (r->payload) {
        sodium_memzero(r->payload, r->len);
        if (cred_wipe_hook)
            cred_wipe_hook(r->payload, r->len);
        anx_free(r->payload);
    }
    r->payload = NULL;
    r->len = 0;
    r->info.origin = CRED_MISSING;
}

static struct cred_rec *lookup(const char *name)
{
    for (size_t i = 0; i < nrecs; i++)
        if (strcmp(recs[i]->info.name, name) == 0)
            return recs[i];
    return NULL;
}

/* Names: 1-37 lowercase letters, digits, '-', '_' and '.': they become
 * fw_cfg file names (55 bytes with the prefix) and appear in logs. */
static bool name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > CRED_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || strchr("-_.", s[i])))
            return false;
    return true;
}

static void free_info(struct cred_info *i)
{
    anx_free((char *)i->name);
    anx_free((char *)i->owner);
    anx_free((char *)i->modules);
    anx_free((char *)i->scopes);
}

int cred_declare(const struct cred_decl *d)
{
    int type = cred_type_parse(d->type);
    if (!name_ok(d->name) || type < 0 || !d->owner || !d->owner[0])
        return ANX_EINVAL;
    if (lookup(d->name))
        return ANX_EEXIST;
    if (nrecs == caprecs) {
        size_t cap = caprecs ? caprecs * 2 : 8;
        struct cred_rec **n = anx_realloc(recs, cap * sizeof *n);
        if (!n)
            return ANX_ENOMEM;
        recs = n;
        caprecs = cap;
    }
    struct cred_rec *r = anx_calloc(1, sizeof *r);
    if (!r)
        return ANX_ENOMEM;
    r->declared = !d->added;
    r->info.type = (enum cred_type)type;
    r->info.required = d->required != 0;
    r->info.name = strdup(d->name);
    r->info.owner = strdup(d->owner);
    r->info.modules = strdup(d->modules && d->modules[0] ? d->modules : d->owner);
    r->info.scopes = strdup(d->scopes ? d->scopes : "");
    if (!r->info.name || !r->info.owner || !r->info.modules || !r->info.scopes) {
        free_info(&r->info);
        anx_free(r);
        return ANX_ENOMEM;
    }
    recs[nrecs++] = r;
    return 0;
}

void cred_store_reset(void)
{
    for (size_t i = 0; i < nrecs; i++) {
        wipe_payload(recs[i]);
        free_info(&recs[i]->info);
        anx_free(recs[i]);
    }
    anx_free(recs);
    recs = NULL;
    nrecs = caprecs = 0;
}

int cred_remove(const char *name)
{
    struct cred_rec *r = lookup(name);
    if (!r)
        return ANX_ENOENT;
    wipe_payload(r);
    if (!r->declared) {
        size_t i = 0;
        while (recs[i] != r)
            i++;
        memmove(&recs[i], &recs[i + 1], (nrecs - i - 1) * sizeof *recs);
        nrecs--;
        free_info(&r->info);
        anx_free(r);
    }
    return 0;
}

size_t cred_count(void)
{
    return nrecs;
}

const struct cred_info *cred_at(size_t i)
{
    return i < nrecs ? &recs[i]->info : NULL;
}

/* ---- values --------------------------------------------------------------- */

/* A copy of len bytes in a block of the store's own. */
static int set_payload(struct cred_rec *r, const void *p, size_t len, enum cred_origin origin)
{
    uint8_t *b = anx_malloc(len ? len : 1);
    if (!b)
        return ANX_ENOMEM;
    memcpy(b, p, len);
    wipe_payload(r);
    r->payload = b;
    r->len = len;
    r->info.origin = origin;
    return 0;
}

/* A file's text without the one line ending an editor or echo adds. */
static size_t trim_newline(const uint8_t *d, size_t len)
{
    if (len && d[len - 1] == '\n')
        len--;
    if (len && d[len - 1] == '\r')
        len--;
    return len;
}

static int hex_digit(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int provision_password(struct cred_rec *r, const uint8_t *d, size_t len, enum cred_origin origin)
{
    len = trim_newline(d, len);
    if (len == 0 || memchr(d, 0, len))
        return ANX_EINVAL;
    char hash[crypto_pwhash_STRBYTES];
    static const char prefix[] = "$argon2id$";
    if (len > sizeof prefix - 1 && memcmp(d, prefix, sizeof prefix - 1) == 0) {
        if (len >= sizeof hash)
            return ANX_EINVAL;
        memcpy(hash, d, len);             /* already a hash: kept as given */
        hash[len] = 0;
    } else if (crypto_pwhash_str(hash, (const char *)d, len, pw_ops, pw_mem) != 0) {
        return ANX_ENOMEM;                /* libsodium fails only for want of its work area */
    }
    int err = set_payload(r, hash, strlen(hash) + 1, origin);
    sodium_memzero(hash, sizeof hash);
    return err;
}

static int provision_token(struct cred_rec *r, const uint8_t *d, size_t len, enum cred_origin origin)
{
    len = trim_newline(d, len);
    uint8_t h[32];
    if (len == 7 + 64 && memcmp(d, "sha256:", 7) == 0) {
        for (size_t i = 0; i < 32; i++) {
            int a = hex_digit(d[7 + 2 * i]), b = hex_digit(d[8 + 2 * i]);
            if (a < 0 || b < 0)
                return ANX_EINVAL;
            h[i] = (uint8_t)(a << 4 | b);
        }
    } else {
        if (len < 16)                     /* a token short enough to guess is a mistake */
            return ANX_EINVAL;
        crypto_hash_sha256(h, d, len);
    }
    int err = set_payload(r, h, sizeof h, origin);
    sodium_memzero(h, sizeof h);
    return err;
}

static int provision_host_key(struct cred_rec *r, const uint8_t *d, size_t len, enum cred_origin origin)
{
    uint8_t sk[64];
    int err = cred_openssh_ed25519(d, len, sk);
    if (err)
        return err;
    err = set_payload(r, sk, sizeof sk, origin);
    sodium_memzero(sk, sizeof sk);
    return err;
}

/* Whether the n bytes of text at p hold s. */
static bool has_text(const uint8_t *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(p + i, s, l) == 0)
            return true;
    return false;
}

int cred_provision(const char *name, const uint8_t *data, size_t len, enum cred_origin origin)
{
    struct cred_rec *r = lookup(name);
    if (!r)
        return ANX_ENOENT;
    if (len > CRED_VALUE_MAX)
        return ANX_EINVAL;
    switch (r->info.type) {
    case CRED_PASSWORD:
        return provision_password(r, data, len, origin);
    case CRED_API_TOKEN:
        return provision_token(r, data, len, origin);
    case CRED_SSH_HOST_KEY:
        return provision_host_key(r, data, len, origin);
    case CRED_SECRET: {
        if (len < 32)                     /* less is guessable: head -c 32 /dev/urandom */
            return ANX_EINVAL;
        uint8_t h[64];
        crypto_generichash_blake2b(h, sizeof h, data, len, NULL, 0);
        int err = set_payload(r, h, sizeof h, origin);
        sodium_memzero(h, sizeof h);
        return err;
    }
    case CRED_TLS_CERT:
        /* PEM text with a certificate and a private key; the tls module
         * parses it (and checks the key belongs to the certificate) */
        if (memchr(data, 0, len) || !has_text(data, len, "-----BEGIN CERTIFICATE-----") ||
            !has_text(data, len, "PRIVATE KEY-----"))
            return ANX_EINVAL;
        return set_payload(r, data, len, origin);
    case CRED_SSH_AUTHORIZED_KEYS:
        if (memchr(data, 0, len))
            return ANX_EINVAL;            /* text, not a binary file given by mistake */
        return set_payload(r, data, len, origin);
    }
    return ANX_EINVAL;
}

int cred_generate_host_key(const char *name)
{
    struct cred_rec *r = lookup(name);
    if (!r)
        return ANX_ENOENT;
    if (r->info.type != CRED_SSH_HOST_KEY)
        return ANX_EINVAL;
    /* libsodium cannot report a failed randombytes: ask first (crypto.h) */
    if (!anx_random_ready())
        return ANX_ENOTSUP;
    uint8_t pk[32], sk[64];
    crypto_sign_ed25519_keypair(pk, sk);
    int err = set_payload(r, sk, sizeof sk, CRED_GENERATED);
    sodium_memzero(sk, sizeof sk);
    return err;
}

/* ---- access by modules ------------------------------------------------------- */

/* Whether word is one of the space-separated words of list. */
static bool has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && n && memcmp(p, word, n) == 0)
            return true;
        p = e;
    }
    return false;
}

/* The record of name if module may use it; the refusal is logged. */
static int granted(const char *module, const char *name, struct cred_rec **out)
{
    struct cred_rec *r = name ? lookup(name) : NULL;
    if (!r)
        return ANX_ENOENT;
    if (!module || !has_word(r->info.modules, module)) {
        log_warn("module '%s' asked for credential '%s', which the manifest grants only to: %s", module ? module : "?",
                 name, r->info.modules);
        return ANX_EPERM;
    }
    *out = r;
    return 0;
}

/* granted() for one type, with a value. */
static int usable(const char *module, const char *name, enum cred_type type, struct cred_rec **out)
{
    int err = granted(module, name, out);
    if (err)
        return err;
    if ((*out)->info.type != type)
        return ANX_EINVAL;
    return (*out)->payload ? 0 : ANX_ENOENT;
}

int cred_find(const char *module, const char *name, const struct cred_info **out)
{
    struct cred_rec *r;
    int err = granted(module, name, &r);
    if (!err)
        *out = &r->info;
    return err;
}

int cred_require(const char *module)
{
    int err = 0;
    for (size_t i = 0; i < nrecs; i++) {
        const struct cred_rec *r = recs[i];
        if (r->info.required && !r->payload && strcmp(r->info.owner, module) == 0) {
            log_error("credential '%s' (%s, for %s) is required but was not provisioned: give it with `anx run "
                      "--secret %s=FILE`",
                      r->info.name, cred_type_name(r->info.type), module, r->info.name);
            err = ANX_ENOENT;
        }
    }
    return err;
}

int cred_password_verify(const char *module, const char *name, const char *password, size_t len)
{
    struct cred_rec *r;
    int err = usable(module, name, CRED_PASSWORD, &r);
    if (err)
        return err;
    /* libsodium compares the derived hash in constant time; the work is
     * the same for every wrong password of a given hash */
    return crypto_pwhash_str_verify((const char *)r->payload, password, len) == 0 ? 0 : ANX_EAUTH;
}

int cred_token_check(const char *module, const char *name, const char *token, size_t len)
{
    struct cred_rec *r;
    int err = usable(module, name, CRED_API_TOKEN, &r);
    if (err)
        return err;
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)token, len);
    err = crypto_verify_32(h, r->payload) == 0 ? 0 : ANX_EAUTH;
    sodium_memzero(h, sizeof h);
    return err;
}

int cred_token_match(const char *module, const char *token, size_t len, const struct cred_info **which)
{
    if (!module)
        return ANX_EPERM;
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)token, len);
    const struct cred_rec *hit = NULL;
    for (size_t i = 0; i < nrecs; i++) {   /* every one compared: no early exit to time */
        const struct cred_rec *r = recs[i];
        if (r->info.type == CRED_API_TOKEN && r->payload && has_word(r->info.modules, module) &&
            crypto_verify_32(h, r->payload) == 0)
            hit = r;
    }
    sodium_memzero(h, sizeof h);
    if (!hit)
        return ANX_EAUTH;
    *which = &hit->info;
    return 0;
}

int cred_authorized_key(const char *module, const char *name, const uint8_t pk[32], char *scopes, size_t n)
{
    struct cred_rec *r;
    int err = usable(module, name, CRED_SSH_AUTHORIZED_KEYS, &r);
    if (err)
        return err;
    return cred_authorized_keys_has((const char *)r->payload, r->len, pk, scopes, n) ? 0 : ANX_EAUTH;
}

/* The host key, made now if the boot could not. */
static int host_key(const char *module, const char *name, struct cred_rec **r)
{
    int err = usable(module, name, CRED_SSH_HOST_KEY, r);
    if (err == ANX_ENOENT && *r) {   /* granted, of the type, without a value */
        err = cred_generate_host_key(name);
        if (!err)
            log_info("generated host key '%s' (ed25519)", name);
    }
    return err;
}

int cred_host_public_key(const char *module, const char *name, uint8_t pk[32])
{
    struct cred_rec *r = NULL;
    int err = host_key(module, name, &r);
    if (!err)
        memcpy(pk, r->payload + 32, 32);   /* libsodium's secret key is seed||pk */
    return err;
}

int cred_host_sign(const char *module, const char *name, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    struct cred_rec *r = NULL;
    int err = host_key(module, name, &r);
    if (!err)
        crypto_sign_ed25519_detached(sig, NULL, msg, len, r->payload);
    return err;
}

int cred_fingerprint(const char *name, char *out, size_t n)
{
    struct cred_rec *r = lookup(name);
    if (!r || r->info.type != CRED_SSH_HOST_KEY || !r->payload)
        return ANX_ENOENT;
    if (n < 60)
        return ANX_ERANGE;
    /* the key blob: string "ssh-ed25519", string pk (RFC 8709) */
    uint8_t blob[4 + 11 + 4 + 32] = {0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32};
    memcpy(blob + 19, r->payload + 32, 32);
    uint8_t h[32];
    crypto_hash_sha256(h, blob, sizeof blob);
    memcpy(out, "SHA256:", 7);
    sodium_bin2base64(out + 7, n - 7, h, sizeof h, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    return 0;
}

/* ---- derived keys and sealed host keys --------------------------------------- */

int cred_derive_key(const char *module, const char *name, const char *context, uint8_t key[32])
{
    struct cred_rec *r;
    int err = usable(module, name, CRED_SECRET, &r);
    if (err)
        return err;
    crypto_generichash_blake2b(key, 32, (const uint8_t *)context, strlen(context), r->payload, r->len);
    return 0;
}

int cred_tls_cert(const char *module, const char *name, const uint8_t **pem, size_t *len)
{
    struct cred_rec *r;
    int err = usable(module, name, CRED_TLS_CERT, &r);
    if (err)
        return err;
    *pem = r->payload;
    *len = r->len;
    return 0;
}

#define SEAL_CONTEXT "anunix host key v1"
#define SEAL_VERSION 1

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* RFC 8439's tag: Poly1305 keyed by the first ChaCha20 block over
 * aad || pad || ciphertext || pad || le64 lengths. */
static void seal_tag(const uint8_t key[32], const uint8_t nonce[12], const char *aad, const uint8_t *ct, size_t ctlen,
                     uint8_t tag[16])
{
    static const uint8_t zeros[16];
    uint8_t polykey[32] = {0}, lens[16];
    crypto_stream_chacha20_ietf(polykey, sizeof polykey, nonce, key);
    crypto_onetimeauth_poly1305_state st;
    crypto_onetimeauth_poly1305_init(&st, polykey);
    size_t al = strlen(aad);
    crypto_onetimeauth_poly1305_update(&st, (const uint8_t *)aad, al);
    crypto_onetimeauth_poly1305_update(&st, zeros, (16 - al % 16) % 16);
    crypto_onetimeauth_poly1305_update(&st, ct, ctlen);
    crypto_onetimeauth_poly1305_update(&st, zeros, (16 - ctlen % 16) % 16);
    put_le64(lens, al);
    put_le64(lens + 8, ctlen);
    crypto_onetimeauth_poly1305_update(&st, lens, sizeof lens);
    crypto_onetimeauth_poly1305_final(&st, tag);
    sodium_memzero(polykey, sizeof polykey);
    sodium_memzero(&st, sizeof st);
}

int cred_host_key_seal(const char *module, const char *name, const char *key_name, uint8_t out[CRED_SEALED_SIZE])
{
    struct cred_rec *r = NULL;
    int err = host_key(module, name, &r);
    if (err)
        return err;
    uint8_t key[32];
    if ((err = cred_derive_key(module, key_name, SEAL_CONTEXT, key)))
        return err;
    if (!anx_random_ready()) {        /* the nonce: never reuse one under a key */
        sodium_memzero(key, sizeof key);
        return ANX_ENOTSUP;
    }
    out[0] = SEAL_VERSION;
    uint8_t *nonce = out + 1, *ct = out + 13, *tag = out + 13 + 64;
    randombytes_buf(nonce, 12);
    crypto_stream_chacha20_ietf_xor_ic(ct, r->payload, 64, nonce, 1, key);
    seal_tag(key, nonce, name, ct, 64, tag);
    sodium_memzero(key, sizeof key);
    return 0;
}

int cred_host_key_unseal(const char *module, const char *name, const char *key_name, const uint8_t *in, size_t len)
{
    struct cred_rec *r;
    int err = granted(module, name, &r);
    if (err)
        return err;
    if (r->info.type != CRED_SSH_HOST_KEY)
        return ANX_EINVAL;
    if (len != CRED_SEALED_SIZE || in[0] != SEAL_VERSION)
        return ANX_ECORRUPT;
    uint8_t key[32], tag[16], sk[64], pk[32], check[64];
    if ((err = cred_derive_key(module, key_name, SEAL_CONTEXT, key)))
        return err;
    const uint8_t *nonce = in + 1, *ct = in + 13;
    seal_tag(key, nonce, name, ct, 64, tag);
    if (crypto_verify_16(tag, in + 13 + 64) != 0) {
        sodium_memzero(key, sizeof key);
        return ANX_EAUTH;
    }
    crypto_stream_chacha20_ietf_xor_ic(sk, ct, 64, nonce, 1, key);
    sodium_memzero(key, sizeof key);
    /* a well-formed key: its public half is the one its seed gives */
    crypto_sign_ed25519_seed_keypair(pk, check, sk);
    err = memcmp(pk, sk + 32, 32) == 0 ? set_payload(r, sk, sizeof sk, CRED_RESTORED) : ANX_ECORRUPT;
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(check, sizeof check);
    return err;
}
