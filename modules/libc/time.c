/*
 * <time.h>: clocks from the core (<anx/time.h>), calendar conversion in
 * UTC (days-from-civil arithmetic, valid for any year an int holds), and
 * strftime in the C locale.
 */
#include <anx/time.h>
#include <errno.h>
#include <string.h>
#include <time.h>

time_t time(time_t *t)
{
    time_t now = (time_t)(anx_time_unix_ns() / ANX_NS_PER_S);
    if (t)
        *t = now;
    return now;
}

clock_t clock(void)
{
    return (clock_t)(anx_uptime_ns() / ANX_NS_PER_US);
}

double difftime(time_t a, time_t b)
{
    return (double)a - (double)b;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    uint64_t ns;
    if (id == CLOCK_REALTIME)
        ns = anx_time_unix_ns();
    else if (id == CLOCK_MONOTONIC)
        ns = anx_time_ns();
    else {
        errno = EINVAL;
        return -1;
    }
    ts->tv_sec = (time_t)(ns / ANX_NS_PER_S);
    ts->tv_nsec = (long)(ns % ANX_NS_PER_S);
    return 0;
}

int clock_getres(clockid_t id, struct timespec *ts)
{
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    if (ts) {
        ts->tv_sec = 0;
        ts->tv_nsec = 1;
    }
    return 0;
}

int timespec_get(struct timespec *ts, int base)
{
    return base == TIME_UTC && clock_gettime(CLOCK_REALTIME, ts) == 0 ? base : 0;
}


static int is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

struct tm *gmtime_r(const time_t *t, struct tm *tm)
{
    long long s = *t;
    long long days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    tm->tm_hour = (int)(rem / 3600);
    tm->tm_min = (int)(rem / 60 % 60);
    tm->tm_sec = (int)(rem % 60);
    tm->tm_wday = (int)((days % 7 + 11) % 7);     /* 1970-01-01 was a Thursday */
    int64_t y;
    unsigned m, d;
    anx_civil_from_days(days, &y, &m, &d);
    if (y - 1900 > 0x7fffffff || y - 1900 < -0x7fffffff - 1) {
        errno = EOVERFLOW;
        return NULL;
    }
    tm->tm_year = (int)(y - 1900);
    tm->tm_mon = m - 1;
    tm->tm_mday = d;
    tm->tm_yday = (int)(days - anx_days_from_civil(y, 1, 1));
    tm->tm_isdst = 0;
    tm->tm_gmtoff = 0;
    tm->tm_zone = "UTC";
    return tm;
}

static struct tm shared_tm;

struct tm *gmtime(const time_t *t) { return gmtime_r(t, &shared_tm); }
/* No time zones: local time is UTC. */
struct tm *localtime_r(const time_t *t, struct tm *tm) { return gmtime_r(t, tm); }
struct tm *localtime(const time_t *t) { return gmtime_r(t, &shared_tm); }
void tzset(void) {}

/* Normalizes the fields (out-of-range months, days, seconds) as C asks. */
time_t timegm(struct tm *tm)
{
    long long mon = tm->tm_mon;
    long long y = (long long)tm->tm_year + 1900 + mon / 12;
    mon %= 12;
    if (mon < 0) {
        mon += 12;
        y--;
    }
    long long days = anx_days_from_civil(y, (int)mon + 1, 1) + tm->tm_mday - 1;
    long long t = days * 86400 + (long long)tm->tm_hour * 3600 + (long long)tm->tm_min * 60 + tm->tm_sec;
    time_t r = (time_t)t;
    if (!gmtime_r(&r, tm))
        return (time_t)-1;
    return r;
}

time_t mktime(struct tm *tm) { return timegm(tm); }

