/*
 * sscanf/vsscanf: C11's conversions %d %i %u %o %x %X %p %s %c %[set]
 * %e %f %g %a (any case) %n %%, field widths, assignment suppression
 * '*', length modifiers hh h l ll j z t L. A numeric field is the longest
 * run the conversion accepts within the width, then converted by the
 * core's strtoll/strtoull or this module's strtod. Wide characters (%lc
 * %ls) are not supported.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libc_impl.h"

enum { L_NONE, L_HH, L_H, L_L, L_LL, L_BIG };

static void store_int(va_list *ap, int len, unsigned long long v)
{
    switch (len) {
    case L_HH: *va_arg(*ap, signed char *) = (signed char)v; break;
    case L_H: *va_arg(*ap, short *) = (short)v; break;
    case L_L: *va_arg(*ap, long *) = (long)v; break;
    case L_LL: *va_arg(*ap, long long *) = (long long)v; break;
    default: *va_arg(*ap, int *) = (int)v;
    }
}

static int digit_ok(int c, int base)
{
    if (base == 8) return c >= '0' && c <= '7';
    if (base == 10) return isdigit(c);
    return isxdigit(c);
}

/* Copy the integer field at s (at most width bytes) into buf (at most
 * cap - 1 of them); returns its length, 0 when there is no digit. *base:
 * 0 decides it here. */
static size_t int_field(const char *s, size_t width, int *base, char *buf, size_t cap)
{
    size_t i = 0;
    if (i < width && (s[i] == '+' || s[i] == '-'))
        i++;
    size_t digits_at = i;
    if ((*base == 0 || *base == 16) && i + 1 < width && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
        (i + 2 < width && isxdigit((unsigned char)s[i + 2]))) {
        *base = 16;
        i += 2;
        digits_at = i;
    } else if ((*base == 0 || *base == 16) && i + 1 < width && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        /* "0x" and no hex digit: glibc takes the "0x" as the number 0 */
        memcpy(buf, "0", 2);
        *base = 16;
        return i + 2;
    } else if (*base == 0) {
        *base = s[i] == '0' ? 8 : 10;
    }
    while (i < width && digit_ok((unsigned char)s[i], *base))
        i++;
    if (i == digits_at)
        return 0;
    /* sign and prefix, the digits without their leading zeros; a run
     * longer than buf overflows anyway (the same saturated value), and
     * the whole run is consumed */
    size_t k = digits_at, z = digits_at;
    memcpy(buf, s, k);
    while (z + 1 < i && s[z] == '0')
        z++;
    for (; z < i && k < cap - 1; z++)
        buf[k++] = s[z];
    buf[k] = 0;
    return i;
}

/* The length of the floating-point field at s within w bytes, as glibc
 * scans it: sign, digits with one point, an exponent mark with its sign
 * and digits (consumed even without digits); 0 when there is no digit
 * (or "0x" and no hex digit, but "0x." is 0, as glibc has it). */
static size_t float_field(const char *s, size_t w)
{
    size_t i = 0, digits = 0;
    if (i < w && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < w && (tolower((unsigned char)s[i]) == 'i' || tolower((unsigned char)s[i]) == 'n')) {
        /* "inf", "infinity" (an 'i' after "inf" must finish it), "nan"
         * without its parenthesized part: what glibc accepts */
        const char *word = tolower((unsigned char)s[i]) == 'i' ? "infinity" : "nan";
        size_t k = 0;
        while (word[k] && i + k < w && tolower((unsigned char)s[i + k]) == word[k])
            k++;
        if (k == 3 && word[3] && (i + 3 >= w || tolower((unsigned char)s[i + 3]) != 'i'))
            return i + 3;
        return word[k] ? 0 : i + k;
    }
    int hex = i + 1 < w && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X');
    if (hex)
        i += 2;
    while (i < w && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
        i++;
        digits++;
    }
    int point = 0;
    if (i < w && s[i] == '.') {
        i++;
        point = 1;
        while (i < w && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]))) {
            i++;
            digits++;
        }
    }
    if (!digits)
        return hex && point ? i : 0;   /* glibc takes "0x." as 0 */
    if (i < w && tolower((unsigned char)s[i]) == (hex ? 'p' : 'e')) {
        i++;
        if (i < w && (s[i] == '+' || s[i] == '-'))
            i++;
        while (i < w && isdigit((unsigned char)s[i]))
            i++;
    }
    return i;
}

