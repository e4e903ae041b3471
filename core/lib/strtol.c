/* Number parsing of <anx/lib.h>. */
#include <anx/lib.h>

static int digit_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Parse the magnitude; *neg gets the sign, *overflow whether it saturated. */
static unsigned long long parse(const char *s, char **end, int base,
                                bool *neg, bool *overflow)
{
    const char *p = s;
    unsigned long long v = 0;
    bool any = false;

    *neg = false;
    *overflow = false;
    if (base < 0 || base == 1 || base > 36) {
        if (end)
            *end = (char *)s;
        return 0;
    }
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '+' || *p == '-')
        *neg = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if ((base == 0 || base == 2) && p[0] == '0' && (p[1] == 'b' || p[1] == 'B') &&
               digit_value((unsigned char)p[2]) < 2) {
        p += 2;
        base = 2;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    for (;; p++) {
        int d = digit_value((unsigned char)*p);
        if (d >= base)
            break;
        any = true;
        if (v > (~0ull - (unsigned)d) / (unsigned)base)
            *overflow = true;
        else
            v = v * (unsigned)base + (unsigned)d;
    }
    if (end)
        *end = (char *)(any ? p : s);
    return *overflow ? ~0ull : v;
}

unsigned long long strtoull(const char *s, char **end, int base)
{
    bool neg, ovf;
    unsigned long long v = parse(s, end, base, &neg, &ovf);
    if (ovf)
        return ~0ull;
    return neg ? -v : v;
}

long long strtoll(const char *s, char **end, int base)
{
    bool neg, ovf;
    unsigned long long v = parse(s, end, base, &neg, &ovf);
    const unsigned long long lim = (unsigned long long)__LONG_LONG_MAX__;
    if (neg) {
        if (ovf || v > lim + 1)
            return -__LONG_LONG_MAX__ - 1;
        return v == lim + 1 ? -__LONG_LONG_MAX__ - 1 : -(long long)v;
    }
    if (ovf || v > lim)
        return __LONG_LONG_MAX__;
    return (long long)v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
    bool neg, ovf;
    unsigned long long v = parse(s, end, base, &neg, &ovf);
    if (ovf || v > (unsigned long)-1)
        return (unsigned long)-1;
    return neg ? -(unsigned long)v : (unsigned long)v;
}

long strtol(const char *s, char **end, int base)
{
    long long v = strtoll(s, end, base);
    if (v > __LONG_MAX__)
        return __LONG_MAX__;
    if (v < -__LONG_MAX__ - 1)
        return -__LONG_MAX__ - 1;
    return (long)v;
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

int anx_parse_u64(const char *s, uint64_t *out, bool suffix)
{
    char *end;
    bool neg, ovf;
    uint64_t v, mul = 1;

    if (!s || !isdigit((unsigned char)*s))
        return -1;
    v = parse(s, &end, 0, &neg, &ovf);
    if (ovf || end == s)
        return -1;
    if (suffix && *end) {
        switch (*end) {
        case 'k': case 'K': mul = 1ull << 10; break;
        case 'm': case 'M': mul = 1ull << 20; break;
        case 'g': case 'G': mul = 1ull << 30; break;
        default: return -1;
        }
        end++;
        if (v > ~0ull / mul)
            return -1;
    }
    if (*end)
        return -1;
    *out = v * mul;
    return 0;
}

int anx_parse_i64(const char *s, int64_t *out)
{
    char *end;
    bool neg, ovf;
    uint64_t v;
    const char *p = s;

    if (!s)
        return -1;
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    v = parse(s, &end, 0, &neg, &ovf);
    if (ovf || *end)
        return -1;
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return -1;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)v;
    }
    return 0;
}
