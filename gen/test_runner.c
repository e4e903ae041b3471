/*
 * anx test: build, boot headless with the serial console on pipes, run the
 * manifest's checks in order (one line each), and always stop QEMU. Every
 * wait has a deadline, and ends early once QEMU is gone; QEMU is started
 * with PR_SET_PDEATHSIG so it dies with us even if we are killed. A test
 * boots on its own scratch disk (DIR/test-disk.img), never on the disk
 * anx run keeps, unless --disk names one.
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
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>


static int err_fd = -1;
static struct buf qemu_stderr;
static volatile pid_t current_qemu;

/* Async-signal-safe: write() of a message built by hand. */
static void say_stopping(pid_t pid, int sig)
{
    char msg[128], digits[16];
    size_t n = 0, d = 0;
    for (unsigned v = (unsigned)pid; v || !d; v /= 10)
        digits[d++] = (char)('0' + v % 10);
    const char *parts[] = {"anx: stopping QEMU (pid ", "", "): received ", signal_name(sig), "\n"};
    for (size_t i = 0; i < 5; i++) {
        if (i == 1) {
            while (d && n < sizeof msg)
                msg[n++] = digits[--d];
            continue;
        }
        for (const char *p = parts[i]; *p && n < sizeof msg; p++)
            msg[n++] = *p;
    }
    if (write(STDERR_FILENO, msg, n) < 0) {
        /* nowhere to say it */
    }
}

