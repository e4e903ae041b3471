/*
 * hypot and cbrt. hypot squares exactly (pairs), adds, and corrects the
 * square root with its residual: within 1 ulp (almost always correctly
 * rounded), no overflow or underflow in between (scaled by powers of 2).
 * cbrt: a 5-bit guess from the exponent, Newton steps to about 2^-40,
 * rounding to 26 bits so that the square is exact, and a last step that
 * leaves under 0.7 ulp.
 */
#include <math.h>

#include "math_impl.h"

double hypot(double x, double y)
{
    if (__builtin_isinf(x) || __builtin_isinf(y))
        return __builtin_inf();        /* even when the other is NaN (C99 F.9.4.3) */
    if (__builtin_isnan(x) || __builtin_isnan(y))
        return x + y;
    x = __builtin_fabs(x);
    y = __builtin_fabs(y);
    if (x < y) {
        double t = x;
        x = y;
        y = t;
    }
    if (y == 0)
        return x;
    int ex = (int)(libc_bits(x) >> 52), ey = (int)(libc_bits(y) >> 52);
    if (ex - ey > 60)
        return x + y;                  /* y^2 is below x^2's last bit */
    double scale = 1.0;
    if (ex > 1023 + 500) {             /* large: scale down by 2^600 */
        x *= 0x1p-600;
        y *= 0x1p-600;
        scale = 0x1p600;
    } else if (ey < 1023 - 500) {      /* small: scale up */
        x *= 0x1p600;
        y *= 0x1p600;
        scale = 0x1p-600;
    }
    double xh, xl, yh, yl, sh, sl;
    libc_two_prod(x, x, &xh, &xl);
    libc_two_prod(y, y, &yh, &yl);
    libc_two_sum(xh, yh, &sh, &sl);
    sl += xl + yl;
    double s = sh + sl;
    sl -= s - sh;
    double r = sqrt(s), rh, rl;
    libc_two_prod(r, r, &rh, &rl);     /* r^2 exactly: the residual s - r^2 is exact too */
    r += ((s - rh) - rl + sl) / (2.0 * r);
    return r * scale;
}

double cbrt(double x)
{
    uint64_t u = libc_bits(x);
    uint32_t hx = (uint32_t)(u >> 32) & 0x7fffffff;
    if (hx >= 0x7ff00000 || x == 0)
        return x + x;                  /* inf, NaN, +-0 */
    if (hx < 0x00100000)               /* subnormal: cbrt(x 2^54) 2^-18 */
        return cbrt(x * 0x1p54) * 0x1p-18;
    /* the exponent divided by 3 (715094163 = (1023 - 1023/3 - 0.033) 2^20):
     * within about 6% */
    double t = libc_from_bits((uint64_t)(((uint32_t)(u >> 32) & 0x80000000) | (hx / 3 + 715094163)) << 32);
    for (int i = 0; i < 4; i++)        /* Newton: t -= (t - x/t^2)/3, no t^3 to overflow */
        t -= (t - x / (t * t)) / 3.0;
    /* t to 26 bits, away from zero, so t*t is exact */
    t = libc_from_bits((libc_bits(t) + 0x8000000ull) & ~0x7ffffffull);
    double s = t * t, r = x / s, w = t + t;
    r = (r - t) / (w + r);
    return t + t * r;
}
