/*
 * Boot hand-off: read what the loader passed (PVH hvm_start_info or the
 * multiboot2 information), keep copies of the memory map, command line
 * and RSDP address (nothing of the loader's memory is used afterwards),
 * then bring the CPU up: plat_early_init (console, GDT/IDT, ACPI, TSC) and
 * plat_init (final page tables, interrupt controllers, timer).
 */
#define LOG_TAG "x86"
#include <anx/log.h>
#include <anx/errno.h>
#include <anx/platform.h>
#include "mb2fb.h"
#include "x86.h"

struct x86_e820 x86_e820[X86_MAX_E820];
size_t x86_e820_count;
uint64_t x86_mapped_limit = 4ULL << 30;

static char cmdline[1024];
static uint64_t rsdp_hint;
static uint8_t mb2_rsdp_copy[36];           /* multiboot2 gives a copy, not an address */
static struct plat_framebuffer boot_fb;     /* multiboot2 tag 8, decoded */
static enum x86_mb2fb_result boot_fb_state = X86_MB2FB_SHORT;
static bool boot_fb_tag;                    /* the loader sent tag 8 at all */

static void log_boot_framebuffer(void);

static void add_e820(uint64_t base, uint64_t size, uint32_t type)
{
    if (x86_e820_count < X86_MAX_E820 && size)
        x86_e820[x86_e820_count++] = (struct x86_e820){ base, size, type };
}

static void copy_cmdline(const char *s, size_t max)
{
    size_t i = 0;
    if (s)
        for (; i < max && i < sizeof cmdline - 1 && s[i]; i++)
            cmdline[i] = s[i];
    cmdline[i] = 0;
}

/* PVH: struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h) */
struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

static void parse_pvh(const struct hvm_start_info *si)
{
    if (!si || si->magic != X86_BOOT_PVH)
        return;
    if (si->cmdline_paddr && si->cmdline_paddr < x86_mapped_limit)
        copy_cmdline((const char *)(uintptr_t)si->cmdline_paddr, sizeof cmdline - 1);
    rsdp_hint = si->rsdp_paddr;
    if (si->version >= 1 && si->memmap_paddr && si->memmap_paddr < x86_mapped_limit) {
        const struct hvm_memmap_entry *m = (const void *)(uintptr_t)si->memmap_paddr;
        for (uint32_t i = 0; i < si->memmap_entries && i < X86_MAX_E820; i++)
            add_e820(m[i].addr, m[i].size, m[i].type);
    }
}

/* multiboot2: tags of 8-aligned {type, size}; 1 cmdline, 6 mmap, 8 framebuffer, 14/15 RSDP */
static void parse_mb2(const uint8_t *mbi)
{
    if (!mbi)
        return;
    uint32_t total = *(const uint32_t *)mbi;
    if (total < 16 || total > (1u << 20))
        return;
    const uint8_t *p = mbi + 8, *end = mbi + total;
    while (p + 8 <= end) {
        uint32_t type = ((const uint32_t *)p)[0], size = ((const uint32_t *)p)[1];
        if (type == 0 || size < 8 || p + size > end)
            break;
        if (type == 1) {
            copy_cmdline((const char *)p + 8, size - 8);
        } else if (type == 6 && size >= 16) {
            uint32_t esz = ((const uint32_t *)p)[2];
            if (esz >= 24)
                for (const uint8_t *e = p + 16; e + esz <= p + size; e += esz)
                    add_e820(*(const uint64_t *)e, *(const uint64_t *)(e + 8),
                             *(const uint32_t *)(e + 16));
        } else if (type == X86_MB2_TAG_FRAMEBUFFER) {
            boot_fb_tag = true;
            boot_fb_state = x86_mb2_framebuffer(p, size, &boot_fb);
        } else if ((type == 14 || type == 15) && size >= 8 + 20) {
            if (type == 15 || !rsdp_hint) {    /* prefer the ACPI 2.0 copy */
                size_t n = size - 8 < sizeof mb2_rsdp_copy ? size - 8 : sizeof mb2_rsdp_copy;
                for (size_t i = 0; i < n; i++)
                    mb2_rsdp_copy[i] = p[8 + i];
                rsdp_hint = (uintptr_t)mb2_rsdp_copy;
            }
        }
        p += (size + 7) & ~7u;
    }
}

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

/* No memory map from the loader: ask the CMOS as QEMU fills it in. */
static void memmap_fallback(void)
{
    uint64_t ext = (uint64_t)(cmos(0x34) | cmos(0x35) << 8) << 16;   /* above 16 MiB */
    uint64_t top = ext ? (16ULL << 20) + ext : CONFIG_MEMORY;
    if (top > 0xE0000000ULL)
        top = 0xE0000000ULL;
    add_e820(0, 0x9F000, 1);
    add_e820(1ULL << 20, top - (1ULL << 20), 1);
    x86_printf("x86: no memory map from the boot loader; using %lu MiB from CMOS\n", top >> 20);
}

void plat_early_init(void *boot_info)
{
    x86_uart_init();
    x86_cpu_detect();
    x86_gdt_idt_init();
    x86_percpu_init_boot();     /* plat_cpu_id() works from here */
    if (x86_boot_magic == X86_BOOT_PVH)
        parse_pvh(boot_info);
    else if (x86_boot_magic == X86_BOOT_MB2)
        parse_mb2(boot_info);
    if (!x86_e820_count)
        memmap_fallback();
    x86_paging_early_extend();
    x86_pool_reserve();
    x86_acpi_init(rsdp_hint, x86_boot_magic != X86_BOOT_PVH && x86_boot_magic != X86_BOOT_MB2);
    x86_tsc_cal_begin();
    x86_plat_early();
}

