/*
 * FILE streams (<stdio.h>): files of the image's archive (read-only),
 * memory streams (fmemopen), the console (stdout, stderr) and an empty
 * stdin. A stream is a byte array with a position, so reading, seeking
 * and ungetc are the same code for the archive and memory; console
 * streams only write. File descriptors exist for fileno/fstat: 0..2 are
 * the standard streams, 3.. index the open streams.
 */
#include <anx/console.h>
#include <anx/files.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stdio_impl.h"

static FILE std_in = {.kind = LIBC_FILE_EMPTY, .readable = 1, .unget = -1, .fd = 0};
static FILE std_out = {.kind = LIBC_FILE_CONSOLE, .writable = 1, .unget = -1, .fd = 1};
static FILE std_err = {.kind = LIBC_FILE_CONSOLE, .writable = 1, .unget = -1, .fd = 2};
FILE *libc_stdin = &std_in, *libc_stdout = &std_out, *libc_stderr = &std_err;

/* The descriptor table: fds[i] is the stream descriptor i names. dup
 * makes two descriptors name one stream (one offset, as POSIX's dup
 * shares the open file description); the stream counts them in refs. */
static FILE *fds[FOPEN_MAX];

int libc_fd_install(FILE *f)
{
    for (int i = 3; i < FOPEN_MAX; i++)
        if (!fds[i]) {
            fds[i] = f;
            f->refs++;
            if (f->fd < 0)
                f->fd = i;
            return i;
        }
    errno = EMFILE;
    return -1;
}

int libc_fd_install_at(FILE *f, int fd)
{
    if (fd < 3 || fd >= FOPEN_MAX || fds[fd]) {
        errno = EBADF;
        return -1;
    }
    fds[fd] = f;
    f->refs++;
    if (f->fd < 0)
        f->fd = fd;
    return fd;
}

FILE *libc_fd_file(int fd)
{
    if (fd == 0) return &std_in;
    if (fd == 1) return &std_out;
    if (fd == 2) return &std_err;
    return fd > 2 && fd < FOPEN_MAX ? fds[fd] : NULL;
}

static int is_std(FILE *f) { return f == &std_in || f == &std_out || f == &std_err; }

/* The standard streams stay open: closing 0..2 succeeds and changes
 * nothing (the console is the machine's, not the program's). */
int libc_fd_close(int fd)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    if (is_std(f))
        return 0;
    fds[fd] = NULL;
    if (--f->refs > 0) {
        if (f->fd == fd)               /* keep naming it by a descriptor still open */
            for (int i = 3; i < FOPEN_MAX; i++)
                if (fds[i] == f)
                    f->fd = i;
        return 0;
    }
    free(f->own);
    free(f);
    return 0;
}

static FILE *new_file(void)
{
    FILE *f = calloc(1, sizeof *f);
    if (!f) {
        errno = ENOMEM;
        return NULL;
    }
    f->unget = -1;
    f->fd = -1;
    if (libc_fd_install(f) < 0) {
        free(f);
        return NULL;
    }
    return f;
}

int libc_fd_open_dir(const char *prefix)
{
    char *path = strdup(prefix);
    FILE *f = path ? new_file() : NULL;
    if (!f) {
        free(path);
        errno = path ? errno : ENOMEM;
        return -1;
    }
    f->kind = LIBC_FILE_DIR;
    f->own = path;
    return f->fd;
}

FILE *fopen(const char *path, const char *mode)
{
    struct anx_file af;
    int found = libc_file_lookup(path, &af) == 0;
    if (mode[0] != 'r' || strchr(mode, '+')) {
        errno = found || !libc_path_is_dir(path) ? EROFS : EISDIR;
        return NULL;
    }
    if (!found) {
        errno = libc_path_is_dir(path) ? EISDIR : ENOENT;
        return NULL;
    }
    FILE *f = new_file();
    if (!f)
        return NULL;
    f->kind = LIBC_FILE_ARCHIVE;
    f->data = af.data;
    f->end = af.size;
    f->readable = 1;
    return f;
}

