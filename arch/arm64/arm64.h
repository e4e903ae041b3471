/*
 * Internal interface of the arm64 CPU code (arch/arm64/) and the boards
 * that use it (platforms/arm64-*). Not for core/ or modules/: they see the
 * hardware only through <anx/platform.h>.
 */
#ifndef ARCH_ARM64_H
#define ARCH_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define sysreg_read(r) ({ uint64_t v_; __asm__ volatile("mrs %0, " #r : "=r"(v_)); v_; })
#define sysreg_write(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/* MPIDR_EL1's affinity fields Aff3 (39:32), Aff2, Aff1, Aff0 (23:0): a
 * CPU's ID in the device tree, GICD_IROUTER and PSCI. */
#define MPIDR_AFF_MASK 0xff00ffffffull

static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }
static inline uint8_t mmio_read8(uintptr_t a) { return *(volatile uint8_t *)a; }
static inline void mmio_write8(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }

/* ---- boot (entry.S, boot.c) ------------------------------------------ */

/* CNTVCT_EL0 at the first instruction (plat_time_ns counts from it). */
extern uint64_t arm64_boot_counter;
/* The exception level the kernel was entered at (1 or 2). */
extern uint64_t arm64_entry_el;

/* Called from entry.S first, with the MMU off and on a stack below the
 * image: power off with a message when the RAM does not hold the image
 * plus ANX_BOOT_RESERVE (<anx/bootram.h>). Uses no static data. */
void arm64_ram_check(void *dtb);
/* Called from entry.S with the MMU off: validate the DTB, build the page
 * tables, turn the MMU and caches on. Returns the DTB (or NULL). */
void *arm64_boot(void *dtb);
/* The device tree arm64_boot() checked (NULL if none) and its RAM. */
struct fdt;
const struct fdt *arm64_fdt(void);
struct arm64_ram;
size_t arm64_ram_regions(struct arm64_ram *out, size_t max);

/* ---- MMU (mmu.c) ----------------------------------------------------- */

struct arm64_ram { uint64_t base, size; };
/* Identity map: RAM normal WB (the image with page permissions), the low
 * 1 GiB device nGnRE, then MMU on. */
void arm64_mmu_init(const struct arm64_ram *ram, size_t nram);
/* Map [phys, phys+size) device nGnRE if not mapped; identity VA or NULL. */
void *arm64_map_device(uint64_t phys, uint64_t size);
/* True when [a, a+len) lies in RAM the MMU maps (for backtrace checks). */
bool arm64_is_ram(uintptr_t a, size_t len);

/* ---- exceptions (vectors.S, exception.c) ------------------------------ */

/* The trapped context of a synchronous exception (vectors.S builds it). */
struct arm64_frame {
    uint64_t x[31];
    uint64_t sp, elr, spsr, esr, far, kind, pad;
};

extern char arm64_vectors[];
/* Register an INTID handler (SPI or PPI); used by plat_irq_register. */
int arm64_irq_set_handler(int intid, void (*fn)(void *), void *arg);

/* ---- interrupt controller (gic.c) ------------------------------------- */

struct arm64_gic_info {
    int version;                   /* 2 or 3; 0 = not found */
    uint64_t dist, dist_size;      /* GICD */
    uint64_t cpu, cpu_size;        /* v2: GICC */
    uint64_t redist, redist_size;  /* v3: first redistributor region */
};
/* Distributor, then the boot CPU's interface (gic_cpu_init). */
int gic_init(const struct arm64_gic_info *g);
/* The calling CPU's interface and banked SGIs/PPIs (a started CPU). */
int gic_cpu_init(void);
/* SPIs go to the boot CPU; SGIs and PPIs (< 32) to the calling CPU's copy. */
void gic_enable(int intid, bool edge);
void gic_disable(int intid);
/* Raise SGI intid (0-15) on CPU `cpu` (after its gic_cpu_init). */
void gic_send_sgi(unsigned intid, unsigned cpu);
/* Acknowledge: the INTID, >= 1020 when spurious. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);
int gic_version(void);

/* ---- generic timer (timer.c) ------------------------------------------ */

void arm64_timer_init(int intid);  /* virtual timer PPI, 27 on virt */
void arm64_timer_init_cpu(void);   /* a started CPU: its own timer and PPI */
int arm64_timer_intid(void);

/* ---- power (power.c) -------------------------------------------------- */

/* Exit configuration: semihosting (QEMU passes anx.semihosting=1) and the
 * PSCI conduit from the device tree. */
void arm64_power_config(bool semihosting, bool psci_smc);
/* A PSCI call through that conduit (SMCCC: x0 = function, x1-x3); x0. */
int64_t arm64_psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* Address of a UART data register (PL011 DR) the recursive-fault path may
 * write to without a stack; 0 = none. Set by the board. */
extern uintptr_t arm64_fault_uart;
/* Set while powering off: a fault then goes straight to PSCI. */
extern volatile int arm64_powering_off;

/* ---- other CPUs (smp.c, smp_entry.S) ----------------------------------- */

/* The board's plat_init, after gic_init and arm64_timer_init: read the
 * device tree's CPUs (at most CONFIG_CPUS) and enable the wake-up SGI. */
void arm64_smp_init(void);
/* entry.S: drop from EL2 to EL1, returning to the caller at EL1. */
void arm64_el2_to_el1(void);

/* ---- console hook for the fault path (board) --------------------------- */

void arm64_fault_puts(const char *s);

#endif
