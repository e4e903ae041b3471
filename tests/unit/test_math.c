/*
 * core/lib/math.c against glibc's libm over millions of inputs. The
 * in-image functions are compiled with math_rename.h (anx_m_*). Passes when
 * every result is within 1 ulp of glibc's (glibc's float functions are
 * themselves correctly rounded or within 1 ulp), and the exact functions
 * (sqrtf, fabsf, floorf, roundf) are bit-identical.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

float anx_m_expf(float), anx_m_logf(float), anx_m_powf(float, float), anx_m_sinf(float),
      anx_m_cosf(float), anx_m_tanhf(float), anx_m_sqrtf(float), anx_m_fabsf(float),
      anx_m_floorf(float), anx_m_roundf(float);

static int pass, fail;

static int64_t ordered(float f)
{
    int32_t i;
    memcpy(&i, &f, 4);
    return i < 0 ? (int64_t)INT32_MIN - i : i;
}

static int64_t ulps(float a, float b)
{
    if (isnan(a) && isnan(b))
        return 0;
    if (isnan(a) || isnan(b))
        return 1LL << 40;
    int64_t d = ordered(a) - ordered(b);
    return d < 0 ? -d : d;
}

struct stat { const char *name; int64_t max; float worst; long n; };

static void note(struct stat *s, float x, float got, float want)
{
    int64_t u = ulps(got, want);
    s->n++;
    if (u > s->max) { s->max = u; s->worst = x; }
}

static void report(struct stat *s, int64_t limit)
{
    if (s->max <= limit) {
        printf("ok   math: %s: %ld inputs, max %lld ulp\n", s->name, s->n, (long long)s->max);
        pass++;
    } else {
        printf("FAIL math: %s: %lld ulp at x=%a\n", s->name, (long long)s->max, s->worst);
        fail++;
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)(rng >> 16); }
static float urand(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() >> 8) / 16777216.0f; }

/* every float bit pattern between lo and hi (same sign) with a stride */
#define SWEEP(lo, hi, step, body) \
    for (uint64_t _b = (lo); _b <= (hi); _b += (step)) { uint32_t _u = (uint32_t)_b; float x; memcpy(&x, &_u, 4); body; }