int vsscanf(const char *str, const char *fmt, va_list ap0)
{
    const char *s = str;
    int count = 0, converted = 0;
    va_list ap;
    va_copy(ap, ap0);
    while (*fmt) {
        if (isspace((unsigned char)*fmt)) {
            while (isspace((unsigned char)*fmt))
                fmt++;
            while (isspace((unsigned char)*s))
                s++;
            continue;
        }
        if (*fmt != '%' || fmt[1] == '%') {
            if (*fmt == '%') {
                fmt++;
                while (isspace((unsigned char)*s))
                    s++;
            }
            if (!*s)
                goto input_failure;
            if (*s != *fmt)
                goto done;
            s++;
            fmt++;
            continue;
        }
        fmt++;
        int suppress = 0;
        if (*fmt == '*') {
            suppress = 1;
            fmt++;
        }
        size_t width = 0;
        while (isdigit((unsigned char)*fmt))
            width = width * 10 + (size_t)(*fmt++ - '0');
        int len = L_NONE;
        switch (*fmt) {
        case 'h': len = fmt[1] == 'h' ? L_HH : L_H; fmt += len == L_HH ? 2 : 1; break;
        case 'l': len = fmt[1] == 'l' ? L_LL : L_L; fmt += len == L_LL ? 2 : 1; break;
        case 'j': case 'z': case 't': len = L_L; fmt++; break;
        case 'q': len = L_LL; fmt++; break;
        case 'L': len = L_BIG; fmt++; break;
        }
        char conv = *fmt++;
        if (!conv)
            break;
        if (conv == 'n') {
            if (!suppress)
                store_int(&ap, len, (unsigned long long)(s - str));
            continue;
        }
        if (conv != 'c' && conv != '[')
            while (isspace((unsigned char)*s))
                s++;
        if (!*s)
            goto input_failure;
        switch (conv) {
        case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': case 'p': {
            char buf[128];
            int base = conv == 'd' || conv == 'u' ? 10 : conv == 'i' ? 0 : conv == 'o' ? 8 : 16;
            size_t n = int_field(s, width ? width : SIZE_MAX, &base, buf, sizeof buf);
            if (!n)
                goto done;
            s += n;
            unsigned long long v = conv == 'd' || conv == 'i' ? (unsigned long long)strtoll(buf, NULL, base)
                                                             : strtoull(buf, NULL, base);
            if (!suppress) {
                if (conv == 'p')
                    *va_arg(ap, void **) = (void *)(uintptr_t)v;
                else
                    store_int(&ap, len, v);
                count++;
            }
            break;
        }
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A': {
            char buf[512];
            size_t w = width && width < sizeof buf - 1 ? width : sizeof buf - 1;
            size_t k = float_field(s, w);
            if (!k)
                goto done;
            memcpy(buf, s, k);
            buf[k] = 0;
            char *end;
            double v = strtod(buf, &end);
            if (end == buf)
                goto done;
            /* glibc's rule: the whole field is consumed, even an exponent
             * without digits ("1e+"), and its number part is the value */
            s += k;
            if (!suppress) {
                if (len == L_L)
                    *va_arg(ap, double *) = v;
                else if (len == L_BIG)
                    *va_arg(ap, long double *) = libc_ld_from_double(v);
                else
                    *va_arg(ap, float *) = strtof(buf, NULL);
                count++;
            }
            break;
        }
        case 's': {
            char *out = suppress ? NULL : va_arg(ap, char *);
            size_t n = 0;
            while (s[n] && !isspace((unsigned char)s[n]) && (!width || n < width))
                n++;
            if (out) {
                memcpy(out, s, n);
                out[n] = 0;
                count++;
            }
            s += n;
            break;
        }
        case 'c': {
            size_t w = width ? width : 1;
            size_t n = strnlen(s, w);   /* fewer than w left: those (as glibc) */
            if (!suppress) {
                memcpy(va_arg(ap, char *), s, n);
                count++;
            }
            s += n;
            break;
        }
        case '[': {
            unsigned char set[256] = {0};
            int neg = *fmt == '^';
            if (neg)
                fmt++;
            if (*fmt == ']')
                set[(unsigned char)*fmt++] = 1;
            for (; *fmt && *fmt != ']'; fmt++) {
                if (fmt[1] == '-' && fmt[2] && fmt[2] != ']') {
                    for (int c = (unsigned char)fmt[0]; c <= (unsigned char)fmt[2]; c++)
                        set[c] = 1;
                    fmt += 2;
                } else {
                    set[(unsigned char)*fmt] = 1;
                }
            }
            if (*fmt == ']')
                fmt++;
            size_t n = 0;
            while (s[n] && set[(unsigned char)s[n]] != neg && (!width || n < width))
                n++;
            if (!n)
                goto done;
            if (!suppress) {
                char *out = va_arg(ap, char *);
                memcpy(out, s, n);
                out[n] = 0;
                count++;
            }
            s += n;
            break;
        }
        default:
            goto done;
        }
        converted = 1;
    }
done:
    va_end(ap);
    return count;
input_failure:
    va_end(ap);
    return converted || count ? count : EOF;
}

int sscanf(const char *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsscanf(s, fmt, ap);
    va_end(ap);
    return r;
}
