/* The transcendental functions of <math.h> against glibc's: millions of
 * sampled arguments per function (uniform over the interesting range and
 * uniform over exponents, both signs), the special values (inf, NaN,
 * +-0, huge arguments of sin/cos/tan, multiples of pi/2), each result at
 * most 1 ulp from glibc's long double function rounded to double (64 or
 * 113 bits: the exact result to within 2^-11 ulp, where glibc's double
 * functions are up to 2 ulp off in cbrt, log10, sinh, cosh and even cos
 * of 0x1.6ac5b262ca1ffp+849 in glibc 2.36); the worst distance seen is
 * printed, with how often glibc's double function is more than 1 ulp
 * from the same reference. */
#include <math.h>
#include <stdint.h>

#include "libc_test.h"

double libc_sin(double), libc_cos(double), libc_tan(double), libc_asin(double), libc_acos(double);
double libc_atan(double), libc_atan2(double, double), libc_expm1(double), libc_sinh(double);
double libc_cosh(double), libc_tanh(double), libc_pow(double, double), libc_exp2(double);
double libc_log2(double), libc_log10(double), libc_hypot(double, double), libc_cbrt(double);
void libc_sincos(double, double *, double *);
float libc_tanf(float), libc_asinf(float), libc_acosf(float), libc_atanf(float), libc_atan2f(float, float);
float libc_sinhf(float), libc_coshf(float), libc_log10f(float), libc_log2f(float), libc_exp2f(float);
float libc_cbrtf(float), libc_hypotf(float, float);
void libc_sincosf(float, float *, float *);

#ifdef __aarch64__
#define N 40000                        /* emulated: slower */
#else
#define N 1000000
#endif

static long long ulps(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : 1LL << 60;
    if (a == b)
        return signbit(a) == signbit(b) ? 0 : 1LL << 60;
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    if ((ia < 0) != (ib < 0))
        return 1LL << 60;
    return ia > ib ? ia - ib : ib - ia;
}

static long long ulpsf(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : 1LL << 60;
    if (a == b)
        return signbit(a) == signbit(b) ? 0 : 1LL << 60;
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    if ((ia < 0) != (ib < 0))
        return 1LL << 60;
    return ia > ib ? (long long)ia - ib : (long long)ib - ia;
}

static double unif(double a, double b) { return a + (b - a) * ((double)(t_rand() >> 11) / 0x1p53); }

/* sign * 2^e * (1 + random mantissa), e uniform in [emin, emax] */
static double logu(int emin, int emax, int both_signs)
{
    uint64_t r = t_rand();
    int e = emin + (int)(t_rand() % (uint64_t)(emax - emin + 1));
    double m = 1.0 + (double)(r >> 12) / 0x1p52;
    double x = ldexp(m, e);
    return both_signs && (r & 1) ? -x : x;
}

static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1.0, -1.0, 0.5, -0.5, 2.0, 0x1p-1074,
                                  -0x1p-1074, 0x1p-1022, 0x1p1023, -0x1p1023, 1.7976931348623157e308, 1e22,
                                  6381956970095103.0 * 0x1p797, 1e300, -1e300, 0x1p-30, 3.0, 10.0, 100.0,
                                  709.7, 710.0, 710.47, -710.47, 710.48, -745.0, 1024.0, -1074.0, -1075.0, 0.1, 1e-10};
#define NSPEC (sizeof specials / sizeof specials[0])

typedef double (*fn1)(double);
typedef long double (*fl1)(long double);
static long long worst_seen, glibc_off;

static void check1(const char *name, fn1 mine, fn1 glibc, fl1 ref, double x)
{
    double want = (double)ref(x), got = mine(x);
    long long d = ulps(got, want);
    if (d > worst_seen)
        worst_seen = d;
    glibc_off += ulps(glibc(x), want) > 1;
    CHECK(d <= 1, "%s(%a): %a, glibc's long double %a", name, x, got, want);
}

static void report(const char *name, int n)
{
    printf("%-6s worst %lld ulp over %d arguments (glibc's double function: %lld over 1 ulp)\n", name,
           worst_seen, n, glibc_off);
}

