/*
 * QEMU `virt` (arm64): everything comes from the device tree QEMU passes
 * (checked by arch/arm64/boot.c before the MMU went on):
 *
 *   /memory            RAM            -> plat_mem_regions (minus image, DTB,
 *                                        /memreserve/ entries)
 *   /chosen bootargs   command line   -> plat_cmdline; anx.semihosting=1
 *                                        enables the semihosting exit
 *   arm,pl011          console        -> pl011.c
 *   arm,gic-v3 / arm,cortex-a15-gic / arm,gic-400   -> arch/arm64/gic.c
 *   arm,armv8-timer    3rd interrupt  = virtual timer PPI
 *   virtio,mmio        transports     -> plat_virtio_mmio_devices
 *   pci-host-ecam-generic  ECAM, ranges, interrupt-map -> plat_pci_*
 *   arm,pl031          real-time clock -> plat_wall_clock_ns
 *   qemu,fw-cfg-mmio   fw_cfg         -> plat_fw_cfg_dma
 *   /psci method       hvc or smc     -> power-off fallback, CPU_ON
 *   /cpus              CPUs (MPIDRs)  -> arch/arm64/smp.c
 *
 * Interrupt numbers of this platform are GIC INTIDs (SPI n = 32 + n).
 * Without a usable tree the board falls back to virt's fixed layout.
 */
#define LOG_TAG "arm64-virt"
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/platform.h>
#include "arm64.h"   /* arch/arm64: anx gives platforms -Iarch/ARCH */
#include "fdt.h"
#include "fdt_pci.h"
#include "virt.h"

#define MAX_REGIONS 16
#define MAX_VIRTIO 32
#define MAX_INTID 1020

static char cmdline[1024];
static struct plat_mem_region regions[MAX_REGIONS];
static size_t nregions;
static struct plat_mmio_device virtio[MAX_VIRTIO];
static size_t nvirtio;
static struct arm64_gic_info gic = {
    .version = 3, .dist = 0x08000000, .dist_size = 0x10000,
    .redist = 0x080a0000, .redist_size = 0xf60000,
};
static int timer_intid = 27;
static uint32_t edge_bits[(MAX_INTID + 31) / 32];
static uint64_t ecam_phys, ecam_size;
static uintptr_t ecam;
static unsigned bus_first, bus_last;
#define MAX_PCI_WINDOWS 4
static struct plat_pci_window pci_windows[MAX_PCI_WINDOWS];
static size_t npci_windows;
static int pci_node = -1;            /* the host bridge's node, for its interrupt-map */

const char *plat_name(void) { return "arm64-virt"; }
const char *plat_arch(void) { return "arm64"; }
const char *plat_cmdline(void) { return cmdline; }

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* Is `tok` one of the space-separated words of s? */
static bool has_word(const char *s, const char *tok)
{
    while (*s) {
        while (*s == ' ')
            s++;
        const char *t = tok;
        while (*t && *s == *t)
            s++, t++;
        if (*t == 0 && (*s == ' ' || *s == 0))
            return true;
        while (*s && *s != ' ')
            s++;
    }
    return false;
}

static void set_edge(int intid, bool edge)
{
    if (intid >= 0 && intid < MAX_INTID && edge)
        edge_bits[intid / 32] |= 1u << (intid % 32);
}

/* Remove [b, e) from the region list (splitting a region in two). */
static void carve(uint64_t b, uint64_t e)
{
    for (size_t i = 0; i < nregions; i++) {
        uint64_t rb = regions[i].base, re = rb + regions[i].size;
        if (e <= rb || b >= re)
            continue;
        if (b > rb && e < re && nregions < MAX_REGIONS) {
            regions[nregions].base = e;
            regions[nregions].size = re - e;
            nregions++;
            regions[i].size = b - rb;
        } else if (b > rb) {
            regions[i].size = b - rb;
        } else if (e < re) {
            regions[i].base = e;
            regions[i].size = re - e;
        } else {
            regions[i] = regions[--nregions];
            i--;
        }
    }
}

