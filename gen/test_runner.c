/*
 * anx test: build, boot headless with the serial console on pipes, run the
 * manifest's checks in order (one line each), and always stop QEMU. Every
 * wait has a deadline; QEMU is started with PR_SET_PDEATHSIG so it dies
 * with us even if we are killed.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int parse_accel(const char *s, enum accel *a);

static int err_fd = -1;
static struct buf qemu_stderr;
static volatile pid_t current_qemu;

static void on_signal(int sig)
{
    if (current_qemu > 0)
        kill(-current_qemu, SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void reap(struct test_session *t, bool block)
{
    if (t->exited || t->pid <= 0)
        return;
    int st;
    pid_t r = waitpid(t->pid, &st, block ? 0 : WNOHANG);
    if (r == t->pid) {
        t->exited = true;
        t->wstatus = st;
        current_qemu = 0;
    }
}

/* Reads what QEMU printed until the deadline or until something arrives.
 * Returns true when new console bytes came in. */
static bool pump(struct test_session *t, double deadline)
{
    for (;;) {
        struct pollfd pf[2];
        int n = 0;
        if (t->out_fd >= 0)
            pf[n++] = (struct pollfd){t->out_fd, POLLIN, 0};
        if (err_fd >= 0)
            pf[n++] = (struct pollfd){err_fd, POLLIN, 0};
        if (n == 0) {
            reap(t, false);
            usleep(10000);
            return false;
        }
        double left = deadline - now_ms();
        if (left < 0)
            left = 0;
        int r = poll(pf, (nfds_t)n, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        bool got = false;
        for (int i = 0; i < n; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char b[4096];
            ssize_t k = read(pf[i].fd, b, sizeof b);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                close(pf[i].fd);
                if (pf[i].fd == t->out_fd)
                    t->out_fd = -1;
                else
                    err_fd = -1;
                continue;
            }
            if (pf[i].fd == err_fd) {
                buf_add(&qemu_stderr, b, (size_t)k);
                continue;
            }
            if (t->log)
                fwrite(b, 1, (size_t)k, t->log);
            for (ssize_t j = 0; j < k; j++)   /* NULs would cut the regex search short */
                if (!b[j])
                    b[j] = ' ';
            buf_add(&t->console, b, (size_t)k);
            got = true;
        }
        if (t->out_fd < 0)
            reap(t, false);
        if (got)
            return true;
        if (now_ms() >= deadline)
            return false;
    }
}

static double deadline_of(const struct check *c)
{
    return now_ms() + (double)c->timeout_ns / 1e6;
}

/* Searches re from the current position; advances past a match. */
static bool search(struct test_session *t, regex_t *re)
{
    regmatch_t mt;
    const char *s = buf_cstr(&t->console) + t->pos;
    int flags = (t->pos > 0 && t->console.p[t->pos - 1] != '\n') ? REG_NOTBOL : 0;
    if (regexec(re, s, 1, &mt, flags) == 0) {
        t->pos += (size_t)mt.rm_eo;
        return true;
    }
    return false;
}

static int expect_regex(struct test_session *t, const char *pattern, double deadline, double start, char *why,
                        size_t whylen)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE)) {
        snprintf(why, whylen, "invalid regular expression");
        return 1;
    }
    int rc = 0;
    for (;;) {
        if (search(t, &re))
            break;
        if (t->out_fd < 0) {
            snprintf(why, whylen, "QEMU exited before /%s/ appeared", pattern);
            rc = 1;
            break;
        }
        if (now_ms() >= deadline) {
            snprintf(why, whylen, "/%s/ not seen within %.1f s", pattern, (deadline - start) / 1e3);
            rc = 1;
            break;
        }
        pump(t, deadline);
    }
    regfree(&re);
    return rc;
}

int run_serial(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    double start = now_ms();
    return expect_regex(t, c->arg, deadline_of(c), start, why, whylen);
}

static bool find_literal(struct test_session *t, const char *lit)
{
    const char *s = buf_cstr(&t->console) + t->pos;
    const char *f = strstr(s, lit);
    if (!f)
        return false;
    t->pos += (size_t)(f - s) + strlen(lit);
    return true;
}

