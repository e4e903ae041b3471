/*
 * The files archive built into the image (core/files.c; format in
 * docs/architecture.md). The archive is validated completely when opened:
 * header, entry table, every path and data range inside the archive, paths
 * sorted and unique, data offsets aligned to 16. A damaged archive yields
 * no files and an error message; nothing reads out of bounds.
 */
#ifndef ANX_FILES_H
#define ANX_FILES_H

#include <stddef.h>
#include <stdint.h>

struct anx_file {
    const char *path;          /* NOT NUL-terminated */
    size_t path_len;
    const void *data;
    size_t size;
    const uint8_t *sha256;     /* 32 bytes, as recorded in the archive */
};

struct anx_archive {
    const uint8_t *base;
    size_t size;
    uint32_t count;
};

/* Validate an archive in memory. 0, or -1 with *err naming the problem. */
int anx_archive_open(struct anx_archive *a, const void *data, size_t size,
                     const char **err);
/* Entry i (< a->count) of an opened archive. */
void anx_archive_entry(const struct anx_archive *a, uint32_t i,
                       struct anx_file *out);
/* Binary search by path. 0 found, -1 not. */
int anx_archive_find(const struct anx_archive *a, const char *path,
                     struct anx_file *out);
/* Recompute the file's sha256: 0 when it matches the recorded one. */
int anx_file_verify(const struct anx_file *f);

/* The image's own archive (anx_files_start..anx_files_end). */
void anx_files_init(void);     /* core only */
int anx_file_find(const char *path, const void **data, size_t *size);
int anx_file_lookup(const char *path, struct anx_file *out);   /* 0 or -1 */
size_t anx_file_count(void);
int anx_file_at(size_t i, struct anx_file *out);   /* 0 or -1 */

#endif
