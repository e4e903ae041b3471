/*
 * ssh_buf: the SSH data types of RFC 4251 section 5. Every reader must
 * refuse a field that runs past the end, without moving; mpints and
 * name-lists must be canonical; the writer's overflow is sticky.
 */
#include <stdio.h>
#include <string.h>
#include "ssh_buf.h"

static int pass, fail, cur;
#define CHECK(c) do { if (!(c)) { printf("  %s:%d: %s\n", __FILE__, __LINE__, #c); cur++; } } while (0)
#define RUN(fn) do { cur = 0; fn(); if (cur) { fail++; printf("FAIL %s\n", #fn); } \
    else { pass++; printf("ok   %s\n", #fn); } } while (0)

static void scalars(void)
{
    const uint8_t in[] = {0x01, 0x00, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1, 2, 3, 4, 5};
    struct ssh_rd r = ssh_rd_init(in, sizeof in);
    uint8_t b;
    bool t, f;
    uint32_t u;
    uint64_t v;
    CHECK(ssh_rd_bool(&r, &t) == 0 && t);
    CHECK(ssh_rd_bool(&r, &f) == 0 && !f);
    CHECK(ssh_rd_u32(&r, &u) == 0 && u == 0xdeadbeef);
    CHECK(ssh_rd_u64(&r, &v) == 0 && v == 0x0000000102030405ull);
    CHECK(ssh_rd_end(&r) == 0);
    CHECK(ssh_rd_u8(&r, &b) == SSH_ETRUNC);
}

/* every field type, cut at every length: SSH_ETRUNC and the reader unmoved */
static void truncation(void)
{
    const uint8_t str[] = {0, 0, 0, 3, 'a', 'b', 'c'};
    for (size_t n = 0; n < sizeof str; n++) {
        struct ssh_rd r = ssh_rd_init(str, n);
        struct ssh_str s;
        bool neg;
        uint32_t u;
        uint64_t v;
        CHECK(ssh_rd_string(&r, &s) == SSH_ETRUNC && r.off == 0);
        CHECK(ssh_rd_namelist(&r, &s) == SSH_ETRUNC && r.off == 0);
        CHECK(ssh_rd_mpint(&r, &s, &neg) == SSH_ETRUNC && r.off == 0);
        if (n < 4)
            CHECK(ssh_rd_u32(&r, &u) == SSH_ETRUNC && r.off == 0);
        CHECK(ssh_rd_u64(&r, &v) == SSH_ETRUNC && r.off == 0);
    }
    /* a length near 2^32 must not wrap the bounds check */
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 'x'};
    struct ssh_rd r = ssh_rd_init(huge, sizeof huge);
    struct ssh_str s;
    CHECK(ssh_rd_string(&r, &s) == SSH_ETRUNC);
    const uint8_t *p;
    const uint8_t four[] = {0, 0, 0, 2, 1, 2};
    r = ssh_rd_init(four, sizeof four);
    CHECK(ssh_rd_string_n(&r, 3, &p) == SSH_EFORMAT && r.off == 0);
    CHECK(ssh_rd_string_n(&r, 2, &p) == 0 && p[1] == 2);
}

/* RFC 4251's own mpint examples, and non-canonical forms refused */
static void mpints(void)
{
    uint8_t buf[64];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_mpint_unsigned(&w, (const uint8_t[]){0}, 1);               /* 0 */
    ssh_wr_mpint_unsigned(&w, (const uint8_t[]){0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7}, 8);
    ssh_wr_mpint_unsigned(&w, (const uint8_t[]){0, 0, 0x80}, 3);      /* 0x80 */
    const uint8_t want[] = {0, 0, 0, 0, 0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7,
                            0, 0, 0, 2, 0x00, 0x80};
    CHECK(w.len == sizeof want && memcmp(buf, want, sizeof want) == 0);
    struct ssh_rd r = ssh_rd_init(buf, w.len);
    struct ssh_str m;
    bool neg;
    CHECK(ssh_rd_mpint(&r, &m, &neg) == 0 && m.len == 0);
    CHECK(ssh_rd_mpint(&r, &m, &neg) == 0 && m.len == 8 && !neg);
    CHECK(ssh_rd_mpint(&r, &m, &neg) == 0 && m.len == 2 && !neg);
    const uint8_t negative[] = {0, 0, 0, 2, 0xed, 0xcc}; /* -1234 */
    r = ssh_rd_init(negative, sizeof negative);
    CHECK(ssh_rd_mpint(&r, &m, &neg) == 0 && neg);
    const uint8_t bad[][6] = {{0, 0, 0, 2, 0x00, 0x7f}, {0, 0, 0, 2, 0xff, 0x80}, {0, 0, 0, 1, 0x00}};
    for (int i = 0; i < 3; i++) {
        r = ssh_rd_init(bad[i], i == 2 ? 5 : 6);
        CHECK(ssh_rd_mpint(&r, &m, &neg) == SSH_EFORMAT && r.off == 0);
    }
}

static int namelist(const char *s)
{
    uint8_t buf[64];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_cstring(&w, s);
    struct ssh_rd r = ssh_rd_init(buf, w.len);
    struct ssh_str l;
    return ssh_rd_namelist(&r, &l);
}

static void namelists(void)
{
    CHECK(namelist("") == 0);
    CHECK(namelist("zlib") == 0);
    CHECK(namelist("zlib,none") == 0);
    CHECK(namelist(",zlib") == SSH_EFORMAT);
    CHECK(namelist("zlib,") == SSH_EFORMAT);
    CHECK(namelist("a,,b") == SSH_EFORMAT);
    CHECK(namelist("a b") == SSH_EFORMAT);
    CHECK(namelist("caf\xc3\xa9") == SSH_EFORMAT);
    const char *l = "aes128-ctr,chacha20-poly1305@openssh.com,none";
    struct ssh_str list = {(const uint8_t *)l, (uint32_t)strlen(l)};
    CHECK(ssh_namelist_has(list, "none"));
    CHECK(ssh_namelist_has(list, "aes128-ctr"));
    CHECK(!ssh_namelist_has(list, "aes128"));
    CHECK(!ssh_namelist_has(list, "chacha20-poly1305"));
    size_t pos = 0, count = 0;
    struct ssh_str n;
    while (ssh_namelist_next(list, &pos, &n))
        count++;
    CHECK(count == 3);
}

static void writer(void)
{
    uint8_t buf[8];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u32(&w, 1);
    ssh_wr_cstring(&w, "abc"); /* the length fits, the 3 bytes do not */
    ssh_wr_u8(&w, 9);          /* would fit, but overflow is sticky */
    CHECK(w.overflow && w.len == 8 && ssh_wr_status(&w) == SSH_ESPACE);
    w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_bool(&w, true);
    ssh_wr_u64(&w, 0x0102030405060708ull);
    CHECK(w.overflow && w.len == 1);
    w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u64(&w, 0x0102030405060708ull);
    CHECK(!w.overflow && buf[0] == 1 && buf[7] == 8 && ssh_wr_status(&w) == 0);
    CHECK(strcmp(ssh_strerror(SSH_EMAC), "packet authentication failed (Poly1305 tag mismatch)") == 0);
}

int main(void)
{
    RUN(scalars);
    RUN(truncation);
    RUN(mpints);
    RUN(namelists);
    RUN(writer);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