static void on_signal(int sig)
{
    if (current_qemu > 0) {
        say_stopping(current_qemu, sig);
        kill(-current_qemu, SIGKILL);
        waitpid(current_qemu, NULL, 0);   /* gone, not a zombie, when we are */
    }
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
        /* Wake at least every 100 ms to notice QEMU's exit: a child it
         * left behind may keep the console open. */
        double left = deadline - now_ms();
        if (left < 0)
            left = 0;
        int r = poll(pf, (nfds_t)n, left > 100 ? 100 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0 && left > 100) {
            reap(t, false);
            if (t->exited)
                return false;
            continue;
        }
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

/* True once QEMU has exited or closed its console; what it printed last
 * is read in first. */
static bool guest_gone(struct test_session *t)
{
    reap(t, false);
    if (!t->exited && t->out_fd >= 0)
        return false;
    while (t->out_fd >= 0 && pump(t, now_ms() + 50))
        ;
    return true;
}

/* How QEMU ended: "guest exited with status 3", QEMU's own error, or the
 * port a forward could not use. */
static const char *how_it_ended(struct test_session *t)
{
    char *fwd = hostfwd_failure(buf_cstr(&qemu_stderr));
    if (fwd)
        return fwd;
    if (!t->exited)
        return "its console closed";
    char *err = qemu_error(t->binary, t->wstatus, buf_cstr(&qemu_stderr));
    if (err)
        return err;
    char reason[256];
    int status = guest_status(t->plat, t->wstatus, reason, sizeof reason);
    return status >= 0 ? xasprintf("guest exited with status %d", status) : xstrdup(reason);
}

/* The reason of a check that cannot go on because QEMU is gone. */
static void gone_reason(struct test_session *t, const char *what, char *why, size_t whylen)
{
    if (t->gone_before)
        snprintf(why, whylen, "QEMU exited earlier (%s)", how_it_ended(t));
    else
        snprintf(why, whylen, "QEMU exited before %s (%s)", what, how_it_ended(t));
}

void session_wait(struct test_session *t, double until)
{
    do {
        if (guest_gone(t))
            return;
        pump(t, until);
    } while (now_ms() < until);
}

bool session_gone(struct test_session *t, const char *what, char *why, size_t whylen)
{
    if (!guest_gone(t))
        return false;
    gone_reason(t, what, why, whylen);
    return true;
}

/* The line of the console around offset at, without its line break. */
static char *line_at(struct test_session *t, size_t at)
{
    const char *s = buf_cstr(&t->console);
    size_t a = at, e = at;
    while (a > 0 && s[a - 1] != '\n')
        a--;
    while (e < t->console.n && s[e] != '\n' && s[e] != '\r')
        e++;
    return xstrndup(s + a, e - a);
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

/* Waits for pattern in the console. For a shell command (shell_from: where
 * its output starts; SIZE_MAX otherwise) the shell's "unknown command"
 * followed by a fresh prompt ends the wait: the command has finished. */
static int expect_regex(struct test_session *t, const char *pattern, double deadline, double start, size_t shell_from,
                        char *why, size_t whylen)
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
        const char *unknown = shell_from < t->console.n ? strstr(buf_cstr(&t->console) + shell_from, "unknown command")
                                                         : NULL;
        if (unknown && strstr(unknown, t->prompt)) {
            char *line = line_at(t, (size_t)(unknown - t->console.p));
            snprintf(why, whylen, "the shell answered \"%s\" (is the module that adds this command in the image?)",
                     yshow_n(line, strlen(line), 200));
            rc = 1;
            break;
        }
        if (guest_gone(t)) {
            if (search(t, &re))
                break;
            gone_reason(t, xasprintf("/%s/ appeared", pattern), why, whylen);
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
    return expect_regex(t, c->arg, deadline_of(c), start, SIZE_MAX, why, whylen);
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
    /* The prompt may already have scrolled past (a module logged after it,
     * or an earlier serial check read beyond it): after a quiet second,
     * press Enter, which makes the shell print a fresh one. */
    double nudge = now_ms() + 1000;
    while (!find_literal(t, t->prompt)) {
        if (guest_gone(t)) {
            if (find_literal(t, t->prompt))
                break;
            gone_reason(t, xasprintf("a shell prompt \"%s\"", t->prompt), why, whylen);
            return 1;
        }
        if (now_ms() >= deadline) {
            snprintf(why, whylen, "no shell prompt \"%s\" within the timeout", t->prompt);
            return 1;
        }
        if (now_ms() >= nudge) {
            if (write(t->in_fd, "\n", 1) < 0 && errno != EINTR) {
                snprintf(why, whylen, "cannot type into QEMU: %s", strerror(errno));
                return 1;
            }
            nudge = now_ms() + 1000;
        }
        pump(t, nudge < deadline ? nudge : deadline);
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
        /* first: a guest that already exited has its last output read
         * (guest_gone drains it), so an echo it printed before exiting
         * is still found and skipped */
        bool gone = guest_gone(t);
        const char *s = buf_cstr(&t->console) + sent;
        const char *nl = strchr(s, '\n');
        if (nl) {
            char *first = xstrndup(s, (size_t)(nl - s));
            if (strstr(first, c->arg))
                t->pos = sent + (size_t)(nl - s) + 1;
            break;
        }
        if (gone || now_ms() >= echo_deadline)
            break;
        pump(t, echo_deadline);
    }
    return expect_regex(t, c->expect, deadline, start, t->pos, why, whylen);
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

/* ---- http: checks -------------------------------------------------------- */

/* Bytes of a body shown when a check fails: enough for an error page. */
#define HTTP_EXCERPT 400

/* One HTTP exchange with 127.0.0.1:port over a plain socket. Returns 0 with
 * the status and body, 1 when nothing answered yet (connection refused, or
 * closed/reset before a response: QEMU's user network accepts forwarded
 * connections before the guest listens), or 2 with a reason for a broken
 * answer. Keeps reading the console while it waits. (Buffers are xmalloc'd:
 * the generator frees its allocations together.) */
static int http_once(struct test_session *t, int port, const char *req, size_t reqlen, double deadline,
                     int *status, struct buf *body, char *why, size_t whylen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, whylen, "socket: %s", strerror(errno));
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = 1;
    struct buf in = {0};
    size_t sent = 0;
    bool connected = false;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
        connected = true;
    else if (errno != EINPROGRESS) {
        snprintf(why, whylen, "connect to 127.0.0.1:%d: %s", port, strerror(errno));
        goto out;
    }
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0) {
            snprintf(why, whylen, "%s", !connected ? "connection not established" : sent < reqlen ? "request not sent" : "no complete answer");
            goto out;
        }
        struct pollfd pf = {fd, (short)(!connected || sent < reqlen ? POLLOUT : POLLIN), 0};
        int r = poll(&pf, 1, left > 50 ? 50 : (int)left + 1);
        if (r < 0 && errno != EINTR)
            goto out;
        if (t->out_fd >= 0)
            pump(t, now_ms());   /* keep the console flowing (QEMU blocks on a full pipe) */
        if (r <= 0)
            continue;
        if (!connected) {
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err) {
                snprintf(why, whylen, "connect to 127.0.0.1:%d: %s", port, strerror(err));
                goto out;
            }
            connected = true;
            continue;
        }
        if (sent < reqlen) {
            ssize_t w = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);
            if (w < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (w < 0) {
                snprintf(why, whylen, "send: %s", strerror(errno));
                goto out;
            }
            sent += (size_t)w;
            continue;
        }
        char b[4096];
        ssize_t k = recv(fd, b, sizeof b, 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k < 0) {
            snprintf(why, whylen, "receive: %s", strerror(errno));
            goto parse;   /* a reset after a complete answer still counts */
        }
        if (k == 0)
            goto parse;
        buf_add(&in, b, (size_t)k);
        /* stop early once a Content-Length body is complete */
        const char *s = buf_cstr(&in);
        const char *e = strstr(s, "\r\n\r\n");
        if (e) {
            const char *cl = strcasestr(s, "\r\nContent-Length:");
            if (cl && cl < e && in.n >= (size_t)(e + 4 - s) + strtoull(cl + 17, NULL, 10))
                goto parse;
        }
    }