static const char *const wday_name[] = {"Sunday", "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
static const char *const mon_name[] = {"January", "February", "March", "April", "May", "June",
                                       "July", "August", "September", "October", "November",
                                       "December"};

struct out {
    char *s;
    size_t n, len;
};

static void emit(struct out *o, const char *s, size_t l)
{
    for (size_t i = 0; i < l; i++) {
        if (o->len + 1 < o->n)
            o->s[o->len] = s[i];
        o->len++;
    }
}

static void emit_str(struct out *o, const char *s) { emit(o, s, strlen(s)); }

static void emit_num(struct out *o, long long v, int width, char padc)
{
    char t[24];
    int k = 0, neg = v < 0;
    unsigned long long u = neg ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        t[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = k + neg;
    if (neg)
        emit(o, "-", 1);
    for (; len < width; len++)
        emit(o, &padc, 1);
    while (k)
        emit(o, &t[--k], 1);
}

/* ISO 8601 week-based year and week (%G %g %V). */
static int iso_week(const struct tm *tm, long long *iso_year)
{
    long long y = (long long)tm->tm_year + 1900;
    int wday = (tm->tm_wday + 6) % 7;          /* Monday 0 */
    int week = (tm->tm_yday - wday + 10) / 7;
    if (week < 1) {
        y--;
        int pyday = tm->tm_yday + 365 + is_leap(y);
        week = (pyday - wday + 10) / 7;
    } else if (week == 53) {
        int ydays = 365 + is_leap(y);
        if (tm->tm_yday - wday + 3 >= ydays) {  /* Thursday of this week is next year */
            week = 1;
            y++;
        }
    }
    *iso_year = y;
    return week;
}

static void conv(struct out *o, char c, const struct tm *tm);

static void sub(struct out *o, const char *fmt, const struct tm *tm)
{
    for (; *fmt; fmt++) {
        if (*fmt == '%' && fmt[1])
            conv(o, *++fmt, tm);
        else
            emit(o, fmt, 1);
    }
}

static const char *name_or_q(const char *const *names, int i, int n)
{
    return i >= 0 && i < n ? names[i] : "?";
}

static void conv(struct out *o, char c, const struct tm *tm)
{
    long long year = (long long)tm->tm_year + 1900, iy;
    switch (c) {
    case 'a': emit(o, name_or_q(wday_name, tm->tm_wday, 7), 3); break;
    case 'A': emit_str(o, name_or_q(wday_name, tm->tm_wday, 7)); break;
    case 'b': case 'h': emit(o, name_or_q(mon_name, tm->tm_mon, 12), 3); break;
    case 'B': emit_str(o, name_or_q(mon_name, tm->tm_mon, 12)); break;
    case 'c': sub(o, "%a %b %e %H:%M:%S %Y", tm); break;
    case 'C': emit_num(o, year >= 0 ? year / 100 : -((-year + 99) / 100), 2, '0'); break;
    case 'd': emit_num(o, tm->tm_mday, 2, '0'); break;
    case 'D': sub(o, "%m/%d/%y", tm); break;
    case 'e': emit_num(o, tm->tm_mday, 2, ' '); break;
    case 'F': sub(o, "%Y-%m-%d", tm); break;
    case 'g': iso_week(tm, &iy); emit_num(o, ((iy % 100) + 100) % 100, 2, '0'); break;
    case 'G': iso_week(tm, &iy); emit_num(o, iy, 1, '0'); break;
    case 'H': emit_num(o, tm->tm_hour, 2, '0'); break;
    case 'I': emit_num(o, tm->tm_hour % 12 ? tm->tm_hour % 12 : 12, 2, '0'); break;
    case 'j': emit_num(o, tm->tm_yday + 1, 3, '0'); break;
    case 'm': emit_num(o, tm->tm_mon + 1, 2, '0'); break;
    case 'M': emit_num(o, tm->tm_min, 2, '0'); break;
    case 'n': emit(o, "\n", 1); break;
    case 'p': emit_str(o, tm->tm_hour < 12 ? "AM" : "PM"); break;
    case 'r': sub(o, "%I:%M:%S %p", tm); break;
    case 'R': sub(o, "%H:%M", tm); break;
    case 's': {
        struct tm copy = *tm;
        emit_num(o, (long long)timegm(&copy), 1, '0');
        break;
    }
    case 'S': emit_num(o, tm->tm_sec, 2, '0'); break;
    case 't': emit(o, "\t", 1); break;
    case 'T': sub(o, "%H:%M:%S", tm); break;
    case 'u': emit_num(o, tm->tm_wday ? tm->tm_wday : 7, 1, '0'); break;
    case 'U': emit_num(o, (tm->tm_yday + 7 - tm->tm_wday) / 7, 2, '0'); break;
    case 'V': emit_num(o, iso_week(tm, &iy), 2, '0'); break;
    case 'w': emit_num(o, tm->tm_wday, 1, '0'); break;
    case 'W': emit_num(o, (tm->tm_yday + 7 - (tm->tm_wday + 6) % 7) / 7, 2, '0'); break;
    case 'x': sub(o, "%m/%d/%y", tm); break;
    case 'X': sub(o, "%H:%M:%S", tm); break;
    case 'y': emit_num(o, ((year % 100) + 100) % 100, 2, '0'); break;
    case 'Y': emit_num(o, year, 1, '0'); break;
    case 'z': {                         /* tm_gmtoff: 0 from this module's own calls */
        long off = tm->tm_gmtoff;
        emit(o, off < 0 ? "-" : "+", 1);
        off = off < 0 ? -off : off;
        emit_num(o, off / 3600 * 100 + off / 60 % 60, 4, '0');
        break;
    }
    case 'Z': emit_str(o, tm->tm_zone ? tm->tm_zone : "UTC"); break;
    case '%': emit(o, "%", 1); break;
    default: {                          /* unknown: copied as written */
        char t[2] = {'%', c};
        emit(o, t, 2);
    }
    }
}

/* C: returns the length without the NUL, or 0 (contents unspecified)
 * when it does not fit in n. */
size_t strftime(char *restrict s, size_t n, const char *restrict fmt, const struct tm *restrict tm)
{
    struct out o = {s, n, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%' || !fmt[1]) {
            emit(&o, fmt, 1);
            continue;
        }
        fmt++;
        if (*fmt == 'E' || *fmt == 'O') {   /* C locale: the modifiers change nothing */
            if (!fmt[1])
                break;
            fmt++;
        }
        conv(&o, *fmt, tm);
    }
    if (o.len >= n)
        return 0;
    s[o.len] = 0;
    return o.len;
}

/* buf holds at least 26 bytes (POSIX's size; a year past 9999 is cut). */
char *asctime_r(const struct tm *tm, char *buf)
{
    char tmp[64];
    struct out o = {tmp, sizeof tmp, 0};
    sub(&o, "%a %b %e %H:%M:%S %Y\n", tm);
    size_t n = o.len < 25 ? o.len : 25;
    memcpy(buf, tmp, n);
    buf[n] = 0;
    return buf;
}

static char asc_buf[26];

char *asctime(const struct tm *tm)
{
    return asctime_r(tm, asc_buf);
}

char *ctime_r(const time_t *t, char *buf)
{
    struct tm tm;
    return gmtime_r(t, &tm) ? asctime_r(&tm, buf) : NULL;
}

char *ctime(const time_t *t)
{
    return ctime_r(t, asc_buf);
}
