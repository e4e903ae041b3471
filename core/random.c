/*
 * The image's random-number generator (<anx/random.h>).
 *
 * Output comes from ChaCha20 in fast-key-erasure form (core/lib/chacha20.c,
 * anx_chacha20_fke): every request first replaces the 32-byte key with the
 * start of its own keystream, so the state in memory never allows
 * recomputing output already handed out.
 *
 * The key is derived with SHA-256 from the old key and fresh input at each
 * reseed: 64 bytes of the CPU's instruction (plat_random_hw), the bytes
 * drivers contributed since the last reseed (anx_random_add, e.g. a
 * virtio-rng device) and the timing jitter of a short loop. Only the first
 * two count towards "seeded": jitter under an emulator or on a quiet board
 * may be far less random than it looks, so it is mixed in but never
 * trusted. Until hardware bytes arrived, anx_random() refuses (keys made
 * then could be guessed), after one more reseed that asks every source,
 * while anx_random_u32() serves what there is.
 *
 * Reseeding happens at the first request after RESEED_INTERVAL_NS, and at
 * the first request after a driver contributed. A reseed cannot repair the
 * past (fast key erasure protects that) but heals the future: should the
 * state ever leak, output is predictable only until the next reseed.
 * Linux's generator reseeds once a minute for the same reason; a minute
 * bounds that window while costing a few hundred instructions per minute.
 *
 * Threads only: none of this may run in an interrupt handler (threads are
 * cooperative, so no lock is needed between them).
 */
#define LOG_TAG "random"
#include <anx/chacha20.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/platform.h>
#include <anx/random.h>
#include <anx/sha256.h>
#include <anx/time.h>

#define RESEED_INTERVAL_NS (60ull * ANX_NS_PER_S)
/* Hardware bytes needed before anx_random() makes keys: 256 bits, the
 * strength of the ChaCha20 key they seed. */
#define SEED_BYTES 32
/* Words read from the CPU's instruction at each reseed (512 bits: twice
 * what is needed, so a partly failing source still seeds fully). */
#define HW_WORDS 8
/* Timing samples of the jitter loop at each reseed. */
#define JITTER_SAMPLES 64

static uint8_t key[ANX_CHACHA20_KEY_SIZE];
static bool keyed;                      /* the key was derived at least once */
static size_t hw_credit;                /* hardware bytes mixed in, capped */
static uint64_t last_reseed_ns;
static struct anx_sha256 pool;          /* anx_random_add's bytes since the last reseed */
static size_t pool_bytes;
static struct anx_random_source *sources;

/* The cycle counter's differences around a little work: cache and TLB
 * misses, interrupts, the host scheduler under an emulator. */
static void mix_jitter(struct anx_sha256 *h)
{
    uint8_t work[64] = {0};
    uint64_t prev = plat_cycles();
    for (int i = 0; i < JITTER_SAMPLES; i++) {
        struct anx_sha256 w;
        anx_sha256_init(&w);
        anx_sha256_update(&w, work, sizeof work);
        anx_sha256_final(&w, work);
        uint64_t now = plat_cycles();
        uint64_t delta = now - prev;
        prev = now;
        anx_sha256_update(h, &delta, sizeof delta);
    }
    anx_chacha20_wipe(work, sizeof work);
}

/* Up to HW_WORDS words of the CPU's instruction; returns the bytes mixed. */
static size_t mix_cpu(struct anx_sha256 *h)
{
    size_t bytes = 0;
    for (int i = 0; i < HW_WORDS; i++) {
        uint64_t v;
        if (!plat_random_hw(&v))
            break;
        anx_sha256_update(h, &v, sizeof v);
        bytes += sizeof v;
        anx_chacha20_wipe(&v, sizeof v);
    }
    return bytes;
}

static void credit(size_t bytes)
{
    hw_credit = ANX_MIN(hw_credit + bytes, (size_t)SEED_BYTES);
}

/* key = SHA-256(label, old key, CPU bytes, drivers' bytes, jitter, time).
 * The sources are asked first: what they hand over now (anx_random_add)
 * joins this reseed. */
static void reseed(void)
{
    for (struct anx_random_source *s = sources; s; s = s->next)
        s->reseed(s);

    struct anx_sha256 h;
    uint8_t digest[ANX_SHA256_SIZE];
    anx_sha256_init(&h);
    anx_sha256_update(&h, "anunix random reseed", 20);
    anx_sha256_update(&h, key, sizeof key);
    credit(mix_cpu(&h));
    if (pool_bytes) {
        anx_sha256_final(&pool, digest);
        anx_sha256_update(&h, digest, sizeof digest);
        pool_bytes = 0;
    }
    mix_jitter(&h);
    uint64_t t[2] = {plat_time_ns(), anx_time_unix_ns()};
    anx_sha256_update(&h, t, sizeof t);
    anx_sha256_final(&h, key);
    anx_chacha20_wipe(&h, sizeof h);
    anx_chacha20_wipe(digest, sizeof digest);
    anx_sha256_init(&pool);
    keyed = true;
    last_reseed_ns = plat_time_ns();
}

static void draw(void *buf, size_t len)
{
    if (!keyed || pool_bytes || plat_time_ns() - last_reseed_ns >= RESEED_INTERVAL_NS)
        reseed();
    anx_chacha20_fke(key, buf, len);
}

bool anx_random_ready(void)
{
    return hw_credit >= SEED_BYTES;
}

int anx_random(void *buf, size_t len)
{
    if (!anx_random_ready())
        reseed();                       /* a source may have bytes by now */
    if (!anx_random_ready()) {
        memset(buf, 0, len);
        return ANX_ENOTSUP;
    }
    draw(buf, len);
    return 0;
}

uint32_t anx_random_u32(void)
{
    uint32_t v;
    draw(&v, sizeof v);
    return v;
}

void anx_random_add(const void *data, size_t len, const char *source)
{
    if (!len)
        return;
    bool was_ready = anx_random_ready();
    if (!pool_bytes)
        anx_sha256_init(&pool);
    anx_sha256_update(&pool, data, len);
    pool_bytes += len;
    credit(len);
    if (!was_ready && anx_random_ready())
        log_info("seeded from %s, jitter", source ? source : "a driver");
    else
        log_debug("%zu bytes from %s", len, source ? source : "a driver");
}

void anx_random_source_register(struct anx_random_source *src)
{
    src->next = sources;
    sources = src;
    src->reseed(src);                   /* its first bytes join the next reseed */
}
