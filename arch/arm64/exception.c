/*
 * Exceptions and interrupts at EL1: IRQ dispatch through the GIC, the
 * report of a fatal exception (class name, ESR, FAR, ELR, SPSR, x0-x30,
 * SP, then the core's backtrace and power-off with status 3), the
 * frame-pointer backtrace, interrupt masking and faults on purpose.
 */
#include <anx/panic.h>
#include <anx/platform.h>
#include "arm64.h"

/* ---- interrupts ------------------------------------------------------- */

#define MAX_INTID 1020

static struct {
    void (*fn)(void *);
    void *arg;
} handlers[MAX_INTID];

int arm64_irq_set_handler(int intid, void (*fn)(void *), void *arg)
{
    if (intid < 0 || intid >= MAX_INTID || !fn)
        return -1;
    unsigned long f = plat_irq_save();
    handlers[intid].fn = fn;
    handlers[intid].arg = arg;
    plat_irq_restore(f);
    return 0;
}

/* Called by vectors.S with the interrupted context saved, IRQs masked. */
void arm64_irq(void)
{
    for (int i = 0; i < 32; i++) {         /* drain, but never forever */
        uint32_t iar = gic_ack();
        uint32_t id = iar & (gic_version() == 3 ? 0xffffffu : 0x3ffu);
        if (id >= MAX_INTID)
            break;                          /* 1020..1023: spurious / none */
        if (handlers[id].fn)
            handlers[id].fn(handlers[id].arg);
        else
            gic_disable((int)id);           /* nobody wants it: silence it */
        gic_eoi(iar);
    }
}

unsigned long plat_irq_save(void)
{
    unsigned long f;
    __asm__ volatile("mrs %0, daif\n msr daifset, #2" : "=r"(f) :: "memory");
    return f;
}

void plat_irq_restore(unsigned long flags)
{
    __asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

void plat_irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
void plat_irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }

bool plat_irq_enabled(void)
{
    unsigned long f;
    __asm__ volatile("mrs %0, daif" : "=r"(f));
    return !(f & 0x80);
}

void plat_wait_for_interrupt(void)
{
    /* wfi wakes on a pending interrupt even while masked, so nothing can
     * slip in between; unmasking then takes it at the isb. */
    __asm__ volatile("dsb sy\n wfi\n msr daifclr, #2\n isb\n msr daifset, #2" ::: "memory");
}

/* ---- fault report ----------------------------------------------------- */

static void put(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            plat_console_putc('\r');
        plat_console_putc(*s);
    }
}