static void parse_gic(const struct fdt *f, int n, int root, int version)
{
    struct arm64_gic_info g = {.version = version};
    if (version == 3 && fdt_reg_in(f, n, root, 0, &g.dist, &g.dist_size) == 0 &&
        fdt_reg_in(f, n, root, 1, &g.redist, &g.redist_size) == 0)
        gic = g;
    if (version == 2 && fdt_reg_in(f, n, root, 0, &g.dist, &g.dist_size) == 0 &&
        fdt_reg_in(f, n, root, 1, &g.cpu, &g.cpu_size) == 0)
        gic = g;
}

static uint64_t rtc_phys;         /* the PL031, or 0 */
static uint64_t fw_cfg_phys;      /* QEMU's fw_cfg MMIO window, or 0 */

static void parse_virtio(const struct fdt *f, int n, int root)
{
    uint64_t a, s;
    bool edge = false;
    int irq = fdt_irq(f, n, 0, &edge);
    if (nvirtio >= MAX_VIRTIO || fdt_reg_in(f, n, root, 0, &a, &s) != 0 || s == 0)
        return;
    set_edge(irq, edge);
    size_t i = nvirtio++;                        /* keep sorted by base */
    while (i > 0 && virtio[i - 1].base > a) {
        virtio[i] = virtio[i - 1];
        i--;
    }
    virtio[i].base = a;
    virtio[i].size = s;
    virtio[i].irq = irq;
}

static void parse_pcie(const struct fdt *f, int n, int root)
{
    uint64_t a, s;
    if (fdt_reg_in(f, n, root, 0, &a, &s) != 0 || s < (1u << 20))
        return;
    int len = 0;
    const uint8_t *br = fdt_getprop(f, n, "bus-range", &len);
    bus_first = 0;
    bus_last = s >> 20 > 256 ? 255 : (unsigned)(s >> 20) - 1;
    if (br && len == 8 && fdt_be32(br) <= fdt_be32(br + 4) && fdt_be32(br + 4) < 256) {
        bus_first = fdt_be32(br);
        bus_last = fdt_be32(br + 4);
    }
    if (((uint64_t)(bus_last - bus_first) + 1) << 20 > s)
        return;
    ecam_phys = a;
    ecam_size = s;
    pci_node = n;
    struct fdt_pci_range r;
    for (int i = 0; npci_windows < MAX_PCI_WINDOWS && fdt_pci_range(f, n, root, i, &r) == 0; i++)
        pci_windows[npci_windows++] = (struct plat_pci_window){
            .pci_base = r.pci, .cpu_base = r.cpu, .size = r.size, .io = r.io, .mem64 = r.mem64};
}

/* One linear pass over the children of the root, where virt puts every
 * device this board uses. */