int run_shell(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    double start = now_ms(), deadline = deadline_of(c);
    while (!find_literal(t, t->prompt)) {
        if (t->out_fd < 0 || now_ms() >= deadline) {
            snprintf(why, whylen, "no shell prompt \"%s\" %s", t->prompt,
                     t->out_fd < 0 ? "before QEMU exited" : "within the timeout");
            return 1;
        }
        pump(t, deadline);
    }
    char *line = xasprintf("%s\n", c->arg);
    size_t len = strlen(line), done = 0;
    while (done < len) {
        ssize_t w = write(t->in_fd, line + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(why, whylen, "cannot type into QEMU: %s", strerror(errno));
            return 1;
        }
        done += (size_t)w;
    }
    /* Skip the echo of the typed line, so the expected text must come from
     * the command's output rather than from what we typed. */
    size_t sent = t->pos;
    double echo_deadline = now_ms() + 2000 < deadline ? now_ms() + 2000 : deadline;
    for (;;) {
        const char *s = buf_cstr(&t->console) + sent;
        const char *nl = strchr(s, '\n');
        if (nl) {
            char *first = xstrndup(s, (size_t)(nl - s));
            if (strstr(first, c->arg))
                t->pos = sent + (size_t)(nl - s) + 1;
            break;
        }
        if (t->out_fd < 0 || now_ms() >= echo_deadline)
            break;
        pump(t, echo_deadline);
    }
    return expect_regex(t, c->expect, deadline, start, why, whylen);
}

int run_exit(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    double deadline = deadline_of(c);
    while (!t->exited) {
        if (now_ms() >= deadline) {
            snprintf(why, whylen, "QEMU still running after %.1f s", (double)c->timeout_ns / 1e9);
            return 1;
        }
        pump(t, deadline);
        reap(t, false);
    }
    char reason[256];
    int status = guest_status(t->plat, t->wstatus, reason, sizeof reason);
    if (status < 0) {
        snprintf(why, whylen, "%s", reason);
        return 1;
    }
    if (status != c->status) {
        snprintf(why, whylen, "guest exited with status %d, expected %lld", status, (long long)c->status);
        return 1;
    }
    return 0;
}

int run_http(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    (void)t;
    (void)c;
    snprintf(why, whylen, "http checks are not supported yet");
    return 1;
}

static void show_tail(struct test_session *t, int lines)
{
    const char *s = buf_cstr(&t->console);
    size_t n = t->console.n;
    size_t i = n;
    int seen = 0;
    while (i > 0 && seen <= lines) {
        i--;
        if (s[i] == '\n')
            seen++;
    }
    if (seen > lines)
        i++;
    printf("      --- last console lines ---\n");
    const char *p = s + i;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        while (l && p[l - 1] == '\r')
            l--;
        printf("      | %.*s\n", (int)l, p);
        if (!e)
            break;
        p = e + 1;
    }
    if (qemu_stderr.n)
        printf("      --- QEMU stderr ---\n      %s\n", buf_cstr(&qemu_stderr));
}

static pid_t start_qemu(struct strlist *qa, int *in_fd, int *out_fd, int *errfd)
{
    int in[2], out[2], er[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC))
        return -1;
    strlist_push(qa, "");
    qa->v[qa->n - 1] = NULL;
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        setpgid(0, 0);   /* keep terminal signals away; we stop it ourselves */
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(er[1], 2);
        execvp(qa->v[0], qa->v);
        fprintf(stderr, "anx: cannot run %s: %s\n", qa->v[0], strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    *in_fd = in[1];
    *out_fd = out[0];
    *errfd = er[0];
    return pid;
}

