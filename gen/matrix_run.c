/*
 * anx matrix's scheduler: starts tasks as child processes (anx itself, via
 * /proc/self/exe, or bash for a script), at most m->jobs at a time, never
 * two holding the same lock (a build folder), a test only after its build
 * passed. Each child has its own process group and log file; SIGINT,
 * SIGTERM or SIGHUP stop them all.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAIL_LINES 40

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* Bytes a JUnit or JSON reader accepts: valid UTF-8, no control bytes but
 * tab and newline (a console log holds escape sequences and raw bytes). */
static char *clean_text(const char *s, size_t n)
{
    struct buf b = {0};
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = len > 0 && i + len <= n && (len == 1 || c >= 0xc2);
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xc0) == 0x80;
        if (!ok) {
            buf_puts(&b, "?");
            i++;
        } else if (len == 1 && c < 0x20 && c != '\n' && c != '\t') {
            if (c != '\r')
                buf_puts(&b, "?");
            i++;
        } else if (len == 1 && c == 0x7f) {
            buf_puts(&b, "?");
            i++;
        } else {
            buf_add(&b, s + i, len);
            i += len;
        }
    }
    return xstrdup(buf_cstr(&b));
}

/* The last TAIL_LINES lines of a log. */
static char *log_tail(const char *path)
{
    char *data;
    size_t len;
    if (read_file(path, &data, &len, 1 << 28))
        return xasprintf("(no log: %s)\n", path_display(path));
    size_t start = len, lines = 0;
    if (start && data[start - 1] == '\n')
        start--;
    while (start > 0 && lines < TAIL_LINES) {
        start--;
        if (data[start] == '\n' && ++lines == TAIL_LINES) {
            start++;
            break;
        }
    }
    return clean_text(data + start, len - start);
}

/* The reason of a script's "skip  NAME: REASON" line, or NULL. */
static char *skip_reason(const char *log)
{
    char *data;
    size_t len;
    if (read_file(log, &data, &len, 1 << 28))
        return NULL;
    for (char *p = data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "skip  ", 6))
            continue;
        char *end = strchr(p, '\n');
        char *line = end ? xstrndup(p + 6, (size_t)(end - p - 6)) : xstrdup(p + 6);
        char *colon = strstr(line, ": ");
        return colon ? colon + 2 : line;
    }
    return NULL;
}

/* The argument list of a task's child. */
static void task_argv(const struct mtask *t, struct strlist *a)
{
    if (t->kind == MT_SCRIPT) {
        strlist_push(a, "bash");
        strlist_push(a, t->path);
        strlist_push(a, t->platform);
        if (t->boot)
            strlist_push(a, t->boot);
    } else {
        strlist_push(a, "anx");
        strlist_push(a, "--root");
        strlist_push(a, anx_root());
        strlist_push(a, t->kind == MT_BUILD ? "build" : "test");
        strlist_push(a, t->path);
        strlist_push(a, "-p");
        strlist_push(a, t->platform);
        if (t->boot) {
            strlist_push(a, "--boot");
            strlist_push(a, t->boot);
        }
    }
    a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n] = NULL;
}

static int start(struct mtask *t, const char *self)
{
    struct strlist a = {0};
    task_argv(t, &a);
    int fd = open(t->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        t->reason = xasprintf("cannot write %s: %s", path_display(t->log), strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd);
        t->reason = xasprintf("fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* its own group, so the matrix stops the whole run (QEMU, servers
         * a script started); and it goes when anx matrix dies */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGHUP, SIG_DFL);
        if (t->kind == MT_SCRIPT)
            execvp("bash", a.v);
        else
            execv(self, a.v);
        fprintf(stderr, "anx matrix: cannot run %s: %s\n", t->kind == MT_SCRIPT ? "bash" : self, strerror(errno));
        _exit(127);
    }
    close(fd);
    setpgid(pid, pid);
    t->pid = pid;
    t->state = MS_RUNNING;
    t->start = now_ms();
    return 0;
}

static bool locks_free(const struct matrix *m, const struct mtask *t)
{
    for (size_t i = 0; i < m->n; i++) {
        const struct mtask *o = &m->t[i];
        if (o->state != MS_RUNNING)
            continue;
        for (size_t k = 0; k < t->locks.n; k++)
            if (strlist_has(&o->locks, t->locks.v[k]))
                return false;
    }
    return true;
}

