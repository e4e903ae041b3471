/*
 * libsodium's randombytes_* and sodium_misuse for the image, in place of
 * its randombytes.c (which would pick /dev/urandom or getrandom) and
 * sodium/core.c (sodium_init, which is not compiled: crypto.h says why).
 */
#define LOG_TAG "crypto"
#include <anx/log.h>
#include <anx/panic.h>
#include <anx/random.h>
#include <sodium/core.h>
#include <sodium/randombytes.h>
#include <stdint.h>

/*
 * libsodium's randombytes_buf returns nothing: its callers (keypair and
 * keygen functions, crypto_pwhash_str's salt) cannot be told that no
 * random bytes came, and would go on with the zeroed buffer anx_random
 * leaves - a key everyone can compute, handed out silently. Halting is the
 * only answer that cannot leak; callers that want to refuse cleanly check
 * anx_random_ready() before calling (crypto.h).
 */
void randombytes_buf(void *const buf, const size_t size)
{
    if (size == 0)
        return;
    int rc = anx_random(buf, size);
    if (rc < 0) {
        log_error("no random bytes for libsodium (%d): no hardware random source seeded anx_random; "
                  "callers must check anx_random_ready() first",
                  rc);
        anx_panic("crypto: randombytes_buf without a random source (a key would have been all zeros)");
    }
}

uint32_t randombytes_random(void)
{
    uint32_t v;
    randombytes_buf(&v, sizeof v);
    return v;
}

/* A uniform value below upper_bound: draws again while the value falls in
 * the last, incomplete multiple of upper_bound below 2^32 (libsodium's
 * method, so there is no modulo bias). 0 for an upper bound below 2. */
uint32_t randombytes_uniform(const uint32_t upper_bound)
{
    if (upper_bound < 2)
        return 0;
    uint32_t min = (1U + ~upper_bound) % upper_bound; /* 2^32 mod upper_bound */
    uint32_t r;
    do
        r = randombytes_random();
    while (r < min);
    return r % upper_bound;
}

/* The core's generator reseeds itself (core/random.c): nothing to stir. */
void randombytes_stir(void)
{
}

int randombytes_close(void)
{
    return 0;
}

const char *randombytes_implementation_name(void)
{
    return "anx_random";
}

/* libsodium calls this on an argument no correct program passes (a length
 * beyond a primitive's maximum, a bad algorithm number); upstream's aborts. */
void sodium_misuse(void)
{
    anx_panic("crypto: libsodium misuse (an argument out of the primitive's range)");
}
