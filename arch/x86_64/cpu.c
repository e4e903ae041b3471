/* CPUID feature detection, once at boot; the random-number instructions. */
#include <anx/platform.h>
#include "x86.h"

struct x86_cpu x86_cpu;
static bool has_rdrand, has_rdseed;

void x86_cpu_detect(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    x86_cpu.max_leaf = r[0];
    cpuid(0x80000000, 0, r);
    x86_cpu.max_ext_leaf = r[0];
    if (x86_cpu.max_leaf >= 1) {
        cpuid(1, 0, r);
        x86_cpu.xsave = r[2] >> 26 & 1;
        x86_cpu.avx = r[2] >> 28 & 1;
        x86_cpu.tsc_deadline = r[2] >> 24 & 1;
        x86_cpu.x2apic = r[2] >> 21 & 1;
        x86_cpu.fma = r[2] >> 12 & 1;
        x86_cpu.f16c = r[2] >> 29 & 1;
        has_rdrand = r[2] >> 30 & 1;
    }
    if (x86_cpu.max_leaf >= 7) {
        cpuid(7, 0, r);
        x86_cpu.avx2 = r[1] >> 5 & 1;
        has_rdseed = r[1] >> 18 & 1;
    }
    if (x86_cpu.max_ext_leaf >= 0x80000001) {
        cpuid(0x80000001, 0, r);
        x86_cpu.nx = r[3] >> 20 & 1;
        x86_cpu.pdpe1gb = r[3] >> 26 & 1;
    }
    if (x86_cpu.max_ext_leaf >= 0x80000007) {
        cpuid(0x80000007, 0, r);
        x86_cpu.invariant_tsc = r[3] >> 8 & 1;
    }
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* SIMD features modules may use. AVX and what builds on it count only when
 * entry.S enabled the AVX register state (XSAVE present, XCR0 set). */
bool plat_cpu_has(const char *feature)
{
    bool avx_state = x86_cpu.xsave && x86_cpu.avx;
    if (streq(feature, "sse2"))
        return true;                    /* the x86_64 baseline */
    if (streq(feature, "avx"))
        return avx_state;
    if (streq(feature, "avx2"))
        return avx_state && x86_cpu.avx2;
    if (streq(feature, "fma"))
        return avx_state && x86_cpu.fma;
    if (streq(feature, "f16c"))
        return avx_state && x86_cpu.f16c;
    return false;
}

/* ---- random numbers (plat_random_hw) ------------------------------------
 * Intel's "Digital Random Number Generator Software Implementation Guide"
 * (§5.2.1): a failure (CF = 0) means the hardware is refilling, not broken.
 * RDRAND, a generator the entropy source reseeds, is retried 10 times: ten
 * failures in a row mean the hardware is at fault. RDSEED hands out the
 * entropy source's conditioned bits directly and runs dry under load, so
 * it is retried longer, with PAUSE between tries; when it stays dry RDRAND
 * takes over. All-ones is refused as a failure: some AMD CPUs returned
 * that after a resume with CF = 1 (Linux checks for it too). */
#define RDRAND_TRIES 10
#define RDSEED_TRIES 100

static bool rdseed64(uint64_t *out)
{
    for (int i = 0; i < RDSEED_TRIES; i++) {
        uint64_t v;
        uint8_t ok;
        __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        if (ok && v != ~0ull) {
            *out = v;
            return true;
        }
        __asm__ volatile("pause");
    }
    return false;
}

static bool rdrand64(uint64_t *out)
{
    for (int i = 0; i < RDRAND_TRIES; i++) {
        uint64_t v;
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
        if (ok && v != ~0ull) {
            *out = v;
            return true;
        }
    }
    return false;
}

bool plat_random_hw(uint64_t *out)
{
    if (has_rdseed && rdseed64(out))
        return true;
    return has_rdrand && rdrand64(out);
}

const char *plat_random_hw_name(void)
{
    return has_rdseed ? "rdseed" : has_rdrand ? "rdrand" : NULL;
}
