/*
 * Time: the TSC is the clock (plat_time_ns, plat_cycles). Its frequency
 * comes from CPUID 0x15 (crystal ratio) or 0x16, the hypervisor timing
 * leaf 0x40000010, or a measurement against the HPET, the ACPI PM timer or
 * PIT channel 0, whichever exists. The local APIC timer (when there is no
 * TSC-deadline mode) is calibrated against the TSC in the same window.
 *
 * To keep boot fast the window overlaps useful work: x86_tsc_cal_begin()
 * (end of plat_early_init) takes the first reading of the reference and
 * the TSC, x86_tsc_cal_end() (end of plat_init) the second one, spinning
 * only if less than WINDOW_US passed. Every wait is bounded by an
 * iteration count, so absent or frozen hardware cannot hang the boot.
 * (The PIT wraps too soon for that: it gets an active window of its own.)
 * Before the end, plat_time_ns is coarse (it uses CPUID's frequency or
 * PRECAL_HZ); it never goes backwards when the calibrated value arrives.
 * With no usable reference the TSC is assumed to run at
 * X86_TSC_DEFAULT_HZ and a warning is printed.
 */
#include <anx/platform.h>
#include "x86.h"

#define X86_TSC_DEFAULT_HZ 2000000000UL
#define PRECAL_HZ 10000000000UL    /* high on purpose: early time errs low */
#define WINDOW_US 200
#define MAX_SPINS 200000

uint64_t x86_tsc_hz = PRECAL_HZ;
static uint64_t ns_mult = (1000000000ULL << 32) / PRECAL_HZ;  /* ns = cycles*mult >> 32 */
static uint64_t base_tsc, base_ns;  /* time = base_ns + (tsc - base_tsc) * mult */
static const char *tsc_source = "uncalibrated";

enum ref { REF_NONE, REF_HPET, REF_PM, REF_PIT };
static enum ref ref;
static uintptr_t hpet;
static uint64_t hpet_period_fs, ref0, tsc0;
static const char *cpuid_src;
static uint64_t cpuid_hz;

static uint64_t time_at(uint64_t tsc)
{
    uint64_t b = base_tsc ? base_tsc : x86_boot_tsc;
    return base_ns + (uint64_t)(((unsigned __int128)(tsc - b) * ns_mult) >> 32);
}

static void set_hz(uint64_t hz, const char *src)
{
    uint64_t now = rdtsc(), old = time_at(now);
    uint64_t mult = muldiv64(1000000000ULL, 1ULL << 32, hz);
    uint64_t fresh = (uint64_t)(((unsigned __int128)(now - x86_boot_tsc) * mult) >> 32);
    if (fresh >= old) {                 /* re-base on the boot TSC: exact from entry */
        base_tsc = x86_boot_tsc;
        base_ns = 0;
    } else {                            /* keep time monotonic */
        base_tsc = now;
        base_ns = old;
    }
    ns_mult = mult;
    x86_tsc_hz = hz;
    tsc_source = src;
}

static bool plausible(uint64_t hz)
{
    return hz >= 100000000ULL && hz <= 20000000000ULL;
}

static uint64_t from_cpuid(const char **src)
{
    uint32_t r[4];
    if (x86_cpu.max_leaf >= 0x15) {
        cpuid(0x15, 0, r);
        if (r[0] && r[1] && r[2]) {
            *src = "cpuid 0x15";
            return muldiv64(r[2], r[1], r[0]);
        }
    }
    if (x86_cpu.max_leaf >= 0x16) {
        cpuid(0x16, 0, r);
        if (r[0] & 0xffff) {
            *src = "cpuid 0x16";
            return (uint64_t)(r[0] & 0xffff) * 1000000ULL;
        }
    }
    cpuid(1, 0, r);
    if (r[2] >> 31) {                          /* running under a hypervisor */
        cpuid(0x40000000, 0, r);
        if (r[0] >= 0x40000010 && r[0] < 0x40010000) {
            cpuid(0x40000010, 0, r);
            if (r[0]) {
                *src = "hypervisor leaf";
                return (uint64_t)r[0] * 1000ULL;
            }
        }
    }
    return 0;
}

/* Current reference count, in its own ticks (monotonic over the window),
 * and the TSC taken right at the moment the reference was sampled. */
static uint64_t ref_read(uint64_t *tsc)
{
    uint64_t v = 0;
    switch (ref) {
    case REF_HPET:
        v = mmio_read64(hpet + 0xF0);
        *tsc = rdtsc();
        break;
    case REF_PM:
        v = inl(x86_acpi.pm_timer_port) & (x86_acpi.pm_timer_32 ? 0xFFFFFFFFu : 0xFFFFFFu);
        *tsc = rdtsc();
        break;
    case REF_PIT: {
        outb(0x43, 0x00);                      /* latch channel 0 */
        *tsc = rdtsc();
        uint8_t lo = inb(0x40), hi = inb(0x40);
        v = (uint16_t)~(lo | hi << 8);         /* counts down: invert */
        break;
    }
    default:
        *tsc = rdtsc();
    }
    return v;
}

