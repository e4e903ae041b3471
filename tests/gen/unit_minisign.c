#define _GNU_SOURCE
/* gen/minisign.c: minisign's key and signature formats. The vectors were
 * made by Debian's minisign 0.11 (`minisign -G -W`, `minisign -S`,
 * `minisign -S -l`) with a key made for this test only. Then malformed
 * inputs: every prefix, every byte flipped, random bytes, long lines, NUL
 * bytes; each must be refused (or accepted) without a crash under ASan. */
#include "anx.h"
#include "unit.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char pub_text[] =
    "untrusted comment: minisign public key A85F6B6EC12B841E\n"
    "RWQehCvBbmtfqBDV9qT1bjDqwxFH6vaiohyTaiH2D0Gyx9rF+i0S6He4\n";
static const char pub_b64[] = "RWQehCvBbmtfqBDV9qT1bjDqwxFH6vaiohyTaiH2D0Gyx9rF+i0S6He4";
static const char sec_b64[] =
    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAHoQrwW5rX6jSQNHaL8YxXKsiYWG1Lmnppl"
    "CqXhwNgL5CsizSgRvQsRDV9qT1bjDqwxFH6vaiohyTaiH2D0Gyx9rF+i0S6He4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
/* minisign -S of "hello\n" (prehashed, "ED") */
static const char sig_line[] =
    "RUQehCvBbmtfqINEMiQoHIxE1xSzmSmiJSHLSbw/pN6PX/dZOXEURQiyXwsxBCPAH/EeYWJYO4r9MM5NNry8qQxhP/GPsUe2owk=";
