/*
 * Single-precision libm subset (see <anx/math.h>).
 *
 * Method: every transcendental function is evaluated in double precision
 * with a polynomial whose truncation error is below 1e-15 relative, then
 * rounded once to float. The double result is within ~1e-15 of the exact
 * value, far below half a float ulp (6e-8), so the float result is the
 * correctly rounded one except when the exact value lies within 1e-15 of a
 * rounding boundary, and never more than 1 ulp away.
 *
 * sinf/cosf reduce the argument modulo pi/2 exactly (Payne-Hanek): the
 * float's 24-bit significand is multiplied by a 96-bit window of the binary
 * expansion of 2/pi chosen by the exponent, which gives the quadrant and a
 * 94-bit fraction for any finite argument, up to 3.4e38.
 */
#include <stdint.h>
#include <anx/math.h>

static inline uint32_t f2u(float x) { union { float f; uint32_t u; } v = { .f = x }; return v.u; }
static inline float u2f(uint32_t u) { union { float f; uint32_t u; } v = { .u = u }; return v.f; }
static inline uint64_t d2u(double x) { union { double d; uint64_t u; } v = { .d = x }; return v.u; }
static inline double u2d(uint64_t u) { union { double d; uint64_t u; } v = { .u = u }; return v.d; }

#define LN2_HI 6.93147180369123816490e-01  /* ln 2, top 32 bits: n * LN2_HI is exact */
#define LN2_LO 1.90821492927058770002e-10  /* ln 2 - LN2_HI */
#define INV_LN2 1.44269504088896338700e+00
#define PIO2 1.57079632679489655800e+00

/* 2^n as a double for -1022 <= n <= 1023. */
static inline double pow2i(int n) { return u2d((uint64_t)(n + 1023) << 52); }

/* e^y in double for |y| <= ~1400 (out of range saturates to 0 / inf). */
static double exp_d(double y)
{
    if (y > 709.0)
        return u2d(0x7ff0000000000000ull);
    if (y < -745.0)
        return 0.0;
    double nd = y * INV_LN2;
    int n = (int)(nd < 0 ? nd - 0.5 : nd + 0.5);
    double r = (y - n * LN2_HI) - n * LN2_LO;          /* |r| <= 0.35 */
    /* Taylor series to r^13: truncation < 5e-18 */
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    if (n > 1023)
        return p * pow2i(1023) * pow2i(n - 1023);
    if (n < -1022)
        return p * pow2i(-1022) * pow2i(n + 1022);
    return p * pow2i(n);
}

