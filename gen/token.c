/*
 * anx token: capability tokens on the host (docs/security.md, "Capability
 * tokens"). mint makes one under the root key derived from a secret file
 * (the file an image gets with `anx run --secret NAME=FILE`, NAME its
 * apikey token_key), attenuate narrows one without any key, inspect shows
 * one and, given the key, checks its chain. The format, the chain and the
 * key derivation are modules/apikey/captoken.c, compiled in (gen/Makefile):
 * the same code the image checks tokens with.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "captoken.h"

static const char token_usage[] =
    "usage: anx token mint --key FILE [CAVEAT...]\n"
    "       anx token attenuate TOKEN CAVEAT...\n"
    "       anx token inspect TOKEN [--key FILE]\n"
    "Capability tokens for an image's HTTP doors (docs/security.md, 'Capability tokens'): send one\n"
    "as 'Authorization: Bearer anx1....'. FILE is the secret the image gets with\n"
    "'anx run --secret NAME=FILE', NAME its apikey token_key. TOKEN may be '-' for standard input.\n"
    "  mint         a new token with a random id and the caveats given, on standard output\n"
    "  attenuate    the token with more caveats: it can only narrow, and needs no key\n"
    "  inspect      the id and caveats; with --key, whether the tag is the key's (exit 1 if not)\n"
    "Caveats, in the order given, each a condition every request must meet:\n"
    "  --resource PATTERN   the path matches a router pattern (/api/v1/objects/docs/*)\n"
    "  --rights R[,R...]    read (GET, HEAD), write (PUT, POST, PATCH, DELETE), admin, or a\n"
    "                       scope the request's apikey rule names (infer, objects:read ...)\n"
    "  --expires WHEN       Unix seconds, or a duration from now: 90s, 30m, 1h, 7d\n"
    "  --caveat 'KEY VALUE' any other caveat (an image refuses a token with one it does not know)\n";

/* The root key from a secret file: 0, or -1 after an error naming it. */
static int key_from_file(const char *path, uint8_t root[32])
{
    size_t len;
    char *data;
    int e = read_file(path, &data, &len, 64 * 1024);
    if (e == -EFBIG) {
        diag_error(NULL, "token: --key %s: larger than 65536 bytes; a secret file has 32 to 65536", path);
        return -1;
    }
    if (e) {
        diag_error(NULL, "token: --key %s: cannot read it: %s", path, strerror(-e));
        return -1;
    }
    int rc = 0;
    if (len < 32) {
        /* the credential store refuses the same files (cred_provision) */
        diag_error(NULL, "token: --key %s: %zu bytes; a secret file has 32 to 65536 (make one with "
                   "'head -c 32 /dev/urandom > %s')", path, len, path);
        rc = -1;
    } else {
        apikey_cap_root_key((const uint8_t *)data, len, root);
    }
    explicit_bzero(data, len);   /* gen's blocks live until exit (xfree_all): wipe, not free */
    return rc;
}

/* "1h" from now, or Unix seconds, into a caveat value. */
static int expires_value(const char *s, char out[24])
{
    uint64_t at;
    if (apikey_cap_expires_at(s, (uint64_t)time(NULL), &at)) {
        diag_error(NULL, "token: --expires '%s': expected Unix seconds or a duration such as 90s, 30m, 1h, 7d", s);
        return -1;
    }
    if ((time_t)at <= time(NULL))
        fprintf(stderr, "anx: warning: token: --expires %s is in the past: the token is expired already\n", s);
    snprintf(out, 24, "%llu", (unsigned long long)at);
    return 0;
}