static void parse_tree(const struct fdt *f, void *dtb)
{
    uint64_t a, s;
    bool edge;
    uint64_t uart_base = 0;
    int uart_irq = 33;
    bool psci_smc = false;
    int depth = 0, root = fdt_next_node(f, -1, &depth);
    for (int n = fdt_next_node(f, root, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
        if (depth != 1)
            continue;
        const char *name = fdt_node_name(f, n);
        if (name && streq(name, "chosen")) {
            const char *args = fdt_getprop_str(f, n, "bootargs");
            size_t i = 0;
            for (; args && args[i] && i + 1 < sizeof cmdline; i++)
                cmdline[i] = args[i];
            cmdline[i] = 0;
        } else if (name && streq(name, "psci")) {
            const char *method = fdt_getprop_str(f, n, "method");
            psci_smc = method && streq(method, "smc");
        } else if (fdt_is_compatible(f, n, "virtio,mmio")) {
            parse_virtio(f, n, root);
        } else if (fdt_is_compatible(f, n, "arm,pl011") && !uart_base) {
            if (fdt_reg_in(f, n, root, 0, &a, &s) == 0)
                uart_base = a;
            int irq = fdt_irq(f, n, 0, &edge);
            if (irq >= 32) {
                uart_irq = irq;
                set_edge(irq, edge);
            }
        } else if (fdt_is_compatible(f, n, "arm,gic-v3")) {
            parse_gic(f, n, root, 3);
        } else if (fdt_is_compatible(f, n, "arm,cortex-a15-gic") ||
                   fdt_is_compatible(f, n, "arm,gic-400") ||
                   fdt_is_compatible(f, n, "arm,cortex-a9-gic")) {
            parse_gic(f, n, root, 2);
        } else if (fdt_is_compatible(f, n, "arm,armv8-timer")) {
            int irq = fdt_irq(f, n, 2, &edge);    /* secure, non-secure, virtual, hyp */
            if (irq >= 16 && irq < 32)
                timer_intid = irq;
        } else if (fdt_is_compatible(f, n, "pci-host-ecam-generic")) {
            parse_pcie(f, n, root);
        } else if (fdt_is_compatible(f, n, "arm,pl031") && !rtc_phys) {
            if (fdt_reg_in(f, n, root, 0, &a, &s) != 0 || s < 0x1000)
                a = 0;
            rtc_phys = a;
        } else if (fdt_is_compatible(f, n, "qemu,fw-cfg-mmio") && !fw_cfg_phys) {
            /* data at +0, selector at +8, DMA address at +16: 0x18 bytes */
            if (fdt_reg_in(f, n, root, 0, &a, &s) == 0 && s >= 0x18)
                fw_cfg_phys = a;
        }
    }
    pl011_init(uart_base, uart_irq);
    arm64_power_config(has_word(cmdline, "anx.semihosting=1"), psci_smc);

    /* usable RAM: the memory nodes minus what must stay */
    for (int i = 0; fdt_memreserve(f, i, &a, &s) == 0; i++)
        if (a + s > a)
            carve(a, a + s);
    carve((uintptr_t)dtb, (uintptr_t)dtb + fdt_totalsize(f));
}

void plat_early_init(void *boot_info)
{
    struct arm64_ram ram[8];
    size_t nram = arm64_ram_regions(ram, 8);
    for (size_t i = 0; i < nram && nregions < MAX_REGIONS; i++) {
        regions[nregions].base = ram[i].base;
        regions[nregions].size = ram[i].size;
        nregions++;
    }
    const struct fdt *f = arm64_fdt();
    if (f && boot_info) {
        parse_tree(f, boot_info);
    } else {
        pl011_init(0x09000000, 33);
        arm64_power_config(false, false);
    }
    carve((uintptr_t)__image_start, (uintptr_t)__image_end);
    /* page-align what is left */
    for (size_t i = 0; i < nregions; i++) {
        uint64_t b = (regions[i].base + 4095) & ~4095ull;
        uint64_t e = (regions[i].base + regions[i].size) & ~4095ull;
        regions[i].base = b;
        regions[i].size = e > b ? e - b : 0;
    }
}

void plat_init(void)
{
    if (gic_init(&gic) == 0) {
        arm64_timer_init(timer_intid);
        arm64_smp_init();
    } else {
        log_error("no usable GIC: no interrupts, no timer, one CPU");
    }
    if (ecam_phys)
        ecam = (uintptr_t)arm64_map_device(ecam_phys, ecam_size);
    log_info("entered at EL%d; GICv%d, timer INTID %d, PL011 INTID %d, %zu virtio-mmio, PCIe %s",
             (int)arm64_entry_el, gic_version(), timer_intid, plat_console_irq(), nvirtio,
             ecam ? "ECAM" : "none");
}

size_t plat_mem_regions(struct plat_mem_region *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < nregions && n < max; i++)
        if (regions[i].size)
            out[n++] = regions[i];
    return n;
}

int plat_irq_register(int irq, plat_irq_handler handler, void *arg)
{
    if (irq < 16 || irq >= MAX_INTID || !handler || !gic_version())
        return -1;
    if (irq == plat_console_irq())
        return pl011_irq_register(handler, arg);
    if (arm64_irq_set_handler(irq, handler, arg) != 0)
        return -1;
    gic_enable(irq, (edge_bits[irq / 32] >> (irq % 32)) & 1);
    return 0;
}

