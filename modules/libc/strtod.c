/*
 * strtod, strtof, atof: correctly rounded decimal and hexadecimal input,
 * "inf", "infinity", "nan", "nan(chars)" in any case.
 *
 * Decimal: the significant digits D (at most 800 kept; a nonzero digit
 * beyond them is one more digit '1', enough to break every tie, since a
 * double's exact halfway point has at most 767 significant digits) and
 * the exponent E give D * 10^E = num / den exactly in big integers. The
 * long division of num * 2^k by den gives a 64-bit quotient q plus a
 * sticky bit for the remainder, and libc_round_binary rounds q * 2^-k
 * once, halfway cases to even. No floating-point arithmetic is involved,
 * so the result does not depend on the FPU's mode.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libc_impl.h"

#define MAXDIGITS 800
#define LIMBS 300                      /* 9600 bits: num * 2^k or den * 2^64 */

struct big {
    int n;                             /* limbs in use, no leading zero limb */
    uint32_t w[LIMBS];
};

static void big_set(struct big *b, uint32_t v)
{
    b->n = v ? 1 : 0;
    b->w[0] = v;
}

static void big_mul_add(struct big *b, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;
    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * mul + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        b->w[b->n++] = (uint32_t)carry;
}

static void big_pow10(struct big *b, int e)
{
    for (; e >= 9; e -= 9)
        big_mul_add(b, 1000000000u, 0);
    static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (e)
        big_mul_add(b, p10[e], 0);
}

static int big_bits(const struct big *b)
{
    if (!b->n)
        return 0;
    return (b->n - 1) * 32 + 32 - __builtin_clz(b->w[b->n - 1]);
}

static void big_shl(struct big *b, int s)
{
    if (!b->n || !s)
        return;
    int limbs = s / 32, bits = s % 32;
    int n = b->n + limbs + 1;
    for (int i = n - 1; i >= 0; i--) {
        int src = i - limbs;
        uint32_t hi = src >= 0 && src < b->n ? b->w[src] : 0;
        uint32_t lo = src - 1 >= 0 && src - 1 < b->n ? b->w[src - 1] : 0;
        b->w[i] = bits ? (hi << bits | lo >> (32 - bits)) : hi;
    }
    b->n = n;
    while (b->n && !b->w[b->n - 1])
        b->n--;
}

static void big_shr1(struct big *b)
{
    for (int i = 0; i < b->n; i++)
        b->w[i] = b->w[i] >> 1 | (i + 1 < b->n ? b->w[i + 1] << 31 : 0);
    while (b->n && !b->w[b->n - 1])
        b->n--;
}

static int big_cmp(const struct big *a, const struct big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static void big_sub(struct big *a, const struct big *b)    /* a >= b */
{
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
        borrow = t < 0;
        a->w[i] = (uint32_t)(t + (borrow ? (int64_t)1 << 32 : 0));
    }
    while (a->n && !a->w[a->n - 1])
        a->n--;
}

double libc_round_binary(uint64_t q, int e2, int sticky, int bits, int emin, int emax,
                         int *range_err)
{
    *range_err = 0;
    if (!q)
        return 0.0;
    int t = e2 + 63;                   /* exponent of q's top bit */
    int p = bits;
    if (t < emin)
        p = bits - (emin - t);
    uint64_t keep;
    int sc;                            /* value = keep * 2^sc */
    if (p <= 0) {
        /* below the smallest subnormal's half, or exactly at it (p == 0) */
        int up = p == 0 && (q > (1ull << 63) || sticky);
        *range_err = 1;
        keep = up;
        sc = emin - bits + 1;
    } else {
        int shift = 64 - p;
        keep = shift ? q >> shift : q;
        uint64_t rem = shift ? q & ((1ull << shift) - 1) : 0;
        uint64_t half = shift ? 1ull << (shift - 1) : 0;
        int inexact = rem || sticky;
        if (shift && (rem > half || (rem == half && (sticky || (keep & 1)))))
            keep++;
        sc = e2 + shift;
        if (keep >> p) {               /* carried into a new binade */
            keep >>= 1;
            sc++;
        }
        if (p < bits && inexact)
            *range_err = 1;            /* subnormal and inexact: underflow */
        if (sc + bits - 1 > emax || (keep >> (bits - 1) && sc + bits - 1 > emax)) {
            *range_err = 1;
            return __builtin_inf();
        }
    }
    if (!keep)
        return 0.0;
    /* keep * 2^sc exactly as a double: keep < 2^53 and the exponent is in
     * double's range (float results are exactly representable too) */
    union { double f; uint64_t u; } v;
    int lz = __builtin_clzll(keep) - 11;   /* bring the top bit to bit 52 */
    uint64_t m = keep << lz;
    int e = sc - lz + 52;                   /* exponent of bit 52 */
    if (e < -1022) {
        m >>= (-1022 - e);                  /* exact: double subnormal */
        v.u = m;
    } else {
        v.u = (uint64_t)(e + 1023) << 52 | (m & ((1ull << 52) - 1));
    }
    return v.f;
}

