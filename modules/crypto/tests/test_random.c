/*
 * libsodium's randombytes wired to the core's anx_random (crypto_random.c)
 * on the unit platform, whose CPU random instruction the test switches on:
 * without a hardware source every path that would make a key halts the
 * image (never a zero key); with one, keys differ, randombytes_uniform
 * stays in range and hits every value, and crypto_pwhash_str salts differ.
 * In order: the generator is one state for the program, as in an image.
 */
#include <stdint.h>
#define UNIT_FILE "crypto_random"
#include "unit.h"
#include "crypto.h"
#include <anx/module.h>
#include <anx/random.h>

extern int unit_random_hw;

/* core/module.c, linked with the core, lists the image's modules */
static const struct anx_module_ops no_ops = {0};
const struct anx_module anx_module_table[] = {{ .name = "crypto", .summary = "crypto", .ops = &no_ops }};
const size_t anx_module_count = 1;

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

TEST(no_source_halts_instead_of_zero_keys)
{
    uint8_t buf[32], pk[32], sk[64];
    CHECK(!anx_random_ready());
    unit_console_clear();
    CHECK(EXPECT_PANIC(randombytes_buf(buf, sizeof buf)));
    CHECK(strstr(unit_panic_msg, "randombytes_buf without a random source") != NULL);
    CHECK(strstr(unit_console, "no random bytes for libsodium") != NULL);
    CHECK(strstr(unit_console, "anx_random_ready()") != NULL);
    /* the callers that draw: a key pair, a password hash's salt, a number */
    CHECK(EXPECT_PANIC(crypto_sign_ed25519_keypair(pk, sk)));
    char str[crypto_pwhash_argon2id_STRBYTES];
    int rc = 0;
    CHECK(EXPECT_PANIC(rc = crypto_pwhash_argon2id_str(str, "pw", 2, 1, 8192)));
    (void)rc;
    CHECK(EXPECT_PANIC(randombytes_uniform(10)));
    /* nothing drawn, nothing to refuse */
    CHECK(!EXPECT_PANIC(randombytes_buf(buf, 0)));
}

TEST(with_a_source_keys_differ)
{
    /* the CPU instruction appears: the next request reseeds from it */
    unit_random_hw = 1;
    uint8_t pk1[32], sk1[64], pk2[32], sk2[64], pk[32];
    crypto_sign_ed25519_keypair(pk1, sk1);
    CHECK(anx_random_ready());
    crypto_sign_ed25519_keypair(pk2, sk2);
    CHECK(memcmp(pk1, pk2, 32) != 0);
    CHECK(!all_zero(sk1, 32) && !all_zero(sk2, 32));
    crypto_sign_ed25519_sk_to_pk(pk, sk1);
    CHECK(memcmp(pk, pk1, 32) == 0);
    uint8_t a[64], b[64];
    randombytes_buf(a, sizeof a);
    randombytes_buf(b, sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_STR(randombytes_implementation_name(), "anx_random");
}

TEST(uniform_in_range_and_complete)
{
    int seen[10] = {0};
    for (int i = 0; i < 2000; i++) {
        uint32_t v = randombytes_uniform(10);
        CHECK(v < 10);
        if (v < 10)
            seen[v]++;
    }
    for (int i = 0; i < 10; i++)
        CHECK(seen[i] > 100);
    CHECK_EQ(randombytes_uniform(1), 0);
    CHECK_EQ(randombytes_uniform(0), 0);
    /* 2^31 + 1: most of the 32-bit range is rejected half the time */
    for (int i = 0; i < 100; i++)
        CHECK(randombytes_uniform(0x80000001u) <= 0x80000000u);
}

TEST(password_hash_salts_differ)
{
    char s1[crypto_pwhash_argon2id_STRBYTES], s2[crypto_pwhash_argon2id_STRBYTES];
    CHECK_EQ(crypto_pwhash_argon2id_str(s1, "hunter2", 7, 1, 8192), 0);
    CHECK_EQ(crypto_pwhash_argon2id_str(s2, "hunter2", 7, 1, 8192), 0);
    CHECK(strncmp(s1, "$argon2id$v=19$m=8,t=1,p=1$", 27) == 0);
    CHECK(host_strcmp(s1, s2) != 0);
    CHECK_EQ(crypto_pwhash_str_verify(s1, "hunter2", 7), 0);
    CHECK_EQ(crypto_pwhash_str_verify(s2, "hunter2", 7), 0);
    CHECK_EQ(crypto_pwhash_str_verify(s1, "hunter3", 7), -1);
}

int main(void)
{
    unit_heap_init(1u << 20);
    RUN(no_source_halts_instead_of_zero_keys);
    RUN(with_a_source_keys_differ);
    RUN(uniform_in_range_and_complete);
    RUN(password_hash_salts_differ);
    return unit_done();
}
