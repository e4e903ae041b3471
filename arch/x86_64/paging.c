/*
 * Page tables. entry.S identity-maps 0..4 GiB with 2 MiB pages (RWX) to
 * get into long mode. plat_init then builds the final identity map:
 *
 *   page 0                    not present (catches NULL)
 *   1 MiB legacy area, RAM,
 *   ACPI tables and NVS       read/write, no-execute, write-back
 *   kernel text               read-only, executable
 *   kernel rodata             read-only, no-execute
 *   kernel data + bss         read/write, no-execute
 *   boot stack guard page     not present
 *   MMIO (plat_map_mmio)      read/write, no-execute, uncached (PCD|PWT)
 *   everything else           not present
 *
 * with EFER.NXE (when the CPU has NX) and CR0.WP. Table pages come from a
 * pool carved out of RAM at boot (excluded from plat_mem_regions), so no
 * heap is involved and the map can change later (plat_map_mmio).
 */
#include <anx/platform.h>
#include "x86.h"

#define PTE_P    (1ULL << 0)
#define PTE_W    (1ULL << 1)
#define PTE_PWT  (1ULL << 3)
#define PTE_PCD  (1ULL << 4)
#define PTE_PS   (1ULL << 7)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

#define POOL_PAGES 64
uint64_t x86_pool_base, x86_pool_size;
static size_t pool_used;
static uint64_t *pml4;
static bool final_active;

extern uint64_t early_pdpt[512];
extern char boot_stack_guard[];

struct kept_range { uint64_t base, size, flags; };
static struct kept_range kept[32];      /* MMIO and firmware ranges, replayed */
static size_t kept_count;

bool x86_pool_reserve(void)
{
    uint64_t need = POOL_PAGES * 4096ULL;
    uint64_t lo = ((uintptr_t)__image_end + 0xfff) & ~0xfffULL;
    if (lo < (1ULL << 20))
        lo = 1ULL << 20;
    for (size_t i = 0; i < x86_e820_count; i++) {
        const struct x86_e820 *e = &x86_e820[i];
        if (e->type != 1)
            continue;
        uint64_t a = (e->base + 0xfff) & ~0xfffULL, b = (e->base + e->size) & ~0xfffULL;
        if (a < lo)
            a = lo;
        if (b > x86_mapped_limit)
            b = x86_mapped_limit;
        if (a < b && b - a >= need) {
            x86_pool_base = a;
            x86_pool_size = need;
            return true;
        }
    }
    x86_printf("x86: no RAM for page tables; keeping the boot page tables\n");
    return false;
}

static uint64_t *pool_alloc(void)
{
    if (pool_used >= x86_pool_size / 4096)
        return 0;
    uint64_t *p = (uint64_t *)(uintptr_t)(x86_pool_base + 4096 * pool_used++);
    for (int i = 0; i < 512; i++)
        p[i] = 0;
    return p;
}

/* Early: with 1 GiB pages, map RAM above 4 GiB (up to 512 GiB) so that
 * plat_mem_regions may hand it out before plat_init. */
