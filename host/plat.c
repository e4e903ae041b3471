/*
 * <anx/platform.h> on the host (host/host.mk): what module code running in
 * a host program (a tool, a test, gen/anx) gets from its platform. Time is
 * the host's real clock, the CPU features are the host CPU's, the console
 * is stderr, and there is no device: no PCI, no virtio-mmio, no interrupt
 * lines. Threads are ucontexts (host/context.c), interrupts a flag; a
 * thread that waits for an interrupt sleeps until the timer deadline.
 *
 * tests/unit has its own simulated platform (a clock the test advances, a
 * captured console, a fake PCI bus) for the core's own tests.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include <anx/panic.h>
#include <anx/errno.h>
#include <anx/platform.h>
#include <anx/time.h>

static uint64_t start_ns, deadline_ns;
static int irq_on;

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What kmain does on a board before any module runs: time 0 at entry and
 * the wall clock read once (anx_time_unix_ns counts on from it). A host
 * program has no kmain, so this runs before main. */
__attribute__((constructor)) static void host_start(void)
{
    start_ns = clock_ns(CLOCK_MONOTONIC);
    anx_time_init(0);
    anx_time_wall_init();
}

const char *plat_name(void) { return "host"; }
const char *plat_arch(void) { return "host"; }
void plat_early_init(void *boot_info) { (void)boot_info; }
void plat_init(void) {}
const char *plat_cmdline(void) { return ""; }

/* No regions: host/mem.c takes pages from the host's heap. */
size_t plat_mem_regions(struct plat_mem_region *out, size_t max)
{
    (void)out, (void)max;
    return 0;
}

/* The console's "\r\n" is for serial terminals; a host's stderr is a
 * terminal or a log file that wants "\n". */
void plat_console_putc(char c)
{
    if (c != '\r')
        fputc(c, stderr);
}

/* stdin belongs to the host program: the console has no input. */
int plat_console_getc(void) { return -1; }
int plat_console_irq(void) { return -1; }

int plat_irq_register(int irq, plat_irq_handler h, void *arg)
{
    (void)irq, (void)h, (void)arg;
    return -1;          /* the host has no interrupt lines */
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

/* The only interrupt a host program gets is the timer's: sleep until the
 * deadline, then run it. With no timer armed every thread is blocked for
 * good, which on a board would hang; here it is reported. */
void plat_wait_for_interrupt(void)
{
    if (!deadline_ns)
        anx_panic("host platform: idle with no timer armed: every thread is blocked");
    uint64_t now = plat_time_ns();
    if (now < deadline_ns) {
        uint64_t d = deadline_ns - now;
        struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
    }
    anx_timer_interrupt();
}

/* No CPUs to start: a host program's parallel loops use worker threads
 * (host/workers.c, which also has plat_cpu_id and plat_ipi_send). */
unsigned plat_cpus_present(void) { return 1; }
int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned))
{
    (void)cpu, (void)stack_top, (void)entry;
    return -1;
}

uint64_t plat_time_ns(void) { return clock_ns(CLOCK_MONOTONIC) - start_ns; }
uint64_t plat_wall_clock_ns(void) { return clock_ns(CLOCK_REALTIME); }
/* A nanosecond counter is a cycle counter of 1 GHz. */
uint64_t plat_cycles(void) { return plat_time_ns(); }
uint64_t plat_cycles_hz(void) { return 1000000000ull; }
void plat_timer_set_deadline(uint64_t d) { deadline_ns = d; }

/* The host CPU's features, with the OS state checked as the image checks
 * XCR0: gcc's __builtin_cpu_supports reports AVX and up only when the OS
 * saves the registers; F16C, which gcc 12 cannot ask, is CPUID.1:ECX[29]
 * and needs the same AVX state. */
bool plat_cpu_has(const char *f)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (strcmp(f, "sse2") == 0)
        return __builtin_cpu_supports("sse2");
    if (strcmp(f, "avx") == 0)
        return __builtin_cpu_supports("avx");
    if (strcmp(f, "avx2") == 0)
        return __builtin_cpu_supports("avx2");
    if (strcmp(f, "fma") == 0)
        return __builtin_cpu_supports("fma");
    if (strcmp(f, "f16c") == 0) {
        unsigned a, b, c, d;
        return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
    }
    return false;