parse:
    if (in.n == 0) {
        snprintf(why, whylen, "connection closed without an answer");
        goto out;   /* rc 1: retry */
    }
    {
        rc = 2;
        const char *s = buf_cstr(&in);
        const char *e = strstr(s, "\r\n\r\n");
        if (strncmp(s, "HTTP/1.", 7) || in.n < 12 || !e) {
            snprintf(why, whylen, "not an HTTP response: \"%s\"", yshow(s, in.n < 60 ? in.n : 60));
            goto out;
        }
        *status = atoi(s + 9);
        const char *b = e + 4;
        size_t blen = in.n - (size_t)(b - s);
        const char *cl = strcasestr(s, "\r\nContent-Length:");
        const char *te = strcasestr(s, "\r\nTransfer-Encoding:");
        if (te && te < e && strcasestr(te, "chunked") && strcasestr(te, "chunked") < e) {
            /* de-chunk */
            const char *p = b, *end = b + blen;
            for (;;) {
                char *x;
                unsigned long long n = strtoull(p, &x, 16);
                const char *nl = x < end ? strstr(x, "\r\n") : NULL;
                if (x == p || !nl || nl + 2 + n > end) {
                    snprintf(why, whylen, "malformed chunked body");
                    goto out;
                }
                if (n == 0)
                    break;
                buf_add(body, nl + 2, (size_t)n);
                p = nl + 2 + n + 2;
            }
        } else if (cl && cl < e) {
            size_t want = (size_t)strtoull(cl + 17, NULL, 10);
            if (blen < want) {
                snprintf(why, whylen, "body cut short: %zu of %zu bytes", blen, want);
                goto out;
            }
            buf_add(body, b, want);
        } else {
            buf_add(body, b, blen);
        }
        rc = 0;
    }
out:
    close(fd);
    return rc;
}

