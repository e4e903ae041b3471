/* anx_panic for host tests: record the message, then longjmp back into an
 * EXPECT_PANIC or abort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "rename.h"
#include <anx/panic.h>
#include <anx/printf.h>
#include <anx/service.h>

jmp_buf unit_panic_jmp;
int unit_panic_armed;
char unit_panic_msg[512];

/* A supervised service's thread ends alone, as in the image (core/panic.c);
 * anywhere else it is anx_panic. */
void anx_fail(const char *fmt, ...)
{
    char why[ANX_FAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (anx_service_containable())
        anx_service_fail_current(why);
    anx_panic("%s", why);
}

void anx_panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(unit_panic_msg, sizeof unit_panic_msg, fmt, ap);
    va_end(ap);
    if (unit_panic_armed)
        longjmp(unit_panic_jmp, 1);
    fprintf(stderr, "unexpected panic: %s\n", unit_panic_msg);
    abort();
}
