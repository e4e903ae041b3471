/*
 * <stdio.h> for ported code (stdio_file.c, stdio_mem.c, printf.c,
 * printf_float.c, scanf.c).
 *
 * Streams: fopen reads a file of the image's files archive (modes "r" and
 * "rb" only: the archive is read-only, any other mode fails with EROFS);
 * fmemopen reads or writes a caller's buffer; stdout and stderr write to
 * the console; stdin is a stream that is always at end of file (the
 * console belongs to the shell). Formatting is C11's, floating point
 * included (%f %e %g %a, correctly rounded); %n is supported, wide
 * characters (%lc %ls) are not.
 * snprintf/vsnprintf here are this module's (libc_snprintf): a file that
 * also includes <anx/printf.h> gets them for those names too (GCC takes
 * the assembler label of either declaration), a superset of the core's.
 * Missing versus C11/POSIX: writing files (no writable filesystem yet),
 * tmpfile/tmpnam, freopen, real buffering (setvbuf accepts the modes;
 * every write goes through at once), popen, wide-character I/O.
 */
#ifndef LIBC_STDIO_H
#define LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>
#include "libc_defs.h"
#include "sys/types.h"

typedef struct libc_file FILE;
typedef long fpos_t;

#define EOF (-1)
#define BUFSIZ 1024
#define FILENAME_MAX 4096
#define FOPEN_MAX 64                   /* streams and descriptors share one table of 64 */
#define L_tmpnam 20
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define _IOFBF 0
#define _IOLBF 1
#define _IONBF 2

extern FILE *libc_stdin, *libc_stdout, *libc_stderr;
#define stdin libc_stdin
#define stdout libc_stdout
#define stderr libc_stderr

FILE *fopen(const char *path, const char *mode) LIBC_SYM(fopen);
FILE *fmemopen(void *buf, size_t size, const char *mode) LIBC_SYM(fmemopen);
int fclose(FILE *f) LIBC_SYM(fclose);
size_t fread(void *p, size_t size, size_t n, FILE *f) LIBC_SYM(fread);
size_t fwrite(const void *p, size_t size, size_t n, FILE *f) LIBC_SYM(fwrite);
int fgetc(FILE *f) LIBC_SYM(fgetc);
int getc(FILE *f) LIBC_SYM(getc);
int getchar(void) LIBC_SYM(getchar);
int ungetc(int c, FILE *f) LIBC_SYM(ungetc);
char *fgets(char *s, int n, FILE *f) LIBC_SYM(fgets);
ssize_t getline(char **line, size_t *cap, FILE *f) LIBC_SYM(getline);
int fputc(int c, FILE *f) LIBC_SYM(fputc);
int putc(int c, FILE *f) LIBC_SYM(putc);
int putchar(int c) LIBC_SYM(putchar);
int fputs(const char *s, FILE *f) LIBC_SYM(fputs);
int puts(const char *s) LIBC_SYM(puts);
int feof(FILE *f) LIBC_SYM(feof);
int ferror(FILE *f) LIBC_SYM(ferror);
void clearerr(FILE *f) LIBC_SYM(clearerr);
int fseek(FILE *f, long off, int whence) LIBC_SYM(fseek);
long ftell(FILE *f) LIBC_SYM(ftell);
void rewind(FILE *f) LIBC_SYM(rewind);
int fgetpos(FILE *f, fpos_t *pos) LIBC_SYM(fgetpos);
int fsetpos(FILE *f, const fpos_t *pos) LIBC_SYM(fsetpos);
int fflush(FILE *f) LIBC_SYM(fflush);
int setvbuf(FILE *f, char *buf, int mode, size_t size) LIBC_SYM(setvbuf);
void setbuf(FILE *f, char *buf) LIBC_SYM(setbuf);
int fileno(FILE *f) LIBC_SYM(fileno);
/* The stream of a descriptor from open() (<fcntl.h>): the same object,
 * so fclose closes the descriptor. */
FILE *fdopen(int fd, const char *mode) LIBC_SYM(fdopen);
/* Always fail: the files archive is read-only (errno EROFS, or ENOENT
 * when the path is not there). */
int remove(const char *path) LIBC_SYM(remove);
int rename(const char *from, const char *to) LIBC_SYM(rename);
void perror(const char *s) LIBC_SYM(perror);

int printf(const char *fmt, ...) LIBC_SYM(printf) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *f, const char *fmt, ...) LIBC_SYM(fprintf) __attribute__((format(printf, 2, 3)));
int sprintf(char *buf, const char *fmt, ...) LIBC_SYM(sprintf) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t n, const char *fmt, ...) LIBC_SYM(snprintf)
    __attribute__((format(printf, 3, 4)));
int asprintf(char **out, const char *fmt, ...) LIBC_SYM(asprintf) __attribute__((format(printf, 2, 3)));
int vprintf(const char *fmt, va_list ap) LIBC_SYM(vprintf);
int vfprintf(FILE *f, const char *fmt, va_list ap) LIBC_SYM(vfprintf);
int vsprintf(char *buf, const char *fmt, va_list ap) LIBC_SYM(vsprintf);
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap) LIBC_SYM(vsnprintf);
int vasprintf(char **out, const char *fmt, va_list ap) LIBC_SYM(vasprintf);

int sscanf(const char *s, const char *fmt, ...) LIBC_SYM(sscanf) __attribute__((format(scanf, 2, 3)));
int vsscanf(const char *s, const char *fmt, va_list ap) LIBC_SYM(vsscanf);

#endif
