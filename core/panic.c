/*
 * Fatal errors: anx_panic, anx_fail and the CPU fault report. A fault or
 * anx_fail in a supervised service's thread may end that thread alone
 * (<anx/service.h>); everything else powers off with status 3.
 */
#include <anx/console.h>
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/smp.h>
#include <anx/thread.h>

static volatile int panicking;
static volatile int containing;   /* a contained failure is being reported */

/* Can this failure end only the current thread? Then the report is
 * printed as for a fatal one and contained() ends the thread. */
static bool begin_contained(bool irqs_were_on)
{
    plat_irq_disable();
    /* a compute CPU's fault is always fatal: ending a detached thread
     * would need the kernel CPU's scheduler */
    if (!irqs_were_on || panicking || containing || !anx_on_kernel_cpu() ||
        !anx_service_containable())
        return false;
    containing = 1;
    anx_term_bind(NULL);
    return true;
}

static _Noreturn void contained(const char *why)
{
    struct anx_thread *t = anx_thread_current();
    anx_printf("contained: only thread '%s' ends; the supervisor takes over\n",
               anx_thread_name(t));
    containing = 0;
    plat_fault_done();
    anx_service_fail_current(why);
}

/* First entry wins; a nested fault or panic powers off at once. */
static void enter(void)
{
    plat_irq_disable();
    anx_term_bind(NULL);    /* the report goes to the machine's console, not an SSH session */
    if (panicking++) {
        anx_console_puts("\n*** fault while reporting a fault; powering off\n");
        plat_poweroff(ANX_EXIT_PANIC);
    }
}

void anx_backtrace_print(uintptr_t frame)
{
    uintptr_t pcs[24];
    size_t n = plat_backtrace(frame, pcs, 24);
    anx_printf("backtrace:\n");
    for (size_t i = 0; i < n; i++)
        anx_printf("  #%zu 0x%lx\n", i, (unsigned long)pcs[i]);
    if (!n)
        anx_printf("  (no frames)\n");
}

static void report_thread(void)
{
    struct anx_thread *t = anx_thread_current();
    anx_printf("thread: %s\n", t ? anx_thread_name(t) : "(boot)");
}

void anx_panic(const char *fmt, ...)
{
    va_list ap;
    enter();
    anx_printf("\npanic: ");
    va_start(ap, fmt);
    anx_vprintf(fmt, ap);
    va_end(ap);
    anx_printf("\n");
    report_thread();
    /* start at our own frame: the first address is our caller */
    anx_backtrace_print((uintptr_t)__builtin_frame_address(0));
    anx_printf("powering off (status %d)\n", ANX_EXIT_PANIC);
    plat_poweroff(ANX_EXIT_PANIC);
}

_Noreturn void anx_fail(const char *fmt, ...)
{
    char why[ANX_FAIL_MAX];
    va_list ap;
    bool contain = begin_contained(plat_irq_enabled());
    if (!contain)
        enter();
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    anx_printf("\n%s: %s\n", contain ? "failed" : "panic", why);
    report_thread();
    anx_backtrace_print((uintptr_t)__builtin_frame_address(0));
    if (contain)
        contained(why);
    anx_printf("powering off (status %d)\n", ANX_EXIT_PANIC);
    plat_poweroff(ANX_EXIT_PANIC);
}

void anx_fault_report(const struct anx_fault *f)
{
    bool contain = begin_contained(f->containable);
    if (!contain)
        enter();
    anx_printf("FAULT: %s (vector %lu, error 0x%lx) at pc 0x%lx",
               f->name ? f->name : "exception", f->vector, f->error, (unsigned long)f->pc);
    if (f->has_addr)
        anx_printf(" addr 0x%lx", (unsigned long)f->addr);
    anx_printf("\n");
    report_thread();
    anx_printf("  pc 0x%lx (faulting instruction)\n", (unsigned long)f->pc);
    anx_backtrace_print(f->fp);
    if (contain) {
        char why[96];
        snprintf(why, sizeof why, "%s at pc 0x%lx", f->name ? f->name : "exception",
                 (unsigned long)f->pc);
        contained(why);
    }
    anx_printf("powering off (status %d)\n", ANX_EXIT_PANIC);
    plat_poweroff(ANX_EXIT_PANIC);
}
