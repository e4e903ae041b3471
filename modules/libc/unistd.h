/*
 * <unistd.h> for ported code (fd.c, getopt.c). Descriptors name streams
 * of <stdio.h> (one table of FOPEN_MAX = 64 entries shared with fopen):
 * 0 is an stdin that is always at end of file, 1 and 2 write to the
 * console, open() (<fcntl.h>) gives 3.. for files and folders of the
 * files archive. The archive is read-only: pwrite of an archive file,
 * unlink, rmdir fail with EROFS (ENOENT when the path is absent), write
 * to a descriptor open() gave with EBADF (it is open for reading);
 * write/pwrite work on 1 and 2 (the console; pwrite: ESPIPE) and on
 * fmemopen streams' descriptors. getcwd is "/" (there is no chdir;
 * relative paths are not resolved: stat and open find only absolute
 * ones). getpid is 1: the image is the one process.
 * Missing versus POSIX: fork/exec*, pipe, chdir, links (link, symlink,
 * readlink), ownership (chown, getuid are absent), sleep/usleep (the core
 * has anx_sleep_ns), truncate, fsync, ttyname.
 */
#ifndef LIBC_UNISTD_H
#define LIBC_UNISTD_H

#include <stddef.h>
#include "libc_defs.h"
#include "sys/types.h"

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#define _SC_CLK_TCK 2
#define _SC_OPEN_MAX 4
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE
#define _SC_NPROCESSORS_CONF 83
#define _SC_NPROCESSORS_ONLN 84

ssize_t read(int fd, void *buf, size_t n) LIBC_SYM(read);
ssize_t write(int fd, const void *buf, size_t n) LIBC_SYM(write);
ssize_t pread(int fd, void *buf, size_t n, off_t off) LIBC_SYM(pread);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) LIBC_SYM(pwrite);
int close(int fd) LIBC_SYM(close);
off_t lseek(int fd, off_t off, int whence) LIBC_SYM(lseek);
int dup(int fd) LIBC_SYM(dup);
int dup2(int fd, int to) LIBC_SYM(dup2);
int access(const char *path, int mode) LIBC_SYM(access);
int unlink(const char *path) LIBC_SYM(unlink);
int rmdir(const char *path) LIBC_SYM(rmdir);
int unlinkat(int dirfd, const char *path, int flags) LIBC_SYM(unlinkat);
char *getcwd(char *buf, size_t size) LIBC_SYM(getcwd);
int isatty(int fd) LIBC_SYM(isatty);
pid_t getpid(void) LIBC_SYM(getpid);
long sysconf(int name) LIBC_SYM(sysconf);
int getpagesize(void) LIBC_SYM(getpagesize);

/* env.c: the environment, "NAME=value" strings (<stdlib.h>'s setenv). */
extern char **environ LIBC_SYM(environ);

/* getopt.c: POSIX getopt (<getopt.h> adds getopt_long). */
extern char *optarg LIBC_SYM(optarg);
extern int optind LIBC_SYM(optind), opterr LIBC_SYM(opterr), optopt LIBC_SYM(optopt);
int getopt(int argc, char *const argv[], const char *opts) LIBC_SYM(getopt);

#endif
