/*
 * Random numbers fit for keys (core/random.c).
 *
 * One generator for the whole image: ChaCha20 in fast-key-erasure form
 * (each request draws a fresh key for the next one, so a later memory
 * disclosure cannot reveal earlier output). It is seeded, and reseeded
 * periodically, from every hardware source the machine has: the CPU's
 * instruction (RDSEED/RDRAND on x86_64, RNDR on arm64 with FEAT_RNG), a
 * virtio-rng device through anx_random_add(), and timer jitter as a last
 * contributor that never counts as enough on its own.
 *
 *     uint8_t key[32];
 *     int rc = anx_random(key, sizeof key);
 *     if (rc < 0) {
 *         log_error("ssh: no hardware random source: %s", anx_strerror(rc));
 *         return rc;    // refuse to make a key from guessable bits
 *     }
 *
 * Users that need numbers without secrecy (lwIP's port numbers and
 * sequence numbers, hash seeds) call anx_random_u32(), which never fails.
 *
 * The generator reseeds at the first request a minute after the last
 * reseed, and at the first request after a driver contributed; each reseed
 * asks the registered sources (anx_random_source_register) for fresh
 * bytes. core/random.c says why. Call these from threads, never from an
 * interrupt handler. The shell's `random [N]` prints N bytes as hex.
 */
#ifndef ANX_RANDOM_H
#define ANX_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf with len bytes fit for keys. ANX_ENOTSUP when no hardware
 * source has contributed (the buffer is zeroed then); 0 otherwise. */
int anx_random(void *buf, size_t len);

/* Whether a hardware source has seeded the generator (anx_random works). */
bool anx_random_ready(void);

/* 32 unpredictable-as-possible bits that never fail: from the generator,
 * seeded from jitter alone when no hardware source exists. Not for keys. */
uint32_t anx_random_u32(void);

/* A driver's contribution (a virtio-rng device's bytes): mixed into the
 * next reseed, which the next request makes; credited as hardware
 * entropy, so anx_random() works once 32 bytes arrived. source names it
 * for the log ("virtio-rng"). */
void anx_random_add(const void *data, size_t len, const char *source);

/* A driver that can hand over bytes whenever asked (virtio-rng). reseed
 * runs at registration and at every reseed of the generator, in a thread;
 * it must not block: it gives what it has with anx_random_add and may
 * start fetching more for the next time. */
struct anx_random_source {
    const char *name;                   /* "virtio-rng" */
    void (*reseed)(struct anx_random_source *src);
    void *priv;                         /* the driver's */
    struct anx_random_source *next;     /* private */
};
void anx_random_source_register(struct anx_random_source *src);

/* Core only: kmain seeds the generator after plat_init and the wall clock
 * and logs which sources it found (core/random_init.c). */
void anx_random_init(void);

#endif
