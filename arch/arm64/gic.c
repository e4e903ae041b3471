/*
 * The GIC, version 2 (memory-mapped distributor + CPU interface) or 3
 * (distributor + redistributor, CPU interface through ICC_* system
 * registers), as the device tree names it. Group 0 (v2) or 1 (v3), every
 * line with the same priority; no nesting (handlers run with IRQs masked).
 *
 * Several CPUs: device interrupts (SPIs) are routed to the boot CPU only
 * (the kernel CPU of <anx/smp.h>). SGIs and PPIs (the timer) are banked per
 * CPU: each CPU sets up its own CPU interface and its copy of them with
 * gic_cpu_init, and gic_enable/gic_disable of an INTID below 32 act on the
 * calling CPU. gic_send_sgi raises an SGI on another CPU (the wake-up IPI).
 */
#include <anx/platform.h>
#include "arm64.h"

/* distributor */
#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_IROUTER    0x6000
/* v2 CPU interface */
#define GICC_CTLR       0x00
#define GICC_PMR        0x04
#define GICC_BPR        0x08
#define GICC_IAR        0x0c
#define GICC_EOIR       0x10
/* v3 redistributor */
#define GICR_CTLR       0x00
#define GICR_TYPER      0x08
#define GICR_WAKER      0x14
#define GICR_SGI        0x10000

#define PRIO_DEFAULT    0xa0
#define SPIN_LIMIT      1000000

static int version;
static uintptr_t gicd, gicc;
static uintptr_t gicr_base;                 /* v3: the redistributor region */
static uint64_t gicr_size;
static unsigned nlines = 32;
/* Per CPU (index plat_cpu_id()), each written by its own CPU in
 * gic_cpu_init before the core counts it online. */
static uintptr_t gicr_sgi[CONFIG_CPUS];     /* v3: its SGI/PPI frame */
static uint8_t cpu_bit[CONFIG_CPUS];        /* v2: its CPU interface's target bit */
static uint64_t cpu_aff[CONFIG_CPUS];       /* v3: its MPIDR affinity */

/* ICC system registers by encoding (older assemblers lack the names) */
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1   S3_0_C12_C11_5
#define rd(r) sysreg_read(r)
#define wr(r, v) sysreg_write(r, v)

static void gicd_wait_rwp(void)
{
    for (int i = 0; i < SPIN_LIMIT && (mmio_read32(gicd + GICD_CTLR) & (1u << 31)); i++)
        ;
}

static void gicr_wait_rwp(uintptr_t frame)
{
    for (int i = 0; i < SPIN_LIMIT && (mmio_read32(frame + GICR_CTLR) & (1u << 3)); i++)
        ;
}

int gic_version(void) { return version; }

/* v3: the redistributor frame whose GICR_TYPER affinity is this CPU's
 * (v3 frames: 128 KiB; v4 frames with VLPI are 256 KiB, GICR_TYPER.VLPIS
 * says which), or 0. */
static uintptr_t find_redist(uint64_t mpidr)
{
    uint32_t aff = (uint32_t)((mpidr & 0xffffff) | ((mpidr >> 32 & 0xff) << 24));
    for (uintptr_t p = gicr_base; p + 0x20000 <= gicr_base + gicr_size;) {
        uint64_t typer = mmio_read64(p + GICR_TYPER);
        if ((uint32_t)(typer >> 32) == aff)
            return p;
        if (typer & (1u << 4))                          /* Last */
            break;
        p += (typer & (1u << 1)) ? 0x40000 : 0x20000;
    }
    return 0;
}

/* The calling CPU's interface and its banked SGIs/PPIs: all disabled, group
 * and priority set; gic_enable turns single ones on. 0, or -1 when this
 * CPU has no redistributor (v3). */
