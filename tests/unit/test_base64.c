/* core/lib/base64.c: the RFC 4648 section 10 vectors both ways, the URL
 * alphabet, what strict decoding refuses (a second spelling, impossible
 * lengths) and what loose decoding accepts (padding, line breaks). */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "base64"
#include "unit.h"
#include <anx/base64.h>

static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

TEST(rfc4648_vectors)
{
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char enc[16] = {0};
        uint8_t dec[16];
        size_t n = strlen(plain[i]);
        anx_base64_encode((const uint8_t *)plain[i], n, enc, 0);
        CHECK_EQ(anx_base64_len(n), strlen(enc));
        /* unpadded: the padded vector without its '=' */
        CHECK_EQ(strncmp(enc, padded[i], strlen(enc)), 0);
        CHECK_EQ(anx_base64_decode(enc, strlen(enc), dec, sizeof dec, 0), (long)n);
        CHECK_EQ(memcmp(dec, plain[i], n), 0);
        CHECK_EQ(anx_base64_decode(padded[i], strlen(padded[i]), dec, sizeof dec, ANX_BASE64_LOOSE), (long)n);
        CHECK_EQ(memcmp(dec, plain[i], n), 0);
    }
}

TEST(url_alphabet)
{
    const uint8_t b[] = {0xfb, 0xff, 0xbf};
    char enc[5] = {0};
    uint8_t dec[3];
    anx_base64_encode(b, 3, enc, ANX_BASE64_URL);
    CHECK_STR(enc, "-_-_");
    anx_base64_encode(b, 3, enc, 0);
    CHECK_STR(enc, "+/+/");
    CHECK_EQ(anx_base64_decode("-_-_", 4, dec, 3, ANX_BASE64_URL), 3);
    CHECK_EQ(memcmp(dec, b, 3), 0);
    CHECK_EQ(anx_base64_decode("+/+/", 4, dec, 3, ANX_BASE64_URL), -1);
    CHECK_EQ(anx_base64_decode("-_-_", 4, dec, 3, 0), -1);
    CHECK_EQ(anx_base64_value('_', ANX_BASE64_URL), 63);
    CHECK_EQ(anx_base64_value('/', 0), 63);
    CHECK_EQ(anx_base64_value('=', 0), -1);
}

TEST(strict_refuses)
{
    uint8_t dec[8];
    CHECK_EQ(anx_base64_decode("Zh", 2, dec, sizeof dec, 0), -1);      /* "Zg" with a stray bit */
    CHECK_EQ(anx_base64_decode("Zg", 2, dec, sizeof dec, 0), 1);
    CHECK_EQ(anx_base64_decode("Zm9vY", 5, dec, sizeof dec, 0), -1);   /* no encoding is 5 characters */
    CHECK_EQ(anx_base64_decode("Zg==", 4, dec, sizeof dec, 0), -1);    /* padding only when loose */
    CHECK_EQ(anx_base64_decode("Zm 9v", 5, dec, sizeof dec, 0), -1);   /* spaces too */
    CHECK_EQ(anx_base64_decode("Zm9vYmFy", 8, dec, 5, 0), -1);         /* more than cap bytes */
}

TEST(loose_accepts_and_refuses)
{
    uint8_t dec[8];
    CHECK_EQ(anx_base64_decode("Zm9v\nYmE=\r\n", 11, dec, sizeof dec, ANX_BASE64_LOOSE), 5);
    CHECK_EQ(memcmp(dec, "fooba", 5), 0);
    CHECK_EQ(anx_base64_decode("Zg=a", 4, dec, sizeof dec, ANX_BASE64_LOOSE), -1);  /* data after padding */
    CHECK_EQ(anx_base64_decode("Zg===", 5, dec, sizeof dec, ANX_BASE64_LOOSE), -1); /* three padding characters */
    CHECK_EQ(anx_base64_decode("Z!==", 4, dec, sizeof dec, ANX_BASE64_LOOSE), -1);
}

int main(void)
{
    RUN(rfc4648_vectors);
    RUN(url_alphabet);
    RUN(strict_refuses);
    RUN(loose_accepts_and_refuses);
    return unit_done();
}
