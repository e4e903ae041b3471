/* core/lib/chacha20.c against RFC 8439's test vectors (§2.3.2 the block
 * function, §2.4.2 encryption, A.1 #1 the all-zero block), and the
 * fast-key-erasure step built on it. */
#include <stdint.h>
#define UNIT_FILE "chacha20"
#include "unit.h"
#include <anx/chacha20.h>

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

static void key_0_to_31(uint8_t key[32])
{
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
}

/* §2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1. */
TEST(rfc8439_2_3_2_block)
{
    uint8_t key[32], nonce[12], out[64], want[64];
    key_0_to_31(key);
    unhex("000000090000004a00000000", nonce, 12);
    unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
          "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", want, 64);
    anx_chacha20_block(key, 1, nonce, out);
    CHECK(memcmp(out, want, 64) == 0);
}

/* A.1 test vector #1: all-zero key and nonce, counter 0. */
TEST(rfc8439_a_1_zero_block)
{
    uint8_t key[32] = {0}, nonce[12] = {0}, out[64], want[64];
    unhex("76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
          "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586", want, 64);
    anx_chacha20_block(key, 0, nonce, out);
    CHECK(memcmp(out, want, 64) == 0);
}

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one "
                                "tip for the future, sunscreen would be it.";

/* §2.4.2: the 114-byte "sunscreen" plaintext, key 00..1f, nonce
 * 00:00:00:00:00:00:00:4a:00:00:00:00, initial counter 1; two full blocks
 * and a partial one. Decrypting (the same XOR) gives the text back. */
TEST(rfc8439_2_4_2_encryption)
{
    uint8_t key[32], nonce[12], ct[114], want[114];
    key_0_to_31(key);
    unhex("000000000000004a00000000", nonce, 12);
    unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
          "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
          "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
          "5af90bbf74a35be6b40b8eedf2785e42874d", want, 114);
    CHECK_EQ(strlen(sunscreen), 114);
    anx_chacha20_xor(key, 1, nonce, sunscreen, ct, 114);
    CHECK(memcmp(ct, want, 114) == 0);
    anx_chacha20_xor(key, 1, nonce, ct, ct, 114);           /* in place */
    CHECK(memcmp(ct, sunscreen, 114) == 0);
    uint8_t stream[114];
    anx_chacha20_xor(key, 1, nonce, NULL, stream, 114);     /* keystream alone */
    for (int i = 0; i < 114; i++)
        stream[i] ^= (uint8_t)sunscreen[i];
    CHECK(memcmp(stream, want, 114) == 0);
}

/* Fast key erasure: the first 32 bytes of the key's stream (zero nonce,
 * counter 0) become the key, the output is the stream after them. */
TEST(fke_replaces_key_with_its_stream)
{
    static const uint8_t zero_nonce[12];
    uint8_t key[32], old[32], stream[32 + 200], out[200];
    key_0_to_31(key);
    memcpy(old, key, 32);
    anx_chacha20_xor(old, 0, zero_nonce, NULL, stream, sizeof stream);
    anx_chacha20_fke(key, out, sizeof out);
    CHECK(memcmp(key, stream, 32) == 0);
    CHECK(memcmp(out, stream + 32, sizeof out) == 0);
    CHECK(memcmp(key, old, 32) != 0);

    uint8_t again[200];
    anx_chacha20_fke(key, again, sizeof again);             /* the next call: new key, new bytes */
    CHECK(memcmp(again, out, sizeof out) != 0);
    uint8_t before[32];
    memcpy(before, key, 32);
    anx_chacha20_fke(key, NULL, 0);                         /* even 0 bytes replace the key */
    CHECK(memcmp(key, before, 32) != 0);
}

/* Past ANX_CHACHA20_FKE_STEP bytes the generator takes a fresh key, so the
 * bytes after the step are the next key's stream, not the old one's. */
TEST(fke_long_request_rekeys_per_step)
{
    static const uint8_t zero_nonce[12];
    size_t len = ANX_CHACHA20_FKE_STEP + 100;
    uint8_t *out = malloc_host(len), key[32] = {0}, k1[32], tail[32 + 100];
    anx_chacha20_xor(key, 0, zero_nonce, NULL, k1, 32);      /* the key after step 1 */
    anx_chacha20_xor(k1, 0, zero_nonce, NULL, tail, sizeof tail);
    anx_chacha20_fke(key, out, len);
    CHECK(memcmp(out + ANX_CHACHA20_FKE_STEP, tail + 32, 100) == 0);
    CHECK(memcmp(key, tail, 32) == 0);
    free_host(out);
}

int main(void)
{
    RUN(rfc8439_2_3_2_block);
    RUN(rfc8439_a_1_zero_block);
    RUN(rfc8439_2_4_2_encryption);
    RUN(fke_replaces_key_with_its_stream);
    RUN(fke_long_request_rekeys_per_step);
    return unit_done();
}
