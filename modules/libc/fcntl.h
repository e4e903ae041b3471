/*
 * <fcntl.h> for ported code (fd.c): open a file or folder of the image's
 * read-only files archive. Only reading: O_RDONLY, with O_DIRECTORY,
 * O_CLOEXEC, O_NONBLOCK, O_NOCTTY, O_LARGEFILE, O_NOFOLLOW accepted
 * (there is nothing to exec, block on or follow). Asking to write
 * (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND) fails with EROFS
 * (ENOENT when the path is absent and O_CREAT is not given, EEXIST for
 * O_CREAT|O_EXCL of an existing path). Flag values are Linux's.
 * fcntl knows F_GETFD/F_SETFD (FD_CLOEXEC is recorded nowhere: there is
 * no exec) and F_GETFL. Missing versus POSIX: locks (F_SETLK ...),
 * F_DUPFD, posix_fadvise, creat.
 */
#ifndef LIBC_FCNTL_H
#define LIBC_FCNTL_H

#include "libc_defs.h"
#include "sys/types.h"

#define O_ACCMODE 03
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_LARGEFILE 0
#if defined(__aarch64__)
#define O_DIRECTORY 040000
#define O_NOFOLLOW 0100000
#else
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#endif
#define O_CLOEXEC 02000000
#define O_BINARY 0

#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define FD_CLOEXEC 1

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EMPTY_PATH 0x1000

int open(const char *path, int flags, ...) LIBC_SYM(open);
int openat(int dirfd, const char *path, int flags, ...) LIBC_SYM(openat);
int fcntl(int fd, int cmd, ...) LIBC_SYM(fcntl);

#endif
