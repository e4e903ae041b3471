/* Sizes, durations, integers and booleans as manifests write them. */
#include "anx.h"
#include "unit.h"

int main(void)
{
    uint64_t u;
    int64_t i;
    bool b;
    CHECK(parse_size("64M", &u) == 0 && u == 64ULL << 20);
    CHECK(parse_size("1G", &u) == 0 && u == 1ULL << 30);
    CHECK(parse_size("512K", &u) == 0 && u == 512 << 10);
    CHECK(parse_size("4096", &u) == 0 && u == 4096);
    CHECK(parse_size("2 MiB", &u) == 0 && u == 2 << 20);
    CHECK(parse_size("0x1000", &u) == 0 && u == 4096);
    /* Every common spelling; all binary (MB = MiB), any case, a space allowed. */
    CHECK(parse_size("16MB", &u) == 0 && u == 16ULL << 20);
    CHECK(parse_size("16MiB", &u) == 0 && u == 16ULL << 20);
    CHECK(parse_size("16 M", &u) == 0 && u == 16ULL << 20);
    CHECK(parse_size("16mb", &u) == 0 && u == 16ULL << 20);
    CHECK(parse_size("16m", &u) == 0 && u == 16ULL << 20);
    CHECK(parse_size("1GB", &u) == 0 && u == 1ULL << 30);
    CHECK(parse_size("1GiB", &u) == 0 && u == 1ULL << 30);
    CHECK(parse_size("1 gib", &u) == 0 && u == 1ULL << 30);
    CHECK(parse_size("4kB", &u) == 0 && u == 4096);
    CHECK(parse_size("2TB", &u) == 0 && u == 2ULL << 40);
    CHECK(parse_size("512B", &u) == 0 && u == 512);
    CHECK(parse_size("512 b", &u) == 0 && u == 512);
    CHECK(parse_size("16Mi", &u) == -1);
    CHECK(parse_size("16MBB", &u) == -1);
    CHECK(parse_size("16iB", &u) == -1);
    CHECK(parse_size("16 MB x", &u) == -1);
    CHECK(parse_size("1.5G", &u) == -1);
    CHECK(parse_size("16P", &u) == -1);
    CHECK(!size_has_unit("64"));
    CHECK(!size_has_unit("0x40"));
    CHECK(size_has_unit("64M"));
    CHECK(size_has_unit("64 B"));
    CHECK(parse_size("64Q", &u) == -1);
    CHECK(parse_size("M", &u) == -1);
    CHECK(parse_size("", &u) == -1);
    CHECK(parse_size("-1M", &u) == -1);
    CHECK(parse_size("99999999999999999999", &u) == -2);
    CHECK(parse_size("17179869184G", &u) == -2);
    CHECK(parse_duration("5s", &u) == 0 && u == 5000000000ULL);
    CHECK(parse_duration("100ms", &u) == 0 && u == 100000000ULL);
    CHECK(parse_duration("3us", &u) == 0 && u == 3000);
    CHECK(parse_duration("7ns", &u) == 0 && u == 7);
    CHECK(parse_duration("2m", &u) == 0 && u == 120000000000ULL);
    CHECK(parse_duration("1h", &u) == 0 && u == 3600000000000ULL);
    CHECK(parse_duration("5", &u) == -1);
    CHECK(parse_duration("5 parsecs", &u) == -1);
    CHECK(parse_duration("99999999999h", &u) == -2);
    CHECK(parse_int("42", &i) == 0 && i == 42);
    CHECK(parse_int("-42", &i) == 0 && i == -42);
    CHECK(parse_int("1_000", &i) == 0 && i == 1000);
    CHECK(parse_int("9223372036854775807", &i) == 0 && i == INT64_MAX);
    CHECK(parse_int("-9223372036854775808", &i) == 0 && i == INT64_MIN);
    CHECK(parse_int("9223372036854775808", &i) == -2);
    CHECK(parse_int("12a", &i) == -1);
    CHECK(parse_int("", &i) == -1);
    CHECK(parse_int("-", &i) == -1);
    CHECK(parse_bool("true", &b) == 0 && b);
    CHECK(parse_bool("no", &b) == 0 && !b);
    CHECK(parse_bool("maybe", &b) == -1);
    char s[32];
    format_size(64ULL << 20, s, sizeof s);
    CHECK_STR(s, "64M");
    format_size(1000, s, sizeof s);
    CHECK_STR(s, "1000");
    int p1, p2;
    CHECK(parse_port("8080:80", &p1, &p2) == 0 && p1 == 8080 && p2 == 80);
    CHECK(parse_port("22", &p1, &p2) == 0 && p1 == 22 && p2 == 22);
    CHECK(parse_port("0:80", &p1, &p2) == -1);
    CHECK(parse_port("80:70000", &p1, &p2) == -1);
    CHECK(parse_port("a:b", &p1, &p2) == -1);
    CHECK(valid_name("hello-2"));
    CHECK(!valid_name("Hello"));
    CHECK(!valid_name("-x"));
    CHECK(!valid_name("a/b"));
    CHECK(!valid_name(""));
    CHECK(valid_platform_name("x86_64-pc"));
    return UNIT_END();
}
