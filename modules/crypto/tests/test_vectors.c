/*
 * The crypto module's libsodium build (module.yaml third_party:, compiled
 * as an image compiles it: `link: [third_party/libsodium]`) against
 * published vectors in ../shared/testdata/crypto (argv[1]):
 *   wycheproof/x25519_test.json             X25519, valid and acceptable cases
 *   wycheproof/ed25519_test.json            Ed25519 verification, valid and invalid
 *   wycheproof/chacha20_poly1305_test.json  the RFC 8439 AEAD built from
 *                                           crypto_stream_chacha20_ietf and raw
 *                                           crypto_onetimeauth_poly1305
 *   ed25519-ref/sign.input.gz               the 128 reference vectors: key from
 *                                           seed, signature, verification
 *   pyca/rfc7748.txt                        RFC 7748 section 5.2, plus its
 *                                           1000-iteration X25519 loop
 * and the module's init self-test. Host code: reads the files with the
 * host's libc; a small JSON reader below walks Wycheproof's files.
 */
#include "crypto.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define FAIL(...)                                                                                                      \
    do {                                                                                                               \
        if (failures++ < 20) {                                                                                         \
            printf("FAIL ");                                                                                           \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(1);
    }
    s[n] = 0;
    fclose(f);
    return s;
}

/* Buffers of one group of vectors, freed together (scratch_free). */
static void **scratch_v;
static size_t scratch_n;

static void *scratch(size_t n)
{
    scratch_v = realloc(scratch_v, (scratch_n + 1) * sizeof *scratch_v);
    return scratch_v[scratch_n++] = malloc(n);
}

static void scratch_free(void)
{
    for (size_t i = 0; i < scratch_n; i++)
        free(scratch_v[i]);
    free(scratch_v);
    scratch_v = NULL;
    scratch_n = 0;
}

/* hex into a scratch buffer; *len = bytes */
static unsigned char *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    unsigned char *out = scratch(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            fprintf(stderr, "bad hex '%s'\n", hex);
            exit(1);
        }
        out[i] = (unsigned char)v;
    }
    if (len)
        *len = n;
    return out;
}

/* ---- a minimal JSON reader: objects, arrays, strings, numbers, literals ---- */

struct json {
    char type;              /* 'o' object, 'a' array, 's' string, 'n' other */
    char *key;              /* its key in the parent object */
    char *str;              /* strings: the text (Wycheproof's need no escapes but \" \\);
                             * numbers and literals: as written */
    struct json **kids;
    size_t n;
};

static const char *ws(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static struct json *parse(const char **pp);

static char *parse_string(const char **pp)
{
    const char *p = *pp + 1;
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    for (; *p != '"'; p++) {
        if (!*p) {
            fprintf(stderr, "json: unterminated string\n");
            exit(1);
        }
        if (*p == '\\')
            p++;
        if (n + 2 > cap)
            s = realloc(s, cap *= 2);
        s[n++] = *p;
    }
    s[n] = 0;
    *pp = p + 1;
    return s;
}

static struct json *parse(const char **pp)
{
    const char *p = ws(*pp);
    struct json *j = calloc(1, sizeof *j);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        j->type = *p == '{' ? 'o' : 'a';
        p = ws(p + 1);
        while (*p != close) {
            char *key = NULL;
            if (j->type == 'o') {
                key = parse_string(&p);
                p = ws(p);
                if (*p++ != ':') {
                    fprintf(stderr, "json: ':' expected\n");
                    exit(1);
                }
            }
            struct json *kid = parse(&p);
            kid->key = key;
            j->kids = realloc(j->kids, (j->n + 1) * sizeof *j->kids);
            j->kids[j->n++] = kid;
            p = ws(p);
            if (*p == ',')
                p = ws(p + 1);
        }
        p++;
    } else if (*p == '"') {
        j->type = 's';
        j->str = parse_string(&p);
    } else {
        j->type = 'n';
        const char *start = p;
        while (*p && !strchr(",]} \t\r\n", *p))
            p++;
        j->str = strndup(start, (size_t)(p - start));
    }
    *pp = p;
    return j;
}

static void json_free(struct json *j)
{
    for (size_t i = 0; i < j->n; i++)
        json_free(j->kids[i]);
    free(j->kids);
    free(j->key);
    free(j->str);
    free(j);
}

static struct json *get(const struct json *o, const char *key)
{
    for (size_t i = 0; o && i < o->n; i++)
        if (o->kids[i]->key && !strcmp(o->kids[i]->key, key))
            return o->kids[i];
    return NULL;
}

