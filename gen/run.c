/*
 * anx run: build if needed, then boot the image in QEMU with the serial
 * console on this terminal, and exit with the guest's exit status.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int parse_accel(const char *s, enum accel *a);

/* A disk size: a number with an optional K/M/G/T suffix (powers of 1024),
 * 1M to 1T and a multiple of 512. */
/* The QEMU options anx run and anx test share. Returns 1 when c is one of
 * them (handled), 0 when it is not, -1 after reporting a bad value. */
int qemu_option(int c, const char *arg, struct qemu_opts *q)
{
    switch (c) {
    case 'd':
        q->disk = path_abs(arg);
        return 1;
    case 'S':
        if (parse_disk_size(arg, &q->disk_size)) {
            diag_error(NULL, "--disk-size expects a size between 1M and 1T like 64M or 1G, found '%s'", arg);
            return -1;
        }
        return 1;
    case 'b':
        q->boot = arg;
        return 1;
    case 'a':
        if (parse_accel(arg, &q->accel)) {
            diag_error(NULL, "--accel expects kvm, tcg or auto, found '%s'", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

int parse_disk_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    int shift = 0;
    switch (*end) {
    case 'K': case 'k': shift = 10; end++; break;
    case 'M': case 'm': shift = 20; end++; break;
    case 'G': case 'g': shift = 30; end++; break;
    case 'T': case 't': shift = 40; end++; break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > (1ULL << 40) >> shift)
        return -1;
    v <<= shift;
    if (v < (1ULL << 20) || v > (1ULL << 40) || v % 512)
        return -1;
    *out = v;
    return 0;
}

int parse_accel(const char *s, enum accel *a)
{
    if (!strcmp(s, "auto"))
        *a = ACCEL_AUTO;
    else if (!strcmp(s, "kvm"))
        *a = ACCEL_KVM;
    else if (!strcmp(s, "tcg"))
        *a = ACCEL_TCG;
    else
        return -1;
    return 0;
}

static const char run_usage[] =
    "usage: anx run MANIFEST [-p PLATFORM] [--port HOST:GUEST]... [--disk FILE [--disk-size SIZE]]\n"
    "               [--display] [--boot MODE] [--accel kvm|tcg|auto] [-o DIR]\n"
    "Builds the image if needed and boots it in QEMU with the serial console on this\n"
    "terminal (Ctrl-A X quits). Exits with the guest's exit status.\n"
    "  -p, --platform NAME  target platform (default: the manifest's platform:)\n"
    "  --port HOST:GUEST    forward 127.0.0.1:HOST to the guest's GUEST port (repeatable);\n"
    "                       replaces the manifest's forward of the same guest port\n"
    "  --disk FILE          attach FILE as a disk when the image has a disk driver module\n"
    "                       (created sparse on first use; default with run: disk: in the\n"
    "                       manifest: DIR/disk.img, kept between runs)\n"
    "  --disk-size SIZE     size of a disk created now (like 64M, 1G; default the manifest's\n"
    "                       run: disk: size or 64M)\n"
    "  --display            open a display window instead of -nographic\n"
    "  --boot MODE          a boot mode of the platform (default: its first, the fast path)\n"
    "  --accel A            kvm, tcg or auto (KVM only if /dev/kvm opens and the CPU has vmx/svm)\n"
    "  -o, --out DIR        build folder (default build/NAME-PLATFORM)\n";

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"port", required_argument, 0, 'P'},
        {"disk", required_argument, 0, 'd'},     {"display", no_argument, 0, 'D'},
        {"boot", required_argument, 0, 'b'},     {"accel", required_argument, 0, 'a'},
        {"out", required_argument, 0, 'o'},      {"help", no_argument, 0, 'h'},
        {"disk-size", required_argument, 0, 'S'}, {0, 0, 0, 0},
    };
    struct qemu_opts q = {0};
    struct build_opts bo = {0};
    q.ports = xcalloc((size_t)argc + 1, sizeof *q.ports);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "p:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            bo.platform = optarg;
            break;
        case 'o':
            bo.outdir = optarg;
            break;
        case 'P':
            if (parse_port(optarg, &q.ports[q.nports].host, &q.ports[q.nports].guest)) {
                diag_error(NULL, "--port expects HOST:GUEST with ports 1-65535, found '%s'", optarg);
                return EXIT_USAGE;
            }
            q.nports++;
            break;
        case 'D':
            q.display = true;
            break;
        case 'h':
            fputs(run_usage, stdout);
            return EXIT_OK;
        default:
            switch (qemu_option(c, optarg, &q)) {
            case 1:
                break;
            case 0:
                fputs(run_usage, stderr);
                /* fall through */
            default:
                return EXIT_USAGE;
            }
        }
    }
    if (argc - optind != 1) {
        fputs(run_usage, stderr);
        return EXIT_USAGE;
    }
    struct catalog cat;
    struct manifest m;
    struct resolution r;
    int rc = load_and_resolve(argv[optind], bo.platform, &cat, &m, &r);
    if (rc)
        return rc;
    if (check_boot_mode(r.plat, q.boot) < 0)
        return EXIT_USAGE;
    struct build_result res = {0};
    bo.quiet = true;
    if (build(&cat, &m, &r, &bo, &res))
        return EXIT_FAIL;
    if (!q.disk && m.disk_size && disk_driver(r.plat, &r))
        q.disk = path_join(res.outdir, "disk.img");
    if (q.disk && disk_driver(r.plat, &r) &&
        disk_prepare(q.disk, q.disk_size ? q.disk_size : m.disk_size ? m.disk_size : DISK_SIZE_DEFAULT, false))
        return EXIT_FAIL;
    struct strlist qa = {0};
    if (qemu_argv(&m, &r, &res, &q, &qa))
        return EXIT_USAGE;
    fprintf(stderr, "anx: booting %s: %s\n", path_display(res.main_image), argv_text(&qa));
    strlist_push(&qa, "");
    qa.v[qa.n - 1] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return EXIT_FAIL;
    if (pid == 0) {
        execvp(qa.v[0], qa.v);
        fprintf(stderr, "anx: cannot run %s: %s\n", qa.v[0], strerror(errno));
        _exit(127);
    }
    /* The terminal's Ctrl-C belongs to QEMU (or the guest), not to us. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return EXIT_FAIL;
    char why[256];
    int status = guest_status(r.plat, st, why, sizeof why);
    if (status < 0) {
        fprintf(stderr, "anx: %s\n", why);
        return EXIT_FAIL;
    }
    fprintf(stderr, "anx: guest exited with status %d\n", status);
    return status > 255 ? 255 : status;
}
