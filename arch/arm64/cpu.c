/* CPU features modules may ask for (plat_cpu_has); the random-number
 * instruction (plat_random_hw). */
#include <anx/platform.h>

/* Advanced SIMD (NEON) is part of every ARMv8-A CPU that runs Linux-style
 * software, and entry.S enables it (CPACR_EL1.FPEN) before any C runs. */
bool plat_cpu_has(const char *feature)
{
    const char *want = "neon";
    while (*feature && *feature == *want)
        feature++, want++;
    return *feature == *want;
}

/* ---- random numbers (plat_random_hw) ------------------------------------
 * FEAT_RNG (Armv8.5) adds RNDR, a system register that reads as 64 random
 * bits from a generator the hardware reseeds. ID_AA64ISAR0_EL1.RNDR (bits
 * 63:60) is 1 when it is there. A read that the hardware cannot serve
 * returns 0 with NZCV = 0b0100 (Z set), so "ne" means success. The Arm ARM
 * gives no retry count; 10, as Intel's for RDRAND, rides out a transient
 * shortage without hanging on a broken source. The register is named by
 * its encoding (s3_3_c2_c4_0) so assemblers without FEAT_RNG accept it. */
#define RNDR_TRIES 10

static int rndr_state = -1;             /* -1 unknown, 0 absent, 1 present */

static bool has_rndr(void)
{
    if (rndr_state < 0) {
        uint64_t isar0;
        __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
        rndr_state = (isar0 >> 60 & 0xf) >= 1;
    }
    return rndr_state;
}

bool plat_random_hw(uint64_t *out)
{
    if (!has_rndr())
        return false;
    for (int i = 0; i < RNDR_TRIES; i++) {
        uint64_t v, ok;
        __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne" : "=r"(v), "=r"(ok) : : "cc");
        if (ok) {
            *out = v;
            return true;
        }
    }
    return false;
}

const char *plat_random_hw_name(void)
{
    return has_rndr() ? "rndr" : NULL;
}
