/* File descriptors, mmap, scandir, realpath, the environment, uname,
 * gettimeofday, signal/raise, ctime_r over a test archive; constants and
 * layouts compared with glibc's where both have them. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libc_test.h"
#include "test_archive.h"

typedef struct libc_file LFILE;
int libc_open(const char *path, int flags, ...);
int libc_openat(int dirfd, const char *path, int flags, ...);
long libc_read(int fd, void *buf, size_t n);
long libc_write(int fd, const void *buf, size_t n);
long libc_pread(int fd, void *buf, size_t n, long off);
long libc_pwrite(int fd, const void *buf, size_t n, long off);
int libc_close(int fd);
long libc_lseek(int fd, long off, int whence);
int libc_dup(int fd);
int libc_dup2(int fd, int to);
int libc_fcntl(int fd, int cmd, ...);
int libc_access(const char *path, int mode);
int libc_unlink(const char *path);
int libc_rmdir(const char *path);
int libc_unlinkat(int dirfd, const char *path, int flags);
char *libc_getcwd(char *buf, size_t size);
int libc_isatty(int fd);
int libc_getpid(void);
long libc_sysconf(int name);
LFILE *libc_fdopen(int fd, const char *mode);
LFILE *libc_fopen(const char *path, const char *mode);
LFILE *libc_fmemopen(void *buf, size_t size, const char *mode);
char *libc_setlocale(int category, const char *locale);
int libc_fclose(LFILE *f);
int libc_fgetc(LFILE *f);
char *libc_fgets(char *s, int n, LFILE *f);
int libc_fileno(LFILE *f);
void libc_setbuf(LFILE *f, char *buf);
struct lstat_ {                        /* modules/libc/sys/stat.h's struct stat */
    unsigned long st_dev, st_ino;
    unsigned st_mode;
    unsigned long st_nlink;
    unsigned st_uid, st_gid;
    long st_size, st_blksize, st_blocks;
    struct timespec t[3];
};
int libc_fstat(int fd, struct lstat_ *st);
int libc_fstatat(int dirfd, const char *path, struct lstat_ *st, int flags);
struct ldirent {
    unsigned long d_ino;
    unsigned char d_type;
    char d_name[256];
};
typedef struct libc_dir LDIR;
LDIR *libc_opendir(const char *path);
int libc_closedir(LDIR *d);
int libc_dirfd(LDIR *d);
int libc_scandir(const char *path, struct ldirent ***out, int (*filter)(const struct ldirent *),
                 int (*cmp)(const struct ldirent **, const struct ldirent **));
int libc_alphasort(const struct ldirent **a, const struct ldirent **b);
void *libc_mmap(void *addr, size_t len, int prot, int flags, int fd, long off);
int libc_munmap(void *addr, size_t len);
char *libc_realpath(const char *path, char *resolved);
char *libc_getenv(const char *name);
int libc_setenv(const char *name, const char *value, int overwrite);
int libc_unsetenv(const char *name);
int libc_putenv(char *entry);
int libc_clearenv(void);
extern char **libc_environ;
int libc_uname(struct utsname *u);
int libc_gettimeofday(struct timeval *tv, void *tz);
typedef void (*handler)(int);
handler libc_signal(int sig, handler h);
int libc_raise(int sig);
char *libc_ctime_r(const time_t *t, char *buf);
char *libc_asctime_r(const struct tm *tm, char *buf);

static int got_signal;
static void on_signal(int sig) { got_signal = sig; }
static int no_dirs(const struct ldirent *e) { return e->d_type != 4; }

