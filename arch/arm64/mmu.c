/*
 * Identity-mapped translation tables for EL1 (TTBR0, 4 KiB granule, 48-bit
 * VA, four levels). Built once with the MMU off, before kmain:
 *
 *   0 .. 1 GiB        Device-nGnRE, XN    (GIC, PL011, virtio-mmio, PCIe
 *                                           windows, flash on virt)
 *   RAM (from DTB)    Normal WB, RW, XN   2 MiB / 1 GiB blocks
 *   the image         4 KiB pages: text RO+X, rodata RO+XN, data/bss RW+XN
 *   anything else     unmapped (a translation fault)
 *
 * SCTLR_EL1.WXN is set as well, so no writable page can ever execute.
 * plat_map_mmio() adds device blocks later, only into empty entries, so no
 * break-before-make is ever needed on live tables.
 */
#include <anx/platform.h>
#include "arm64.h"

#define DESC_VALID  1ull
#define DESC_TABLE  3ull          /* level 0-2 table; level 3 page */
#define DESC_BLOCK  1ull
#define ATTR_IDX(n) ((uint64_t)(n) << 2)
#define AP_RO       (1ull << 7)
#define SH_INNER    (3ull << 8)
#define AF          (1ull << 10)
#define PXN         (1ull << 53)
#define UXN         (1ull << 54)
#define ADDR_MASK   0x0000fffffffff000ull

#define MT_DEVICE   0             /* MAIR attr0: Device-nGnRE */
#define MT_NORMAL   1             /* MAIR attr1: Normal, WB RW-allocate */
#define MAIR_VALUE  (0x04ull | 0xffull << 8 | 0x00ull << 16)

#define PROT_DEVICE (ATTR_IDX(MT_DEVICE) | AF | PXN | UXN)
#define PROT_RAM    (ATTR_IDX(MT_NORMAL) | SH_INNER | AF | PXN | UXN)
#define PROT_TEXT   (ATTR_IDX(MT_NORMAL) | SH_INNER | AF | AP_RO | UXN)
#define PROT_RODATA (ATTR_IDX(MT_NORMAL) | SH_INNER | AF | AP_RO | PXN | UXN)

#define NTABLES 24
static uint64_t tables[NTABLES][512] __attribute__((aligned(4096), section(".bss.pagetables")));
static int tables_used;
static uint64_t *l0;
static int pa_bits = 40;
static bool mmu_on;

#define MAX_RAM 8
static struct arm64_ram ram_map[MAX_RAM];
static size_t ram_count;

static uint64_t *table_alloc(void)
{
    if (tables_used >= NTABLES)
        return 0;
    return tables[tables_used++];      /* .bss: already zero */
}

/* Map [pa, end) with attributes prot, using the largest blocks that fit.
 * Existing blocks that must become finer are split (only before the MMU
 * is on). Returns 0, or -1 when out of tables or asked to split live. */
static int map_range(uint64_t pa, uint64_t end, uint64_t prot)
{
    while (pa < end) {
        uint64_t *t = l0;
        for (int level = 0;; level++) {
            int shift = 39 - 9 * level;
            uint64_t bsize = 1ull << shift;
            uint64_t *e = &t[(pa >> shift) & 511];
            bool fits = level >= 1 && (pa & (bsize - 1)) == 0 && end - pa >= bsize;
            if (level == 3 || (fits && (*e & 3) != DESC_TABLE)) {
                *e = (pa & ADDR_MASK) | prot | (level == 3 ? DESC_TABLE : DESC_BLOCK);
                pa += bsize;
                break;
            }
            if ((*e & 3) != DESC_TABLE) {
                uint64_t *n = table_alloc();
                if (!n)
                    return -1;
                if (*e & DESC_VALID) {     /* split a block into 512 smaller ones */
                    if (mmu_on)
                        return -1;
                    uint64_t attrs = *e & ~ADDR_MASK & ~3ull;
                    uint64_t base = *e & ADDR_MASK & ~(bsize - 1);
                    uint64_t sub = bsize >> 9;
                    for (int i = 0; i < 512; i++)
                        n[i] = (base + i * sub) | attrs | (level + 1 == 3 ? DESC_TABLE : DESC_BLOCK);
                }
                dsb(ishst);
                *e = (uint64_t)(uintptr_t)n | DESC_TABLE;
            }
            t = (uint64_t *)(uintptr_t)(*e & ADDR_MASK);
        }
    }
    return 0;
}

static uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }
static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

