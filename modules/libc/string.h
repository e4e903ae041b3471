/*
 * <string.h> for ported code: the core's functions (core/lib/string.c,
 * strdup.c) plus strerror, strtok(_r), strpbrk, memrchr, strcasestr,
 * strsep, stpcpy, strcoll, strxfrm (string.c here). strcoll is strcmp:
 * the C locale is the only one.
 * Missing: strsignal, the _l (locale) variants.
 */
#ifndef LIBC_STRING_H
#define LIBC_STRING_H

#include <stddef.h>
#include "libc_defs.h"
#include "strings.h"

/* the core's */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
size_t strlcat(char *restrict dst, const char *restrict src, size_t size);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

/* this module's */
char *strcat(char *restrict dst, const char *restrict src) LIBC_SYM(strcat);
char *strncat(char *restrict dst, const char *restrict src, size_t n) LIBC_SYM(strncat);
char *strerror(int err) LIBC_SYM(strerror);
int strerror_r(int err, char *buf, size_t n) LIBC_SYM(strerror_r);
char *strtok(char *restrict s, const char *restrict sep) LIBC_SYM(strtok);
char *strtok_r(char *restrict s, const char *restrict sep, char **restrict save) LIBC_SYM(strtok_r);
char *strpbrk(const char *s, const char *accept) LIBC_SYM(strpbrk);
void *memrchr(const void *s, int c, size_t n) LIBC_SYM(memrchr);
/* A GNU extension, declared (as glibc does) only under _GNU_SOURCE: code
 * that brings its own strcasestr otherwise (NetSurf's utils.c) must not
 * have its definition bound to this one's symbol. */
#ifdef _GNU_SOURCE
char *strcasestr(const char *haystack, const char *needle) LIBC_SYM(strcasestr);
#endif
char *strsep(char **s, const char *sep) LIBC_SYM(strsep);
char *stpcpy(char *restrict dst, const char *restrict src) LIBC_SYM(stpcpy);
int strcoll(const char *a, const char *b) LIBC_SYM(strcoll);
size_t strxfrm(char *restrict dst, const char *restrict src, size_t n) LIBC_SYM(strxfrm);

#endif