static int match(const char *s, const char *word)
{
    size_t i = 0;
    for (; word[i]; i++)
        if (tolower((unsigned char)s[i]) != word[i])
            return 0;
    return (int)i;
}

/* Parse "[0x]mantissa[p exp]" after the sign; *q, *e2, *sticky as for
 * libc_round_binary (q normalized, or 0). Returns the end. */
static const char *parse_hex(const char *s, uint64_t *qo, int *e2o, int *stickyo)
{
    uint64_t q = 0;
    long e2 = 0;
    int sticky = 0, any = 0, point = 0;
    for (;; s++) {
        int v;
        if (*s == '.' && !point) {
            point = 1;
            continue;
        }
        if ((v = anx_hexval((unsigned char)*s)) < 0)
            break;
        any = 1;
        if (q >> 60) {                 /* full: the digit goes into sticky */
            sticky |= v != 0;
            if (!point)
                e2 += 4;
        } else {
            q = q << 4 | (uint64_t)v;
            if (point)
                e2 -= 4;
        }
    }
    (void)any;
    if ((*s == 'p' || *s == 'P')) {
        const char *p = s + 1;
        int neg = 0;
        if (*p == '+' || *p == '-')
            neg = *p++ == '-';
        if (isdigit((unsigned char)*p)) {
            long x = 0;
            for (; isdigit((unsigned char)*p); p++)
                if (x < 100000)
                    x = x * 10 + (*p - '0');
            e2 += neg ? -x : x;
            s = p;
        }
    }
    if (q) {
        int lz = __builtin_clzll(q);
        q <<= lz;
        e2 -= lz;
    }
    if (e2 > 100000) e2 = 100000;
    if (e2 < -100000) e2 = -100000;
    *qo = q;
    *e2o = (int)e2;
    *stickyo = sticky;
    return s;
}

static struct big num, den;            /* cooperative threads: one parse at a time */

/* num/den with 64 significant bits: q in [2^63, 2^64), *e2, *sticky. */
static uint64_t divide(int *e2, int *sticky)
{
    int k = 64 - (big_bits(&num) - big_bits(&den));   /* q in (2^63, 2^65) */
    if (k > 0)
        big_shl(&num, k);
    else
        big_shl(&den, -k);
    big_shl(&den, 64);
    /* 65 quotient bits, most significant first: shifting by one each step
     * (a variable 128-bit shift is a libgcc call, __ashlti3, at -Os on arm64) */
    unsigned __int128 q = 0;
    for (int i = 64; i >= 0; i--) {
        q <<= 1;
        if (big_cmp(&num, &den) >= 0) {
            big_sub(&num, &den);
            q |= 1;
        }
        big_shr1(&den);
    }
    *sticky = num.n != 0;
    *e2 = -k;
    if (q >> 64) {
        *sticky |= (int)(q & 1);
        q >>= 1;
        (*e2)++;
    }
    return (uint64_t)q;
}

