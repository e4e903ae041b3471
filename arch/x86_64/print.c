/*
 * A tiny formatter for the arch code's own messages (boot notes and the
 * fault report). It writes straight to the console and uses no heap, so
 * it works before the core's log is up and inside the fault handler.
 * Supports %s %c %d %u %x %p with l/ll/z modifiers, width and 0-padding.
 * "\n" goes out as "\r\n", as the core's console does.
 */
#include <anx/platform.h>
#include "x86.h"

static void out(char c)
{
    if (c == '\n')
        plat_console_putc('\r');
    plat_console_putc(c);
}

void x86_puts(const char *s)
{
    while (*s)
        out(*s++);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v && n < 22);
    if (neg)
        buf[n++] = '-';
    while (n < width--)
        out(pad);
    while (n)
        out(buf[--n]);
}

void x86_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            x86_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            out((char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
            put_num(v, *fmt == 'x' ? 16 : 10, width, pad, false);
            break;
        }
        case 'p':
            x86_puts("0x");
            put_num((uintptr_t)va_arg(ap, void *), 16, 16, '0', false);
            break;
        case '%':
            out('%');
            break;
        default:
            if (!*fmt)
                return;
            out(*fmt);
        }
    }
}

void x86_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    x86_vprintf(fmt, ap);
    va_end(ap);
}
