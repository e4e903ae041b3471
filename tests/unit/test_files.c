/* core/files.c: the files archive parser on good and damaged archives. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "files"
#include "unit.h"
#include <anx/files.h>
#include <anx/sha256.h>

static uint8_t ar[4096];

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* Build an archive of n files the way the generator does; returns its size. */
static size_t build(const char *const *paths, const char *const *datas, int n)
{
    memset(ar, 0, sizeof ar);
    memcpy(ar, "ANXFILES", 8);
    put32(ar + 8, 1);
    put32(ar + 12, (uint32_t)n);
    size_t off = 16 + 64 * (size_t)n;
    for (int i = 0; i < n; i++) {
        uint8_t *e = ar + 16 + 64 * i;
        size_t pl = strlen(paths[i]);
        put32(e, (uint32_t)off);
        put32(e + 4, (uint32_t)pl);
        memcpy(ar + off, paths[i], pl);
        off += pl;
    }
    for (int i = 0; i < n; i++) {
        uint8_t *e = ar + 16 + 64 * i;
        size_t dl = strlen(datas[i]);
        off = (off + 15) & ~(size_t)15;
        put64(e + 8, off);
        put64(e + 16, dl);
        anx_sha256(datas[i], dl, e + 24);
        memcpy(ar + off, datas[i], dl);
        off += dl;
    }
    return off;
}

static const char *const P[] = { "/a", "/etc/motd", "/etc/motd2", "/z/long/path.txt" };
static const char *const D[] = { "A", "hello\n", "", "zzz" };

TEST(good_archive)
{
    struct anx_archive a;
    struct anx_file f;
    const char *err = NULL;
    size_t n = build(P, D, 4);
    CHECK_EQ(anx_archive_open(&a, ar, n, &err), 0);
    CHECK_EQ(a.count, 4);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(anx_archive_find(&a, P[i], &f), 0);
        CHECK_EQ(f.size, strlen(D[i]));
        CHECK(memcmp(f.data, D[i], f.size) == 0);
        CHECK(((uintptr_t)((const uint8_t *)f.data - ar) & 15) == 0);
        CHECK_EQ(anx_file_verify(&f), 0);
    }
    CHECK_EQ(anx_archive_find(&a, "/etc", &f), -1);
    CHECK_EQ(anx_archive_find(&a, "/etc/motd3", &f), -1);
    CHECK_EQ(anx_archive_find(&a, "", &f), -1);
    CHECK_EQ(anx_archive_find(&a, "/zz", &f), -1);
    anx_archive_entry(&a, 1, &f);
    CHECK_EQ(f.path_len, 9);
    /* a flipped data byte fails verification but not parsing */
    anx_archive_find(&a, "/etc/motd", &f);
    ((uint8_t *)f.data)[0] ^= 1;
    CHECK_EQ(anx_file_verify(&f), -1);
}

TEST(empty_archive)
{
    struct anx_archive a;
    struct anx_file f;
    const char *err;
    size_t n = build(P, D, 0);
    CHECK_EQ(n, 16);
    CHECK_EQ(anx_archive_open(&a, ar, n, &err), 0);
    CHECK_EQ(a.count, 0);
    CHECK_EQ(anx_archive_find(&a, "/a", &f), -1);
}

static const char *open_err(size_t n)
{
    struct anx_archive a;
    const char *err = NULL;
    if (anx_archive_open(&a, ar, n, &err) == 0)
        return "(opened)";
    CHECK_EQ(a.count, 0);
    return err;
}

TEST(damaged_archives)
{
    size_t n = build(P, D, 4);
    CHECK_STR(open_err(10), "shorter than its header");
    ar[0] = 'X';
    CHECK_STR(open_err(n), "bad magic");
    n = build(P, D, 4);
    put32(ar + 8, 2);
    CHECK_STR(open_err(n), "unsupported version");
    n = build(P, D, 4);
    put32(ar + 12, 1000000);
    CHECK_STR(open_err(n), "entry table runs past the end");
    n = build(P, D, 4);
    put32(ar + 12, 0xffffffffu);
    CHECK_STR(open_err(n), "entry table runs past the end");
    n = build(P, D, 4);
    put32(ar + 16 + 64, (uint32_t)n);             /* path at the very end */
    CHECK_STR(open_err(n), "path out of bounds");
    n = build(P, D, 4);
    put32(ar + 16 + 64 + 4, 0xfffffff0u);         /* huge path length */
    CHECK_STR(open_err(n), "path out of bounds");
    n = build(P, D, 4);
    put32(ar + 16 + 4, 0);                        /* empty path */
    CHECK_STR(open_err(n), "path out of bounds");
    n = build(P, D, 4);
    put64(ar + 16 + 64 + 16, 0xffffffffffffff00ull);   /* size wraps */
    CHECK_STR(open_err(n), "data out of bounds");
    n = build(P, D, 4);
    put64(ar + 16 + 64 + 8, 0xfffffffffffffff0ull);
    CHECK_STR(open_err(n), "data out of bounds");
    n = build(P, D, 4);
    put64(ar + 16 + 8, 8 + 16 * 20);
    CHECK_STR(open_err(n), "misaligned data");
    n = build(P, D, 4);
    ar[16 + 64 * 4 + 1] = 0;                      /* NUL inside "/a" */
    CHECK_STR(open_err(n), "NUL byte in a path");
    static const char *const unsorted[] = { "/b", "/a" };
    n = build(unsorted, D, 2);
    CHECK_STR(open_err(n), "paths not sorted or not unique");
    static const char *const dup[] = { "/a", "/a" };
    n = build(dup, D, 2);
    CHECK_STR(open_err(n), "paths not sorted or not unique");
    /* every truncation of a good archive is rejected or parses in bounds */
    size_t full = build(P, D, 4);
    for (size_t cut = 0; cut < full; cut++) {
        struct anx_archive a;
        const char *err;
        uint8_t *copy = malloc_host(cut ? cut : 1);
        memcpy(copy, ar, cut);
        if (anx_archive_open(&a, copy, cut, &err) == 0) {
            for (uint32_t i = 0; i < a.count; i++) {
                struct anx_file f;
                anx_archive_entry(&a, i, &f);
                anx_file_verify(&f);
            }
        }
        free_host(copy);
    }
}

TEST(image_archive)
{
    /* the host platform links an empty archive as the image's */
    const void *d;
    size_t s;
    anx_files_init();
    CHECK_EQ(anx_file_count(), 0);
    CHECK_EQ(anx_file_find("/etc/motd", &d, &s), -1);
}

int main(void)
{
    RUN(good_archive);
    RUN(empty_archive);
    RUN(damaged_archives);
    RUN(image_archive);
    return unit_done();
}
