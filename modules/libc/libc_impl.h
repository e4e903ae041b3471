/*
 * Internal interfaces between the libc module's files (not for ported
 * code: include the standard headers).
 */
#ifndef LIBC_IMPL_H
#define LIBC_IMPL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* the core's (core/lib/ctype.c; <anx/lib.h> is not for this module's
 * files, which see its own standard headers): a hex digit's value or -1 */
int anx_hexval(int c);

/* printf flags */
#define LIBC_F_MINUS 1
#define LIBC_F_PLUS 2
#define LIBC_F_SPACE 4
#define LIBC_F_HASH 8
#define LIBC_F_ZERO 16

/* printf_float.c: x formatted by conv (one of eEfFgGaA) with prec (< 0:
 * the default), flags and width, in a heap string (*out, free it).
 * Returns its length, or -1 when out of memory. */
int libc_format_float(char **out, double x, int conv, int prec, int flags, int width);

/* printf_int.c: the core's vsnprintf, for the integer conversions
 * (this module's <stdio.h> gives the name vsnprintf to its own). */
int libc_core_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

/* printf.c: the engine. out(ctx, bytes, n) receives the output in
 * pieces; returns the byte count or -1 (errno set). */
typedef void (*libc_out_fn)(void *ctx, const char *s, size_t n);
int libc_vformat(libc_out_fn out, void *ctx, const char *fmt, va_list ap);

/* strtod.c: round mantissa q (q >= 2^63, or 0) times 2^e2, plus a sticky
 * bit (more nonzero bits below q), to a binary floating-point value of
 * `bits` significant bits and minimum normal exponent emin (double: 53,
 * -1022; float: 24, -126). Sets *overflow (result is infinite) or
 * *underflow (result is 0 or subnormal and inexact). */
double libc_round_binary(uint64_t q, int e2, int sticky, int bits, int emin, int emax,
                         int *range_err);

/* longdouble.c: conversions that need no compiler runtime (arm64's
 * long double is binary128, converted by libgcc otherwise). */
long double libc_ld_from_double(double d);
double libc_ld_to_double(long double x);

#endif
