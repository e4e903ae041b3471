/*
 * <sys/stat.h>: stat/fstat over the image's files archive (dirent.c).
 * A path that is a file of the archive is a regular file (S_IFREG, its
 * size, mode 0444); a path that is a prefix of files followed by '/' (and
 * "/") is a directory (S_IFDIR, 0555). Paths are absolute: there is no
 * current folder, so a relative path is not found (ENOENT). Times are 0:
 * the archive records none. lstat is stat (no links); mkdir fails with
 * EROFS (EEXIST when the path exists). fstat of a descriptor from open()
 * (<fcntl.h>) describes its file or folder; fstatat resolves against a
 * folder descriptor. Missing: chmod, umask, utimes.
 */
#ifndef LIBC_SYS_STAT_H
#define LIBC_SYS_STAT_H

#include "../libc_defs.h"
#include "types.h"
#include "../time.h"

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000
#define S_IFLNK 0120000
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_IRUSR 0400
#define S_IWUSR 0200
#define S_IXUSR 0100
#define S_IRWXU 0700

struct stat {
    dev_t st_dev;
    ino_t st_ino;
    mode_t st_mode;
    nlink_t st_nlink;
    uid_t st_uid;
    gid_t st_gid;
    off_t st_size;
    blksize_t st_blksize;
    blkcnt_t st_blocks;
    struct timespec st_atim, st_mtim, st_ctim;
};
#define st_mtime st_mtim.tv_sec
#define st_atime st_atim.tv_sec
#define st_ctime st_ctim.tv_sec

int stat(const char *restrict path, struct stat *restrict st) LIBC_SYM(stat);
int lstat(const char *restrict path, struct stat *restrict st) LIBC_SYM(stat);
int fstat(int fd, struct stat *st) LIBC_SYM(fstat);
/* path relative to the folder descriptor dirfd (<fcntl.h>: AT_FDCWD,
 * AT_EMPTY_PATH). */
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags) LIBC_SYM(fstatat);
int mkdir(const char *path, mode_t mode) LIBC_SYM(mkdir);

#endif