void plat_init(void)
{
    x86_paging_init();
    x86_pic_disable();
    x86_apic_init();
    x86_ioapic_init();
    x86_uart_enable_rx_irq();
    x86_plat_init();
    x86_tsc_cal_end();
    log_boot_framebuffer();
}

/* What the loader said about the screen, once: display drivers rely on it
 * and a user debugging a blank screen needs to see it. */
static void log_boot_framebuffer(void)
{
    if (!boot_fb_tag)
        return;
    if (boot_fb_state != X86_MB2FB_OK) {
        log_info("boot framebuffer: not usable: %s", x86_mb2fb_reason(boot_fb_state));
        return;
    }
    log_info("boot framebuffer: %ux%u, %u bpp, pitch %u at %#llx (red %u:%u green %u:%u blue %u:%u)",
             (unsigned)boot_fb.width, (unsigned)boot_fb.height, (unsigned)boot_fb.bpp, (unsigned)boot_fb.pitch,
             (unsigned long long)boot_fb.phys, boot_fb.red_pos, boot_fb.red_size, boot_fb.green_pos,
             boot_fb.green_size, boot_fb.blue_pos, boot_fb.blue_size);
}

/* Only x86_64-pc is booted by GRUB; a PVH boot never sees tag 8, so this
 * is false there (and on microvm) without asking the platform. */
bool plat_boot_framebuffer(struct plat_framebuffer *out)
{
    if (!boot_fb_tag || boot_fb_state != X86_MB2FB_OK)
        return false;
    if (out)
        *out = boot_fb;
    return true;
}

const char *plat_cmdline(void)
{
    return cmdline;
}

const char *plat_arch(void)
{
    return "x86_64";
}

/* Usable RAM: type-1 entries, above 1 MiB, minus the image and the
 * page-table pool, page-aligned, within what the early map covers. */
size_t plat_mem_regions(struct plat_mem_region *out, size_t max)
{
    struct { uint64_t a, b; } cut[2] = {
        { (uintptr_t)__image_start & ~0xfffULL, ((uintptr_t)__image_end + 0xfff) & ~0xfffULL },
        { x86_pool_base, x86_pool_base + x86_pool_size },
    };
    size_t n = 0;
    for (size_t i = 0; i < x86_e820_count; i++) {
        if (x86_e820[i].type != 1)
            continue;
        uint64_t a = (x86_e820[i].base + 0xfff) & ~0xfffULL;
        uint64_t b = (x86_e820[i].base + x86_e820[i].size) & ~0xfffULL;
        if (a < (1ULL << 20))
            a = 1ULL << 20;
        if (b > x86_mapped_limit)
            b = x86_mapped_limit;
        /* split [a,b) around the cuts (at most 2, possibly in one region) */
        uint64_t pieces[6][2];
        int np = 0;
        if (a < b) {
            pieces[np][0] = a; pieces[np][1] = b; np++;
        }
        for (int c = 0; c < 2; c++) {
            if (cut[c].a >= cut[c].b)
                continue;
            for (int j = 0; j < np; j++) {
                uint64_t pa = pieces[j][0], pb = pieces[j][1];
                if (cut[c].b <= pa || cut[c].a >= pb)
                    continue;
                pieces[j][1] = cut[c].a > pa ? cut[c].a : pa;
                if (cut[c].b < pb && np < 6) {
                    pieces[np][0] = cut[c].b; pieces[np][1] = pb; np++;
                }
            }
        }
        for (int j = 0; j < np; j++)
            if (pieces[j][1] > pieces[j][0]) {
                if (n < max)
                    out[n] = (struct plat_mem_region){ pieces[j][0], pieces[j][1] - pieces[j][0] };
                n++;
            }
    }
    return n < max ? n : max;
}

/* QEMU's fw_cfg: selector port 0x510 (16-bit), data port 0x511, DMA
 * address at 0x514 (high half) and 0x518 (low half, whose write starts the
 * transfer), all big-endian, on pc and microvm alike. Present when
 * selecting the signature (key 0) reads back "QEMU" (a real PC answers
 * 0xff). */
bool x86_fw_cfg_present(void)
{
    static const char sig[4] = {'Q', 'E', 'M', 'U'};
    bool ok = true;
    outw(0x510, 0);
    for (int i = 0; i < 4; i++)
        if (inb(0x511) != (uint8_t)sig[i])
            ok = false;
    return ok;
}

/* DMA needs the ID item (key 1) to have the DMA bit (QEMU 2.9 and later). */
int plat_fw_cfg_dma(uint64_t desc)
{
    static int present = -1;
    if (present < 0) {
        present = x86_fw_cfg_present();
        if (present) {
            outw(0x510, 1);
            present = inb(0x511) & 2;    /* FW_CFG_VERSION_DMA, in the first (low) byte */
        }
    }
    if (!present)
        return ANX_ENOTSUP;
    if (desc) {
        outl(0x514, __builtin_bswap32((uint32_t)(desc >> 32)));
        outl(0x518, __builtin_bswap32((uint32_t)desc));
    }
    return 0;
}
