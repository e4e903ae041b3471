/*
 * First C code, called from entry.S with the MMU and caches off (so it is
 * compiled like everything else with -mstrict-align, and reads the device
 * tree byte by byte): check the device tree QEMU passed in x0, take the
 * RAM ranges from its memory nodes, build the page tables and turn the
 * MMU on. The board code (plat_early_init) reads the rest of the tree.
 */
#include <anx/bootram.h>
#include <anx/platform.h>
#include "arm64.h"
#include "fdt.h"

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

/* ---- the RAM check (entry.S, before any static data is usable) ---- */

/* Polled PL011 output, and a number in decimal. */
static void early_putc(uintptr_t uart, char c)
{
    for (int i = 0; i < 100000 && (mmio_read32(uart + 0x18) & (1u << 5)); i++)
        ;
    mmio_write32(uart, (uint8_t)c);
}

static void early_puts(uintptr_t uart, const char *s)
{
    while (*s)
        early_putc(uart, *s++);
}

static void early_putu(uintptr_t uart, uint64_t v)
{
    char d[24];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 23);
    while (n)
        early_putc(uart, d[--n]);
}

static bool word_in(const char *s, const char *w)
{
    while (s && *s) {
        while (*s == ' ')
            s++;
        const char *t = w;
        while (*t && *s == *t)
            s++, t++;
        if (!*t && (*s == ' ' || !*s))
            return true;
        while (*s && *s != ' ')
            s++;
    }
    return false;
}

/* Power off with status 1: semihosting's exit when the command line allows
 * it (power.c explains), else PSCI SYSTEM_OFF. */
static _Noreturn void early_exit(bool semihosting, bool smc)
{
    uint64_t block[2] = { 0x20026, 1 };      /* ADP_Stopped_ApplicationExit, status */
    if (semihosting) {
        register uint64_t x0 __asm__("x0") = 0x18;
        register uint64_t x1 __asm__("x1") = (uintptr_t)block;
        __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    }
    register uint64_t x0 __asm__("x0") = 0x84000008u;
    if (smc)
        __asm__ volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
    for (;;)
        __asm__ volatile("wfi");
}

void arm64_ram_check(void *dtb)
{
    struct fdt f;
    if (!dtb || ((uintptr_t)dtb & 7) || fdt_init(&f, dtb, DTB_MAX_SIZE) != 0)
        if (fdt_init(&f, (void *)(uintptr_t)VIRT_RAM_BASE, DTB_MAX_SIZE) != 0)
            return;                  /* no tree: nothing to check against */
    uint64_t start = (uintptr_t)__image_start, need = (uintptr_t)__image_end + ANX_BOOT_RESERVE;
    uint64_t base = 0, end = 0, a, s;
    uintptr_t uart = 0x09000000;
    const char *args = NULL;
    bool smc = false;
    int depth = 0, root = fdt_next_node(&f, -1, &depth);
    for (int n = fdt_next_node(&f, root, &depth); n >= 0; n = fdt_next_node(&f, n, &depth)) {
        if (depth != 1)
            continue;
        const char *dt = fdt_getprop_str(&f, n, "device_type");
        const char *name = fdt_node_name(&f, n);
        if (dt && streq(dt, "memory")) {
            for (int k = 0; fdt_reg_in(&f, n, root, k, &a, &s) == 0; k++)
                if (a <= start && a + s > start && a + s > end)
                    base = a, end = a + s;
        } else if (fdt_is_compatible(&f, n, "arm,pl011") && fdt_reg_in(&f, n, root, 0, &a, &s) == 0) {
            uart = (uintptr_t)a;
        } else if (name && streq(name, "chosen")) {
            args = fdt_getprop_str(&f, n, "bootargs");
        } else if (name && streq(name, "psci")) {
            const char *m = fdt_getprop_str(&f, n, "method");
            smc = m && streq(m, "smc");
        }
    }
    if (!end || end >= need)
        return;
    early_puts(uart, "anunix: only ");
    early_putu(uart, (end - base) >> 10);
    early_puts(uart, " KiB of RAM; this image needs at least ");
    early_putu(uart, (need - base + 1023) >> 10);
    early_puts(uart, " KiB (memory: ");
    early_putu(uart, (need - base + 0xfffff) >> 20);
    early_puts(uart, "M or more)\r\n");
    early_exit(word_in(args, "anx.semihosting=1"), smc);
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
