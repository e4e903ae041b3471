/*
 * Interrupt controllers: the legacy 8259 pair is remapped and masked; the
 * local APIC (xAPIC MMIO, or x2APIC MSRs when the firmware left x2APIC on)
 * takes EOIs, the spurious vector and the one-shot timer (TSC-deadline
 * mode when CPUID has it, else one-shot count calibrated against the TSC);
 * the IOAPICs (from the MADT, else 0xFEC00000) route device lines: GSI n
 * arrives on vector 0x40 + n.
 */
#include <anx/platform.h>
#include "x86.h"

#define LAPIC_ID      0x020
#define LAPIC_TPR     0x080
#define LAPIC_EOI     0x0B0
#define LAPIC_SVR     0x0F0
#define LAPIC_ESR     0x280
#define LAPIC_LVT_TMR 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_ERR 0x370
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR 0x390
#define LAPIC_TMR_DIV 0x3E0
#define LVT_MASKED    (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)

static uintptr_t lapic;            /* MMIO base, 0 in x2APIC mode */
static bool x2apic;
static uint32_t lapic_id;
static uint64_t lapic_timer_hz;    /* after the divide-by-16 */
static bool use_tsc_deadline;
static volatile uint64_t timer_deadline[CONFIG_CPUS];  /* ns per CPU, 0 = none */

static struct { plat_irq_handler fn; void *arg; } handlers[X86_NR_GSI];

