/*
 * The other CPUs on x86_64: per-CPU identity through the GS base, the
 * processors the ACPI MADT lists, the INIT-SIPI-SIPI start through the
 * local APIC (Intel SDM vol. 3, "MP Initialization"), and wake-up IPIs.
 */
#include <anx/lib.h>
#include <anx/platform.h>
#include <anx/time.h>
#include "x86.h"

#define TRAMPOLINE 0x8000           /* smp_trampoline.S; SIPI vector 0x08 */
#define ICR_INIT   0x00004500u      /* INIT, level assert */
#define ICR_SIPI   0x00004600u      /* start-up, vector = page number */
#define ICR_FIXED  0x00004000u      /* fixed delivery, assert */
#define MSR_GS_BASE 0xC0000101

/* What plat_cpu_id reads through %gs: the first field. */
struct x86_percpu {
    uint32_t id;
    uint32_t apic_id;
};
static struct x86_percpu percpu[CONFIG_CPUS];

/* The trampoline's mailbox (smp_trampoline.S), one CPU started at a time. */
struct x86_smp_mailbox {
    uint64_t cr3_boot, efer, stack, entry;
};
extern const char x86_smp_trampoline[], x86_smp_trampoline_end[], x86_smp_mailbox[];
extern char early_pml4[];
extern void x86_ap_entry64(void);

/* What a started CPU copies from the boot CPU before running C code that
 * may use SIMD or the final page tables. */
static struct {
    uint64_t cr0, cr3, cr4, xcr0;
    void (*entry)(unsigned);
    unsigned cpu;
} start;

unsigned plat_cpu_id(void)
{
    uint32_t id;
    __asm__ volatile("movl %%gs:0, %0" : "=r"(id));
    return id;
}

/* Called right after the GDT is loaded (loading %gs resets its base). */
void x86_percpu_init_boot(void)
{
    percpu[0].id = 0;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&percpu[0]);
}

unsigned plat_cpus_present(void)
{
    int n = x86_acpi.cpu_count;
    if (n < 1)
        n = 1;
    return n < CONFIG_CPUS ? (unsigned)n : CONFIG_CPUS;
}

/* The MADT's i-th other processor: the list in MADT order without the
 * boot CPU's own APIC ID. */
static bool nth_other_apic(unsigned i, uint32_t *apic_id)
{
    uint32_t me = x86_lapic_id();
    for (int k = 0; k < x86_acpi.cpu_count; k++) {
        if (x86_acpi.cpu_apic_id[k] == me)
            continue;
        if (i-- == 1) {
            *apic_id = x86_acpi.cpu_apic_id[k];
            return true;
        }
    }
    return false;
}

static uint64_t read_cr(int n)
{
    uint64_t v = 0;
    if (n == 0)
        __asm__ volatile("mov %%cr0, %0" : "=r"(v));
    else if (n == 3)
        __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    else
        __asm__ volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned))
{
    uint32_t apic_id;
    if (cpu == 0 || cpu >= CONFIG_CPUS || !nth_other_apic(cpu, &apic_id))
        return -1;
    size_t len = (size_t)(x86_smp_trampoline_end - x86_smp_trampoline);
    memcpy((void *)(uintptr_t)TRAMPOLINE, x86_smp_trampoline, len);
    struct x86_smp_mailbox *mb = (struct x86_smp_mailbox *)(uintptr_t)
        (TRAMPOLINE + (x86_smp_mailbox - x86_smp_trampoline));
    mb->cr3_boot = (uint64_t)(uintptr_t)early_pml4;
    mb->efer = rdmsr(X86_MSR_EFER) & ((1 << 8) | (1 << 11));     /* LME, NXE */
    mb->stack = (uint64_t)(uintptr_t)stack_top;
    mb->entry = (uint64_t)(uintptr_t)x86_ap_entry64;
    start.cr0 = read_cr(0);
    start.cr3 = read_cr(3);
    start.cr4 = read_cr(4);
    start.xcr0 = 0;
    if (read_cr(4) & (1 << 18)) {                                  /* OSXSAVE */
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        start.xcr0 = (uint64_t)hi << 32 | lo;
    }
    start.entry = entry;
    start.cpu = cpu;
    percpu[cpu] = (struct x86_percpu){ .id = cpu, .apic_id = apic_id };
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* INIT, then two start-ups 200 us apart: the SDM's sequence. Its
     * 10 ms after INIT is for old hardware; under a hypervisor (CPUID.1
     * ECX bit 31) the virtual CPU needs none, as Linux also decides. */
    uint32_t r[4];
    cpuid(1, 0, r);
    bool virt = r[2] >> 31 & 1;
    x86_lapic_send_ipi(apic_id, ICR_INIT);
    anx_delay_ns(virt ? 0 : 10 * ANX_NS_PER_MS);
    for (int i = 0; i < 2; i++) {
        x86_lapic_send_ipi(apic_id, ICR_SIPI | (TRAMPOLINE >> 12));
        anx_delay_ns((virt ? 10 : 200) * ANX_NS_PER_US);
    }
    return 0;
}

/* The started CPU, on its own stack, still on the boot page tables. */
void x86_ap_main(void)
{
    unsigned cpu = start.cpu;
    __asm__ volatile("mov %0, %%cr3" :: "r"(start.cr3) : "memory");
    __asm__ volatile("mov %0, %%cr4" :: "r"(start.cr4) : "memory");
    __asm__ volatile("mov %0, %%cr0" :: "r"(start.cr0) : "memory");
    if (start.xcr0)
        __asm__ volatile("xsetbv" :: "a"((uint32_t)start.xcr0), "d"((uint32_t)(start.xcr0 >> 32)),
                         "c"(0));
    static const uint32_t mxcsr = 0x1f80;
    __asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr));
    x86_gdt_idt_load(cpu);
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)&percpu[cpu]);
    x86_apic_init_ap();
    start.entry(cpu);
}

void plat_ipi_send(unsigned cpu)
{
    if (cpu < CONFIG_CPUS)
        x86_lapic_send_ipi(cpu == 0 ? x86_lapic_id() : percpu[cpu].apic_id,
                           ICR_FIXED | X86_VEC_IPI);
}
