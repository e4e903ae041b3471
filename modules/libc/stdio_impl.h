/*
 * The FILE structure, shared by the stdio files and dirent.c.
 */
#ifndef LIBC_STDIO_IMPL_H
#define LIBC_STDIO_IMPL_H

#include <stdio.h>

struct anx_file;

enum { LIBC_FILE_ARCHIVE, LIBC_FILE_MEM, LIBC_FILE_CONSOLE, LIBC_FILE_EMPTY };

struct libc_file {
    int kind;
    int fd;
    const unsigned char *data;         /* the bytes read (archive or memory) */
    unsigned char *wbuf;               /* memory streams: the same bytes, writable */
    void *own;                         /* fmemopen(NULL, ...): the buffer to free */
    size_t pos, end, cap;              /* position, logical size, buffer size */
    int unget;                         /* pushed-back byte, or -1 */
    unsigned readable : 1, writable : 1, append : 1, eof : 1, err : 1;
};

FILE *libc_fd_file(int fd);
void libc_file_release(FILE *f);
/* archive.c: the image's files archive (<anx/files.h>'s lookup, count,
 * at). */
int libc_file_lookup(const char *path, struct anx_file *out);
size_t libc_file_count(void);
int libc_file_at(size_t i, struct anx_file *out);
/* dirent.c: whether path names a folder of the archive (a prefix). */
int libc_path_is_dir(const char *path);

#endif
