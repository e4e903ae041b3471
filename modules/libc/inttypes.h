/*
 * <inttypes.h>: the PRI/SCN macros for LP64 (int64_t is long), and
 * strtoimax/strtoumax (the core's strtoll/strtoull: intmax_t is 64 bits).
 * Missing: imaxabs, imaxdiv, wcstoimax (no wide characters).
 */
#ifndef LIBC_INTTYPES_H
#define LIBC_INTTYPES_H

#include <stdint.h>

#define PRId8 "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRId64 "ld"
#define PRIi8 "i"
#define PRIi16 "i"
#define PRIi32 "i"
#define PRIi64 "li"
#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 "lu"
#define PRIx8 "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIx64 "lx"
#define PRIX8 "X"
#define PRIX16 "X"
#define PRIX32 "X"
#define PRIX64 "lX"
#define PRIo32 "o"
#define PRIo64 "lo"
#define PRIdMAX "ld"
#define PRIuMAX "lu"
#define PRIxMAX "lx"
#define PRIdPTR "ld"
#define PRIuPTR "lu"
#define PRIxPTR "lx"
#define SCNd32 "d"
#define SCNd64 "ld"
#define SCNu32 "u"
#define SCNu64 "lu"
#define SCNx32 "x"
#define SCNx64 "lx"

long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
#define strtoimax(s, e, b) ((intmax_t)strtoll((s), (e), (b)))
#define strtoumax(s, e, b) ((uintmax_t)strtoull((s), (e), (b)))

#endif
