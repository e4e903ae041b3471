/*
 * ChaCha20, written from RFC 8439 (§2.1 the quarter round, §2.3 the block
 * function, §2.4 encryption); tests/unit/test_chacha20.c checks it against
 * the RFC's test vectors. Portable C: the state is sixteen little-endian
 * 32-bit words, so it gives the same bytes on every architecture.
 */
#include <anx/chacha20.h>
#include <anx/lib.h>

static uint32_t rotl(uint32_t v, int n)
{
    return v << n | v >> (32 - n);
}

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* §2.1 */
#define QUARTER(a, b, c, d) do {                    \
    a += b; d ^= a; d = rotl(d, 16);                \
    c += d; b ^= c; b = rotl(b, 12);                \
    a += b; d ^= a; d = rotl(d, 8);                 \
    c += d; b ^= c; b = rotl(b, 7);                 \
} while (0)

/* §2.3: the constants "expand 32-byte k", the key, the counter and the
 * nonce; 20 rounds (10 column + diagonal pairs); the input added back. */
void anx_chacha20_block(const uint8_t key[ANX_CHACHA20_KEY_SIZE], uint32_t counter,
                        const uint8_t nonce[ANX_CHACHA20_NONCE_SIZE],
                        uint8_t out[ANX_CHACHA20_BLOCK_SIZE])
{
    uint32_t in[16], x[16];
    in[0] = 0x61707865;
    in[1] = 0x3320646e;
    in[2] = 0x79622d32;
    in[3] = 0x6b206574;
    for (int i = 0; i < 8; i++)
        in[4 + i] = load32(key + 4 * i);
    in[12] = counter;
    for (int i = 0; i < 3; i++)
        in[13 + i] = load32(nonce + 4 * i);
    memcpy(x, in, sizeof x);
    for (int i = 0; i < 10; i++) {
        QUARTER(x[0], x[4], x[8], x[12]);
        QUARTER(x[1], x[5], x[9], x[13]);
        QUARTER(x[2], x[6], x[10], x[14]);
        QUARTER(x[3], x[7], x[11], x[15]);
        QUARTER(x[0], x[5], x[10], x[15]);
        QUARTER(x[1], x[6], x[11], x[12]);
        QUARTER(x[2], x[7], x[8], x[13]);
        QUARTER(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
    anx_chacha20_wipe(x, sizeof x);
    anx_chacha20_wipe(in, sizeof in);
}

/* §2.4: block after block from `counter`, the last one partly used. */
void anx_chacha20_xor(const uint8_t key[ANX_CHACHA20_KEY_SIZE], uint32_t counter,
                      const uint8_t nonce[ANX_CHACHA20_NONCE_SIZE], const void *in, void *out,
                      size_t len)
{
    const uint8_t *src = in;
    uint8_t *dst = out, block[ANX_CHACHA20_BLOCK_SIZE];
    while (len) {
        anx_chacha20_block(key, counter++, nonce, block);
        size_t n = len < sizeof block ? len : sizeof block;
        for (size_t i = 0; i < n; i++)
            dst[i] = src ? src[i] ^ block[i] : block[i];
        dst += n;
        if (src)
            src += n;
        len -= n;
    }
    anx_chacha20_wipe(block, sizeof block);
}

/* Bernstein's construction, one step: block 0's first half is the next
 * key; the rest of block 0 and the blocks after it are the output. */
static void fke_step(uint8_t key[ANX_CHACHA20_KEY_SIZE], uint8_t *dst, size_t len)
{
    static const uint8_t zero_nonce[ANX_CHACHA20_NONCE_SIZE];
    uint8_t block[ANX_CHACHA20_BLOCK_SIZE];
    anx_chacha20_block(key, 0, zero_nonce, block);
    size_t first = ANX_MIN(len, sizeof block - ANX_CHACHA20_KEY_SIZE);
    memcpy(dst, block + ANX_CHACHA20_KEY_SIZE, first);
    if (len > first)
        anx_chacha20_xor(key, 1, zero_nonce, NULL, dst + first, len - first);
    memcpy(key, block, ANX_CHACHA20_KEY_SIZE);
    anx_chacha20_wipe(block, sizeof block);
}

/* A long request is served in steps of ANX_CHACHA20_FKE_STEP bytes, each
 * under a fresh key, so no key's stream is used for long and the 32-bit
 * block counter never wraps. len 0 still replaces the key. */
void anx_chacha20_fke(uint8_t key[ANX_CHACHA20_KEY_SIZE], void *out, size_t len)
{
    uint8_t *dst = out;
    do {
        size_t n = ANX_MIN(len, ANX_CHACHA20_FKE_STEP);
        fke_step(key, dst, n);
        dst += n;
        len -= n;
    } while (len);
}

void anx_chacha20_wipe(void *p, size_t n)
{
    memset(p, 0, n);
    /* The empty asm "reads" p's memory: the stores above cannot be elided. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