int main(void)
{
    struct stat se = { "expf" }, sl = { "logf" }, ss = { "sinf" }, sc = { "cosf" },
                sp = { "powf" }, st = { "tanhf" }, sx = { "exact (sqrtf fabsf floorf roundf)" };
    /* expf: every 64th float in [-104, 89] of both signs */
    SWEEP(0x00000000u, 0x42b20000u, 61, note(&se, x, anx_m_expf(x), expf(x)));
    SWEEP(0x80000000u, 0xc2d00000u, 61, note(&se, x, anx_m_expf(x), expf(x)));
    note(&se, INFINITY, anx_m_expf(INFINITY), expf(INFINITY));
    note(&se, -INFINITY, anx_m_expf(-INFINITY), expf(-INFINITY));
    note(&se, NAN, anx_m_expf(NAN), expf(NAN));
    report(&se, 1);
    /* logf: all positive floats (incl. subnormals), stride 251 */
    SWEEP(0x00000000u, 0x7f800000u, 251, note(&sl, x, anx_m_logf(x), logf(x)));
    note(&sl, -1.0f, anx_m_logf(-1.0f), logf(-1.0f));
    note(&sl, 0.0f, anx_m_logf(0.0f), logf(0.0f));
    report(&sl, 1);
    /* sin/cos: dense in [-1e4, 1e4], then every magnitude up to FLT_MAX */
    for (int i = 0; i < 3000000; i++) {
        float x = urand(-1e4f, 1e4f);
        note(&ss, x, anx_m_sinf(x), sinf(x));
        note(&sc, x, anx_m_cosf(x), cosf(x));
    }
    for (int i = 0; i < 512; i++) {                   /* RoPE angles: pos * theta^(-i/d) */
        for (int h = 0; h < 64; h += 2) {
            float x = (float)i * (1.0f / powf(10000.0f, h / 64.0f));
            note(&ss, x, anx_m_sinf(x), sinf(x));
            note(&sc, x, anx_m_cosf(x), cosf(x));
        }
    }
    SWEEP(0x00000000u, 0x7f7fffffu, 1021, {
        note(&ss, x, anx_m_sinf(x), sinf(x)); note(&sc, x, anx_m_cosf(x), cosf(x));
        note(&ss, -x, anx_m_sinf(-x), sinf(-x)); note(&sc, -x, anx_m_cosf(-x), cosf(-x)); });
    note(&ss, INFINITY, anx_m_sinf(INFINITY), sinf(INFINITY));
    report(&ss, 1);
    report(&sc, 1);
    /* powf: the ranges a transformer uses (RoPE bases, sampling) and random */
    for (int i = 0; i < 2000000; i++) {
        float x = urand(0.0f, 1e4f), y = urand(-20.0f, 20.0f);
        note(&sp, x, anx_m_powf(x, y), powf(x, y));
    }
    for (int i = 0; i < 1000000; i++) {
        float x = urand(-4.0f, 4.0f), y = (float)(int)urand(-30.0f, 30.0f);
        note(&sp, x, anx_m_powf(x, y), powf(x, y));
        x = urand(0.0f, 2.0f); y = urand(-200.0f, 200.0f);
        note(&sp, x, anx_m_powf(x, y), powf(x, y));
    }
    float sx_vals[] = { 0.0f, -0.0f, 1.0f, -1.0f, 2.0f, 0.5f, INFINITY, -INFINITY, NAN, 3.0f, -3.0f, 1e-40f };
    for (unsigned a = 0; a < 12; a++)
        for (unsigned b = 0; b < 12; b++)
            note(&sp, sx_vals[a], anx_m_powf(sx_vals[a], sx_vals[b]), powf(sx_vals[a], sx_vals[b]));
    report(&sp, 1);
    /* against the correctly rounded value (glibc's double functions) */
    struct stat sd = { "expf/logf/sinf/cosf vs double reference" };
    for (int i = 0; i < 1000000; i++) {
        float x = urand(-100.0f, 88.0f), y = urand(0.0f, 1e4f), z = urand(-1e4f, 1e4f);
        note(&sd, x, anx_m_expf(x), (float)exp(x));
        note(&sd, y, anx_m_logf(y), (float)log(y));
        note(&sd, z, anx_m_sinf(z), (float)sin(z));
        note(&sd, z, anx_m_cosf(z), (float)cos(z));
    }
    report(&sd, 1);
    /* glibc's tanhf itself is up to 2 ulp off: compare with its double tanh */
    SWEEP(0x00000000u, 0x41300000u, 97, {
        note(&st, x, anx_m_tanhf(x), (float)tanh(x)); note(&st, -x, anx_m_tanhf(-x), (float)tanh(-x)); });
    report(&st, 1);
    SWEEP(0x00000000u, 0x7fc00000u, 127, {
        note(&sx, x, anx_m_sqrtf(x), sqrtf(x)); note(&sx, x, anx_m_fabsf(-x), fabsf(-x));
        note(&sx, x, anx_m_floorf(x), floorf(x)); note(&sx, -x, anx_m_floorf(-x), floorf(-x));
        note(&sx, x, anx_m_roundf(x), roundf(x)); note(&sx, -x, anx_m_roundf(-x), roundf(-x)); });
    float halves[] = { 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, 0.49999997f, 8388607.5f, -0.0f };
    for (unsigned i = 0; i < 8; i++) {
        note(&sx, halves[i], anx_m_roundf(halves[i]), roundf(halves[i]));
        note(&sx, halves[i], anx_m_floorf(halves[i]), floorf(halves[i]));
    }
    note(&sx, -1.0f, anx_m_sqrtf(-1.0f), sqrtf(-1.0f));
    report(&sx, 0);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
