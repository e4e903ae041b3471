/*
 * Between the libc module's math files: bit access, error-free
 * transformations (a sum or product as an exact pair hi + lo) and the
 * kernels one file shares with another.
 */
#ifndef LIBC_MATH_IMPL_H
#define LIBC_MATH_IMPL_H

#include <stdint.h>

static inline uint64_t libc_bits(double x)
{
    union { double f; uint64_t u; } v = {x};
    return v.u;
}

static inline double libc_from_bits(uint64_t u)
{
    union { uint64_t u; double f; } v = {u};
    return v.f;
}

/* The high 32 bits, fdlibm's "high word": sign, exponent, 20 bits. */
static inline uint32_t libc_high(double x) { return (uint32_t)(libc_bits(x) >> 32); }

/* x with its low 32 bits cleared: 21 significant bits, so that products
 * of two such values are exact. */
static inline double libc_trunc_low(double x) { return libc_from_bits(libc_bits(x) & 0xffffffff00000000ull); }

/* a + b = *hi + *lo exactly (Knuth's two-sum, any order of magnitude). */
static inline void libc_two_sum(double a, double b, double *hi, double *lo)
{
    double s = a + b, bb = s - a;
    *hi = s;
    *lo = (a - (s - bb)) + (b - bb);
}

/* a * b = *hi + *lo exactly (|a|, |b| < 2^996: no overflow in the split).
 * With a fused multiply-add (arm64) it is one instruction; otherwise
 * Dekker's product over Veltkamp's 26-bit halves. These files are
 * compiled with -std=c11, so the compiler does not contract a*b+c
 * behind our back. */
static inline void libc_two_prod(double a, double b, double *hi, double *lo)
{
    double p = a * b;
#ifdef __FP_FAST_FMA
    *lo = __builtin_fma(a, b, -p);
#else
    double ca = 134217729.0 * a, cb = 134217729.0 * b;
    double ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;
    *lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
    *hi = p;
}

/* math_exp_log.c: exp(x + tail) for |tail| < 2^-40 |x| or so, the tail
 * folded into the reduced argument (pow's and exp2's extra bits). */
double libc_exp_tail(double x, double tail);

#endif