static const char *str(const struct json *o, const char *key)
{
    const struct json *j = get(o, key);
    if (!j || j->type != 's') {
        fprintf(stderr, "json: no string '%s'\n", key);
        exit(1);
    }
    return j->str;
}

/* "tcId 12 (comment)": which Wycheproof case, for a failure */
static const char *case_id(const struct json *tc)
{
    static char buf[300];
    const struct json *id = get(tc, "tcId"), *c = get(tc, "comment");
    snprintf(buf, sizeof buf, "tcId %s%s%s%s", id ? id->str : "?", c && *c->str ? " (" : "", c ? c->str : "",
             c && *c->str ? ")" : "");
    return buf;
}

static struct json *load_json(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = read_file(path);
    const char *p = text;
    struct json *j = parse(&p);
    free(text);
    return j;
}

/* ---- the vectors ------------------------------------------------------------ */

/* Wycheproof X25519: valid cases give the shared value; libsodium refuses
 * (returns -1) exactly the public keys that give an all-zero secret, which
 * Wycheproof lists as acceptable with a zero shared value. */
static void wycheproof_x25519(const char *dir)
{
    struct json *root = load_json(dir, "wycheproof/x25519_test.json");
    int n = 0, refused = 0;
    const struct json *groups = get(root, "testGroups");
    for (size_t g = 0; g < groups->n; g++) {
        const struct json *tests = get(groups->kids[g], "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const struct json *tc = tests->kids[t];
            size_t lpub, lpriv, lshared;
            unsigned char *pub = unhex(str(tc, "public"), &lpub), *priv = unhex(str(tc, "private"), &lpriv);
            unsigned char *shared = unhex(str(tc, "shared"), &lshared), out[32];
            const char *id = case_id(tc);
            if (lpub != 32 || lpriv != 32 || lshared != 32) {
                FAIL("wycheproof x25519 %s: other than 32-byte values", id);
                continue;
            }
            int rc = crypto_scalarmult_curve25519(out, priv, pub);
            if (rc == 0 && memcmp(out, shared, 32) != 0)
                FAIL("wycheproof x25519 %s: wrong shared value", id);
            if (rc != 0) {
                refused++;
                if (!sodium_is_zero(shared, 32) || strcmp(str(tc, "result"), "acceptable") != 0)
                    FAIL("wycheproof x25519 %s: refused a public key with a non-zero shared value", id);
            }
            n++;
        }
    }
    json_free(root);
    scratch_free();
    printf("ok   wycheproof x25519: %d cases (%d low-order public keys refused)\n", n, refused);
}

static void wycheproof_ed25519(const char *dir)
{
    struct json *root = load_json(dir, "wycheproof/ed25519_test.json");
    int n = 0, valid = 0;
    const struct json *groups = get(root, "testGroups");
    for (size_t g = 0; g < groups->n; g++) {
        size_t lpk;
        unsigned char *pk = unhex(str(get(groups->kids[g], "publicKey"), "pk"), &lpk);
        const struct json *tests = get(groups->kids[g], "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const struct json *tc = tests->kids[t];
            size_t lmsg, lsig;
            unsigned char *msg = unhex(str(tc, "msg"), &lmsg), *sig = unhex(str(tc, "sig"), &lsig);
            bool want = !strcmp(str(tc, "result"), "valid");
            bool got = lpk == 32 && lsig == 64 && crypto_sign_ed25519_verify_detached(sig, msg, lmsg, pk) == 0;
            if (got != want)
                FAIL("wycheproof ed25519 %s: %s a %s signature", case_id(tc), got ? "accepted" : "refused",
                     want ? "valid" : "invalid");
            n++;
            valid += want;
        }
    }
    json_free(root);
    scratch_free();
    printf("ok   wycheproof ed25519: %d cases (%d valid accepted, %d invalid refused)\n", n, valid, n - valid);
}

/* RFC 8439 section 2.8: ChaCha20 (96-bit nonce) and Poly1305 keyed by the
 * first 32 bytes of block 0; the MAC covers aad, ct, padding, lengths. */
