/*
 * <errno.h>: errno and the error numbers ported code tests for, with
 * Linux's values. errno is one global: threads are cooperative on one CPU,
 * so it is only overwritten when the caller yields between the failing
 * call and reading errno (none of this library's functions yield).
 * Missing: most of POSIX's codes (added as ported code needs them).
 */
#ifndef LIBC_ERRNO_H
#define LIBC_ERRNO_H

extern int libc_errno;
#define errno libc_errno

#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define EBADF 9
#define EAGAIN 11
#define EWOULDBLOCK EAGAIN
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define EDOM 33
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define EILSEQ 84
#define ENOTSUP 95
#define EOPNOTSUPP ENOTSUP
#define EOVERFLOW 75
#define EAFNOSUPPORT 97
#define ETIMEDOUT 110

#endif