void arm64_mmu_init(const struct arm64_ram *ram, size_t nram)
{
    uint64_t parange = sysreg_read(id_aa64mmfr0_el1) & 0xf;
    static const uint8_t bits[] = {32, 36, 40, 42, 44, 48, 52};
    uint64_t ips = parange > 5 ? 5 : parange;   /* 48-bit VA: IPS at most 48 */
    pa_bits = bits[ips];

    l0 = table_alloc();
    map_range(0, 0x40000000ull, PROT_DEVICE);
    for (size_t i = 0; i < nram && ram_count < MAX_RAM; i++) {
        uint64_t b = align_down(ram[i].base, 1ull << 21);
        uint64_t e = align_up(ram[i].base + ram[i].size, 1ull << 21);
        if (e <= b || e > (1ull << pa_bits))
            continue;
        map_range(b, e, PROT_RAM);
        ram_map[ram_count].base = b;
        ram_map[ram_count].size = e - b;
        ram_count++;
    }
    /* the image itself, page by page (also if the DTB forgot its RAM) */
    uint64_t is = (uintptr_t)__image_start, te = (uintptr_t)__text_end;
    uint64_t rs = (uintptr_t)__rodata_start, re = (uintptr_t)__rodata_end;
    uint64_t ds = (uintptr_t)__data_start, ie = align_up((uintptr_t)__image_end, 4096);
    map_range(align_down(is, 1ull << 21), align_up(ie, 1ull << 21), PROT_RAM);
    map_range(is, te, PROT_TEXT);
    map_range(rs, re, PROT_RODATA);
    map_range(ds, ie, PROT_RAM);

    /* tables were written with the MMU off: drop any stale cache lines */
    for (uintptr_t p = (uintptr_t)tables; p < (uintptr_t)(tables + NTABLES); p += 64)
        __asm__ volatile("dc ivac, %0" ::"r"(p) : "memory");
    dsb(sy);

    uint64_t tcr = 16                   /* T0SZ: 48-bit VA */
                 | 1ull << 8 | 1ull << 10 /* IRGN0, ORGN0: WB RW-allocate */
                 | 3ull << 12           /* SH0: inner shareable */
                 | 0ull << 14           /* TG0: 4 KiB */
                 | 1ull << 23           /* EPD1: no TTBR1 walks */
                 | ips << 32;
    sysreg_write(mair_el1, MAIR_VALUE);
    sysreg_write(tcr_el1, tcr);
    sysreg_write(ttbr0_el1, (uintptr_t)l0);
    isb();
    __asm__ volatile("tlbi vmalle1" ::: "memory");
    dsb(nsh);
    isb();
    uint64_t sctlr = sysreg_read(sctlr_el1);
    sctlr |= 1u << 0        /* M: MMU */
           | 1u << 2        /* C: data cache */
           | 1u << 3        /* SA: SP alignment check */
           | 1u << 12       /* I: instruction cache */
           | 1u << 19;      /* WXN: writable implies XN */
    sctlr &= ~(1ull << 1);  /* A: unaligned accesses to Normal memory are fine */
    sysreg_write(sctlr_el1, sctlr);
    isb();
    mmu_on = true;
}

void *arm64_map_device(uint64_t phys, uint64_t size)
{
    if (size == 0 || phys + size < phys || phys + size > (1ull << pa_bits))
        return 0;
    /* refuse RAM: it is mapped cacheable and must stay so */
    for (size_t i = 0; i < ram_count; i++)
        if (phys < ram_map[i].base + ram_map[i].size && phys + size > ram_map[i].base)
            return 0;
    uint64_t b = align_down(phys, 1ull << 21), e = align_up(phys + size, 1ull << 21);
    for (uint64_t a = b; a < e; a += 1ull << 21) {
        /* find the entry covering a; map a 1 GiB or 2 MiB block if empty */
        uint64_t *t = l0;
        for (int level = 0; level < 3; level++) {
            int shift = 39 - 9 * level;
            uint64_t *ent = &t[(a >> shift) & 511];
            if ((*ent & 3) == DESC_BLOCK)
                break;                              /* already mapped */
            if ((*ent & 3) == DESC_TABLE) {
                t = (uint64_t *)(uintptr_t)(*ent & ADDR_MASK);
                continue;
            }
            if (level == 1 && (a & ((1ull << 30) - 1)) == 0 && e - a >= (1ull << 30)) {
                *ent = a | PROT_DEVICE | DESC_BLOCK;
                a += (1ull << 30) - (1ull << 21);
                break;
            }
            if (level == 2) {
                *ent = a | PROT_DEVICE | DESC_BLOCK;
                break;
            }
            uint64_t *n = table_alloc();
            if (!n)
                return 0;
            dsb(ishst);
            *ent = (uint64_t)(uintptr_t)n | DESC_TABLE;
            t = n;
        }
    }
    dsb(ishst);
    isb();
    return (void *)(uintptr_t)phys;
}

bool arm64_is_ram(uintptr_t a, size_t len)
{
    if (a + len < a)
        return false;
    for (size_t i = 0; i < ram_count; i++)
        if (a >= ram_map[i].base && a + len <= ram_map[i].base + ram_map[i].size)
            return true;
    uintptr_t is = (uintptr_t)__image_start, ie = (uintptr_t)__image_end;
    return a >= is && a + len <= ie;
}

void *plat_map_mmio(uint64_t phys, size_t size)
{
    return arm64_map_device(phys, size);
}
