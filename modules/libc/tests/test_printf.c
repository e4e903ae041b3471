/* printf with floating point against glibc: many values, formats, flags. */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "libc_test.h"

static void same(const char *fmt, ...)
{
    char a[2048], b[2048];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int ra = libc_vsnprintf(a, sizeof a, fmt, ap);
    int rb = vsnprintf(b, sizeof b, fmt, ap2);
    va_end(ap);
    va_end(ap2);
    CHECK(ra == rb && !strcmp(a, b), "format \"%s\": ours \"%s\" (%d), glibc \"%s\" (%d)", fmt, a, ra, b, rb);
}

static double rand_double(void)
{
    double d;
    do {
        uint64_t u = t_rand();
        memcpy(&d, &u, 8);
    } while (isnan(d) || isinf(d));
    return d;
}

static const char *const float_fmts[] = {
    "%f", "%e", "%g", "%a", "%.17g", "%.0f", "%.0e", "%.3f", "%.10e", "%.1g", "%.20f", "%#g", "%#.0f",
    "%+12.4e", "% .5g", "%-20.6f|", "%020.3f", "%E", "%G", "%A", "%.3a", "%.0a", "%#.0a", "%015a",
    "%.25g", "%.40e", "%-+#12.5G|", "%12a", "%.13a", "%F",
};

static void check_value(double v)
{
    for (size_t i = 0; i < sizeof float_fmts / sizeof *float_fmts; i++) {
        /* glibc drops the '#' zeros when %#g rounds up into the next
         * decade (999999.5 -> "1.e+06"); C asks for "1.00000e+06",
         * checked below */
        if (!strcmp(float_fmts[i], "%#g") && fabs(v) >= 999999.5 && fabs(v) < 1000000)
            continue;
        same(float_fmts[i], v);
    }
}

int main(void)
{
    static const double special[] = {
        0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 0.125, 1.5, 2.5, 0.05, 0.15, 0.25, 0.35, 1e-5, 1e-4, 9.9999e-5,
        123456.0, 1234567.0, 999999.5, 9.5, 99.5, 0.0005, 0.00015, 1e21, 1e22, 1e23, 5e-324, 2.2250738585072014e-308,
        2.2250738585072009e-308, DBL_MAX, DBL_MIN, 3.141592653589793, 2.718281828459045, 1.0 / 3.0, 2.0 / 3.0,
        4503599627370496.5, 9007199254740993.0, 1e300, 1e-300, 0.999999999, 9.9999995, 1e15, 1e16, 1e17,
        INFINITY, -INFINITY, NAN, -NAN,
    };
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        check_value(special[i]);
    for (int i = 0; i < 4000; i++)
        check_value(rand_double());
    /* values of everyday size, where %f and %g switch forms */
    for (int i = 0; i < 4000; i++) {
        double v = (double)(int64_t)(t_rand() % 2000000000) / (double)(1 + t_rand() % 100000);
        check_value(v);
        check_value(v * 1e-6);
    }
    char g[32];
    libc_snprintf(g, sizeof g, "%#g|%#g", 999999.5, 9.999995);
    CHECK(!strcmp(g, "1.00000e+06|10.0000"), "%%#g rounding up: \"%s\"", g);
    /* %.17g round trip: printing then reading gives the same bits */
    for (int i = 0; i < 20000; i++) {
        double v = rand_double(), back;
        char buf[64];
        libc_snprintf(buf, sizeof buf, "%.17g", v);
        back = strtod(buf, NULL);
        CHECK(memcmp(&v, &back, 8) == 0, "%.17g does not round trip: \"%s\"", v, buf);
    }
    /* width and precision from arguments, long double, integers and strings through the same engine */
    same("%*.*f|%-*d|%.*s", 12, 3, 3.14159, 6, 42, 3, "abcdef");
    same("%Lf %Lg", (long double)0.1, (long double)12345.678);
    same("%d %i %u %x %X %o %#x %#o %+d % d %05d %-5d| %hhd %hd %ld %lld %zu %jd", -42, 17, 4000000000u, 255u, 255u,
         8u, 255u, 8u, 5, 5, -42, 7, 300, 70000, -1L, -1LL, (size_t)99, (intmax_t)-9);
    same("%s|%10s|%-10s|%.2s|%c|%5c|%%", "hi", "right", "left", "abc", 'x', 'y');
    same("%p %p", (void *)0x1234, (void *)NULL);
    int n1 = 0, n2 = 0;
    libc_snprintf(NULL, 0, "abc%n%f", &n1, 1.0);
    snprintf(NULL, 0, "abc%n%f", &n2, 1.0);
    CHECK(n1 == n2 && n1 == 3, "%%n: %d, glibc %d", n1, n2);
    /* truncation: the would-be length, a NUL within the buffer */
    char small[5];
    int r = libc_snprintf(small, sizeof small, "%.3f", 3.14159);
    CHECK(r == 5 && !strcmp(small, "3.14"), "truncated: %d \"%s\"", r, small);
    char *heap = NULL;
    r = libc_asprintf(&heap, "%.2e and %s", 12345.678, "text");
    CHECK(r == 17 && heap && !strcmp(heap, "1.23e+04 and text"), "asprintf: %d \"%s\"", r, heap ? heap : "");
    free(heap);
    return t_done();
}
