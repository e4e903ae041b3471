/*
 * asin, acos, atan, atan2 in double precision, after fdlibm (Sun
 * Microsystems, 1993: "Permission to use, copy, modify, and distribute
 * this software is freely granted, provided that this notice is
 * preserved"): rational approximations on reduced intervals, pi/2 in
 * two parts so that the sums keep their low bits. Under 1 ulp
 * (tests/test_math.c). Outside [-1, 1] asin/acos give NaN.
 */
#include <math.h>

#include "math_impl.h"

static const double pio2_hi = 1.57079632679489655800e+00, pio2_lo = 6.12323399573676603587e-17;

/* asin(x) ~ x + x^3 R(x^2) on [0, 0.5] and through sqrt((1 - x)/2) above. */
static double R(double z)
{
    static const double pS0 = 1.66666666666666657415e-01, pS1 = -3.25565818622400915405e-01,
                        pS2 = 2.01212532134862925881e-01, pS3 = -4.00555345006794114027e-02,
                        pS4 = 7.91534994289814532176e-04, pS5 = 3.47933107596021167570e-05,
                        qS1 = -2.40339491173441421878e+00, qS2 = 2.02094576023350569471e+00,
                        qS3 = -6.88283971605453293030e-01, qS4 = 7.70381505559019352791e-02;
    double p = z * (pS0 + z * (pS1 + z * (pS2 + z * (pS3 + z * (pS4 + z * pS5)))));
    double q = 1.0 + z * (qS1 + z * (qS2 + z * (qS3 + z * qS4)));
    return p / q;
}

double asin(double x)
{
    uint32_t hx = libc_high(x), ix = hx & 0x7fffffff;
    if (ix >= 0x3ff00000) {            /* |x| >= 1 */
        if (ix == 0x3ff00000 && (uint32_t)libc_bits(x) == 0)
            return x * pio2_hi + x * 0x1p-120;
        return (x - x) / (x - x);      /* NaN */
    }
    if (ix < 0x3fe00000) {             /* |x| < 0.5 */
        if (ix < 0x3e500000)
            return x;                  /* |x| < 2^-26 */
        return x + x * R(x * x);
    }
    double z = (1.0 - __builtin_fabs(x)) * 0.5, s = sqrt(z), r = R(z), res;
    if (ix >= 0x3fef3333) {            /* |x| > 0.975 */
        res = pio2_hi - (2 * (s + s * r) - pio2_lo);
    } else {
        /* f + c = sqrt(z), f with 21 bits so f*f is exact */
        double f = libc_trunc_low(s), c = (z - f * f) / (s + f);
        res = 0.5 * pio2_hi - (2 * s * r - (pio2_lo - 2 * c) - (0.5 * pio2_hi - 2 * f));
    }
    return hx >> 31 ? -res : res;
}

double acos(double x)
{
    uint32_t hx = libc_high(x), ix = hx & 0x7fffffff;
    if (ix >= 0x3ff00000) {
        if (ix == 0x3ff00000 && (uint32_t)libc_bits(x) == 0)
            return hx >> 31 ? 2 * pio2_hi + 0x1p-120 : 0.0;
        return (x - x) / (x - x);
    }
    if (ix < 0x3fe00000) {             /* |x| < 0.5 */
        if (ix <= 0x3c600000)
            return pio2_hi + 0x1p-120;
        return pio2_hi - (x - (pio2_lo - x * R(x * x)));
    }
    if (hx >> 31) {                    /* x < -0.5 */
        double z = (1.0 + x) * 0.5, s = sqrt(z), w = R(z) * s - pio2_lo;
        return 2 * (pio2_hi - (s + w));
    }
    double z = (1.0 - x) * 0.5, s = sqrt(z), df = libc_trunc_low(s);
    double c = (z - df * df) / (s + df), w = R(z) * s + c;
    return 2 * (df + w);
}

/* atan on [0, 7/16) by a polynomial; larger arguments are moved there
 * by atan(x) = atan(c) + atan((x - c)/(1 + x c)) for c in {0.5, 1, 1.5}
 * or atan(x) = pi/2 - atan(1/x), with atan(c) in two parts. */
