/*
 * files.bin: the manifest's `files:` packed into one archive the core reads
 * in place (core/files.c). Little-endian, offsets from the archive start:
 *
 *   0   "ANXFILES"  8 bytes
 *   8   version 1   u32
 *   12  count       u32
 *   16  entries, 64 bytes each: path_off u32, path_len u32, data_off u64,
 *       size u64, sha256[32], reserved 8 (zero)
 *   ... the paths (no NUL), then the data, each data_off aligned to 16
 *
 * Entries are sorted by path (the manifest parser sorts them), so the bytes
 * depend only on the files' names and contents.
 */
#include "anx.h"

#include <string.h>

#define HDR 16
#define ENTRY 64
#define MAX_FILE ((size_t)1 << 32)

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int files_archive_build(const struct manifest *m, struct buf *out)
{
    size_t n = m->nfiles;
    char **data = xcalloc(n + 1, sizeof *data);
    size_t *len = xcalloc(n + 1, sizeof *len);
    for (size_t i = 0; i < n; i++) {
        int e = read_file(m->files[i].abs_path, &data[i], &len[i], MAX_FILE);
        if (e) {
            diag_error(&m->files[i].mark, "cannot read '%s': %s", m->files[i].host_path, strerror(-e));
            return -1;
        }
    }
    size_t head = HDR + ENTRY * n, paths = 0;
    for (size_t i = 0; i < n; i++)
        paths += strlen(m->files[i].image_path);
    size_t off = head + paths, total = off;
    uint64_t *data_off = xcalloc(n + 1, sizeof *data_off);
    for (size_t i = 0; i < n; i++) {
        total = (total + 15) & ~(size_t)15;
        data_off[i] = total;
        total += len[i];
    }
    uint8_t *a = xcalloc(total ? total : 1, 1);
    memcpy(a, "ANXFILES", 8);
    put32(a + 8, 1);
    put32(a + 12, (uint32_t)n);
    size_t poff = head;
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = a + HDR + ENTRY * i;
        size_t pl = strlen(m->files[i].image_path);
        put32(e, (uint32_t)poff);
        put32(e + 4, (uint32_t)pl);
        put64(e + 8, data_off[i]);
        put64(e + 16, len[i]);
        struct anx_sha256 s;
        anx_sha256_init(&s);
        anx_sha256_update(&s, data[i], len[i]);
        anx_sha256_final(&s, e + 24);
        memcpy(a + poff, m->files[i].image_path, pl);
        poff += pl;
        memcpy(a + data_off[i], data[i], len[i]);
    }
    out->n = 0;
    buf_add(out, a, total);
    return 0;
}

int files_archive_check(const uint8_t *a, size_t len)
{
    if (len < HDR || memcmp(a, "ANXFILES", 8) || get32(a + 8) != 1)
        return -1;
    uint64_t n = get32(a + 12);
    if (n > (len - HDR) / ENTRY)
        return -1;
    const char *prev = NULL;
    uint32_t prevlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = a + HDR + ENTRY * i;
        uint64_t po = get32(e), pl = get32(e + 4), doff = get64(e + 8), size = get64(e + 16);
        if (po > len || pl > len - po || doff > len || size > len - doff || doff % 16)
            return -1;
        for (int k = 56; k < 64; k++)
            if (e[k])
                return -1;
        uint8_t d[32];
        struct anx_sha256 s;
        anx_sha256_init(&s);
        anx_sha256_update(&s, a + doff, size);
        anx_sha256_final(&s, d);
        if (memcmp(d, e + 24, 32))
            return -1;
        const char *p = (const char *)a + po;
        if (prev) {
            uint32_t l = prevlen < pl ? prevlen : (uint32_t)pl;
            int c = memcmp(prev, p, l);
            if (c > 0 || (c == 0 && prevlen >= pl))
                return -1;   /* not strictly sorted */
        }
        prev = p;
        prevlen = (uint32_t)pl;
    }
    return (int)n;
}
