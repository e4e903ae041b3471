/*
 * Formatted output (core/lib/printf.c). Supported: %d %i %u %x %X %o %p %s
 * %c %% with flags '-' '0' '+' ' ' '#', width and precision (also '*'),
 * length modifiers hh h l ll z t j. No floating point (%f prints "?").
 */
#ifndef ANX_PRINTF_H
#define ANX_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Like C: writes at most n bytes including the NUL, returns the length the
 * whole output would have had. */
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The engine: calls out(c, ctx) for each byte; returns the byte count. */
int anx_vformat(void (*out)(char c, void *ctx), void *ctx, const char *fmt,
                va_list ap);

/* Print to the console (core/console.c), "\n" becomes "\r\n". */
int anx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int anx_vprintf(const char *fmt, va_list ap);

#endif
