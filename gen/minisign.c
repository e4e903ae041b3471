/*
 * minisign's file formats (https://jedisct1.github.io/minisign/), so that
 * images signed by `anx sign` verify with Debian's `minisign -V` and files
 * minisign signs verify with `anx verify`. Ed25519 and BLAKE2b come from
 * libsodium, the library minisign itself uses. Every file is two lines
 * per part: a comment line, then base64 (standard alphabet, padded) of
 *
 *   public key   "Ed" KEYID[8] PK[32]
 *   secret key   "Ed" KDF[2] "B2" SALT[32] OPSLIMIT[8] MEMLIMIT[8]
 *                KEYID[8] SK[64] CHECKSUM[32]   (KDF "\0\0": unencrypted,
 *                "Sc": the last 104 bytes XORed with an scrypt stream)
 *   signature    "ED" KEYID[8] SIG[64]   SIG over BLAKE2b-512(file)
 *                ("Ed": over the file itself, minisign -l, legacy)
 *                then "trusted comment: TEXT" and
 *                GLOBAL[64], a signature over SIG || TEXT
 *
 * The key ID is shown as minisign shows it: the 8 bytes read as a
 * little-endian number, in upper-case hex. Parsers take untrusted text
 * (any bytes, any length) and never read past it; they say which line is
 * wrong and why.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define SECKEY_BYTES 158
#define PUBKEY_BYTES 42
#define SIG_BYTES 74

static void sodium_ready(void)
{
    if (sodium_init() < 0) {   /* only when the system has no entropy source at all */
        fprintf(stderr, "anx: error: libsodium cannot start (no random source)\n");
        exit(EXIT_FAIL);
    }
}

static int fail(int *line, int at, char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(int *line, int at, char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    if (line)
        *line = at;
    return -1;
}

void mini_key_id_hex(const uint8_t id[8], char out[17])
{
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02X", id[7 - i]);
}

/* The lines of text: up to max of them, each without its "\n" (and a
 * "\r" before it, for files edited on Windows). A last line without a
 * newline counts; text after the max-th line is reported by the caller
 * through *more. A NUL byte anywhere makes the text not a key or
 * signature file. Returns the number of lines, or -1 for a NUL. */
struct line {
    const char *p;
    size_t n;
};
static int split_lines(const char *text, size_t len, struct line *lines, int max, bool *more)
{
    if (memchr(text, 0, len))
        return -1;
    int k = 0;
    size_t i = 0;
    *more = false;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (k == max) {
            /* trailing blank lines are harmless; anything else is not */
            for (size_t j = i; j < len; j++)
                if (text[j] != '\n' && text[j] != '\r' && text[j] != ' ' && text[j] != '\t')
                    *more = true;
            break;
        }
        size_t n = end - i;
        if (n && text[i + n - 1] == '\r')
            n--;
        lines[k++] = (struct line){text + i, n};
        i = end + 1;
    }
    return k;
}

static bool has_prefix(const struct line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->n >= n && !memcmp(l->p, prefix, n);
}

