/* The size estimate that keeps pathological test regexes from regcomp
 * (each of the refused ones takes glibc hundreds of MB to seconds). */
#include "anx.h"
#include "unit.h"

static double size(const char *re)
{
    const char *why;
    return regex_size(re, &why);
}

int main(void)
{
    const char *why;
    CHECK(size("anunix: ready") == 13);
    CHECK(size("up [0-9]+") == 5);                       /* "up ", [0-9] twice */
    CHECK(size("[[:digit:]]+ ms") == 5);                  /* a class is one atom */
    CHECK(size("a{3}") == 3);
    CHECK(size("(ab){10}") == 20);
    CHECK(size("(ab|cd)x") == 5);
    CHECK(size("\\(x\\)") == 3);                          /* escaped parens are atoms */
    CHECK(size("x{0,255}") == 255);
    CHECK(size("(x{0,255}){0,255}") > REGEX_SIZE_MAX);    /* 65025 */
    CHECK(size("((a{0,50}){0,50}){0,50}") > REGEX_SIZE_MAX);
    CHECK(regex_size("a++++++++++++++++++++", &why) < 0 && why && strstr(why, "follows another"));
    CHECK(regex_size("a{1,100}{1,100}", &why) < 0);
    CHECK(regex_size("a*?", &why) < 0);
    CHECK(size("(((a+)+)+)+") > 0 && size("(((a+)+)+)+") < 100);  /* grouped: allowed */
    CHECK(size("a{") == 2 && size("{x}") == 3);          /* not intervals: literals */
    CHECK(size("unbalanced)") == 11 && size("((open") == 4);
    return UNIT_END();
}
