/* core/lib/errno.c: anx_strerror, the one message table of <anx/errno.h>. */
#include <limits.h>
#include <stdint.h>
#define UNIT_FILE "errno"
#include "unit.h"
#include <anx/errno.h>

/* Every code of the enum, as a caller names them. */
static const int codes[] = {
    ANX_OK, ANX_EFAIL, ANX_ENOMEM, ANX_EINVAL, ANX_ENOENT, ANX_EEXIST, ANX_EIO, ANX_ERANGE,
    ANX_ENOSPC, ANX_EDQUOT, ANX_EROFS, ANX_ENOTSUP, ANX_EAGAIN, ANX_ECORRUPT, ANX_EBROKEN,
    ANX_EPERM, ANX_EAUTH,
};

static int is_unknown_text(const char *s)
{
    return strncmp(s, "error ", 6) == 0;
}

TEST(every_code_has_its_own_message)
{
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        const char *m = anx_strerror(codes[i]);
        CHECK(m && m[0]);
        CHECK(!is_unknown_text(m));
        for (size_t j = 0; j < i; j++)
            if (host_strcmp(m, anx_strerror(codes[j])) == 0) {
                fprintf(stderr, "  codes %d and %d share \"%s\"\n", codes[i], codes[j], m);
                CHECK(!"distinct messages");
            }
    }
    CHECK_STR(anx_strerror(ANX_OK), "ok");
    CHECK_STR(anx_strerror(ANX_ENOMEM), "out of memory");
    CHECK_STR(anx_strerror(ANX_EROFS), "read-only");
}

/* The codes are contiguous from 0 down: walking until the first unknown
 * one must pass every code above, so a code added to the enum without a
 * message (or with a gap) shows here. */
TEST(codes_are_contiguous_and_listed)
{
    int lowest = 0;
    for (int c = 0; c > -1000 && !is_unknown_text(anx_strerror(c)); c--)
        lowest = c;
    CHECK_EQ(lowest, ANX_EAUTH);
    CHECK_EQ((long long)(sizeof codes / sizeof codes[0]), -(long long)lowest + 1);
}

TEST(unknown_codes_say_error_n)
{
    CHECK_STR(anx_strerror(ANX_EAUTH - 1), "error -17");
    CHECK_STR(anx_strerror(-1000), "error -1000");
    CHECK_STR(anx_strerror(5), "error 5");
    CHECK_STR(anx_strerror(INT_MIN), "error -2147483648");
    CHECK_STR(anx_strerror(INT_MAX), "error 2147483647");
}

int main(void)
{
    RUN(every_code_has_its_own_message);
    RUN(codes_are_contiguous_and_listed);
    RUN(unknown_codes_say_error_n);
    return unit_done();
}