double atan(double x)
{
    static const double atanhi[4] = {4.63647609000806093515e-01, 7.85398163397448278999e-01,
                                     9.82793723247329054082e-01, 1.57079632679489655800e+00};
    static const double atanlo[4] = {2.26987774529616870924e-17, 3.06161699786838301793e-17,
                                     1.39033110312309984516e-17, 6.12323399573676603587e-17};
    static const double aT[11] = {
        3.33333333333329318027e-01, -1.99999999998764832476e-01, 1.42857142725034663711e-01,
        -1.11111104054623557880e-01, 9.09088713343650656196e-02, -7.69187620504482999495e-02,
        6.66107313738753120669e-02, -5.83357013379057348645e-02, 4.97687799461593236017e-02,
        -3.65315727442169155270e-02, 1.62858201153657823623e-02,
    };
    uint32_t hx = libc_high(x), ix = hx & 0x7fffffff;
    int id;
    if (ix >= 0x44100000) {            /* |x| >= 2^66 */
        if (__builtin_isnan(x))
            return x + x;
        double z = atanhi[3] + 0x1p-120;
        return hx >> 31 ? -z : z;
    }
    if (ix < 0x3fdc0000) {             /* |x| < 0.4375 */
        if (ix < 0x3e400000)
            return x;                  /* |x| < 2^-27 */
        id = -1;
    } else {
        x = __builtin_fabs(x);
        if (ix < 0x3ff30000) {         /* |x| < 1.1875 */
            if (ix < 0x3fe60000) {     /* 7/16 <= |x| < 11/16 */
                id = 0;
                x = (2.0 * x - 1.0) / (2.0 + x);
            } else {                   /* 11/16 <= |x| < 19/16 */
                id = 1;
                x = (x - 1.0) / (x + 1.0);
            }
        } else if (ix < 0x40038000) {  /* |x| < 2.4375 */
            id = 2;
            x = (x - 1.5) / (1.0 + 1.5 * x);
        } else {
            id = 3;
            x = -1.0 / x;
        }
    }
    double z = x * x, w = z * z;
    double s1 = z * (aT[0] + w * (aT[2] + w * (aT[4] + w * (aT[6] + w * (aT[8] + w * aT[10])))));
    double s2 = w * (aT[1] + w * (aT[3] + w * (aT[5] + w * (aT[7] + w * aT[9]))));
    if (id < 0)
        return x - x * (s1 + s2);
    z = atanhi[id] - ((x * (s1 + s2) - atanlo[id]) - x);
    return hx >> 31 ? -z : z;
}

/* atan(y/x) in the quadrant of (x, y), C99 Annex F's special cases.
 * The quotient's rounding error is added back to first order
 * (atan(q + e) ~ atan(q) + e/(1 + q^2)), which keeps the result under
 * 1 ulp where the quotient alone would cost half an ulp more. */
double atan2(double y, double x)
{
    static const double pi = 3.1415926535897931160e+00, pi_lo = 1.2246467991473531772e-16;
    if (__builtin_isnan(x) || __builtin_isnan(y))
        return x + y;
    int m = (int)(libc_bits(y) >> 63) | (int)(libc_bits(x) >> 62 & 2);  /* 2 sign(x) + sign(y) */
    if (y == 0) {
        if (m < 2)
            return y;                  /* atan2(+-0, +anything) */
        return m == 2 ? pi + 0x1p-120 : -pi - 0x1p-120;
    }
    if (x == 0)
        return m & 1 ? -pio2_hi - 0x1p-120 : pio2_hi + 0x1p-120;
    if (__builtin_isinf(x)) {
        if (__builtin_isinf(y)) {
            static const double q[4] = {0.78539816339744827900, -0.78539816339744827900,
                                        3 * 0.78539816339744827900, -3 * 0.78539816339744827900};
            return q[m];
        }
        static const double z[4] = {0.0, -0.0, 3.1415926535897931160, -3.1415926535897931160};
        return z[m];
    }
    if (__builtin_isinf(y))
        return m & 1 ? -pio2_hi - 0x1p-120 : pio2_hi + 0x1p-120;
    int k = (int)(libc_high(y) >> 20 & 0x7ff) - (int)(libc_high(x) >> 20 & 0x7ff);
    double z;
    if (k > 60) {                      /* |y/x| > 2^60 */
        z = pio2_hi + 0.5 * pi_lo;
        m &= 1;
    } else if (x < 0 && k < -60) {     /* |y|/x < -2^-60 */
        z = 0.0;
    } else {
        double ay = __builtin_fabs(y), ax = __builtin_fabs(x), q = ay / ax;
        z = atan(q);
        if (q > 0x1p-1000 && q < 0x1p1000 && ax < 0x1p990 && ay < 0x1p990 && ax > 0x1p-900) {
            double ph, pl;
            libc_two_prod(q, ax, &ph, &pl);        /* q ax = ph + pl exactly */
            double e = ((ay - ph) - pl) / ax;      /* y/x - q */
            z += e / (1.0 + q * q);
        }
    }
    switch (m) {
    case 0: return z;
    case 1: return -z;
    case 2: return pi - (z - pi_lo);
    default: return (z - pi_lo) - pi;
    }
}