int gic_cpu_init(void)
{
    unsigned cpu = plat_cpu_id();
    if (cpu >= CONFIG_CPUS)
        return -1;
    if (version == 2) {
        mmio_write32(gicd + GICD_ICENABLER, 0xffffffffu);
        for (unsigned i = 0; i < 32; i += 4)
            mmio_write32(gicd + GICD_IPRIORITYR + i, PRIO_DEFAULT * 0x01010101u);
        /* GICD_ITARGETSR0-7 read as the reading CPU's own bit (GICv2
         * architecture spec, 4.3.12); a one-CPU GIC may read 0 */
        cpu_bit[cpu] = mmio_read8(gicd + GICD_ITARGETSR);
        mmio_write32(gicc + GICC_PMR, 0xf0);
        mmio_write32(gicc + GICC_BPR, 0);
        mmio_write32(gicc + GICC_CTLR, 1);
        return 0;
    }
    if (version != 3)
        return -1;
    uint64_t mpidr = sysreg_read(mpidr_el1);
    uintptr_t frame = find_redist(mpidr);
    if (!frame)
        return -1;
    uint32_t waker = mmio_read32(frame + GICR_WAKER);
    mmio_write32(frame + GICR_WAKER, waker & ~(1u << 1));     /* ProcessorSleep */
    for (int i = 0; i < SPIN_LIMIT && (mmio_read32(frame + GICR_WAKER) & (1u << 2)); i++)
        ;
    uintptr_t sgi = frame + GICR_SGI;
    mmio_write32(sgi + GICD_ICENABLER, 0xffffffffu);
    gicr_wait_rwp(frame);
    mmio_write32(sgi + GICD_IGROUPR, 0xffffffffu);
    for (unsigned i = 0; i < 32; i += 4)
        mmio_write32(sgi + GICD_IPRIORITYR + i, PRIO_DEFAULT * 0x01010101u);

    wr(ICC_SRE_EL1, rd(ICC_SRE_EL1) | 1);
    isb();
    wr(ICC_PMR_EL1, 0xf0);
    wr(ICC_BPR1_EL1, 0);
    wr(ICC_CTLR_EL1, 0);                                /* EOImode 0 */
    wr(ICC_IGRPEN1_EL1, 1);
    isb();
    cpu_aff[cpu] = mpidr & MPIDR_AFF_MASK;
    gicr_sgi[cpu] = sgi;
    return 0;
}

int gic_init(const struct arm64_gic_info *g)
{
    if (!g || (g->version != 2 && g->version != 3) || !g->dist)
        return -1;
    if (g->version == 2 && !g->cpu)
        return -1;
    if (g->version == 3 && !g->redist)
        return -1;
    gicd = (uintptr_t)arm64_map_device(g->dist, g->dist_size ? g->dist_size : 0x10000);
    if (!gicd)
        return -1;
    nlines = 32 * ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1);
    if (nlines > 1020)
        nlines = 1020;

    mmio_write32(gicd + GICD_CTLR, 0);
    if (g->version == 3)
        gicd_wait_rwp();
    for (unsigned i = 32; i < nlines; i += 32) {
        mmio_write32(gicd + GICD_ICENABLER + i / 8, 0xffffffffu);
        mmio_write32(gicd + GICD_ICPENDR + i / 8, 0xffffffffu);
        mmio_write32(gicd + GICD_IGROUPR + i / 8, g->version == 3 ? 0xffffffffu : 0);
    }
    /* priority, target/route and trigger of a line are set when it is
     * enabled (gic_enable): a few hundred MMIO writes less at boot */

    if (g->version == 2) {
        gicc = (uintptr_t)arm64_map_device(g->cpu, g->cpu_size ? g->cpu_size : 0x2000);
        if (!gicc)
            return -1;
        mmio_write32(gicd + GICD_CTLR, 1);
        version = 2;
        return gic_cpu_init();
    }

    /* v3: affinity routing on, group 1 on (ARE bit 4, EnableGrp1 bit 1;
     * the same bits with and without the security extension) */
    mmio_write32(gicd + GICD_CTLR, 1u << 4);
    gicd_wait_rwp();
    mmio_write32(gicd + GICD_CTLR, 1u << 4 | 1u << 1);
    gicd_wait_rwp();

    gicr_size = g->redist_size ? g->redist_size : 0x20000;
    gicr_base = (uintptr_t)arm64_map_device(g->redist, gicr_size);
    if (!gicr_base)
        return -1;
    version = 3;
    if (gic_cpu_init() != 0) {
        version = 0;
        return -1;
    }
    return 0;
}

