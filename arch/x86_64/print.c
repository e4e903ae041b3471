/*
 * The arch code's own messages (boot notes and the fault report): the
 * core's formatter (core/lib/printf.c, which uses no heap and no lock)
 * writing straight to the UART, so it works before the core's log is up
 * and inside the fault handler. "\n" goes out as "\r\n", as the core's
 * console does. One formatter in the image, not two.
 */
#include <anx/platform.h>
#include <anx/printf.h>
#include "x86.h"

static void out(char c, void *ctx)
{
    (void)ctx;
    if (c == '\n')
        plat_console_putc('\r');
    plat_console_putc(c);
}

void x86_puts(const char *s)
{
    while (*s)
        out(*s++, NULL);
}

void x86_vprintf(const char *fmt, va_list ap)
{
    anx_vformat(out, NULL, fmt, ap);
}

void x86_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    x86_vprintf(fmt, ap);
    va_end(ap);
}
