/*
 * Floating-point conversions of printf (%e %f %g %a), correctly rounded.
 *
 * A finite double is m * 2^e exactly, so its decimal expansion is finite:
 * m * 2^e (e >= 0) or m * 5^-e * 10^e (e < 0). We compute that integer
 * in base 10^9 (at most 767 digits), then round the digit string once at
 * the requested position, halfway cases to even: the result is the exact
 * value correctly rounded, as glibc prints it in the default rounding
 * mode. %a works on the bits directly.
 */
#include <stdlib.h>
#include <string.h>

#include "libc_impl.h"

#define LIMBS 100                      /* 900 decimal digits > 767 needed */
#define MAXDIG (LIMBS * 9)

/* x = 0.d[0]d[1]...d[n-1] * 10^(*e10 + 1), d without leading or trailing
 * zeros; x > 0 finite. Returns n. */
static int exact_digits(double x, char *d, int *e10)
{
    union { double f; uint64_t u; } v = {x};
    int be = (int)(v.u >> 52 & 0x7ff);
    uint64_t m = v.u & ((1ull << 52) - 1);
    int e2;
    if (be) {
        m |= 1ull << 52;
        e2 = be - 1075;
    } else {
        e2 = -1074;
    }
    while (!(m & 1)) {
        m >>= 1;
        e2++;
    }
    uint32_t limb[LIMBS];
    int n = 0;
    while (m) {
        limb[n++] = (uint32_t)(m % 1000000000u);
        m /= 1000000000u;
    }
    /* multiply by 2^e2 or 5^-e2, in steps that keep the carry in 64 bits */
    int k = e2 >= 0 ? e2 : -e2;
    while (k > 0) {
        int step = e2 >= 0 ? (k > 29 ? 29 : k) : (k > 13 ? 13 : k);
        uint64_t mul = 1;
        for (int i = 0; i < step; i++)
            mul *= e2 >= 0 ? 2 : 5;
        uint64_t carry = 0;
        for (int i = 0; i < n; i++) {
            uint64_t t = (uint64_t)limb[i] * mul + carry;
            limb[i] = (uint32_t)(t % 1000000000u);
            carry = t / 1000000000u;
        }
        while (carry) {
            limb[n++] = (uint32_t)(carry % 1000000000u);
            carry /= 1000000000u;
        }
        k -= step;
    }
    /* to digits, most significant first */
    int len = 0;
    for (int i = n - 1; i >= 0; i--) {
        char tmp[9];
        uint32_t l = limb[i];
        for (int j = 8; j >= 0; j--) {
            tmp[j] = (char)('0' + l % 10);
            l /= 10;
        }
        int j = 0;
        if (i == n - 1)
            while (j < 8 && tmp[j] == '0')
                j++;
        for (; j < 9; j++)
            d[len++] = tmp[j];
    }
    *e10 = (e2 >= 0 ? len - 1 : len - 1 + e2);
    while (len > 1 && d[len - 1] == '0')
        len--;
    return len;
}

/* Keep the first nd digits of d[0..n), rounding half to even. nd <= 0
 * rounds to a value below the first digit (0 or one unit carried in).
 * Returns the new length (0 means the value rounded to zero); *e10 grows
 * by one when the carry ran out of the top. */
static int round_digits(char *d, int n, int nd, int *e10)
{
    if (nd >= n)
        return n;
    if (nd < 0)
        return 0;
    int up;
    char r = d[nd];
    if (r > '5') {
        up = 1;
    } else if (r < '5') {
        up = 0;
    } else {
        int rest = 0;
        for (int i = nd + 1; i < n; i++)
            rest |= d[i] != '0';
        up = rest || (nd > 0 && ((d[nd - 1] - '0') & 1));
    }
    n = nd;
    if (up) {
        int i = nd - 1;
        while (i >= 0 && d[i] == '9')
            d[i--] = '0';
        if (i >= 0) {
            d[i]++;
        } else {
            d[0] = '1';        /* 99.9 -> 100: one digit, one decade up */
            n = 1;
            (*e10)++;
        }
    }
    while (n > 0 && d[n - 1] == '0')
        n--;
    return n;
}

struct sb {
    char *p;
    size_t len, cap;
};

static void put(struct sb *b, char c)
{
    if (b->len < b->cap)
        b->p[b->len] = c;
    b->len++;
}

static void puts_n(struct sb *b, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        put(b, s[i]);
}

static void zeros(struct sb *b, long n)
{
    for (long i = 0; i < n; i++)
        put(b, '0');
}

static char digit_at(const char *d, int n, int i)
{
    return i >= 0 && i < n ? d[i] : '0';
}

static void emit_exp(struct sb *b, int e, char ech)
{
    put(b, ech);
    put(b, e < 0 ? '-' : '+');
    if (e < 0)
        e = -e;
    char t[8];
    int k = 0;
    do {
        t[k++] = (char)('0' + e % 10);
        e /= 10;
    } while (e);
    if (k < 2)
        t[k++] = '0';
    while (k)
        put(b, t[--k]);
}

/* %e body: d (n digits) as d.ddd with prec digits after the point. */
static void body_e(struct sb *b, const char *d, int n, int e10, int prec, int hash, int upper)
{
    put(b, n ? d[0] : '0');
    if (prec > 0 || hash)
        put(b, '.');
    for (int i = 1; i <= prec; i++)
        put(b, digit_at(d, n, i));
    emit_exp(b, n ? e10 : 0, upper ? 'E' : 'e');
}