FILE *fmemopen(void *buf, size_t size, const char *mode)
{
    int plus = strchr(mode, '+') != NULL;
    if (!size || (mode[0] != 'r' && mode[0] != 'w' && mode[0] != 'a')) {
        errno = EINVAL;
        return NULL;
    }
    FILE *f = new_file();
    if (!f)
        return NULL;
    if (!buf) {                        /* the stream's own buffer (only useful with '+') */
        buf = calloc(1, size);
        if (!buf) {
            libc_file_release(f);
            errno = ENOMEM;
            return NULL;
        }
        f->own = buf;
    }
    f->kind = LIBC_FILE_MEM;
    f->data = buf;
    f->wbuf = buf;
    f->cap = size;
    f->readable = mode[0] == 'r' || plus;
    f->writable = mode[0] != 'r' || plus;
    if (mode[0] == 'r') {
        f->end = size;
    } else if (mode[0] == 'w') {
        f->end = 0;
        f->wbuf[0] = 0;
    } else {
        f->end = strnlen(buf, size);
        f->pos = f->end;
        f->append = 1;
    }
    return f;
}

void libc_file_release(FILE *f)
{
    libc_fd_close(f->fd);
}

/* Closes the descriptor the stream was opened (or fdopen'd) with; a
 * dup of it keeps the stream. The standard streams stay usable. */
int fclose(FILE *f)
{
    return is_std(f) ? 0 : libc_fd_close(f->fd);
}

/* The stream of an open descriptor (the same object: fclose closes fd).
 * The mode must agree with how fd was opened: EINVAL otherwise. */
FILE *fdopen(int fd, const char *mode)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return NULL;
    }
    int wants_write = mode[0] != 'r' || strchr(mode, '+');
    int wants_read = mode[0] == 'r' || strchr(mode, '+');
    if ((mode[0] != 'r' && mode[0] != 'w' && mode[0] != 'a') || f->kind == LIBC_FILE_DIR ||
        (wants_write && !f->writable) || (wants_read && !f->readable)) {
        errno = EINVAL;
        return NULL;
    }
    return f;
}

size_t fread(void *p, size_t size, size_t n, FILE *f)
{
    if (!size || !n)
        return 0;
    if (!f->readable) {
        f->err = 1;
        errno = EBADF;
        return 0;
    }
    size_t want = size * n, got = 0;
    unsigned char *out = p;
    if (f->unget >= 0 && want) {
        out[got++] = (unsigned char)f->unget;
        f->unget = -1;
    }
    size_t avail = f->pos < f->end ? f->end - f->pos : 0;
    size_t k = want - got < avail ? want - got : avail;
    if (k)
        memcpy(out + got, f->data + f->pos, k);
    f->pos += k;
    got += k;
    if (got < want)
        f->eof = 1;
    return got / size;
}

int fgetc(FILE *f)
{
    unsigned char c;
    return fread(&c, 1, 1, f) == 1 ? c : EOF;
}

int getc(FILE *f) { return fgetc(f); }
int getchar(void) { return fgetc(stdin); }

/* One byte of push-back, as C guarantees; it clears end of file. */
int ungetc(int c, FILE *f)
{
    if (c == EOF || f->unget >= 0 || !f->readable)
        return EOF;
    f->unget = (unsigned char)c;
    f->eof = 0;
    return (unsigned char)c;
}

char *fgets(char *s, int n, FILE *f)
{
    int i = 0;
    if (n <= 0)
        return NULL;
    while (i < n - 1) {
        int c = fgetc(f);
        if (c == EOF)
            break;
        s[i++] = (char)c;
        if (c == '\n')
            break;
    }
    if (!i)
        return NULL;
    s[i] = 0;
    return s;
}

ssize_t getline(char **line, size_t *cap, FILE *f)
{
    size_t len = 0;
    for (;;) {
        int c = fgetc(f);
        if (c == EOF && !len)
            return -1;
        if (len + 2 > *cap || !*line) {
            size_t nc = *cap < 64 ? 128 : *cap * 2;
            char *p = realloc(*line, nc);
            if (!p) {
                errno = ENOMEM;
                f->err = 1;
                return -1;
            }
            *line = p;
            *cap = nc;
        }
        if (c == EOF)
            break;
        (*line)[len++] = (char)c;
        if (c == '\n')
            break;
    }
    (*line)[len] = 0;
    return (ssize_t)len;
}

