/*
 * The host tests' view of the libc module: its functions under their
 * symbols (libc_NAME), next to glibc's under the standard names, so each
 * test compares the two. Types are glibc's where the layouts agree
 * (struct tm is laid out as glibc's on purpose).
 */
#ifndef LIBC_TEST_H
#define LIBC_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) {                                                             \
            t_pass++;                                                           \
        } else {                                                                \
            t_fail++;                                                           \
            if (t_fail <= 40) {                                                 \
                printf("FAIL %s:%d: ", __FILE__, __LINE__);                     \
                printf(__VA_ARGS__);                                            \
                printf("\n");                                                   \
            }                                                                   \
        }                                                                       \
    } while (0)

/* One result line for the whole program (tests/modules.sh counts "ok" and
 * "FAIL" lines): a test compares many thousands of inputs with glibc, and
 * each comparison is not a test of its own. */
static inline int t_done(void)
{
    const char *name = strrchr(__BASE_FILE__, '/') ? strrchr(__BASE_FILE__, '/') + 1 : __BASE_FILE__;
    if (t_fail)
        printf("FAIL %s: %d of %d checks failed\n", name, t_fail, t_pass + t_fail);
    else
        printf("ok   %s: %d checks\n", name, t_pass);
    return t_fail != 0;
}

/* xorshift64*: reproducible random inputs */
static unsigned long long t_rng = 0x9e3779b97f4a7c15ull;
static inline unsigned long long t_rand(void)
{
    t_rng ^= t_rng >> 12;
    t_rng ^= t_rng << 25;
    t_rng ^= t_rng >> 27;
    return t_rng * 2685821657736338717ull;
}

extern int libc_errno;
int libc_snprintf(char *buf, size_t n, const char *fmt, ...);
int libc_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int libc_asprintf(char **out, const char *fmt, ...);
int libc_sscanf(const char *s, const char *fmt, ...);
double libc_strtod(const char *s, char **end);
float libc_strtof(const char *s, char **end);
double libc_atof(const char *s);
struct tm *libc_gmtime_r(const time_t *t, struct tm *out);
struct tm *libc_localtime_r(const time_t *t, struct tm *out);
time_t libc_timegm(struct tm *tm);
time_t libc_mktime(struct tm *tm);
size_t libc_strftime(char *s, size_t n, const char *fmt, const struct tm *tm);
int libc_clock_gettime(clockid_t id, struct timespec *ts);
time_t libc_time(time_t *t);
double libc_difftime(time_t a, time_t b);

#endif
