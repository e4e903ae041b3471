/*
 * The printf engine: C11 conversions over an output callback. Integer and
 * pointer conversions are handed, one at a time, to the core's vsnprintf
 * (printf_int.c); floating point is printf_float.c; %s %c %% %n are here.
 * The sinks (strings, streams) are in stdio_printf.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libc_impl.h"

static void pad(libc_out_fn out, void *ctx, char c, long n)
{
    char buf[32];
    memset(buf, c, sizeof buf);
    while (n > 0) {
        size_t k = n > 32 ? 32 : (size_t)n;
        out(ctx, buf, k);
        n -= (long)k;
    }
}

/* One integer conversion through the core: spec is "%<flags><width>
 * <.prec>ll<conv>" (or "p"). */
static long core_conv(libc_out_fn out, void *ctx, const char *spec, ...)
{
    char small[72];
    va_list ap, ap2;
    va_start(ap, spec);
    va_copy(ap2, ap);
    int n = libc_core_vsnprintf(small, sizeof small, spec, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return -1;
    }
    if ((size_t)n < sizeof small) {
        out(ctx, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            va_end(ap2);
            errno = ENOMEM;
            return -1;
        }
        libc_core_vsnprintf(big, (size_t)n + 1, spec, ap2);
        out(ctx, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
    return n;
}

static void put_str(libc_out_fn out, void *ctx, const char *s, size_t len, int width, int left,
                    long *count)
{
    long padn = width > 0 && (size_t)width > len ? (long)((size_t)width - len) : 0;
    if (!left)
        pad(out, ctx, ' ', padn);
    out(ctx, s, len);
    if (left)
        pad(out, ctx, ' ', padn);
    *count += (long)len + padn;
}

/* "<width>.<prec>" into s (at most 24 bytes); returns its length. */
static int width_prec(char *s, int width, int prec)
{
    int n = 0;
    char t[12];
    for (int pass = 0; pass < 2; pass++) {
        int v = pass ? prec : width;
        if (pass && prec < 0)
            break;
        if (pass)
            s[n++] = '.';
        if (!pass && !v)
            continue;
        int k = 0;
        do {
            t[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (k)
            s[n++] = t[--k];
    }
    return n;
}

enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J, L_BIG };

int libc_vformat(libc_out_fn out, void *ctx, const char *fmt, va_list ap)
{
    long count = 0;
    while (*fmt) {
        if (*fmt != '%') {
            const char *p = fmt;
            while (*p && *p != '%')
                p++;
            out(ctx, fmt, (size_t)(p - fmt));
            count += p - fmt;
            fmt = p;
            continue;
        }
        const char *start = fmt++;
        int flags = 0;
        for (;; fmt++) {
            if (*fmt == '-') flags |= LIBC_F_MINUS;
            else if (*fmt == '+') flags |= LIBC_F_PLUS;
            else if (*fmt == ' ') flags |= LIBC_F_SPACE;
            else if (*fmt == '#') flags |= LIBC_F_HASH;
            else if (*fmt == '0') flags |= LIBC_F_ZERO;
            else break;
        }
        int width = 0, prec = -1;
        if (*fmt == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                flags |= LIBC_F_MINUS;
                width = width == INT32_MIN ? INT32_MAX : -width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                width = width * 10 + (*fmt++ - '0');
        }
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        int len = L_NONE;
        switch (*fmt) {
        case 'h': len = fmt[1] == 'h' ? L_HH : L_H; fmt += len == L_HH ? 2 : 1; break;
        case 'l': len = fmt[1] == 'l' ? L_LL : L_L; fmt += len == L_LL ? 2 : 1; break;
        case 'q': len = L_LL; fmt++; break;
        case 'z': len = L_Z; fmt++; break;
        case 't': len = L_T; fmt++; break;
        case 'j': len = L_J; fmt++; break;
        case 'L': len = L_BIG; fmt++; break;
        }
        char conv = *fmt;
        if (!conv) {                   /* a lone '%' at the end: printed as is */
            out(ctx, start, (size_t)(fmt - start));
            count += fmt - start;
            break;
        }
        fmt++;
        char spec[48];
        int sl = 0;
        spec[sl++] = '%';
        if (flags & LIBC_F_MINUS) spec[sl++] = '-';
        if (flags & LIBC_F_PLUS) spec[sl++] = '+';
        if (flags & LIBC_F_SPACE) spec[sl++] = ' ';
        if (flags & LIBC_F_HASH) spec[sl++] = '#';
        if (flags & LIBC_F_ZERO) spec[sl++] = '0';
        sl += width_prec(spec + sl, width, prec);
        long n;
        switch (conv) {
        case 'd': case 'i': {
            long long v;
            switch (len) {
            case L_HH: v = (signed char)va_arg(ap, int); break;
            case L_H: v = (short)va_arg(ap, int); break;
            case L_L: case L_Z: case L_T: v = va_arg(ap, long); break;
            case L_LL: case L_J: v = va_arg(ap, long long); break;
            default: v = va_arg(ap, int);
            }
            memcpy(spec + sl, "lld", 4);
            n = core_conv(out, ctx, spec, v);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            unsigned long long v;
            switch (len) {
            case L_HH: v = (unsigned char)va_arg(ap, unsigned); break;
            case L_H: v = (unsigned short)va_arg(ap, unsigned); break;
            case L_L: case L_Z: case L_T: v = va_arg(ap, unsigned long); break;
            case L_LL: case L_J: v = va_arg(ap, unsigned long long); break;
            default: v = va_arg(ap, unsigned);
            }
            spec[sl++] = 'l';
            spec[sl++] = 'l';
            spec[sl++] = conv;
            spec[sl] = 0;
            n = core_conv(out, ctx, spec, v);
            break;
        }
        case 'p': {
            void *v = va_arg(ap, void *);
            if (!v) {                  /* as glibc */
                put_str(out, ctx, "(nil)", 5, width, flags & LIBC_F_MINUS, &count);
                continue;
            }
            spec[sl++] = 'p';
            spec[sl] = 0;
            n = core_conv(out, ctx, spec, v);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_str(out, ctx, &c, 1, width, flags & LIBC_F_MINUS, &count);
            continue;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = prec < 0 || prec >= 6 ? "(null)" : "";
            size_t l = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
            put_str(out, ctx, s, l, width, flags & LIBC_F_MINUS, &count);
            continue;
        }
        case 'n':
            switch (len) {
            case L_HH: *va_arg(ap, signed char *) = (signed char)count; break;
            case L_H: *va_arg(ap, short *) = (short)count; break;
            case L_L: case L_Z: case L_T: *va_arg(ap, long *) = count; break;
            case L_LL: case L_J: *va_arg(ap, long long *) = count; break;
            default: *va_arg(ap, int *) = (int)count;
            }
            continue;
        case '%':
            out(ctx, "%", 1);
            count++;
            continue;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A': {
            /* long double is printed at double precision */
            double v = len == L_BIG ? libc_ld_to_double(va_arg(ap, long double)) : va_arg(ap, double);
            char *s;
            n = libc_format_float(&s, v, conv, prec, flags, width);
            if (n >= 0) {
                out(ctx, s, (size_t)n);
                free(s);
            } else {
                errno = ENOMEM;
            }
            break;
        }
        default:                       /* unknown: printed as written */
            out(ctx, start, (size_t)(fmt - start));
            count += fmt - start;
            continue;
        }
        if (n < 0)
            return -1;
        count += n;
    }
    if (count > INT32_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)count;
}
