/*
 * <ctype.h>: the core's ASCII character classes (core/lib/ctype.c), plus
 * isgraph, isblank and isascii (XSI). The C locale is the only one, so ASCII is exactly
 * what C asks for; bytes >= 0x80 are in no class.
 */
#ifndef LIBC_CTYPE_H
#define LIBC_CTYPE_H

#include "libc_defs.h"

int isdigit(int c);
int isxdigit(int c);
int isalpha(int c);
int isalnum(int c);
int isupper(int c);
int islower(int c);
int isspace(int c);
int isprint(int c);
int iscntrl(int c);
int ispunct(int c);
int toupper(int c);
int tolower(int c);
int isgraph(int c) LIBC_SYM(isgraph);
int isblank(int c) LIBC_SYM(isblank);
int isascii(int c) LIBC_SYM(isascii);

#endif
