#define _GNU_SOURCE
/* The files archive: layout, sorting, alignment, hashes, and the reader
 * rejecting damaged archives. */
#include "anx.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(void)
{
    char dir[] = "/tmp/anx-unit-files-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *mpath = path_join(dir, "m.yaml");
    const char *yaml = "name: t\nfiles:\n  /z/last: b.txt\n  /etc/motd: a.txt\n  /empty: e.txt\n";
    CHECK(write_file(path_join(dir, "a.txt"), "hello\n", 6) == 0);
    CHECK(write_file(path_join(dir, "b.txt"), "0123456789abcdefXYZ", 19) == 0);
    CHECK(write_file(path_join(dir, "e.txt"), "", 0) == 0);
    CHECK(write_file(mpath, yaml, strlen(yaml)) == 0);
    struct manifest m;
    CHECK(manifest_load(mpath, &m) == 0);
    CHECK(m.nfiles == 3);
    struct buf b = {0};
    CHECK(files_archive_build(&m, &b) == 0);
    const uint8_t *a = (const uint8_t *)b.p;
    CHECK(b.n > 16 && !memcmp(a, "ANXFILES", 8));
    CHECK(le32(a + 8) == 1 && le32(a + 12) == 3);
    /* Sorted: /empty, /etc/motd, /z/last. */
    const uint8_t *e0 = a + 16, *e1 = a + 16 + 64;
    CHECK(le32(e0 + 4) == 6 && !memcmp(a + le32(e0), "/empty", 6));
    CHECK(le32(e1 + 4) == 9 && !memcmp(a + le32(e1), "/etc/motd", 9));
    CHECK(le32(e1 + 8) % 16 == 0 && !memcmp(a + le32(e1 + 8), "hello\n", 6));
    CHECK(files_archive_check(a, b.n) == 3);
    /* Same input, same bytes. */
    struct buf b2 = {0};
    CHECK(files_archive_build(&m, &b2) == 0 && b2.n == b.n && !memcmp(b.p, b2.p, b.n));
    /* Damage: a data byte (hash), the count, a truncation, the magic. */
    uint8_t *c = malloc(b.n);
    memcpy(c, a, b.n);
    c[b.n - 1] ^= 1;
    CHECK(files_archive_check(c, b.n) == -1);
    memcpy(c, a, b.n);
    c[12] = 200;
    CHECK(files_archive_check(c, b.n) == -1);
    CHECK(files_archive_check(a, b.n - 3) == -1);
    memcpy(c, a, b.n);
    c[0] = 'X';
    CHECK(files_archive_check(c, b.n) == -1);
    free(c);
    /* No files: a 16-byte archive with zero entries. */
    struct manifest none = {0};
    CHECK(files_archive_build(&none, &b) == 0 && b.n == 16 && files_archive_check((const uint8_t *)b.p, b.n) == 0);
    rm_rf(dir);
    return UNIT_END();
}
