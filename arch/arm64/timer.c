/*
 * The ARM generic timer: the virtual counter (CNTVCT_EL0) is the clock,
 * the virtual timer (CNTV_*, PPI 27 on virt) the one-shot deadline.
 * CNTFRQ_EL0 gives the frequency (62.5 MHz under QEMU), so nothing needs
 * calibrating and plat_time_ns works from the first instruction on.
 *
 * Several CPUs: the counter is the same on every CPU (CNTVOFF_EL2 is 0),
 * and each CPU has its own virtual timer and its own copy of the timer's
 * PPI, so plat_timer_set_deadline arms the calling CPU's timer and needs
 * no per-CPU state here (x86's APIC timer keeps a deadline per CPU only to
 * re-arm waits its 32-bit count had to clamp; CNTV_CVAL_EL0 is 64 bits).
 * A started CPU enables its PPI with arm64_timer_init_cpu.
 */
#include <anx/platform.h>
#include <anx/time.h>
#include "arm64.h"

#define NS_PER_S 1000000000ull

static uint64_t freq;
static int timer_intid = 27;

static uint64_t counter(void)
{
    isb();                         /* do not read the counter early */
    return sysreg_read(cntvct_el0);
}

static uint64_t hz(void)
{
    if (!freq) {
        freq = sysreg_read(cntfrq_el0);
        if (freq == 0)
            freq = 62500000;       /* firmware forgot to set it: QEMU's value */
    }
    return freq;
}

uint64_t plat_cycles(void) { return counter(); }
uint64_t plat_cycles_hz(void) { return hz(); }

static uint64_t ticks_to_ns(uint64_t t)
{
    uint64_t f = hz();
    return t / f * NS_PER_S + t % f * NS_PER_S / f;
}

static uint64_t ns_to_ticks_up(uint64_t ns)
{
    uint64_t f = hz();
    return ns / NS_PER_S * f + (ns % NS_PER_S * f + NS_PER_S - 1) / NS_PER_S;
}

uint64_t plat_time_ns(void)
{
    return ticks_to_ns(counter() - arm64_boot_counter);
}

void plat_timer_set_deadline(uint64_t deadline_ns)
{
    if (deadline_ns == 0) {
        sysreg_write(cntv_ctl_el0, 0);
        isb();
        return;
    }
    uint64_t cval = arm64_boot_counter + ns_to_ticks_up(deadline_ns);
    sysreg_write(cntv_cval_el0, cval);
    sysreg_write(cntv_ctl_el0, 1);     /* ENABLE, not masked */
    isb();
}

static void timer_irq(void *arg)
{
    (void)arg;
    sysreg_write(cntv_ctl_el0, 0);     /* one-shot: stop (the line is level) */
    isb();
    anx_timer_interrupt();             /* may program the next deadline */
}

void arm64_timer_init(int intid)
{
    if (intid >= 16 && intid < 32)
        timer_intid = intid;
    hz();
    sysreg_write(cntv_ctl_el0, 0);
    isb();
    arm64_irq_set_handler(timer_intid, timer_irq, 0);
    gic_enable(timer_intid, false);
}

/* A started CPU (smp.c): its timer stopped, its copy of the PPI enabled;
 * the handler is the boot CPU's. */
void arm64_timer_init_cpu(void)
{
    sysreg_write(cntv_ctl_el0, 0);
    isb();
    gic_enable(timer_intid, false);
}

int arm64_timer_intid(void) { return timer_intid; }
