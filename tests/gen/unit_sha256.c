#define _GNU_SOURCE
/* The generator's SHA-256 helpers (hex of buffers and files) on top of the
 * core's algorithm, whose own vectors are in tests/unit/test_sha256.c. */
#include "anx.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(void)
{
    char hex[65];
    sha256_buf("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_buf("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    /* A file larger than sha256_file's read buffer: one million 'a'. */
    char path[] = "/tmp/anx-unit-sha256-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    for (int i = 0; i < 1000000; i++)
        fputc('a', f);
    fclose(f);
    uint64_t size = 0;
    CHECK(sha256_file(path, hex, &size) == 0);
    CHECK(size == 1000000);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    unlink(path);
    CHECK(sha256_file("/nonexistent/anx-unit", hex, &size) != 0);
    return UNIT_END();
}
