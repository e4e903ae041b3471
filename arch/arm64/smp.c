/*
 * The other CPUs on arm64: the CPU index in TPIDR_EL1, the CPUs the device
 * tree's /cpus lists, PSCI CPU_ON to start one (Arm DEN 0022, the Power
 * State Coordination Interface, through power.c's conduit: hvc on QEMU's
 * virt,secure=off) and SGI 1 to wake one. The model is <anx/smp.h>.
 *
 * A started CPU runs smp_entry.S, which loads the MMU state recorded here,
 * then arm64_secondary_main: its GIC interface and timer, then the core's
 * entry. plat_cpu_start waits for it to get that far, so every failure
 * (PSCI's error, a CPU that never runs, a CPU without a redistributor) is
 * logged with its reason here; a CPU that turns up after the wait was
 * given up switches itself off again.
 */
#define LOG_TAG "smp"
#include <stddef.h>
#include <anx/log.h>
#include <anx/platform.h>
#include <anx/time.h>
#include "arm64.h"
#include "fdt.h"

#define PSCI_VERSION    0x84000000u
#define PSCI_CPU_OFF    0x84000002u
#define PSCI_CPU_ON     0xc4000003u     /* SMC64: 64-bit entry address */
#define IPI_SGI         1               /* the wake-up interrupt */
#define START_TIMEOUT_NS (2000 * ANX_NS_PER_MS)   /* TCG is slow to start a vCPU */

/* Read by smp_entry.S with the MMU off (offsets BOOT_*). */
struct arm64_smp_boot {
    uint64_t mair, tcr, ttbr0, sctlr;
    uint64_t stack[CONFIG_CPUS];
};
_Static_assert(offsetof(struct arm64_smp_boot, sctlr) == 24 &&
               offsetof(struct arm64_smp_boot, stack) == 32, "smp_entry.S's BOOT_* offsets");
struct arm64_smp_boot arm64_smp_boot __attribute__((aligned(64)));

extern char arm64_secondary_entry[];

/* A started CPU's progress: plat_cpu_start and the CPU itself move it on
 * with compare-and-swap, so exactly one decides a late start. */
enum { CPU_OFF, CPU_STARTING, CPU_ARRIVED, CPU_NO_GIC, CPU_GIVEN_UP };

static struct {
    uint64_t mpidr;
    void (*entry)(unsigned cpu);
    int state;
} cpus[CONFIG_CPUS];
static unsigned ncpus = 1;

unsigned plat_cpu_id(void)
{
    uint64_t id;
    __asm__ volatile("mrs %0, tpidr_el1" : "=r"(id));
    return (unsigned)id;
}

unsigned plat_cpus_present(void)
{
    return ncpus;
}

static void ipi_irq(void *arg)
{
    (void)arg;
    anx_ipi_interrupt();
}

static const char *psci_error(int64_t r)
{
    static const char *const names[] = {
        "NOT_SUPPORTED", "INVALID_PARAMETERS", "DENIED", "ALREADY_ON", "ON_PENDING",
        "INTERNAL_FAILURE", "NOT_PRESENT", "DISABLED", "INVALID_ADDRESS",
    };
    return r <= -1 && r >= -9 ? names[-r - 1] : "unknown error";
}

void arm64_smp_init(void)
{
    cpus[0].mpidr = sysreg_read(mpidr_el1) & MPIDR_AFF_MASK;
    cpus[0].state = CPU_ARRIVED;
    if (CONFIG_CPUS < 2)
        return;                         /* cpus: 1 reads nothing */
    const struct fdt *f = arm64_fdt();
    struct fdt_cpu dt[CONFIG_CPUS];     /* CONFIG_CPUS - 1 others, wherever the boot CPU is */
    int n = f ? fdt_cpus(f, dt, CONFIG_CPUS) : -1;
    if (n < 0) {
        log_warn("no /cpus in the device tree: one CPU");
        return;
    }
    if (n < 2)
        return;                         /* the core says fewer than asked */
    if (fdt_path(f, "/psci") < 0) {
        log_warn("no /psci in the device tree: the other %d CPUs cannot be started", n - 1);
        return;
    }
    int64_t v = arm64_psci_call(PSCI_VERSION, 0, 0, 0);
    if (v < 0 || (v >> 16 == 0 && (v & 0xffff) < 2)) {
        log_warn("PSCI %s: no CPU_ON (needs 0.2 or later): one CPU",
                 v < 0 ? "0.1" : "before 0.2");
        return;
    }
    for (int i = 0; i < n && i < CONFIG_CPUS && ncpus < CONFIG_CPUS; i++) {
        uint64_t id = dt[i].id & MPIDR_AFF_MASK;
        if (id == cpus[0].mpidr)
            continue;
        if (!dt[i].psci) {
            log_warn("CPU with MPIDR %#llx: enable-method is not psci; left off",
                     (unsigned long long)id);
            continue;
        }
        cpus[ncpus++].mpidr = id;
    }
    if (ncpus > 1) {
        arm64_irq_set_handler(IPI_SGI, ipi_irq, 0);
        gic_enable(IPI_SGI, true);
    }
}

