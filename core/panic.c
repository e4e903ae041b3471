/* Fatal errors: anx_panic and the CPU fault report. */
#include <anx/console.h>
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/thread.h>

static volatile int panicking;

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

void anx_fault_report(const struct anx_fault *f)
{
    enter();
    anx_printf("FAULT: %s (vector %lu, error 0x%lx) at pc 0x%lx",
               f->name ? f->name : "exception", f->vector, f->error, (unsigned long)f->pc);
    if (f->has_addr)
        anx_printf(" addr 0x%lx", (unsigned long)f->addr);
    anx_printf("\n");
    report_thread();
    anx_printf("  pc 0x%lx (faulting instruction)\n", (unsigned long)f->pc);
    anx_backtrace_print(f->fp);
    anx_printf("powering off (status %d)\n", ANX_EXIT_PANIC);
    plat_poweroff(ANX_EXIT_PANIC);
}
