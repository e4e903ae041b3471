/* HMAC-SHA256 (RFC 2104, FIPS 198-1) of <anx/sha256.h>, on the core's
 * SHA-256: capability tokens chain their tags with it (modules/apikey). */
#include <anx/lib.h>
#include <anx/sha256.h>

/* Zero a buffer the compiler may not skip: it held key material. */
static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

void anx_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t len, uint8_t out[ANX_SHA256_SIZE])
{
    uint8_t k[64] = {0}, pad[64], inner[ANX_SHA256_SIZE];
    struct anx_sha256 s;
    if (key_len > sizeof k)                  /* a long key is hashed first */
        anx_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x36;
    anx_sha256_init(&s);
    anx_sha256_update(&s, pad, sizeof pad);
    anx_sha256_update(&s, msg, len);
    anx_sha256_final(&s, inner);
    for (size_t i = 0; i < sizeof pad; i++)
        pad[i] = k[i] ^ 0x5c;
    anx_sha256_init(&s);
    anx_sha256_update(&s, pad, sizeof pad);
    anx_sha256_update(&s, inner, sizeof inner);
    anx_sha256_final(&s, out);
    wipe(k, sizeof k);
    wipe(pad, sizeof pad);
    wipe(inner, sizeof inner);
    wipe(&s, sizeof s);
}
