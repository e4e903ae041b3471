/*
 * One known-answer vector per primitive, run at init so an image whose
 * libsodium build is broken (a wrong configure define, a miscompile on one
 * architecture) says so at boot instead of making bad keys. The vectors
 * come from the primitives' specifications, or (ChaCha20 with a 64-bit
 * nonce, Argon2id with small limits) from OpenSSL through python3's
 * cryptography, an independent implementation.
 */
#include "crypto.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* hex (lower case, even length) into out; the vectors below are constants */
static void unhex(uint8_t *out, const char *hex)
{
    for (size_t i = 0; hex[2 * i]; i++) {
        uint8_t v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v = (uint8_t)(v << 4 | (c <= '9' ? c - '0' : c - 'a' + 10));
        }
        out[i] = v;
    }
}

static bool same(const uint8_t *got, const char *want_hex)
{
    uint8_t want[64];
    size_t n = strlen(want_hex) / 2;
    unhex(want, want_hex);
    return memcmp(got, want, n) == 0;
}

/* RFC 7748 section 5.2, the first vector */
static const char *x25519(void)
{
    uint8_t k[32], u[32], out[32];
    unhex(k, "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    unhex(u, "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    if (crypto_scalarmult_curve25519(out, k, u) != 0 ||
        !same(out, "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"))
        return "x25519";
    return NULL;
}

/* RFC 8032 section 7.1, TEST 1 (the empty message) */
static const char *ed25519(void)
{
    uint8_t seed[32], pk[32], sk[64], sig[64];
    unhex(seed, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    crypto_sign_ed25519_seed_keypair(pk, sk, seed);
    if (!same(pk, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        return "ed25519 public key";
    crypto_sign_ed25519_detached(sig, NULL, (const uint8_t *)"", 0, sk);
    sodium_memzero(sk, sizeof sk);
    if (!same(sig, "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                   "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"))
        return "ed25519 signature";
    if (crypto_sign_ed25519_verify_detached(sig, (const uint8_t *)"", 0, pk) != 0)
        return "ed25519 verify";
    sig[10] ^= 1;
    if (crypto_sign_ed25519_verify_detached(sig, (const uint8_t *)"", 0, pk) == 0)
        return "ed25519 verify (accepted a changed signature)";
    return NULL;
}

/* djb's ChaCha20 (64-bit nonce 000000000000004a, block counter 1, key
 * 00 01 .. 1f): the first block of key stream */
static const char *chacha20(void)
{
    uint8_t key[32], nonce[8], zero[64] = {0}, out[64];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    unhex(nonce, "000000000000004a");
    crypto_stream_chacha20_xor_ic(out, zero, sizeof zero, nonce, 1, key);
    if (!same(out, "51780e6d8dc1a1bda9c46adc892f56f2fe6365185365b9f15ec572f40d5adc69"
                   "89386f1e78af4b19194dd07f900043bed2cbf552b07b8fdfb5ea6063ddec158c"))
        return "chacha20";
    return NULL;
}

/* RFC 8439 section 2.5.2 */
static const char *poly1305(void)
{
    static const char msg[] = "Cryptographic Forum Research Group";
    uint8_t key[32], tag[16];
    unhex(key, "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    crypto_onetimeauth_poly1305(tag, (const uint8_t *)msg, sizeof msg - 1, key);
    if (!same(tag, "a8061dc1305136c6c22b8baf0c0127a9"))
        return "poly1305";
    if (crypto_onetimeauth_poly1305_verify(tag, (const uint8_t *)msg, sizeof msg - 1, key) != 0)
        return "poly1305 verify";
    return NULL;
}

/* FIPS 180-2 appendix B.1 and C.1: "abc" */
static const char *sha2(void)
{
    uint8_t h[64];
    crypto_hash_sha256(h, (const uint8_t *)"abc", 3);
    if (!same(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        return "sha256";
    crypto_hash_sha512(h, (const uint8_t *)"abc", 3);
    if (!same(h, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"))
        return "sha512";
    return NULL;
}

/* Argon2id v1.3, t=2, m=8 KiB (libsodium's minimum), one lane: small
 * enough for a boot, and still every step of the algorithm */
static const char *argon2id(void)
{
    static const char pw[] = "correct horse battery staple";
    uint8_t out[32];
    if (crypto_pwhash(out, sizeof out, pw, sizeof pw - 1, (const uint8_t *)"anunix-selftest!", 2, 8192,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return "argon2id (failed)";
    if (!same(out, "94dac5a688814d3c25e00de2eb973fb3c4eddc425e27ae0245d0fe4f7923b469"))
        return "argon2id";
    return NULL;
}

/* crypto_verify_32: equal and unequal inputs */
static const char *verify(void)
{
    uint8_t a[32] = {0}, b[32] = {0};
    b[31] = 0x80;
    if (crypto_verify_32(a, a) != 0 || crypto_verify_32(a, b) != -1 || sodium_memcmp(a, b, sizeof a) != -1)
        return "crypto_verify";
    return NULL;
}

const char *crypto_self_test(void)
{
    const char *(*const tests[])(void) = {x25519, ed25519, chacha20, poly1305, sha2, argon2id, verify};
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        const char *bad = tests[i]();
        if (bad)
            return bad;
    }
    return NULL;
}
