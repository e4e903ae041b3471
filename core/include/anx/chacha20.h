/*
 * ChaCha20 (RFC 8439 §2.3-2.4), core/lib/chacha20.c: the stream cipher the
 * random-number generator (core/random.c) runs in fast-key-erasure form.
 * A 256-bit key, a 96-bit nonce and a 32-bit block counter select one
 * 64-byte block of keystream:
 *
 *     uint8_t block[64];
 *     anx_chacha20_block(key, 1, nonce, block);        // RFC 8439 §2.3
 *     anx_chacha20_xor(key, 1, nonce, msg, ct, len);    // §2.4: encrypt
 *
 * This is the bare cipher, with no authentication: code that protects
 * data on a wire wants an AEAD from a kept crypto library, not this.
 */
#ifndef ANX_CHACHA20_H
#define ANX_CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define ANX_CHACHA20_KEY_SIZE 32
#define ANX_CHACHA20_NONCE_SIZE 12
#define ANX_CHACHA20_BLOCK_SIZE 64

/* One block of keystream: the block function of RFC 8439 §2.3. */
void anx_chacha20_block(const uint8_t key[ANX_CHACHA20_KEY_SIZE], uint32_t counter,
                        const uint8_t nonce[ANX_CHACHA20_NONCE_SIZE],
                        uint8_t out[ANX_CHACHA20_BLOCK_SIZE]);

/* out = in XOR the keystream starting at block `counter` (§2.4); in and
 * out may be the same buffer. in == NULL writes the keystream itself.
 * len must stay within the 2^32 blocks a counter reaches from `counter`. */
void anx_chacha20_xor(const uint8_t key[ANX_CHACHA20_KEY_SIZE], uint32_t counter,
                      const uint8_t nonce[ANX_CHACHA20_NONCE_SIZE], const void *in, void *out,
                      size_t len);

/* Fast-key-erasure output (Bernstein, "Fast-key-erasure random-number
 * generators", 2017): the keystream of `key` under the zero nonce gives 32
 * bytes that replace `key`, then `len` bytes of output (in steps of
 * ANX_CHACHA20_FKE_STEP bytes, each under a fresh key). The old key is
 * gone when this returns, so whoever reads memory later cannot recompute
 * this output. */
#define ANX_CHACHA20_FKE_STEP (64u * 1024)
void anx_chacha20_fke(uint8_t key[ANX_CHACHA20_KEY_SIZE], void *out, size_t len);

/* Zero n bytes in a way the compiler may not drop because the buffer is
 * dead afterwards (keys, seeds, buffers of key material). */
void anx_chacha20_wipe(void *p, size_t n);

#endif
