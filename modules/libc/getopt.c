/*
 * getopt and getopt_long, glibc's algorithm (argv permutation, "--",
 * abbreviated long options, the same messages), so that a ported
 * program parses its command line as it does on Linux.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

char *optarg;
int optind = 1, opterr = 1, optopt = '?';

enum { PERMUTE, REQUIRE_ORDER, RETURN_IN_ORDER };

static struct {
    int ready, ordering;
    const char *next;                  /* the rest of a cluster of short options */
    int first_nonopt, last_nonopt;     /* operands already passed over, to move */
} s;

/* [first_nonopt, last_nonopt) and [last_nonopt, optind) swap places:
 * the operands skipped go after the options found since. */
static void exchange(char **argv)
{
    int a = s.first_nonopt, m = s.last_nonopt, b = optind;
    for (int k = 0; k < b - m; k++) {  /* rotate one option at a time to the front */
        char *t = argv[m + k];
        memmove(&argv[a + k + 1], &argv[a + k], (size_t)(m - a) * sizeof *argv);
        argv[a + k] = t;
    }
    s.first_nonopt += b - m;
    s.last_nonopt = b;
}

static int nonoption(char *const argv[], int i) { return argv[i][0] != '-' || argv[i][1] == 0; }

static const char *init(const char *opts)
{
    s.first_nonopt = s.last_nonopt = optind;
    s.next = NULL;
    s.ordering = opts[0] == '-' ? RETURN_IN_ORDER : opts[0] == '+' ? REQUIRE_ORDER : PERMUTE;
    s.ready = 1;
    return opts;
}

static int long_option(int argc, char *const argv[], const char *opts, const struct option *lo,
                       int *index, int print)
{
    const char *name = s.next;
    size_t len = strcspn(name, "=");
    const struct option *found = NULL;
    int at = -1, ambiguous = 0;
    for (int i = 0; lo[i].name; i++)
        if (!strncmp(lo[i].name, name, len) && strlen(lo[i].name) == len) {
            found = &lo[i];
            at = i;
            break;
        }
    if (!found)
        for (int i = 0; lo[i].name; i++) {
            if (strncmp(lo[i].name, name, len))
                continue;
            if (!found) {
                found = &lo[i];
                at = i;
            } else if (found->has_arg != lo[i].has_arg || found->flag != lo[i].flag ||
                       found->val != lo[i].val) {
                ambiguous = 1;         /* two prefixes that mean different things */
            }
        }
    if (ambiguous) {
        if (print) {
            fprintf(stderr, "%s: option '--%s' is ambiguous; possibilities:", argv[0], name);
            for (int i = 0; lo[i].name; i++)
                if (!strncmp(lo[i].name, name, len))
                    fprintf(stderr, " '--%s'", lo[i].name);
            fputc('\n', stderr);
        }
        s.next = NULL;
        optind++;
        optopt = 0;
        return '?';
    }
    if (!found) {
        if (print)
            fprintf(stderr, "%s: unrecognized option '--%s'\n", argv[0], name);
        s.next = NULL;
        optind++;
        optopt = 0;
        return '?';
    }
    optind++;
    s.next = NULL;
    if (name[len] == '=') {
        if (!found->has_arg) {
            if (print)
                fprintf(stderr, "%s: option '--%s' doesn't allow an argument\n", argv[0], found->name);
            optopt = found->val;
            return '?';
        }
        optarg = (char *)name + len + 1;
    } else if (found->has_arg == required_argument) {
        if (optind >= argc) {
            if (print)
                fprintf(stderr, "%s: option '--%s' requires an argument\n", argv[0], found->name);
            optopt = found->val;
            return opts[0] == ':' ? ':' : '?';
        }
        optarg = argv[optind++];
    }
    if (index)
        *index = at;
    if (found->flag) {
        *found->flag = found->val;
        return 0;
    }
    return found->val;
}

static int short_option(int argc, char *const argv[], const char *opts, int print)
{
    char c = *s.next++;
    const char *spec = strchr(opts, c);
    if (!*s.next)
        optind++;
    if (!spec || c == ':' || c == ';') {
        if (print)
            fprintf(stderr, "%s: invalid option -- '%c'\n", argv[0], c);
        optopt = c;
        return '?';
    }
    if (spec[1] != ':')
        return c;
    if (*s.next) {                     /* "-ofile": the rest is the argument */
        optarg = (char *)s.next;
        optind++;
    } else if (spec[2] != ':') {       /* required: the next word */
        if (optind == argc) {
            if (print)
                fprintf(stderr, "%s: option requires an argument -- '%c'\n", argv[0], c);
            optopt = c;
            c = opts[0] == ':' ? ':' : '?';
        } else {
            optarg = argv[optind++];
        }
    }
    s.next = NULL;
    return c;
}

/* Move to the next word that holds options; -1 at the end. */
static int next_word(int argc, char *const argv[])
{
    char **av = (char **)argv;         /* permuting is glibc's documented behaviour */
    if (s.last_nonopt > optind)
        s.last_nonopt = optind;
    if (s.first_nonopt > optind)
        s.first_nonopt = optind;
    if (s.ordering == PERMUTE) {
        if (s.first_nonopt != s.last_nonopt && s.last_nonopt != optind)
            exchange(av);
        else if (s.last_nonopt != optind)
            s.first_nonopt = optind;
        while (optind < argc && nonoption(argv, optind))
            optind++;
        s.last_nonopt = optind;
    }
    if (optind != argc && !strcmp(argv[optind], "--")) {
        optind++;
        if (s.first_nonopt != s.last_nonopt && s.last_nonopt != optind)
            exchange(av);
        else if (s.first_nonopt == s.last_nonopt)
            s.first_nonopt = optind;
        s.last_nonopt = argc;
        optind = argc;
    }
    if (optind == argc) {
        if (s.first_nonopt != s.last_nonopt)
            optind = s.first_nonopt;   /* point at the operands moved to the end */
        return -1;
    }
    if (nonoption(argv, optind)) {
        if (s.ordering == REQUIRE_ORDER)
            return -1;
        optarg = argv[optind++];
        return 1;
    }
    return 0;
}

int getopt_long(int argc, char *const argv[], const char *opts, const struct option *longopts, int *index)
{
    if (argc < 1)
        return -1;
    optarg = NULL;
    if (optind == 0 || !s.ready) {
        if (optind == 0)
            optind = 1;
        init(opts);
    }
    if (opts[0] == '-' || opts[0] == '+')
        opts++;
    int print = opterr && opts[0] != ':';
    if (!s.next || !*s.next) {
        int r = next_word(argc, argv);
        if (r)
            return r;
        if (longopts && argv[optind][1] == '-') {
            s.next = argv[optind] + 2;
            return long_option(argc, argv, opts, longopts, index, print);
        }
        s.next = argv[optind] + 1;
    }
    return short_option(argc, argv, opts, print);
}

int getopt(int argc, char *const argv[], const char *opts)
{
    return getopt_long(argc, argv, opts, NULL, NULL);
}