static void aead_tag(unsigned char tag[16], const unsigned char *aad, size_t laad, const unsigned char *ct,
                     size_t lct, const unsigned char *nonce, const unsigned char *key)
{
    unsigned char otk[32] = {0}, pad[16] = {0}, lens[16];
    crypto_stream_chacha20_ietf(otk, sizeof otk, nonce, key);
    crypto_onetimeauth_poly1305_state st;
    crypto_onetimeauth_poly1305_init(&st, otk);
    crypto_onetimeauth_poly1305_update(&st, aad, laad);
    crypto_onetimeauth_poly1305_update(&st, pad, (16 - laad % 16) % 16);
    crypto_onetimeauth_poly1305_update(&st, ct, lct);
    crypto_onetimeauth_poly1305_update(&st, pad, (16 - lct % 16) % 16);
    for (int i = 0; i < 8; i++) {
        lens[i] = (unsigned char)((unsigned long long)laad >> (8 * i));
        lens[8 + i] = (unsigned char)((unsigned long long)lct >> (8 * i));
    }
    crypto_onetimeauth_poly1305_update(&st, lens, sizeof lens);
    crypto_onetimeauth_poly1305_final(&st, tag);
    sodium_memzero(otk, sizeof otk);
}

static void wycheproof_chacha20_poly1305(const char *dir)
{
    struct json *root = load_json(dir, "wycheproof/chacha20_poly1305_test.json");
    int n = 0, other_nonce = 0, invalid = 0;
    const struct json *groups = get(root, "testGroups");
    for (size_t g = 0; g < groups->n; g++) {
        const struct json *tests = get(groups->kids[g], "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const struct json *tc = tests->kids[t];
            size_t lkey, liv, laad, lmsg, lct, ltag;
            unsigned char *key = unhex(str(tc, "key"), &lkey), *iv = unhex(str(tc, "iv"), &liv);
            unsigned char *aad = unhex(str(tc, "aad"), &laad), *msg = unhex(str(tc, "msg"), &lmsg);
            unsigned char *ct = unhex(str(tc, "ct"), &lct), *tag = unhex(str(tc, "tag"), &ltag);
            bool valid = !strcmp(str(tc, "result"), "valid");
            if (liv != crypto_stream_chacha20_IETF_NONCEBYTES) {
                /* the AEAD is defined for 96-bit nonces only: Wycheproof
                 * marks every other size invalid, which a caller must refuse */
                if (valid)
                    FAIL("wycheproof chacha20-poly1305 %s: a valid case with a %zu-byte nonce", case_id(tc), liv);
                other_nonce++;
                continue;
            }
            unsigned char mytag[16], *out = malloc(lmsg + 1);
            /* encryption: counter 1 onwards */
            crypto_stream_chacha20_ietf_xor_ic(out, msg, lmsg, iv, 1, key);
            aead_tag(mytag, aad, laad, out, lmsg, iv, key);
            bool same = lct == lmsg && ltag == 16 && !memcmp(out, ct, lct) && !memcmp(mytag, tag, 16);
            /* decryption: the tag of the given ciphertext, checked first */
            aead_tag(mytag, aad, laad, ct, lct, iv, key);
            bool opens = ltag == 16 && crypto_verify_16(mytag, tag) == 0;
            if (valid && !(same && opens))
                FAIL("wycheproof chacha20-poly1305 %s: a valid case %s", case_id(tc),
                     same ? "does not open" : "encrypts differently");
            if (!valid && opens)
                FAIL("wycheproof chacha20-poly1305 %s: accepted an invalid case", case_id(tc));
            invalid += !valid;
            n++;
            free(out);
        }
    }
    json_free(root);
    scratch_free();
    printf("ok   wycheproof chacha20-poly1305: %d cases with 96-bit nonces (%d forgeries refused); "
           "%d with other nonce sizes not applicable\n",
           n, invalid, other_nonce);
}

