/*
 * The platform interface: everything the arch-neutral core needs from the
 * hardware layer of one target. Each platform (platforms/NAME + arch/ARCH)
 * implements all of it; nothing in core/ or modules/ looks at the
 * architecture except through this header.
 *
 * Boot order, driven by the core's kmain():
 *   arch entry (asm) -> plat_early_init(boot_info)  console out, memory map
 *   core: pmem, heap, log
 *   plat_init()                                      interrupts, timer, paging
 *   core: threads, modules, ...
 */
#ifndef ANX_PLATFORM_H
#define ANX_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- identity ------------------------------------------------------- */

const char *plat_name(void);   /* "x86_64-pc" */
const char *plat_arch(void);   /* "x86_64" */

/* ---- early boot ----------------------------------------------------- */

/* Called first from kmain with the pointer the boot loader passed
 * (PVH start_info, multiboot2 info, device tree ...). Must make
 * plat_console_putc usable and record the memory map. No heap yet. */
void plat_early_init(void *boot_info);

/* Called once the heap works: interrupt controller, timer, final page
 * tables with permissions (text RX, rodata R, data RW+NX), SIMD state. */
void plat_init(void);

/* The kernel command line from the boot loader, "" if none. */
const char *plat_cmdline(void);

/* ---- memory ----------------------------------------------------------- */

struct plat_mem_region {
    uint64_t base;
    uint64_t size;
};

/* Usable RAM regions (already excluding the kernel image, boot data and
 * page tables the platform keeps). Returns the count, fills at most max.
 * The core uses these regions at virtual == physical addresses, so the
 * platform maps all of them that way (read-write, non-executable). */
size_t plat_mem_regions(struct plat_mem_region *out, size_t max);

/* Bounds of the loaded image, from the linker script. */
extern char __image_start[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __bss_end[], __image_end[];

/* ---- console (early, polled) ------------------------------------------ */

/* Write one byte as is: the core's console (core/console.c) already turns
 * "\n" into "\r\n", so the platform must not add another '\r'. */
void plat_console_putc(char c);
/* Next received byte, or -1 when none is waiting. Never blocks. */
int plat_console_getc(void);
/* Interrupt line of the console receiver, or -1 if it has none (the core
 * then polls from the idle loop). */
int plat_console_irq(void);

/* ---- interrupts ------------------------------------------------------- */

typedef void (*plat_irq_handler)(void *arg);

/* Route device interrupt line `irq` (ISA/GSI number on x86, SPI/INTID on
 * arm64) to handler. Handlers run with interrupts off and must only
 * acknowledge their device and wake threads. Returns 0 or -1. */
int plat_irq_register(int irq, plat_irq_handler handler, void *arg);

/* Interrupt flag helpers. save/restore nest. */
unsigned long plat_irq_save(void);         /* disable, return old state */
void plat_irq_restore(unsigned long flags);
void plat_irq_enable(void);
void plat_irq_disable(void);
bool plat_irq_enabled(void);            /* are interrupts on here? */

/* Atomically enable interrupts and wait for one (sti;hlt / wfi); returns
 * with interrupts disabled after an interrupt was taken. */
void plat_wait_for_interrupt(void);

/* ---- time ------------------------------------------------------------- */

/* Monotonic nanoseconds, 0 at (or just before) the image's first
 * instruction, so boot times read as time since entry. Must work
 * right after plat_early_init (calibration may be coarse until plat_init)
 * and must never hang, whatever the timer hardware does. */
uint64_t plat_time_ns(void);

/* Wall-clock time: nanoseconds since 1970-01-01 00:00 UTC from the board's
 * real-time clock (x86: the CMOS RTC at ports 0x70/0x71; arm64 virt: the
 * PL031 the device tree names), or 0 when the board has none. Read once by
 * the core after plat_init (anx_time_unix_ns adds the monotonic clock), so
 * it may be slow (an RTC waits out its update cycle) and coarse (seconds). */
uint64_t plat_wall_clock_ns(void);

/* Raw cycle counter and its frequency, for benchmarks. */
uint64_t plat_cycles(void);
uint64_t plat_cycles_hz(void);

/* One-shot timer: raise the timer interrupt at or after monotonic time
 * `deadline_ns` (0 = cancel). The core's timer callback is
 * anx_timer_interrupt(), called from the platform's timer handler. */
void plat_timer_set_deadline(uint64_t deadline_ns);

/* ---- CPUs ---------------------------------------------------------------
 * The boot CPU is CPU 0; the core starts the others (core/smp.c, the model
 * is in <anx/smp.h>). A platform with one CPU: plat_cpu_id 0,
 * plat_cpus_present 1, plat_cpu_start -1, plat_ipi_send nothing. */

/* This CPU's index, 0 for the boot CPU. Cheap (a per-CPU register); valid
 * from the first instruction of plat_early_init. */
unsigned plat_cpu_id(void);
/* CPUs the firmware describes (ACPI MADT, the device tree's cpus), at
 * least 1, at most CONFIG_CPUS. Valid after plat_init. */
unsigned plat_cpus_present(void);
/* Start CPU `cpu` (1 .. plat_cpus_present() - 1): it sets itself up as the
 * boot CPU is (paging, vectors, FPU/SIMD state, its interrupt controller
 * and timer, plat_cpu_id() == cpu) and calls entry(cpu) on stack_top with
 * interrupts off; entry never returns. 0 when the start was sent (the core
 * waits for entry to report in), -1 when the CPU cannot be started. */
int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned cpu));
/* Interrupt CPU `cpu` so that it leaves plat_wait_for_interrupt; its
 * handler acknowledges and calls anx_ipi_interrupt(). */