int run_http(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    int port = -1;
    for (size_t i = 0; i < t->nports && port < 0; i++)
        if (!c->port || t->ports[i].guest == c->port)
            port = t->ports[i].host;
    if (port < 0) {
        if (c->port)
            snprintf(why, whylen, "no forward of guest port %lld (add \"HOST:%lld\" to run: ports)",
                     (long long)c->port, (long long)c->port);
        else
            snprintf(why, whylen, "no port to connect to: the manifest has no run: ports");
        return 1;
    }
    if (guest_gone(t)) {
        gone_reason(t, "the request", why, whylen);
        return 1;
    }
    struct buf req = {0};
    size_t blen = c->body ? strlen(c->body) : 0;
    buf_printf(&req, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUser-Agent: anx-test\r\nConnection: close\r\n", c->method,
               c->arg, port);
    for (size_t i = 0; i < c->headers.n; i++)
        buf_printf(&req, "%s\r\n", c->headers.v[i]);
    if (c->body || strcmp(c->method, "GET"))
        buf_printf(&req, "Content-Length: %zu\r\n", blen);
    buf_add(&req, "\r\n", 2);
    if (blen)
        buf_add(&req, c->body, blen);
    double deadline = deadline_of(c);
    int status = 0, rc;
    struct buf body = {0};
    char last[300] = "";
    for (;;) {
        body.n = 0;
        rc = http_once(t, port, req.p, req.n, deadline, &status, &body, last, sizeof last);
        if (rc != 1 || now_ms() >= deadline || guest_gone(t))
            break;
        if (t->out_fd >= 0)
            pump(t, now_ms() + 100 < deadline ? now_ms() + 100 : deadline);
        else
            usleep(100000);
    }
    if (rc == 1 && guest_gone(t)) {
        gone_reason(t, xasprintf("answering %s %s", c->method, c->arg), why, whylen);
        return 1;
    }
    if (rc != 0) {
        snprintf(why, whylen, "%s %s on 127.0.0.1:%d: %s", c->method, c->arg, port,
                 rc == 1 ? xasprintf("no answer within %.1f s (%s)", (double)c->timeout_ns / 1e9, last) : last);
        return 1;
    }
    int want = c->status >= 0 ? (int)c->status : 200;
    const char *text = buf_cstr(&body);
    for (size_t i = 0; i < body.n; i++)   /* NULs would cut the regex search short */
        if (!body.p[i])
            body.p[i] = ' ';
    if (status != want) {
        snprintf(why, whylen, "status %d, expected %d; body (%zu bytes): \"%s\"", status, want, body.n,
                 yshow_n(text, body.n, HTTP_EXCERPT));
        return 1;
    }
    rc = 0;
    if (c->expect) {
        regex_t re;
        if (regcomp(&re, c->expect, REG_EXTENDED | REG_NEWLINE)) {
            snprintf(why, whylen, "invalid regular expression");
            rc = 1;
        } else {
            if (regexec(&re, text, 0, NULL, 0) != 0) {
                snprintf(why, whylen, "/%s/ not in the body (%zu bytes): \"%s\"", c->expect, body.n,
                         yshow_n(text, body.n, HTTP_EXCERPT));
                rc = 1;
            }
            regfree(&re);
        }
    }
    return rc;
}

/* After a failure: the console from a few lines before the check began to
 * now, at most the last 30 lines of it, and QEMU's stderr, each shown once
 * (what an earlier failure showed is not repeated). */
static void show_console(struct test_session *t, size_t check_start)
{
    const char *s = buf_cstr(&t->console);
    /* Back to the start of the check's first line, and three lines more. */
    size_t from = check_start < t->console.n ? check_start : t->console.n;
    int breaks = 0;
    while (from > 0 && !(s[from - 1] == '\n' && ++breaks > 3))
        from--;
    if (from < t->shown)
        from = t->shown;
    size_t lines = 0;
    for (size_t i = from; i < t->console.n; i++)
        lines += s[i] == '\n';
    if (from < t->console.n && s[t->console.n - 1] != '\n')
        lines++;
    if (lines > 0) {
        printf("      --- console (all of it in console.log) ---\n");
        for (; lines > 30; lines--)
            from = (size_t)(strchr(s + from, '\n') - s) + 1;
        for (const char *p = s + from; *p;) {
            const char *e = strchr(p, '\n');
            size_t l = e ? (size_t)(e - p) : strlen(p);
            while (l && p[l - 1] == '\r')
                l--;
            printf("      | %.*s\n", (int)l, p);
            if (!e)
                break;
            p = e + 1;
        }
    }
    t->shown = t->console.n;
    if (qemu_stderr.n > t->err_shown) {
        const char *e = buf_cstr(&qemu_stderr) + t->err_shown;
        size_t l = qemu_stderr.n - t->err_shown;
        while (l && (e[l - 1] == '\n' || e[l - 1] == '\r'))
            l--;
        printf("      --- QEMU stderr ---\n      %.*s\n", (int)l, e);
        t->err_shown = qemu_stderr.n;
    }
}

static pid_t start_qemu(struct strlist *qa, int *in_fd, int *out_fd, int *errfd)
{
    int in[2], out[2], er[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC))
        return -1;
    /* its own process group keeps terminal signals away; we stop it ourselves */
    pid_t pid = qemu_spawn(qa, in[0], out[1], er[1], SIGKILL, true);
    if (pid < 0)
        return -1;
    close(in[0]);
    close(out[1]);
    close(er[1]);
    *in_fd = in[1];
    *out_fd = out[0];
    *errfd = er[0];
    return pid;
}

