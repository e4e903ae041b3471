/*
 * <math.h> for ported code: the core's single-precision functions
 * (<anx/math.h>: expf logf powf sinf cosf tanhf sqrtf fabsf floorf roundf)
 * and this module's double functions: exact ones (math.c: fabs floor
 * ceil round trunc fmod sqrt (the instruction) lround), exp and log below
 * 1 ulp (math_exp_log.c), and the classification macros. No errno: domain
 * errors give NaN (math_errhandling is 0).
 * Missing (and so not declared, a link error rather than a wrong answer):
 * the other double transcendental functions pow sin cos tan atan2 ...
 * (NetSurf's layout uses only the exact ones above; libcss's colour and
 * calc code and libsvgtiny need some of them: the next step).
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
double fmin(double a, double b) LIBC_SYM(fmin);
double fmax(double a, double b) LIBC_SYM(fmax);

#endif
