/*
 * <time.h> for ported code (time.c). There are no time zones: localtime
 * is gmtime (UTC), mktime is timegm, tzname is "UTC". time() and
 * CLOCK_REALTIME are the core's wall clock (anx_time_unix_ns: the RTC at
 * boot, or the time since boot in 1970 on a board without one);
 * CLOCK_MONOTONIC is anx_time_ns. clock() is the time since boot.
 * strftime does every C99 conversion in the C locale (%E and %O
 * modifiers are accepted and ignored, as C allows in that locale); %Z is
 * tm_zone ("UTC" from gmtime), %z from tm_gmtoff ("+0000").
 * asctime/ctime ("Thu Jan  1 00:00:00 1970\n", ctime in UTC) share one
 * static buffer; the _r forms take one of 26 bytes.
 * Missing: tzset's TZ parsing, nanosleep (sleeping is anx_sleep_ns).
 */
#ifndef LIBC_TIME_H
#define LIBC_TIME_H

#include <stddef.h>
#include "libc_defs.h"
#include "sys/types.h"

#define CLOCKS_PER_SEC 1000000L
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define TIME_UTC 1

/* Laid out as glibc's (tm_gmtoff, tm_zone last). */
struct tm {
    int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
    long tm_gmtoff;
    const char *tm_zone;
};

struct timespec {
    time_t tv_sec;
    long tv_nsec;
};

time_t time(time_t *t) LIBC_SYM(time);
clock_t clock(void) LIBC_SYM(clock);
double difftime(time_t a, time_t b) LIBC_SYM(difftime);
int clock_gettime(clockid_t id, struct timespec *ts) LIBC_SYM(clock_gettime);
int clock_getres(clockid_t id, struct timespec *ts) LIBC_SYM(clock_getres);
int timespec_get(struct timespec *ts, int base) LIBC_SYM(timespec_get);
struct tm *gmtime(const time_t *t) LIBC_SYM(gmtime);
struct tm *gmtime_r(const time_t *t, struct tm *out) LIBC_SYM(gmtime_r);
struct tm *localtime(const time_t *t) LIBC_SYM(localtime);
struct tm *localtime_r(const time_t *t, struct tm *out) LIBC_SYM(localtime_r);
time_t mktime(struct tm *tm) LIBC_SYM(mktime);
time_t timegm(struct tm *tm) LIBC_SYM(timegm);
size_t strftime(char *restrict s, size_t n, const char *restrict fmt,
                const struct tm *restrict tm) LIBC_SYM(strftime);
char *asctime(const struct tm *tm) LIBC_SYM(asctime);
char *ctime(const time_t *t) LIBC_SYM(ctime);
char *asctime_r(const struct tm *tm, char *buf) LIBC_SYM(asctime_r);
char *ctime_r(const time_t *t, char *buf) LIBC_SYM(ctime_r);
void tzset(void) LIBC_SYM(tzset);

#endif
