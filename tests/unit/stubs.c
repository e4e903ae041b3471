/* anx_panic for host tests: record the message, then longjmp back into an
 * EXPECT_PANIC or abort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "rename.h"
#include <anx/panic.h>
#include <anx/printf.h>

jmp_buf unit_panic_jmp;
int unit_panic_armed;
char unit_panic_msg[512];

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
