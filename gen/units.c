/*
 * Numbers as people write them in manifests: integers, sizes with binary
 * units (64M = 64 MiB) and durations (5s, 100ms). Every parser checks for
 * overflow because these feed memory sizes and timeouts.
 */
#include "anx.h"

#include <string.h>

/* Parses an unsigned decimal (or 0x hex) prefix; returns chars used, 0 if none, -2 on overflow. */
static int parse_digits(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    int i = 0, base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    int start = i;
    for (;; i++) {
        int d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else if (c == '_' && i > start)
            continue;   /* 1_000_000 */
        else
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -2;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (i == start)
        return 0;
    *out = v;
    return i;
}

int parse_int(const char *s, int64_t *out)
{
    bool neg = false;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    uint64_t v;
    int n = parse_digits(s, &v);
    if (n < 0)
        return -2;
    if (n == 0 || s[n])
        return -1;
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int parse_size(const char *s, uint64_t *out)
{
    uint64_t v;
    int n = parse_digits(s, &v);
    if (n < 0)
        return -2;
    if (n == 0)
        return -1;
    const char *u = s + n;
    if (*u == ' ')
        u++;
    int shift;
    if (!*u || !strcmp(u, "B"))
        shift = 0;
    else if (!strcmp(u, "K") || !strcmp(u, "KiB") || !strcmp(u, "k"))
        shift = 10;
    else if (!strcmp(u, "M") || !strcmp(u, "MiB"))
        shift = 20;
    else if (!strcmp(u, "G") || !strcmp(u, "GiB"))
        shift = 30;
    else if (!strcmp(u, "T") || !strcmp(u, "TiB"))
        shift = 40;
    else
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -2;
    *out = v << shift;
    return 0;
}

int parse_duration(const char *s, uint64_t *ns)
{
    uint64_t v;
    int n = parse_digits(s, &v);
    if (n < 0)
        return -2;
    if (n == 0)
        return -1;
    const char *u = s + n;
    if (*u == ' ')
        u++;
    static const struct {
        const char *unit;
        uint64_t mul;
    } units[] = {
        {"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000ULL},
        {"m", 60000000000ULL}, {"min", 60000000000ULL}, {"h", 3600000000000ULL},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(u, units[i].unit)) {
            if (v > UINT64_MAX / units[i].mul)
                return -2;
            *ns = v * units[i].mul;
            return 0;
        }
    }
    return -1;
}

int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

void format_size(uint64_t b, char *out, size_t n)
{
    if (b >= (1ULL << 30) && b % (1ULL << 30) == 0)
        snprintf(out, n, "%lluG", (unsigned long long)(b >> 30));
    else if (b >= (1ULL << 20) && b % (1ULL << 20) == 0)
        snprintf(out, n, "%lluM", (unsigned long long)(b >> 20));
    else if (b >= 1024 && b % 1024 == 0)
        snprintf(out, n, "%lluK", (unsigned long long)(b >> 10));
    else
        snprintf(out, n, "%llu", (unsigned long long)b);
}

void format_duration(uint64_t ns, char *out, size_t n)
{
    static const struct {
        const char *unit;
        uint64_t mul;
    } units[] = {{"h", 3600000000000ULL}, {"m", 60000000000ULL}, {"s", 1000000000ULL}, {"ms", 1000000}, {"us", 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ns >= units[i].mul && ns % units[i].mul == 0) {
            snprintf(out, n, "%llu%s", (unsigned long long)(ns / units[i].mul), units[i].unit);
            return;
        }
    snprintf(out, n, "%lluns", (unsigned long long)ns);
}
