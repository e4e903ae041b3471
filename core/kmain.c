/*
 * The boot sequence (docs/architecture.md): platform early init, memory,
 * log, platform init, threads, files, modules, banner, ready; then the boot
 * thread exits into the scheduler.
 */
#define LOG_TAG "boot"
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/audit.h>
#include <anx/files.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/smp.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/thread.h>
#include <anx/time.h>

#define MAX_REGIONS 32

static uint64_t ready_ns;
static struct anx_waitq ready_waiters = ANX_WAITQ_INIT;

/* Threads that talk to a person (the shell) wait for the ready line, so a
 * module that blocks in its init (net waiting for DHCP) does not let a
 * prompt appear before the boot log has finished. */
void anx_boot_wait_ready(void)
{
    while (!ready_ns)
        anx_wait(&ready_waiters);
}
static const char *cmdline = "";

uint64_t anx_boot_ready_ns(void) { return ready_ns; }
const char *anx_cmdline(void) { return cmdline; }

/* The .init_array constructors (__attribute__((constructor)) of ported
 * libraries: libnsfb registers its surfaces that way), once, in link order,
 * after the heap, threads and files exist and before any module's init.
 * The linker scripts (arch/ARCH/kernel.ld) collect them between these. */
extern void (*const __init_array_start[])(void), (*const __init_array_end[])(void);

static void run_constructors(void)
{
    for (void (*const *f)(void) = __init_array_start; f < __init_array_end; f++)
        (*f)();
}

static void setup_memory(void)
{
    struct plat_mem_region r[MAX_REGIONS];
    size_t n = plat_mem_regions(r, MAX_REGIONS);
    if (n > MAX_REGIONS)
        n = MAX_REGIONS;
    anx_pmem_init(r, n);
    anx_heap_init();
}

/* One short line: every byte on a UART costs time at boot. */
static void banner(void)
{
    anx_printf("Anunix %s on %s, modules:", CONFIG_IMAGE_NAME, plat_name());
    for (size_t i = 0; i < anx_module_count; i++)
        anx_printf(" %s", anx_module_table[i].name);
    anx_printf("%s\n", anx_module_count ? "" : " (none)");
}

/* ", degraded: 2 modules failed (objstore, infer)" after the ready line. */
static void print_failed(void)
{
    size_t n = anx_modules_failed();
    if (n) {
        anx_printf(", degraded: %zu module%s failed (", n, n == 1 ? "" : "s");
        for (size_t i = 0, k = 0; i < anx_module_count; i++)
            if (anx_module_status(i).state == ANX_MODULE_FAILED)
                anx_printf("%s%s", k++ ? ", " : "", anx_module_table[i].name);
        anx_printf(")");
    }
    anx_printf("\n");
}

void kmain(void *boot_info)
{
    plat_early_init(boot_info);
    anx_time_init(0);   /* the platform clock reads 0 at the image's entry */

    cmdline = plat_cmdline();
    if (!cmdline || !cmdline[0])
        cmdline = CONFIG_CMDLINE;
    setup_memory();
    anx_log_init(cmdline);
    log_debug("memory ready, cmdline \"%s\"", cmdline);
    plat_init();
    anx_time_wall_init();
    anx_random_init();      /* keys need the CPU's instruction (plat_init) and the time */
    log_debug("platform ready");
    anx_threads_init();
    anx_files_init();
    anx_audit_init();
    plat_irq_enable();
    anx_smp_init();         /* the compute CPUs, before modules size their work by them */
    log_debug("threads ready");
    run_constructors();

    /* Only an essential module's failure stops the boot (module.h); the
     * others leave the image up but degraded, and say so below. */
    int rc = anx_modules_init();
    if (rc != 0) {
        log_error("boot stopped: an essential module failed to start: %s (error %d)", anx_strerror(rc), rc);
        anx_poweroff(ANX_EXIT_FAILURE);
    }
    banner();
    ready_ns = plat_time_ns();
    /* plat_time_ns() is 0 at the image's first instruction (platform.h),
     * so ready_ns is the guest time from entry, platform start-up included. */
    anx_printf("anunix: ready (%lu us since entry)", (unsigned long)(ready_ns / ANX_NS_PER_US));
    print_failed();
    if (!ready_ns)
        ready_ns = 1;       /* "ready" must read as set even at time 0 */
    anx_waitq_wake_all(&ready_waiters);
    anx_thread_exit();
}
