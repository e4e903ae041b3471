/*
 * expm1 after fdlibm (Sun Microsystems, 1993: "Permission to use,
 * copy, modify, and distribute this software is freely granted, provided
 * that this notice is preserved"); sinh, cosh, tanh from e^|x| carried
 * as a pair of doubles (exp_pair), or their series near 0 where e^x -
 * e^-x would cancel. Within 1 ulp (tests/test_math.c measures it).
 */
#include <math.h>

#include "math_impl.h"

static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                    invln2 = 1.44269504088896338700e+00;

/* exp(x) - 1: x = k ln2 + r (r and its rounding error c), a rational
 * approximation of r/(e^r - 1) on |r| <= ln2/2, then 2^k (e^r - 1) +
 * (2^k - 1) put together in the order that loses nothing. */
double expm1(double x)
{
    static const double Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03,
                        Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06,
                        Q5 = -2.01099218183624371326e-07;
    uint32_t hx = libc_high(x) & 0x7fffffff;
    int k, neg = x < 0;
    double hi, lo, c = 0.0;
    if (hx >= 0x4043687a) {            /* |x| >= 56 ln2 */
        if (__builtin_isnan(x))
            return x;
        if (neg)
            return -1.0;
        if (x > 7.09782712893383973096e+02)
            return x * 0x1p1023;       /* overflow: inf */
    }
    if (hx > 0x3fd62e42) {             /* |x| > ln2/2 */
        if (hx < 0x3ff0a2b2) {         /* and < 1.5 ln2 */
            hi = neg ? x + ln2_hi : x - ln2_hi;
            lo = neg ? -ln2_lo : ln2_lo;
            k = neg ? -1 : 1;
        } else {
            k = (int)(invln2 * x + (neg ? -0.5 : 0.5));
            double t = k;
            hi = x - t * ln2_hi;
            lo = t * ln2_lo;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if (hx < 0x3c900000) {      /* |x| < 2^-54 */
        return x;
    } else {
        k = 0;
    }
    double hfx = 0.5 * x, hxs = x * hfx;
    double r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    double t = 3.0 - r1 * hfx, e = hxs * ((r1 - t) / (6.0 - x * t));
    if (k == 0)
        return x - (x * e - hxs);
    e = x * (e - c) - c;
    e -= hxs;
    if (k == -1)
        return 0.5 * (x - e) - 0.5;
    if (k == 1)
        return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1.0 + 2.0 * (x - e);
    double twopk = libc_from_bits((uint64_t)(0x3ff + k) << 52), y;
    if (k < 0 || k > 56) {             /* 2^k (1 + r) - 1 is enough */
        y = x - e + 1.0;
        y = k == 1024 ? y * 2.0 * 0x1p1023 : y * twopk;
        return y - 1.0;
    }
    double tmk = libc_from_bits((uint64_t)(0x3ff - k) << 52);     /* 2^-k */
    if (k < 20)
        return (x - e + (1 - tmk)) * twopk;
    return (x - (e + tmk) + 1) * twopk;
}

/* 2^(j/32), j = 0..31, to 106 bits as hi + lo */
static const double two_j32[32][2] = {
    {0x1.0000000000000p+0, 0.0},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54},
};

/* e^a = (*hi + *lo) 2^k to about 2^-65 relative, for |a| <= 710:
 * a = (32k + j) ln2/32 + r, |r| <= ln2/64, e^r by its series with the
 * first terms kept in pairs. The hyperbolic functions take their
 * differences and quotients of this pair, which keeps them within 1 ulp
 * where fdlibm's formulas (expm1 and exp rounded separately) reach 2. */
static int exp_pair(double a, double *hi, double *lo)
{
    static const double inv = 0x1.71547652b82fep+5, L1 = 0x1.62e42fefa0000p-6, L2 = 0x1.cf79abc9e3b3ap-45;
    int n = (int)(a * inv + 0.5);      /* a >= 0: the nearest n */
    double nd = n;
    int j = n & 31, k = n >> 5;
    double rh, rl;
    libc_two_sum(a - nd * L1, -nd * L2, &rh, &rl);   /* a - nd*L1 is exact: nd*L1 has 53 bits */
    double q = rh * rh * (0.5 + rh * (1.0 / 6 + rh * (1.0 / 24 + rh * (1.0 / 120 + rh * (1.0 / 720))))) +
               rl * (1.0 + rh);
    double s, e, ph, pl;
    libc_two_sum(1.0, rh, &s, &e);
    e += q;                            /* e^r = s + e */
    libc_two_prod(two_j32[j][0], s, &ph, &pl);
    pl += two_j32[j][0] * e + two_j32[j][1] * s;
    *hi = ph + pl;
    *lo = pl - (*hi - ph);
    return k;
}

/* e^a and e^-a as pairs, for |a| <= 22 (no scaling needed). */
static void exp_both(double a, double *eh, double *el, double *ih, double *il)
{
    int k = exp_pair(a, eh, el);
    double s = libc_from_bits((uint64_t)(k + 1023) << 52);
    *eh *= s;
    *el *= s;
    /* 1/e: q, corrected by the residual 1 - q e computed exactly */
    double q = 1.0 / *eh, p, pe;
    libc_two_prod(q, *eh, &p, &pe);
    double res = ((1.0 - p) - pe) - q * *el;
    *ih = q;
    *il = q * res;
}

/* (ah + al) + sgn (bh + bl), rounded once */
static double sum_pair(double ah, double al, double bh, double bl, double sgn)
{
    double h, l;
    libc_two_sum(ah, sgn * bh, &h, &l);
    return h + (l + al + sgn * bl);
}

/* e^a / 2 for a > 22, without overflowing before the end */
static double half_exp(double a)
{
    double h, l;
    int k = exp_pair(a, &h, &l);
    /* m 2^(k-1) as (m 2^(k-2)) 2: k - 1 may be 1024 with m < 1 */
    return (h + l) * libc_from_bits((uint64_t)(k - 2 + 1023) << 52) * 2.0;
}

double sinh(double x)
{
    static const double c[9] = {1.0 / 6, 1.0 / 120, 1.0 / 5040, 1.0 / 362880, 1.0 / 39916800,
                                1.0 / 6227020800.0, 1.0 / 1307674368000.0, 1.0 / 355687428096000.0,
                                1.0 / 121645100408832000.0};
    double a = __builtin_fabs(x);
    if (!__builtin_isfinite(x))
        return x + x;
    if (a < 0x1p-28)
        return x;
    if (a < 1.0) {                     /* the odd series: no cancellation */
        double z = x * x;
        double p = c[0] + z * (c[1] + z * (c[2] + z * (c[3] + z * (c[4] + z * (c[5] + z * (c[6] +
                   z * (c[7] + z * c[8])))))));
        return x + x * z * p;
    }
    if (a > 710.5)
        return x * 0x1p1023;           /* overflow */
    if (a > 22) {
        double r = half_exp(a);
        return x < 0 ? -r : r;
    }
    double eh, el, ih, il;
    exp_both(a, &eh, &el, &ih, &il);
    double r = 0.5 * sum_pair(eh, el, ih, il, -1.0);
    return x < 0 ? -r : r;
}

double cosh(double x)
{
    double a = __builtin_fabs(x);
    if (!__builtin_isfinite(x))
        return x * x;
    if (a < 0x1p-27)
        return 1.0;
    if (a > 710.5)
        return 0x1p1023 * 0x1p1023;    /* overflow */
    if (a > 22)
        return half_exp(a);
    double eh, el, ih, il;
    exp_both(a, &eh, &el, &ih, &il);
    return 0.5 * sum_pair(eh, el, ih, il, 1.0);
}

double tanh(double x)
{
    static const double t[7] = {-1.0 / 3, 2.0 / 15, -17.0 / 315, 62.0 / 2835, -1382.0 / 155925,
                                21844.0 / 6081075, -929569.0 / 638512875};
    double a = __builtin_fabs(x), r;
    if (__builtin_isnan(x))
        return x + x;
    if (a < 0x1p-55)
        return x * (1.0 + x);
    if (a < 0.125) {                   /* the series converges fast here */
        double z = x * x;
        return x + x * z * (t[0] + z * (t[1] + z * (t[2] + z * (t[3] + z * (t[4] + z * (t[5] + z * t[6]))))));
    }
    if (a >= 22) {
        r = 1.0 - 0x1p-1000;           /* +-1, inexact */
    } else {
        double eh, el, ih, il, nh, nl, dh, dl;
        exp_both(a, &eh, &el, &ih, &il);
        libc_two_sum(eh, -ih, &nh, &nl);
        nl += el - il;
        libc_two_sum(eh, ih, &dh, &dl);
        dl += el + il;
        double q = nh / dh, p, pe;     /* q, corrected by the exact residual */
        libc_two_prod(q, dh, &p, &pe);
        r = q + (((nh - p) - pe) + nl - q * dl) / dh;
    }
    return x < 0 ? -r : r;
}