/* True when port is a host port anx picked for this boot; 0 (QEMU's message
 * named no port) counts when any was picked. */
static bool picked_port(const struct port_fwd *ports, const bool *picked, size_t np, int port)
{
    for (size_t i = 0; i < np; i++)
        if (picked[i] && (port == 0 || ports[i].host == port))
            return true;
    return false;
}

/* Stops QEMU (its process group: anything it started may outlive it and
 * hold the console open) and reads what is left for the log. */
static void stop_session(struct test_session *t)
{
    kill(-t->pid, SIGKILL);
    reap(t, true);
    while (t->out_fd >= 0 && pump(t, now_ms() + 200))
        ;
    if (t->out_fd >= 0)
        close(t->out_fd);
    if (err_fd >= 0)
        close(err_fd);
    err_fd = -1;
    close(t->in_fd);
    qmp_close(t->qmp);
    t->qmp = NULL;
    if (t->qmp_path) {
        remove(t->qmp_path);
        char *dir = path_dirname(t->qmp_path);
        if (strstr(dir, "/anx-qmp-"))   /* qmp_socket_path's own folder */
            rmdir(dir);
    }
    current_qemu = 0;
    if (t->log)
        fclose(t->log);
}

/* One boot of a test: starts QEMU, runs the checks in order (one line
 * each), stops QEMU. Returns 1 without printing or counting a check when
 * QEMU could not bind a host port anx picked (another program took it in
 * the moment between; *taken is that port) and may_retry is set, so the
 * caller can pick another; else 0. */
static int boot_and_check(const struct manifest *m, struct test_session *t, struct strlist *qa, const char *logpath,
                          const bool *picked, bool may_retry, int *passed, int *failed, int *taken)
{
    t->log = fopen(logpath, "w");
    qemu_stderr.n = 0;
    t->pid = start_qemu(qa, &t->in_fd, &t->out_fd, &err_fd);
    if (t->pid < 0) {
        printf("  %-40s FAIL  cannot start QEMU\n", "boot");
        if (t->log)
            fclose(t->log);
        (*failed)++;
        return 0;
    }
    current_qemu = t->pid;
    double boot0 = now_ms();
    for (size_t i = 0; i < m->nchecks; i++) {
        const struct check *c = &m->checks[i];
        char why[2048] = "";
        double c0 = now_ms();
        size_t check_start = t->console.n;
        t->gone_before = guest_gone(t);
        t->check_no = i + 1;
        int rc = c->type->run(t, c, why, sizeof why);
        double el = (now_ms() - c0) / 1e3;
        /* QEMU fails a forward before the guest runs, so the first check
         * is where that shows. */
        if (i == 0 && may_retry && guest_gone(t)) {
            int port = hostfwd_failed_port(buf_cstr(&qemu_stderr));
            if (port >= 0 && picked_port(t->ports, picked, t->nports, port)) {
                *taken = port;
                stop_session(t);
                return 1;
            }
        }
        if (rc == 0) {
            /* a passing check may say what it did (a screenshot's path) */
            printf("  %-40s ok    %.2f s%s%s\n", c->label, el, why[0] ? "  " : "", why);
            (*passed)++;
        } else {
            printf("  %-40s FAIL  %.2f s  %s\n", c->label, el, why);
            show_console(t, check_start < t->pos ? check_start : t->pos);
            (*failed)++;
        }
        fflush(stdout);
    }
    stop_session(t);
    printf("  console  %s (%.2f s in QEMU)\n", path_display(logpath), (now_ms() - boot0) / 1e3);
    return 0;
}

/* DIR/qmp.sock, or one in a fresh folder under $TMPDIR when that path is
 * too long for a unix socket (108 bytes). */
