/*
 * The in-image libm subset (core/lib/math.c): single-precision functions a
 * tensor engine needs, with their standard names and C99 meanings.
 *
 * expf, logf, powf, sinf, cosf and tanhf evaluate in double precision and
 * round once, so they are within 1 ulp of the exact result (almost always
 * correctly rounded); sinf/cosf reduce any argument exactly against a
 * 224-bit table of 2/pi. sqrtf is the hardware instruction. fabsf, floorf,
 * roundf (halfway cases away from zero) are exact bit manipulations.
 * No errno: domain errors give NaN, overflow gives +-inf.
 */
#ifndef ANX_MATH_H
#define ANX_MATH_H

#define ANX_PI_F 3.14159265358979323846f

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

/* Both at once (one range reduction), for rotary embeddings. */
void anx_sincosf(float x, float *s, float *c);

#endif
