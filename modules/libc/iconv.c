/*
 * iconv: each character is decoded from the source charset to a Unicode
 * code point and encoded to the target, so every pair of charsets works
 * through one decoder and one encoder per charset. The pointers advance
 * one whole character at a time, which makes every error resumable.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iconv_impl.h"

struct libc_iconv {
    struct libc_charset from, to;
    int translit, ignore;
    int in_order;                      /* the source's order once its mark is read */
    int bom_written;
};

/* WINDOWS-1252's 0x80..0x9f (0: undefined, as in glibc) */
static const uint16_t cp1252[32] = {
    0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013,
    0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static unsigned get16(const unsigned char *p, int order)
{
    return order == ORD_BE ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t get32(const unsigned char *p, int order)
{
    return order == ORD_BE ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                           : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* UTF-8: the bytes of one character, rejecting overlong forms,
 * surrogates and values past 0x10FFFF. A prefix that could still become
 * valid is incomplete (EINVAL). */
static int dec_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned c = p[0];
    int len = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (!len)
        return -EILSEQ;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -EINVAL;
        if ((p[i] & 0xc0) != 0x80)
            return -EILSEQ;
    }
    uint32_t v = len == 1 ? c : len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
    for (int i = 1; i < len; i++)
        v = v << 6 | (p[i] & 0x3f);
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v < 0xe000))
        return -EILSEQ;
    *cp = v;
    return len;
}

static int dec_utf16(const unsigned char *p, size_t n, int order, int pairs, uint32_t *cp)
{
    if (n < 2)
        return -EINVAL;
    unsigned u = get16(p, order);
    if (u < 0xd800 || u >= 0xe000) {
        *cp = u;
        return 2;
    }
    if (u >= 0xdc00 || !pairs)
        return -EILSEQ;                /* a low surrogate first, or UCS-2 */
    if (n < 4)
        return -EINVAL;
    unsigned lo = get16(p + 2, order);
    if (lo < 0xdc00 || lo >= 0xe000)
        return -EILSEQ;
    *cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
    return 4;
}

/* One character at p: its length, or -EINVAL / -EILSEQ. */
static int decode(const struct libc_charset *cs, int order, const unsigned char *p, size_t n,
                  uint32_t *cp)
{
    switch (cs->kind) {
    case CS_UTF8:
        return dec_utf8(p, n, cp);
    case CS_LATIN1:
        *cp = p[0];
        return 1;
    case CS_ASCII:
        *cp = p[0];
        return p[0] < 0x80 ? 1 : -EILSEQ;
    case CS_CP1252:
        *cp = p[0] >= 0x80 && p[0] < 0xa0 ? cp1252[p[0] - 0x80] : p[0];
        return *cp ? 1 : p[0] ? -EILSEQ : 1;
    case CS_UTF16:
    case CS_UCS2:
        return dec_utf16(p, n, order, cs->kind == CS_UTF16, cp);
    default:
        if (n < 4)
            return -EINVAL;
        *cp = get32(p, order);
        return *cp > 0x10ffff || (*cp >= 0xd800 && *cp < 0xe000) ? -EILSEQ : 4;
    }
}

static void put16(unsigned char *p, unsigned v, int order)
{
    p[order == ORD_BE ? 0 : 1] = (unsigned char)(v >> 8);
    p[order == ORD_BE ? 1 : 0] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v, int order)
{
    for (int i = 0; i < 4; i++)
        p[order == ORD_BE ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/* cp in the target charset at out: the length written, -E2BIG (no room,
 * nothing written) or -EILSEQ (not representable). */
static int encode(const struct libc_charset *cs, int order, uint32_t cp, unsigned char *out, size_t room)
{
    unsigned char b[4];
    int n;
    switch (cs->kind) {
    case CS_UTF8:
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            n = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xc0 | cp >> 6);
            b[1] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xe0 | cp >> 12);
            b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | cp >> 18);
            b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[3] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        break;
    case CS_LATIN1:
    case CS_ASCII:
        if (cp >= (cs->kind == CS_ASCII ? 0x80u : 0x100u))
            return -EILSEQ;
        b[0] = (unsigned char)cp;
        n = 1;
        break;
    case CS_CP1252:
        n = 1;
        if (cp < 0x80 || (cp >= 0xa0 && cp < 0x100)) {
            b[0] = (unsigned char)cp;
            break;
        }
        for (int i = 0; i < 32; i++)
            if (cp1252[i] == cp && cp) {
                b[0] = (unsigned char)(0x80 + i);
                goto out;
            }
        return -EILSEQ;
    case CS_UTF16:
    case CS_UCS2:
        if (cp < 0x10000) {
            put16(b, cp, order);
            n = 2;
        } else if (cs->kind == CS_UCS2) {
            return -EILSEQ;
        } else {
            put16(b, 0xd800 + ((cp - 0x10000) >> 10), order);
            put16(b + 2, 0xdc00 + ((cp - 0x10000) & 0x3ff), order);
            n = 4;
        }
        break;
    default:
        put32(b, cp, order);
        n = 4;
    }
out:
    if ((size_t)n > room)
        return -E2BIG;
    memcpy(out, b, (size_t)n);
    return n;
}

