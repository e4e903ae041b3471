/*
 * The generator's SHA-256 helpers (hex digests of buffers and files). The
 * algorithm and the hex encoding are the core's own, core/lib/sha256.c,
 * compiled into the generator as well (gen/Makefile), so the image and the
 * host tools hash with one implementation.
 */
#include "anx.h"

#include <stdio.h>
#include <string.h>

void sha256_buf(const void *data, size_t n, char out[65])
{
    uint8_t d[32];
    anx_sha256(data, n, d);
    anx_sha256_hex(d, out);
}

int sha256_file(const char *path, char out[65], uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct anx_sha256 s;
    uint8_t d[32], b[65536];
    size_t n;
    uint64_t total = 0;
    anx_sha256_init(&s);
    while ((n = fread(b, 1, sizeof b, f)) > 0) {
        anx_sha256_update(&s, b, n);
        total += n;
    }
    int err = ferror(f);
    fclose(f);
    if (err)
        return -1;
    anx_sha256_final(&s, d);
    anx_sha256_hex(d, out);
    if (size)
        *size = total;
    return 0;
}
