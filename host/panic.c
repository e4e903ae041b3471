/*
 * <anx/panic.h> on the host (host/host.mk): the message on stderr, then
 * abort(), so that a debugger, a core dump or the sanitizers show the
 * host's own stack at the point of the panic. (The image's core/panic.c
 * prints a frame-pointer backtrace and powers off instead; tests/unit/
 * stubs.c longjmps back into the test that expects the panic.)
 */
#include <execinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <anx/panic.h>
#include <anx/service.h>

void anx_backtrace_print(uintptr_t frame)
{
    (void)frame;        /* the host's unwinder starts from here */
    void *pcs[32];
    int n = backtrace(pcs, 32);
    fprintf(stderr, "backtrace:\n");
    fflush(stderr);
    backtrace_symbols_fd(pcs, n, 2);
}

void anx_panic(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "\npanic: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

/* As in the image: a supervised service's thread ends alone. */
void anx_fail(const char *fmt, ...)
{
    char why[ANX_FAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (anx_service_containable()) {
        fprintf(stderr, "failed: %s\ncontained\n", why);
        anx_service_fail_current(why);
    }
    anx_panic("%s", why);
}

void anx_fault_report(const struct anx_fault *f)
{
    anx_panic("%s (vector %lu, error 0x%lx) at pc 0x%lx", f->name ? f->name : "exception", f->vector, f->error,
              (unsigned long)f->pc);
}