/* Builds and tests one manifest; adds to the counts. */
static void test_one(const char *path, const struct build_opts *bo, const struct qemu_opts *qo, int *passed,
                     int *failed)
{
    struct catalog cat;
    struct manifest m;
    struct resolution r;
    printf("%s\n", path_display(path));
    fflush(stdout);
    if (load_and_resolve(path, bo->platform, &cat, &m, &r)) {
        printf("  %-40s FAIL  (manifest errors above)\n", "manifest");
        (*failed)++;
        return;
    }
    if (check_boot_mode(r.plat, qo->boot) < 0) {
        (*failed)++;
        return;
    }
    struct build_result res = {0};
    double t0 = now_ms();
    if (build(&cat, &m, &r, bo, &res)) {
        printf("  %-40s FAIL  %.2f s\n", "build", (now_ms() - t0) / 1e3);
        (*failed)++;
        return;
    }
    if (m.nchecks == 0) {
        printf("  (no test: checks in this manifest)\n");
        return;
    }
    struct strlist qa = {0};
    if (qemu_argv(&m, &r, &res, qo, &qa)) {
        (*failed)++;
        return;
    }
    printf("  boot     %s\n", argv_text(&qa));
    struct test_session t = {0};
    t.plat = r.plat;
    t.prompt = resolved_string(&r, "shell", "prompt");
    if (!t.prompt || !*t.prompt)
        t.prompt = "anx> ";
    char *logpath = path_join(res.outdir, "console.log");
    t.log = fopen(logpath, "w");
    qemu_stderr.n = 0;
    t.pid = start_qemu(&qa, &t.in_fd, &t.out_fd, &err_fd);
    if (t.pid < 0) {
        printf("  %-40s FAIL  cannot start QEMU\n", "boot");
        (*failed)++;
        return;
    }
    current_qemu = t.pid;
    double boot0 = now_ms();
    for (size_t i = 0; i < m.nchecks; i++) {
        const struct check *c = &m.checks[i];
        char why[512] = "";
        double c0 = now_ms();
        int rc = c->type->run(&t, c, why, sizeof why);
        double el = (now_ms() - c0) / 1e3;
        if (rc == 0) {
            printf("  %-40s ok    %.2f s\n", c->label, el);
            (*passed)++;
        } else {
            printf("  %-40s FAIL  %.2f s  %s\n", c->label, el, why);
            show_tail(&t, 20);
            (*failed)++;
        }
        fflush(stdout);
    }
    if (!t.exited) {
        kill(-t.pid, SIGKILL);   /* its process group: QEMU and anything it started */
        reap(&t, true);
    }
    /* Drain what is left for the log. */
    while (t.out_fd >= 0 && pump(&t, now_ms() + 200))
        ;
    if (t.out_fd >= 0)
        close(t.out_fd);
    if (err_fd >= 0)
        close(err_fd);
    err_fd = -1;
    close(t.in_fd);
    current_qemu = 0;
    if (t.log)
        fclose(t.log);
    printf("  console  %s (%.2f s in QEMU)\n", path_display(logpath), (now_ms() - boot0) / 1e3);
}

static const char test_usage[] =
    "usage: anx test MANIFEST... [-p PLATFORM] [--boot MODE] [--accel kvm|tcg|auto]\n"
    "Builds each manifest, boots it headless and runs its test: checks in order,\n"
    "one line per check, then 'N passed, N failed'. Exits 0 only if all pass.\n"
    "  -p, --platform NAME  target platform (default: each manifest's platform:)\n"
    "  --boot MODE          a boot mode of the platform (default: its first)\n"
    "  --accel A            kvm, tcg or auto (default)\n"
    "  -o, --out DIR        build folder (only with one manifest)\n"
    "Check kinds: serial: REGEX | shell: CMD + expect: REGEX | exit: N | http: PATH (not yet),\n"
    "each with an optional timeout: (default 10s). The console goes to DIR/console.log.\n";

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"boot", required_argument, 0, 'b'},
        {"accel", required_argument, 0, 'a'},    {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0},
    };
    struct build_opts bo = {0};
    struct qemu_opts qo = {0};
    qo.for_test = true;
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
        case 'b':
            qo.boot = optarg;
            break;
        case 'a':
            if (parse_accel(optarg, &qo.accel)) {
                diag_error(NULL, "--accel expects kvm, tcg or auto, found '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(test_usage, stdout);
            return EXIT_OK;
        default:
            fputs(test_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc || (bo.outdir && argc - optind > 1)) {
        fputs(test_usage, stderr);
        return EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    bo.quiet = true;
    int passed = 0, failed = 0;
    for (int i = optind; i < argc; i++)
        test_one(argv[i], &bo, &qo, &passed, &failed);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? EXIT_FAIL : EXIT_OK;
}
