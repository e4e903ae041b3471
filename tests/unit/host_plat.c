/*
 * <anx/platform.h> for host unit tests: interrupts are a flag, the clock
 * is a variable the test advances, the console is a capture buffer, thread
 * contexts are ucontexts (host/context.c), and "waiting for an interrupt"
 * jumps the clock to the programmed deadline and runs the timer interrupt.
 * Module tests use it with `platform: unit` (docs/modules.md, "Tests").
 */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anx/errno.h>
#include <anx/platform.h>
#include "fake_pci.h"

char unit_console[65536];
size_t unit_console_len;
unsigned long long unit_time_ns = 1000000;
unsigned long long unit_deadline_ns;
static int irq_on;
jmp_buf unit_poweroff_jmp;
int unit_poweroff_armed, unit_poweroff_status;
const char *unit_cmdline = "";
int (*unit_console_getc_hook)(void);

void unit_console_clear(void)
{
    unit_console_len = 0;
    unit_console[0] = 0;
}

const char *plat_name(void) { return "host"; }
const char *plat_arch(void) { return "host"; }
void plat_early_init(void *boot_info) { (void)boot_info; }
void plat_init(void) {}
const char *plat_cmdline(void) { return unit_cmdline; }

size_t plat_mem_regions(struct plat_mem_region *out, size_t max)
{
    (void)out, (void)max;
    return 0;
}

void plat_console_putc(char c)
{
    if (unit_console_len + 1 < sizeof unit_console) {
        unit_console[unit_console_len++] = c;
        unit_console[unit_console_len] = 0;
    }
}

int plat_console_getc(void)
{
    return unit_console_getc_hook ? unit_console_getc_hook() : -1;
}

int plat_console_irq(void) { return -1; }

int plat_irq_register(int irq, plat_irq_handler h, void *arg)
{
    (void)irq, (void)h, (void)arg;
    return -1;
}

unsigned long plat_irq_save(void)
{
    unsigned long f = (unsigned long)irq_on;
    irq_on = 0;
    return f;
}

void plat_irq_restore(unsigned long f) { irq_on = (int)f; }
void plat_irq_enable(void) { irq_on = 1; }
void plat_irq_disable(void) { irq_on = 0; }
bool plat_irq_enabled(void) { return irq_on != 0; }

void anx_timer_interrupt(void);

void plat_wait_for_interrupt(void)
{
    if (!unit_deadline_ns) {
        fprintf(stderr, "host platform: idle with no timer armed: every thread is blocked\n");
        abort();
    }
    if (unit_time_ns < unit_deadline_ns)
        unit_time_ns = unit_deadline_ns;
    anx_timer_interrupt();
}

/* one CPU */
unsigned plat_cpu_id(void) { return 0; }
unsigned plat_cpus_present(void) { return 1; }
int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned))
{
    (void)cpu, (void)stack_top, (void)entry;
    return -1;
}
void plat_ipi_send(unsigned cpu) { (void)cpu; }

uint64_t plat_time_ns(void) { return unit_time_ns; }
unsigned long long unit_wall_ns;     /* what the "RTC" reads (0 = none) */
uint64_t plat_wall_clock_ns(void) { return unit_wall_ns; }
uint64_t plat_cycles(void) { return unit_time_ns; }
uint64_t plat_cycles_hz(void) { return 1000000000ull; }
void plat_timer_set_deadline(uint64_t d) { unit_deadline_ns = d; }

/* The CPU's random-number instruction, as a test sets it: absent while
 * unit_random_hw is 0 (the default: a CPU without RDRAND/RNDR); with 1 each
 * call returns the next value of a counter stirred so that no two are
 * alike; with -1 the instruction is there but keeps failing. */
int unit_random_hw;
unsigned long long unit_random_hw_calls;
bool plat_random_hw(uint64_t *out)
{
    if (unit_random_hw <= 0)
        return false;
    uint64_t z = ++unit_random_hw_calls * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    *out = z ^ (z >> 31);
    return true;
}
const char *plat_random_hw_name(void) { return unit_random_hw ? "unit-rng" : NULL; }

/* Thread contexts: host/context.c, shared with the host platform. */

size_t plat_backtrace(uintptr_t frame, uintptr_t *pcs, size_t max)
{
    (void)frame, (void)pcs, (void)max;
    return 0;
}

void plat_trigger_fault(const char *kind) { (void)kind; }
void plat_fault_done(void) {}

