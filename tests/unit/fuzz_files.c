/*
 * libFuzzer harness for the files archive parser (core/files.c):
 *   tests/unit/run.sh --fuzz [SECONDS]
 * or by hand:
 *   clang -g -fsanitize=fuzzer,address,undefined -ffreestanding ... (see run.sh)
 * Any archive must either be rejected or yield entries whose paths and
 * data lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "rename.h"
#include <anx/files.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct anx_archive a;
    const char *err;
    if (anx_archive_open(&a, data, size, &err) < 0)
        return 0;
    for (uint32_t i = 0; i < a.count; i++) {
        struct anx_file f;
        anx_archive_entry(&a, i, &f);
        const uint8_t *p = (const uint8_t *)f.path, *d = f.data;
        if (p < data || p + f.path_len > data + size || d < data || d + f.size > data + size)
            abort();
        anx_file_verify(&f);
        char path[64];
        size_t n = f.path_len < sizeof path - 1 ? f.path_len : sizeof path - 1;
        for (size_t k = 0; k < n; k++)
            path[k] = f.path[k];
        path[n] = 0;
        struct anx_file g;
        if (n == f.path_len && anx_archive_find(&a, path, &g) != 0)
            abort();                 /* every entry is found by its own path */
    }
    return 0;
}
