/*
 * Exact double functions (<math.h>): the results are representable, so
 * they are computed exactly; sqrt is the instruction (IEEE: correctly
 * rounded). fmod is exact by definition; it is done by long division of
 * the mantissas, never by x - n*y.
 */
#include <math.h>
#include <stdint.h>

double fabs(double x) { return __builtin_fabs(x); }

double trunc(double x)
{
    union { double f; uint64_t u; } v = {x};
    int e = (int)(v.u >> 52 & 0x7ff) - 1023;
    if (e >= 52)
        return x;                      /* integral, inf or nan */
    if (e < 0)
        v.u &= 1ull << 63;             /* |x| < 1: signed zero */
    else
        v.u &= ~((1ull << (52 - e)) - 1);
    return v.f;
}

double floor(double x)
{
    double t = trunc(x);
    return t > x ? t - 1.0 : t;
}

double ceil(double x)
{
    double t = trunc(x);
    return t < x ? t + 1.0 : t;
}

/* Halfway cases away from zero. */
double round(double x)
{
    double t = trunc(x);
    double f = x - t;                  /* exact: same binade or smaller */
    if (f >= 0.5)
        return t + 1.0;
    if (f <= -0.5)
        return t - 1.0;
    return t;
}

long lround(double x) { return (long)round(x); }

/* The instruction itself: __builtin_sqrt would also call sqrt() for a
 * negative x to set errno (the image is not compiled with
 * -fno-math-errno), a symbol no image has. */
double sqrt(double x)
{
    double r;
#if defined(__x86_64__)
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
#elif defined(__aarch64__)
    __asm__("fsqrt %d0, %d1" : "=w"(r) : "w"(x));
#else
#error "math.c: an architecture Anunix does not build for"
#endif
    return r;
}

double fmod(double x, double y)
{
    union { double f; uint64_t u; } ux = {x}, uy = {y};
    int ex = (int)(ux.u >> 52 & 0x7ff), ey = (int)(uy.u >> 52 & 0x7ff);
    uint64_t sx = ux.u >> 63 << 63;
    if (__builtin_isnan(x) || __builtin_isnan(y) || ex == 0x7ff || y == 0)
        return (x * y) / (x * y);      /* nan */
    if (__builtin_fabs(x) < __builtin_fabs(y))
        return x;
    uint64_t mx = ux.u & ((1ull << 52) - 1), my = uy.u & ((1ull << 52) - 1);
    /* normalize subnormals */
    if (!ex) { for (mx <<= 1; !(mx >> 52); mx <<= 1) ex--; } else mx |= 1ull << 52;
    if (!ey) { for (my <<= 1; !(my >> 52); my <<= 1) ey--; } else my |= 1ull << 52;
    for (; ex > ey; ex--) {
        if (mx >= my)
            mx -= my;
        if (!mx)
            break;
        mx <<= 1;
    }
    if (mx >= my)
        mx -= my;
    if (!mx) {
        ux.u = sx;
        return ux.f;
    }
    for (; !(mx >> 52); mx <<= 1)
        ex--;
    if (ex > 0) {
        ux.u = sx | (uint64_t)ex << 52 | (mx & ((1ull << 52) - 1));
    } else {
        ux.u = sx | mx >> (1 - ex);    /* subnormal: exact */
    }
    return ux.f;
}

double fmin(double a, double b) { return __builtin_isnan(a) ? b : __builtin_isnan(b) ? a : a < b ? a : b; }
double fmax(double a, double b) { return __builtin_isnan(a) ? b : __builtin_isnan(b) ? a : a > b ? a : b; }
float ceilf(float x) { return (float)ceil(x); }
float truncf(float x) { return (float)trunc(x); }
float fmodf(float x, float y) { return (float)fmod(x, y); }
