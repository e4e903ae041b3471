/*
 * Internal interface of the x86_64 CPU code (arch/x86_64) and the x86
 * platforms (platforms/x86_64-*). Not seen by the core or by modules: they
 * use <anx/platform.h> only.
 */
#ifndef ANX_X86_H
#define ANX_X86_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- selectors and vectors ------------------------------------------ */

#define X86_SEL_CODE64   0x08
#define X86_SEL_DATA     0x10
#define X86_SEL_CODE32   0x18
#define X86_SEL_TSS      0x20

#define X86_VEC_IRQ_BASE 0x40      /* GSI n -> vector 0x40 + n */
#define X86_NR_GSI       64
#define X86_VEC_TIMER    0xEF
#define X86_VEC_IPI      0xEE      /* plat_ipi_send: wake a CPU */
#define X86_VEC_SPURIOUS 0xFF

/* ---- port and MSR access -------------------------------------------- */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0,%1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0,%1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0,%1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1,%0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1,%0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
/* a * b / c without a 128-bit division call (saturates). */
static inline uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q, r;
    if (!c || hi >= c)
        return ~0ULL;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
    (void)r;
    return q;
}
static inline void cpu_pause(void) { __asm__ volatile("pause"); }

static inline uint32_t mmio_read32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_write32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint64_t mmio_read64(uintptr_t a) { return *(volatile uint64_t *)a; }
static inline void mmio_write64(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

#define X86_MSR_APIC_BASE    0x1B
#define X86_MSR_TSC_DEADLINE 0x6E0
#define X86_MSR_EFER         0xC0000080

/* ---- the interrupt frame built by vectors.S ------------------------- */

struct x86_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU */
};

/* ---- boot state (boot.c) -------------------------------------------- */

#define X86_BOOT_PVH  0x336ec578u      /* hvm_start_info magic */
#define X86_BOOT_MB2  0x36d76289u      /* multiboot2 loader magic */

struct x86_e820 {
    uint64_t base, size;
    uint32_t type;                     /* 1 RAM, 2 reserved, 3 ACPI, 4 NVS */
};
#define X86_MAX_E820 64
extern struct x86_e820 x86_e820[X86_MAX_E820];
extern size_t x86_e820_count;
extern uint64_t x86_mapped_limit;      /* early identity map covers [0, this) */
extern uint32_t x86_boot_magic;        /* set by entry.S */
extern uint64_t x86_boot_tsc;          /* TSC at the first instruction */

/* CPU features found at boot (cpu.c). */
struct x86_cpu {
    bool nx, pdpe1gb, xsave, avx, avx2, fma, f16c, tsc_deadline, x2apic, invariant_tsc;
    uint32_t max_leaf, max_ext_leaf;
};
extern struct x86_cpu x86_cpu;
void x86_cpu_detect(void);

/* ---- diagnostics (print.c) ------------------------------------------ */

void x86_puts(const char *s);
void x86_vprintf(const char *fmt, va_list ap);
void x86_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- pieces ---------------------------------------------------------- */

void x86_uart_init(void);
void x86_uart_enable_rx_irq(void);

void x86_gdt_idt_init(void);           /* gdt.c */

void x86_paging_init(void);            /* paging.c: final tables */
void x86_paging_early_extend(void);    /* map RAM above 4 GiB early */
bool x86_pool_reserve(void);           /* carve page-table pool from RAM */
extern uint64_t x86_pool_base, x86_pool_size;

/* acpi.c */
struct x86_ioapic_info { uint64_t base; uint32_t gsi_base; };
#define X86_MAX_CPUS 256
struct x86_acpi {
    uint64_t rsdp;                     /* physical, 0 if none */
    uint64_t lapic_base;
    struct x86_ioapic_info ioapic[4];
    int ioapic_count;
    uint32_t isa_gsi[16];              /* ISA IRQ -> GSI */
    uint16_t isa_flags[16];            /* MPS INTI flags */
    uint64_t hpet_base;                /* 0 if none */
    uint16_t pm_timer_port;            /* 0 if none */
    bool pm_timer_32;
    bool has_8259;
    uint32_t cpu_apic_id[X86_MAX_CPUS];  /* enabled processors, MADT order */
    int cpu_count;
    bool hw_reduced;
    /* power off */
    uint16_t pm1a_cnt, pm1b_cnt;
    uint16_t smi_cmd; uint8_t acpi_enable;
    uint8_t sleep_ctl_space; uint64_t sleep_ctl_addr;
    bool s5_valid; uint8_t slp_typa, slp_typb;
};
extern struct x86_acpi x86_acpi;
void x86_acpi_init(uint64_t rsdp_hint, bool scan);
void x86_acpi_poweroff(void);
/* Firmware ranges the final page tables keep mapped read-only. */
void x86_map_firmware(uint64_t base, uint64_t size);

/* apic.c */
void x86_pic_disable(void);
void x86_apic_init(void);
void x86_lapic_eoi(void);
void x86_ioapic_init(void);
void x86_irq_dispatch(int gsi);
void x86_timer_interrupt(void);
void x86_apic_init_ap(void);
uint32_t x86_lapic_id(void);
void x86_lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
/* gdt.c: a started CPU loads the GDT, IDT and its TSS */
void x86_gdt_idt_load(unsigned cpu);
/* smp.c */
void x86_percpu_init_boot(void);
/* boot.c: QEMU's fw_cfg answers at its I/O ports (it selects key 0) */
bool x86_fw_cfg_present(void);
uint64_t x86_lapic_base_phys(void);
void x86_lapic_calibrate_start(void);
void x86_lapic_calibrate_end(void);
const char *x86_tsc_source(void);

/* tsc.c */
void x86_tsc_cal_begin(void);           /* end of plat_early_init */
void x86_tsc_cal_end(void);             /* end of plat_init */
extern uint64_t x86_tsc_hz;

/* trap.c */
void x86_trap(struct x86_frame *f);

/* entry.S / vectors.S */
extern char x86_isr_stubs[];           /* 256 stubs, X86_ISR_STUB bytes apart */
#define X86_ISR_STUB 8
extern uint8_t x86_use_xsave;
extern uint32_t x86_fpu_size;

/* pci.c */
uint32_t x86_pci_cfg_read32(uint16_t bdf, uint16_t off);
void x86_pci_cfg_write32(uint16_t bdf, uint16_t off, uint32_t val);
void x86_pci_cfg_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size);

/* ---- what each x86 platform (platforms/x86_64-*) provides ------------ */

/* Trigger mode and polarity of a GSI >= 16 (ISA lines follow the MADT):
 * PCI INTx is level/active-low, microvm virtio-mmio level/active-high. */
void x86_plat_gsi_mode(int gsi, bool *level, bool *active_low);
/* Called at the end of plat_early_init / plat_init for board specifics. */
void x86_plat_early(void);
void x86_plat_init(void);

#endif
