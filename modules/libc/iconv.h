/*
 * <iconv.h> (iconv.c, iconv_names.c): conversion between UTF-8,
 * ISO-8859-1, US-ASCII, WINDOWS-1252, UTF-16, UTF-16LE/BE, UCS-2(LE/BE),
 * UTF-32, UTF-32LE/BE and UCS-4(LE/BE), by glibc's names and common
 * aliases, case-insensitively ("utf8", "latin1", "CP1252", "UCS-4" ...).
 * Unmarked UTF-16/UTF-32 read a byte-order mark if there is one (little
 * endian otherwise, as glibc on these machines) and write one before the
 * first character; UCS-2 is little endian, UCS-4 big endian, both
 * unmarked, as glibc. "//TRANSLIT" writes glibc's C-locale
 * transliterations for the common blocks (iconv_translit.c: EUR, quotes,
 * dashes, "...", ligatures, fractions, accented Latin letters ...) and
 * '?' for anything else, counted in the return value; "//IGNORE" skips what
 * cannot be read or written and, as glibc, still ends with -1/EILSEQ
 * after converting the rest; "//TRANSLIT//IGNORE" and
 * "//TRANSLIT,IGNORE" combine them. Errors as POSIX: EILSEQ (invalid
 * input, or a character the target cannot hold), EINVAL (incomplete
 * input at the end of the buffer), E2BIG (no room): *inbuf then points
 * at the character not converted, so a call can resume. iconv_open of an
 * unknown name fails with EINVAL. Code points are Unicode's (up to
 * 0x10FFFF, no surrogates), so these differ from glibc, which is laxer:
 * UTF-8 lead bytes f4 90.. to fd (values past 0x10FFFF, the old 5- and
 * 6-byte forms) are EILSEQ here, as are surrogates read from UCS-2 and
 * 31-bit values read from UCS-4.
 * Missing versus glibc: every other charset (ISO-8859-2.., KOI8, the
 * CJK encodings, UTF-7), locale-dependent transliteration.
 */
#ifndef LIBC_ICONV_H
#define LIBC_ICONV_H

#include <stddef.h>
#include "libc_defs.h"

typedef struct libc_iconv *iconv_t;

iconv_t iconv_open(const char *tocode, const char *fromcode) LIBC_SYM(iconv_open);
size_t iconv(iconv_t cd, char **restrict inbuf, size_t *restrict inleft, char **restrict outbuf,
             size_t *restrict outleft) LIBC_SYM(iconv);
int iconv_close(iconv_t cd) LIBC_SYM(iconv_close);

#endif
