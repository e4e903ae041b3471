/*
 * Between iconv.c (the conversion) and iconv_names.c (charset names).
 */
#ifndef LIBC_ICONV_IMPL_H
#define LIBC_ICONV_IMPL_H

/* byte encodings, then the units of 2 and 4 bytes */
enum { CS_UTF8, CS_LATIN1, CS_ASCII, CS_CP1252, CS_UTF16, CS_UCS2, CS_UTF32 };
/* byte order: none (bytes), read/write a mark (unmarked UTF-16/UTF-32), little, big */
enum { ORD_NONE, ORD_BOM, ORD_LE, ORD_BE };

struct libc_charset {
    int kind, order;
};

/* The charset named name (up to a "//" suffix), case-insensitive; 0, or
 * -1 when unknown. Sets *translit, *ignore from the suffixes. */
int libc_iconv_charset(const char *name, struct libc_charset *cs, int *translit, int *ignore);
/* glibc's transliteration of cp (ASCII text, possibly in buf), or NULL
 * when it has none here. */
const char *libc_iconv_translit(unsigned cp, char buf[2]);

#endif
