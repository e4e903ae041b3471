/* sscanf against glibc: conversions, widths, suppression, sets, %n,
 * return values on matching and input failures. */
#include <math.h>

#include "libc_test.h"

struct out {
    int r, n, i[4];
    unsigned u;
    long l;
    long long ll;
    short h;
    signed char hh;
    double d;
    float f;
    char s1[64], s2[64], c[8];
    void *p;
};

#define BOTH(input, fmt, ...)                                                          \
    do {                                                                               \
        struct out a, b;                                                               \
        memset(&a, 0x55, sizeof a);                                                    \
        memset(&b, 0x55, sizeof b);                                                    \
        { struct out *o = &a; o->r = libc_sscanf(input, fmt, __VA_ARGS__); }           \
        { struct out *o = &b; o->r = sscanf(input, fmt, __VA_ARGS__); }                \
        CHECK(!memcmp(&a, &b, sizeof a), "sscanf(\"%s\", \"%s\"): returns %d, glibc %d%s", input, fmt, a.r, b.r, \
              a.r == b.r ? " (results differ)" : "");                                  \
    } while (0)

int main(void)
{
    BOTH("42 -17 0x1f 017", "%d %d %i %i", &o->i[0], &o->i[1], &o->i[2], &o->i[3]);
    BOTH("12345", "%2d%3d", &o->i[0], &o->i[1]);
    BOTH("  -0", "%i", &o->i[0]);
    BOTH("0x", "%x%n", &o->u, &o->n);
    BOTH("ff 0xFF 777", "%x %X %o", &o->u, &o->i[0], &o->i[1]);
    BOTH("4294967295 -1", "%u %ld", &o->u, &o->l);
    BOTH("123456789012345 300 70000", "%lld %hhd %hd", &o->ll, &o->hh, &o->h);
    BOTH("hello world", "%s %s", o->s1, o->s2);
    BOTH("hello world", "%3s%s", o->s1, o->s2);
    BOTH("abc", "%c%c", &o->c[0], &o->c[1]);
    BOTH("abcdef", "%4c", o->c);
    BOTH("ab", "%4c", o->c);
    BOTH(" x", "%c", &o->c[0]);
    BOTH("key=value;rest", "%[^=]=%[^;];%s", o->s1, o->s2, o->s1 + 32);
    BOTH("abc123", "%[a-z]%d", o->s1, &o->i[0]);
    BOTH("]]]x", "%[]]%c", o->s1, &o->c[0]);
    BOTH("123abc", "%[0-9]%n", o->s1, &o->n);
    BOTH("3.25 -1e3 .5 1e-310", "%lf %f %lf %lf", &o->d, &o->f, &o->s1[0] ? &o->d : &o->d, &o->d);
    BOTH("1.5e2x", "%lg%c", &o->d, &o->c[0]);
    BOTH("0x1.8p1 inf nan", "%la %lf %lf", &o->d, &o->d, &o->d);
    BOTH("12.5px", "%lf%2s", &o->d, o->s1);
    BOTH("1 2 3", "%d %*d %d", &o->i[0], &o->i[1]);
    BOTH("10%", "%d%%", &o->i[0]);
    BOTH("10 %", "%d %%", &o->i[0]);
    BOTH("abc", "%d", &o->i[0]);
    BOTH("", "%d", &o->i[0]);
    BOTH("   ", "%d", &o->i[0]);
    BOTH("5", "%d %d", &o->i[0], &o->i[1]);
    BOTH("rgb(10, 20,30)", "rgb(%d ,%d ,%d)", &o->i[0], &o->i[1], &o->i[2]);
    BOTH("rgb(10,20,30)", "rgb(%d,%d,%d)%n", &o->i[0], &o->i[1], &o->i[2], &o->n);
    BOTH("x", "y%d", &o->i[0]);
    BOTH("0x7fff", "%p", &o->p);
    BOTH("-", "%d", &o->i[0]);
    BOTH("222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222 5",
         "%lld %d", &o->ll, &o->i[0]);
    /* glibc consumes an exponent mark without digits, fails on "0x" alone */
    static const char *const partial[] = {"1E\002", "1e+x", "1ex 5", "0x1p", "1.5e", "nanx", "infx", "0xg", "-.e1", "+.5", "0x.!", "0x.1", "0x.", "0.x", "0x1.", "0xp1", "0x.p1", "infinf", "infi", "infinity", "INFINITYx", "nan(12)x", "-inx", "nax", "in", "-Inf"};
    for (size_t k = 0; k < sizeof partial / sizeof *partial; k++)
        BOTH(partial[k], "%lf%n%15s", &o->d, &o->n, o->s1);
    BOTH("+5", "%u", &o->u);
    BOTH("2024-01-31T10:20:30Z", "%4d-%2d-%2dT%d", &o->i[0], &o->i[1], &o->i[2], &o->i[3]);
    /* random numbers printed and read back */
    char buf[128];
    for (int k = 0; k < 20000; k++) {
        double v;
        unsigned long long u = t_rand();
        memcpy(&v, &u, 8);
        if (isnan(v))
            continue;
        snprintf(buf, sizeof buf, "%.17g %lld %llx", v, (long long)u, u);
        BOTH(buf, "%lf %lld %llx", &o->d, &o->ll, (unsigned long long *)&o->l);
        snprintf(buf, sizeof buf, "%.9g", (double)(float)v);
        BOTH(buf, "%f", &o->f);
    }
    return t_done();
}
