/* core/lib: string, ctype, strtol, qsort, argument splitting. */
#include <limits.h>
#include <stdint.h>
#define UNIT_FILE "string"
#include "unit.h"

TEST(mem_functions)
{
    char a[64], b[64];
    for (int i = 0; i < 64; i++)
        a[i] = (char)i;
    /* every alignment and length combination of memcpy */
    for (int so = 0; so < 8; so++)
        for (int dof = 0; dof < 8; dof++)
            for (int n = 0; n < 40; n++) {
                memset(b, 0x55, sizeof b);
                CHECK(memcpy(b + dof, a + so, (size_t)n) == b + dof);
                for (int i = 0; i < n; i++)
                    if (b[dof + i] != a[so + i]) { CHECK(!"memcpy content"); return; }
                if (b[dof + n] != 0x55) { CHECK(!"memcpy overrun"); return; }
            }
    memset(b, 0, sizeof b);
    memset(b + 3, 0xab, 21);
    CHECK((unsigned char)b[2] == 0 && (unsigned char)b[3] == 0xab &&
          (unsigned char)b[23] == 0xab && b[24] == 0);
    /* memmove both directions */
    for (int i = 0; i < 64; i++) b[i] = (char)i;
    memmove(b + 5, b, 20);
    for (int i = 0; i < 20; i++) CHECK(b[5 + i] == i);
    for (int i = 0; i < 64; i++) b[i] = (char)i;
    memmove(b, b + 7, 30);
    for (int i = 0; i < 30; i++) CHECK(b[i] == 7 + i);
    CHECK(memcmp("abc", "abd", 3) < 0);
    CHECK(memcmp("abc", "abc", 3) == 0);
    CHECK(memcmp("\xff", "\x01", 1) > 0);
    CHECK(memchr("hello", 'l', 5) != NULL && *(char *)memchr("hello", 'l', 5) == 'l');
    CHECK(memchr("hello", 'z', 5) == NULL);
}