/* Add one caveat option to t: 0, or -1 after an error naming it. */
static int add_caveat(struct apikey_cap *t, int opt, const char *arg)
{
    char err[160], value[24], kv[APIKEY_CAP_KEY_MAX + APIKEY_CAP_VALUE_MAX + 2];
    const char *key = opt == 'r' ? "resource" : opt == 'R' ? "rights" : "expires";
    const char *val = arg;
    if (opt == 'e') {
        if (expires_value(arg, value))
            return -1;
        val = value;
    } else if (opt == 'c') {
        const char *sp = strchr(arg, ' ');
        if (!sp || strlen(arg) >= sizeof kv) {
            diag_error(NULL, "token: --caveat '%s': expected 'KEY VALUE'", arg);
            return -1;
        }
        memcpy(kv, arg, (size_t)(sp - arg));
        kv[sp - arg] = 0;
        key = kv;
        val = sp + 1;
    }
    if (apikey_cap_add(t, key, val, err, sizeof err)) {
        diag_error(NULL, "token: caveat '%s %s': %s", key, val, err);
        return -1;
    }
    return 0;
}

/* A token's text from an argument, or standard input for "-": 0 and t, or -1. */
static int token_arg(const char *arg, struct apikey_cap *t)
{
    char buf[APIKEY_CAP_TEXT_MAX + 2], err[160];
    const char *s = arg;
    if (!strcmp(arg, "-")) {
        size_t n = fread(buf, 1, sizeof buf - 1, stdin);
        buf[n] = 0;
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
            buf[--n] = 0;
        s = buf;
    }
    if (apikey_cap_decode(s, strlen(s), t, err, sizeof err)) {
        diag_error(NULL, "token: '%.40s%s': %s", s, strlen(s) > 40 ? "..." : "", err);
        return -1;
    }
    return 0;
}

static int print_token(const struct apikey_cap *t)
{
    char out[APIKEY_CAP_TEXT_MAX + 1];
    if (apikey_cap_encode(t, out, sizeof out) < 0) {
        diag_error(NULL, "token: the token does not fit in %d bytes", APIKEY_CAP_TEXT_MAX);
        return EXIT_FAIL;
    }
    puts(out);
    return EXIT_OK;
}

