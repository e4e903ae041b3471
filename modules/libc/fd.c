/*
 * File descriptors (<unistd.h>, <fcntl.h>) over the streams of
 * stdio_file.c: a descriptor names a FILE, so open() is fopen() (the same
 * archive lookup) and read() is fread(). Writing goes only to the console
 * (1, 2) and to fmemopen streams; the archive is read-only.
 */
#include <anx/console.h>
#include <anx/files.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stdio_impl.h"

static int exists(const char *path, int *is_dir)
{
    struct anx_file af;
    *is_dir = 0;
    if (libc_file_lookup(path, &af) == 0)
        return 1;
    *is_dir = libc_path_is_dir(path);
    return *is_dir;
}

int open(const char *path, int flags, ...)
{
    int is_dir, found = exists(path, &is_dir);
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND))) {
        if (found && (flags & O_CREAT) && (flags & O_EXCL))
            errno = EEXIST;
        else if (!found && !(flags & O_CREAT))
            errno = ENOENT;
        else
            errno = is_dir ? EISDIR : EROFS;
        return -1;
    }
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    if (is_dir) {
        char prefix[PATH_MAX + 1];
        size_t l = strlen(path);
        while (l > 1 && path[l - 1] == '/')
            l--;
        if (l + 2 > sizeof prefix) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(prefix, path, l);
        prefix[l] = 0;
        if (strcmp(prefix, "/"))
            strcat(prefix, "/");
        return libc_fd_open_dir(prefix);
    }
    if (flags & O_DIRECTORY) {
        errno = ENOTDIR;
        return -1;
    }
    FILE *f = fopen(path, "r");
    return f ? fileno(f) : -1;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    char buf[PATH_MAX];
    const char *p = libc_at_path(dirfd, path, buf, sizeof buf);
    return p ? open(p, flags) : -1;
}

int fcntl(int fd, int cmd, ...)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    switch (cmd) {
    case F_GETFD:
    case F_SETFD:
        return 0;
    case F_GETFL:
        return f->readable && f->writable ? O_RDWR : f->writable ? O_WRONLY : O_RDONLY;
    default:
        errno = EINVAL;
        return -1;
    }
}

/* The stream of fd, or NULL with EBADF (EISDIR for a folder). */
static FILE *stream(int fd)
{
    FILE *f = libc_fd_file(fd);
    if (!f)
        errno = EBADF;
    else if (f->kind == LIBC_FILE_DIR) {
        errno = EISDIR;
        f = NULL;
    }
    return f;
}

ssize_t read(int fd, void *buf, size_t n)
{
    FILE *f = stream(fd);
    if (!f)
        return -1;
    if (!f->readable) {
        errno = EBADF;
        return -1;
    }
    return (ssize_t)fread(buf, 1, n, f);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    FILE *f = stream(fd);
    if (!f)
        return -1;
    if (!f->writable) {
        errno = EBADF;                 /* open() only ever opens for reading */
        return -1;
    }
    size_t k = fwrite(buf, 1, n, f);
    return k || !n ? (ssize_t)k : -1;
}

/* The bytes of an archive or memory stream at off, the position unchanged. */
ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    FILE *f = stream(fd);
    if (!f)
        return -1;
    if (!f->readable) {
        errno = EBADF;
        return -1;
    }
    if (f->kind == LIBC_FILE_CONSOLE || f->kind == LIBC_FILE_EMPTY) {
        errno = ESPIPE;
        return -1;
    }
    if (off < 0) {
        errno = EINVAL;
        return -1;
    }
    size_t avail = (size_t)off < f->end ? f->end - (size_t)off : 0;
    size_t k = n < avail ? n : avail;
    memcpy(buf, f->data + off, k);
    return (ssize_t)k;
}