/* ln(x) in double for finite x > 0 (normal or subnormal double). */
static double log_d(double x)
{
    uint64_t u = d2u(x);
    int e = (int)((u >> 52) & 0x7ff);
    if (e == 0) {                                      /* subnormal */
        x *= 18014398509481984.0;                      /* 2^54 */
        u = d2u(x);
        e = (int)((u >> 52) & 0x7ff) - 54;
    }
    e -= 1023;
    double m = u2d((u & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  /* [1,2) */
    if (m > 1.41421356237309504880) {
        m *= 0.5;
        e++;
    }
    /* ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716 */
    double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double p = 1.0 / 21;
    p = p * s2 + 1.0 / 19;
    p = p * s2 + 1.0 / 17;
    p = p * s2 + 1.0 / 15;
    p = p * s2 + 1.0 / 13;
    p = p * s2 + 1.0 / 11;
    p = p * s2 + 1.0 / 9;
    p = p * s2 + 1.0 / 7;
    p = p * s2 + 1.0 / 5;
    p = p * s2 + 1.0 / 3;
    double lm = 2.0 * s + 2.0 * s * s2 * p;
    return e * LN2_HI + (e * LN2_LO + lm);
}

float expf(float x)
{
    uint32_t u = f2u(x);
    if ((u & 0x7fffffff) > 0x7f800000)
        return x + x;                                  /* NaN */
    if (x > 88.8f)
        return u2f(0x7f800000);
    if (x < -104.0f)
        return 0.0f;
    return (float)exp_d(x);
}

float logf(float x)
{
    uint32_t u = f2u(x);
    if ((u & 0x7fffffff) > 0x7f800000)
        return x + x;                                  /* NaN */
    if ((u & 0x7fffffff) == 0)
        return u2f(0xff800000);                        /* -inf */
    if (u >> 31)
        return u2f(0x7fc00000);                        /* NaN */
    if (u == 0x7f800000)
        return x;
    return (float)log_d(x);
}

/* 1 when y (finite) is an odd integer, 0 when even, -1 when not an integer. */
static int int_kind(float y)
{
    float a = fabsf(y);
    if (a >= 16777216.0f)
        return 0;                                      /* all such floats are even */
    if (floorf(a) != a)
        return -1;
    return ((uint32_t)a & 1) ? 1 : 0;
}

float powf(float x, float y)
{
    uint32_t ux = f2u(x), uy = f2u(y);
    uint32_t ax = ux & 0x7fffffff, ay = uy & 0x7fffffff;
    if (ay == 0 || ux == 0x3f800000)
        return 1.0f;
    if (ax > 0x7f800000 || ay > 0x7f800000)
        return x + y;                                  /* NaN */
    if (ay == 0x7f800000) {                            /* y = +-inf */
        if (ax == 0x3f800000)
            return 1.0f;                               /* (-1)^inf */
        int big = ax > 0x3f800000;
        return (big == !(uy >> 31)) ? u2f(0x7f800000) : 0.0f;
    }
    int k = int_kind(y);
    int neg = 0;
    if (ux >> 31) {
        if (k < 0 && ax != 0 && ax != 0x7f800000)
            return u2f(0x7fc00000);                    /* negative ** non-integer */
        neg = k == 1;
    }
    if (ax == 0 || ax == 0x7f800000) {                 /* +-0 or +-inf */
        int inf = (ax == 0) == (int)(uy >> 31);
        float r = inf ? u2f(0x7f800000) : 0.0f;
        return neg ? -r : r;
    }
    double l = (double)y * log_d(fabsf(x));
    double r = l > 200.0 ? u2d(0x7ff0000000000000ull) : l < -200.0 ? 0.0 : exp_d(l);
    return (float)(neg ? -r : r);
}

/* ---- sine and cosine ------------------------------------------------------ */

/* 2/pi = 0.A2F9836E 4E441529 ... in binary, bit 1 first. */
static const uint32_t two_over_pi[10] = {
    0xA2F9836E, 0x4E441529, 0xFC2757D1, 0xF534DDC0, 0xDB629599,
    0x3C439041, 0xFE5163AB, 0xDEBBC561, 0xB7246E3A, 0x424DD2E0,
};

/* Bits j .. j+31 of 2/pi (bit 1 is the first after the point; bits <= 0
 * are 0) as a 32-bit integer. j <= 225. */
static uint32_t tpi_bits(int j)
{
    if (j + 31 < 1)
        return 0;
    if (j < 1)
        return tpi_bits(1) >> (1 - j);
    int idx = j - 1, w = idx / 32, sh = idx % 32;
    uint64_t v = ((uint64_t)two_over_pi[w] << 32) | two_over_pi[w + 1];
    return (uint32_t)(v >> (32 - sh));
}

/* |x| = r + q*pi/2 with |r| <= pi/4 (returns r for |x|, q mod 4). */
static double reduce_pio2(float ax, int *q)
{
    uint32_t u = f2u(ax);
    int e = (int)(u >> 23);
    uint32_t m = (u & 0x7fffff) | (e ? 0x800000u : 0);
    int s = (e ? e : 1) - 127 - 23;                    /* |x| = m * 2^s */
    /* Terms of m * 2^s * 2/pi from bits i <= s-2 are multiples of 4: skip. */
    int j = s - 1;
    unsigned __int128 w = ((unsigned __int128)tpi_bits(j) << 64) |
                          ((unsigned __int128)tpi_bits(j + 32) << 32) | tpi_bits(j + 64);
    unsigned __int128 p = w * m;                       /* value = p * 2^-94 */
    int quad = (int)((p >> 94) & 3);
    uint64_t f = (uint64_t)(p >> 30);                  /* 64 fraction bits */
    double r;
    if (f >> 63) {                                     /* fraction >= 0.5 */
        quad = (quad + 1) & 3;
        r = -(double)(~f + 1) * 0x1p-64;
    } else {
        r = (double)f * 0x1p-64;
    }
    *q = quad;
    return r * PIO2;
}

static double sin_poly(double r)
{
    double r2 = r * r;
    double p = -1.0 / 1307674368000.0;                 /* -1/15! */
    p = p * r2 + 1.0 / 6227020800.0;
    p = p * r2 - 1.0 / 39916800.0;
    p = p * r2 + 1.0 / 362880.0;
    p = p * r2 - 1.0 / 5040.0;
    p = p * r2 + 1.0 / 120.0;
    p = p * r2 - 1.0 / 6.0;
    return r + r * r2 * p;
}

static double cos_poly(double r)
{
    double r2 = r * r;
    double p = 1.0 / 20922789888000.0;                 /* 1/16! */
    p = p * r2 - 1.0 / 87178291200.0;
    p = p * r2 + 1.0 / 479001600.0;
    p = p * r2 - 1.0 / 3628800.0;
    p = p * r2 + 1.0 / 40320.0;
    p = p * r2 - 1.0 / 720.0;
    p = p * r2 + 1.0 / 24.0;
    p = p * r2 - 0.5;
    return 1.0 + r2 * p;
}

void anx_sincosf(float x, float *s, float *c)
{
    uint32_t ax = f2u(x) & 0x7fffffff;
    if (ax >= 0x7f800000) {
        *s = *c = x - x;                               /* NaN for inf and NaN */
        return;
    }
    if (ax < 0x3f490fdb) {                             /* |x| < pi/4 */
        *s = (float)sin_poly(x);
        *c = (float)cos_poly(x);
        return;
    }
    int q;
    double r = reduce_pio2(u2f(ax), &q);
    double sr = sin_poly(r), cr = cos_poly(r), sv, cv;
    switch (q) {
    case 0: sv = sr; cv = cr; break;
    case 1: sv = cr; cv = -sr; break;
    case 2: sv = -sr; cv = -cr; break;
    default: sv = -cr; cv = sr; break;
    }
    *s = (float)((f2u(x) >> 31) ? -sv : sv);
    *c = (float)cv;
}

float sinf(float x)
{
    float s, c;
    anx_sincosf(x, &s, &c);
    return s;
}

float cosf(float x)
{
    float s, c;
    anx_sincosf(x, &s, &c);
    return c;
}

float tanhf(float x)
{
    uint32_t ax = f2u(x) & 0x7fffffff;
    if (ax > 0x7f800000)
        return x + x;
    if (ax < 0x39800000)                               /* |x| < 2^-12: x */
        return x;
    float a = u2f(ax);
    if (a > 10.0f)
        return (f2u(x) >> 31) ? -1.0f : 1.0f;
    double e = exp_d(2.0 * a);
    double t = (e - 1.0) / (e + 1.0);
    return (float)((f2u(x) >> 31) ? -t : t);
}

/* ---- exact functions ------------------------------------------------------- */

float sqrtf(float x)
{
#if defined(__x86_64__) || defined(__i386__)
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
#elif defined(__aarch64__)
    float r;
    __asm__("fsqrt %s0, %s1" : "=w"(r) : "w"(x));
    return r;
#else
    /* Newton iteration in double from the exponent-halved guess, then one
     * correction step: exact to the float rounding for normal inputs. */
    if (!(x > 0.0f) || f2u(x) >= 0x7f800000)
        return x == 0.0f || x != x || x > 0.0f ? x : u2f(0x7fc00000);
    double d = x, g = u2d(((d2u(d) >> 1) + (1023ull << 51)));
    for (int i = 0; i < 6; i++)
        g = 0.5 * (g + d / g);
    return (float)g;
#endif
}

float fabsf(float x)
{
    return u2f(f2u(x) & 0x7fffffff);
}

float floorf(float x)
{
    uint32_t u = f2u(x);
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return x;                                      /* integral, inf or NaN */
    if (e < 0)                                         /* |x| < 1 */
        return (u >> 31) ? ((u & 0x7fffffff) ? -1.0f : x) : u2f(u & 0x80000000);
    uint32_t frac = 0x7fffffu >> e;
    if ((u & frac) == 0)
        return x;
    if (u >> 31)
        u += frac;                                     /* toward -inf */
    return u2f(u & ~frac);
}

float roundf(float x)
{
    uint32_t u = f2u(x);
    int e = (int)((u >> 23) & 0xff) - 127;
    if (e >= 23)
        return x;
    if (e < 0)                                         /* |x| < 1 */
        return u2f((u & 0x80000000) | (e == -1 ? 0x3f800000 : 0));
    uint32_t frac = 0x7fffffu >> e;
    if ((u & frac) == 0)
        return x;
    u += 0x400000u >> e;                               /* add half, away from zero */
    return u2f(u & ~frac);
}