/* %f body: prec digits after the point. */
static void body_f(struct sb *b, const char *d, int n, int e10, int prec, int hash)
{
    if (!n || e10 < 0) {
        put(b, '0');
    } else {
        for (int i = 0; i <= e10; i++)
            put(b, digit_at(d, n, i));
    }
    if (prec > 0 || hash)
        put(b, '.');
    for (int i = 1; i <= prec; i++)
        put(b, n ? digit_at(d, n, e10 + i) : '0');
}

static void body_a(struct sb *b, double x, int prec, int hash, int upper)
{
    union { double f; uint64_t u; } v = {x};
    int be = (int)(v.u >> 52 & 0x7ff);
    uint64_t m = v.u & ((1ull << 52) - 1);
    int e;
    uint64_t lead;
    if (be) {
        lead = 1;
        e = be - 1023;
    } else {
        lead = 0;
        e = m ? -1022 : 0;
    }
    uint64_t all = lead << 52 | m;     /* lead . 13 hex digits */
    int nd = 13;
    if (prec >= 0 && prec < 13) {
        int drop = (13 - prec) * 4;
        uint64_t rem = all & ((1ull << drop) - 1), half = 1ull << (drop - 1);
        all >>= drop;
        if (rem > half || (rem == half && (all & 1)))
            all++;
        nd = prec;
        lead = all >> (nd * 4);
        m = all & ((nd ? (1ull << (nd * 4)) : 1) - 1);
        if (!nd)
            m = 0;
    } else {
        while (nd > 0 && !(m & 0xf)) {
            m >>= 4;
            nd--;
        }
        if (!nd)
            m = 0;
    }
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    put(b, '0');
    put(b, upper ? 'X' : 'x');
    put(b, hex[lead]);
    int total = prec >= 0 ? prec : nd;
    if (total > 0 || hash)
        put(b, '.');
    for (int i = 0; i < total; i++)
        put(b, i < nd ? hex[(m >> ((nd - 1 - i) * 4)) & 0xf] : '0');
    put(b, upper ? 'P' : 'p');
    put(b, e < 0 ? '-' : '+');
    char t[8];
    int k = 0, a = e < 0 ? -e : e;
    do {
        t[k++] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    while (k)
        put(b, t[--k]);
}

/* The number without sign or padding. */
static void body(struct sb *b, double x, int conv, int prec, int flags)
{
    int upper = conv == 'E' || conv == 'F' || conv == 'G' || conv == 'A';
    int hash = flags & LIBC_F_HASH;
    if (__builtin_isinf(x) || __builtin_isnan(x)) {
        puts_n(b, __builtin_isnan(x) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"), 3);
        return;
    }
    if (conv == 'a' || conv == 'A') {
        body_a(b, x, prec, hash, upper);
        return;
    }
    static char d[MAXDIG + 2];        /* one stream at a time: threads are cooperative */
    int n = 0, e10 = 0;
    if (x != 0)
        n = exact_digits(x, d, &e10);
    if (prec < 0)
        prec = 6;
    switch (conv) {
    case 'e': case 'E':
        n = round_digits(d, n, prec + 1, &e10);
        body_e(b, d, n, e10, prec, hash, upper);
        break;
    case 'f': case 'F':
        n = round_digits(d, n, e10 + 1 + prec, &e10);
        body_f(b, d, n, e10, prec, hash);
        break;
    default: {                        /* g G */
        int p = prec ? prec : 1;
        n = round_digits(d, n, p, &e10);
        int ex = n ? e10 : 0;
        if (p > ex && ex >= -4) {
            int fp = p - 1 - ex;
            if (!hash) {              /* drop trailing zeros */
                int sig = n - (ex + 1); /* digits after the point */
                if (sig < fp)
                    fp = sig < 0 ? 0 : sig;
            }
            body_f(b, d, n, e10, fp, hash);
        } else {
            int ep = p - 1;
            if (!hash && n - 1 < ep)
                ep = n > 0 ? n - 1 : 0;
            body_e(b, d, n, e10, ep, hash, upper);
        }
    }
    }
}

int libc_format_float(char **out, double x, int conv, int prec, int flags, int width)
{
    struct sb b = {0};
    char sign = 0;
    if (__builtin_signbit(x))
        sign = '-';
    else if (flags & LIBC_F_PLUS)
        sign = '+';
    else if (flags & LIBC_F_SPACE)
        sign = ' ';
    x = __builtin_fabs(x);
    /* measure, then write */
    body(&b, x, conv, prec, flags);
    size_t blen = b.len;
    size_t total = blen + (sign != 0);
    size_t pad = width > 0 && (size_t)width > total ? (size_t)width - total : 0;
    char *p = malloc(total + pad + 1);
    if (!p)
        return -1;
    int finite = !__builtin_isinf(x) && !__builtin_isnan(x);
    int zero = (flags & LIBC_F_ZERO) && !(flags & LIBC_F_MINUS) && finite;
    b.p = p;
    b.cap = total + pad;
    b.len = 0;
    if (!zero && !(flags & LIBC_F_MINUS))
        for (size_t i = 0; i < pad; i++)
            put(&b, ' ');
    if (sign)
        put(&b, sign);
    if (zero && (conv == 'a' || conv == 'A')) {
        /* zeros go after "0x" */
        size_t start = b.len;
        body(&b, x, conv, prec, flags);
        memmove(p + start + 2 + pad, p + start + 2, blen - 2);
        memset(p + start + 2, '0', pad);
        b.len += pad;
    } else {
        if (zero)
            zeros(&b, (long)pad);
        body(&b, x, conv, prec, flags);
    }
    if (flags & LIBC_F_MINUS)
        for (size_t i = 0; i < pad; i++)
            put(&b, ' ');
    p[b.len] = 0;
    *out = p;
    return (int)b.len;
}