/* every special value, then n samples from gen */
static void run1(const char *name, fn1 mine, fn1 glibc, fl1 ref, double (*gen)(void))
{
    worst_seen = glibc_off = 0;
    for (size_t i = 0; i < NSPEC; i++)
        check1(name, mine, glibc, ref, specials[i]);
    for (int i = 0; i < N; i++)
        check1(name, mine, glibc, ref, gen());
    report(name, N + (int)NSPEC);
}

static double g_trig(void)
{
    switch (t_rand() % 4) {
    case 0: return unif(-10, 10);
    case 1: return logu(-40, 30, 1);
    case 2: return logu(-60, 1023, 1);
    default: return (double)(int64_t)(t_rand() % 2000001 - 1000000) * M_PI_2;   /* near multiples */
    }
}
static double g_unit(void) { return t_rand() & 1 ? unif(-1, 1) : logu(-60, -1, 1); }
static double g_atan(void) { return logu(-40, 70, 1); }
static double g_hyp(void) { return t_rand() & 1 ? unif(-30, 30) : logu(-60, 9, 1); }
static double g_expm1(void) { return t_rand() & 1 ? unif(-40, 709.7) : logu(-60, 5, 1); }
static double g_exp2(void) { return t_rand() & 1 ? unif(-1080, 1025) : logu(-60, 5, 1); }
static double g_log(void) { return t_rand() & 1 ? logu(-1074, 1023, 0) : unif(0.5, 2.0); }
static double g_cbrt(void) { return logu(-1074, 1023, 1); }

static double sin_s(double x) { double s, c; libc_sincos(x, &s, &c); return s; }
static double cos_s(double x) { double s, c; libc_sincos(x, &s, &c); return c; }

typedef double (*fn2)(double, double);
typedef long double (*fl2)(long double, long double);
static void check2(const char *name, fn2 mine, fn2 glibc, fl2 ref, double x, double y)
{
    double want = (double)ref(x, y), got = mine(x, y);
    long long d = ulps(got, want);
    if (d > worst_seen)
        worst_seen = d;
    glibc_off += ulps(glibc(x, y), want) > 1;
    CHECK(d <= 1, "%s(%a, %a): %a, glibc's long double %a", name, x, y, got, want);
}

static void run2(const char *name, fn2 mine, fn2 glibc, fl2 ref, void (*gen)(double *, double *))
{
    worst_seen = glibc_off = 0;
    for (size_t i = 0; i < NSPEC; i++)
        for (size_t j = 0; j < NSPEC; j++)
            check2(name, mine, glibc, ref, specials[i], specials[j]);
    for (int i = 0; i < N; i++) {
        double x, y;
        gen(&x, &y);
        check2(name, mine, glibc, ref, x, y);
    }
    report(name, N + (int)(NSPEC * NSPEC));
}

static void g_atan2(double *y, double *x)
{
    *y = logu(-40, 40, 1);
    *x = logu(-40, 40, 1);
}

static void g_hypot(double *x, double *y)
{
    *x = logu(-1074, 1023, 1);
    *y = t_rand() & 1 ? logu(-1074, 1023, 1) : *x * unif(-4, 4);
}

/* pow: moderate x and y; x near 1 with large y (every bit of y log x
 * counts); negative x with integer y; results near overflow/underflow */
static void g_pow(double *x, double *y)
{
    switch (t_rand() % 5) {
    case 0: *x = logu(-30, 30, 0); *y = unif(-40, 40); break;
    case 1: *x = 1.0 + unif(-0x1p-10, 0x1p-10); *y = logu(0, 20, 1); break;
    case 2: *x = -logu(-10, 10, 0); *y = (double)(int)(t_rand() % 81) - 40; break;
    case 3: *x = logu(-1074, 1023, 0); *y = unif(-1.2, 1.2); break;
    default: *x = unif(1.5, 3); *y = unif(600, 1100) * (t_rand() & 1 ? 1 : -1); break;
    }
}

typedef float (*ff1)(float);
/* against glibc's double function rounded once, which is the exact
 * result to within 2^-29 float ulp */
