/*
 * <strings.h>: the core's case-insensitive compares (ASCII: the C locale).
 */
#ifndef LIBC_STRINGS_H
#define LIBC_STRINGS_H

#include <stddef.h>

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);

#endif