/* Base64 of exactly want bytes (nothing after it but spaces). */
static int base64_exact(const struct line *l, uint8_t *out, size_t want)
{
    size_t n = l->n;
    while (n && (l->p[n - 1] == ' ' || l->p[n - 1] == '\t'))
        n--;
    size_t got = 0;
    const char *end = NULL;
    if (n == 0 || n > 4 * ((want + 2) / 3) + 4)
        return -1;
    if (sodium_base642bin(out, want, l->p, n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    return got == want && end == l->p + n ? 0 : -1;
}

char *mini_base64(const uint8_t *data, size_t n)
{
    size_t cap = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(cap);
    sodium_bin2base64(s, cap, data, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

/* "Ed" KEYID PK from 42 bytes of base64 in l. */
static int pubkey_line(const struct line *l, struct mini_pubkey *k, char *why, size_t whylen)
{
    uint8_t raw[PUBKEY_BYTES];
    if (base64_exact(l, raw, sizeof raw))
        return fail(NULL, 0, why, whylen, "expected the base64 of a minisign public key (56 characters "
                    "starting with RW, as 'minisign -G' prints it), found '%s'", yshow_n(l->p, l->n, 60));
    if (memcmp(raw, "Ed", 2))
        return fail(NULL, 0, why, whylen, "not an Ed25519 minisign public key (its algorithm is '%s', not 'Ed')",
                    yshow_n((const char *)raw, 2, 8));
    memcpy(k->id, raw + 2, 8);
    memcpy(k->pk, raw + 10, 32);
    return 0;
}

/* A key file: an untrusted comment line, then the key's base64 line into
 * *key. 0, or -1 with why (kind: "public" or "secret"). */
static int key_file(const char *text, size_t len, const char *kind, struct line *key, int *line, char *why,
                    size_t whylen)
{
    struct line l[2];
    bool more;
    int n = split_lines(text, len, l, 2, &more);
    if (n < 0)
        return fail(line, 0, why, whylen, "not a minisign %s key file (it holds NUL bytes)", kind);
    if (n < 1 || !has_prefix(&l[0], UNTRUSTED_PREFIX))
        return fail(line, 1, why, whylen, "not a minisign %s key file: expected '" UNTRUSTED_PREFIX "...' on its "
                    "first line", kind);
    if (n < 2)
        return fail(line, 2, why, whylen, "the %s key's base64 line is missing", kind);
    if (more)
        return fail(line, 3, why, whylen, "text after the key: a %s key file has two lines", kind);
    *key = l[1];
    return 0;
}

int mini_pubkey_parse(const char *text, size_t len, bool file_form, struct mini_pubkey *k, int *line, char *why,
                      size_t whylen)
{
    struct line key;
    *line = 0;
    if (!file_form) {
        struct line one = {text, len};
        while (one.n && (one.p[one.n - 1] == '\n' || one.p[one.n - 1] == '\r'))
            one.n--;
        if (memchr(text, 0, len) || memchr(one.p, '\n', one.n))
            return fail(line, 0, why, whylen, "expected one line of base64 (a public key as 'minisign -P' takes it)");
        return pubkey_line(&one, k, why, whylen);
    }
    if (key_file(text, len, "public", &key, line, why, whylen))
        return -1;
    *line = 2;
    return pubkey_line(&key, k, why, whylen);
}

int mini_seckey_parse(const char *text, size_t len, struct mini_seckey *k, int *line, char *why, size_t whylen)
{
    struct line key;
    *line = 0;
    if (key_file(text, len, "secret", &key, line, why, whylen))
        return -1;
    uint8_t raw[SECKEY_BYTES];
    if (base64_exact(&key, raw, sizeof raw)) {
        sodium_memzero(raw, sizeof raw);
        return fail(line, 2, why, whylen, "not the base64 of a minisign secret key (%d bytes)", SECKEY_BYTES);
    }
    int rc = 0;
    const uint8_t *id = raw + 54, *sk = raw + 62, *chk = raw + 126;
    static const uint8_t zero[32];
    if (memcmp(raw, "Ed", 2))
        rc = fail(line, 2, why, whylen, "not an Ed25519 minisign key (its algorithm is '%s', not 'Ed')",
                  yshow_n((const char *)raw, 2, 8));
    else if (!memcmp(raw + 2, "Sc", 2))
        /* Reading it means a password prompt and scrypt with minisign's
         * 1 GiB default: for CI and scripts, keys are kept unencrypted
         * (and the file protected) instead. */
        rc = fail(line, 2, why, whylen, "the key is encrypted with a password; anx signs with an unencrypted "
                  "key: make one with 'minisign -G -W', or remove the password with 'minisign -C -W -s KEY'");
    else if (memcmp(raw + 2, "\0\0", 2))
        rc = fail(line, 2, why, whylen, "unknown key encryption '%s' (minisign writes 'Sc' or none)",
                  yshow_n((const char *)raw + 2, 2, 8));
    else if (memcmp(raw + 4, "B2", 2))
        rc = fail(line, 2, why, whylen, "unknown checksum algorithm '%s' (minisign writes 'B2')",
                  yshow_n((const char *)raw + 4, 2, 8));
    if (!rc && memcmp(chk, zero, 32)) {
        /* BLAKE2b-256 of "Ed" KEYID SK. minisign 0.11 leaves it zero in
         * unencrypted keys, so a zero checksum is accepted; the key pair
         * check below still catches a damaged key. */
        uint8_t want[32];
        crypto_generichash_state st;
        crypto_generichash_init(&st, NULL, 0, sizeof want);
        crypto_generichash_update(&st, raw, 2);
        crypto_generichash_update(&st, id, 8);
        crypto_generichash_update(&st, sk, 64);
        crypto_generichash_final(&st, want, sizeof want);
        if (sodium_memcmp(want, chk, 32))
            rc = fail(line, 2, why, whylen, "the key's checksum does not match: the file is damaged");
    }
    if (!rc) {
        /* SK is seed || public key: the seed must give that public key. */
        uint8_t pk[32], full[64];
        crypto_sign_seed_keypair(pk, full, sk);
        if (sodium_memcmp(full, sk, 64))
            rc = fail(line, 2, why, whylen, "the secret and public halves of the key do not match: the file is damaged");
        sodium_memzero(full, sizeof full);
    }
    if (!rc) {
        memcpy(k->id, id, 8);
        memcpy(k->sk, sk, 64);
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

void mini_seckey_public(const struct mini_seckey *k, struct mini_pubkey *pk)
{
    memcpy(pk->id, k->id, 8);
    memcpy(pk->pk, k->sk + 32, 32);
}

int mini_sig_parse(const char *text, size_t len, struct mini_sig *s, int *line, char *why, size_t whylen)
{
    struct line l[4];
    bool more;
    *line = 0;
    memset(s, 0, sizeof *s);
    int n = split_lines(text, len, l, 4, &more);
    if (n < 0)
        return fail(line, 0, why, whylen, "not a minisign signature (it holds NUL bytes)");
    if (n < 1 || !has_prefix(&l[0], UNTRUSTED_PREFIX))
        return fail(line, 1, why, whylen, "not a minisign signature: expected '" UNTRUSTED_PREFIX "...' on its "
                    "first line");
    if (n < 2)
        return fail(line, 2, why, whylen, "the signature line is missing");
    uint8_t raw[SIG_BYTES];
    if (base64_exact(&l[1], raw, sizeof raw))
        return fail(line, 2, why, whylen, "not the base64 of a minisign signature (%d bytes)", SIG_BYTES);
    if (!memcmp(raw, "ED", 2))
        s->prehashed = true;
    else if (memcmp(raw, "Ed", 2))
        return fail(line, 2, why, whylen, "unknown signature algorithm '%s' (minisign writes 'ED', or 'Ed' "
                    "with -l)", yshow_n((const char *)raw, 2, 8));
    memcpy(s->id, raw + 2, 8);
    memcpy(s->sig, raw + 10, 64);
    if (n < 3 || !has_prefix(&l[2], TRUSTED_PREFIX))
        return fail(line, 3, why, whylen, "expected '" TRUSTED_PREFIX "...' on the third line (a signature "
                    "without one is OpenBSD signify's; anx and minisign need it)");
    size_t tn = l[2].n - strlen(TRUSTED_PREFIX);
    if (tn > MINI_TRUSTED_MAX)
        return fail(line, 3, why, whylen, "the trusted comment is longer than %d bytes", MINI_TRUSTED_MAX);
    s->trusted = xstrndup(l[2].p + strlen(TRUSTED_PREFIX), tn);
    if (n < 4)
        return fail(line, 4, why, whylen, "the trusted comment's signature line is missing");
    if (base64_exact(&l[3], s->global, 64))
        return fail(line, 4, why, whylen, "not the base64 of the trusted comment's signature (64 bytes)");
    if (more)
        return fail(line, 5, why, whylen, "text after the signature: a minisign signature has four lines");
    return 0;
}

int mini_hash_file(const char *path, uint8_t out[64])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 64);
    static uint8_t b[1 << 16];
    for (;;) {
        ssize_t k = read(fd, b, sizeof b);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (k == 0)
            break;
        crypto_generichash_update(&st, b, (size_t)k);
    }
    close(fd);
    crypto_generichash_final(&st, out, 64);
    return 0;
}

char *mini_sign_text(const struct mini_seckey *k, const uint8_t hash[64], const char *trusted)
{
    sodium_ready();
    uint8_t raw[SIG_BYTES], global[64];
    memcpy(raw, "ED", 2);
    memcpy(raw + 2, k->id, 8);
    crypto_sign_detached(raw + 10, NULL, hash, 64, k->sk);
    size_t tn = strlen(trusted);
    uint8_t *both = xmalloc(64 + tn);
    memcpy(both, raw + 10, 64);
    memcpy(both + 64, trusted, tn);
    crypto_sign_detached(global, NULL, both, 64 + tn, k->sk);
    char id[17];
    mini_key_id_hex(k->id, id);
    return xasprintf(UNTRUSTED_PREFIX "signature from anx secret key %s\n%s\n" TRUSTED_PREFIX "%s\n%s\n", id,
                     mini_base64(raw, sizeof raw), trusted, mini_base64(global, sizeof global));
}

enum mini_result mini_verify(const struct mini_pubkey *k, const struct mini_sig *s, const uint8_t *msg, size_t len)
{
    sodium_ready();
    if (memcmp(k->id, s->id, 8))
        return MINI_WRONG_KEY;
    if (crypto_sign_verify_detached(s->sig, msg, len, k->pk))
        return MINI_BAD_SIG;
    size_t tn = strlen(s->trusted);
    uint8_t *both = xmalloc(64 + tn);
    memcpy(both, s->sig, 64);
    memcpy(both + 64, s->trusted, tn);
    return crypto_sign_verify_detached(s->global, both, 64 + tn, k->pk) ? MINI_BAD_COMMENT : MINI_OK;
}
