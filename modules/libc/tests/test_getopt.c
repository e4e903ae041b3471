/* getopt and getopt_long against glibc's on the same argument vectors:
 * every return value, optarg, optind, optopt, the long option index and
 * the permuted argv, step by step. opterr is 0 for both (the messages go
 * to different consoles); one vector checks that a message is printed. */
#include <getopt.h>

#include "libc_test.h"

extern char *libc_optarg;
extern int libc_optind, libc_opterr, libc_optopt;
int libc_getopt(int argc, char *const argv[], const char *opts);
int libc_getopt_long(int argc, char *const argv[], const char *opts, const struct option *lo, int *index);

static int flag_a, flag_b;
static const struct option longopts[] = {
    {"verbose", no_argument, NULL, 'v'},
    {"output", required_argument, NULL, 'o'},
    {"color", optional_argument, NULL, 'c'},
    {"colour", optional_argument, NULL, 'c'},   /* same meaning: not ambiguous */
    {"flag-a", no_argument, &flag_a, 1},
    {"flag-b", no_argument, &flag_b, 7},
    {"file", required_argument, NULL, 'f'},
    {"fast", no_argument, NULL, 'F'},
    {NULL, 0, NULL, 0},
};

#define MAXA 16

static void run(const char *opts, int use_long, const char *const *words)
{
    char *mine[MAXA], *theirs[MAXA], store[MAXA][32];
    int argc = 0;
    for (; words[argc]; argc++) {
        strcpy(store[argc], words[argc]);
        mine[argc] = theirs[argc] = store[argc];
    }
    mine[argc] = theirs[argc] = NULL;
    optind = 0;
    libc_optind = 0;
    opterr = libc_opterr = 0;
    for (int step = 0; step < 40; step++) {
        int i1 = -7, i2 = -7;
        flag_a = flag_b = 0;
        int r2 = use_long ? getopt_long(argc, theirs, opts, longopts, &i2) : getopt(argc, theirs, opts);
        int fa = flag_a, fb = flag_b;
        flag_a = flag_b = 0;
        int r1 = use_long ? libc_getopt_long(argc, mine, opts, longopts, &i1) : libc_getopt(argc, mine, opts);
        CHECK(r1 == r2 && libc_optind == optind && i1 == i2 && fa == flag_a && fb == flag_b,
              "\"%s\" %s step %d: returned %d (glibc %d), optind %d (%d), index %d (%d)", opts, words[1], step, r1,
              r2, libc_optind, optind, i1, i2);
        CHECK((libc_optarg == NULL) == (optarg == NULL) &&
                  (!optarg || libc_optarg - store[0] == optarg - store[0]),
              "\"%s\" %s step %d: optarg \"%s\" (glibc \"%s\")", opts, words[1], step,
              libc_optarg ? libc_optarg : "(null)", optarg ? optarg : "(null)");
        if (r2 == '?' || r2 == ':')
            CHECK(libc_optopt == optopt, "optopt %d (glibc %d)", libc_optopt, optopt);
        if (r1 == -1 || r2 == -1)
            break;
    }
    for (int i = 0; i < argc; i++)
        CHECK(mine[i] == theirs[i], "\"%s\" %s: argv[%d] \"%s\" (glibc \"%s\")", opts, words[1], i, mine[i], theirs[i]);
}

int main(void)
{
    static const char *const v1[] = {"prog", "-a", "-b", "file", NULL};
    static const char *const v2[] = {"prog", "-ab", "-cfoo", "-c", "bar", "x", "-d", NULL};
    static const char *const v3[] = {"prog", "x", "-a", "y", "-c", "z", "w", "--", "-b", NULL};
    static const char *const v4[] = {"prog", "-q", "-c", NULL};
    static const char *const v5[] = {"prog", "-", "-a", "--", NULL};
    static const char *const v6[] = {"prog", "-e", "-eopt", "-e", "next", "-ae", NULL};
    static const char *const v7[] = {"prog", "a", "b", "-a", "c", "-b", "d", "-c", "e", "f", NULL};
    static const char *const v8[] = {"prog", "--verbose", "--output=x", "--output", "y", "--col", "--color=red",
                                     "--flag-a", "--flag-b", NULL};
    static const char *const v9[] = {"prog", "--f", "--fi", "a", "--fa", "--nope", "--verbose=1", "--output", NULL};
    static const char *const v10[] = {"prog", "arg", "--verb", "-v", "--", "--output", NULL};
    static const char *const v11[] = {"prog", "-o", NULL};
    static const char *const v12[] = {"prog", "-vofile", "--c", "x", "-:", NULL};
    static const char *const v13[] = {"prog", NULL};
    static const char *const *const vs[] = {v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13};
    static const char *const optstrings[] = {"abc:d", "+abc:", "-abc:", ":abc:", "abe::", "ab:c", "vo:c::f:F", ":vo:",
                                             "-vo:", "+v"};
    for (size_t s = 0; s < sizeof optstrings / sizeof *optstrings; s++)
        for (size_t v = 0; v < sizeof vs / sizeof *vs; v++) {
            run(optstrings[s], 0, vs[v]);
            run(optstrings[s], 1, vs[v]);
        }
    /* a message, in glibc's words, when opterr is set: on stderr, which
     * here is the console the test's output is compared on; only checked
     * for not crashing and returning '?' */
    char *argv[] = {(char *)"prog", (char *)"-z", NULL};
    libc_optind = 0;
    libc_opterr = 1;
    CHECK(libc_getopt(2, argv, "a") == '?' && libc_optopt == 'z', "an unknown option with opterr");
    return t_done();
}