static void finish(struct matrix *m, struct mtask *t, int wstatus)
{
    t->ms = now_ms() - t->start;
    t->pid = 0;
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    char *why;
    if (t->term_sent) {   /* stopped by its timeout, whatever it exited with then */
        t->state = MS_FAIL;
        t->reason = xasprintf("timed out after %.0f s (--timeout or the run's timeout:)", t->timeout_ms / 1e3);
        t->tail = log_tail(t->log);
    } else if (t->kind == MT_SCRIPT && code == 77 && (why = skip_reason(t->log))) {
        t->state = MS_SKIP;
        t->reason = why;
    } else if (code == 0) {
        t->state = MS_OK;
    } else {
        t->state = MS_FAIL;
        t->reason = WIFSIGNALED(wstatus) ? xasprintf("killed by %s", signal_name(WTERMSIG(wstatus)))
                                         : xasprintf("exit status %d", code);
        t->tail = log_tail(t->log);
    }
    if (t->kind != MT_BUILD)
        matrix_print_result(m, t);
    else if (t->state == MS_FAIL) {
        matrix_progress(m, true);
        printf("FAIL build of %s (%s; log: %s)\n", t->label, t->reason, path_display(t->log));
    }
}

/* A test whose build failed fails with the build's reason and log. */
static void fail_from_build(struct matrix *m, struct mtask *t, const struct mtask *b)
{
    t->state = MS_FAIL;
    t->reason = xstrdup("its build failed");
    t->tail = b->tail;
    t->log = b->log;
    matrix_print_result(m, t);
}

static size_t running(const struct matrix *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += m->t[i].state == MS_RUNNING;
    return n;
}

/* Starts what may start now; returns how many tasks are left waiting. */
static size_t start_ready(struct matrix *m, const char *self)
{
    size_t waiting = 0;
    for (size_t i = 0; i < m->n; i++) {
        struct mtask *t = &m->t[i];
        if (t->state != MS_WAIT)
            continue;
        if (t->build >= 0) {
            const struct mtask *b = &m->t[t->build];
            if (b->state == MS_FAIL) {
                fail_from_build(m, t, b);
                continue;
            }
            if (b->state != MS_OK) {
                waiting++;
                continue;
            }
        }
        if (running(m) >= (size_t)m->jobs || !locks_free(m, t)) {
            waiting++;
            continue;
        }
        if (start(t, self)) {
            t->state = MS_FAIL;
            matrix_print_result(m, t);
        }
    }
    return waiting;
}

/* A run past its timeout gets SIGTERM (its group: anx, QEMU, a script's
 * children), then SIGKILL if it is still there 5 s later. */
static void enforce_timeouts(struct matrix *m)
{
    double now = now_ms();
    for (size_t i = 0; i < m->n; i++) {
        struct mtask *t = &m->t[i];
        if (t->state != MS_RUNNING || t->pid <= 0 || !t->timeout_ms)
            continue;
        if (!t->term_sent && now - t->start > t->timeout_ms) {
            kill(-t->pid, SIGTERM);
            t->term_sent = now;
        } else if (t->term_sent && now - t->term_sent > 5000) {
            kill(-t->pid, SIGKILL);
        }
    }
}

static void stop_all(struct matrix *m, int sig)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].state == MS_RUNNING && m->t[i].pid > 0)
            kill(-m->t[i].pid, sig);
}

void matrix_execute(struct matrix *m)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        snprintf(self, sizeof self, "/proc/self/exe");
    else
        self[n] = 0;
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    setenv("ANX", self, 1);   /* scripts may run the same anx */
    double t0 = m->t0 = now_ms(), drawn = 0;
    /* what is skipped before it starts (needs: absent) says so first */
    for (size_t i = 0; i < m->n; i++)
        if (m->t[i].state == MS_SKIP)
            matrix_print_result(m, &m->t[i]);
    bool stopping = false;
    for (;;) {
        size_t waiting = stop_signal ? 0 : start_ready(m, self);
        if (!running(m) && (waiting == 0 || stop_signal))
            break;
        if (stop_signal && !stopping) {
            stop_all(m, SIGTERM);
            stopping = true;
        }
        int ws;
        pid_t pid;
        bool ended = false;
        while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
            for (size_t i = 0; i < m->n; i++)
                if (m->t[i].state == MS_RUNNING && m->t[i].pid == pid) {
                    finish(m, &m->t[i], ws);
                    ended = true;
                }
        }
        if (m->tty && (ended || now_ms() - drawn > 500)) {
            m->wall_ms = now_ms() - t0;
            matrix_progress(m, false);
            drawn = now_ms();
        }
        enforce_timeouts(m);
        if (!ended) {
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (m->tty)
        matrix_progress(m, true);
    if (stop_signal) {
        /* what never started is neither passed nor failed: say so */
        for (size_t i = 0; i < m->n; i++)
            if (m->t[i].state == MS_WAIT) {
                m->t[i].state = MS_FAIL;
                m->t[i].reason = xasprintf("not run: anx matrix received %s", signal_name(stop_signal));
            }
        fprintf(stderr, "anx matrix: stopped by %s\n", signal_name(stop_signal));
    }
    m->wall_ms = now_ms() - t0;
}
