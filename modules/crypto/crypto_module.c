/*
 * crypto in an image: libsodium's code is upstream's (module.yaml
 * third_party:); this module gives it its place in the module table and
 * checks at init that every primitive gives its known answer
 * (crypto_selftest.c), so a broken build fails the module, not a key.
 */
#define LOG_TAG "crypto"
#include "crypto.h"
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/time.h>
#include <string.h>

static int crypto_init(void)
{
    if (strcmp(sodium_version_string(), SODIUM_VERSION_STRING) != 0) {
        log_error("library version %s differs from its header's %s", sodium_version_string(), SODIUM_VERSION_STRING);
        return ANX_EBROKEN;
    }
    uint64_t t0 = anx_time_ns();
    const char *bad = crypto_self_test();
    if (bad) {
        log_error("libsodium %s self-test failed: %s gave a wrong answer", SODIUM_VERSION_STRING, bad);
        return ANX_EBROKEN;
    }
    log_info("libsodium %s self-test ok (x25519 ed25519 chacha20 poly1305 sha256 sha512 argon2id) in %llu ms",
             SODIUM_VERSION_STRING, (unsigned long long)((anx_time_ns() - t0) / 1000000));
    return 0;
}

ANX_MODULE(crypto, .init = crypto_init);