/* Where INTID n's registers are: the distributor, or (v3, n < 32) the
 * calling CPU's SGI frame; 0 when that CPU has none set up. */
static uintptr_t line_base(unsigned n)
{
    if (version == 3 && n < 32) {
        unsigned cpu = plat_cpu_id();
        return cpu < CONFIG_CPUS ? gicr_sgi[cpu] : 0;
    }
    return gicd;
}

void gic_enable(int intid, bool edge)
{
    if (!version || intid < 0 || (unsigned)intid >= nlines)
        return;
    unsigned n = (unsigned)intid;
    uintptr_t base = line_base(n);
    if (!base)
        return;
    mmio_write8(base + GICD_IPRIORITYR + n, PRIO_DEFAULT);
    if (n >= 32 && version == 2)                          /* the boot CPU only */
        mmio_write8(gicd + GICD_ITARGETSR + n, cpu_bit[0] ? cpu_bit[0] : 0x01);
    if (n >= 32 && version == 3)                          /* the boot CPU, IRM 0 */
        mmio_write64(gicd + GICD_IROUTER + 8 * n, cpu_aff[0]);
    if (n >= 16) {           /* SGIs are always edge */
        uint32_t cfg = mmio_read32(base + GICD_ICFGR + n / 16 * 4);
        uint32_t bit = 2u << (2 * (n % 16));
        cfg = edge ? cfg | bit : cfg & ~bit;
        mmio_write32(base + GICD_ICFGR + n / 16 * 4, cfg);
    }
    mmio_write32(base + GICD_ISENABLER + n / 32 * 4, 1u << (n % 32));
    if (version == 3 && n >= 32)
        gicd_wait_rwp();
}

void gic_disable(int intid)
{
    if (!version || intid < 0 || (unsigned)intid >= nlines)
        return;
    unsigned n = (unsigned)intid;
    uintptr_t base = line_base(n);
    if (base)
        mmio_write32(base + GICD_ICENABLER + n / 32 * 4, 1u << (n % 32));
}

void gic_send_sgi(unsigned intid, unsigned cpu)
{
    if (intid >= 16 || cpu >= CONFIG_CPUS)
        return;
    /* the work the interrupt announces must be visible before it arrives */
    dsb(ish);
    if (version == 2 && cpu_bit[cpu]) {
        /* TargetListFilter 0: the CPUs in CPUTargetList */
        mmio_write32(gicd + GICD_SGIR, (uint32_t)cpu_bit[cpu] << 16 | intid);
    } else if (version == 3 && gicr_sgi[cpu]) {
        /* ICC_SGI1R_EL1: Aff3 [55:48], RS [47:44], Aff2 [39:32], INTID
         * [27:24], Aff1 [23:16], TargetList [15:0] (bit Aff0 % 16) */
        uint64_t a = cpu_aff[cpu], aff0 = a & 0xff;
        uint64_t v = (a >> 32 & 0xff) << 48 | (aff0 >> 4) << 44 | (a >> 16 & 0xff) << 32 |
                     (uint64_t)intid << 24 | (a >> 8 & 0xff) << 16 | 1ull << (aff0 & 15);
        wr(ICC_SGI1R_EL1, v);
        isb();
    }
}

uint32_t gic_ack(void)
{
    if (version == 3) {
        uint32_t v = (uint32_t)rd(ICC_IAR1_EL1);
        __asm__ volatile("dsb sy" ::: "memory");
        return v;
    }
    if (version == 2)
        return mmio_read32(gicc + GICC_IAR);
    return 1023;
}

void gic_eoi(uint32_t iar)
{
    if (version == 3) {
        wr(ICC_EOIR1_EL1, iar);
        isb();
    } else if (version == 2) {
        mmio_write32(gicc + GICC_EOIR, iar);
    }
}
