/*
 * First C code, called from entry.S with the MMU and caches off (so it is
 * compiled like everything else with -mstrict-align, and reads the device
 * tree byte by byte): check the device tree QEMU passed in x0, take the
 * RAM ranges from its memory nodes, build the page tables and turn the
 * MMU on. The board code (plat_early_init) reads the rest of the tree.
 */
#include <anx/platform.h>
#include "arm64.h"
#include "fdt.h"

#ifndef CONFIG_MEMORY
#define CONFIG_MEMORY (64ull << 20)
#endif
#define VIRT_RAM_BASE 0x40000000ull
#define DTB_MAX_SIZE (2u << 20)

static struct fdt boot_fdt;
static bool boot_fdt_ok;
static struct arm64_ram ram[8];
static size_t nram;

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void *try_fdt(void *p)
{
    if (!p || ((uintptr_t)p & 7))
        return 0;
    if (fdt_init(&boot_fdt, p, DTB_MAX_SIZE) != 0)
        return 0;
    return p;
}

void *arm64_boot(void *dtb)
{
    /* x0 from QEMU's Linux boot protocol; an ELF boot leaves the tree at
     * the start of RAM instead */
    if (!try_fdt(dtb))
        dtb = try_fdt((void *)(uintptr_t)VIRT_RAM_BASE);
    boot_fdt_ok = dtb != 0;
    if (boot_fdt_ok) {
        const struct fdt *f = &boot_fdt;
        int depth = 0, root = fdt_next_node(f, -1, &depth);
        /* one linear pass over the root's children (MMU still off) */
        for (int n = fdt_next_node(f, root, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
            const char *dt = depth == 1 ? fdt_getprop_str(f, n, "device_type") : 0;
            if (!dt || !streq(dt, "memory"))
                continue;
            uint64_t a, s;
            for (int k = 0; nram < 8 && fdt_reg_in(f, n, root, k, &a, &s) == 0; k++)
                if (s && a + s > a) {
                    ram[nram].base = a;
                    ram[nram].size = s;
                    nram++;
                }
        }
    }
    if (nram == 0) {           /* no usable tree: assume virt's layout */
        ram[0].base = VIRT_RAM_BASE;
        ram[0].size = CONFIG_MEMORY;
        nram = 1;
    }
    arm64_mmu_init(ram, nram);
    return dtb;
}

const struct fdt *arm64_fdt(void)
{
    return boot_fdt_ok ? &boot_fdt : 0;
}

size_t arm64_ram_regions(struct arm64_ram *out, size_t max)
{
    size_t i = 0;
    for (; i < nram && i < max; i++)
        out[i] = ram[i];
    return i;
}