/* sign.input: seed||pk : pk : msg : sig||msg : per line */
static void ed25519_reference(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s/ed25519-ref/sign.input.gz'", dir);
    FILE *f = popen(cmd, "r");
    if (!f) {
        perror("gzip");
        exit(1);
    }
    static char line[1 << 16];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char *field[4], *save = NULL;
        field[0] = strtok_r(line, ":", &save);
        for (int i = 1; i < 4; i++)
            field[i] = strtok_r(NULL, ":\n", &save);
        size_t lsk, lpk, lmsg, lsm;
        unsigned char *sk = unhex(field[0], &lsk), *pk = unhex(field[1], &lpk);
        /* an empty message leaves the field out: strtok_r then sees sig there */
        bool empty = field[3] == NULL;
        unsigned char *msg = empty ? unhex("", &lmsg) : unhex(field[2], &lmsg);
        unsigned char *sm = unhex(empty ? field[2] : field[3], &lsm);
        unsigned char mypk[32], mysk[64], sig[64];
        n++;
        if (lsk != 64 || lpk != 32 || lsm != 64 + lmsg) {
            FAIL("ed25519 reference line %d: bad lengths", n);
            continue;
        }
        crypto_sign_ed25519_seed_keypair(mypk, mysk, sk);
        if (memcmp(mypk, pk, 32) || memcmp(mysk, sk, 64))
            FAIL("ed25519 reference line %d: key pair from the seed differs", n);
        crypto_sign_ed25519_detached(sig, NULL, msg, lmsg, mysk);
        if (memcmp(sig, sm, 64))
            FAIL("ed25519 reference line %d: signature differs", n);
        if (crypto_sign_ed25519_verify_detached(sm, msg, lmsg, pk) != 0)
            FAIL("ed25519 reference line %d: signature does not verify", n);
        /* a changed message must not verify */
        unsigned char *bad = malloc(lmsg + 1);
        memcpy(bad, msg, lmsg);
        bad[lmsg] = 0;
        if (lmsg) {
            bad[0] ^= 1;
            if (crypto_sign_ed25519_verify_detached(sm, bad, lmsg, pk) == 0)
                FAIL("ed25519 reference line %d: verified a changed message", n);
        }
        /* the combined form: crypto_sign / crypto_sign_open */
        unsigned char *signed_msg = malloc(lmsg + 64), *opened = malloc(lmsg + 1);
        unsigned long long lsigned, lopened;
        crypto_sign_ed25519(signed_msg, &lsigned, msg, lmsg, mysk);
        if (lsigned != lsm || memcmp(signed_msg, sm, lsm) ||
            crypto_sign_ed25519_open(opened, &lopened, signed_msg, lsigned, pk) != 0 || lopened != lmsg ||
            memcmp(opened, msg, lmsg))
            FAIL("ed25519 reference line %d: crypto_sign / crypto_sign_open differ", n);
        free(bad);
        free(signed_msg);
        free(opened);
        scratch_free();
    }
    if (pclose(f) != 0)
        FAIL("ed25519 reference: gzip -dc failed");
    if (n != 128)
        FAIL("ed25519 reference: %d vectors, expected 128", n);
    else
        printf("ok   ed25519 reference vectors: %d (key pair, signature, verify, crypto_sign_open)\n", n);
}

static void rfc7748(const char *dir)
{
    char path[4096], *save = NULL;
    snprintf(path, sizeof path, "%s/pyca/rfc7748.txt", dir);
    char *text = read_file(path);
    unsigned char *k = NULL, *u = NULL, out[32];
    int n = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char hex[200];
        if (sscanf(l, "INPUT_SCALAR = %199s", hex) == 1)
            k = unhex(hex, NULL);
        else if (sscanf(l, "INPUT_U = %199s", hex) == 1)
            u = unhex(hex, NULL);
        else if (sscanf(l, "OUTPUT_U = %199s", hex) == 1) {
            unsigned char *want = unhex(hex, NULL);
            if (!k || !u || crypto_scalarmult_curve25519(out, k, u) != 0 || memcmp(out, want, 32))
                FAIL("rfc7748 vector %d", n + 1);
            n++;
        }
    }
    /* section 5.2's loop: k = X25519(k, u), u = old k, from k = u = 9 */
    unsigned char kk[32] = {9}, uu[32] = {9}, r[32];
    size_t lwant;
    unsigned char *want = unhex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", &lwant);
    for (int i = 0; i < 1000; i++) {
        if (crypto_scalarmult_curve25519(r, kk, uu) != 0)
            FAIL("rfc7748 loop: step %d refused", i);
        memcpy(uu, kk, 32);
        memcpy(kk, r, 32);
    }
    if (memcmp(kk, want, 32))
        FAIL("rfc7748 loop: 1000 iterations differ");
    free(text);
    scratch_free();
    if (n < 3)
        FAIL("rfc7748: %d vectors read, expected 3", n);
    else
        printf("ok   rfc7748: %d vectors and the 1000-iteration loop\n", n);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_vectors TESTDATA/crypto\n");
        return 2;
    }
    const char *bad = crypto_self_test();
    if (bad)
        FAIL("self-test: %s", bad);
    else
        printf("ok   self-test (one vector per primitive, as init runs it)\n");
    wycheproof_x25519(argv[1]);
    wycheproof_ed25519(argv[1]);
    wycheproof_chacha20_poly1305(argv[1]);
    ed25519_reference(argv[1]);
    rfc7748(argv[1]);
    if (failures > 20)
        printf("FAIL (%d more failures not shown)\n", failures - 20);
    return failures ? 1 : 0;
}