TEST(str_functions)
{
    char buf[16];
    CHECK_EQ(strlen(""), 0);
    CHECK_EQ(strlen("hello"), 5);
    CHECK_EQ(strnlen("hello", 3), 3);
    CHECK(strcmp("a", "b") < 0 && strcmp("b", "a") > 0 && strcmp("ab", "ab") == 0);
    CHECK(strcmp("a", "ab") < 0);
    CHECK(strcmp("\xe9", "a") > 0);            /* unsigned comparison */
    CHECK(strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abcdef", "abcxyz", 4) < 0);
    CHECK(strcasecmp("HeLLo", "hello") == 0 && strncasecmp("ABx", "aby", 2) == 0);
    CHECK_STR(strchr("a/b/c", '/'), "/b/c");
    CHECK_STR(strrchr("a/b/c", '/'), "/c");
    CHECK(strchr("abc", 0) != NULL && *strchr("abc", 0) == 0);
    CHECK(strchr("abc", 'z') == NULL);
    CHECK_STR(strstr("hello world", "o w"), "o world");
    CHECK_STR(strstr("abc", ""), "abc");
    CHECK(strstr("abc", "abcd") == NULL);
    CHECK_EQ(strlcpy(buf, "hello world, long", sizeof buf), 17);
    CHECK_STR(buf, "hello world, lo");
    strcpy(buf, "ab");
    CHECK_EQ(strlcat(buf, "cdef", 5), 6);
    CHECK_STR(buf, "abcd");
    CHECK_EQ(strspn("  x", " "), 2);
    CHECK_EQ(strcspn("abc:d", ":"), 3);
    memset(buf, 'x', sizeof buf);
    strncpy(buf, "ab", 5);
    CHECK(buf[0] == 'a' && buf[2] == 0 && buf[4] == 0 && buf[5] == 'x');
}

TEST(ctype_functions)
{
    CHECK(isdigit('0') && isdigit('9') && !isdigit('a'));
    CHECK(isxdigit('f') && isxdigit('F') && !isxdigit('g'));
    CHECK(isspace(' ') && isspace('\t') && isspace('\n') && !isspace('x'));
    CHECK(isalpha('q') && !isalpha('1') && isalnum('1'));
    CHECK(toupper('a') == 'A' && tolower('Z') == 'z' && toupper('1') == '1');
    CHECK(isprint(' ') && !isprint('\x7f') && iscntrl('\x1b') && ispunct('!'));
    CHECK(!isalpha(0xe9) && !isalpha(-1));
}

TEST(number_parsing)
{
    char *end;
    CHECK_EQ(strtol("  -42xyz", &end, 10), -42);
    CHECK_STR(end, "xyz");
    CHECK_EQ(strtol("0x1f", NULL, 0), 31);
    CHECK_EQ(strtol("0x1f", NULL, 16), 31);
    CHECK_EQ(strtol("017", NULL, 0), 15);
    CHECK_EQ(strtol("0b101", NULL, 0), 5);
    CHECK_EQ(strtol("z", NULL, 36), 35);
    CHECK_EQ(strtol("junk", &end, 10), 0);
    CHECK_STR(end, "junk");
    CHECK_EQ(strtol("0x", &end, 0), 0);          /* "0" parsed, "x" left */
    CHECK_STR(end, "x");
    CHECK(strtoll("99999999999999999999", NULL, 10) == LLONG_MAX);
    CHECK(strtoll("-99999999999999999999", NULL, 10) == LLONG_MIN);
    CHECK(strtoll("-9223372036854775808", NULL, 10) == LLONG_MIN);
    CHECK(strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
    CHECK(strtoull("18446744073709551616", NULL, 10) == ULLONG_MAX);
    CHECK(strtoul("-1", NULL, 10) == ULONG_MAX);
    CHECK_EQ(atoi("123"), 123);

    uint64_t u;
    int64_t s;
    CHECK(anx_parse_u64("64M", &u, true) == 0 && u == 64ull << 20);
    CHECK(anx_parse_u64("4k", &u, true) == 0 && u == 4096);
    CHECK(anx_parse_u64("0x10", &u, false) == 0 && u == 16);
    CHECK(anx_parse_u64("10x", &u, true) < 0);
    CHECK(anx_parse_u64("", &u, false) < 0);
    CHECK(anx_parse_u64("-1", &u, false) < 0);
    CHECK(anx_parse_u64("16G", &u, false) < 0);
    CHECK(anx_parse_u64("99999999999999999999", &u, false) < 0);
    CHECK(anx_parse_u64("17179869184G", &u, true) < 0);    /* overflows */
    CHECK(anx_parse_i64("-7", &s) == 0 && s == -7);
    CHECK(anx_parse_i64("9223372036854775807", &s) == 0 && s == INT64_MAX);
    CHECK(anx_parse_i64("-9223372036854775808", &s) == 0 && s == INT64_MIN);
    CHECK(anx_parse_i64("9223372036854775808", &s) < 0);
    CHECK(anx_parse_i64("1 ", &s) < 0);
    CHECK(anx_parse_i64("-", &s) < 0);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

TEST(qsort_sorts)
{
    int v[1000];
    unsigned seed = 12345;
    for (int n = 0; n < 1000; n += 37) {
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245 + 12345;
            v[i] = (int)(seed >> 16) % 100;
        }
        qsort(v, (size_t)n, sizeof v[0], cmp_int);
        for (int i = 1; i < n; i++)
            if (v[i - 1] > v[i]) { CHECK(!"not sorted"); return; }
    }
}

TEST(split_args)
{
    char *argv[8];
    const char *err;
    char l1[] = "  echo  \"a b\" 'c d'  e\\ f ";
    CHECK_EQ(anx_split_args(l1, argv, 8, &err), 4);
    CHECK_STR(argv[0], "echo");
    CHECK_STR(argv[1], "a b");
    CHECK_STR(argv[2], "c d");
    CHECK_STR(argv[3], "e f");
    CHECK(argv[4] == NULL);
    char l2[] = "";
    CHECK_EQ(anx_split_args(l2, argv, 8, &err), 0);
    char l3[] = "say \"unterminated";
    CHECK_EQ(anx_split_args(l3, argv, 8, &err), -1);
    CHECK_STR(err, "unterminated quote");
    char l4[] = "a b c d e f g h i";
    CHECK_EQ(anx_split_args(l4, argv, 8, &err), -1);
    CHECK_STR(err, "too many arguments");
    char l5[] = "x\"\"y '' \"q\\\"r\"";
    CHECK_EQ(anx_split_args(l5, argv, 8, &err), 3);
    CHECK_STR(argv[0], "xy");
    CHECK_STR(argv[1], "");
    CHECK_STR(argv[2], "q\"r");
    char l6[] = "tab\tsep\r\n";
    CHECK_EQ(anx_split_args(l6, argv, 8, &err), 2);
    CHECK_STR(argv[1], "sep");
    char l7[] = "trailing\\";
    CHECK_EQ(anx_split_args(l7, argv, 8, &err), 1);
    CHECK_STR(argv[0], "trailing\\");
}

int main(void)
{
    RUN(mem_functions);
    RUN(str_functions);
    RUN(ctype_functions);
    RUN(number_parsing);
    RUN(qsort_sorts);
    RUN(split_args);
    return unit_done();
}
