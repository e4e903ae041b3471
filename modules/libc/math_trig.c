/*
 * sin, cos, tan and sincos in double precision, after fdlibm (Sun
 * Microsystems, 1993: "Permission to use, copy, modify, and distribute
 * this software is freely granted, provided that this notice is
 * preserved"): reduction to [-pi/4, pi/4] (math_rem_pio2.c, exact for
 * every finite x) and the minimax kernels below, each under 1 ulp
 * (tests/test_math.c measures against glibc). sin/cos/tan of +-inf or
 * NaN is NaN; sin(-0) is -0.
 */
#include <math.h>

#include "math_impl.h"

int libc_rem_pio2(double x, double *y);

/* sin(x + y) for |x| <= pi/4, y the tail of x (0 when iy is 0). */
static double k_sin(double x, double y, int iy)
{
    static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                        S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                        S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x, v = z * x;
    double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    if (!iy)
        return x + v * (S1 + z * r);
    return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

/* cos(x + y) for |x| <= pi/4. 1 - x^2/2 is summed so that its rounding
 * error is recovered ((1 - w) - hz). */
static double k_cos(double x, double y)
{
    static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                        C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                        C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x, w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    w = 1.0 - hz;
    return w + (((1.0 - w) - hz) + (z * r - x * y));
}

/* tan(x + y) (odd: -1/tan) for |x| <= pi/4; above 0.6744 through
 * tan(pi/4 - x), and -1/tan computed without its 2 ulp of rounding. */
static double k_tan(double x, double y, int odd)
{
    static const double T[13] = {
        3.33333333333334091986e-01, 1.33333333333201242699e-01, 5.39682539762260521377e-02,
        2.18694882948595424599e-02, 8.86323982359930005737e-03, 3.59207910759131235356e-03,
        1.45620945432529025516e-03, 5.88041240820264096874e-04, 2.46463134818469906812e-04,
        7.81794442939557092300e-05, 7.14072491382608190305e-05, -1.85586374855275456654e-05,
        2.59073051863633712884e-05,
    };
    static const double pio4 = 7.85398163397448278999e-01, pio4lo = 3.06161699786838301793e-17;
    uint32_t hx = libc_high(x);
    int big = (hx & 0x7fffffff) >= 0x3fe59428, neg = 0;
    if (big) {
        neg = hx >> 31;
        if (neg) {
            x = -x;
            y = -y;
        }
        x = (pio4 - x) + (pio4lo - y);
        y = 0.0;
    }
    double z = x * x, w = z * z;
    double r = T[1] + w * (T[3] + w * (T[5] + w * (T[7] + w * (T[9] + w * T[11]))));
    double v = z * (T[2] + w * (T[4] + w * (T[6] + w * (T[8] + w * (T[10] + w * T[12])))));
    double s = z * x;
    r = y + z * (s * (r + v) + y) + s * T[0];
    w = x + r;
    if (big) {
        s = 1 - 2 * odd;
        v = s - 2.0 * (x + (r - w * w / (w + s)));
        return neg ? -v : v;
    }
    if (!odd)
        return w;
    double w0 = libc_trunc_low(w), vv = r - (w0 - x);   /* w0 + vv = x + r */
    double a = -1.0 / w, a0 = libc_trunc_low(a);
    return a0 + a * (1.0 + a0 * w0 + a0 * vv);
}

double sin(double x)
{
    uint32_t ix = libc_high(x) & 0x7fffffff;
    double y[2];
    if (ix <= 0x3fe921fb) {            /* |x| ~<= pi/4 */
        if (ix < 0x3e500000)           /* |x| < 2^-26: sin x = x to double precision */
            return x;
        return k_sin(x, 0.0, 0);
    }
    if (ix >= 0x7ff00000)
        return x - x;
    switch (libc_rem_pio2(x, y) & 3) {
    case 0: return k_sin(y[0], y[1], 1);
    case 1: return k_cos(y[0], y[1]);
    case 2: return -k_sin(y[0], y[1], 1);
    default: return -k_cos(y[0], y[1]);
    }
}

double cos(double x)
{
    uint32_t ix = libc_high(x) & 0x7fffffff;
    double y[2];
    if (ix <= 0x3fe921fb) {
        if (ix < 0x3e46a09e)           /* |x| < 2^-27 sqrt(2): cos x = 1 */
            return 1.0;
        return k_cos(x, 0.0);
    }
    if (ix >= 0x7ff00000)
        return x - x;
    switch (libc_rem_pio2(x, y) & 3) {
    case 0: return k_cos(y[0], y[1]);
    case 1: return -k_sin(y[0], y[1], 1);
    case 2: return -k_cos(y[0], y[1]);
    default: return k_sin(y[0], y[1], 1);
    }
}

void sincos(double x, double *s, double *c)
{
    uint32_t ix = libc_high(x) & 0x7fffffff;
    double y[2];
    if (ix <= 0x3fe921fb) {
        *s = ix < 0x3e500000 ? x : k_sin(x, 0.0, 0);
        *c = ix < 0x3e46a09e ? 1.0 : k_cos(x, 0.0);
        return;
    }
    if (ix >= 0x7ff00000) {
        *s = *c = x - x;
        return;
    }
    int n = libc_rem_pio2(x, y) & 3;   /* one reduction for both */
    double sn = k_sin(y[0], y[1], 1), cs = k_cos(y[0], y[1]);
    *s = n == 0 ? sn : n == 1 ? cs : n == 2 ? -sn : -cs;
    *c = n == 0 ? cs : n == 1 ? -sn : n == 2 ? -cs : sn;
}

double tan(double x)
{
    uint32_t ix = libc_high(x) & 0x7fffffff;
    double y[2];
    if (ix <= 0x3fe921fb) {
        if (ix < 0x3e400000)           /* |x| < 2^-27 */
            return x;
        return k_tan(x, 0.0, 0);
    }
    if (ix >= 0x7ff00000)
        return x - x;
    int n = libc_rem_pio2(x, y);
    return k_tan(y[0], y[1], n & 1);
}
