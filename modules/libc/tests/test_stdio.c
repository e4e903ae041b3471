/* FILE streams over a files archive (built here, served to the module
 * through the three functions of archive.c), memory streams, stat and
 * opendir/readdir, remove/rename errors. */
#include <anx/files.h>
#include <anx/sha256.h>
#include <stdint.h>

#include "libc_test.h"

typedef struct libc_file LFILE;
LFILE *libc_fopen(const char *path, const char *mode);
LFILE *libc_fmemopen(void *buf, size_t size, const char *mode);
int libc_fclose(LFILE *f);
size_t libc_fread(void *p, size_t size, size_t n, LFILE *f);
size_t libc_fwrite(const void *p, size_t size, size_t n, LFILE *f);
int libc_fgetc(LFILE *f);
int libc_getc(LFILE *f);
int libc_ungetc(int c, LFILE *f);
char *libc_fgets(char *s, int n, LFILE *f);
int libc_feof(LFILE *f);
int libc_ferror(LFILE *f);
int libc_fseek(LFILE *f, long off, int whence);
long libc_ftell(LFILE *f);
void libc_rewind(LFILE *f);
int libc_fputs(const char *s, LFILE *f);
int libc_fputc(int c, LFILE *f);
int libc_fprintf(LFILE *f, const char *fmt, ...);
int libc_fileno(LFILE *f);
int libc_remove(const char *path);
int libc_rename(const char *a, const char *b);
long libc_getline(char **line, size_t *cap, LFILE *f);

struct lstat_ {                        /* modules/libc/sys/stat.h's struct stat */
    unsigned long st_dev, st_ino;
    unsigned st_mode;
    unsigned long st_nlink;
    unsigned st_uid, st_gid;
    long st_size, st_blksize, st_blocks;
    struct timespec t[3];
};
int libc_stat(const char *path, struct lstat_ *st);
int libc_fstat(int fd, struct lstat_ *st);
struct ldirent {
    unsigned long d_ino;
    unsigned char d_type;
    char d_name[256];
};
typedef struct libc_dir LDIR;
LDIR *libc_opendir(const char *path);
struct ldirent *libc_readdir(LDIR *d);
int libc_closedir(LDIR *d);
void libc_rewinddir(LDIR *d);

/* ---- the archive: tests/test_archive.h ---------------------------------- */
#include "test_archive.h"

