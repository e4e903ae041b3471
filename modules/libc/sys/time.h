/*
 * <sys/time.h>: struct timeval, gettimeofday (sys_time.c: the wall clock
 * of time.c, CLOCK_REALTIME, in microseconds) and BSD's timeval macros.
 * The time zone argument is obsolete: a non-NULL tz gets UTC (0, 0).
 * Missing versus POSIX: setitimer/getitimer (no signals are delivered),
 * utimes, settimeofday, select (<sys/select.h>).
 */
#ifndef LIBC_SYS_TIME_H
#define LIBC_SYS_TIME_H

#include "../libc_defs.h"
#include "types.h"

struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};

struct timezone {
    int tz_minuteswest, tz_dsttime;
};

int gettimeofday(struct timeval *restrict tv, void *restrict tz) LIBC_SYM(gettimeofday);

#define timerisset(t) ((t)->tv_sec || (t)->tv_usec)
#define timerclear(t) ((t)->tv_sec = (t)->tv_usec = 0)
#define timercmp(a, b, CMP) \
    ((a)->tv_sec == (b)->tv_sec ? (a)->tv_usec CMP (b)->tv_usec : (a)->tv_sec CMP (b)->tv_sec)
#define timeradd(a, b, r)                                  \
    do {                                                   \
        (r)->tv_sec = (a)->tv_sec + (b)->tv_sec;           \
        (r)->tv_usec = (a)->tv_usec + (b)->tv_usec;        \
        if ((r)->tv_usec >= 1000000) {                     \
            (r)->tv_sec++;                                 \
            (r)->tv_usec -= 1000000;                       \
        }                                                  \
    } while (0)
#define timersub(a, b, r)                                  \
    do {                                                   \
        (r)->tv_sec = (a)->tv_sec - (b)->tv_sec;           \
        (r)->tv_usec = (a)->tv_usec - (b)->tv_usec;        \
        if ((r)->tv_usec < 0) {                            \
            (r)->tv_sec--;                                 \
            (r)->tv_usec += 1000000;                       \
        }                                                  \
    } while (0)

#endif
