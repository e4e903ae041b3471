/* iconv against glibc's on the same inputs: every pair of the supported
 * charsets (by several of their names) over valid text, random bytes
 * (invalid and incomplete sequences), //TRANSLIT and //IGNORE, output
 * buffers too small, and input fed in pieces (resuming after EINVAL and
 * E2BIG). Return value, errno, bytes consumed and produced must match. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>

#include "libc_test.h"

typedef struct libc_iconv *liconv_t;
liconv_t libc_iconv_open(const char *to, const char *from);
size_t libc_iconv(liconv_t cd, char **in, size_t *inleft, char **out, size_t *outleft);
int libc_iconv_close(liconv_t cd);

static const char *const names[] = {"UTF-8", "utf8", "ISO-8859-1", "latin1", "US-ASCII", "ascii",
                                    "WINDOWS-1252", "cp1252", "UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32",
                                    "UTF-32LE", "UTF-32BE", "UCS-2", "UCS-2BE", "UCS-4", "UCS-4LE"};
#define NNAMES (sizeof names / sizeof names[0])

/* Convert in once, by both; compare everything observable. */
static void one(const char *to, const char *from, const unsigned char *in, size_t n, size_t room)
{
    char om[512], og[512];
    liconv_t m = libc_iconv_open(to, from);
    iconv_t g = iconv_open(to, from);
    CHECK((m == (liconv_t)-1) == (g == (iconv_t)-1), "iconv_open(\"%s\", \"%s\")", to, from);
    if (m == (liconv_t)-1 || g == (iconv_t)-1)
        return;
    char *im = (char *)in, *ig = (char *)in, *pm = om, *pg = og;
    size_t lm = n, lg = n, rm = room, rg = room;
    libc_errno = errno = 0;
    size_t r1 = libc_iconv(m, &im, &lm, &pm, &rm);
    int e1 = libc_errno;
    size_t r2 = iconv(g, &ig, &lg, &pg, &rg);
    int e2 = errno;
    int same = r1 == r2 && (r1 != (size_t)-1 || e1 == e2) && lm == lg && rm == rg && !memcmp(om, og, room - rm);
    if (!same) {
        char hex[200] = "";
        for (size_t i = 0; i < n && i < 24; i++)
            sprintf(hex + strlen(hex), "%02x ", in[i]);
        CHECK(0, "%s <- %s, room %zu, input %s: returned %zd errno %d, left %zu, wrote %zu; glibc %zd %d %zu %zu",
              to, from, room, hex, (ssize_t)r1, e1, lm, room - rm, (ssize_t)r2, e2, lg, room - rg);
    } else {
        t_pass++;
    }
    libc_iconv_close(m);
    iconv_close(g);
}

/* Feed in bytes in pieces of `piece`, resuming after EINVAL/E2BIG, with
 * an output buffer of `room` drained each time: the whole output must be
 * what one call gives. */
static void pieces(const char *to, const char *from, const unsigned char *in, size_t n, size_t piece, size_t room)
{
    char whole[1024], part[1024], buf[64];
    liconv_t m = libc_iconv_open(to, from);
    iconv_t g = iconv_open(to, from);
    char *ip = (char *)in, *op = whole;
    size_t il = n, ol = sizeof whole;
    iconv(g, &ip, &il, &op, &ol);
    size_t wn = sizeof whole - ol, pn = 0, consumed = 0, given = piece < n ? piece : n;
    while (consumed < n) {
        char *p = (char *)in + consumed, *o = buf;
        size_t left = given - consumed, r = room;
        size_t rc = libc_iconv(m, &p, &left, &o, &r);
        int e = libc_errno;
        memcpy(part + pn, buf, room - r);
        pn += room - r;
        consumed = (size_t)(p - (char *)in);
        if (rc == (size_t)-1 && e == EILSEQ)
            break;
        if (rc == (size_t)-1 && e == E2BIG)
            continue;                  /* drained: go on */
        if (given == n)                /* done, or incomplete at the very end */
            break;
        given = given + piece < n ? given + piece : n;   /* EINVAL or a piece done: more input */
    }
    CHECK(pn == wn && !memcmp(part, whole, wn), "%s <- %s in pieces of %zu, room %zu: %zu bytes, glibc %zu", to,
          from, piece, room, pn, wn);
    libc_iconv_close(m);
    iconv_close(g);
}

