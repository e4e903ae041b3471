/* The string, ctype, locale, stdlib and math additions against glibc. */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>

#include "libc_test.h"

char *libc_strerror(int err);
char *libc_strtok_r(char *s, const char *sep, char **save);
char *libc_strtok(char *s, const char *sep);
char *libc_strpbrk(const char *s, const char *accept);
void *libc_memrchr(const void *s, int c, size_t n);
char *libc_strcasestr(const char *h, const char *n);
char *libc_strsep(char **s, const char *sep);
char *libc_stpcpy(char *d, const char *s);
char *libc_strcat(char *d, const char *s);
char *libc_strncat(char *d, const char *s, size_t n);
int libc_isgraph(int c);
int libc_isblank(int c);
char *libc_setlocale(int cat, const char *name);
struct lconv *libc_localeconv(void);
int libc_abs(int);
long libc_labs(long);
div_t libc_div(int, int);
char *libc_getenv(const char *);
void *libc_bsearch(const void *key, const void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
int libc_rand(void);
void libc_srand(unsigned);
double libc_fabs(double), libc_floor(double), libc_ceil(double), libc_round(double), libc_trunc(double);
double libc_fmod(double, double), libc_sqrt(double);
long libc_lround(double);
double libc_exp(double), libc_log(double);

/* Distance in units in the last place between two doubles of one sign. */
static long long ulps(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : 1LL << 60;
    if (a == b)
        return 0;
    int64_t ia, ib;
    memcpy(&ia, &a, 8);
    memcpy(&ib, &b, 8);
    if ((ia < 0) != (ib < 0))
        return 1LL << 60;
    return ia > ib ? ia - ib : ib - ia;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static int same_double(double a, double b) { return memcmp(&a, &b, 8) == 0 || (isnan(a) && isnan(b)); }

static double rand_double(void)
{
    uint64_t u = t_rand();
    double d;
    memcpy(&d, &u, 8);
    return d;
}

int main(void)
{
    for (int e = 0; e < 140; e++)
        CHECK(!strcmp(libc_strerror(e), strerror(e)) || !strncmp(libc_strerror(e), "Unknown error", 13),
              "strerror(%d): \"%s\", glibc \"%s\"", e, libc_strerror(e), strerror(e));
    CHECK(!strcmp(libc_strerror(2), "No such file or directory"), "ENOENT text");
    CHECK(!strcmp(libc_strerror(9999), strerror(9999)), "unknown: \"%s\"", libc_strerror(9999));
    static const char *const inputs[] = {"a,b,,c", ",,x,", "", ",,,", "one", "a b\tc, d"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        char x[64], y[64], *sx, *sy, *tx, *ty;
        strcpy(x, inputs[i]);
        strcpy(y, inputs[i]);
        tx = libc_strtok_r(x, ", \t", &sx);
        ty = strtok_r(y, ", \t", &sy);
        for (;;) {
            CHECK((tx == NULL) == (ty == NULL) && (!tx || tx - x == ty - y), "strtok_r(\"%s\")", inputs[i]);
            if (!tx || !ty)
                break;
            tx = libc_strtok_r(NULL, ", \t", &sx);
            ty = strtok_r(NULL, ", \t", &sy);
        }
        strcpy(x, inputs[i]);
        strcpy(y, inputs[i]);
        tx = libc_strtok(x, ",");
        ty = strtok(y, ",");
        for (;;) {
            CHECK((tx == NULL) == (ty == NULL) && (!tx || tx - x == ty - y), "strtok(\"%s\")", inputs[i]);
            if (!tx || !ty)
                break;
            tx = libc_strtok(NULL, ",");
            ty = strtok(NULL, ",");
        }
        strcpy(x, inputs[i]);
        strcpy(y, inputs[i]);
        char *px = x, *py = y;
        for (;;) {
            tx = libc_strsep(&px, ",");
            ty = strsep(&py, ",");
            CHECK((tx == NULL) == (ty == NULL) && (!tx || tx - x == ty - y) && (px == NULL) == (py == NULL),
                  "strsep(\"%s\")", inputs[i]);
            if (!tx || !ty)
                break;
        }
        CHECK(libc_strpbrk(inputs[i], " ,") == strpbrk(inputs[i], " ,"), "strpbrk(\"%s\")", inputs[i]);
        size_t l = strlen(inputs[i]);
        CHECK(libc_memrchr(inputs[i], ',', l) == memrchr(inputs[i], ',', l), "memrchr(\"%s\")", inputs[i]);
    }
    const char *h = "Content-Type: Text/HTML; charset=UTF-8";
    static const char *const needles[] = {"text/html", "CHARSET", "", "utf-9", "8", "content-type: text/html; charset=utf-8x"};
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++)
        CHECK(libc_strcasestr(h, needles[i]) == strcasestr(h, needles[i]), "strcasestr(\"%s\")", needles[i]);
    char buf[64];
    CHECK(libc_stpcpy(buf, "abc") == buf + 3 && !strcmp(buf, "abc"), "stpcpy");
    CHECK(libc_strcat(buf, "de") == buf && !strcmp(buf, "abcde"), "strcat");
    CHECK(libc_strncat(buf, "fghij", 2) == buf && !strcmp(buf, "abcdefg"), "strncat");
    for (int c = -1; c < 256; c++)
        CHECK(!libc_isgraph(c) == !(c >= 0 && c < 128 && isgraph(c)) && !libc_isblank(c) == !(c >= 0 && c < 128 && isblank(c)),
              "ctype of %d", c);
    CHECK(!strcmp(libc_setlocale(LC_ALL, NULL), "C") && !strcmp(libc_setlocale(LC_ALL, ""), "C") &&
              libc_setlocale(LC_ALL, "de_DE.UTF-8") == NULL && !strcmp(libc_localeconv()->decimal_point, "."),
          "C locale");
    CHECK(libc_abs(-5) == 5 && libc_labs(-7L) == 7 && libc_div(-7, 2).quot == -3 && libc_div(-7, 2).rem == -1, "abs/div");
    CHECK(libc_getenv("HOME") == NULL && libc_getenv("PATH") == NULL, "no environment");
    int arr[100];
    for (int i = 0; i < 100; i++)
        arr[i] = i * 3;
    for (int k = -2; k < 302; k++) {
        int *a = libc_bsearch(&k, arr, 100, sizeof *arr, cmp_int), *b = bsearch(&k, arr, 100, sizeof *arr, cmp_int);
        CHECK(a == b, "bsearch %d", k);
    }
    libc_srand(7);
    int r1 = libc_rand(), r2 = libc_rand();
    libc_srand(7);
    CHECK(libc_rand() == r1 && libc_rand() == r2 && r1 != r2 && r1 >= 0, "rand repeats per seed");
    /* the exact math functions: bit-for-bit glibc */
    static const double sp[] = {0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 4503599627370495.5,
                                4503599627370497.0, 1e300, -1e-300, 5e-324, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof sp / sizeof *sp + 30000; i++) {
        double x = i < sizeof sp / sizeof *sp ? sp[i] : rand_double();
        if (i >= sizeof sp / sizeof *sp && (t_rand() & 1))
            x = (double)(int64_t)(t_rand() % 2000001 - 1000000) / 8;
        double y = i % 5 == 0 ? rand_double() : (double)(int64_t)(t_rand() % 201 - 100) / 4;
        CHECK(same_double(libc_fabs(x), fabs(x)), "fabs(%a)", x);
        CHECK(same_double(libc_floor(x), floor(x)), "floor(%a): %a vs %a", x, libc_floor(x), floor(x));
        CHECK(same_double(libc_ceil(x), ceil(x)), "ceil(%a): %a vs %a", x, libc_ceil(x), ceil(x));
        CHECK(same_double(libc_round(x), round(x)), "round(%a): %a vs %a", x, libc_round(x), round(x));
        CHECK(same_double(libc_trunc(x), trunc(x)), "trunc(%a)", x);
        CHECK(same_double(libc_sqrt(x), sqrt(x)), "sqrt(%a)", x);
        CHECK(same_double(libc_fmod(x, y), fmod(x, y)), "fmod(%a, %a): %a vs %a", x, y, libc_fmod(x, y), fmod(x, y));
        if (fabs(x) < 1e15)
            CHECK(libc_lround(x) == lround(x), "lround(%a)", x);
    }
    /* exp and log: at most 1 ulp from glibc's (which is correctly rounded
     * in nearly every case), over their whole domains and the edges */
    static const double ex[] = {0, -0.0, 1, -1, 1e-300, 0x1p-30, 709.78, 709.782712893383973096, 709.8, -708.4,
                                -745.1, -745.2, -740, -1e9, 1e9, INFINITY, -INFINITY, NAN, 0.5, 88.7};
    long long worst_exp = 0, worst_log = 0;
    for (size_t i = 0; i < sizeof ex / sizeof *ex + 200000; i++) {
        double x = i < sizeof ex / sizeof *ex ? ex[i] : ((double)(t_rand() >> 11) / 0x1p53 - 0.5) * 1500;
        long long d = ulps(libc_exp(x), exp(x));
        if (d > worst_exp)
            worst_exp = d;
        CHECK(d <= 1, "exp(%a): %a, glibc %a", x, libc_exp(x), exp(x));
        double y = i < sizeof ex / sizeof *ex ? ex[i] : (i & 1 ? fabs(rand_double()) : (double)(t_rand() >> 11) / 0x1p50);
        d = ulps(libc_log(y), log(y));
        if (d > worst_log)
            worst_log = d;
        CHECK(d <= 1, "log(%a): %a, glibc %a", y, libc_log(y), log(y));
    }
    printf("exp: worst %lld ulp, log: worst %lld ulp (bound 1)\n", worst_exp, worst_log);
    return t_done();
}
