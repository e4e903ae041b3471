/*
 * pow and exp2. pow(x, y) = exp(y log x) with log x carried to about 70
 * bits (a 128-entry table of log(1/c) and a series for log(1 + r), r =
 * x/c - 1 computed exactly, |r| < 2^-7), y log x formed exactly as a
 * pair, and exp taking the pair (libc_exp_tail): the result is within
 * 1 ulp even where y log x is near 700 and every bit of it counts.
 * Special cases are C99 Annex F's (pow(x, 0) = 1, pow(1, y) = 1 even for
 * NaN, pow(-8, 1/3) is NaN ...). exp2 goes the same way, x ln2 as a pair.
 */
#include <math.h>

#include "math_impl.h"
#include "math_pow_table.h"

static const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;

/* log(x) = *hi + *lo for a positive finite x. */
static void log_pair(double x, double *hi, double *lo)
{
    uint64_t ix = libc_bits(x);
    int k = 0;
    if (ix < 1ull << 52) {             /* subnormal: make it normal */
        ix = libc_bits(x * 0x1p52);
        k = -52;
    }
    uint64_t tmp = ix - 0x3fe6955500000000ull;
    int i = (int)(tmp >> 45 & 127);
    k += (int)((int64_t)tmp >> 52);
    double z = libc_from_bits(ix - (tmp & 0xfffull << 52));   /* x = 2^k z, z in [0.7058, 1.4117) */
    /* r = z invc - 1 exactly, as rh + rl */
    double ph, pl, rh, rl;
    libc_two_prod(z, tab[i].invc, &ph, &pl);
    libc_two_sum(ph - 1.0, pl, &rh, &rl);      /* ph - 1 is exact: ph is near 1 */
    /* log(1 + r) = r - r^2/2 + r^3 (1/3 - r/4 + ...) */
    double sh, sl;
    libc_two_prod(rh, rh, &sh, &sl);
    double qh = -0.5 * sh, ql = -0.5 * sl - rh * rl;
    double poly = rh * sh * (1.0 / 3 + rh * (-0.25 + rh * (0.2 + rh * (-1.0 / 6 + rh * (1.0 / 7 +
                  rh * (-0.125 + rh * (1.0 / 9 + rh * -0.1)))))));
    double kd = k, a = kd * ln2_hi;            /* exact: ln2_hi has 32 zero bits */
    double s1h, s1l, s2h, s2l, s3h, s3l;
    libc_two_sum(a, tab[i].logc_hi, &s1h, &s1l);
    libc_two_sum(s1h, rh, &s2h, &s2l);
    libc_two_sum(s2h, qh, &s3h, &s3l);
    double l = s1l + s2l + s3l + kd * ln2_lo + tab[i].logc_lo + rl + ql + poly;
    *hi = s3h + l;
    *lo = l - (*hi - s3h);
}

/* 0: y is not an integer, 1: odd, 2: even. */
static int int_kind(double y)
{
    double a = __builtin_fabs(y);
    if (a >= 0x1p53)
        return 2;
    if (trunc(a) != a)
        return 0;
    return (uint64_t)a & 1 ? 1 : 2;
}

static double special(double x, double y, int yk)
{
    if (__builtin_isinf(y)) {
        double ax = __builtin_fabs(x);
        if (ax == 1.0)
            return 1.0;                /* pow(-1, +-inf) */
        return (ax < 1.0) == (y < 0) ? __builtin_inf() : 0.0;
    }
    if (x == 0) {
        if (y < 0)
            return yk == 1 ? 1.0 / x : __builtin_inf();
        return yk == 1 ? x : 0.0;
    }
    /* x = +-inf */
    if (y < 0)
        return yk == 1 && x < 0 ? -0.0 : 0.0;
    return yk == 1 ? x : __builtin_inf();
}

double pow(double x, double y)
{
    if (y == 0 || x == 1.0)
        return 1.0;
    if (__builtin_isnan(x) || __builtin_isnan(y))
        return x + y;
    int yk = int_kind(y);
    if (__builtin_isinf(y) || x == 0 || __builtin_isinf(x))
        return special(x, y, yk);
    double sign = 1.0;
    if (x < 0) {
        if (!yk)
            return (x - x) / (x - x);  /* a negative number to a fractional power: NaN */
        sign = yk == 1 ? -1.0 : 1.0;
        x = -x;
        if (x == 1.0)
            return sign;               /* pow(-1, integer) */
    }
    if (y == 1.0)
        return sign * x;
    if (y == 2.0)
        return x * x;
    if (y == -1.0)
        return sign / x;
    double lh, ll, eh, el;
    log_pair(x, &lh, &ll);
    double p = y * lh;
    if (p > 1000.0)
        return sign * 0x1p1023 * 0x1p1023;     /* overflow: inf */
    if (p < -1000.0)
        return sign * 0x1p-1000 * 0x1p-1000;   /* underflow: 0 */
    libc_two_prod(y, lh, &eh, &el);
    el += y * ll;
    double h = eh + el;
    el -= h - eh;
    return sign * libc_exp_tail(h, el);
}

double exp2(double x)
{
    static const double ln2 = 0x1.62e42fefa39efp-1, ln2_tail = 0x1.abc9e3b39803fp-56;
    if (__builtin_isnan(x))
        return x + x;
    if (x >= 1024.0)
        return 0x1p1023 * 2.0 * (x > 0 ? x : 1);       /* inf */
    if (x < -1080.0)
        return 0.0;
    double h, l;
    libc_two_prod(x, ln2, &h, &l);
    l += x * ln2_tail;
    double s = h + l;
    return libc_exp_tail(s, l - (s - h));
}