static size_t encode_utf8(unsigned cp, unsigned char *p)
{
    if (cp < 0x80) { p[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { p[0] = (unsigned char)(0xc0 | cp >> 6); p[1] = (unsigned char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        p[0] = (unsigned char)(0xe0 | cp >> 12); p[1] = (unsigned char)(0x80 | (cp >> 6 & 63));
        p[2] = (unsigned char)(0x80 | (cp & 63));
        return 3;
    }
    p[0] = (unsigned char)(0xf0 | cp >> 18); p[1] = (unsigned char)(0x80 | (cp >> 12 & 63));
    p[2] = (unsigned char)(0x80 | (cp >> 6 & 63)); p[3] = (unsigned char)(0x80 | (cp & 63));
    return 4;
}

/* random text: mostly ASCII, some Latin-1, CP1252's extras, BMP, astral */
static size_t random_text(unsigned char *p, size_t max_chars)
{
    static const unsigned extra[] = {0x20ac, 0x2018, 0x2019, 0x201c, 0x2026, 0x2014, 0x152, 0xfeff, 0x3000, 0xff21,
                                     0xa9, 0xdf, 0x2030, 0x4e2d, 0x1f600, 0x10ffff, 0xfffd};
    size_t n = 0, chars = 1 + t_rand() % max_chars;
    for (size_t i = 0; i < chars; i++) {
        unsigned k = (unsigned)(t_rand() % 10), cp;
        cp = k < 5 ? 0x20 + (unsigned)(t_rand() % 95) : k < 7 ? 0xa0 + (unsigned)(t_rand() % 96)
           : extra[t_rand() % (sizeof extra / sizeof *extra)];
        n += encode_utf8(cp, p + n);
    }
    return n;
}

/* text in charset `to` made from random UTF-8 by glibc (so that it is
 * valid there), or 0 */
static size_t make_in(const char *cs, unsigned char *out, size_t cap)
{
    unsigned char u[256];
    size_t n = random_text(u, 30);
    iconv_t g = iconv_open(cs, "UTF-8//IGNORE");
    char *ip = (char *)u, *op = (char *)out;
    size_t il = n, ol = cap;
    iconv(g, &ip, &il, &op, &ol);
    iconv_close(g);
    return cap - ol;
}

int main(void)
{
    /* names */
    static const char *const good[] = {"utf-8", "Utf8", "ISO_8859-1", "L1", "ANSI_X3.4-1968", "CP1252", "ucs-4le",
                                       "UTF-8//TRANSLIT", "ascii//IGNORE", "LATIN1//TRANSLIT//IGNORE",
                                       "latin1//translit,ignore", "UTF-16//"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        liconv_t cd = libc_iconv_open(good[i], "UTF-8");
        CHECK(cd != (liconv_t)-1, "iconv_open(\"%s\")", good[i]);
        if (cd != (liconv_t)-1)
            libc_iconv_close(cd);
    }
    CHECK(libc_iconv_open("KLINGON", "UTF-8") == (liconv_t)-1 && libc_errno == EINVAL, "unknown: EINVAL");
    CHECK(libc_iconv_open("UTF-8", "UTF-9") == (liconv_t)-1 && libc_errno == EINVAL, "unknown source: EINVAL");

    /* valid text of every charset to every other, one call, ample room */
    for (int round = 0; round < 60; round++)
        for (size_t a = 0; a < NNAMES; a++)
            for (size_t b = 0; b < NNAMES; b++) {
                unsigned char in[512];
                size_t n = make_in(names[b], in, sizeof in);
                one(names[a], names[b], in, n, 512);
                if (round % 6 == 0) {
                    one(names[a], names[b], in, n, 1 + t_rand() % 16);       /* E2BIG */
                    if (n > 1)
                        one(names[a], names[b], in, n - 1, 512);             /* cut short: EINVAL? */
                }
            }
    /* unconvertible text with //TRANSLIT and //IGNORE */
    static const char *const lossy[] = {"ASCII//TRANSLIT", "ASCII//IGNORE", "LATIN1//TRANSLIT", "ISO-8859-1//IGNORE",
                                        "CP1252//TRANSLIT", "UCS-2//TRANSLIT", "ASCII//TRANSLIT//IGNORE", "ASCII",
                                        "latin1", "UCS-2"};
    for (int round = 0; round < 3000; round++) {
        unsigned char in[256];
        size_t n = random_text(in, 20);
        one(lossy[round % 10], "UTF-8", in, n, 256);
    }
    /* random bytes: invalid and incomplete input in every source charset.
     * Not the bytes f4..ff: glibc reads f4..fd as leads of values past
     * 0x10FFFF (the old 4- to 6-byte forms, which it even writes back
     * out); this module rejects them as the Unicode standard does. */
    for (int round = 0; round < 20000; round++) {
        unsigned char in[16];
        size_t n = 1 + t_rand() % 16;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = t_rand();
            in[i] = r % 3 == 0 ? (unsigned char)(0x80 | (r >> 8 & 0x3f)) : r % 3 == 1 ? (unsigned char)(r >> 16)
                  : (unsigned char)(0xd8 + (r >> 8) % 8);
            if (in[i] >= 0xf4)
                in[i] -= 0x40;
        }
        /* not UCS-2 and UCS-4: glibc's decoders of those pass surrogates
         * and 31-bit values, and //IGNORE skips them silently there */
        const char *from = names[t_rand() % 12];
        one("UTF-8", from, in, n, 512);
        one("UTF-16LE", from, in, n, 512);
        one("UTF-8//IGNORE", from, in, n, 512);
    }
    /* in pieces */
    for (int round = 0; round < 300; round++) {
        unsigned char in[512];
        size_t a = t_rand() % NNAMES, b = t_rand() % NNAMES;
        size_t n = make_in(names[b], in, sizeof in);
        pieces(names[a], names[b], in, n, 1 + t_rand() % 7, 4 + t_rand() % 12);
    }
    /* the reset call */
    liconv_t cd = libc_iconv_open("UTF-16", "UTF-8");
    char out[16], *op = out;
    size_t ol = sizeof out;
    CHECK(libc_iconv(cd, NULL, NULL, &op, &ol) == 0 && ol == sizeof out, "iconv(cd, NULL ...) resets, writes nothing");
    libc_iconv_close(cd);
    return t_done();
}
