/* CPUID feature detection, once at boot. */
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
