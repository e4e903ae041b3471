/* gmtime_r, timegm, strftime against glibc (run with TZ=UTC, so glibc's
 * local time is UTC too), and the clocks. */
#include "libc_test.h"

static const char *const fmts[] = {
    "%a %A %b %B %h", "%c", "%C %y %Y", "%d %e %j", "%D %F %T %R %r", "%H %I %M %S %p", "%m %n %t %%",
    "%u %w %U %W %V %G %g", "%x %X", "%z %Z", "%s", "%Ey %OH %Ec", "plain text", "%Y-%m-%dT%H:%M:%SZ",
};

static void check_time(time_t t)
{
    struct tm a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    struct tm *ra = libc_gmtime_r(&t, &a), *rb = gmtime_r(&t, &b);
    CHECK((ra != NULL) == (rb != NULL), "gmtime_r(%ld) result", (long)t);
    if (!ra || !rb)
        return;
    CHECK(a.tm_year == b.tm_year && a.tm_mon == b.tm_mon && a.tm_mday == b.tm_mday && a.tm_hour == b.tm_hour &&
              a.tm_min == b.tm_min && a.tm_sec == b.tm_sec && a.tm_wday == b.tm_wday && a.tm_yday == b.tm_yday &&
              a.tm_isdst == b.tm_isdst,
          "gmtime_r(%ld): %d-%d-%d %d:%d:%d wday %d yday %d, glibc %d-%d-%d %d:%d:%d wday %d yday %d", (long)t,
          a.tm_year, a.tm_mon, a.tm_mday, a.tm_hour, a.tm_min, a.tm_sec, a.tm_wday, a.tm_yday, b.tm_year, b.tm_mon,
          b.tm_mday, b.tm_hour, b.tm_min, b.tm_sec, b.tm_wday, b.tm_yday);
    struct tm c = a;
    CHECK(libc_timegm(&c) == t, "timegm(gmtime(%ld)) = %ld", (long)t, (long)libc_timegm(&c));
    for (size_t i = 0; i < sizeof fmts / sizeof *fmts; i++) {
        char x[256], y[256];
        size_t nx = libc_strftime(x, sizeof x, fmts[i], &b);
        size_t ny = strftime(y, sizeof y, fmts[i], &b);
        CHECK(nx == ny && !strcmp(x, y), "strftime(\"%s\", %ld): \"%s\", glibc \"%s\"", fmts[i], (long)t, x, y);
    }
}

int main(void)
{
    static const time_t fixed[] = {0, -1, 86399, 86400, 951782400 /* 2000-02-29 */, 946684799, 1700000000,
                                   2147483647, 2147483648L, -2208988800L /* 1900 */, 4102444800L /* 2100 */,
                                   253402300799L /* 9999-12-31 */, 1609459200 /* 2021: ISO week 53 of 2020 */,
                                   1230768000 /* 2009-01-01 */, 1262217600 /* 2009-12-31 */};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_time(fixed[i]);
    for (int i = 0; i < 20000; i++)
        check_time((time_t)(t_rand() % 20000000000ull) - 5000000000L);
    /* every day of a few years: week numbers at year boundaries */
    for (time_t t = 1199145600; t < 1199145600 + 86400L * 366 * 8; t += 86400)
        check_time(t + 43210);
    /* normalization: month 13, day 0, negative seconds */
    struct tm n = {.tm_year = 123, .tm_mon = 12, .tm_mday = 0, .tm_hour = 25, .tm_min = -1, .tm_sec = 61};
    struct tm g = n;
    time_t ta = libc_timegm(&n), tb = timegm(&g);
    CHECK(ta == tb && n.tm_mday == g.tm_mday && n.tm_mon == g.tm_mon && n.tm_year == g.tm_year,
          "timegm normalizes: %ld, glibc %ld", (long)ta, (long)tb);
    struct tm m = {.tm_year = 100, .tm_mon = 0, .tm_mday = 1};
    g = m;
    CHECK(libc_mktime(&m) == mktime(&g), "mktime is UTC");
    /* too small a buffer: 0 */
    char s[4];
    struct tm z;
    time_t t0 = 0;
    libc_gmtime_r(&t0, &z);
    CHECK(libc_strftime(s, sizeof s, "%Y-%m", &z) == 0, "strftime overflow gives 0");
    /* the clocks: on the host platform, the host's clocks */
    struct timespec a, b;
    CHECK(libc_clock_gettime(CLOCK_REALTIME, &a) == 0 && clock_gettime(CLOCK_REALTIME, &b) == 0 &&
              (a.tv_sec - b.tv_sec) * (a.tv_sec - b.tv_sec) <= 4,
          "CLOCK_REALTIME %ld vs %ld", (long)a.tv_sec, (long)b.tv_sec);
    struct timespec m1, m2;
    libc_clock_gettime(CLOCK_MONOTONIC, &m1);
    libc_clock_gettime(CLOCK_MONOTONIC, &m2);
    CHECK(m2.tv_sec > m1.tv_sec || (m2.tv_sec == m1.tv_sec && m2.tv_nsec >= m1.tv_nsec), "monotonic");
    CHECK(libc_clock_gettime(99, &a) == -1 && libc_errno == 22, "unknown clock: EINVAL");
    CHECK(libc_difftime(10, 4) == 6.0, "difftime");
    time_t tt;
    CHECK(libc_time(&tt) == tt && (tt - time(NULL)) * (tt - time(NULL)) <= 4, "time()");
    return t_done();
}
