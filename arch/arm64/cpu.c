/* CPU features modules may ask for (plat_cpu_has). */
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
