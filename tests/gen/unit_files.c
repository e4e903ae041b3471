#define _GNU_SOURCE
/* The files archive: layout, sorting, alignment, hashes, the reader
 * rejecting damaged archives, and folders in files:. */
#include "anx.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Everything the generator printed since the last call (diag_out is a
 * temporary file while these tests run). */
static char *diags(void)
{
    static long from;
    fflush(diag_out);
    long end = ftell(diag_out);
    char *s = xcalloc((size_t)(end - from) + 1, 1);
    fseek(diag_out, from, SEEK_SET);
    size_t got = fread(s, 1, (size_t)(end - from), diag_out);
    s[got] = 0;
    from = end;
    return s;
}

/* Loads manifest text written into dir; returns the error count. */
static int load(const char *dir, const char *yaml, struct manifest *m)
{
    char *mpath = path_join(dir, "f.yaml");
    CHECK(write_file(mpath, yaml, strlen(yaml)) == 0);
    return manifest_load(mpath, m);
}

static void put(const char *dir, const char *name, const char *text)
{
    char *p = path_join(dir, name);
    mkdir_p(path_dirname(p));
    CHECK(write_file(p, text, strlen(text)) == 0);
}

/* Folders in files: every file below, recursively, sorted by image path,
 * dotfiles included, links to files followed; everything else an error. */
static void folders(const char *dir)
{
    put(dir, "site/index.html", "<h1>hi</h1>\n");
    put(dir, "site/css/site.css", "h1 {}\n");
    put(dir, "site/.well-known/security.txt", "contact\n");
    put(dir, "site/a-b", "dash sorts before slash\n");
    CHECK(symlink("index.html", path_join(dir, "site/link.html")) == 0);
    mkdir_p(path_join(dir, "site/empty-sub"));
    struct manifest m;
    CHECK(load(dir, "name: t\nfiles:\n  /www/: site/\n  /etc/motd: a.txt\n", &m) == 0);
    static const char *const want[] = {"/etc/motd", "/www/.well-known/security.txt", "/www/a-b",
                                       "/www/css/site.css", "/www/index.html", "/www/link.html"};
    CHECK(m.nfiles == 6);
    for (size_t i = 0; i < m.nfiles && i < 6; i++)
        CHECK_STR(m.files[i].image_path, want[i]);
    CHECK_STR(m.files[3].host_path, "site/css/site.css");
    CHECK(m.files[3].mark.line == 3);
    struct buf b = {0};
    CHECK(files_archive_build(&m, &b) == 0 && files_archive_check((const uint8_t *)b.p, b.n) == 6);
    /* The link's entry holds its target's bytes. */
    CHECK(memmem(b.p, b.n, "/www/link.html", 14) != NULL);

    /* The same folder written the other way round: the same archive. */
    put(dir, "site2/css/site.css", "h1 {}\n");
    put(dir, "site2/a-b", "dash sorts before slash\n");
    put(dir, "site2/.well-known/security.txt", "contact\n");
    put(dir, "site2/index.html", "<h1>hi</h1>\n");
    put(dir, "site2/link.html", "<h1>hi</h1>\n");
    struct manifest m2;
    CHECK(load(dir, "name: t\nfiles:\n  /etc/motd: a.txt\n  /www: site2\n", &m2) == 0);
    struct buf b2 = {0};
    CHECK(files_archive_build(&m2, &b2) == 0 && b2.n == b.n && !memcmp(b.p, b2.p, b.n));

    /* The image's root, and "/site" without slashes means the same. */
    CHECK(load(dir, "name: t\nfiles:\n  /: site2\n", &m2) == 0 && m2.nfiles == 5);
    CHECK_STR(m2.files[0].image_path, "/.well-known/security.txt");
    diags();

    /* What cannot be embedded is an error naming the file, never skipped. */
    CHECK(symlink("css", path_join(dir, "site/dirlink")) == 0);
    CHECK(symlink("nothere", path_join(dir, "site/dangling")) == 0);
    CHECK(mkfifo(path_join(dir, "site/fifo"), 0600) == 0);
    put(dir, "site/bad name.txt", "x");
    CHECK(load(dir, "name: t\nfiles:\n  /www: site\n", &m) == 4);
    char *d = diags();
    CHECK(strstr(d, "f.yaml:3:9: error: 'site/dirlink' is a symbolic link to a folder; links to folders are not "
                    "followed") != NULL);
    CHECK(strstr(d, "'site/dangling' is a symbolic link to nothing") != NULL);
    CHECK(strstr(d, "'site/fifo' is a named pipe; only regular files can be embedded") != NULL);
    CHECK(strstr(d, "'site/bad name.txt' cannot be embedded as '/www/bad name.txt': an image path may only "
                    "hold") != NULL);

    /* An empty folder, a missing one, two entries for one path. */
    mkdir_p(path_join(dir, "void/sub"));
    CHECK(load(dir, "name: t\nfiles:\n  /v: void\n", &m) == 1);
    CHECK(strstr(diags(), "f.yaml:3:7: error: folder 'void' holds no files to embed") != NULL);
    CHECK(load(dir, "name: t\nfiles:\n  /v: nothere/\n", &m) == 1);
    CHECK(strstr(diags(), "file 'nothere/' not found") != NULL);
    CHECK(load(dir, "name: t\nfiles:\n  /w: site2\n  /w/: site2/\n", &m) == 1);
    d = diags();
    CHECK(strstr(d, "f.yaml:4:3: error: image path '/w/.well-known/security.txt' comes from two entries: "
                    "'site2/.well-known/security.txt' (line 3) and 'site2/.well-known/security.txt'") != NULL);
    CHECK(strstr(d, "/w/a-b") == NULL);   /* once per pair of entries */
}

int main(void)
{
    diag_out = tmpfile();
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
    folders(dir);
    rm_rf(dir);
    return UNIT_END();
}
