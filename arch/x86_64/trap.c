/*
 * The C side of interrupt entry: device interrupts go to their handlers,
 * CPU exceptions are fatal: we print the trapped registers, then the
 * core's anx_fault_report() prints the fault line and the backtrace and
 * powers off with status 3. A fault while reporting a fault powers off at
 * once (no loop, no triple fault).
 */
#include <anx/panic.h>
#include <anx/platform.h>
#include "x86.h"

#define EXIT_PANIC ANX_EXIT_PANIC

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range exceeded", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor segment overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack-segment fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 floating-point error", "#AC alignment check",
    "#MC machine check", "#XM SIMD floating-point exception", "#VE virtualization exception",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "#HV hypervisor injection", "#VC VMM communication",
    "#SX security exception", "reserved 31",
};

static volatile int fault_depth;

void plat_fault_done(void)
{
    fault_depth = 0;
}

static inline uint64_t read_cr(int n)
{
    uint64_t v = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%cr0,%0" : "=r"(v)); break;
    case 2: __asm__ volatile("mov %%cr2,%0" : "=r"(v)); break;
    case 3: __asm__ volatile("mov %%cr3,%0" : "=r"(v)); break;
    case 4: __asm__ volatile("mov %%cr4,%0" : "=r"(v)); break;
    }
    return v;
}

/* Is [p, p+len) memory we may read without faulting? */
static bool readable(uintptr_t p, size_t len)
{
    if (p + len < p)
        return false;
    if (p >= (uintptr_t)__image_start && p + len <= (uintptr_t)__image_end)
        return true;
    for (size_t i = 0; i < x86_e820_count; i++) {
        const struct x86_e820 *e = &x86_e820[i];
        if (e->type == 1 && p >= e->base && p + len <= e->base + e->size &&
            p + len <= x86_mapped_limit && p >= 0x1000)
            return true;
    }
    return false;
}

static bool in_text(uintptr_t pc)
{
    return pc >= (uintptr_t)__text_start && pc < (uintptr_t)__text_end;
}

static size_t walk(uintptr_t fp, uintptr_t *pcs, size_t max)
{
    size_t n = 0;
    while (n < max && fp && !(fp & 7) && readable(fp, 16)) {
        uintptr_t next = ((uintptr_t *)fp)[0];
        uintptr_t ret = ((uintptr_t *)fp)[1];
        if (!in_text(ret))
            break;
        pcs[n++] = ret;
        if (next <= fp || next - fp > (1u << 20))   /* stacks grow down: frames go up */
            break;
        fp = next;
    }
    return n;
}

__attribute__((noinline)) size_t plat_backtrace(uintptr_t frame, uintptr_t *pcs, size_t max)
{
    if (!frame)
        frame = (uintptr_t)__builtin_frame_address(0);
    return walk(frame, pcs, max);
}

static _Noreturn void exception(struct x86_frame *f)
{
    if (fault_depth++ > 0) {
        if (fault_depth == 2)
            x86_printf("\nanunix: fault %u at %lx inside the fault handler; powering off\n",
                       (unsigned)f->vector, f->rip);
        plat_poweroff(EXIT_PANIC);
    }
    unsigned v = (unsigned)f->vector & 31;
    x86_printf("\n*** anunix: CPU exception %u %s, error code %lx", v, exc_names[v], f->error);
    if (v == 14)
        x86_printf(" (%s, %s%s%s)", f->error & 1 ? "protection violation" : "page not present",
                   f->error & 16 ? "instruction fetch" : f->error & 2 ? "write" : "read",
                   f->error & 4 ? ", user" : "", f->error & 8 ? ", reserved bit" : "");
    x86_printf("\n  RIP %016lx  RSP %016lx  RFLAGS %016lx\n", f->rip, f->rsp, f->rflags);
    x86_printf("  CS  %04lx  SS %04lx\n", f->cs, f->ss);
    x86_printf("  RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    x86_printf("  RSI %016lx  RDI %016lx  RBP %016lx  R8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    x86_printf("  R9  %016lx  R10 %016lx  R11 %016lx  R12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    x86_printf("  R13 %016lx  R14 %016lx  R15 %016lx\n", f->r13, f->r14, f->r15);
    x86_printf("  CR0 %016lx  CR2 %016lx  CR3 %016lx  CR4 %016lx\n",
               read_cr(0), read_cr(2), read_cr(3), read_cr(4));
    /* a leaf without a frame yet: its return address is at [rsp] */
    if (readable(f->rsp, 8) && in_text(*(uintptr_t *)f->rsp))
        x86_printf("  [rsp] %lx (caller, if the faulting function had no frame yet)\n",
                   *(uintptr_t *)f->rsp);
    struct anx_fault af = {
        .name = exc_names[v] + (exc_names[v][0] == '#' ? 4 : 0),
        .vector = v,
        .error = f->error,
        .pc = f->rip,
        .sp = f->rsp,
        .fp = f->rbp,
        .addr = read_cr(2),
        .has_addr = v == 14,
        /* #DF, NMI and #MC run on IST stacks; IF clear means a critical
         * section or an interrupt handler was trapped */
        .containable = v != 2 && v != 8 && v != 18 && (f->rflags & 0x200),
    };
    anx_fault_report(&af);
}

void x86_trap(struct x86_frame *f)
{
    uint64_t v = f->vector;
    if (v < 32) {
        exception(f);
    } else if (v >= X86_VEC_IRQ_BASE && v < X86_VEC_IRQ_BASE + X86_NR_GSI) {
        x86_irq_dispatch((int)(v - X86_VEC_IRQ_BASE));
    } else if (v == X86_VEC_TIMER) {
        x86_timer_interrupt();
    } else if (v == X86_VEC_IPI) {
        x86_lapic_eoi();
        anx_ipi_interrupt();
    }
    /* spurious (0xFF) and stray 8259 vectors (0x20-0x2F): no EOI */
}

static volatile uint8_t data_ret[16] __attribute__((aligned(16))) = { 0xC3 };

static __attribute__((noinline)) int recurse(volatile int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth > 1000000)                 /* never: the guard page stops it */
        return 0;
    return recurse(depth + 1) + pad[0];
}

static bool streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

void plat_trigger_fault(const char *kind)
{
    const char *k = kind ? kind : "";
#define IS(s) streq(k, s)
    if (IS("ud")) {
        __asm__ volatile("ud2");
    } else if (IS("div0")) {
        __asm__ volatile("xorl %%ecx,%%ecx; movl $1,%%eax; xorl %%edx,%%edx; divl %%ecx" ::: "eax", "ecx", "edx");
    } else if (IS("write-text")) {
        *(volatile uint8_t *)(uintptr_t)plat_trigger_fault = 0xCC;
    } else if (IS("exec-data")) {
        ((void (*)(void))(uintptr_t)data_ret)();
    } else if (IS("gp")) {
        *(volatile uint64_t *)0x8000000000000000ULL = 1;   /* non-canonical */
    } else if (IS("stack-overflow")) {
        recurse(0);
    } else if (IS("breakpoint")) {
        __asm__ volatile("int3");
    } else if (IS("pagefault")) {
        *(volatile uint64_t *)(uintptr_t)0x00007ffffff00000ULL = 1;
    }
    /* an unknown kind returns: the caller reports that nothing trapped */
#undef IS
}
