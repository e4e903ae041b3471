/*
 * The FILE structure, shared by the stdio files and dirent.c.
 */
#ifndef LIBC_STDIO_IMPL_H
#define LIBC_STDIO_IMPL_H

#include <stdio.h>

struct anx_file;

/* LIBC_FILE_DIR: a folder opened by open() or dirfd(); its path (with a
 * trailing '/') is in own. */
enum { LIBC_FILE_ARCHIVE, LIBC_FILE_MEM, LIBC_FILE_CONSOLE, LIBC_FILE_EMPTY, LIBC_FILE_DIR };

struct libc_file {
    int kind;
    int fd;                            /* one descriptor naming it (-1: none) */
    int refs;                          /* descriptors naming it (dup): freed at 0 */
    const unsigned char *data;         /* the bytes read (archive or memory) */
    unsigned char *wbuf;               /* memory streams: the same bytes, writable */
    void *own;                         /* fmemopen(NULL, ...): the buffer to free */
    size_t pos, end, cap;              /* position, logical size, buffer size */
    int unget;                         /* pushed-back byte, or -1 */
    unsigned readable : 1, writable : 1, append : 1, eof : 1, err : 1;
};

/* stdio_file.c: the descriptor table (FOPEN_MAX entries; 0..2 are the
 * standard streams). libc_fd_file: the stream of fd, or NULL.
 * libc_fd_install: a new descriptor for f (-1, EMFILE, when full);
 * libc_fd_install_at: descriptor fd (free, 3..FOPEN_MAX-1) for f.
 * libc_fd_close: forget fd, freeing its stream when no other names it.
 * libc_fd_open_dir: a new descriptor for the folder prefix (ends in '/'). */
FILE *libc_fd_file(int fd);
int libc_fd_install(FILE *f);
int libc_fd_install_at(FILE *f, int fd);
int libc_fd_close(int fd);
int libc_fd_open_dir(const char *prefix);
void libc_file_release(FILE *f);
/* archive.c: the image's files archive (<anx/files.h>'s lookup, count,
 * at). */
int libc_file_lookup(const char *path, struct anx_file *out);
size_t libc_file_count(void);
int libc_file_at(size_t i, struct anx_file *out);
/* dirent.c: whether path names a folder of the archive (a prefix). */
int libc_path_is_dir(const char *path);
/* dirent.c: path relative to the folder descriptor dirfd (AT_FDCWD and
 * absolute paths unchanged), in buf; NULL with errno set. */
const char *libc_at_path(int dirfd, const char *path, char *buf, size_t n);

#endif
