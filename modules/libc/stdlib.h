/*
 * <stdlib.h> for ported code. The heap, strtol..strtoull, atoi and qsort
 * are the core's (<anx/mem.h>, <anx/lib.h>); the rest is this module's
 * (stdlib.c, strtod.c).
 * strtod/strtof are correctly rounded (decimal and hex, inf, nan).
 * The environment starts empty (an image is started with none);
 * setenv/putenv/unsetenv keep it in a table of the heap (env.c), which
 * getenv reads. realpath resolves ".", ".." and repeated '/' against "/"
 * (relative paths start there) and fails with ENOENT unless the result is
 * a file or folder of the archive (there are no links to follow).
 * scandir is in <dirent.h>, mkdir in <sys/stat.h>. exit powers
 * the machine off with the status (atexit handlers run first); abort
 * panics. rand is a small linear congruential generator, NOT for secrets.
 * Missing: system, multibyte/wide conversions, strtold beyond double.
 */
#ifndef LIBC_STDLIB_H
#define LIBC_STDLIB_H

#include <stddef.h>
#include "libc_defs.h"

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff
#define MB_CUR_MAX 1

typedef struct { int quot, rem; } div_t;
typedef struct { long quot, rem; } ldiv_t;
typedef struct { long long quot, rem; } lldiv_t;

/* the core's */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
void *aligned_alloc(size_t align, size_t size);
long strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
long long strtoll(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);
int atoi(const char *s);
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* this module's */
int posix_memalign(void **out, size_t align, size_t size) LIBC_SYM(posix_memalign);
double strtod(const char *s, char **end) LIBC_SYM(strtod);
float strtof(const char *s, char **end) LIBC_SYM(strtof);
long double strtold(const char *s, char **end) LIBC_SYM(strtold);
double atof(const char *s) LIBC_SYM(atof);
long atol(const char *s) LIBC_SYM(atol);
long long atoll(const char *s) LIBC_SYM(atoll);
int abs(int x) LIBC_SYM(abs);
long labs(long x) LIBC_SYM(labs);
long long llabs(long long x) LIBC_SYM(llabs);
div_t div(int a, int b) LIBC_SYM(div);
ldiv_t ldiv(long a, long b) LIBC_SYM(ldiv);
lldiv_t lldiv(long long a, long long b) LIBC_SYM(lldiv);
char *getenv(const char *name) LIBC_SYM(getenv);
int setenv(const char *name, const char *value, int overwrite) LIBC_SYM(setenv);
int unsetenv(const char *name) LIBC_SYM(unsetenv);
int putenv(char *entry) LIBC_SYM(putenv);
int clearenv(void) LIBC_SYM(clearenv);
char *realpath(const char *restrict path, char *restrict resolved) LIBC_SYM(realpath);
_Noreturn void abort(void) LIBC_SYM(abort);
_Noreturn void exit(int status) LIBC_SYM(exit);
_Noreturn void _Exit(int status) LIBC_SYM(_Exit);
int atexit(void (*fn)(void)) LIBC_SYM(atexit);
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *)) LIBC_SYM(bsearch);
int rand(void) LIBC_SYM(rand);
void srand(unsigned seed) LIBC_SYM(srand);
int rand_r(unsigned *seed) LIBC_SYM(rand_r);

#endif
