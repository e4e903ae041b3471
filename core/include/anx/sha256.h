/* SHA-256 (FIPS 180-4), core/lib/sha256.c. */
#ifndef ANX_SHA256_H
#define ANX_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ANX_SHA256_SIZE 32

struct anx_sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    uint8_t buf[64];
    size_t fill;
};

void anx_sha256_init(struct anx_sha256 *s);
void anx_sha256_update(struct anx_sha256 *s, const void *data, size_t n);
void anx_sha256_final(struct anx_sha256 *s, uint8_t out[ANX_SHA256_SIZE]);
void anx_sha256(const void *data, size_t n, uint8_t out[ANX_SHA256_SIZE]);
/* Lower-case hex, out must hold 65 bytes. */
void anx_sha256_hex(const uint8_t digest[ANX_SHA256_SIZE], char out[65]);
/* HMAC-SHA256 (RFC 2104) of msg under key (any length; core/lib/hmac_sha256.c). */
void anx_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t len, uint8_t out[ANX_SHA256_SIZE]);

#endif