/* Only memory streams (fmemopen) take writes at an offset: up to the
 * buffer's size, the position unchanged. */
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    FILE *f = stream(fd);
    if (!f)
        return -1;
    if (f->kind == LIBC_FILE_CONSOLE || f->kind == LIBC_FILE_EMPTY) {
        errno = ESPIPE;
        return -1;
    }
    if (!f->writable) {
        errno = f->kind == LIBC_FILE_ARCHIVE ? EROFS : EBADF;
        return -1;
    }
    if (off < 0) {
        errno = EINVAL;
        return -1;
    }
    size_t room = (size_t)off < f->cap ? f->cap - (size_t)off : 0;
    size_t k = n < room ? n : room;
    if (!k && n) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(f->wbuf + off, buf, k);
    if ((size_t)off + k > f->end)
        f->end = (size_t)off + k;
    return (ssize_t)k;
}

int close(int fd) { return libc_fd_close(fd); }

off_t lseek(int fd, off_t off, int whence)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    if (f->kind == LIBC_FILE_DIR) {    /* a folder has no bytes: only 0 is a position */
        if (whence != SEEK_SET || off != 0) {
            errno = EINVAL;
            return -1;
        }
        return 0;
    }
    return fseek(f, off, whence) == 0 ? (off_t)ftell(f) : -1;
}

int dup(int fd)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    return libc_fd_install(f);
}

/* to must be free or closable (3 .. FOPEN_MAX-1): the standard streams
 * are not replaced (EBUSY). */
int dup2(int fd, int to)
{
    FILE *f = libc_fd_file(fd);
    if (!f || to < 0 || to >= FOPEN_MAX) {
        errno = EBADF;
        return -1;
    }
    if (fd == to)
        return to;
    if (to < 3) {
        errno = EBUSY;
        return -1;
    }
    if (libc_fd_file(to))
        libc_fd_close(to);
    return libc_fd_install_at(f, to);
}

int access(const char *path, int mode)
{
    int is_dir;
    if (!exists(path, &is_dir)) {
        errno = ENOENT;
        return -1;
    }
    if (mode & W_OK) {
        errno = EROFS;
        return -1;
    }
    if ((mode & X_OK) && !is_dir) {    /* folders are searchable; files are not programs */
        errno = EACCES;
        return -1;
    }
    return 0;
}

int unlink(const char *path)
{
    int is_dir;
    errno = !exists(path, &is_dir) ? ENOENT : is_dir ? EISDIR : EROFS;
    return -1;
}

int rmdir(const char *path)
{
    int is_dir;
    errno = !exists(path, &is_dir) ? ENOENT : is_dir ? EROFS : ENOTDIR;
    return -1;
}

int unlinkat(int dirfd, const char *path, int flags)
{
    char buf[PATH_MAX];
    const char *p = libc_at_path(dirfd, path, buf, sizeof buf);
    if (!p)
        return -1;
    return flags & AT_REMOVEDIR ? rmdir(p) : unlink(p);
}

char *getcwd(char *buf, size_t size)
{
    if (!buf) {                        /* glibc's extension: a buffer of its own */
        buf = malloc(size > 2 ? size : 2);
        if (!buf) {
            errno = ENOMEM;
            return NULL;
        }
        size = size > 2 ? size : 2;
    }
    if (size < 2) {
        errno = size ? ERANGE : EINVAL;
        return NULL;
    }
    return strcpy(buf, "/");
}

int isatty(int fd)
{
    FILE *f = libc_fd_file(fd);
    if (f && fd <= 2)
        return 1;
    errno = f ? ENOTTY : EBADF;
    return 0;
}

pid_t getpid(void) { return 1; }

int getpagesize(void) { return 4096; }

long sysconf(int name)
{
    switch (name) {
    case _SC_PAGESIZE:
        return 4096;
    case _SC_CLK_TCK:
        return 100;
    case _SC_OPEN_MAX:
        return FOPEN_MAX;
    case _SC_NPROCESSORS_CONF:
    case _SC_NPROCESSORS_ONLN:
        return 1;                      /* threads are cooperative on one CPU */
    default:
        errno = EINVAL;
        return -1;
    }
}