static void runf(const char *name, ff1 mine, fn1 ref, float lo, float hi)
{
    long long worst = 0;
    for (int i = 0; i < N / 4; i++) {
        float x = (float)unif(lo, hi);
        if (i & 1) {
            uint32_t b = (uint32_t)t_rand();
            memcpy(&x, &b, 4);
        }
        float want = (float)ref(x);
        long long d = ulpsf(mine(x), want);
        if (d > worst)
            worst = d;
        CHECK(d <= 1, "%s(%a): %a, glibc %a", name, (double)x, (double)mine(x), (double)want);
    }
    printf("%-6s worst %lld ulp over %d arguments\n", name, worst, N / 4);
}

int main(void)
{
    run1("sin", libc_sin, sin, sinl, g_trig);
    run1("cos", libc_cos, cos, cosl, g_trig);
    run1("tan", libc_tan, tan, tanl, g_trig);
    run1("sincos", sin_s, sin, sinl, g_trig);
    run1("sincos", cos_s, cos, cosl, g_trig);
    run1("asin", libc_asin, asin, asinl, g_unit);
    run1("acos", libc_acos, acos, acosl, g_unit);
    run1("atan", libc_atan, atan, atanl, g_atan);
    run1("expm1", libc_expm1, expm1, expm1l, g_expm1);
    run1("sinh", libc_sinh, sinh, sinhl, g_hyp);
    run1("cosh", libc_cosh, cosh, coshl, g_hyp);
    run1("tanh", libc_tanh, tanh, tanhl, g_hyp);
    run1("exp2", libc_exp2, exp2, exp2l, g_exp2);
    run1("log2", libc_log2, log2, log2l, g_log);
    run1("log10", libc_log10, log10, log10l, g_log);
    run1("cbrt", libc_cbrt, cbrt, cbrtl, g_cbrt);
    run2("atan2", libc_atan2, atan2, atan2l, g_atan2);
    run2("hypot", libc_hypot, hypot, hypotl, g_hypot);
    run2("pow", libc_pow, pow, powl, g_pow);

    /* exact cases glibc also gets exactly */
    CHECK(libc_pow(2, 10) == 1024 && libc_pow(10, 15) == 1e15 && libc_pow(-2, 3) == -8, "pow exact");
    CHECK(libc_log2(1024) == 10 && libc_log10(1000) == 3 && libc_exp2(-3) == 0.125, "log2/log10/exp2 exact");
    CHECK(libc_cbrt(27) == 3 && libc_cbrt(-0x1p-1074) == cbrt(-0x1p-1074), "cbrt exact");
    CHECK(signbit(libc_sin(-0.0)) && signbit(libc_tan(-0.0)) && signbit(libc_atan(-0.0)), "odd functions keep -0");
    CHECK(isnan(libc_sin(INFINITY)) && isnan(libc_cos(-INFINITY)) && isnan(libc_asin(1.5)), "domain: NaN");
    CHECK(libc_pow(NAN, 0) == 1 && libc_pow(1, NAN) == 1 && isnan(libc_pow(-8, 1.0 / 3)), "pow Annex F");
    CHECK(libc_hypot(INFINITY, NAN) == INFINITY, "hypot(inf, nan) is inf");

    runf("tanf", libc_tanf, tan, -10, 10);
    runf("asinf", libc_asinf, asin, -1, 1);
    runf("acosf", libc_acosf, acos, -1, 1);
    runf("atanf", libc_atanf, atan, -100, 100);
    runf("sinhf", libc_sinhf, sinh, -90, 90);
    runf("coshf", libc_coshf, cosh, -90, 90);
    runf("log10f", libc_log10f, log10, 0, 1000);
    runf("log2f", libc_log2f, log2, 0, 1000);
    runf("exp2f", libc_exp2f, exp2, -150, 130);
    runf("cbrtf", libc_cbrtf, cbrt, -1000, 1000);
    float s, c;
    libc_sincosf(1.5f, &s, &c);
    CHECK(s == sinf(1.5f) && c == cosf(1.5f), "sincosf");
    CHECK(libc_atan2f(1, -1) == atan2f(1, -1) && libc_hypotf(3, 4) == 5, "atan2f, hypotf");
    return t_done();
}
