/* core/lib/printf.c against the host's snprintf for the formats we support. */
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <string.h>

/* the host's versions, before unit.h renames the names */
static int host_snprintf(char *b, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int r = vsnprintf(b, n, f, ap);
    va_end(ap);
    return r;
}

#define UNIT_FILE "printf"
#include "unit.h"

static int mismatches;

#define SAME(...) do { char _h[256], _a[256]; \
    int _rh = host_snprintf(_h, sizeof _h, __VA_ARGS__); \
    int _ra = snprintf(_a, sizeof _a, __VA_ARGS__); \
    if (_rh != _ra || host_strcmp(_h, _a) != 0) { \
        fprintf(stderr, "  %s:%d: format %s: host \"%s\" (%d), ours \"%s\" (%d)\n", \
                __FILE__, __LINE__, #__VA_ARGS__, _h, _rh, _a, _ra); \
        unit_fail_count++; mismatches++; } } while (0)

TEST(integers)
{
    SAME("%d %i %u", 0, -1, 42u);
    SAME("%d", -2147483647 - 1);
    SAME("%ld %lu", -1234567890123L, 18446744073709551615UL);
    SAME("%lld %llu", -9223372036854775807LL - 1, 18446744073709551615ULL);
    SAME("%zu %zd", (size_t)12345, (ssize_t)-5);
    SAME("%x %X %lx %llx", 0xdeadbeefu, 0xabcu, 0x123456789abcdefUL, 0xffffffffffffffffULL);
    SAME("%o %#o %#x %#X", 8u, 8u, 255u, 255u);
    SAME("%hhu %hd", 300, 70000);
    SAME("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, 42, 42, 42);
    SAME("[%05d] [%5.3d] [%.0d] [%.0d]", -42, 7, 0, 1);
    SAME("[%08x] [%-8x] [%#010x]", 0xbeefu, 0xbeefu, 0xbeefu);
    SAME("[%*d] [%-*d] [%.*d]", 6, 1, 6, 2, 4, 3);
    SAME("[%*d]", -6, 1);
}

TEST(strings_chars)
{
    SAME("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-4.1s]", "abc", "abc", "abc", "abc", "abc", "abc");
    SAME("[%c] [%3c] [%-3c] [%%]", 'x', 'y', 'z');
    SAME("[%.*s]", 3, "abcdef");
    SAME("%s", "");
    SAME("a%%b%%c");
}

TEST(pointers_and_truncation)
{
    char b[8];
    int v = 0;
    SAME("%p", (void *)&v);
    SAME("%p", (void *)(uintptr_t)0x1000);
    CHECK_EQ(snprintf(b, sizeof b, "%s", "hello world"), 11);
    CHECK_STR(b, "hello w");
    CHECK_EQ(snprintf(b, 1, "abc"), 3);
    CHECK_STR(b, "");
    CHECK_EQ(snprintf(NULL, 0, "%d", 12345), 5);
    char n[32];
    const char *volatile nul = NULL;
    const char *volatile odd = "%f|%q";      /* not checked by -Wformat */
    snprintf(n, sizeof n, "%s", nul);
    CHECK_STR(n, "(null)");
    snprintf(n, sizeof n, odd, 1.5);
    CHECK_STR(n, "?|%q");
    const char *volatile both = "[%-05d]";
    snprintf(n, sizeof n, both, -42);         /* '-' wins over '0' */
    CHECK_STR(n, "[-42  ]");
}

int main(void)
{
    RUN(integers);
    RUN(strings_chars);
    RUN(pointers_and_truncation);
    return unit_done();
}
