/*
 * <math.h> for ported code: the core's single-precision functions
 * (<anx/math.h>: expf logf powf sinf cosf tanhf sqrtf fabsf floorf roundf)
 * and this module's double functions: exact ones (math.c: fabs floor
 * ceil round trunc fmod sqrt (the instruction) lround), and the
 * transcendental ones after fdlibm, each within 1 ulp of glibc's
 * (tests/test_math.c samples millions of arguments and prints the worst
 * error seen): exp log (math_exp_log.c), sin cos tan sincos with exact
 * argument reduction for every finite x (Payne-Hanek beyond 2^19 pi/2,
 * math_rem_pio2.c), asin acos atan atan2 (math_atrig.c), expm1 sinh cosh
 * tanh (math_hyp.c), pow exp2 (math_pow.c), log2 log10 (math_log2.c),
 * hypot cbrt (math_misc.c); float variants of these round the double
 * result once (math_float.c). No errno: domain errors give NaN, overflow
 * +-inf (math_errhandling is 0).
 * Missing (not declared: a link error rather than a wrong answer): log1p,
 * asinh/acosh/atanh, erf, tgamma/lgamma, the long double functions, the
 * float forms of exp/log-based functions beyond the list below,
 * ldexp/frexp/modf/remainder/nextafter, fenv.
 */
#ifndef LIBC_MATH_H
#define LIBC_MATH_H

#include "libc_defs.h"

#define HUGE_VAL __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#define M_PI 3.14159265358979323846
#define M_PI_2 1.57079632679489661923
#define M_E 2.7182818284590452354
#define M_SQRT2 1.41421356237309504880
#define M_LN2 0.69314718055994530942
#define M_LN10 2.30258509299404568402
#define M_LOG2E 1.4426950408889634074
#define M_LOG10E 0.43429448190325182765
#define M_PI_4 0.78539816339744830962
#define M_1_PI 0.31830988618379067154
#define M_2_PI 0.63661977236758134308
#define M_SQRT1_2 0.70710678118654752440
#define math_errhandling 0
#define FP_NAN 0
#define FP_INFINITE 1
#define FP_ZERO 2
#define FP_SUBNORMAL 3
#define FP_NORMAL 4

#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define isnormal(x) __builtin_isnormal(x)
#define signbit(x) __builtin_signbit(x)
#define fpclassify(x) __builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL, FP_ZERO, (x))

/* the core's */
float expf(float x);
float logf(float x);
float powf(float x, float y);
float sinf(float x);
float cosf(float x);
float tanhf(float x);
float sqrtf(float x);
float fabsf(float x);
float floorf(float x);
float roundf(float x);

/* this module's: exact */
double fabs(double x) LIBC_SYM(fabs);
double floor(double x) LIBC_SYM(floor);
double ceil(double x) LIBC_SYM(ceil);
double round(double x) LIBC_SYM(round);
double trunc(double x) LIBC_SYM(trunc);
double fmod(double x, double y) LIBC_SYM(fmod);
double sqrt(double x) LIBC_SYM(sqrt);
long lround(double x) LIBC_SYM(lround);
/* this module's, below 1 ulp (math_exp_log.c, fdlibm's algorithms) */
double exp(double x) LIBC_SYM(exp);
double log(double x) LIBC_SYM(log);
float ceilf(float x) LIBC_SYM(ceilf);
float truncf(float x) LIBC_SYM(truncf);
float fmodf(float x, float y) LIBC_SYM(fmodf);
/* this module's, within 1 ulp (fdlibm's algorithms; see above) */
double sin(double x) LIBC_SYM(sin);
double cos(double x) LIBC_SYM(cos);
double tan(double x) LIBC_SYM(tan);
void sincos(double x, double *s, double *c) LIBC_SYM(sincos);
double asin(double x) LIBC_SYM(asin);
double acos(double x) LIBC_SYM(acos);
double atan(double x) LIBC_SYM(atan);
double atan2(double y, double x) LIBC_SYM(atan2);
double expm1(double x) LIBC_SYM(expm1);
double sinh(double x) LIBC_SYM(sinh);
double cosh(double x) LIBC_SYM(cosh);
double tanh(double x) LIBC_SYM(tanh);
double pow(double x, double y) LIBC_SYM(pow);
double exp2(double x) LIBC_SYM(exp2);
double log2(double x) LIBC_SYM(log2);
double log10(double x) LIBC_SYM(log10);
double hypot(double x, double y) LIBC_SYM(hypot);
double cbrt(double x) LIBC_SYM(cbrt);
float tanf(float x) LIBC_SYM(tanf);
float asinf(float x) LIBC_SYM(asinf);
float acosf(float x) LIBC_SYM(acosf);
float atanf(float x) LIBC_SYM(atanf);
float atan2f(float y, float x) LIBC_SYM(atan2f);
float sinhf(float x) LIBC_SYM(sinhf);
float coshf(float x) LIBC_SYM(coshf);
float log10f(float x) LIBC_SYM(log10f);
float log2f(float x) LIBC_SYM(log2f);
float exp2f(float x) LIBC_SYM(exp2f);
float cbrtf(float x) LIBC_SYM(cbrtf);
float hypotf(float x, float y) LIBC_SYM(hypotf);
void sincosf(float x, float *s, float *c) LIBC_SYM(sincosf);
double fmin(double a, double b) LIBC_SYM(fmin);
double fmax(double a, double b) LIBC_SYM(fmax);

#endif