size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max)
{
    size_t n = 0;
    for (; n < nvirtio && n < max; n++)
        out[n] = virtio[n];
    return n;
}

bool plat_pci_present(void) { return ecam != 0; }

static uintptr_t ecam_addr(uint16_t bdf, uint16_t off)
{
    unsigned bus = bdf >> 8;
    if (!ecam || bus < bus_first || bus > bus_last || off > 0xffc)
        return 0;
    return ecam + ((uintptr_t)(bus - bus_first) << 20 | (uintptr_t)(bdf & 0xff) << 12 | (off & 0xffc));
}

size_t plat_pci_windows(struct plat_pci_window *out, size_t max)
{
    size_t n = 0;
    for (; n < npci_windows && n < max; n++)
        out[n] = pci_windows[n];
    return n;
}

/* Looked up per device, not at boot: resolving the interrupt-map walks the
 * tree for its parent, which costs boot time on every PCI-less image. The
 * tree stays mapped (it lies in RAM, carved out of the usable regions). */
int plat_pci_intx_irq(unsigned slot, unsigned pin)
{
    const struct fdt *f = arm64_fdt();
    if (!ecam || pci_node < 0 || !f)
        return -1;
    bool edge = false;
    int irq = fdt_pci_intx(f, pci_node, slot, pin, &edge);
    set_edge(irq, edge);
    return irq;
}

uint32_t plat_pci_read32(uint16_t bdf, uint16_t off)
{
    uintptr_t a = ecam_addr(bdf, off);
    return a ? mmio_read32(a) : 0xffffffffu;
}

void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t val)
{
    uintptr_t a = ecam_addr(bdf, off);
    if (a)
        mmio_write32(a, val);
}

/* ECAM takes byte and halfword stores as cycles of that width. */
void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size)
{
    uintptr_t a = ecam_addr(bdf, off);
    if (!a || (size != 1 && size != 2 && size != 4) || off % size)
        return;
    a += off & 3;
    if (size == 1)
        mmio_write8(a, (uint8_t)val);
    else if (size == 2)
        *(volatile uint16_t *)a = (uint16_t)val;
    else
        mmio_write32(a, val);
}

/* The PL031 counts seconds since 1970 in its data register (QEMU starts
 * it at the host's UTC time). Mapped only here: it is read once a boot. */
uint64_t plat_wall_clock_ns(void)
{
    if (!rtc_phys)
        return 0;
    uintptr_t rtc = (uintptr_t)arm64_map_device(rtc_phys, 0x1000);
    if (!rtc || (mmio_read32(rtc + 0xfe0) & 0xff) != 0x31)   /* PeriphID0 of a PL031 */
        return 0;
    return (uint64_t)mmio_read32(rtc + 0x000) * 1000000000ull;
}

/* fw_cfg's MMIO registers: data +0, selector +8 (16-bit), DMA address +16
 * (high half) and +20 (low half, whose write starts the transfer), all
 * big-endian. The ID item (key 1) says whether DMA is there. */
int plat_fw_cfg_dma(uint64_t desc)
{
    static volatile uint8_t *regs;
    static int present = -1;
    if (present < 0) {
        present = 0;
        if (fw_cfg_phys && (regs = plat_map_mmio(fw_cfg_phys, 0x18))) {
            *(volatile uint16_t *)(regs + 8) = __builtin_bswap16(1);
            present = regs[0] & 2;       /* FW_CFG_VERSION_DMA, in the first (low) byte */
        }
    }
    if (!present)
        return ANX_ENOTSUP;
    if (desc) {
        *(volatile uint32_t *)(regs + 16) = __builtin_bswap32((uint32_t)(desc >> 32));
        *(volatile uint32_t *)(regs + 20) = __builtin_bswap32((uint32_t)desc);
    }
    return 0;
}

/* No boot loader hands virt a framebuffer: ramfb and the PCI displays are
 * set up by their drivers. */
bool plat_boot_framebuffer(struct plat_framebuffer *out)
{
    (void)out;
    return false;
}