static uint64_t ref_delta(uint64_t a, uint64_t b)
{
    if (ref == REF_PM)
        return (b - a) & (x86_acpi.pm_timer_32 ? 0xFFFFFFFFu : 0xFFFFFFu);
    if (ref == REF_PIT)
        return (b - a) & 0xFFFF;
    return b - a;
}

/* Femtoseconds of `ticks` reference ticks. */
static uint64_t ref_fs(uint64_t ticks)
{
    switch (ref) {
    case REF_HPET: return ticks * hpet_period_fs;
    case REF_PM:   return muldiv64(ticks, 1000000000000000ULL, 3579545ULL);
    case REF_PIT:  return muldiv64(ticks, 1000000000000000ULL, 1193182ULL);
    default:       return 0;
    }
}

static bool hpet_probe(void)
{
    uint64_t base = x86_acpi.hpet_base;
    if (!base || base >= x86_mapped_limit)
        return false;
    hpet = (uintptr_t)plat_map_mmio(base, 1024);
    uint64_t cap = mmio_read64(hpet);
    hpet_period_fs = cap >> 32;
    if (cap == ~0ULL || !hpet_period_fs || hpet_period_fs > 100000000ULL)
        return false;
    uint64_t cfg = mmio_read64(hpet + 0x10);
    if (!(cfg & 1))
        mmio_write64(hpet + 0x10, cfg | 1);
    return true;
}

/* PIT channel 0 as a free-running down-counter (mode 2, reload 65536,
 * wraps every 55 ms); no port 0x61 needed, so it also works on microvm. */
static void pit_start(void)
{
    outb(0x43, 0x34);                          /* ch0, lo/hi, mode 2 */
    outb(0x40, 0x00);
    outb(0x40, 0x00);
}

void x86_tsc_cal_begin(void)
{
    cpuid_hz = from_cpuid(&cpuid_src);
    if (plausible(cpuid_hz))
        set_hz(cpuid_hz, cpuid_src);
    bool need_lapic = !x86_cpu.tsc_deadline;
    if (plausible(cpuid_hz) && !need_lapic)
        return;
    if (need_lapic)
        x86_lapic_calibrate_start();
    if (!plausible(cpuid_hz)) {
        if (hpet_probe())
            ref = REF_HPET;
        else if (x86_acpi.pm_timer_port && inl(x86_acpi.pm_timer_port) != 0xFFFFFFFFu)
            ref = REF_PM;
        else
            ref = REF_PIT;                     /* probed and timed in cal_end */
    }
    ref0 = ref_read(&tsc0);
}

void x86_tsc_cal_end(void)
{
    if (ref == REF_PIT) {
        /* the PIT wraps every 55 ms, so time it in a window of its own */
        pit_start();
        ref0 = ref_read(&tsc0);
        uint64_t r = ref0, t;
        for (int i = 0; i < 64 && r == ref0; i++)
            r = ref_read(&t);
        if (r == ref0)                         /* not counting: no PIT (reads 0xFF) */
            ref = REF_NONE;
    }
    if (ref != REF_NONE) {
        uint64_t want = WINDOW_US * 1000000000ULL, r1 = ref0, t1 = tsc0;
        for (int i = 0; i < MAX_SPINS && ref_fs(ref_delta(ref0, r1)) < want; i++)
            r1 = ref_read(&t1);
        uint64_t fs = ref_fs(ref_delta(ref0, r1));
        uint64_t hz = fs >= want ? muldiv64(t1 - tsc0, 1000000000000000ULL, fs) : 0;
        static const char *const names[] = { "none", "hpet", "acpi pm timer", "pit" };
        if (plausible(hz))
            set_hz(hz, names[ref]);
        else
            ref = REF_NONE;
    }
    if (ref == REF_NONE && !plausible(cpuid_hz)) {
        set_hz(X86_TSC_DEFAULT_HZ, "default");
        x86_printf("x86: warning: no timer to calibrate the TSC; assuming %lu MHz\n",
                   X86_TSC_DEFAULT_HZ / 1000000);
    }
    if (!x86_cpu.tsc_deadline)
        x86_lapic_calibrate_end();
}

const char *x86_tsc_source(void)
{
    return tsc_source;
}

uint64_t plat_time_ns(void)
{
    return time_at(rdtsc());
}

uint64_t plat_cycles(void)
{
    return rdtsc();
}

uint64_t plat_cycles_hz(void)
{
    return x86_tsc_hz;
}
