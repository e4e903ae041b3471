/* core/lib/sha256.c against the FIPS 180-4 / NIST example vectors. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "sha256"
#include "unit.h"
#include <anx/sha256.h>

static void hex(const void *data, size_t n, char out[65])
{
    uint8_t d[32];
    anx_sha256(data, n, d);
    anx_sha256_hex(d, out);
}

TEST(nist_vectors)
{
    char h[65];
    hex("", 0, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex("abc", 3, h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex(m448, strlen(m448), h);
    CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex(m896, strlen(m896), h);
    CHECK_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(million_a_in_pieces)
{
    struct anx_sha256 s;
    uint8_t d[32];
    char h[65], chunk[997];
    memset(chunk, 'a', sizeof chunk);
    anx_sha256_init(&s);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        anx_sha256_update(&s, chunk, n);
        left -= n;
    }
    anx_sha256_final(&s, d);
    anx_sha256_hex(d, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(split_updates_match_one_shot)
{
    uint8_t data[300], one[32], two[32];
    for (int i = 0; i < 300; i++)
        data[i] = (uint8_t)(i * 7);
    for (size_t n = 0; n <= 300; n += 13)
        for (size_t cut = 0; cut <= n; cut += 17) {
            struct anx_sha256 s;
            anx_sha256(data, n, one);
            anx_sha256_init(&s);
            anx_sha256_update(&s, data, cut);
            anx_sha256_update(&s, data + cut, n - cut);
            anx_sha256_final(&s, two);
            if (memcmp(one, two, 32)) { CHECK(!"split hash differs"); return; }
        }
}

int main(void)
{
    RUN(nist_vectors);
    RUN(million_a_in_pieces);
    RUN(split_updates_match_one_shot);
    return unit_done();
}