void plat_ipi_send(unsigned cpu);

/* ---- CPU features ------------------------------------------------------ */

/* True when modules may use the SIMD feature: "sse2", "avx", "avx2", "fma",
 * "f16c" on x86_64 (AVX and up only when its register state is enabled);
 * "neon" on arm64. Unknown names are false. Modules pick their kernels
 * with this rather than by testing the architecture. */
bool plat_cpu_has(const char *feature);

/* The CPU's random-number instruction, for the core's generator
 * (core/random.c, <anx/random.h>), which seeds itself from it at boot and
 * again every reseed. x86_64: RDSEED (straight from the entropy source),
 * else RDRAND (a generator the hardware reseeds), each retried a few times
 * as Intel's guide says, since they may fail while the hardware refills;
 * arm64: RNDR (FEAT_RNG, ID_AA64ISAR0_EL1.RNDR), which says failure in
 * NZCV. Stores 64 bits and returns true, or returns false when the CPU has
 * no such instruction or it kept failing. QEMU under TCG has them with
 * `-cpu max` (anx run's default); older models do not. */
bool plat_random_hw(uint64_t *out);
/* The instruction plat_random_hw uses ("rdseed", "rdrand", "rndr"), for
 * the boot log; NULL when the CPU has none. */
const char *plat_random_hw_name(void);

/* ---- threads / CPU context ------------------------------------------ */

/* Saved callee-saved context of a thread; the layout is the platform's. */
struct plat_context {
    void *sp;
};

/* Prepare a new stack so that the first switch to it calls entry(arg).
 * entry must not return. */
void plat_context_init(struct plat_context *ctx, void *stack_top,
                       void (*entry)(void *), void *arg);

/* Save the current context into from, load to. Returns when switched back. */
void plat_context_switch(struct plat_context *from, struct plat_context *to);

/* ---- faults and diagnostics ------------------------------------------ */

/* Walk frame pointers starting from the caller (frame == 0) or a given
 * frame; store at most max return addresses. Returns the count. Must not
 * fault on a corrupt chain (validate against the image/stack bounds). */
size_t plat_backtrace(uintptr_t frame, uintptr_t *pcs, size_t max);

/* Trigger a CPU exception on purpose (tests of the fault path). Every
 * platform knows "pagefault" (access to unmapped memory), "ud" (undefined
 * instruction), "div0", "write-text" (store to read-only kernel text) and
 * "exec-data" (jump into non-executable data); it may know more. An
 * unknown kind returns without faulting. */
void plat_trigger_fault(const char *kind);

/* The core ended the faulting thread alone and goes on: the next fault is
 * a first fault again (resets the arch's nested-fault guard). */
void plat_fault_done(void);

/* ---- power ------------------------------------------------------------ */

/* Power the machine off reporting `status` (0 = success) to the host:
 * isa-debug-exit / semihosting under QEMU, ACPI / PSCI otherwise. */
_Noreturn void plat_poweroff(int status);
/* Reset the machine (it boots again; under `anx run`, whose QEMU has
 * -no-reboot unless the image has a watchdog, QEMU exits instead). */
