/*
 * Numbers as people write them in manifests: integers, sizes with binary
 * units (64M = 64 MiB) and durations (5s, 100ms). Every parser checks for
 * overflow because these feed memory sizes and timeouts.
 */
#include "anx.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

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

/* The shift of a size unit: K, M, G or T, each alone or followed by B or
 * iB, in any case (64M, 64MB, 64MiB, 64mb); B or nothing for bytes. All
 * are binary: whoever writes 16MB of memory or of a buffer means 16 MiB,
 * and one meaning for every spelling leaves nothing to remember. -1 for
 * anything else. */
static int size_shift(const char *u)
{
    static const char letters[] = "KMGT";
    if (!*u || !strcasecmp(u, "B"))
        return 0;
    const char *l = strchr(letters, toupper((unsigned char)u[0]));
    if (!l)
        return -1;
    if (u[1] && strcasecmp(u + 1, "B") && strcasecmp(u + 1, "iB"))
        return -1;
    return 10 * (int)(l - letters + 1);
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
    while (*u == ' ' || *u == '\t')   /* 16 M */
        u++;
    int shift = size_shift(u);
    if (shift < 0)
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -2;
    *out = v << shift;
    return 0;
}

bool size_has_unit(const char *s)
{
    uint64_t v;
    int n = parse_digits(s, &v);
    if (n <= 0)
        return false;
    while (s[n] == ' ' || s[n] == '\t')
        n++;
    return s[n] != 0;
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