int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned cpu))
{
    if (cpu == 0 || cpu >= ncpus || !entry || !stack_top || ((uintptr_t)stack_top & 15))
        return -1;
    unsigned long long mpidr = cpus[cpu].mpidr;
    if (__atomic_load_n(&cpus[cpu].state, __ATOMIC_ACQUIRE) != CPU_OFF) {
        log_error("CPU %u (MPIDR %#llx): started before", cpu, mpidr);
        return -1;
    }
    struct arm64_smp_boot *b = &arm64_smp_boot;
    b->mair = sysreg_read(mair_el1);
    b->tcr = sysreg_read(tcr_el1);
    b->ttbr0 = sysreg_read(ttbr0_el1);
    b->sctlr = sysreg_read(sctlr_el1);
    b->stack[cpu] = (uintptr_t)stack_top;
    cpus[cpu].entry = entry;
    __atomic_store_n(&cpus[cpu].state, CPU_STARTING, __ATOMIC_RELEASE);
    /* the new CPU reads the block with its MMU and caches off: clean it to
     * the point of coherency (a no-op under QEMU, needed on hardware) */
    for (uintptr_t p = (uintptr_t)b & ~63ul; p < (uintptr_t)(b + 1); p += 64)
        __asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
    dsb(sy);

    int64_t r = arm64_psci_call(PSCI_CPU_ON, mpidr, (uintptr_t)arm64_secondary_entry, cpu);
    if (r != 0) {
        __atomic_store_n(&cpus[cpu].state, CPU_OFF, __ATOMIC_RELEASE);
        log_error("CPU %u (MPIDR %#llx): PSCI CPU_ON failed: %s (%lld)", cpu, mpidr,
                  psci_error(r), (long long)r);
        return -1;
    }
    uint64_t until = plat_time_ns() + START_TIMEOUT_NS;
    int s;
    while ((s = __atomic_load_n(&cpus[cpu].state, __ATOMIC_ACQUIRE)) == CPU_STARTING &&
           plat_time_ns() < until)
        __asm__ volatile("yield");
    if (s == CPU_STARTING &&
        __atomic_compare_exchange_n(&cpus[cpu].state, &s, CPU_GIVEN_UP, false,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        log_error("CPU %u (MPIDR %#llx): PSCI CPU_ON succeeded but it did not run within %llu ms",
                  cpu, mpidr, (unsigned long long)(START_TIMEOUT_NS / ANX_NS_PER_MS));
        return -1;
    }
    if (s == CPU_NO_GIC) {
        log_error("CPU %u (MPIDR %#llx): no GIC redistributor has its affinity; switched off",
                  cpu, mpidr);
        return -1;
    }
    return 0;                           /* CPU_ARRIVED: it calls entry now */
}

/* smp_entry.S, on the core's stack for this CPU, MMU on, interrupts masked. */
_Noreturn void arm64_secondary_main(unsigned cpu);
_Noreturn void arm64_secondary_main(unsigned cpu)
{
    bool gic = gic_cpu_init() == 0;
    if (gic) {
        gic_enable(IPI_SGI, true);
        arm64_timer_init_cpu();
    }
    int expect = CPU_STARTING;
    if (__atomic_compare_exchange_n(&cpus[cpu].state, &expect, gic ? CPU_ARRIVED : CPU_NO_GIC,
                                    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && gic)
        cpus[cpu].entry(cpu);           /* never returns */
    arm64_psci_call(PSCI_CPU_OFF, 0, 0, 0);   /* returns only when it fails */
    for (;;)
        __asm__ volatile("wfi");
}

void plat_ipi_send(unsigned cpu)
{
    if (cpu < ncpus)
        gic_send_sgi(IPI_SGI, cpu);
}