_Noreturn void plat_reboot(void);

/* ---- buses (for drivers) --------------------------------------------- */

/* PCI configuration space access; return all-ones / do nothing where the
 * platform has no PCI. bdf = bus<<8 | dev<<3 | fn. */
bool plat_pci_present(void);
uint32_t plat_pci_read32(uint16_t bdf, uint16_t off);
void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t val);
/* One configuration write of exactly size bytes (1, 2 or 4) at off, which
 * is a multiple of size: for device registers that act only on a write of
 * their own width (QEMU's i6300esb watchdog). Ignores a bad size or
 * alignment. */
void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size);

/* Address windows of the PCI host bridge, where the core places the BARs
 * that firmware left unassigned (arm64 virt has no firmware at all). The
 * CPU reaches PCI address pci_base at cpu_base; on arm64 the I/O window is
 * memory-mapped at cpu_base. Returns the count, fills at most max; 0 when
 * the core must keep the BARs as firmware set them. */
struct plat_pci_window {
    uint64_t pci_base, cpu_base, size;
    bool io;          /* I/O space, else memory */
    bool mem64;       /* memory above 4 GiB allowed (64-bit BARs only) */
};
size_t plat_pci_windows(struct plat_pci_window *out, size_t max);

/* Interrupt line (as plat_irq_register takes it) that INTx `pin` (1 = INTA
 * .. 4 = INTD) raises for a device in `slot` of bus 0; the core applies
 * the standard bridge swizzle for devices behind bridges first. -1 when
 * the board does not route it. (q35: PIRQ E-H as GSI 20-23; virt: the
 * device tree's interrupt-map.) */
int plat_pci_intx_irq(unsigned slot, unsigned pin);

/* virtio-mmio windows the firmware described (microvm cmdline/ACPI, arm64
 * device tree). Returns the count, fills at most max. */
struct plat_mmio_device {
    uint64_t base;
    uint64_t size;
    int irq;
};
size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max);

/* Map a device MMIO range uncached; returns the virtual address. */
void *plat_map_mmio(uint64_t phys, size_t size);

/* ---- display (for display drivers) ------------------------------------- */

/* The linear framebuffer the boot loader set up and described (GRUB's
 * multiboot2 framebuffer tag, from UEFI GOP or BIOS VBE), as the loader
 * reported it; false when there is none (direct boot, arm64 virt, a text
 * mode). The pixel layout is given as the position and width of each
 * color field in a pixel of bpp bits. */
struct plat_framebuffer {
    uint64_t phys;
    uint32_t width, height, pitch;   /* pixels, pixels, bytes per row */
    uint8_t bpp;
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};
bool plat_boot_framebuffer(struct plat_framebuffer *out);

/* QEMU's fw_cfg DMA interface (QEMU docs/specs/fw_cfg.rst): start the
 * transfer that the descriptor at physical address desc describes (the
 * big-endian {control, length, address} record, 16-byte aligned, in
 * identity-mapped RAM). The caller waits for the device to clear the
 * control word (QEMU does so within this call). desc == 0 only asks
 * whether the interface is there. 0, or ANX_ENOTSUP when the board has no
 * fw_cfg or one without DMA. (x86: the ports at 0x510, DMA address at
 * 0x514; arm64 virt: the device tree's "qemu,fw-cfg-mmio" window.) */
int plat_fw_cfg_dma(uint64_t desc);

/* ---- core entry points the platform calls ------------------------------
 * Declared here so the platform needs only this header (definitions are in
 * core/; see <anx/time.h> and <anx/panic.h> for the details). */

/* The arch entry calls kmain(boot_info) on the boot stack (>= 16 KiB) with
 * interrupts off. It never returns; the boot stack stays in use by the
 * core's "main" thread until that thread exits. */
_Noreturn void kmain(void *boot_info);

/* From the timer interrupt handler, after acknowledging the timer. Each
 * CPU has its own timer: plat_timer_set_deadline arms the calling CPU's. */
void anx_timer_interrupt(void);
/* From the wake-up interrupt handler (plat_ipi_send), after acknowledging. */
void anx_ipi_interrupt(void);

/* From a fatal CPU exception handler, after printing the registers: prints
 * the fault line and a backtrace from f->fp, powers off with status 3. */
struct anx_fault;
_Noreturn void anx_fault_report(const struct anx_fault *f);

#endif
