/* captoken.c - capability tokens: format, chain, caveat syntax (captoken.h). */
#include "captoken.h"
#include <anx/lib.h>
#include <anx/base64.h>
#include <anx/sha256.h>
#include "../router/router.h"

static int fail(char *err, size_t errlen, const char *msg)
{
    if (errlen) {
        strncpy(err, msg, errlen - 1);
        err[errlen - 1] = 0;
    }
    return -1;
}

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

/* ---- BLAKE2b (RFC 7693), for the host's copy of cred_derive_key ---------------- */

static const uint64_t b2_iv[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};
static const uint8_t b2_sigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

struct b2 {
    uint64_t h[8], t;
    uint8_t buf[128];
    size_t fill, outlen;
};

static uint64_t rotr64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

static void b2_compress(struct b2 *s, bool last)
{
    uint64_t v[16], m[16];
    for (int i = 0; i < 16; i++) {
        m[i] = 0;
        for (int j = 7; j >= 0; j--)
            m[i] = m[i] << 8 | s->buf[8 * i + j];
    }
    for (int i = 0; i < 8; i++) {
        v[i] = s->h[i];
        v[i + 8] = b2_iv[i];
    }
    v[12] ^= s->t;      /* inputs are far below 2^64 bytes: the high counter word stays 0 */
    if (last)
        v[14] = ~v[14];
#define G(a, b, c, d, x, y)                                                                                            \
    do {                                                                                                               \
        v[a] += v[b] + (x), v[d] = rotr64(v[d] ^ v[a], 32), v[c] += v[d], v[b] = rotr64(v[b] ^ v[c], 24);              \
        v[a] += v[b] + (y), v[d] = rotr64(v[d] ^ v[a], 16), v[c] += v[d], v[b] = rotr64(v[b] ^ v[c], 63);              \
    } while (0)
    for (int r = 0; r < 12; r++) {
        const uint8_t *s8 = b2_sigma[r];
        G(0, 4, 8, 12, m[s8[0]], m[s8[1]]);
        G(1, 5, 9, 13, m[s8[2]], m[s8[3]]);
        G(2, 6, 10, 14, m[s8[4]], m[s8[5]]);
        G(3, 7, 11, 15, m[s8[6]], m[s8[7]]);
        G(0, 5, 10, 15, m[s8[8]], m[s8[9]]);
        G(1, 6, 11, 12, m[s8[10]], m[s8[11]]);
        G(2, 7, 8, 13, m[s8[12]], m[s8[13]]);
        G(3, 4, 9, 14, m[s8[14]], m[s8[15]]);
    }
#undef G
    for (int i = 0; i < 8; i++)
        s->h[i] ^= v[i] ^ v[i + 8];
    wipe(v, sizeof v);
    wipe(m, sizeof m);
}

static void b2_update(struct b2 *s, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s->fill == sizeof s->buf) {  /* a full block is compressed only once more input follows */
            s->t += s->fill;
            b2_compress(s, false);
            s->fill = 0;
        }
        s->buf[s->fill++] = in[i];
    }
}

void apikey_blake2b(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key, size_t keylen)
{
    struct b2 s = {.fill = 0, .outlen = outlen};
    for (int i = 0; i < 8; i++)
        s.h[i] = b2_iv[i];
    s.h[0] ^= 0x01010000 ^ (keylen << 8) ^ outlen;
    if (keylen) {           /* the key is the first block, zero-padded */
        uint8_t block[128] = {0};
        memcpy(block, key, keylen);
        b2_update(&s, block, sizeof block);
        wipe(block, sizeof block);
    }
    b2_update(&s, in, inlen);
    s.t += s.fill;
    memset(s.buf + s.fill, 0, sizeof s.buf - s.fill);
    b2_compress(&s, true);
    for (size_t i = 0; i < outlen; i++)
        out[i] = (uint8_t)(s.h[i / 8] >> (8 * (i % 8)));
    wipe(&s, sizeof s);
}

void apikey_cap_root_key(const uint8_t *secret, size_t len, uint8_t key[32])
{
    uint8_t h[64];
    apikey_blake2b(h, sizeof h, secret, len, NULL, 0);       /* what the credential store keeps */
    apikey_blake2b(key, 32, APIKEY_CAP_CONTEXT, strlen(APIKEY_CAP_CONTEXT), h, sizeof h);
    wipe(h, sizeof h);
}

/* ---- the body and the chain ------------------------------------------------------ */

