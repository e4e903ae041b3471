/*
 * iconv's charset names: glibc's, with its common aliases.
 */
#include <string.h>
#include <strings.h>

#include "iconv_impl.h"

static const struct {
    const char *name;
    int kind, order;
} names[] = {
    {"UTF-8", CS_UTF8, 0}, {"UTF8", CS_UTF8, 0}, {"ISO-10646/UTF8", CS_UTF8, 0},
    {"ISO-8859-1", CS_LATIN1, 0}, {"ISO8859-1", CS_LATIN1, 0}, {"ISO_8859-1", CS_LATIN1, 0},
    {"ISO_8859-1:1987", CS_LATIN1, 0}, {"ISO88591", CS_LATIN1, 0}, {"LATIN1", CS_LATIN1, 0},
    {"L1", CS_LATIN1, 0}, {"ISO-IR-100", CS_LATIN1, 0}, {"CP819", CS_LATIN1, 0},
    {"IBM819", CS_LATIN1, 0}, {"CSISOLATIN1", CS_LATIN1, 0}, {"8859_1", CS_LATIN1, 0},
    {"ANSI_X3.4-1968", CS_ASCII, 0}, {"ANSI_X3.4-1986", CS_ASCII, 0}, {"ASCII", CS_ASCII, 0},
    {"US-ASCII", CS_ASCII, 0}, {"US", CS_ASCII, 0}, {"ISO646-US", CS_ASCII, 0},
    {"ISO_646.IRV:1991", CS_ASCII, 0}, {"ISO-IR-6", CS_ASCII, 0}, {"CP367", CS_ASCII, 0},
    {"IBM367", CS_ASCII, 0}, {"CSASCII", CS_ASCII, 0},
    {"", CS_ASCII, 0},                 /* the locale's charset: the C locale's */
    {"WINDOWS-1252", CS_CP1252, 0}, {"CP1252", CS_CP1252, 0}, {"MS-ANSI", CS_CP1252, 0},
    {"UTF-16", CS_UTF16, ORD_BOM}, {"UTF16", CS_UTF16, ORD_BOM},
    {"UTF-16LE", CS_UTF16, ORD_LE}, {"UTF16LE", CS_UTF16, ORD_LE},
    {"UTF-16BE", CS_UTF16, ORD_BE}, {"UTF16BE", CS_UTF16, ORD_BE},
    {"UCS-2", CS_UCS2, ORD_LE}, {"UCS2", CS_UCS2, ORD_LE}, {"ISO-10646-UCS-2", CS_UCS2, ORD_LE},
    {"CSUNICODE", CS_UCS2, ORD_LE}, {"UCS-2LE", CS_UCS2, ORD_LE}, {"UNICODELITTLE", CS_UCS2, ORD_LE},
    {"UCS-2BE", CS_UCS2, ORD_BE}, {"UNICODEBIG", CS_UCS2, ORD_BE},
    {"UTF-32", CS_UTF32, ORD_BOM}, {"UTF32", CS_UTF32, ORD_BOM},
    {"UTF-32LE", CS_UTF32, ORD_LE}, {"UTF32LE", CS_UTF32, ORD_LE},
    {"UTF-32BE", CS_UTF32, ORD_BE}, {"UTF32BE", CS_UTF32, ORD_BE},
    {"UCS-4", CS_UTF32, ORD_BE}, {"UCS4", CS_UTF32, ORD_BE}, {"UCS-4BE", CS_UTF32, ORD_BE},
    {"ISO-10646", CS_UTF32, ORD_BE}, {"ISO-10646/UCS4", CS_UTF32, ORD_BE}, {"CSUCS4", CS_UTF32, ORD_BE},
    {"UCS-4LE", CS_UTF32, ORD_LE}, {"WCHAR_T", CS_UTF32, ORD_LE},
};

/* The suffix words after "//", separated by '/' or ',' (glibc 2.32's
 * form "//TRANSLIT,IGNORE" and the older "//TRANSLIT//IGNORE"); words
 * other than these two are ignored, as glibc does. */
static void suffixes(const char *s, int *translit, int *ignore)
{
    while (*s) {
        size_t n = strcspn(s, "/,");
        if (n == 8 && !strncasecmp(s, "TRANSLIT", 8))
            *translit = 1;
        else if (n == 6 && !strncasecmp(s, "IGNORE", 6))
            *ignore = 1;
        s += n;
        s += strspn(s, "/,");
    }
}

int libc_iconv_charset(const char *name, struct libc_charset *cs, int *translit, int *ignore)
{
    const char *sl = strstr(name, "//");
    size_t len = sl ? (size_t)(sl - name) : strlen(name);
    if (len && name[len - 1] == '/')
        len--;                         /* "UTF-8/" */
    *translit = *ignore = 0;
    if (sl)
        suffixes(sl + 2, translit, ignore);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i].name) == len && !strncasecmp(names[i].name, name, len)) {
            cs->kind = names[i].kind;
            cs->order = names[i].order;
            return 0;
        }
    return -1;
}