#elif defined(__aarch64__)
    return strcmp(f, "neon") == 0 && (getauxval(AT_HWCAP) & HWCAP_ASIMD);
#else
    (void)f;
    return false;
#endif
}

/* The host kernel's generator stands in for the CPU instruction: a host
 * program (a tool making a key) gets what a board with RDSEED would. */
bool plat_random_hw(uint64_t *out)
{
    return getrandom(out, sizeof *out, 0) == (ssize_t)sizeof *out;
}
const char *plat_random_hw_name(void) { return "getrandom"; }

/* From the caller only: the host's unwinder cannot start at a frame the
 * image's fault path hands over, and a host program has no such frames. */
size_t plat_backtrace(uintptr_t frame, uintptr_t *pcs, size_t max)
{
    if (frame || !max)
        return 0;
    void *buf[64];
    int n = backtrace(buf, max + 1 < 64 ? (int)max + 1 : 64);
    size_t k = 0;
    for (int i = 1; i < n && k < max; i++)      /* 1: skip this function */
        pcs[k++] = (uintptr_t)buf[i];
    return k;
}

/* The same CPU exceptions as on a board; the host delivers them as signals. */
void plat_trigger_fault(const char *kind)
{
    static const unsigned char data_ret[] = {0xc3, 0xd6, 0x5f, 0x03, 0xc0};   /* x86 ret; arm64 ret */
    if (strcmp(kind, "pagefault") == 0) {
        int *volatile nowhere = NULL;
        *nowhere = 1;
    } else if (strcmp(kind, "ud") == 0) {
        __builtin_trap();
    } else if (strcmp(kind, "div0") == 0) {
        volatile int zero = 0;
        volatile int x = 1 / zero;
        (void)x;
    } else if (strcmp(kind, "write-text") == 0) {
        *(volatile unsigned char *)(uintptr_t)plat_trigger_fault = 0;
    } else if (strcmp(kind, "exec-data") == 0) {
        ((void (*)(void))(uintptr_t)data_ret)();
    }
}

void plat_poweroff(int status)
{
    fflush(NULL);
    exit(status);
}

void plat_reboot(void)
{
    fprintf(stderr, "plat_reboot: a host program does not reboot; exiting with 5\n");
    fflush(NULL);
    exit(5);
}

void plat_fault_done(void) {}

/* ---- no buses: a host program drives no device -------------------------- */

bool plat_pci_present(void) { return false; }
uint32_t plat_pci_read32(uint16_t bdf, uint16_t off)
{
    (void)bdf, (void)off;
    return ~0u;
}
void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t v) { (void)bdf, (void)off, (void)v; }
void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t v, unsigned size)
{
    (void)bdf, (void)off, (void)v, (void)size;
}
size_t plat_pci_windows(struct plat_pci_window *out, size_t max)
{
    (void)out, (void)max;
    return 0;
}
int plat_pci_intx_irq(unsigned slot, unsigned pin)
{
    (void)slot, (void)pin;
    return -1;
}
size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max)
{
    (void)out, (void)max;
    return 0;
}
/* No device memory to map: plat_virtio_mmio_devices and PCI list none. */
void *plat_map_mmio(uint64_t phys, size_t size)
{
    (void)phys, (void)size;
    return NULL;
}
/* A host process has no boot loader framebuffer and no QEMU fw_cfg. */
bool plat_boot_framebuffer(struct plat_framebuffer *out)
{
    (void)out;
    return false;
}
int plat_fw_cfg_dma(uint64_t desc)
{
    (void)desc;
    return ANX_ENOTSUP;
}

/* The image's files archive (core/files.c) is linked into the image by
 * anx build; a host program has an empty one. */
__asm__(".pushsection .rodata\n"
        ".balign 16\n.global anx_files_start\nanx_files_start:\n"
        ".ascii \"ANXFILES\"\n.byte 1,0,0,0,0,0,0,0\n"
        ".global anx_files_end\nanx_files_end:\n.popsection\n");