int main(void)
{
    static const char *const paths[] = {"/etc/motd", "/www/a.css", "/www/img/b.png", "/www/img/c.png",
                                        "/www/index.html", "/www/z"};
    static const char *const datas[] = {"hello\nworld\n", "body{}", "PNG1", "PNG22", "<html>\nline two\nlast", ""};
    CHECK(archive_build(paths, datas, 6) == 0, "archive");

    /* the numbers ported code compiles in are Linux's (glibc's here) */
    CHECK(O_RDONLY == 0 && O_WRONLY == 1 && O_RDWR == 2 && O_CREAT == 0100 && O_EXCL == 0200 && O_TRUNC == 01000 &&
          O_APPEND == 02000 && O_CLOEXEC == 02000000 && O_DIRECTORY == 0200000 && AT_FDCWD == -100 &&
          AT_REMOVEDIR == 0x200 && F_OK == 0 && R_OK == 4 && W_OK == 2 && X_OK == 1 && _SC_PAGESIZE == 30,
          "fcntl.h/unistd.h constants as glibc's");
    CHECK(PROT_READ == 1 && PROT_WRITE == 2 && MAP_PRIVATE == 2 && MAP_SHARED == 1 && MAP_ANONYMOUS == 0x20,
          "mman.h constants as glibc's");
    CHECK(SIGINT == 2 && SIGABRT == 6 && SIGSEGV == 11 && SIGPIPE == 13 && SIGTERM == 15, "signal numbers");

    /* open, read, lseek, pread, close */
    int fd = libc_open("/www/index.html", O_RDONLY);
    char buf[64];
    CHECK(fd >= 3, "open gives a descriptor past the standard ones (%d)", fd);
    CHECK(libc_read(fd, buf, 6) == 6 && !memcmp(buf, "<html>", 6), "read");
    CHECK(libc_lseek(fd, 0, SEEK_CUR) == 6, "lseek SEEK_CUR");
    CHECK(libc_lseek(fd, -4, SEEK_END) == 16 && libc_read(fd, buf, 64) == 4 && !memcmp(buf, "last", 4), "lseek SEEK_END");
    CHECK(libc_read(fd, buf, 64) == 0, "read at the end: 0");
    CHECK(libc_pread(fd, buf, 4, 7) == 4 && !memcmp(buf, "line", 4) && libc_lseek(fd, 0, SEEK_CUR) == 20,
          "pread leaves the position");
    CHECK(libc_pread(fd, buf, 4, 100) == 0, "pread past the end: 0");
    CHECK(libc_write(fd, "x", 1) == -1 && libc_errno == EBADF, "write to a read-only descriptor: EBADF");
    CHECK(libc_pwrite(fd, "x", 1, 0) == -1 && libc_errno == EROFS, "pwrite of an archive file: EROFS");
    struct lstat_ st;
    CHECK(libc_fstat(fd, &st) == 0 && st.st_size == 20 && (st.st_mode & S_IFMT) == S_IFREG, "fstat of open()'s fd");

    /* dup shares the offset; closing one keeps the other */
    int fd2 = libc_dup(fd);
    CHECK(fd2 > fd, "dup: %d", fd2);
    libc_lseek(fd, 2, SEEK_SET);
    CHECK(libc_lseek(fd2, 0, SEEK_CUR) == 2, "dup shares the offset");
    CHECK(libc_close(fd) == 0 && libc_read(fd2, buf, 3) == 3 && !memcmp(buf, "tml", 3), "the dup outlives close");
    CHECK(libc_read(fd, buf, 1) == -1 && libc_errno == EBADF, "a closed descriptor: EBADF");
    CHECK(libc_close(fd) == -1 && libc_errno == EBADF, "closing twice: EBADF");
    CHECK(libc_dup2(fd2, 20) == 20 && libc_lseek(20, 0, SEEK_CUR) == 5, "dup2 to a chosen number");
    int other = libc_open("/www/a.css", O_RDONLY);
    CHECK(libc_dup2(fd2, other) == other && libc_read(other, buf, 2) == 2 && !memcmp(buf, ">\n", 2),
          "dup2 onto an open descriptor closes that one first");
    CHECK(libc_dup2(fd2, 1) == -1 && libc_errno == EBUSY, "dup2 onto the console: EBUSY");
    CHECK(libc_dup2(fd2, 64) == -1 && libc_errno == EBADF, "dup2 past the table: EBADF");
    CHECK(libc_close(fd2) == 0 && libc_close(20) == 0 && libc_close(other) == 0, "close all three");

    /* fdopen: the stream of a descriptor */
    fd = libc_open("/etc/motd", O_RDONLY | O_CLOEXEC);
    LFILE *f = libc_fdopen(fd, "r");
    CHECK(f && libc_fileno(f) == fd && libc_fgets(buf, sizeof buf, f) && !strcmp(buf, "hello\n"), "fdopen");
    CHECK(libc_fdopen(fd, "w") == NULL && libc_errno == EINVAL, "fdopen for writing a read-only fd: EINVAL");
    libc_setbuf(f, NULL);
    CHECK(libc_fclose(f) == 0 && libc_read(fd, buf, 1) == -1, "fclose closes the descriptor");
    CHECK(libc_fdopen(99, "r") == NULL && libc_errno == EBADF, "fdopen of no descriptor: EBADF");

    /* errors of open */
    CHECK(libc_open("/nope", O_RDONLY) == -1 && libc_errno == ENOENT, "open missing: ENOENT");
    CHECK(libc_open("/etc/motd", O_WRONLY) == -1 && libc_errno == EROFS, "open for writing: EROFS");
    CHECK(libc_open("/etc/new", O_WRONLY | O_CREAT, 0644) == -1 && libc_errno == EROFS, "O_CREAT: EROFS");
    CHECK(libc_open("/etc/motd", O_RDWR | O_CREAT | O_EXCL, 0644) == -1 && libc_errno == EEXIST, "O_EXCL: EEXIST");
    CHECK(libc_open("/nope", O_WRONLY) == -1 && libc_errno == ENOENT, "writing a missing file: ENOENT");
    CHECK(libc_open("/etc/motd", O_RDONLY | O_DIRECTORY) == -1 && libc_errno == ENOTDIR, "O_DIRECTORY of a file");

    /* folders: open, fstat, fstatat, openat, dirfd, unlinkat */
    int dfd = libc_open("/www", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 3 && libc_fstat(dfd, &st) == 0 && S_ISDIR(st.st_mode), "open a folder, fstat it");
    CHECK(libc_read(dfd, buf, 1) == -1 && libc_errno == EISDIR, "read a folder: EISDIR");
    CHECK(libc_fstatat(dfd, "img/b.png", &st, 0) == 0 && st.st_size == 4, "fstatat relative to a folder");
    CHECK(libc_fstatat(AT_FDCWD, "/www/a.css", &st, 0) == 0 && st.st_size == 6, "fstatat AT_FDCWD");
    CHECK(libc_fstatat(dfd, "", &st, AT_EMPTY_PATH) == 0 && S_ISDIR(st.st_mode), "fstatat AT_EMPTY_PATH");
    CHECK(libc_fstatat(dfd, "nope", &st, 0) == -1 && libc_errno == ENOENT, "fstatat missing");
    fd = libc_openat(dfd, "a.css", O_RDONLY);
    CHECK(fd >= 3 && libc_read(fd, buf, 6) == 6 && !memcmp(buf, "body{}", 6), "openat");
    libc_close(fd);
    CHECK(libc_unlinkat(dfd, "a.css", 0) == -1 && libc_errno == EROFS, "unlinkat: EROFS");
    CHECK(libc_unlinkat(dfd, "img", AT_REMOVEDIR) == -1 && libc_errno == EROFS, "unlinkat AT_REMOVEDIR: EROFS");
    CHECK(libc_unlinkat(dfd, "gone", 0) == -1 && libc_errno == ENOENT, "unlinkat missing: ENOENT");
    CHECK(libc_fstatat(1, "x", &st, 0) == -1 && libc_errno == ENOTDIR, "fstatat on a non-folder fd: ENOTDIR");
    libc_close(dfd);
    LDIR *d = libc_opendir("/www/img");
    int dd = libc_dirfd(d);
    CHECK(dd >= 3 && libc_fstatat(dd, "c.png", &st, 0) == 0 && st.st_size == 5, "dirfd");
    libc_closedir(d);
    CHECK(libc_fstat(dd, &st) == -1 && libc_errno == EBADF, "closedir closes dirfd's descriptor");
    int rootfd = libc_open("/", O_RDONLY);
    CHECK(libc_fstatat(rootfd, "etc/motd", &st, 0) == 0 && st.st_size == 12, "a descriptor of /");
    libc_close(rootfd);

    /* the other calls */
    CHECK(libc_access("/etc/motd", R_OK) == 0 && libc_access("/www", F_OK | X_OK) == 0, "access R_OK, F_OK");
    CHECK(libc_access("/etc/motd", W_OK) == -1 && libc_errno == EROFS, "access W_OK: EROFS");
    CHECK(libc_access("/nope", F_OK) == -1 && libc_errno == ENOENT, "access missing: ENOENT");
    CHECK(libc_unlink("/etc/motd") == -1 && libc_errno == EROFS, "unlink: EROFS");
    CHECK(libc_unlink("/nope") == -1 && libc_errno == ENOENT, "unlink missing: ENOENT");
    CHECK(libc_unlink("/www") == -1 && libc_errno == EISDIR, "unlink a folder: EISDIR");
    CHECK(libc_rmdir("/www/img") == -1 && libc_errno == EROFS, "rmdir: EROFS");
    CHECK(libc_rmdir("/etc/motd") == -1 && libc_errno == ENOTDIR, "rmdir a file: ENOTDIR");
    char cwd[8];
    CHECK(libc_getcwd(cwd, sizeof cwd) && !strcmp(cwd, "/"), "getcwd");
    CHECK(libc_getcwd(cwd, 1) == NULL && libc_errno == ERANGE, "getcwd too small: ERANGE");
    char *cw = libc_getcwd(NULL, 0);
    CHECK(cw && !strcmp(cw, "/"), "getcwd(NULL, 0) allocates");
    free(cw);
    CHECK(libc_isatty(0) == 1 && libc_isatty(2) == 1 && libc_isatty(40) == 0 && libc_errno == EBADF, "isatty");
    CHECK(libc_getpid() == 1 && libc_sysconf(_SC_PAGESIZE) == 4096 && libc_sysconf(-5) == -1, "getpid, sysconf");
    CHECK(libc_write(1, "", 0) == 0, "write nothing to the console");
    CHECK(libc_fcntl(0, F_GETFL) == O_RDONLY && libc_fcntl(1, F_GETFL) == O_WRONLY, "fcntl F_GETFL");

    /* the table is bounded: 61 opens succeed (3..63), the next fails */
    int fds[64], n = 0;
    while (n < 64 && (fds[n] = libc_open("/etc/motd", O_RDONLY)) >= 0)
        n++;
    CHECK(n == 61 && libc_errno == EMFILE, "61 descriptors, then EMFILE (%d)", n);
    while (n)
        libc_close(fds[--n]);

    /* mmap */
    fd = libc_open("/www/index.html", O_RDONLY);
    char *p = libc_mmap(NULL, 20, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED && !memcmp(p, "<html>\nline two\nlast", 20), "mmap of a file");
    char *q = libc_mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(q != MAP_FAILED && q[20] == 0 && q[99] == 0, "past the end of the file: zeros");
    q[0] = 'X';
    CHECK(p[0] == '<', "a private mapping is a copy");
    CHECK(libc_munmap(p, 20) == 0 && libc_munmap(q, 100) == 0, "munmap");
    CHECK(libc_munmap(p, 20) == -1 && libc_errno == EINVAL, "munmap twice: EINVAL");
    CHECK(libc_mmap(NULL, 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && libc_errno == EACCES,
          "a writable shared mapping: EACCES");
    CHECK(libc_mmap(NULL, 20, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) == MAP_FAILED && libc_errno == ENOTSUP,
          "PROT_EXEC: ENOTSUP");
    CHECK(libc_mmap(NULL, 20, PROT_READ, MAP_PRIVATE, fd, 100) == MAP_FAILED && libc_errno == EINVAL,
          "an offset not a page multiple: EINVAL");
    CHECK(libc_mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED && libc_errno == EINVAL, "length 0");
    CHECK(libc_mmap(NULL, 8, PROT_READ, MAP_PRIVATE, 1, 0) == MAP_FAILED && libc_errno == ENODEV, "the console");
    libc_close(fd);
    unsigned char *a = libc_mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int zero = a != MAP_FAILED && ((uintptr_t)a & 4095) == 0;
    for (int i = 0; zero && i < 10000; i++)
        zero = a[i] == 0;
    CHECK(zero, "MAP_ANONYMOUS: zeroed, page-aligned");
    CHECK(libc_munmap(a + 4096, 4096) == -1 && libc_munmap(a, 10000) == 0, "munmap of part fails, of all works");

    /* scandir */
    struct ldirent **list;
    int k = libc_scandir("/www", &list, NULL, libc_alphasort);
    CHECK(k == 4 && !strcmp(list[0]->d_name, "a.css") && !strcmp(list[1]->d_name, "img") &&
          !strcmp(list[3]->d_name, "z"), "scandir + alphasort (%d)", k);
    while (k > 0)
        free(list[--k]);
    free(list);
    k = libc_scandir("/www", &list, no_dirs, NULL);
    CHECK(k == 3, "scandir with a filter (%d)", k);
    while (k > 0)
        free(list[--k]);
    free(list);
    CHECK(libc_scandir("/nope", &list, NULL, NULL) == -1 && libc_errno == ENOENT, "scandir missing");

    /* realpath */
    char rp[4096];
    CHECK(libc_realpath("/www//img/./../a.css", rp) && !strcmp(rp, "/www/a.css"), "realpath: \"%s\"", rp);
    CHECK(libc_realpath("/../..//www/", rp) && !strcmp(rp, "/www"), "realpath above /: \"%s\"", rp);
    CHECK(libc_realpath("www/img", rp) && !strcmp(rp, "/www/img"), "realpath relative to /: \"%s\"", rp);
    CHECK(libc_realpath("/", rp) && !strcmp(rp, "/"), "realpath /");
    CHECK(libc_realpath("/www/nope", rp) == NULL && libc_errno == ENOENT, "realpath missing: ENOENT");
    char *ra = libc_realpath("/etc/./motd", NULL);
    CHECK(ra && !strcmp(ra, "/etc/motd"), "realpath allocating");
    free(ra);

    /* the environment */
    CHECK(libc_getenv("HOME") == NULL && libc_environ[0] == NULL, "the environment starts empty");
    CHECK(libc_setenv("HOME", "/www", 0) == 0 && !strcmp(libc_getenv("HOME"), "/www"), "setenv");
    CHECK(libc_setenv("HOME", "/etc", 0) == 0 && !strcmp(libc_getenv("HOME"), "/www"), "setenv without overwrite");
    CHECK(libc_setenv("HOME", "/etc", 1) == 0 && !strcmp(libc_getenv("HOME"), "/etc"), "setenv overwrite");
    char entry[] = "LANG=C";
    CHECK(libc_putenv(entry) == 0 && !strcmp(libc_getenv("LANG"), "C") && libc_getenv("LAN") == NULL, "putenv");
    entry[5] = 'X';
    CHECK(!strcmp(libc_getenv("LANG"), "X"), "putenv's string is the entry");
    CHECK(libc_environ[0] && libc_environ[1] && !libc_environ[2], "environ lists both");
    CHECK(libc_setenv("A=B", "x", 1) == -1 && libc_errno == EINVAL && libc_setenv("", "x", 1) == -1, "bad names");
    CHECK(libc_unsetenv("HOME") == 0 && libc_getenv("HOME") == NULL && !strcmp(libc_getenv("LANG"), "X"), "unsetenv");
    CHECK(libc_clearenv() == 0 && libc_getenv("LANG") == NULL && libc_environ[0] == NULL, "clearenv");

    /* uname, gettimeofday, ctime_r */
    struct utsname u;
    CHECK(libc_uname(&u) == 0 && !strcmp(u.sysname, "Anunix") && !strcmp(u.nodename, "anunix"), "uname");
#ifdef __x86_64__
    CHECK(!strcmp(u.machine, "x86_64"), "uname machine: %s", u.machine);
#endif
    struct timeval tv, tv2, sum, diff;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    CHECK(libc_gettimeofday(&tv, NULL) == 0 && tv.tv_usec >= 0 && tv.tv_usec < 1000000, "gettimeofday");
    CHECK(tv.tv_sec == ts.tv_sec || tv.tv_sec == ts.tv_sec + 1, "gettimeofday is the wall clock");
    tv = (struct timeval){5, 700000};
    tv2 = (struct timeval){1, 400000};
    timeradd(&tv, &tv2, &sum);
    timersub(&tv2, &tv, &diff);
    CHECK(sum.tv_sec == 7 && sum.tv_usec == 100000 && diff.tv_sec == -5 && diff.tv_usec == 700000, "timeradd/sub");
    CHECK(timercmp(&tv2, &tv, <) && !timercmp(&tv, &tv2, <) && timerisset(&tv), "timercmp");
    time_t samples[] = {0, 1e9, 1700000000, 86399, 951782400, 4102444800};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char mine[26], theirs[26];
        CHECK(libc_ctime_r(&samples[i], mine) && ctime_r(&samples[i], theirs) && !strcmp(mine, theirs),
              "ctime_r(%lld): \"%s\" vs \"%s\"", (long long)samples[i], mine, theirs);
        struct tm tm;
        gmtime_r(&samples[i], &tm);
        CHECK(!strcmp(libc_asctime_r(&tm, mine), asctime_r(&tm, theirs)), "asctime_r");
    }

    /* pwrite into a memory stream's descriptor */
    char mem[8] = "abcdefg";
    LFILE *mf = libc_fmemopen(mem, sizeof mem, "r+");
    int mfd = libc_fileno(mf);
    CHECK(libc_pwrite(mfd, "XY", 2, 3) == 2 && !memcmp(mem, "abcXYfg", 7) && libc_lseek(mfd, 0, SEEK_CUR) == 0,
          "pwrite into fmemopen's buffer: \"%s\"", mem);
    CHECK(libc_pwrite(mfd, "XY", 2, 8) == -1 && libc_errno == ENOSPC, "pwrite past the buffer: ENOSPC");
    CHECK(libc_write(mfd, "Q", 1) == 1 && mem[0] == 'Q', "write to a memory stream's descriptor");
    libc_fclose(mf);

    /* setlocale: the C locale under every name for it */
    CHECK(!strcmp(libc_setlocale(LC_ALL, ""), "C") && !strcmp(libc_setlocale(LC_ALL, "C"), "C") &&
          !strcmp(libc_setlocale(LC_CTYPE, NULL), "C") && !strcmp(libc_setlocale(LC_NUMERIC, "POSIX"), "C"),
          "setlocale C");
    CHECK(libc_setlocale(LC_ALL, "en_US.UTF-8") == NULL, "setlocale of a locale an image lacks: NULL");

    /* signal and raise */
    CHECK(libc_signal(SIGTERM, on_signal) == SIG_DFL, "signal returns the previous handler");
    CHECK(libc_raise(SIGTERM) == 0 && got_signal == SIGTERM, "raise calls the handler");
    CHECK(libc_signal(SIGTERM, SIG_IGN) == on_signal && libc_raise(SIGTERM) == 0, "SIG_IGN");
    CHECK(libc_signal(SIGKILL, on_signal) == SIG_ERR && libc_errno == EINVAL, "SIGKILL cannot be caught");
    CHECK(libc_raise(SIGCHLD) == 0, "SIGCHLD's default: ignored");
    return t_done();
}
