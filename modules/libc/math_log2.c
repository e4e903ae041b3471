/*
 * log2 and log10 in double precision, after FreeBSD's e_log2.c and
 * e_log10.c (fdlibm's log kernel; Sun Microsystems, 1993: "Permission to
 * use, copy, modify, and distribute this software is freely granted,
 * provided that this notice is preserved"): log(1 + f) split so that
 * f - f^2/2 keeps its rounding error, then multiplied by 1/ln2 (1/ln10)
 * given in two parts. Under 1 ulp; exact for powers of 2 (log2).
 */
#include <math.h>

#include "math_impl.h"

/* log(1 + f) - f + f^2/2 for 1 + f in [sqrt(2)/2, sqrt(2)]. */
static double k_log1p(double f)
{
    static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                        Lg7 = 1.479819860511658591e-01;
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double hfsq = 0.5 * f * f;
    return s * (hfsq + t1 + t2);
}

/* x = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)): 0. For 0, a negative
 * number, inf or NaN: 1, the answer in *special. */
static int split(double x, int *k, double *f, double *special)
{
    uint64_t u = libc_bits(x);
    uint32_t hx = (uint32_t)(u >> 32);
    *k = 0;
    if (hx < 0x00100000 || hx >> 31) {
        if (u << 1 == 0) {
            *special = -__builtin_inf();
            return 1;
        }
        if (hx >> 31) {
            *special = (x - x) / 0.0;
            return 1;
        }
        *k = -54;
        u = libc_bits(x * 0x1p54);
        hx = (uint32_t)(u >> 32);
    } else if (hx >= 0x7ff00000) {
        *special = x + x;
        return 1;
    }
    hx += 0x3ff00000 - 0x3fe6a09e;
    *k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffff) + 0x3fe6a09e;
    *f = libc_from_bits((uint64_t)hx << 32 | (u & 0xffffffff)) - 1.0;
    return 0;
}

double log2(double x)
{
    static const double ivln2hi = 1.44269504072144627571e+00, ivln2lo = 1.67517131648865118353e-10;
    double f, sp;
    int k;
    if (split(x, &k, &f, &sp))
        return sp;
    if (f == 0)
        return k;                      /* a power of 2: exact */
    double hfsq = 0.5 * f * f, r = k_log1p(f);
    double hi = libc_trunc_low(f - hfsq), lo = (f - hi) - hfsq + r;
    double val_hi = hi * ivln2hi, val_lo = (lo + hi) * ivln2lo + lo * ivln2hi;
    double y = k, w = y + val_hi;
    val_lo += (y - w) + val_hi;
    return val_lo + w;
}

double log10(double x)
{
    static const double ivln10hi = 4.34294481878168880939e-01, ivln10lo = 2.50829467116452752298e-11,
                        log10_2hi = 3.01029995663611771306e-01, log10_2lo = 3.69423907715893078616e-13;
    double f, sp;
    int k;
    if (split(x, &k, &f, &sp))
        return sp;
    double hfsq = 0.5 * f * f, r = k_log1p(f);
    double hi = libc_trunc_low(f - hfsq), lo = (f - hi) - hfsq + r;
    double val_hi = hi * ivln10hi, y = k, y2 = y * log10_2hi;
    double val_lo = y * log10_2lo + (lo + hi) * ivln10lo + lo * ivln10hi;
    double w = y2 + val_hi;
    val_lo += (y2 - w) + val_hi;
    return val_lo + w;
}
