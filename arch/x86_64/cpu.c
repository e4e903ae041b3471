/* CPUID feature detection, once at boot. */
#include <anx/platform.h>
#include "x86.h"

struct x86_cpu x86_cpu;

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
    }
    if (x86_cpu.max_leaf >= 7) {
        cpuid(7, 0, r);
        x86_cpu.avx2 = r[1] >> 5 & 1;
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