/* Decimal: digits after the sign. */
static const char *parse_dec(const char *s, uint64_t *qo, int *e2o, int *stickyo, int *big_exp)
{
    static char dig[MAXDIGITS + 1];
    int nd = 0, point = 0, any = 0;
    long dexp = 0;                     /* value = 0.dig * 10^... tracked as D * 10^dexp */
    int extra = 0;
    for (;; s++) {
        if (*s == '.' && !point) {
            point = 1;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            break;
        any = 1;
        if (nd == 0 && *s == '0') {
            if (point)
                dexp--;
            continue;
        }
        if (nd < MAXDIGITS) {
            dig[nd++] = *s;
            if (point)
                dexp--;
        } else {
            extra |= *s != '0';
            if (!point)
                dexp++;
        }
    }
    (void)any;
    if (*s == 'e' || *s == 'E') {
        const char *p = s + 1;
        int neg = 0;
        if (*p == '+' || *p == '-')
            neg = *p++ == '-';
        if (isdigit((unsigned char)*p)) {
            long x = 0;
            for (; isdigit((unsigned char)*p); p++)
                if (x < 100000)
                    x = x * 10 + (*p - '0');
            dexp += neg ? -x : x;
            s = p;
        }
    }
    if (extra) {                       /* one more digit, nonzero: breaks ties */
        dig[nd++] = '1';
        dexp--;
    }
    *big_exp = 0;
    if (!nd) {
        *qo = 0;
        return s;
    }
    if (nd + dexp > 310) {             /* >= 10^310: infinite */
        *big_exp = 1;
        return s;
    }
    if (nd + dexp < -324) {            /* < 10^-325: below half the smallest subnormal */
        *big_exp = -1;
        return s;
    }
    big_set(&num, 0);
    num.n = 0;
    for (int i = 0; i < nd; i += 9) {
        uint32_t chunk = 0, mul = 1;
        for (int j = i; j < nd && j < i + 9; j++) {
            chunk = chunk * 10 + (uint32_t)(dig[j] - '0');
            mul *= 10;
        }
        if (!num.n)
            big_set(&num, chunk);
        else
            big_mul_add(&num, mul, chunk);
    }
    big_set(&den, 1);
    if (dexp > 0)
        big_pow10(&num, (int)dexp);
    else
        big_pow10(&den, (int)-dexp);
    *qo = divide(e2o, stickyo);
    return s;
}

static double parse(const char *s0, char **end, int bits, int emin, int emax)
{
    const char *s = s0;
    while (isspace((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    double r;
    int n;
    if ((n = match(s, "infinity")) || (n = match(s, "inf"))) {
        s += n;
        r = __builtin_inf();
    } else if ((n = match(s, "nan"))) {
        s += n;
        if (*s == '(') {               /* nan(n-char-sequence) */
            const char *p = s + 1;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            if (*p == ')')
                s = p + 1;
        }
        r = __builtin_nan("");
    } else {
        uint64_t q = 0;
        int e2 = 0, sticky = 0, range = 0, big_exp = 0;
        int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
                  (anx_hexval((unsigned char)s[2]) >= 0 || (s[2] == '.' && anx_hexval((unsigned char)s[3]) >= 0));
        int dec = isdigit((unsigned char)s[0]) || (s[0] == '.' && isdigit((unsigned char)s[1]));
        if (hex) {
            s = parse_hex(s + 2, &q, &e2, &sticky);
        } else if (dec) {
            s = parse_dec(s, &q, &e2, &sticky, &big_exp);
        } else {
            if (end)
                *end = (char *)s0;
            return 0.0;
        }
        if (big_exp > 0) {
            r = __builtin_inf();
            range = 1;
        } else if (big_exp < 0) {
            r = 0.0;
            range = 1;
        } else {
            r = libc_round_binary(q, e2, sticky, bits, emin, emax, &range);
        }
        if (range)
            errno = ERANGE;
    }
    if (end)
        *end = (char *)s;
    return neg ? -r : r;
}

double strtod(const char *s, char **end)
{
    return parse(s, end, 53, -1022, 1023);
}

float strtof(const char *s, char **end)
{
    return (float)parse(s, end, 24, -126, 127);
}

/* long double is parsed at double precision (documented in <stdlib.h>). */
long double strtold(const char *s, char **end)
{
    return libc_ld_from_double(parse(s, end, 53, -1022, 1023));
}

double atof(const char *s)
{
    return strtod(s, NULL);
}