static const char sig_text[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUQehCvBbmtfqINEMiQoHIxE1xSzmSmiJSHLSbw/pN6PX/dZOXEURQiyXwsxBCPAH/EeYWJYO4r9MM5NNry8qQxhP/GPsUe2owk=\n"
    "trusted comment: timestamp:1796524379\tfile:f\thashed\n"
    "BKEysaed6znOIhvI/yWCaLIDshLHM01aIarhIykAX5ZG3qqyhM0s0H3zT3noQpqURmscJBTRjK4pkA2tXmBbBg==\n";
/* minisign -S -l of "data\n" (legacy, "Ed": over the file itself) */
static const char legacy_text[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWQehCvBbmtfqB1w39QhxGTUYgz/2O8I6jRGCag2haImwoFFvCEJftdieMvpt0BDBzXVdoZlj9o3rbi91vCxRDjnsm5CBu7aZQ8=\n"
    "trusted comment: timestamp:1796524588\tfile:g\n"
    "GuHcxa8liFQJdqYjG54/yjyYrgkMrqzJk4+w2FNEouCC8RXkchXmgkDS1GbLghYOw805TeW6G7wD9O6d6lK8Cw==\n";

static char why[512];
static int line;

static void hash(const char *s, uint8_t out[64])
{
    crypto_generichash(out, 64, (const uint8_t *)s, strlen(s), NULL, 0);
}

/* The secret key file with its decoded bytes changed by edit(). */
static char *seckey_with(void (*edit)(uint8_t *raw))
{
    uint8_t raw[158];
    size_t n = 0;
    CHECK(sodium_base642bin(raw, sizeof raw, sec_b64, strlen(sec_b64), NULL, &n, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0 && n == 158);
    edit(raw);
    return xasprintf("untrusted comment: k\n%s\n", mini_base64(raw, sizeof raw));
}
static void encrypted(uint8_t *raw) { memcpy(raw + 2, "Sc", 2); }
static void other_kdf(uint8_t *raw) { memcpy(raw + 2, "Xx", 2); }
static void bad_checksum(uint8_t *raw) { raw[126] = 1; }
static void bad_half(uint8_t *raw) { raw[62 + 40] ^= 1; }
static void not_ed(uint8_t *raw) { memcpy(raw, "Rs", 2); }

/* Every prefix and every single-byte change of text, through parse:
 * nothing may crash; prefixes that cut a base64 line must fail. */
static void mangle(const char *text, int (*parse)(const char *, size_t))
{
    size_t n = strlen(text);
    char *b = xmalloc(n + 1);
    for (size_t k = 0; k < n; k++) {
        memcpy(b, text, k);
        int rc = parse(b, k);
        /* the last line may lose its newline, nothing more */
        if (k < n - 1)
            CHECK(rc != 0);
    }
    for (size_t i = 0; i < n; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(b, text, n);
            b[i] ^= (char)(1 << bit);
            parse(b, n);
        }
}

static int parse_pub(const char *t, size_t n)
{
    struct mini_pubkey k;
    return mini_pubkey_parse(t, n, true, &k, &line, why, sizeof why);
}
static int parse_pub_string(const char *t, size_t n)
{
    struct mini_pubkey k;
    return mini_pubkey_parse(t, n, false, &k, &line, why, sizeof why);
}
static int parse_sec(const char *t, size_t n)
{
    struct mini_seckey k;
    return mini_seckey_parse(t, n, &k, &line, why, sizeof why);
}
static int parse_sig(const char *t, size_t n)
{
    struct mini_sig s;
    return mini_sig_parse(t, n, &s, &line, why, sizeof why);
}

int main(void)
{
    CHECK(sodium_init() >= 0);
    struct mini_pubkey pk, pk2, derived;
    struct mini_seckey sk;
    struct mini_sig sig;
    char id[17];

    /* The vectors: key ID as minisign shows it, both public key forms,
     * the secret key's public half. */
    CHECK(mini_pubkey_parse(pub_text, strlen(pub_text), true, &pk, &line, why, sizeof why) == 0);
    mini_key_id_hex(pk.id, id);
    CHECK_STR(id, "A85F6B6EC12B841E");
    CHECK(mini_pubkey_parse(pub_b64, strlen(pub_b64), false, &pk2, &line, why, sizeof why) == 0);
    CHECK(!memcmp(&pk, &pk2, sizeof pk));
    char *sec_text = xasprintf("untrusted comment: minisign encrypted secret key\n%s\n", sec_b64);
    CHECK(mini_seckey_parse(sec_text, strlen(sec_text), &sk, &line, why, sizeof why) == 0);
    mini_seckey_public(&sk, &derived);
    CHECK(!memcmp(&pk, &derived, sizeof pk));

    /* minisign's signatures verify; a changed file, comment or key does not. */
    uint8_t h[64];
    hash("hello\n", h);
    CHECK(mini_sig_parse(sig_text, strlen(sig_text), &sig, &line, why, sizeof why) == 0);
    CHECK(sig.prehashed);
    CHECK_STR(sig.trusted, "timestamp:1796524379\tfile:f\thashed");
    CHECK(mini_verify(&pk, &sig, h, sizeof h) == MINI_OK);
    hash("hellO\n", h);
    CHECK(mini_verify(&pk, &sig, h, sizeof h) == MINI_BAD_SIG);
    hash("hello\n", h);
    sig.trusted = "timestamp:1796524379\tfile:f\thashed!";
    CHECK(mini_verify(&pk, &sig, h, sizeof h) == MINI_BAD_COMMENT);
    pk2.id[0] ^= 1;
    CHECK(mini_verify(&pk2, &sig, h, sizeof h) == MINI_WRONG_KEY);
    CHECK(mini_sig_parse(legacy_text, strlen(legacy_text), &sig, &line, why, sizeof why) == 0);
    CHECK(!sig.prehashed);
    CHECK(mini_verify(&pk, &sig, (const uint8_t *)"data\n", 5) == MINI_OK);
    CHECK(mini_verify(&pk, &sig, (const uint8_t *)"data!", 5) == MINI_BAD_SIG);

    /* What anx writes: Ed25519 is deterministic, so the signature line is
     * minisign's own for the same file; it parses and verifies. */
    char *mine = mini_sign_text(&sk, h, "timestamp:1\tfile:f\thashed");
    CHECK(strstr(mine, sig_line) != NULL);
    const char *head = "untrusted comment: signature from anx secret key A85F6B6EC12B841E\n";
    CHECK(!strncmp(mine, head, strlen(head)));
    CHECK(mini_sig_parse(mine, strlen(mine), &sig, &line, why, sizeof why) == 0);
    CHECK(mini_verify(&pk, &sig, h, sizeof h) == MINI_OK);

    /* CRLF line ends and trailing blank lines are fine; a fifth line is not. */
    char *crlf = xasprintf("untrusted comment: x\r\n%s\r\n", pub_b64);
    CHECK(parse_pub(crlf, strlen(crlf)) == 0);
    char *blank = xasprintf("%s\n\n", sig_text);
    CHECK(parse_sig(blank, strlen(blank)) == 0);
    char *extra = xasprintf("%sextra\n", sig_text);
    CHECK(parse_sig(extra, strlen(extra)) != 0 && line == 5);

    /* The refusals users meet, with their lines and reasons. */
    char *t = seckey_with(encrypted);
    CHECK(parse_sec(t, strlen(t)) != 0 && line == 2 && strstr(why, "minisign -G -W"));
    t = seckey_with(other_kdf);
    CHECK(parse_sec(t, strlen(t)) != 0 && strstr(why, "unknown key encryption"));
    t = seckey_with(bad_checksum);
    CHECK(parse_sec(t, strlen(t)) != 0 && strstr(why, "checksum"));
    t = seckey_with(bad_half);
    CHECK(parse_sec(t, strlen(t)) != 0 && strstr(why, "do not match"));
    t = seckey_with(not_ed);
    CHECK(parse_sec(t, strlen(t)) != 0 && strstr(why, "not an Ed25519"));
    CHECK(parse_sec(pub_text, strlen(pub_text)) != 0 && line == 2);   /* a public key given as -s */
    CHECK(parse_pub(sec_text, strlen(sec_text)) != 0 && line == 2);   /* and the reverse */
    CHECK(parse_sig(pub_text, strlen(pub_text)) != 0 && line == 2);
    const char signify[] = "untrusted comment: x\nRUQehCvBbmtfqINEMiQoHIxE1xSzmSmiJSHLSbw/pN6PX/dZOXEURQiyXwsxBCPAH/"
                           "EeYWJYO4r9MM5NNry8qQxhP/GPsUe2owk=\n";
    CHECK(parse_sig(signify, strlen(signify)) != 0 && line == 3 && strstr(why, "signify"));
    CHECK(parse_sig("", 0) != 0 && line == 1);
    CHECK(parse_sig("untrusted comment: a\0b\n", 23) != 0 && line == 0);
    CHECK(parse_pub_string("RWQ", 3) != 0);
    CHECK(parse_pub_string("RWQehCvBbmtfqBDV9qT1bjDqwxFH6vaiohyTaiH2D0Gyx9rF+i0S6He4\n", 57) == 0);
    CHECK(parse_pub_string("RWQehCvBbmtfqBDV9qT1bjDqwxFH6vaiohyTaiH2D0Gyx9rF+i0S6He4A", 57) != 0);

    /* A trusted comment past the limit, and a huge base64 line. */
    struct buf big = {0};
    buf_printf(&big, "untrusted comment: x\n%s\ntrusted comment: ", sig_line);
    for (int i = 0; i < MINI_TRUSTED_MAX + 1; i++)
        buf_add(&big, "a", 1);
    buf_puts(&big, "\nAAAA\n");
    CHECK(parse_sig(big.p, big.n) != 0 && line == 3);
    struct buf huge = {0};
    buf_puts(&huge, "untrusted comment: x\n");
    for (int i = 0; i < 100000; i++)
        buf_add(&huge, "QUFB", 4);
    CHECK(parse_sig(huge.p, huge.n) != 0 && line == 2);
    CHECK(parse_pub(huge.p, huge.n) != 0 && line == 2);

    /* Every prefix and byte flip of each format; random bytes. */
    mangle(sig_text, parse_sig);
    mangle(legacy_text, parse_sig);
    mangle(pub_text, parse_pub);
    mangle(sec_text, parse_sec);
    char rnd[300];
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)(i % (int)sizeof rnd);
        randombytes_buf(rnd, n);
        CHECK(parse_sig(rnd, n) != 0);
        CHECK(parse_pub(rnd, n) != 0);
        CHECK(parse_sec(rnd, n) != 0);
        CHECK(parse_pub_string(rnd, n) != 0);
    }
    return UNIT_END();
}
