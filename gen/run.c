/*
 * anx run: build if needed, then boot the image in QEMU with the serial
 * console on this terminal, and exit with the guest's exit status.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>


/* --secret NAME=FILE: a credential's value for the image, handed to QEMU
 * as the fw_cfg file opt/anunix/secret/NAME (docs/credentials.md). anx
 * only checks that the file is there and small enough; it never reads it,
 * so the value is in no build output, log or report. 1, or -1 after an
 * error. */
static int secret_option(const char *arg, struct qemu_opts *q)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        diag_error(NULL, "--secret expects NAME=FILE (like --secret admin-password=build/pw.txt), found '%s'", arg);
        return -1;
    }
    char *name = xstrndup(arg, (size_t)(eq - arg));
    if (!valid_cred_name(name)) {
        diag_error(NULL, "--secret: invalid credential name '%s' (1-%d lowercase letters, digits, '-', '_' and '.', "
                         "as in the manifest's credentials:)", name, CRED_NAME_MAX);
        return -1;
    }
    for (size_t i = 0; i < q->nsecrets; i++)
        if (!strcmp(q->secrets[i].name, name)) {
            diag_error(NULL, "--secret %s is given twice; give each credential once", name);
            return -1;
        }
    struct stat st;
    if (stat(eq + 1, &st) || access(eq + 1, R_OK)) {
        diag_error(NULL, "--secret %s: cannot read '%s': %s", name, eq + 1, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(NULL, "--secret %s: '%s' is not a regular file", name, eq + 1);
        return -1;
    }
    if (st.st_size > SECRET_FILE_MAX) {
        diag_error(NULL, "--secret %s: '%s' is larger than %d KiB; a credential file holds one key, password, token or "
                         "authorized_keys list", name, eq + 1, SECRET_FILE_MAX / 1024);
        return -1;
    }
    q->secrets = xrealloc(q->secrets, (q->nsecrets + 1) * sizeof *q->secrets);
    q->secrets[q->nsecrets++] = (struct secret_arg){name, path_abs(eq + 1)};
    return 1;
}

/* --disk-fault RULES: a blkdebug rules file (QEMU's docs/devel/blkdebug.rst)
 * put in front of the disk, for tests of I/O errors. QEMU reads the file;
 * anx only checks that it can, and that the path survives blkdebug's
 * "blkdebug:RULES:IMAGE" syntax, which splits at ':'. */