int main(void)
{
    /* sorted, as the generator writes them */
    static const char *const paths[] = {"/etc/motd", "/www/a.css", "/www/img/b.png", "/www/img/c.png",
                                        "/www/img2/d", "/www/index.html", "/www/z"};
    static const char *const datas[] = {"hello\nworld\n", "body{}", "PNG1", "PNG22", "d", "<html>\nline two\nlast", ""};
    CHECK(archive_build(paths, datas, 7) == 0, "the test archive does not open");

    /* reading */
    LFILE *f = libc_fopen("/www/index.html", "r");
    CHECK(f != NULL, "fopen of an archive file");
    char line[64];
    CHECK(libc_fgets(line, sizeof line, f) && !strcmp(line, "<html>\n"), "fgets 1: \"%s\"", line);
    CHECK(libc_fgets(line, 5, f) && !strcmp(line, "line"), "fgets with a short buffer: \"%s\"", line);
    CHECK(libc_fgets(line, sizeof line, f) && !strcmp(line, " two\n"), "fgets 2: \"%s\"", line);
    CHECK(libc_ftell(f) == 16, "ftell %ld", libc_ftell(f));
    CHECK(libc_getc(f) == 'l' && libc_ungetc('L', f) == 'L' && libc_ftell(f) == 16 && libc_fgetc(f) == 'L', "ungetc");
    CHECK(libc_fgets(line, sizeof line, f) && !strcmp(line, "ast"), "last line without newline: \"%s\"", line);
    CHECK(!libc_feof(f) || libc_feof(f), "feof readable");
    CHECK(libc_fgets(line, sizeof line, f) == NULL && libc_feof(f) && !libc_ferror(f), "end of file");
    CHECK(libc_fgetc(f) == -1, "fgetc at end");
    libc_rewind(f);
    CHECK(!libc_feof(f) && libc_fgetc(f) == '<', "rewind");
    CHECK(libc_fseek(f, -4, 2) == 0 && libc_fread(line, 1, 10, f) == 4 && !memcmp(line, "last", 4), "fseek SEEK_END");
    CHECK(libc_fseek(f, 2, 0) == 0 && libc_fseek(f, 3, 1) == 0 && libc_ftell(f) == 5, "fseek SEEK_SET/CUR");
    CHECK(libc_fseek(f, -100, 1) == -1 && libc_errno == 22, "fseek before the start: EINVAL");
    CHECK(libc_fread(line, 3, 2, f) == 2, "fread counts items");
    CHECK(libc_fputc('x', f) == -1 && libc_ferror(f), "writing a read-only stream fails");
    struct lstat_ st;
    CHECK(libc_fstat(libc_fileno(f), &st) == 0 && st.st_size == 20 && (st.st_mode & 0170000) == 0100000, "fstat");
    libc_fclose(f);
    f = libc_fopen("/etc/motd", "rb");
    char *gl = NULL;
    size_t cap = 0;
    CHECK(libc_getline(&gl, &cap, f) == 6 && !strcmp(gl, "hello\n"), "getline");
    CHECK(libc_getline(&gl, &cap, f) == 6 && libc_getline(&gl, &cap, f) == -1, "getline to the end");
    free(gl);
    libc_fclose(f);

    /* errors */
    CHECK(libc_fopen("/nope", "r") == NULL && libc_errno == 2, "missing file: ENOENT (%d)", libc_errno);
    CHECK(libc_fopen("/etc/motd", "w") == NULL && libc_errno == 30, "write mode: EROFS (%d)", libc_errno);
    CHECK(libc_fopen("/etc/motd", "r+") == NULL && libc_errno == 30, "r+: EROFS");
    CHECK(libc_fopen("/www", "r") == NULL && libc_errno == 21, "a folder: EISDIR (%d)", libc_errno);
    CHECK(libc_remove("/etc/motd") == -1 && libc_errno == 30, "remove: EROFS");
    CHECK(libc_remove("/nope") == -1 && libc_errno == 2, "remove of nothing: ENOENT");
    CHECK(libc_rename("/etc/motd", "/x") == -1 && libc_errno == 30, "rename: EROFS");

    /* stat */
    CHECK(libc_stat("/www/img/c.png", &st) == 0 && st.st_size == 5 && (st.st_mode & 0170000) == 0100000, "stat file");
    CHECK(libc_stat("/www/img", &st) == 0 && (st.st_mode & 0170000) == 0040000, "stat folder");
    CHECK(libc_stat("/www/img/", &st) == 0 && (st.st_mode & 0170000) == 0040000, "stat folder/");
    CHECK(libc_stat("/", &st) == 0 && (st.st_mode & 0170000) == 0040000, "stat /");
    CHECK(libc_stat("/ww", &st) == -1 && libc_errno == 2, "a path prefix that is no folder");
    CHECK(libc_stat("", &st) == -1 && libc_errno == 2, "stat of \"\": ENOENT");
    CHECK(libc_stat("www/a.css", &st) == -1 && libc_errno == 2, "a relative path: ENOENT");
    CHECK(libc_stat("/www/img/b", &st) == -1, "a file-name prefix is nothing");

    /* readdir */
    LDIR *d = libc_opendir("/www");
    CHECK(d != NULL, "opendir");
    char names[256] = "";
    struct ldirent *e;
    while (d && (e = libc_readdir(d))) {
        strcat(names, e->d_name);
        strcat(names, e->d_type == 4 ? "/ " : " ");
    }
    CHECK(!strcmp(names, "a.css img/ img2/ index.html z "), "readdir /www: \"%s\"", names);
    libc_rewinddir(d);
    CHECK((e = libc_readdir(d)) && !strcmp(e->d_name, "a.css"), "rewinddir");
    libc_closedir(d);
    d = libc_opendir("/");
    names[0] = 0;
    while (d && (e = libc_readdir(d))) {
        strcat(names, e->d_name);
        strcat(names, " ");
    }
    CHECK(!strcmp(names, "etc www "), "readdir /: \"%s\"", names);
    libc_closedir(d);
    CHECK(libc_opendir("/nope") == NULL && libc_errno == 2, "opendir missing: ENOENT");
    CHECK(libc_opendir("/etc/motd") == NULL && libc_errno == 20, "opendir of a file: ENOTDIR");

    /* memory streams against glibc's fmemopen */
    char ma[16], mb[16];
    memset(ma, 'x', sizeof ma);
    memset(mb, 'x', sizeof mb);
    LFILE *m = libc_fmemopen(ma, sizeof ma, "w");
    FILE *g = fmemopen(mb, sizeof mb, "w");
    int ra = libc_fprintf(m, "%d|%.2f|", 42, 2.5), rb = fprintf(g, "%d|%.2f|", 42, 2.5);
    libc_fclose(m);
    fclose(g);
    CHECK(ra == rb && !strcmp(ma, mb), "fmemopen w: \"%s\" vs \"%s\"", ma, mb);
    char src[] = "abc def";
    m = libc_fmemopen(src, 7, "r");
    char w1[8], w2[8];
    CHECK(libc_fread(w1, 1, 3, m) == 3 && libc_fgetc(m) == ' ' && libc_fread(w2, 1, 8, m) == 3 && libc_feof(m),
          "fmemopen r");
    libc_fclose(m);
    char small[4];
    m = libc_fmemopen(small, sizeof small, "w");
    CHECK(libc_fputs("toolong", m) == -1 && libc_ferror(m), "a full memory stream reports the error");
    libc_fclose(m);
    return t_done();
}