void x86_paging_early_extend(void)
{
    uint64_t top = 0;
    for (size_t i = 0; i < x86_e820_count; i++)
        if (x86_e820[i].type == 1 && x86_e820[i].base + x86_e820[i].size > top)
            top = x86_e820[i].base + x86_e820[i].size;
    if (top <= (4ULL << 30) || !x86_cpu.pdpe1gb)
        return;
    if (top > (512ULL << 30))
        top = 512ULL << 30;
    for (uint64_t g = 4; g < (top + (1ULL << 30) - 1) >> 30; g++)
        early_pdpt[g] = g << 30 | PTE_P | PTE_W | PTE_PS;
    x86_mapped_limit = (top + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
    __asm__ volatile("mov %%cr3,%%rax; mov %%rax,%%cr3" ::: "rax", "memory");
}

/* Entry of level `lvl` (3 = PML4 ... 0 = PT) covering va, creating or
 * splitting tables on the way down. */
static uint64_t *walk(uint64_t va, int target)
{
    uint64_t *t = pml4;
    for (int lvl = 3; lvl > target; lvl--) {
        uint64_t *e = &t[va >> (12 + 9 * lvl) & 511];
        if (!(*e & PTE_P) || (*e & PTE_PS)) {
            uint64_t old = *e;
            uint64_t *n = pool_alloc();
            if (!n)
                return 0;
            if (old & PTE_P) {                 /* split a large page */
                uint64_t step = 1ULL << (12 + 9 * (lvl - 1));
                uint64_t flags = old & ~PTE_ADDR & ~PTE_PS;
                uint64_t base = old & PTE_ADDR & ~((1ULL << (12 + 9 * lvl)) - 1);
                for (int i = 0; i < 512; i++)
                    n[i] = (base + i * step) | flags | (lvl - 1 > 0 ? PTE_PS : 0);
            }
            *e = (uint64_t)(uintptr_t)n | PTE_P | PTE_W;
        }
        t = (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
    }
    return &t[va >> (12 + 9 * target) & 511];
}

/* Identity-map [a, b) (4 KiB aligned) with flags (0 = unmap). */
static bool map_range(uint64_t a, uint64_t b, uint64_t flags)
{
    if (!x86_cpu.nx)
        flags &= ~PTE_NX;
    while (a < b) {
        int lvl = 0;
        if (x86_cpu.pdpe1gb && !(a & ((1ULL << 30) - 1)) && b - a >= (1ULL << 30))
            lvl = 2;
        else if (!(a & ((1ULL << 21) - 1)) && b - a >= (1ULL << 21))
            lvl = 1;
        uint64_t *e = walk(a, lvl);
        if (!e)
            return false;
        *e = flags ? (a | flags | (lvl ? PTE_PS : 0)) : 0;
        a += 1ULL << (12 + 9 * lvl);
    }
    return true;
}

#define RAM  (PTE_P | PTE_W | PTE_NX)
#define MMIO (PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT)

void x86_paging_init(void)
{
    if (!x86_pool_size || !(pml4 = pool_alloc()))
        return;
    bool ok = map_range(0x1000, 1ULL << 20, RAM);
    for (size_t i = 0; i < x86_e820_count; i++) {
        const struct x86_e820 *e = &x86_e820[i];
        if (e->type != 1 && e->type != 3 && e->type != 4)
            continue;
        uint64_t a = e->base & ~0xfffULL, b = (e->base + e->size + 0xfff) & ~0xfffULL;
        if (b > x86_mapped_limit)
            b = x86_mapped_limit;
        if (a < 0x1000)
            a = 0x1000;
        if (a < b)
            ok &= map_range(a, b, RAM);
    }
    uint64_t ts = (uintptr_t)__text_start, te = ((uintptr_t)__text_end + 0xfff) & ~0xfffULL;
    uint64_t rs = (uintptr_t)__rodata_start, re = ((uintptr_t)__rodata_end + 0xfff) & ~0xfffULL;
    uint64_t ds = (uintptr_t)__data_start, de = ((uintptr_t)__image_end + 0xfff) & ~0xfffULL;
    ok &= map_range((uintptr_t)__image_start, ts, PTE_P | PTE_NX);
    ok &= map_range(ts, te, PTE_P);
    ok &= map_range(rs, re, PTE_P | PTE_NX);
    ok &= map_range(ds, de, RAM);
    ok &= map_range((uintptr_t)boot_stack_guard, (uintptr_t)boot_stack_guard + 4096, 0);
    for (size_t i = 0; i < kept_count; i++)
        ok &= map_range(kept[i].base, kept[i].base + kept[i].size, kept[i].flags);
    if (!ok) {
        x86_printf("x86: page-table pool exhausted; keeping the boot page tables\n");
        return;
    }
    if (x86_cpu.nx)
        wrmsr(X86_MSR_EFER, rdmsr(X86_MSR_EFER) | (1 << 11));
    __asm__ volatile("mov %0,%%cr3" :: "r"(pml4) : "memory");
    uint64_t cr0;
    __asm__ volatile("mov %%cr0,%0" : "=r"(cr0));
    __asm__ volatile("mov %0,%%cr0" :: "r"(cr0 | (1ULL << 16)) : "memory");
    final_active = true;
}

static void keep(uint64_t phys, uint64_t size, uint64_t flags)
{
    uint64_t a = phys & ~0xfffULL, b = (phys + size + 0xfff) & ~0xfffULL;
    if (!size)
        return;
    for (size_t i = 0; i < kept_count; i++)
        if (a >= kept[i].base && b <= kept[i].base + kept[i].size && kept[i].flags == flags)
            return;
    if (kept_count < sizeof kept / sizeof kept[0])
        kept[kept_count++] = (struct kept_range){ a, b - a, flags };
    if (final_active) {
        unsigned long f = plat_irq_save();
        if (!map_range(a, b, flags))
            x86_printf("x86: cannot map %lx+%lx\n", phys, size);
        __asm__ volatile("mov %%cr3,%%rax; mov %%rax,%%cr3" ::: "rax", "memory");
        plat_irq_restore(f);
    }
}

void *plat_map_mmio(uint64_t phys, size_t size)
{
    keep(phys, size, MMIO);
    return (void *)(uintptr_t)phys;
}

void x86_map_firmware(uint64_t base, uint64_t size)
{
    keep(base, size, PTE_P | PTE_NX);
}
