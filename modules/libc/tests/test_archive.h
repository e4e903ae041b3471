/* A files archive for host tests (the generator's format,
 * docs/architecture.md), served to the module through the three
 * functions archive.c otherwise defines over the image's archive. */
#ifndef LIBC_TEST_ARCHIVE_H
#define LIBC_TEST_ARCHIVE_H

#include <anx/files.h>
#include <anx/sha256.h>
#include <stdint.h>
#include <string.h>

static uint8_t ar[8192] __attribute__((aligned(16)));
static struct anx_archive archive;

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* paths sorted, as the generator writes them; 0 when the archive opens */
static int archive_build(const char *const *paths, const char *const *datas, int n)
{
    memcpy(ar, "ANXFILES", 8);
    put32(ar + 8, 1);
    put32(ar + 12, (uint32_t)n);
    size_t off = 16 + 64 * (size_t)n;
    for (int i = 0; i < n; i++) {
        size_t pl = strlen(paths[i]);
        put32(ar + 16 + 64 * i, (uint32_t)off);
        put32(ar + 20 + 64 * i, (uint32_t)pl);
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
    const char *err = NULL;
    return anx_archive_open(&archive, ar, off, &err);
}

int libc_file_lookup(const char *path, struct anx_file *out) { return anx_archive_find(&archive, path, out); }
size_t libc_file_count(void) { return archive.count; }
int libc_file_at(size_t i, struct anx_file *out)
{
    if (i >= archive.count)
        return -1;
    anx_archive_entry(&archive, (uint32_t)i, out);
    return 0;
}

#endif
