/*
 * <getopt.h> (getopt.c): POSIX getopt and GNU getopt_long, following
 * glibc's behaviour: options and operands may be mixed (argv is permuted
 * so that operands end up after optind) unless the option string starts
 * with '+' (stop at the first operand; an image has no POSIXLY_CORRECT)
 * or '-' (each operand returned as the argument of option 1); a leading
 * ':' (after those) silences the messages and returns ':' for a missing
 * argument; "--" ends the options; optind = 0 starts a new scan. Long
 * options may be abbreviated to any unambiguous prefix. Messages go to
 * stderr (the console) in glibc's words when opterr is set.
 * Missing versus glibc: getopt_long_only, "W;" (-W foo as --foo).
 */
#ifndef LIBC_GETOPT_H
#define LIBC_GETOPT_H

#include "libc_defs.h"

#define no_argument 0
#define required_argument 1
#define optional_argument 2

struct option {
    const char *name;
    int has_arg;
    int *flag;
    int val;
};

extern char *optarg LIBC_SYM(optarg);
extern int optind LIBC_SYM(optind), opterr LIBC_SYM(opterr), optopt LIBC_SYM(optopt);
int getopt(int argc, char *const argv[], const char *opts) LIBC_SYM(getopt);
int getopt_long(int argc, char *const argv[], const char *opts, const struct option *longopts,
                int *index) LIBC_SYM(getopt_long);

#endif
