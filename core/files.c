/*
 * The files archive built into the image (format: docs/architecture.md).
 * anx_archive_open validates everything once, so later lookups trust it.
 */
#define LOG_TAG "files"
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/sha256.h>

#define HEADER 16u
#define ENTRY 64u
#define MAX_PATH 4096u

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* memcmp order, shorter prefix first */
static int path_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    if (c)
        return c;
    return al < bl ? -1 : al > bl ? 1 : 0;
}

void anx_archive_entry(const struct anx_archive *a, uint32_t i, struct anx_file *out)
{
    const uint8_t *e = a->base + HEADER + (size_t)i * ENTRY;
    out->path = (const char *)a->base + get32(e);
    out->path_len = get32(e + 4);
    out->data = a->base + get64(e + 8);
    out->size = (size_t)get64(e + 16);
    out->sha256 = e + 24;
}

int anx_archive_open(struct anx_archive *a, const void *data, size_t size, const char **err)
{
    const uint8_t *b = data;
    a->base = b;
    a->size = size;
    a->count = 0;
    if (!data || size < HEADER) {
        *err = "shorter than its header";
        return -1;
    }
    if (memcmp(b, "ANXFILES", 8) != 0) {
        *err = "bad magic";
        return -1;
    }
    if (get32(b + 8) != 1) {
        *err = "unsupported version";
        return -1;
    }
    uint32_t count = get32(b + 12);
    if ((uint64_t)count > (size - HEADER) / ENTRY) {
        *err = "entry table runs past the end";
        return -1;
    }
    const char *prev = NULL;
    size_t prev_len = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = b + HEADER + (size_t)i * ENTRY;
        uint64_t path_off = get32(e), path_len = get32(e + 4);
        uint64_t data_off = get64(e + 8), dsize = get64(e + 16);
        if (path_len == 0 || path_len > MAX_PATH || path_off > size || path_len > size - path_off) {
            *err = "path out of bounds";
            return -1;
        }
        if (data_off > size || dsize > size - data_off) {
            *err = "data out of bounds";
            return -1;
        }
        if (data_off % 16) {
            *err = "misaligned data";
            return -1;
        }
        const char *path = (const char *)b + path_off;
        if (memchr(path, 0, (size_t)path_len)) {
            *err = "NUL byte in a path";
            return -1;
        }
        if (prev && path_cmp(prev, prev_len, path, (size_t)path_len) >= 0) {
            *err = "paths not sorted or not unique";
            return -1;
        }
        prev = path;
        prev_len = (size_t)path_len;
    }
    a->count = count;
    return 0;
}

int anx_archive_find(const struct anx_archive *a, const char *path, struct anx_file *out)
{
    size_t len = strlen(path);
    uint32_t lo = 0, hi = a->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        struct anx_file f;
        anx_archive_entry(a, mid, &f);
        int c = path_cmp(path, len, f.path, f.path_len);
        if (c == 0) {
            *out = f;
            return 0;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

int anx_file_verify(const struct anx_file *f)
{
    uint8_t d[ANX_SHA256_SIZE];
    anx_sha256(f->data, f->size, d);
    return memcmp(d, f->sha256, ANX_SHA256_SIZE) == 0 ? 0 : -1;
}

/* ---- the image's archive -------------------------------------------- */

extern const uint8_t anx_files_start[], anx_files_end[];
static struct anx_archive image;

void anx_files_init(void)
{
    const char *err;
    if (anx_archive_open(&image, anx_files_start,
                         (size_t)(anx_files_end - anx_files_start), &err) < 0) {
        log_error("the image's archive is damaged (%s); no files", err);
        image.count = 0;
    } else if (image.count) {
        log_info("%u files in the image", (unsigned)image.count);
    }
}

int anx_file_find(const char *path, const void **data, size_t *size)
{
    struct anx_file f;
    if (anx_archive_find(&image, path, &f) < 0)
        return -1;
    if (data)
        *data = f.data;
    if (size)
        *size = f.size;
    return 0;
}

int anx_file_lookup(const char *path, struct anx_file *out)
{
    return anx_archive_find(&image, path, out);
}

size_t anx_file_count(void)
{
    return image.count;
}

int anx_file_at(size_t i, struct anx_file *out)
{
    if (i >= image.count)
        return -1;
    anx_archive_entry(&image, (uint32_t)i, out);
    return 0;
}
