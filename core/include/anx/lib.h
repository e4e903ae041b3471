/*
 * The freestanding C library subset shared by the core and modules:
 * string and memory functions, character classes, number parsing, qsort.
 * The functions keep their standard names and meanings (the compiler emits
 * calls to memcpy/memset/memmove/memcmp itself), so ported code works
 * unchanged. Formatting lives in <anx/printf.h>, hashing in <anx/sha256.h>,
 * the heap in <anx/mem.h>.
 */
#ifndef ANX_LIB_H
#define ANX_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ANX_MIN(a, b) ((a) < (b) ? (a) : (b))
#define ANX_MAX(a, b) ((a) > (b) ? (a) : (b))
#define ANX_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ANX_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define anx_container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- memory and strings (core/lib/string.c) ---------------------------- */

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
/* BSD: copy/append with truncation, always NUL-terminated when size > 0;
 * return the length they tried to create. */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);
size_t strlcat(char *restrict dst, const char *restrict src, size_t size);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
/* Heap copies (core/lib/strdup.c; need the heap). NULL when out of memory. */
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

/* ---- character classes (ASCII only, core/lib/ctype.c) -------------------
 * The names are in parentheses so that a host program (docs/architecture.md,
 * "Host builds") can include this after <ctype.h>, whose macros of the same
 * names would otherwise expand here. */

int (isdigit)(int c);
int (isxdigit)(int c);
int (isalpha)(int c);
int (isalnum)(int c);
int (isupper)(int c);
int (islower)(int c);
int (isspace)(int c);
int (isprint)(int c);
int (iscntrl)(int c);
int (ispunct)(int c);
int (toupper)(int c);
int (tolower)(int c);
/* 0-15 for a hex digit (either case), -1 for anything else */
int anx_hexval(int c);

/* ---- numbers (core/lib/strtol.c) ----------------------------------------
 * As in C: leading space, optional sign, base 0 (auto: 0x, 0 octal, 0b
 * binary), 2..36; saturate on overflow (and set *end past the digits). */
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);

/* Strict whole-string parse: "123", "0x1f"; optional K/M/G suffix when
 * `suffix` is true (binary multiples). 0 on success, -1 on junk/overflow. */
int anx_parse_u64(const char *s, uint64_t *out, bool suffix);
int anx_parse_i64(const char *s, int64_t *out);

/* ---- sorting (core/lib/qsort.c) ------------------------------------------ */

void qsort(void *base, size_t n, size_t size,
           int (*cmp)(const void *, const void *));

/* ---- argument splitting (core/lib/args.c) --------------------------------
 * Split `line` in place into at most max-1 arguments (argv[argc] = NULL):
 * words separated by blanks; "double" and 'single' quotes group words,
 * backslash escapes the next character outside single quotes.
 * Returns argc, or -1 with *err set ("unterminated quote", "too many
 * arguments"). */
int anx_split_args(char *line, char **argv, int max, const char **err);

#endif
