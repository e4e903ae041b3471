/*
 * The printf family's sinks: strings (snprintf), heap strings
 * (asprintf) and streams (fprintf), over the engine of printf.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libc_impl.h"

struct strbuf {
    char *buf;
    size_t n, len;
};

static void to_str(void *ctx, const char *s, size_t n)
{
    struct strbuf *b = ctx;
    if (b->len + 1 < b->n) {
        size_t k = b->n - 1 - b->len;
        memcpy(b->buf + b->len, s, n < k ? n : k);
    }
    b->len += n;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    struct strbuf b = {buf, n, 0};
    int r = libc_vformat(to_str, &b, fmt, ap);
    if (n)
        buf[b.len < n ? b.len : n - 1] = 0;
    return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

int vsprintf(char *buf, const char *fmt, va_list ap)
{
    return vsnprintf(buf, SIZE_MAX, fmt, ap);
}

int sprintf(char *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(buf, SIZE_MAX, fmt, ap);
    va_end(ap);
    return r;
}

int vasprintf(char **out, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return -1;
    }
    char *p = malloc((size_t)n + 1);
    if (!p) {
        va_end(ap2);
        errno = ENOMEM;
        return -1;
    }
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    *out = p;
    return n;
}

int asprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vasprintf(out, fmt, ap);
    va_end(ap);
    return r;
}

/* Streams: collected in a small buffer, written in pieces. */
struct fbuf {
    FILE *f;
    char b[256];
    size_t len;
    int err;
};

static void fb_flush(struct fbuf *fb)
{
    if (fb->len && fwrite(fb->b, 1, fb->len, fb->f) != fb->len)
        fb->err = 1;
    fb->len = 0;
}

static void to_file(void *ctx, const char *s, size_t n)
{
    struct fbuf *fb = ctx;
    while (n) {
        if (fb->len == sizeof fb->b)
            fb_flush(fb);
        size_t k = sizeof fb->b - fb->len;
        if (k > n)
            k = n;
        memcpy(fb->b + fb->len, s, k);
        fb->len += k;
        s += k;
        n -= k;
    }
}

int vfprintf(FILE *f, const char *fmt, va_list ap)
{
    struct fbuf fb = {.f = f};
    int r = libc_vformat(to_file, &fb, fmt, ap);
    fb_flush(&fb);
    return fb.err ? -1 : r;
}

int fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

int vprintf(const char *fmt, va_list ap) { return vfprintf(stdout, fmt, ap); }

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}
