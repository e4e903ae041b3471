/*
 * A small QMP client (QEMU's JSON machine protocol) for the screen and
 * input checks of anx test: connect to the unix socket QEMU listens on,
 * read the greeting, qmp_capabilities, then one command at a time. Every
 * command carries an id and every read has a deadline; asynchronous events
 * ({"event": ...}) and late answers to an earlier command that timed out
 * are skipped while waiting for this command's "return" or "error".
 */
#define _GNU_SOURCE
#include "anx.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A line longer than this is no QMP answer anx asks for. */
#define QMP_LINE_MAX (1 << 20)

struct qmp {
    int fd;
    char *in;           /* bytes read, not yet a whole line (malloc'd) */
    size_t n, cap;
    long next_id;
    void (*idle)(void *);
    void *arg;
};

void qmp_close(struct qmp *q)
{
    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    free(q->in);
    free(q);
}

/* The next line QEMU sent, as a JSON object (NULL: why says why). */
static json_t *read_message(struct qmp *q, double deadline, char *why, size_t whylen)
{
    for (;;) {
        char *nl = q->n ? memchr(q->in, '\n', q->n) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - q->in) + 1;
            json_error_t err;
            json_t *j = json_loadb(q->in, len, 0, &err);
            memmove(q->in, q->in + len, q->n - len);
            q->n -= len;
            if (!j || !json_is_object(j)) {
                snprintf(why, whylen, "QEMU sent something that is not a QMP message: %s", err.text);
                json_decref(j);
                return NULL;
            }
            return j;
        }
        if (q->n >= QMP_LINE_MAX) {
            snprintf(why, whylen, "QEMU sent a QMP line longer than %d bytes", QMP_LINE_MAX);
            return NULL;
        }
        double left = deadline - now_ms();
        if (left <= 0) {
            snprintf(why, whylen, "no answer on the QMP socket in time");
            return NULL;
        }
        struct pollfd pf = {q->fd, POLLIN, 0};
        int r = poll(&pf, 1, left > 50 ? 50 : (int)left + 1);
        if (q->idle)
            q->idle(q->arg);
        if (r < 0 && errno != EINTR) {
            snprintf(why, whylen, "QMP socket: %s", strerror(errno));
            return NULL;
        }
        if (r <= 0)
            continue;
        if (q->cap - q->n < 4096) {
            q->cap = q->cap ? q->cap * 2 : 8192;
            q->in = realloc(q->in, q->cap);
            if (!q->in) {
                fputs("anx: out of memory\n", stderr);
                abort();
            }
        }
        ssize_t k = read(q->fd, q->in + q->n, q->cap - q->n);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0) {
            snprintf(why, whylen, "QEMU closed the QMP connection%s%s", k < 0 ? ": " : "",
                     k < 0 ? strerror(errno) : "");
            return NULL;
        }
        q->n += (size_t)k;
    }
}

static int send_all(struct qmp *q, const char *s, char *why, size_t whylen)
{
    size_t len = strlen(s), done = 0;
    while (done < len) {
        ssize_t w = send(q->fd, s + done, len - done, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(why, whylen, "cannot write to the QMP socket: %s", strerror(errno));
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

char *qmp_execute(struct qmp *q, const char *cmd, const char *args, double deadline, char *why, size_t whylen)
{
    long id = ++q->next_id;
    char *line = xasprintf("{\"execute\": \"%s\"%s%s, \"id\": %ld}\n", cmd, args ? ", \"arguments\": " : "",
                           args ? args : "", id);
    if (send_all(q, line, why, whylen))
        return NULL;
    for (;;) {
        char inner[512];
        json_t *j = read_message(q, deadline, inner, sizeof inner);
        if (!j) {
            snprintf(why, whylen, "QMP %s: %s", cmd, inner);
            return NULL;
        }
        json_t *jid = json_object_get(j, "id");
        if (!json_is_integer(jid) || json_integer_value(jid) != id) {
            json_decref(j);   /* an event, or the late answer to a command that timed out */
            continue;
        }
        json_t *ret = json_object_get(j, "return");
        json_t *err = json_object_get(j, "error");
        char *out = NULL;
        if (ret) {
            out = json_dumps(ret, JSON_COMPACT | JSON_ENCODE_ANY);
        } else {
            const char *desc = json_string_value(json_object_get(err, "desc"));
            snprintf(why, whylen, "QMP %s failed: %s", cmd, desc ? desc : "an error without a description");
        }
        json_decref(j);
        return out;
    }
}

struct qmp *qmp_open(const char *path, double deadline, void (*idle)(void *), void *arg, char *why, size_t whylen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(why, whylen, "the QMP socket path %s is longer than %zu bytes", path, sizeof sa.sun_path - 1);
        return NULL;
    }
    strcpy(sa.sun_path, path);
    struct qmp *q = calloc(1, sizeof *q);
    if (!q) {
        fputs("anx: out of memory\n", stderr);
        abort();
    }
    q->fd = -1;
    q->idle = idle;
    q->arg = arg;
    /* QEMU creates the socket while it starts: refused or missing means
     * not yet. */
    for (;;) {
        q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (q->fd < 0) {
            snprintf(why, whylen, "socket: %s", strerror(errno));
            goto fail;
        }
        if (connect(q->fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            break;
        int e = errno;
        close(q->fd);
        q->fd = -1;
        if (e != ENOENT && e != ECONNREFUSED && e != EAGAIN) {
            snprintf(why, whylen, "cannot connect to QEMU's QMP socket %s: %s", path_display(path), strerror(e));
            goto fail;
        }
        if (now_ms() >= deadline) {
            snprintf(why, whylen, "QEMU's QMP socket %s did not accept a connection in time (%s)", path_display(path),
                     strerror(e));
            goto fail;
        }
        double until = now_ms() + 50;
        while (now_ms() < until) {
            if (idle)
                idle(arg);
            usleep(10000);
        }
    }
    char inner[512];
    json_t *greeting = read_message(q, deadline, inner, sizeof inner);
    if (!greeting) {
        snprintf(why, whylen, "no QMP greeting from QEMU: %s", inner);
        goto fail;
    }
    bool is_qmp = json_object_get(greeting, "QMP") != NULL;
    json_decref(greeting);
    if (!is_qmp) {
        snprintf(why, whylen, "%s is not a QMP socket (no QMP greeting)", path_display(path));
        goto fail;
    }
    char *r = qmp_execute(q, "qmp_capabilities", NULL, deadline, why, whylen);
    if (!r)
        goto fail;
    free(r);
    return q;
fail:
    qmp_close(q);
    return NULL;
}