static uint32_t lapic_read(uint32_t reg)
{
    return x2apic ? (uint32_t)rdmsr(0x800 + (reg >> 4)) : mmio_read32(lapic + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
    if (x2apic)
        wrmsr(0x800 + (reg >> 4), v);
    else
        mmio_write32(lapic + reg, v);
}

uint64_t x86_lapic_base_phys(void)
{
    return rdmsr(X86_MSR_APIC_BASE) & 0x000ffffffffff000ULL;
}

static void lapic_setup_access(void)
{
    uint64_t m = rdmsr(X86_MSR_APIC_BASE);
    if (!(m & (1 << 11)))
        wrmsr(X86_MSR_APIC_BASE, m |= 1 << 11);      /* global enable */
    x2apic = m & (1 << 10);
    if (!x2apic)
        lapic = (uintptr_t)(m & 0x000ffffffffff000ULL);
}

void x86_pic_disable(void)
{
    if (!x86_acpi.has_8259)
        return;
    /* ICW1-4: remap to 0x20/0x28 so a stray interrupt cannot look like an
     * exception, then mask every line. */
    outb(0x20, 0x11); outb(0xA0, 0x11);
    outb(0x21, 0x20); outb(0xA1, 0x28);
    outb(0x21, 0x04); outb(0xA1, 0x02);
    outb(0x21, 0x01); outb(0xA1, 0x01);
    outb(0x21, 0xFF); outb(0xA1, 0xFF);
}

void x86_lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

/* Run the LAPIC timer down from 0xFFFFFFFF during the TSC calibration
 * window (tsc.c), so one window calibrates both. */
static uint64_t cal_tsc0;

void x86_lapic_calibrate_start(void)
{
    lapic_setup_access();
    lapic_write(LAPIC_SVR, 0x100 | X86_VEC_SPURIOUS);
    lapic_write(LAPIC_TMR_DIV, 0x3);                  /* divide by 16 */
    lapic_write(LAPIC_LVT_TMR, LVT_MASKED | X86_VEC_TIMER);
    lapic_write(LAPIC_TMR_INIT, 0xFFFFFFFFu);
    cal_tsc0 = rdtsc();
}

/* Called once x86_tsc_hz is known; lets the count run at least 50 us. */
void x86_lapic_calibrate_end(void)
{
    uint64_t min = x86_tsc_hz / 20000, t1 = rdtsc();
    for (int i = 0; i < 1000000 && t1 - cal_tsc0 < min; i++)
        t1 = rdtsc();
    uint32_t left = lapic_read(LAPIC_TMR_CUR);
    uint64_t tsc_cycles = t1 - cal_tsc0;
    lapic_write(LAPIC_TMR_INIT, 0);
    uint64_t ticks = 0xFFFFFFFFu - left;
    if (tsc_cycles && ticks && x86_tsc_hz)
        lapic_timer_hz = muldiv64(ticks, x86_tsc_hz, tsc_cycles);
    if (lapic_timer_hz < 10000 || lapic_timer_hz > 10000000000ULL) {
        lapic_timer_hz = 1000000000ULL / 16;             /* QEMU's 1 GHz APIC clock / 16 */
        x86_printf("x86: warning: LAPIC timer not calibrated; assuming %lu Hz\n", lapic_timer_hz);
    }
}

static uint32_t read_lapic_id(void)
{
    return x2apic ? lapic_read(LAPIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

uint32_t x86_lapic_id(void)
{
    return lapic_id;
}

/* This CPU's local APIC: accept every priority, mask LINT0 and errors,
 * enable it with the spurious vector, and the timer's vector and mode. */
static void lapic_program(void)
{
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERR, LVT_MASKED | 0xFE);
    lapic_write(LAPIC_SVR, 0x100 | X86_VEC_SPURIOUS);
    lapic_write(LAPIC_ESR, 0);
    lapic_write(LAPIC_LVT_TMR, X86_VEC_TIMER | (use_tsc_deadline ? LVT_TSC_DEADLINE : 0));
    x86_lapic_eoi();
}

/* A started CPU: its local APIC in the boot CPU's mode, the same vectors,
 * its own timer (calibrated once, on the boot CPU). */
void x86_apic_init_ap(void)
{
    uint64_t m = rdmsr(X86_MSR_APIC_BASE) | 1 << 11;
    if (x2apic)
        m |= 1 << 10;
    wrmsr(X86_MSR_APIC_BASE, m);
    lapic_write(LAPIC_TMR_DIV, 3);                       /* divide by 16, as calibrated */
    lapic_program();
}

/* Interrupt Command Register: one IPI to the local APIC `apic_id`. */
#define LAPIC_ICR_LO  0x300
#define LAPIC_ICR_HI  0x310
#define ICR_PENDING   (1u << 12)

void x86_lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    unsigned long f = plat_irq_save();
    if (x2apic) {
        wrmsr(0x830, (uint64_t)apic_id << 32 | icr_low);
    } else {
        mmio_write32(lapic + LAPIC_ICR_HI, apic_id << 24);
        mmio_write32(lapic + LAPIC_ICR_LO, icr_low);
        for (int i = 0; i < 100000 && (mmio_read32(lapic + LAPIC_ICR_LO) & ICR_PENDING); i++)
            cpu_pause();
    }
    plat_irq_restore(f);
}

void x86_apic_init(void)
{
    lapic_setup_access();
    if (lapic)
        plat_map_mmio(lapic, 4096);
    lapic_id = read_lapic_id();
    use_tsc_deadline = x86_cpu.tsc_deadline;
    /* the divider (16) and the count are running for calibration: keep them */
    lapic_program();
}

/* ---- IOAPIC ----------------------------------------------------------- */

static uint32_t ioapic_read(uintptr_t base, uint32_t reg)
{
    mmio_write32(base, reg);
    return mmio_read32(base + 0x10);
}

static void ioapic_write(uintptr_t base, uint32_t reg, uint32_t v)
{
    mmio_write32(base, reg);
    mmio_write32(base + 0x10, v);
}

static int ioapic_lines[4];

void x86_ioapic_init(void)
{
    if (!x86_acpi.ioapic_count) {
        x86_acpi.ioapic[0] = (struct x86_ioapic_info){ 0xFEC00000, 0 };
        x86_acpi.ioapic_count = 1;
    }
    for (int i = 0; i < x86_acpi.ioapic_count; i++) {
        uintptr_t b = (uintptr_t)plat_map_mmio(x86_acpi.ioapic[i].base, 4096);
        uint32_t ver = ioapic_read(b, 1);
        int n = ver == 0xFFFFFFFFu ? 0 : (int)(ver >> 16 & 0xff) + 1;
        ioapic_lines[i] = n;
        for (int l = 0; l < n; l++) {
            ioapic_write(b, 0x10 + 2 * l, LVT_MASKED);
            ioapic_write(b, 0x11 + 2 * l, 0);
        }
    }
}

static bool ioapic_route(uint32_t gsi, uint32_t low)
{
    for (int i = 0; i < x86_acpi.ioapic_count; i++) {
        uint32_t base = x86_acpi.ioapic[i].gsi_base;
        if (gsi >= base && gsi < base + (uint32_t)ioapic_lines[i]) {
            uintptr_t b = (uintptr_t)x86_acpi.ioapic[i].base;
            uint32_t l = gsi - base;
            ioapic_write(b, 0x11 + 2 * l, lapic_id << 24);
            ioapic_write(b, 0x10 + 2 * l, low);
            return true;
        }
    }
    return false;
}

int plat_irq_register(int irq, plat_irq_handler handler, void *arg)
{
    if (irq < 0)
        return -1;
    uint32_t gsi = (uint32_t)irq;
    bool level, low;
    if (irq < 16) {
        gsi = x86_acpi.isa_gsi[irq];
        uint16_t f = x86_acpi.isa_flags[irq];
        low = (f & 3) == 3;                 /* 00 = bus default (high) */
        level = (f >> 2 & 3) == 3;          /* 00 = bus default (edge) */
    } else {
        x86_plat_gsi_mode(irq, &level, &low);
    }
    if (gsi >= X86_NR_GSI)
        return -1;
    unsigned long fl = plat_irq_save();
    handlers[gsi].fn = handler;
    handlers[gsi].arg = arg;
    uint32_t low_word = (X86_VEC_IRQ_BASE + gsi) | (low ? 1u << 13 : 0) | (level ? 1u << 15 : 0);
    if (!handler)
        low_word |= LVT_MASKED;
    bool ok = ioapic_route(gsi, low_word);
    plat_irq_restore(fl);
    return ok ? 0 : -1;
}

void x86_irq_dispatch(int gsi)
{
    if (gsi >= 0 && gsi < X86_NR_GSI && handlers[gsi].fn)
        handlers[gsi].fn(handlers[gsi].arg);
    x86_lapic_eoi();
}

/* ---- one-shot timer ------------------------------------------------------ */

extern void anx_timer_interrupt(void);

static void timer_arm(uint64_t deadline)
{
    if (!deadline) {
        if (use_tsc_deadline)
            wrmsr(X86_MSR_TSC_DEADLINE, 0);
        else
            lapic_write(LAPIC_TMR_INIT, 0);
        return;
    }
    uint64_t now = plat_time_ns();
    uint64_t delta = deadline > now ? deadline - now : 0;
    if (use_tsc_deadline) {
        uint64_t cyc = muldiv64(delta, x86_tsc_hz, 1000000000u);
        wrmsr(X86_MSR_TSC_DEADLINE, rdtsc() + (cyc ? cyc : 1));
    } else {
        uint64_t t = muldiv64(delta, lapic_timer_hz, 1000000000u);
        uint32_t count = t > 0xFFFFFFFFu ? 0xFFFFFFFFu : t ? (uint32_t)t : 1;
        lapic_write(LAPIC_TMR_INIT, count);
    }
}

void plat_timer_set_deadline(uint64_t deadline_ns)
{
    unsigned long f = plat_irq_save();
    timer_deadline[plat_cpu_id()] = deadline_ns;
    timer_arm(deadline_ns);
    plat_irq_restore(f);
}

void x86_timer_interrupt(void)
{
    x86_lapic_eoi();
    unsigned cpu = plat_cpu_id();
    uint64_t d = timer_deadline[cpu];
    if (!d)
        return;
    if (plat_time_ns() < d) {           /* a long wait was clamped: re-arm */
        timer_arm(d);
        return;
    }
    timer_deadline[cpu] = 0;
    anx_timer_interrupt();
}

/* ---- interrupt flag ------------------------------------------------------ */

bool plat_irq_enabled(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f & 0x200;
}

unsigned long plat_irq_save(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(f) :: "memory");
    return f & 0x200;
}

void plat_irq_restore(unsigned long flags)
{
    if (flags & 0x200)
        __asm__ volatile("sti" ::: "memory");
}

void plat_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}

void plat_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

void plat_wait_for_interrupt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