iconv_t iconv_open(const char *tocode, const char *fromcode)
{
    struct libc_iconv cd = {0};
    int t, i, unused_t, unused_i;
    if (libc_iconv_charset(tocode, &cd.to, &t, &i) ||
        libc_iconv_charset(fromcode, &cd.from, &unused_t, &unused_i)) {
        errno = EINVAL;
        return (iconv_t)-1;
    }
    cd.translit = t;
    cd.ignore = i;
    iconv_t p = malloc(sizeof *p);
    if (!p) {
        errno = ENOMEM;
        return (iconv_t)-1;
    }
    *p = cd;
    p->in_order = cd.from.order;
    return p;
}

int iconv_close(iconv_t cd)
{
    if (cd == (iconv_t)-1 || !cd) {
        errno = EBADF;
        return -1;
    }
    free(cd);
    return 0;
}

/* The unit of the source charset: what //IGNORE skips of invalid input. */
static size_t unit(const struct libc_charset *cs)
{
    return cs->kind == CS_UTF32 ? 4 : cs->kind >= CS_UTF16 ? 2 : 1;
}

/* Read the source's byte-order mark, if it has one still to read. 0 when
 * done, -1 (EINVAL) when too few bytes to tell. */
static int read_bom(iconv_t cd, const unsigned char **in, size_t *left)
{
    if (cd->in_order != ORD_BOM)
        return 0;
    size_t u = unit(&cd->from);
    if (*left < u)
        return -1;
    uint32_t v = u == 2 ? get16(*in, ORD_BE) : get32(*in, ORD_BE);
    int order = v == 0xfeff ? ORD_BE : v == (u == 2 ? 0xfffeu : 0xfffe0000u) ? ORD_LE : 0;
    if (order) {
        *in += u;
        *left -= u;
    }
    cd->in_order = order ? order : ORD_LE;     /* unmarked: the machine's order, as glibc */
    return 0;
}

/* Write cp (with the target's byte-order mark before the first), or its
 * transliteration. 0, -E2BIG or -EILSEQ; *irreversible counts stand-ins. */
static int emit(iconv_t cd, uint32_t cp, unsigned char **out, size_t *room, size_t *irreversible)
{
    int order = cd->to.order == ORD_BOM ? ORD_LE : cd->to.order;
    unsigned char tmp[32];
    size_t len = 0, subst = 0;
    int n = encode(&cd->to, order, cp, tmp + len, sizeof tmp - len);
    if (n == -EILSEQ && cd->translit) {
        char one[2];
        const char *t = libc_iconv_translit(cp, one);
        if (!t)
            t = "?";
        for (n = 0; *t; t++) {
            int k = encode(&cd->to, order, (unsigned char)*t, tmp + len + n, sizeof tmp - len - n);
            n += k;
        }
        subst = 1;
    }
    if (n < 0)
        return n;
    len += (size_t)n;
    if (len > *room)
        return -E2BIG;
    memcpy(*out, tmp, len);
    *out += len;
    *room -= len;
    *irreversible += subst;
    return 0;
}

size_t iconv(iconv_t cd, char **restrict inbuf, size_t *restrict inleft, char **restrict outbuf,
             size_t *restrict outleft)
{
    if (!inbuf || !*inbuf) {           /* back to the initial state; nothing to flush */
        cd->in_order = cd->from.order;
        cd->bom_written = 0;
        return 0;
    }
    const unsigned char *in = (const unsigned char *)*inbuf;
    unsigned char *out = (unsigned char *)*outbuf;
    size_t left = *inleft, room = *outleft, irreversible = 0;
    int err = 0, ignored = 0;
    while (left) {
        if (read_bom(cd, &in, &left)) {
            err = EINVAL;
            break;
        }
        if (!left)
            break;
        /* as glibc: the target's mark goes out first, and a full output
         * buffer stops the conversion before the next character is even
         * looked at (E2BIG rather than that character's EILSEQ) */
        size_t u = unit(&cd->to);
        if (room < u) {
            err = E2BIG;
            break;
        }
        uint32_t cp;
        int n = decode(&cd->from, cd->in_order, in, left, &cp);
        if (n == -EILSEQ && cd->ignore) {
            size_t u = unit(&cd->from);
            in += u < left ? u : left;
            left -= u < left ? u : left;
            ignored = 1;
            continue;
        }
        if (n < 0) {
            err = -n;
            break;
        }
        if (cd->to.order == ORD_BOM && !cd->bom_written) {     /* room >= u: checked above */
            encode(&cd->to, ORD_LE, 0xfeff, out, room);
            out += u;
            room -= u;
            cd->bom_written = 1;
        }
        int r = emit(cd, cp, &out, &room, &irreversible);
        if (r == -EILSEQ && cd->ignore) {
            ignored = 1;
        } else if (r < 0) {
            err = -r;
            break;
        }
        in += n;
        left -= (size_t)n;
    }
    *inbuf = (char *)in;
    *inleft = left;
    *outbuf = (char *)out;
    *outleft = room;
    if (!err && ignored)
        err = EILSEQ;                  /* glibc reports what //IGNORE skipped, at the end */
    if (err) {
        errno = err;
        return (size_t)-1;
    }
    return irreversible;
}
