/*
 * exp and log in double precision, after fdlibm (Sun Microsystems, 1993;
 * "Permission to use, copy, modify, and distribute this software is
 * freely granted, provided that this notice is preserved"), the
 * algorithms musl and FreeBSD use: argument reduction by ln 2 and a
 * minimax polynomial. Error below 1 ulp (tests/test_math.c measures it
 * against glibc). No errno: overflow gives inf, log of a negative NaN.
 */
#include <math.h>
#include <stdint.h>

#include "math_impl.h"

static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                    inv_ln2 = 1.44269504088896338700e+00;

/* y * 2^k for y in [0.5, 2], k in [-1075, 1024]: one rounding only,
 * also for a subnormal result (scaled up by 2^54 first, as fdlibm does). */
static double scale(double y, int k)
{
    union { double f; uint64_t u; } s;
    if (k > 1023) {
        s.u = (uint64_t)(k - 1 + 1023) << 52;
        return y * 2.0 * s.f;
    }
    if (k < -1021) {
        s.u = (uint64_t)(k + 54 + 1023) << 52;
        return y * s.f * 0x1p-54;
    }
    s.u = (uint64_t)(k + 1023) << 52;
    return y * s.f;
}

double exp(double x)
{
    return libc_exp_tail(x, 0.0);
}

/* fdlibm's exp with the argument x + tail: the tail is subtracted from
 * lo, the part of k ln2 the reduction could not take exactly. */
double libc_exp_tail(double x, double tail)
{
    static const double P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
                        P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
                        P5 = 4.13813679705723846039e-08;
    if (__builtin_isnan(x))
        return x + x;
    if (x > 709.782712893383973096)
        return __builtin_inf();
    if (x < -745.13321910194110842)
        return 0.0;
    if (__builtin_fabs(x) < 0x1p-28)
        return 1.0 + (x + tail);
    /* x = k ln2 + r, |r| <= ln2 / 2 */
    int k = (int)(x * inv_ln2 + (x < 0 ? -0.5 : 0.5));
    double kd = k;
    double hi = x - kd * ln2_hi, lo = kd * ln2_lo - tail, r = hi - lo;
    double t = r * r;
    double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    return k ? scale(y, k) : y;
}

double log(double x)
{
    static const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
                        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
                        Lg7 = 1.479819860511658591e-01;
    union { double f; uint64_t u; } v = {x};
    uint32_t hx = (uint32_t)(v.u >> 32);
    int k = 0;
    if (hx < 0x00100000 || hx >> 31) {
        if (v.u << 1 == 0)
            return -__builtin_inf();          /* log(+-0) */
        if (hx >> 31)
            return (x - x) / 0.0;             /* log(negative): NaN */
        k -= 54;                              /* subnormal: scale up */
        v.f = x * 0x1p54;
        hx = (uint32_t)(v.u >> 32);
    } else if (hx >= 0x7ff00000) {
        return x;                             /* inf, nan */
    } else if (hx == 0x3ff00000 && v.u << 32 == 0) {
        return 0.0;
    }
    /* x = 2^k (1 + f), sqrt(2)/2 < 1 + f < sqrt(2) */
    hx += 0x3ff00000 - 0x3fe6a09e;
    k += (int)(hx >> 20) - 0x3ff;
    hx = (hx & 0x000fffff) + 0x3fe6a09e;
    v.u = (uint64_t)hx << 32 | (v.u & 0xffffffff);
    double f = v.f - 1.0;
    double hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6)), t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1, dk = k;
    return s * (hfsq + R) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}