static const char *qmp_socket_path(const char *outdir)
{
    char *p = path_abs(path_join(outdir, "qmp.sock"));
    if (strlen(p) < 100)
        return p;
    const char *tmp = getenv("TMPDIR");
    char *dir = xasprintf("%s/anx-qmp-XXXXXX", tmp && *tmp && strlen(tmp) < 60 ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return p;   /* QEMU then says why it cannot listen */
    return path_join(dir, "qmp.sock");
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
    /* The forwards: a test does not care which host port reaches a guest
     * port, so each of the manifest's gets a free one, picked just before
     * boot (two tests of one manifest can run side by side); --port fixes
     * one. */
    struct qemu_opts q = *qo;
    struct port_fwd *ports;
    size_t np = qemu_ports(&m, qo, &ports);
    bool nic = nic_driver(r.plat, &r) != NULL;
    bool *picked = xcalloc(np + 1, sizeof *picked);
    for (size_t i = 0; i < np && nic; i++) {
        picked[i] = true;
        for (size_t k = 0; k < qo->nports; k++)
            picked[i] &= qo->ports[k].guest != ports[i].guest;
    }
    /* A --port in use would let the http: checks talk to whatever holds
     * it: that fails before boot. */
    struct port_fwd *fixed = xcalloc(np + 1, sizeof *fixed);
    size_t nfixed = 0;
    for (size_t i = 0; i < np; i++)
        if (!picked[i])
            fixed[nfixed++] = ports[i];
    char *busy = nic ? ports_problem(fixed, nfixed) : NULL;
    if (busy) {
        printf("  %-40s FAIL  %s\n", "ports", busy);
        (*failed)++;
        return;
    }
    /* The disk: --disk FILE (created on first use, kept), or with run: disk:
     * in the manifest a scratch DIR/test-disk.img recreated for every test
     * run -- never DIR/disk.img, which anx run keeps. */
    int disk_fd = -1;
    if (disk_driver(r.plat, &r) && (q.disk || m.disk_size)) {
        bool scratch = !q.disk;
        if (scratch)
            q.disk = path_join(res.outdir, "test-disk.img");
        disk_fd = disk_open(q.disk, qo->disk_size ? qo->disk_size : m.disk_size ? m.disk_size : DISK_SIZE_DEFAULT,
                            scratch);
        if (disk_fd < 0) {
            printf("  %-40s FAIL  (the error is above)\n", "disk");
            (*failed)++;
            return;
        }
        printf("  disk     %s (%s)\n", path_display(q.disk),
               scratch ? "scratch, recreated empty for each test; anx run's disk.img is not touched" : "--disk, kept");
    }
    char *logpath = path_join(res.outdir, "console.log");
    for (int attempt = 0;; attempt++) {
        if (nic && pick_free_ports(ports, np, picked)) {
            printf("  %-40s FAIL  cannot pick a free port on 127.0.0.1: %s\n", "ports", strerror(errno));
            (*failed)++;
            break;
        }
        for (size_t i = 0; i < np && nic; i++)
            printf("  port     127.0.0.1:%d -> guest port %d (%s)\n", ports[i].host, ports[i].guest,
                   picked[i] ? "free port picked for this test; --port HOST:GUEST fixes one" : "--port");
        if (nic) {   /* every forward now as a --port, so QEMU gets these */
            q.ports = ports;
            q.nports = np;
        }
        struct strlist qa = {0};
        if (qemu_argv(&m, &r, &res, &q, &qa)) {
            (*failed)++;
            break;
        }
        /* Screen and input checks talk to QEMU over QMP (docs/anx.md
         * "Screen checks"): a socket in the build folder, only when a
         * check needs it. */
        const char *qmp_path = NULL;
        for (size_t i = 0; i < m.nchecks && !qmp_path; i++)
            if (m.checks[i].type->qmp)
                qmp_path = qmp_socket_path(res.outdir);
        if (qmp_path) {
            remove(qmp_path);   /* never a stale socket of an earlier run */
            strlist_push(&qa, "-qmp");
            strlist_push(&qa, xasprintf("unix:%s,server=on,wait=off", qmp_path));
        }
        printf("  boot     %s\n", argv_text(&qa));
        struct test_session t = {0};
        t.plat = r.plat;
        t.binary = qa.v[0];
        t.ports = ports;
        t.nports = np;
        t.qmp_path = qmp_path;
        t.outdir = res.outdir;
        t.manifest_dir = m.dir;
        t.prompt = resolved_string(&r, "shell", "prompt");
        if (!t.prompt || !*t.prompt)
            t.prompt = "anx> ";
        /* Another pick once: a second failure is the checks' reason, not
         * a loop. */
        int taken = 0;
        if (!boot_and_check(&m, &t, &qa, logpath, picked, attempt == 0, passed, failed, &taken))
            break;
        if (taken)
            printf("  port     127.0.0.1:%d was taken before QEMU could bind it; picking another\n", taken);
        else
            printf("  port     QEMU could not bind a picked port; picking others\n");
    }
    if (disk_fd >= 0)
        close(disk_fd);   /* QEMU is gone: release the disk */
}

static const char test_usage[] =
    "usage: anx test MANIFEST... [-p PLATFORM] [-o DIR] [--port HOST:GUEST]... [--boot MODE]\n"
    "                [--accel kvm|tcg|auto] [--disk FILE [--disk-size SIZE]] [--disk-fault RULES]\n"
    "                [--secret NAME=FILE]...\n"
    "Builds each manifest, boots it headless and runs its test: checks in order,\n"
    "one line per check, then 'N passed, N failed'. Exits 0 only if all pass.\n"
    "  -p, --platform NAME  target platform (default: each manifest's platform:)\n"
    "  -o, --out DIR        build folder (only with one manifest)\n"
    "  --port HOST:GUEST    forward 127.0.0.1:HOST to the guest's GUEST port (repeatable),\n"
    "                       replacing run: ports' forward of GUEST. The other forwards get\n"
    "                       a host port free when QEMU starts, not the manifest's, printed\n"
    "                       as 'port 127.0.0.1:N -> guest port G': tests run side by side\n"
    "  --boot MODE          a boot mode of the platform (default: its first)\n"
    "  --accel A            kvm, tcg or auto (default)\n"
    "  --disk FILE          attach FILE as the disk (a raw image; created sparse on first use,\n"
    "                       kept); without it, a manifest with run: disk: gets a scratch\n"
    "                       DIR/test-disk.img recreated empty for each run (anx run's\n"
    "                       DIR/disk.img is never touched)\n"
    "  --disk-size SIZE     size of a disk created now (default: run: disk: size, or 64M)\n"
    "  --disk-fault RULES   the disk through QEMU's blkdebug driver with the rules file RULES\n"
    "                       (injected I/O errors, as anx run)\n"
    "  --secret NAME=FILE   credential NAME's value from FILE, through fw_cfg (as anx run)\n"
    "Check kinds: serial: REGEX | shell: CMD + expect: REGEX | exit: N | http: PATH (+ method,\n"
    "body, headers, port, status, expect: a request to the forwarded guest port) |\n"
    "screen: FILE.png (+ tolerance, region) | screenshot: NAME | pixels: {color, min, max,\n"
    "region} | key: CHORD | type: TEXT | click: {x, y, button} (over QMP: docs/anx.md\n"
    "\"Screen checks\"), each with an optional timeout: (default 10s). The console goes to\n"
    "DIR/console.log; screens to DIR/screen-N.png, DIR/screen-N-diff.png and DIR/NAME.png.\n"
    "A --port already in use, or a disk another program uses, fails before boot; a picked\n"
    "port another program takes before QEMU binds it is replaced by another, once;\n"
    "once QEMU has exited, the remaining checks fail at once. SIGINT, SIGTERM or SIGHUP\n"
    "stop QEMU too.\n";

int cmd_test(int argc, char **argv)
{
    static const struct option opts[] = {
        {"platform", required_argument, 0, 'p'}, {"boot", required_argument, 0, 'b'},
        {"accel", required_argument, 0, 'a'},    {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},           {"disk", required_argument, 0, 'd'},
        {"disk-size", required_argument, 0, 'S'}, {"port", required_argument, 0, 'P'},
        {"secret", required_argument, 0, 'C'}, {"disk-fault", required_argument, 0, 'F'},
        {0, 0, 0, 0},
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
        case 'h':
            fputs(test_usage, stdout);
            return EXIT_OK;
        default:
            switch (qemu_option(c, optarg, &qo)) {
            case 1:
                break;
            case 0:
                fputs(test_usage, stderr);
                /* fall through */
            default:
                return EXIT_USAGE;
            }
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
    bo.boots = true;   /* the build makes the image the boot mode names */
    bo.boot = qo.boot;
    int passed = 0, failed = 0;
    for (int i = optind; i < argc; i++)
        test_one(argv[i], &bo, &qo, &passed, &failed);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? EXIT_FAIL : EXIT_OK;
}