static const struct option caveat_opts[] = {
    {"key", required_argument, 0, 'k'},     {"resource", required_argument, 0, 'r'},
    {"rights", required_argument, 0, 'R'},  {"expires", required_argument, 0, 'e'},
    {"caveat", required_argument, 0, 'c'},  {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

/* parse()'s answer after --help: the usage is printed, the command exits 0 */
#define HELP_SHOWN (-1)

/* Parse argv from optind on, up to the first argument that is not an
 * option: caveats into t (when t), --key into *key (when key). 0, an exit
 * code after an error, or HELP_SHOWN. */
static int parse(int argc, char **argv, struct apikey_cap *t, const char **key, int *ncaveats)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+h", caveat_opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            fputs(token_usage, stdout);
            return HELP_SHOWN;
        case 'k':
            if (!key) {
                diag_error(NULL, "token %s: --key is not needed: attenuating takes no key", argv[0]);
                return EXIT_USAGE;
            }
            *key = optarg;
            break;
        case 'r':
        case 'R':
        case 'e':
        case 'c':
            if (!t) {
                diag_error(NULL, "token %s: '%s' adds a caveat: use mint or attenuate", argv[0], argv[optind - 1]);
                return EXIT_USAGE;
            }
            if (add_caveat(t, c, optarg))
                return EXIT_USAGE;
            ++*ncaveats;
            break;
        default:
            diag_error(NULL, "token %s: unknown option or missing value '%s'; see 'anx token --help'", argv[0],
                       argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    return 0;
}

static int token_mint(int argc, char **argv)
{
    static struct apikey_cap t;
    const char *key = NULL;
    int n = 0, rc;
    uint8_t root[32], id[APIKEY_CAP_ID_BYTES];
    /* the key comes first: caveats are chained from its tag */
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
        else if (!strncmp(argv[i], "--key=", 6))
            key = argv[i] + 6;
    if (!key) {
        for (int i = 1; i < argc; i++)
            if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
                fputs(token_usage, stdout);
                return EXIT_OK;
            }
        diag_error(NULL, "token mint: --key FILE is required (the secret given to the image with --secret)");
        return EXIT_USAGE;
    }
    if (key_from_file(key, root))
        return EXIT_USAGE;
    if (getrandom(id, sizeof id, 0) != (ssize_t)sizeof id) {
        diag_error(NULL, "token mint: no random bytes for the id: %s", strerror(errno));
        return EXIT_FAIL;
    }
    apikey_cap_mint(&t, root, id);
    explicit_bzero(root, sizeof root);
    optind = 1;
    if ((rc = parse(argc, argv, &t, &key, &n)))
        return rc == HELP_SHOWN ? EXIT_OK : rc;
    if (optind != argc) {
        diag_error(NULL, "token mint: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!n)
        fprintf(stderr, "anx: warning: token mint: no caveat: the token allows whatever an admin key does\n");
    return print_token(&t);
}

static int token_attenuate(int argc, char **argv)
{
    static struct apikey_cap t;
    int n = 0, rc;
    optind = 1;
    /* the token first (getopt stops at it with '+'), then the caveats */
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(token_usage, stdout);
        return EXIT_OK;
    }
    if (argc < 2 || (argv[1][0] == '-' && argv[1][1])) {
        diag_error(NULL, "token attenuate: expected TOKEN first, then caveats; see 'anx token --help'");
        return EXIT_USAGE;
    }
    if (token_arg(argv[1], &t))
        return EXIT_USAGE;
    optind = 2;
    if ((rc = parse(argc, argv, &t, NULL, &n)))
        return rc == HELP_SHOWN ? EXIT_OK : rc;
    if (optind != argc) {
        diag_error(NULL, "token attenuate: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (!n) {
        diag_error(NULL, "token attenuate: no caveat given (--resource, --rights, --expires or --caveat)");
        return EXIT_USAGE;
    }
    return print_token(&t);
}

static int token_inspect(int argc, char **argv)
{
    static struct apikey_cap t;
    const char *key = NULL, *tok = NULL;
    int n = 0, rc;
    optind = 1;
    while (optind < argc) {
        if ((rc = parse(argc, argv, NULL, &key, &n)))
            return rc == HELP_SHOWN ? EXIT_OK : rc;
        if (optind < argc) {
            if (tok) {
                diag_error(NULL, "token inspect: one TOKEN only ('%s' is a second)", argv[optind]);
                return EXIT_USAGE;
            }
            tok = argv[optind++];
        }
    }
    if (!tok) {
        diag_error(NULL, "token inspect: expected TOKEN; see 'anx token --help'");
        return EXIT_USAGE;
    }
    if (token_arg(tok, &t))
        return EXIT_USAGE;
    printf("id       %s\n", t.id);
    for (size_t i = 0; i < t.n; i++) {
        uint64_t at;
        printf("%-8s %s", t.c[i].key, t.c[i].value);
        if (!strcmp(t.c[i].key, "expires") && !apikey_cap_parse_seconds(t.c[i].value, &at)) {
            time_t when = (time_t)at;
            struct tm tm;
            char iso[32] = "?";
            if (gmtime_r(&when, &tm))
                strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
            printf(" (%s%s)", iso, when <= time(NULL) ? ", expired" : "");
        }
        if (apikey_cap_caveat_check(t.c[i].key, t.c[i].value, NULL, 0))
            printf(" (an image does not know this caveat or its value: it refuses the token)");
        putchar('\n');
    }
    if (!key) {
        printf("tag      not checked (give --key FILE)\n");
        return EXIT_OK;
    }
    uint8_t root[32];
    if (key_from_file(key, root))
        return EXIT_USAGE;
    bool ok = apikey_cap_verify(&t, root);
    explicit_bzero(root, sizeof root);
    printf("tag      %s\n", ok ? "valid for this key" : "INVALID: altered, or made with another key");
    return ok ? EXIT_OK : EXIT_FAIL;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(token_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "mint"))
        return token_mint(argc - 1, argv + 1);
    if (!strcmp(argv[1], "attenuate"))
        return token_attenuate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "inspect"))
        return token_inspect(argc - 1, argv + 1);
    diag_error(NULL, "token: unknown command '%s' (mint, attenuate or inspect); see 'anx token --help'", argv[1]);
    return EXIT_USAGE;
}
