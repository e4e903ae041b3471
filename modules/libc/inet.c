/*
 * Address text conversions (<arpa/inet.h>), with glibc's acceptance
 * rules so that ported code (NetSurf's urldb tells hosts from addresses
 * with inet_aton/inet_pton) decides the same way as on Linux.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "libc_impl.h"

static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* One part of an inet_aton address as C writes integers (0x hex, 0
 * octal, decimal), at most 0xffffffff. *end after it; -1 on overflow. */
static long long aton_part(const char *s, const char **end)
{
    int base = 10;
    if (s[0] == '0') {
        base = (s[1] | 32) == 'x' && anx_hexval(s[2]) >= 0 ? 16 : 8;
        if (base == 16)
            s += 2;
    }
    long long v = 0;
    int d;
    while ((d = anx_hexval(*s)) >= 0 && d < base) {
        v = v * base + d;
        if (v > 0xffffffffLL)
            return -1;
        s++;
    }
    *end = s;
    return v;
}

int inet_aton(const char *s, struct in_addr *out)
{
    static const uint32_t max[4] = {0xffffffff, 0xffffff, 0xffff, 0xff};
    uint32_t high = 0;                 /* the parts before the last, in place */
    int parts = 0;
    long long v;
    for (;;) {
        if (!is_digit(*s))
            return 0;
        if ((v = aton_part(s, &s)) < 0)
            return 0;
        if (*s != '.')
            break;
        if (parts == 3 || v > 0xff)
            return 0;
        high |= (uint32_t)v << (24 - 8 * parts++);
        s++;
    }
    if (*s && !is_space((unsigned char)*s))
        return 0;                      /* "1.2.3.4 trailing" is accepted, as glibc does */
    if ((uint64_t)v > max[parts])
        return 0;
    if (out)
        out->s_addr = htonl(high | (uint32_t)v);
    return 1;
}

in_addr_t inet_addr(const char *s)
{
    struct in_addr a;
    return inet_aton(s, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr a)
{
    static char buf[INET_ADDRSTRLEN];
    return (char *)inet_ntop(AF_INET, &a, buf, sizeof buf);
}

/* Dotted-quad decimal in [s, end): four parts 0..255 without leading
 * zeros, nothing else. */
static int pton4(const char *s, const char *end, unsigned char *dst)
{
    unsigned char tmp[4] = {0};
    int parts = 0, digits = 0;
    while (s < end) {
        int c = *s++;
        if (is_digit(c)) {
            if (!digits && ++parts > 4)
                return 0;
            if (digits && tmp[parts - 1] == 0)
                return 0;              /* "01" */
            unsigned v = tmp[parts - 1] * 10u + (unsigned)(c - '0');
            if (v > 255)
                return 0;
            tmp[parts - 1] = (unsigned char)v;
            digits = 1;
        } else if (c == '.' && digits && parts < 4) {
            digits = 0;
        } else {
            return 0;
        }
    }
    if (parts < 4 || !digits)
        return 0;
    memcpy(dst, tmp, 4);
    return 1;
}

/* Store one 16-bit group at *tp (room checked by the caller). */
static unsigned char *put16(unsigned char *tp, unsigned v)
{
    tp[0] = (unsigned char)(v >> 8);
    tp[1] = (unsigned char)v;
    return tp + 2;
}

static int pton6(const char *s, const char *end, unsigned char *dst)
{
    unsigned char tmp[16] = {0}, *tp = tmp, *lim = tmp + 16, *gap = NULL;
    const char *tok;
    unsigned val = 0;
    int digits = 0;
    if (s == end)
        return 0;
    if (*s == ':' && (++s == end || *s != ':'))
        return 0;                      /* a leading ':' only as "::" */
    tok = s;
    while (s < end) {
        int c = *s++, d = anx_hexval(c);
        if (d >= 0) {
            if (digits == 4)
                return 0;
            val = val << 4 | (unsigned)d;
            digits++;
        } else if (c == ':') {
            tok = s;
            if (!digits) {
                if (gap)
                    return 0;          /* a second "::" */
                gap = tp;
                continue;
            }
            if (s == end || tp + 2 > lim)
                return 0;              /* a trailing single ':', or too many groups */
            tp = put16(tp, val);
            digits = 0;
            val = 0;
        } else if (c == '.' && tp + 4 <= lim && pton4(tok, end, tp)) {
            tp += 4;                   /* the IPv4 tail ends the text */
            digits = 0;
            break;
        } else {
            return 0;
        }
    }
    if (digits) {
        if (tp + 2 > lim)
            return 0;
        tp = put16(tp, val);
    }
    if (gap) {
        if (tp == lim)
            return 0;                  /* "::" must stand for at least one group */
        size_t n = (size_t)(tp - gap);
        memmove(lim - n, gap, n);
        memset(gap, 0, (size_t)(lim - n - gap));
        tp = lim;
    }
    if (tp != lim)
        return 0;
    memcpy(dst, tmp, 16);
    return 1;
}

int inet_pton(int af, const char *restrict src, void *restrict dst)
{
    const char *end = src + strlen(src);
    if (af == AF_INET)
        return pton4(src, end, dst);
    if (af == AF_INET6)
        return pton6(src, end, dst);
    errno = EAFNOSUPPORT;
    return -1;
}

static const char *copy_out(const char *text, char *dst, socklen_t size)
{
    size_t n = strlen(text) + 1;
    if (n > size) {
        errno = ENOSPC;
        return NULL;
    }
    return memcpy(dst, text, n);
}

/* v in base (10 or 16, lowercase) at p; returns the end. */
static char *put_num(char *p, unsigned v, unsigned base)
{
    char d[8];
    int n = 0;
    do {
        d[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        *p++ = d[--n];
    return p;
}

static void ntop4(const unsigned char *a, char *out)
{
    for (int i = 0; i < 4; i++) {
        out = put_num(out, a[i], 10);
        *out++ = i < 3 ? '.' : 0;
    }
}

/* The longest run of two or more zero groups (the first of equals)
 * becomes "::"; a tail after 6 zero groups (IPv4-compatible) or after
 * 5 zeros and ffff (IPv4-mapped) is written dotted. */
static void ntop6(const unsigned char *a, char *out)
{
    unsigned w[8];
    int best = -1, best_len = 0, cur = -1, cur_len = 0;
    for (int i = 0; i < 8; i++) {
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        if (!w[i]) {
            if (cur < 0)
                cur = i, cur_len = 0;
            if (++cur_len > best_len)
                best = cur, best_len = cur_len;
        } else {
            cur = -1;
        }
    }
    if (best_len < 2)
        best = -1;
    char *p = out;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best)
                *p++ = ':';
            continue;
        }
        if (i)
            *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            ntop4(a + 12, p);
            return;
        }
        p = put_num(p, w[i], 16);
    }
    if (best >= 0 && best + best_len == 8)
        *p++ = ':';
    *p = 0;
}

const char *inet_ntop(int af, const void *restrict src, char *restrict dst, socklen_t size)
{
    char text[INET6_ADDRSTRLEN];
    if (af == AF_INET)
        ntop4(src, text);
    else if (af == AF_INET6)
        ntop6(src, text);
    else {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    return copy_out(text, dst, size);
}