int unit_reboots;
void plat_reboot(void)
{
    unit_reboots++;
    plat_poweroff(-1);   /* a test arms unit_poweroff_jmp and checks unit_reboots */
}

void plat_poweroff(int status)
{
    unit_poweroff_status = status;
    if (unit_poweroff_armed)
        longjmp(unit_poweroff_jmp, 1);
    exit(status);
}

/* ---- a simulated PCI bus (tests/unit/fake_pci.h) ---------------------- */

struct unit_pci_fn unit_pci_fns[UNIT_PCI_MAX];
size_t unit_pci_nfns;
struct plat_pci_window unit_pci_windows[8];
size_t unit_pci_nwindows;
unsigned unit_pci_writes;

static struct unit_pci_fn *pci_fn(uint16_t bdf)
{
    for (size_t i = 0; i < unit_pci_nfns; i++)
        if (unit_pci_fns[i].bdf == bdf)
            return &unit_pci_fns[i];
    return NULL;
}

bool plat_pci_present(void) { return unit_pci_nfns > 0; }

uint32_t plat_pci_read32(uint16_t bdf, uint16_t off)
{
    struct unit_pci_fn *f = pci_fn(bdf);
    if (!f || off > 252)
        return ~0u;
    off &= 0xfc;
    return (uint32_t)f->cfg[off] | (uint32_t)f->cfg[off + 1] << 8 | (uint32_t)f->cfg[off + 2] << 16 |
           (uint32_t)f->cfg[off + 3] << 24;
}

/* BAR registers behave as hardware's do: the address bits below the size
 * read as zero (so writing all-ones reads back the size mask), the type
 * bits are read-only. */
void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t v)
{
    struct unit_pci_fn *f = pci_fn(bdf);
    if (!f || off > 252)
        return;
    off &= 0xfc;
    unit_pci_writes++;
    if (off >= 0x10 && off < 0x28 && (f->cfg[0x0e] & 0x7f) == 0) {
        int i = (off - 0x10) / 4;
        uint32_t old = plat_pci_read32(bdf, off);
        if (f->bar_size[i]) {
            uint64_t mask = ~(f->bar_size[i] - 1);
            uint32_t type = old & (old & 1 ? 3u : 0xfu);
            v = (v & (uint32_t)mask & (old & 1 ? ~3u : ~0xfu)) | type;
        } else if (i > 0 && f->bar_size[i - 1] && (plat_pci_read32(bdf, (uint16_t)(off - 4)) & 7) == 4) {
            v &= (uint32_t)(~(f->bar_size[i - 1] - 1) >> 32);   /* upper half of a 64-bit BAR */
        } else {
            v = 0;
        }
    }
    for (int k = 0; k < 4; k++)
        f->cfg[off + k] = (uint8_t)(v >> (8 * k));
}

/* A narrow write stores its bytes; no BAR is written this way. */
void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t v, unsigned size)
{
    struct unit_pci_fn *f = pci_fn(bdf);
    if (!f || off > 252 || (size != 1 && size != 2 && size != 4) || off % size)
        return;
    unit_pci_writes++;
    for (unsigned k = 0; k < size; k++)
        f->cfg[off + k] = (uint8_t)(v >> (8 * k));
}

size_t plat_pci_windows(struct plat_pci_window *out, size_t max)
{
    size_t n = 0;
    for (; n < unit_pci_nwindows && n < max; n++)
        out[n] = unit_pci_windows[n];
    return n;
}

/* q35-like: pin and slot swizzled over lines 20-23 */
int plat_pci_intx_irq(unsigned slot, unsigned pin)
{
    if (pin < 1 || pin > 4)
        return -1;
    return 20 + (int)((slot + pin - 1) % 4);
}
size_t plat_virtio_mmio_devices(struct plat_mmio_device *o, size_t m) { (void)o, (void)m; return 0; }
void *plat_map_mmio(uint64_t phys, size_t size) { (void)size; return (void *)(uintptr_t)phys; }
bool plat_boot_framebuffer(struct plat_framebuffer *out) { (void)out; return false; }
int plat_fw_cfg_dma(uint64_t desc) { (void)desc; return ANX_ENOTSUP; }

/* The image's files archive (empty), which core/files.c refers to. */
__asm__(".pushsection .rodata\n"
        ".balign 16\n.global anx_files_start\nanx_files_start:\n"
        ".ascii \"ANXFILES\"\n.byte 1,0,0,0,0,0,0,0\n"
        ".global anx_files_end\nanx_files_end:\n.popsection\n");