static int disk_fault_option(const char *arg, struct qemu_opts *q)
{
    struct stat st;
    if (stat(arg, &st) || access(arg, R_OK)) {
        diag_error(NULL, "--disk-fault: cannot read the rules file '%s': %s", arg, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        diag_error(NULL, "--disk-fault: '%s' is not a regular file", arg);
        return -1;
    }
    char *path = path_abs(arg);
    if (strpbrk(path, ":,")) {
        diag_error(NULL, "--disk-fault: the path '%s' holds ':' or ',', which QEMU's "
                         "blkdebug: syntax cannot carry; copy the rules file to a path without "
                         "them", path);
        return -1;
    }
    q->disk_fault = path;
    return 1;
}

/* The QEMU options anx run and anx test share (--port, --disk, --disk-size,
 * --disk-fault, --boot, --accel). Returns 1 when c is one of them (handled), 0 when it is
 * not, -1 after reporting a bad value. */
int qemu_option(int c, const char *arg, struct qemu_opts *q)
{
    switch (c) {
    case 'P':
        q->ports = xrealloc(q->ports, (q->nports + 1) * sizeof *q->ports);
        memset(&q->ports[q->nports], 0, sizeof *q->ports);
        if (parse_port(arg, &q->ports[q->nports].host, &q->ports[q->nports].guest)) {
            diag_error(NULL, "--port expects HOST:GUEST with ports 1-65535, found '%s'", arg);
            return -1;
        }
        q->nports++;
        return 1;
    case 'd':
        q->disk = path_abs(arg);
        return 1;
    case 'S':
        if (parse_disk_size(arg, &q->disk_size)) {
            diag_error(NULL, "--disk-size expects a size between 1M and 1T like 64M or 1G, found '%s'", arg);
            return -1;
        }
        return 1;
    case 'F':
        return disk_fault_option(arg, q);
    case 'b':
        q->boot = arg;
        return 1;
    case 'C':
        return secret_option(arg, q);
    case 'a':
        if (parse_accel(arg, &q->accel)) {
            diag_error(NULL, "--accel expects kvm, tcg or auto, found '%s'", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* A disk size: a number with an optional K/M/G/T suffix (powers of 1024),
 * 1M to 1T and a multiple of 512. */
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
    "               [--disk-fault RULES] [--tap NAME] [--display none|gtk|vnc=:N | --vnc]\n"
    "               [--boot MODE] [--accel kvm|tcg|auto] [-o DIR] [--secret NAME=FILE]...\n"
    "               [--verify PUBLIC_KEY]\n"
    "Builds the image if needed (one line per step) and boots it in QEMU with the serial\n"
    "console on this terminal (Ctrl-A X quits). Exits with the guest's exit status; SIGTERM\n"
    "or SIGHUP stops QEMU too. The disk is locked while QEMU runs: anx store, another anx\n"
    "run or QEMU cannot use it meanwhile (nor can this run use a disk they hold).\n"
    "  -p, --platform NAME  target platform (default: the manifest's platform:)\n"
    "  --port HOST:GUEST    forward 127.0.0.1:HOST to the guest's GUEST port (repeatable);\n"
    "                       replaces the manifest's forward of the same guest port; a port\n"
    "                       already in use stops the run before boot\n"
    "  --disk FILE          attach FILE as a disk when the image has a disk driver module\n"
    "                       (created sparse on first use; default with run: disk: in the\n"
    "                       manifest: DIR/disk.img, kept between runs; raw images only)\n"
    "  --disk-size SIZE     size of a disk created now (like 64M, 1G; default the manifest's\n"
    "                       run: disk: size or 64M)\n"
    "  --disk-fault RULES   put QEMU's blkdebug driver in front of the disk, injecting the I/O\n"
    "                       errors of the rules file RULES (docs/anx.md, \"Disk faults\")\n"
    "  --tap NAME           the NIC on the existing host tap device NAME instead of QEMU's user\n"
    "                       network (no port forwards; the guest needs an address of that\n"
    "                       network, like net: ipv4: 10.0.3.15/24; docs/anx.md)\n"
    "  --display MODE       the screen: none (-nographic), gtk (a window) or vnc=:N (VNC on\n"
    "                       127.0.0.1, port 5900+N); --display alone means gtk, as before.\n"
    "                       Default with a display: section in the manifest: gtk when\n"
    "                       $DISPLAY or $WAYLAND_DISPLAY is set (and QEMU has GTK), else\n"
    "                       none. With a screen the serial console stays on this terminal\n"
    "  --vnc                VNC on 127.0.0.1 at a free display number, printed before boot\n"
    "  --boot MODE          a boot mode of the platform (default: its first, the fast path)\n"
    "  --accel A            kvm, tcg or auto (KVM only if /dev/kvm opens and the CPU has vmx/svm)\n"
    "  --secret NAME=FILE   give credential NAME of the manifest's credentials: its value from\n"
    "                       FILE (repeatable; at most 64 KiB), passed to the guest through\n"
    "                       QEMU's fw_cfg, never built into the image (docs/credentials.md)\n"
    "  --verify KEY         boot only a signed image: no build; the files anx sign signs in the\n"
    "                       build folder must match their .minisig under KEY (a minisign public\n"
    "                       key file, or its base64 string), else nothing boots (exit 1)\n"
    "  -o, --out DIR        build folder (default build/NAME-PLATFORM)\n";

/* ---- the screen: --display and --vnc -------------------------------------- */

/* --display's value as QEMU's -display value: NULL for none (anx keeps
 * -nographic), "gtk", "vnc=127.0.0.1:N". A VNC display without a host
 * listens on 127.0.0.1 only: an unauthenticated VNC server on every
 * interface would hand the guest's keyboard to the network. Returns 0, or
 * -1 after an error. */
static int parse_display_mode(const char *s, const char **out)
{
    if (!strcmp(s, "none")) {
        *out = NULL;
        return 0;
    }
    if (!strcmp(s, "gtk")) {
        *out = "gtk";
        return 0;
    }
    if (!strncmp(s, "vnc=", 4)) {
        const char *colon = strrchr(s + 4, ':');
        int64_t n;
        if (colon && parse_int(colon + 1, &n) == 0 && n >= 0 && n <= 99) {
            *out = colon == s + 4 ? xasprintf("vnc=127.0.0.1:%d", (int)n) : s;
            return 0;
        }
    }
    static const char *const modes[] = {"none", "gtk", "vnc=:0"};
    diag_error(NULL, "--display expects none, gtk or vnc=:N (N from 0 to 99, VNC port 5900+N), found '%s'%s", s,
               suggest(s, modes, 3));
    return -1;
}

/* Whether the word after a bare --display is its value (`--display gtk`,
 * as `--display=gtk`): a mode is, and so is any word that cannot be the
 * manifest (a typo like `--display vga` is then reported as a bad mode);
 * the manifest after --display alone (gtk, as before) is not. */
static bool display_word(const char *s)
{
    if (!strcmp(s, "none") || !strcmp(s, "gtk") || !strncmp(s, "vnc", 3))
        return true;
    size_t n = strlen(s);
    bool yaml = (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml"));
    return s[0] != '-' && !strchr(s, '/') && !yaml && !file_exists(s);
}

/* The first VNC display number from 0 whose port (5900+N) is free on
 * 127.0.0.1 now; -1 when none of 0-99 is. */
static int free_vnc_display(void)
{
    for (int n = 0; n < 100; n++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(5900 + n))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return n;
    }
    return -1;
}

/* Whether this QEMU can open display `name` (`-display help` lists the
 * backends it has: Debian's GTK one is the qemu-system-gui package). */
static bool qemu_has_display(const char *binary, const char *name)
{
    char *argv[] = {(char *)binary, "-display", "help", NULL};
    struct buf out = {0};
    if (run_argv(argv, NULL, &out) != 0)
        return false;
    for (char *line = strtok((char *)buf_cstr(&out), "\n"); line; line = strtok(NULL, "\n"))
        if (!strcmp(line, name))
            return true;
    return false;
}

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* The screen of this run: what the options say, else for an image with a
 * display: section a window when there is a desktop to open it on, else
 * none and a line saying how to see it. Returns 0, or -1 after an error. */
static int choose_display(const struct manifest *m, const struct platform *p, bool given, bool vnc,
                          struct qemu_opts *q)
{
    if (vnc) {
        int n = free_vnc_display();
        if (n < 0) {
            diag_error(NULL, "--vnc: no free VNC port on 127.0.0.1 (5900-5999 all in use); "
                             "give one with --display vnc=:N");
            return -1;
        }
        q->display = xasprintf("vnc=127.0.0.1:%d", n);
        fprintf(stderr, "anx: vnc: 127.0.0.1:%d (display :%d)\n", 5900 + n, n);
        return 0;
    }
    if (given || !m->display.present)
        return 0;
    const char *binary = strchr(p->qemu_binary, '/') && p->qemu_binary[0] != '/'
                             ? path_join(anx_root(), p->qemu_binary)
                             : p->qemu_binary;
    if (!env_set("DISPLAY") && !env_set("WAYLAND_DISPLAY"))
        fprintf(stderr, "anx: the image has a display, but there is no desktop here ($DISPLAY and "
                        "$WAYLAND_DISPLAY are unset): to see the screen, run with --vnc\n");
    else if (!qemu_has_display(binary, "gtk"))
        fprintf(stderr, "anx: the image has a display, but %s has no GTK display (Debian: install "
                        "qemu-system-gui): to see the screen, run with --vnc\n", p->qemu_binary);
    else
        q->display = "gtk";
    return 0;
}

/* Set by SIGTERM and SIGHUP: the run must end, and take QEMU with it. */
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* Stops QEMU because we were told to stop: SIGTERM first (QEMU exits
 * cleanly and restores the terminal), SIGKILL if it is still there 3 s
 * later. */
static void stop_qemu(pid_t pid, int sig)
{
    /* The terminal may be raw (QEMU's -nographic): "\r\n" works either way. */
    fprintf(stderr, "\r\nanx: stopping QEMU (pid %d): received %s\r\n", (int)pid, signal_name(sig));
    kill(pid, SIGTERM);
    for (int i = 0; i < 300; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* QEMU's stderr goes through us to ours, so its reasons can be read: a
 * port forward it could not set up exits like a guest that returned 0. */
static void relay(int *fd, struct buf *seen)
{
    char b[4096];
    ssize_t k = read(*fd, b, sizeof b);
    if (k < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (k <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    if (write(STDERR_FILENO, b, (size_t)k) < 0) {
        /* the terminal went away (SIGHUP follows); keep reading */
    }
    if (seen->n < (1 << 20))
        buf_add(seen, b, (size_t)k);
}

/* ---- the console through a pty ------------------------------------------------
 *
 * On a terminal, QEMU's serial console (its stdin and stdout) is a pty
 * that anx relays to the terminal, byte for byte in raw mode as QEMU
 * itself would set it: Ctrl-A X and the other keys of QEMU's mux reach
 * QEMU unchanged, the window size follows the terminal's, and anx can see
 * the guest's "anunix: ready" and print the forwarded URLs under it.
 * Anywhere else (a pipe, a file, a background job) QEMU gets anx's stdin
 * and stdout directly, as before. */

static volatile sig_atomic_t winch;

static void on_winch(int sig)
{
    (void)sig;
    winch = 1;
}

struct console {
    int master, slave;      /* -1 when not relaying */
    struct termios saved;   /* the terminal's modes, restored at the end */
    bool raw;
    char tail[32];          /* the last bytes seen, for a match across reads */
    bool ready;             /* the guest said "anunix: ready" */
    bool pending;           /* the URLs wait for the end of that line */
    bool quit;              /* QEMU said it quit (Ctrl-A X) */
    const struct port_fwd *ports;
    size_t nports;
};

static void console_restore(struct console *c)
{
    if (c->raw)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &c->saved);
    c->raw = false;
}

/* Opens the pty when stdin and stdout are this process group's terminal. */
static void console_open(struct console *c)
{
    c->master = c->slave = -1;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
        tcgetattr(STDIN_FILENO, &c->saved))
        return;
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0 || grantpt(m) || unlockpt(m)) {
        if (m >= 0)
            close(m);
        return;
    }
    int sl = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (sl < 0) {
        close(m);
        return;
    }
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        ioctl(m, TIOCSWINSZ, &ws);
    c->master = m;
    c->slave = sl;
    struct sigaction sa = {.sa_handler = on_winch, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGWINCH, &sa, NULL);
}

/* Once QEMU runs: the terminal goes raw, as QEMU would set it. */
static void console_start(struct console *c)
{
    if (c->master < 0)
        return;
    close(c->slave);
    c->slave = -1;
    struct termios t = c->saved;
    cfmakeraw(&t);
    c->raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;   /* keeps keys typed ahead */
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void console_urls(struct console *c)
{
    for (size_t i = 0; i < c->nports; i++) {
        char *line = xasprintf("anx: ready: http://127.0.0.1:%d -> guest port %d\r\n", c->ports[i].host,
                               c->ports[i].guest);
        write_all(STDOUT_FILENO, line, strlen(line));
    }
}

/* Guest output to the terminal; under the guest's ready line, the URLs. */
static void console_output(struct console *c, const char *b, size_t n)
{
    if (memmem(b, n, "QEMU: Terminated", 16))   /* what QEMU's Ctrl-A X prints */
        c->quit = true;
    if (c->pending) {   /* the ready line's end: the URLs go under it */
        const char *nl = memchr(b, '\n', n);
        if (!nl) {
            write_all(STDOUT_FILENO, b, n);
            return;
        }
        size_t head = (size_t)(nl - b) + 1;
        write_all(STDOUT_FILENO, b, head);
        console_urls(c);
        c->pending = false;
        b += head;
        n -= head;
    }
    if (c->ready) {
        write_all(STDOUT_FILENO, b, n);
        return;
    }
    static const char ready[] = "anunix: ready";
    char look[sizeof c->tail + 4096 + 1];
    size_t tl = strlen(c->tail);
    memcpy(look, c->tail, tl);
    memcpy(look + tl, b, n);
    look[tl + n] = 0;
    for (size_t i = 0; i < tl + n; i++)   /* NULs would end the search */
        if (!look[i])
            look[i] = ' ';
    const char *m = strstr(look, ready);
    if (!m) {
        write_all(STDOUT_FILENO, b, n);
        size_t keep = tl + n < sizeof c->tail - 1 ? tl + n : sizeof c->tail - 1;
        memcpy(c->tail, look + tl + n - keep, keep);
        c->tail[keep] = 0;
        return;
    }
    c->ready = true;
    c->pending = c->nports > 0;
    /* From the end of the match (in this chunk) on, find the line's end. */
    size_t after = (size_t)(m - look) + sizeof ready - 1;
    after = after > tl ? after - tl : 0;
    write_all(STDOUT_FILENO, b, after);
    console_output(c, b + after, n - after);
}

/* Moves what is ready between the terminal and the pty. */
static void console_pump(struct console *c, struct pollfd *pf)
{
    char b[4096];
    if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {   /* keys */
        ssize_t k = read(STDIN_FILENO, b, sizeof b);
        if (k > 0)
            write_all(c->master, b, (size_t)k);
        else if (k == 0 || errno != EINTR)
            pf[0].fd = -1;   /* no more input; QEMU keeps running */
    }
    if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {   /* the guest's output */
        ssize_t k = read(c->master, b, sizeof b);
        if (k > 0)
            console_output(c, b, (size_t)k);
        else if (k == 0 || errno != EINTR)
            pf[1].fd = -1;   /* EIO: QEMU closed the pty */
    }
}

/* The terminal was resized: so is the console QEMU sees. */
static void console_resize(struct console *c)
{
    if (!winch || c->master < 0)
        return;
    winch = 0;
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        ioctl(c->master, TIOCSWINSZ, &ws);
}

/* Starts QEMU and waits for it, relaying its stderr (and, on a terminal,
 * its console); returns its wait status, or -1 when it could not start. */
static int boot(struct strlist *qa, struct buf *err, const struct port_fwd *ports, size_t nports, bool *quit)
{
    int ep[2];
    if (pipe2(ep, O_CLOEXEC))
        return -1;
    struct console con = {.ports = ports, .nports = nports};
    console_open(&con);
    struct sigaction sa = {.sa_handler = on_stop};   /* no SA_RESTART: waits return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    pid_t pid = qemu_spawn(qa, con.slave, con.slave, ep[1], SIGTERM, false);
    if (pid < 0)
        return -1;
    close(ep[1]);
    int efd = ep[0];
    /* The terminal's Ctrl-C belongs to QEMU (or the guest), not to us. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    console_start(&con);
    struct pollfd pf[3] = {{con.master >= 0 ? STDIN_FILENO : -1, POLLIN, 0}, {con.master, POLLIN, 0}, {efd, POLLIN, 0}};
    int st = 0;
    for (;;) {
        if (stop_signal) {
            int sig = stop_signal;
            stop_qemu(pid, sig);
            console_restore(&con);
            signal(sig, SIG_DFL);
            raise(sig);
            _exit(128 + sig);
        }
        console_resize(&con);
        pf[2].fd = efd;
        if (poll(pf, 3, 200) > 0) {
            if (con.master >= 0)
                console_pump(&con, pf);
            if (efd >= 0 && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)))
                relay(&efd, err);
        }
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            console_restore(&con);
            return -1;
        }
    }
    /* What QEMU wrote last (a child it left may hold the pipes: stop at
     * a quiet moment). */
    for (int i = 0; i < 100; i++) {
        pf[2].fd = efd;
        if (poll(pf, 3, 50) <= 0)
            break;
        if (con.master >= 0)
            console_pump(&con, pf);
        if (efd >= 0 && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)))
            relay(&efd, err);
        if (efd < 0 && pf[1].fd < 0)
            break;
    }
    console_restore(&con);
    if (con.master >= 0)
        close(con.master);
    if (efd >= 0)
        close(efd);
    *quit = con.quit;
    return st;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"port", required_argument, 0, 'P'},
        {"disk", required_argument, 0, 'd'},     {"display", optional_argument, 0, 'D'},
        {"vnc", no_argument, 0, 'V'},
        {"boot", required_argument, 0, 'b'},     {"accel", required_argument, 0, 'a'},
        {"out", required_argument, 0, 'o'},      {"help", no_argument, 0, 'h'},
        {"disk-size", required_argument, 0, 'S'}, {"secret", required_argument, 0, 'C'},
        {"verify", required_argument, 0, 'K'},   {"disk-fault", required_argument, 0, 'F'},
        {"tap", required_argument, 0, 'T'},
        {0, 0, 0, 0},
    };
    struct qemu_opts q = {0};
    struct build_opts bo = {0};
    const char *verify_key = NULL;
    bool display_given = false, vnc = false;
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
        case 'D': {
            /* --display alone is gtk (its meaning before it took a mode);
             * `--display MODE` and `--display=MODE` both give one. */
            const char *mode = optarg;
            if (!mode && optind < argc && display_word(argv[optind]))
                mode = argv[optind++];
            if (parse_display_mode(mode ? mode : "gtk", &q.display))
                return EXIT_USAGE;
            display_given = true;
            break;
        }
        case 'V':
            vnc = true;
            break;
        case 'T': {
            /* a Linux interface name: IFNAMSIZ - 1 bytes, no '/', ',' or blank */
            static const char ifname_chars[] = "abcdefghijklmnopqrstuvwxyz"
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
            size_t len = strlen(optarg);
            if (!len || len > 15 || strspn(optarg, ifname_chars) != len) {
                diag_error(NULL, "--tap expects a network interface name (1-15 letters, digits, "
                                 "'_', '.', '-'), found '%s'", optarg);
                return EXIT_USAGE;
            }
            q.tap = optarg;
            break;
        }
        case 'K':
            verify_key = optarg;
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
    bo.boots = true;   /* the build makes the image the boot mode names */
    bo.boot = q.boot;
    if (vnc && display_given) {
        diag_error(NULL, "--vnc and --display both choose the screen; give one of them");
        return EXIT_USAGE;
    }
    struct build_result res = {0};
    if (verify_key) {
        /* Boot the files as they were signed: a build would rewrite
         * report.json and could replace the signed image. */
        rc = verified_image(&m, &r, bo.outdir, verify_key, &res);
        if (rc)
            return rc;
    } else {
        /* The build's step lines, as anx build prints them, so an edit's
         * recompilation is not a blank terminal. */
        printf("  %-9s%s: %zu modules:", "resolve", r.plat->name, r.n);
        for (size_t i = 0; i < r.n; i++)
            printf(" %s", r.mods[i].mod->name);
        printf("\n");
        if (build(&cat, &m, &r, &bo, &res))
            return EXIT_FAIL;
        printf("built %s in %.3f s\n", path_display(res.main_image), res.total_ms / 1e3);
    }
    struct port_fwd *ports;
    size_t np = qemu_ports(&m, &q, &ports);
    if (!nic_driver(r.plat, &r))
        np = 0;   /* not forwarded: qemu_argv warns */
    if (q.tap && np) {
        fprintf(stderr, "anx: --tap %s: the port forwards do not apply; reach the guest at its "
                        "own address\n", q.tap);
        np = 0;
    }
    char *busy = ports_problem(ports, np);
    if (busy) {
        diag_error(NULL, "%s", busy);
        return EXIT_FAIL;
    }
    if (!q.disk && m.disk_size && disk_driver(r.plat, &r))
        q.disk = path_join(res.outdir, "disk.img");
    int disk_fd = -1;
    if (q.disk && disk_driver(r.plat, &r)) {
        disk_fd = disk_open(q.disk, q.disk_size ? q.disk_size : m.disk_size ? m.disk_size : DISK_SIZE_DEFAULT, false);
        if (disk_fd < 0)
            return disk_fd == -2 ? EXIT_USAGE : EXIT_FAIL;
    }
    if (choose_display(&m, r.plat, display_given, vnc, &q))
        return EXIT_FAIL;
    struct strlist qa = {0};
    if (qemu_argv(&m, &r, &res, &q, &qa))
        return EXIT_USAGE;
    for (size_t i = 0; i < np; i++)
        fprintf(stderr, "anx: http://127.0.0.1:%d -> guest port %d\n", ports[i].host, ports[i].guest);
    if (disk_fd >= 0)
        fprintf(stderr, "anx: disk %s (locked while QEMU runs)\n", path_display(q.disk));
    fprintf(stderr, "anx: booting %s: %s\n", path_display(res.main_image), argv_text(&qa));
    struct buf err = {0};
    bool quit = false;
    int st = boot(&qa, &err, ports, np, &quit);
    if (disk_fd >= 0)
        close(disk_fd);   /* releases the lock */
    if (st < 0) {
        diag_error(NULL, "cannot start QEMU: %s", strerror(errno));
        return EXIT_FAIL;
    }
    char *fwd = hostfwd_failure(buf_cstr(&err));
    if (fwd) {
        diag_error(NULL, "%s", fwd);
        return EXIT_FAIL;
    }
    if (q.display && !strncmp(q.display, "gtk", 3) && strstr(buf_cstr(&err), "Display 'gtk' is not available")) {
        diag_error(NULL, "this QEMU has no GTK display (Debian: install qemu-system-gui); use --vnc or "
                         "--display vnc=:N instead");
        return EXIT_FAIL;
    }
    if (qemu_error(qa.v[0], st, buf_cstr(&err))) {
        diag_error(NULL, "QEMU failed (its message is above)");
        return EXIT_FAIL;
    }
    char why[256];
    if (quit) {   /* no guest status: whatever QEMU's exit code says */
        fprintf(stderr, "anx: QEMU quit (Ctrl-A X) before the guest exited\n");
        return EXIT_FAIL;
    }
    int status = guest_status(r.plat, st, why, sizeof why);
    if (status < 0) {
        fprintf(stderr, "anx: %s\n", why);
        return EXIT_FAIL;
    }
    fprintf(stderr, "anx: guest exited with status %d\n", status);
    return status > 255 ? 255 : status;
}