static bool key_ok(const char *k, size_t n)
{
    if (!n || n > APIKEY_CAP_KEY_MAX || k[0] < 'a' || k[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' || k[i] == '-'))
            return false;
    return true;
}

static bool value_ok(const char *v, size_t n)
{
    if (!n || n > APIKEY_CAP_VALUE_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= ' ' || v[i] > '~')
            return false;
    return true;
}

bool apikey_cap_is_id(const char *s, size_t n)
{
    if (n != APIKEY_CAP_ID_HEX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

/* The body's text into out (cap bytes): its length, or -1 when it does not fit. */
static long body_text(const struct apikey_cap *t, char *out, size_t cap)
{
    size_t at = 0;
    for (size_t i = 0; i <= t->n; i++) {
        const char *k = i ? t->c[i - 1].key : "id", *v = i ? t->c[i - 1].value : t->id;
        size_t kl = strlen(k), vl = strlen(v);
        if (at + kl + vl + 2 > cap)
            return -1;
        memcpy(out + at, k, kl);
        out[at + kl] = ' ';
        memcpy(out + at + kl + 1, v, vl);
        out[at + kl + 1 + vl] = '\n';
        at += kl + vl + 2;
    }
    return (long)at;
}

/* The longest body whose token fits in APIKEY_CAP_TEXT_MAX: "anx1.", the
 * body's 1999 characters of base64url, ".", the tag's 43. */
#define BODY_MAX 1499

/* One link of the chain: tag = HMAC(tag, "KEY VALUE"). */
static void chain(uint8_t tag[32], const char *key, const char *value)
{
    char line[APIKEY_CAP_KEY_MAX + 1 + APIKEY_CAP_VALUE_MAX];
    size_t kl = strlen(key), vl = strlen(value);
    memcpy(line, key, kl);
    line[kl] = ' ';
    memcpy(line + kl + 1, value, vl);
    anx_hmac_sha256(tag, 32, line, kl + 1 + vl, tag);
}

void apikey_cap_mint(struct apikey_cap *t, const uint8_t root[32], const uint8_t id[APIKEY_CAP_ID_BYTES])
{
    static const char hex[] = "0123456789abcdef";
    memset(t, 0, sizeof *t);
    for (int i = 0; i < APIKEY_CAP_ID_BYTES; i++) {
        t->id[2 * i] = hex[id[i] >> 4];
        t->id[2 * i + 1] = hex[id[i] & 15];
    }
    anx_hmac_sha256(root, 32, t->id, APIKEY_CAP_ID_HEX, t->tag);
}

int apikey_cap_add(struct apikey_cap *t, const char *key, const char *value, char *err, size_t errlen)
{
    size_t kl = strlen(key), vl = strlen(value);
    if (!key_ok(key, kl))
        return fail(err, errlen, "bad caveat key (1-16 of a-z 0-9 _ -, starting with a letter)");
    if (!value_ok(value, vl))
        return fail(err, errlen, "bad caveat value (1-200 printable characters, no spaces)");
    if (apikey_cap_caveat_check(key, value, err, errlen) < 0)
        return -1;
    if (t->n == APIKEY_CAP_CAVEATS)
        return fail(err, errlen, "too many caveats (at most 16)");
    char body[BODY_MAX];
    long used = body_text(t, body, sizeof body);
    if (used < 0 || (size_t)used + kl + vl + 2 > BODY_MAX)
        return fail(err, errlen, "the token would be longer than 2048 bytes");
    memcpy(t->c[t->n].key, key, kl + 1);
    memcpy(t->c[t->n].value, value, vl + 1);
    t->n++;
    chain(t->tag, key, value);
    return 0;
}

int apikey_cap_encode(const struct apikey_cap *t, char *out, size_t n)
{
    char body[BODY_MAX];
    long bl = body_text(t, body, sizeof body);
    if (bl < 0)
        return -1;
    size_t len = 5 + anx_base64_len((size_t)bl) + 1 + anx_base64_len(32);
    if (len + 1 > n)
        return -1;
    memcpy(out, APIKEY_CAP_PREFIX, 5);
    anx_base64_encode((const uint8_t *)body, (size_t)bl, out + 5, ANX_BASE64_URL);
    out[5 + anx_base64_len((size_t)bl)] = '.';
    anx_base64_encode(t->tag, 32, out + 6 + anx_base64_len((size_t)bl), ANX_BASE64_URL);
    out[len] = 0;
    return (int)len;
}

int apikey_cap_decode(const char *text, size_t len, struct apikey_cap *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (len < 5 || memcmp(text, APIKEY_CAP_PREFIX, 5) != 0)
        return fail(err, errlen, "not a capability token (it starts with anx1.)");
    if (len > APIKEY_CAP_TEXT_MAX)
        return fail(err, errlen, "token longer than 2048 bytes");
    const char *dot = memchr(text + 5, '.', len - 5);
    if (!dot)
        return fail(err, errlen, "no '.' before the tag (anx1.BODY.TAG)");
    size_t blen = (size_t)(dot - text - 5), tlen = len - 5 - blen - 1;
    char body[BODY_MAX];
    long bl = anx_base64_decode(text + 5, blen, (uint8_t *)body, sizeof body, ANX_BASE64_URL);
    if (bl <= 0)
        return fail(err, errlen, "the body is not base64url (A-Z a-z 0-9 - _, no padding)");
    if (tlen != 43 || anx_base64_decode(dot + 1, tlen, t->tag, sizeof t->tag, ANX_BASE64_URL) != 32)
        return fail(err, errlen, "the tag is not 32 bytes of base64url (43 characters)");
    size_t at = 0;
    for (size_t line = 0; at < (size_t)bl; line++) {
        const char *nl = memchr(body + at, '\n', (size_t)bl - at);
        if (!nl)
            return fail(err, errlen, "the body's last line does not end in a newline");
        const char *l = body + at, *sp = memchr(l, ' ', (size_t)(nl - l));
        if (!sp)
            return fail(err, errlen, "a body line is not 'KEY VALUE'");
        size_t kl = (size_t)(sp - l), vl = (size_t)(nl - sp - 1);
        if (!key_ok(l, kl) || !value_ok(sp + 1, vl))
            return fail(err, errlen, "a body line is not 'KEY VALUE' (KEY a-z 0-9 _ -, VALUE 1-200 printable, no spaces)");
        if (line == 0) {
            if (kl != 2 || memcmp(l, "id", 2) || !apikey_cap_is_id(sp + 1, vl))
                return fail(err, errlen, "the body does not start with 'id' and 32 hex digits");
            memcpy(t->id, sp + 1, vl);
        } else {
            if (t->n == APIKEY_CAP_CAVEATS)
                return fail(err, errlen, "more than 16 caveats");
            memcpy(t->c[t->n].key, l, kl);
            memcpy(t->c[t->n].value, sp + 1, vl);
            t->n++;
        }
        at = (size_t)(nl - body) + 1;
    }
    return 0;
}

bool apikey_cap_verify(const struct apikey_cap *t, const uint8_t root[32])
{
    uint8_t tag[32];
    anx_hmac_sha256(root, 32, t->id, strlen(t->id), tag);
    for (size_t i = 0; i < t->n; i++)
        chain(tag, t->c[i].key, t->c[i].value);
    uint8_t diff = 0;
    for (int i = 0; i < 32; i++)      /* every byte, whatever the first differing one */
        diff |= tag[i] ^ t->tag[i];
    wipe(tag, sizeof tag);
    return diff == 0;
}

/* ---- the caveats -------------------------------------------------------------- */

int apikey_cap_parse_seconds(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s || strlen(s) > 19)       /* 19 digits cannot overflow 64 bits */
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

int apikey_cap_expires_at(const char *s, uint64_t now, uint64_t *at)
{
    if (!apikey_cap_parse_seconds(s, at))
        return 0;
    static const struct {
        char unit;
        uint64_t secs;
    } units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
    char num[24];
    size_t n = strlen(s);
    uint64_t v;
    if (n < 2 || n >= sizeof num)
        return -1;
    memcpy(num, s, n - 1);
    num[n - 1] = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (s[n - 1] == units[i].unit && !apikey_cap_parse_seconds(num, &v) && v && v < 100ull * 365 * 86400) {
            *at = now + v * units[i].secs;
            return 0;
        }
    return -1;
}

static bool right_ok(const char *w, size_t n)
{
    if (!n || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') || w[i] == ':' || w[i] == '_' ||
              w[i] == '.' || w[i] == '-'))
            return false;
    return true;
}

int apikey_cap_caveat_check(const char *key, const char *value, char *err, size_t errlen)
{
    if (!strcmp(key, "resource")) {
        int klass;
        size_t literal;
        if (rt_pattern_check(value, &klass, &literal))
            return fail(err, errlen,
                        "bad resource (a router pattern: literal and {param} segments from '/', an optional final *)");
        return 0;
    }
    if (!strcmp(key, "rights")) {
        for (const char *p = value;;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            if (!right_ok(p, n))
                return fail(err, errlen, "bad rights (R[,R...], each read, write, admin or a scope name)");
            if (!comma)
                return 0;
            p = comma + 1;
        }
    }
    if (!strcmp(key, "expires")) {
        uint64_t v;
        if (apikey_cap_parse_seconds(value, &v))
            return fail(err, errlen, "bad expires (Unix seconds, digits only)");
        return 0;
    }
    return 1;
}

static bool word_is(const char *w, size_t n, const char *s)
{
    return strlen(s) == n && !memcmp(w, s, n);
}

bool apikey_cap_rights_cover(const char *rights, const char *method, const char *scope)
{
    bool read = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    bool write = !strcmp(method, "PUT") || !strcmp(method, "POST") || !strcmp(method, "PATCH") ||
                 !strcmp(method, "DELETE");
    for (const char *p = rights;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (word_is(p, n, "admin") || (read && word_is(p, n, "read")) || (write && word_is(p, n, "write")) ||
            word_is(p, n, scope))
            return true;
        if (!comma)
            return false;
        p = comma + 1;
    }
}