size_t fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    size_t want = size * n;
    if (!want)
        return 0;
    if (!f->writable) {
        f->err = 1;
        errno = EBADF;
        return 0;
    }
    if (f->kind == LIBC_FILE_CONSOLE) {
        anx_console_write(p, want);
        return n;
    }
    /* memory: up to the buffer's size, NUL after the data when there is room */
    if (f->append)
        f->pos = f->end;
    size_t room = f->pos < f->cap ? f->cap - f->pos : 0;
    size_t k = want < room ? want : room;
    memcpy(f->wbuf + f->pos, p, k);
    f->pos += k;
    if (f->pos > f->end)
        f->end = f->pos;
    if (f->end < f->cap)
        f->wbuf[f->end] = 0;
    if (k < want) {
        f->err = 1;
        errno = ENOSPC;
    }
    return k / size;
}

int fputc(int c, FILE *f)
{
    unsigned char b = (unsigned char)c;
    return fwrite(&b, 1, 1, f) == 1 ? b : EOF;
}

int putc(int c, FILE *f) { return fputc(c, f); }
int putchar(int c) { return fputc(c, stdout); }

int fputs(const char *s, FILE *f)
{
    size_t l = strlen(s);
    return fwrite(s, 1, l, f) == l ? 0 : EOF;
}

int puts(const char *s)
{
    return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

int feof(FILE *f) { return f->eof; }
int ferror(FILE *f) { return f->err; }
void clearerr(FILE *f) { f->eof = f->err = 0; }

int fseek(FILE *f, long off, int whence)
{
    if (f->kind == LIBC_FILE_CONSOLE || f->kind == LIBC_FILE_EMPTY) {
        errno = ESPIPE;
        return -1;
    }
    long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->pos - (f->unget >= 0)
              : whence == SEEK_END ? (long)f->end : -1;
    if (base < 0 || (off < 0 && -off > base)) {
        errno = EINVAL;
        return -1;
    }
    size_t pos = (size_t)(base + off);
    if (f->kind == LIBC_FILE_MEM && pos > f->cap) {
        errno = EINVAL;
        return -1;
    }
    f->pos = pos;
    f->unget = -1;
    f->eof = 0;
    return 0;
}

long ftell(FILE *f)
{
    if (f->kind == LIBC_FILE_CONSOLE || f->kind == LIBC_FILE_EMPTY) {
        errno = ESPIPE;
        return -1;
    }
    return (long)f->pos - (f->unget >= 0);
}

void rewind(FILE *f)
{
    fseek(f, 0, SEEK_SET);
    f->err = 0;
}

int fgetpos(FILE *f, fpos_t *pos)
{
    long p = ftell(f);
    if (p < 0)
        return -1;
    *pos = p;
    return 0;
}

int fsetpos(FILE *f, const fpos_t *pos) { return fseek(f, *pos, SEEK_SET); }
/* Nothing is buffered: every write has already happened. */
int fflush(FILE *f) { (void)f; return 0; }

int setvbuf(FILE *f, char *buf, int mode, size_t size)
{
    (void)f; (void)buf; (void)size;
    return mode == _IOFBF || mode == _IOLBF || mode == _IONBF ? 0 : -1;
}

/* Nothing is buffered, so a buffer is never needed. */
void setbuf(FILE *f, char *buf) { setvbuf(f, buf, buf ? _IOFBF : _IONBF, BUFSIZ); }

int fileno(FILE *f) { return f->fd; }

int remove(const char *path)
{
    errno = libc_file_lookup(path, &(struct anx_file){0}) == 0 || libc_path_is_dir(path) ? EROFS : ENOENT;
    return -1;
}

int rename(const char *from, const char *to)
{
    (void)to;
    return remove(from);
}

void perror(const char *s)
{
    const char *e = strerror(errno);
    if (s && *s) {
        fputs(s, stderr);
        fputs(": ", stderr);
    }
    fputs(e, stderr);
    fputc('\n', stderr);
}