static void hex(uint64_t v)
{
    char b[19] = "0x";
    for (int i = 0; i < 16; i++)
        b[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
    b[18] = 0;
    put(b);
}

static void dec(unsigned v)
{
    char b[12];
    int i = 11;
    b[i] = 0;
    do
        b[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    put(b + i);
}

void arm64_fault_puts(const char *s) { put(s); }

static const char *ec_name(unsigned ec)
{
    switch (ec) {
    case 0x00: return "Undefined instruction";
    case 0x01: return "WFI/WFE trap";
    case 0x07: return "FP/SIMD access trap";
    case 0x0e: return "Illegal execution state";
    case 0x15: return "SVC";
    case 0x16: return "HVC";
    case 0x17: return "SMC";
    case 0x18: return "System register trap";
    case 0x20: case 0x21: return "Instruction Abort";
    case 0x22: return "PC alignment fault";
    case 0x24: case 0x25: return "Data Abort";
    case 0x26: return "SP alignment fault";
    case 0x2c: return "FP exception";
    case 0x2f: return "SError";
    case 0x30: case 0x31: return "Breakpoint";
    case 0x32: case 0x33: return "Software step";
    case 0x34: case 0x35: return "Watchpoint";
    case 0x3c: return "BRK instruction";
    default: return "Unknown exception class";
    }
}

static const char *fsc_name(unsigned fsc)
{
    switch (fsc & 0x3c) {
    case 0x00: return "Address size fault";
    case 0x04: return "Translation fault";
    case 0x08: return "Access flag fault";
    case 0x0c: return "Permission fault";
    }
    switch (fsc) {
    case 0x10: return "Synchronous external abort";
    case 0x21: return "Alignment fault";
    case 0x30: return "TLB conflict";
    default: return "Other fault";
    }
}

/* "Data Abort: Translation fault, level 0, read" into buf */
static const char *describe(uint64_t esr, char *buf, size_t n)
{
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    size_t at = 0;
#define APPEND(s) do { for (const char *p_ = (s); *p_ && at + 1 < n; p_++) buf[at++] = *p_; } while (0)
    APPEND(ec_name(ec));
    if (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25) {
        unsigned fsc = (unsigned)esr & 0x3f;
        APPEND(": ");
        APPEND(fsc_name(fsc));
        if (fsc < 0x10) {
            char lv[] = ", level 0";
            lv[8] = (char)('0' + (fsc & 3));
            APPEND(lv);
        }
        if (ec >= 0x24)
            APPEND((esr >> 6) & 1 ? ", write" : ", read");
        else
            APPEND(", instruction fetch");
    }
    if (ec == 0x3c && (esr & 0xffff) == 0xd0)
        APPEND(": Divide by zero (arm64 division does not trap; brk #0xd0)");
#undef APPEND
    buf[at] = 0;
    return buf;
}

static const char *const kind_names[] = {
    "synchronous exception", "IRQ", "FIQ", "SError",
    "exception taken on SP_EL0", "exception from a lower EL",
};

void arm64_psci_off(void);

extern volatile unsigned arm64_fault_depth[CONFIG_CPUS];   /* vectors.S, per CPU */

void plat_fault_done(void)
{
    arm64_fault_depth[plat_cpu_id()] = 0;
}

/* Called by vectors.S on the fault stack; does not return. */
_Noreturn void arm64_fatal_exception(struct arm64_frame *f)
{
    static char name[128];
    if (arm64_powering_off) {   /* semihosting hlt trapped: it is off */
        arm64_psci_off();
        for (;;)
            __asm__ volatile("wfi");
    }
    unsigned kind = f->kind < 6 ? (unsigned)f->kind : 0;
    unsigned ec = (unsigned)(f->esr >> 26) & 0x3f;
    const char *what = kind == 0 ? describe(f->esr, name, sizeof name) : kind_names[kind];

    put("\n*** arm64 ");
    put(kind_names[kind]);
    put(": ");
    put(what);
    put("\n  ESR ");
    hex(f->esr);
    put(" (EC ");
    hex(ec);
    put(")  FAR ");
    hex(f->far);
    put("\n  ELR ");
    hex(f->elr);
    put("  SPSR ");
    hex(f->spsr);
    put("  SP ");
    hex(f->sp);
    put("\n");
    for (int i = 0; i < 31; i++) {
        put(i < 10 ? "  x" : " x");
        dec((unsigned)i);
        put(" ");
        hex(f->x[i]);
        if (i % 4 == 3 || i == 30)
            put("\n");
    }

    struct anx_fault af = {
        .name = what,
        .vector = kind == 0 ? ec : 0x80u * kind,
        .error = f->esr,
        .pc = f->elr,
        .sp = f->sp,
        .fp = f->x[29],
        .addr = f->far,
        .has_addr = kind == 0 && (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25 ||
                                  ec == 0x22),
        /* a synchronous exception of a thread with IRQs unmasked (SPSR.I
         * clear); the report runs on the fault stack, which the core may
         * leave for good */
        .containable = kind == 0 && !(f->spsr & (1u << 7)),
    };
    anx_fault_report(&af);
}

_Noreturn void arm64_thread_returned(void)
{
    anx_panic("a thread's entry function returned");
}

/* ---- backtrace -------------------------------------------------------- */

size_t plat_backtrace(uintptr_t frame, uintptr_t *pcs, size_t max)
{
    uintptr_t fp = frame ? frame : (uintptr_t)__builtin_frame_address(0);
    uintptr_t ts = (uintptr_t)__text_start, te = (uintptr_t)__text_end;
    size_t n = 0;
    while (n < max && fp) {
        /* an AAPCS64 frame record: [fp] = caller's fp, [fp + 8] = lr */
        if ((fp & 7) || !arm64_is_ram(fp, 16))
            break;
        uintptr_t next = ((uintptr_t *)fp)[0];
        uintptr_t lr = ((uintptr_t *)fp)[1];
        if (lr < ts || lr >= te)
            break;
        pcs[n++] = lr;
        if (next <= fp || next - fp > (1u << 20))   /* stacks grow down */
            break;
        fp = next;
    }
    return n;
}

/* ---- faults on purpose ------------------------------------------------ */

#define UNMAPPED_VA 0x0000100000000000ull   /* 16 TiB: no table maps it */

void plat_trigger_fault(const char *kind)
{
    static const char *const kinds[] = {"pagefault", "ud", "div0", "write-text", "exec-data",
                                        "wxorx" /* old name of write-text */};
    int k = -1;
    for (int i = 0; i < 6 && k < 0; i++) {
        const char *a = kind, *b = kinds[i];
        while (*a && *a == *b)
            a++, b++;
        if (*a == 0 && *b == 0)
            k = i;
    }
    if (k == 5)
        k = 3;
    switch (k) {
    case 0:     /* translation fault: read of an address no table maps */
        (void)*(volatile uint64_t *)UNMAPPED_VA;
        break;
    case 1:     /* permanently undefined instruction */
        __asm__ volatile("udf #0");
        break;
    case 2: {   /* sdiv by zero yields 0 on arm64; report it through brk */
        volatile int64_t a = 1, b = 0;
        volatile int64_t c = a / b;
        (void)c;
        __asm__ volatile("brk #0xd0");
        break;
    }
    case 3:     /* write to the read-only text: permission fault */
        *(volatile uint32_t *)(uintptr_t)__text_start = 0xd503201f;
        break;
    case 4: {   /* jump into writable data: PXN instruction abort */
        static uint32_t code[1] = {0xd65f03c0};      /* ret */
        ((void (*)(void))(uintptr_t)code)();
        break;
    }
    }
}
