/* core/lib/hmac_sha256.c against the RFC 4231 test vectors (all but test
 * case 5, which checks a truncated output). */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "hmac_sha256"
#include "unit.h"
#include <anx/sha256.h>

static void hmac_hex(const void *key, size_t klen, const void *msg, size_t n, char out[65])
{
    uint8_t d[32];
    anx_hmac_sha256(key, klen, msg, n, d);
    anx_sha256_hex(d, out);
}

TEST(rfc4231_vectors)
{
    uint8_t key[131], data[50];
    char h[65];
    memset(key, 0x0b, 20);
    hmac_hex(key, 20, "Hi There", 8, h);
    CHECK_STR(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, h);
    CHECK_STR(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    hmac_hex(key, 20, data, 50, h);
    CHECK_STR(h, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    for (int i = 0; i < 25; i++)
        key[i] = (uint8_t)(i + 1);
    memset(data, 0xcd, 50);
    hmac_hex(key, 25, data, 50, h);
    CHECK_STR(h, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    /* keys longer than a block are hashed first */
    memset(key, 0xaa, 131);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    hmac_hex(key, 131, m6, strlen(m6), h);
    CHECK_STR(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *m7 = "This is a test using a larger than block-size key and a larger than block-size data. "
                     "The key needs to be hashed before being used by the HMAC algorithm.";
    hmac_hex(key, 131, m7, strlen(m7), h);
    CHECK_STR(h, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(key_of_exactly_one_block_and_empty)
{
    /* 64 bytes is used as it is, 65 is hashed: both against Python's hmac */
    uint8_t key[65];
    char h[65];
    memset(key, 0x61, sizeof key);
    hmac_hex(key, 64, "x", 1, h);
    CHECK_STR(h, "b65ca3a3235f948bc0e6bd747532c54a983b54ddad1a4d1bd8b958e065b1cab4");
    hmac_hex(key, 65, "x", 1, h);
    CHECK_STR(h, "5c8ad20f6d25c86ccfc9774f1c0ca49d3675f3a112d9905cce286e2636681b75");
    hmac_hex("", 0, "", 0, h);
    CHECK_STR(h, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

int main(void)
{
    RUN(rfc4231_vectors);
    RUN(key_of_exactly_one_block_and_empty);
    return unit_done();
}
