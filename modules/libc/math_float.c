/*
 * Single-precision variants the core's <anx/math.h> does not have: each
 * evaluates the double function and rounds once, so the result is within
 * 1 ulp of the exact one (the double's error is 2^-29 of a float ulp;
 * only the final rounding remains).
 */
#include <math.h>

float tanf(float x) { return (float)tan(x); }
float asinf(float x) { return (float)asin(x); }
float acosf(float x) { return (float)acos(x); }
float atanf(float x) { return (float)atan(x); }
float atan2f(float y, float x) { return (float)atan2(y, x); }
float sinhf(float x) { return (float)sinh(x); }
float coshf(float x) { return (float)cosh(x); }
float log10f(float x) { return (float)log10(x); }
float log2f(float x) { return (float)log2(x); }
float exp2f(float x) { return (float)exp2(x); }
float cbrtf(float x) { return (float)cbrt(x); }
float hypotf(float x, float y) { return (float)hypot(x, y); }

void sincosf(float x, float *s, float *c)
{
    double sd, cd;
    sincos(x, &sd, &cd);
    *s = (float)sd;
    *c = (float)cd;
}
