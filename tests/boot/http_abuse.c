/*
 * http_abuse - hostile clients against a booted httpd, then a normal
 * request: the server must survive malformed, oversized, pipelined, slow,
 * abruptly closed and many idle connections.  Prints one line per case
 * ("ok   ..." / "FAIL ...") and "N passed, N failed"; exit 0 when all pass.
 *
 *   http_abuse PORT [HEADER_TIMEOUT_S]     (connects to 127.0.0.1:PORT)
 *
 * The header timeout (default 2) must match the image's httpd
 * header_timeout: the slow client expects its 408 within about that time.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port, passed, failed;
static double header_timeout = 2;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(int ok, const char *what, const char *detail)
{
    printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", what, detail && *detail ? ": " : "",
           detail ? detail : "");
    fflush(stdout);
    if (ok)
        passed++;
    else
        failed++;
}

static int dial(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            return fd;
        }
        close(fd);
        usleep(100000);
    }
    return -1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads until the peer closes, the buffer is full, or the timeout passes;
 * stops early once `want` responses (HTTP/1.1 status lines with complete
 * Content-Length bodies) are in.  Returns the bytes read; *closed tells
 * whether the peer closed. */
static size_t read_resp(int fd, char *buf, size_t cap, double timeout, int want, int *closed)
{
    size_t n = 0;
    double end = now() + timeout;
    *closed = 0;
    buf[0] = 0;
    while (n + 1 < cap) {
        int left = (int)((end - now()) * 1000);
        if (left <= 0)
            break;
        struct pollfd pf = { fd, POLLIN, 0 };
        if (poll(&pf, 1, left) <= 0)
            break;
        ssize_t k = recv(fd, buf + n, cap - 1 - n, 0);
        if (k <= 0) {
            *closed = 1;
            break;
        }
        n += (size_t)k;
        buf[n] = 0;
        if (want) {
            /* count complete responses */
            int got = 0;
            const char *p = buf;
            for (;;) {
                const char *h = strstr(p, "HTTP/1.1 ");
                const char *e = h ? strstr(h, "\r\n\r\n") : NULL;
                if (!e)
                    break;
                const char *cl = strcasestr(h, "\r\nContent-Length:");
                size_t len = cl && cl < e ? strtoul(cl + 17, NULL, 10) : 0;
                if ((size_t)(buf + n - (e + 4)) < len)
                    break;
                got++;
                p = e + 4 + len;
            }
            if (got >= want)
                break;
        }
    }
    return n;
}

static int status_of(const char *r)
{
    return strncmp(r, "HTTP/1.", 7) ? 0 : atoi(r + 9);
}

/* A request on a fresh connection; returns the status (0 = none). */
static int request(const char *req, size_t len, char *buf, size_t cap, int *closed)
{
    int fd = dial();
    if (fd < 0)
        return 0;
    int c;
    if (!closed)
        closed = &c;
    send_all(fd, req, len);
    read_resp(fd, buf, cap, 10, 1, closed);
    if (!*closed) { /* after an error the server must close */
        char more[64];
        int c2;
        read_resp(fd, more, sizeof more, 2, 0, &c2);
        *closed = c2;
    }
    close(fd);
    return status_of(buf);
}

static int normal_request(void)
{
    char buf[4096];
    int fd = dial();
    if (fd < 0)
        return 0;
    const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    send_all(fd, req, sizeof req - 1);
    int closed;
    read_resp(fd, buf, sizeof buf, 10, 1, &closed);
    close(fd);
    return status_of(buf) == 200 && strstr(buf, "Welcome to Anunix") ? 200 : status_of(buf);
}

static void expect_error(const char *what, const char *req, size_t len, int want)
{
    static char buf[1 << 16];
    int closed = 0;
    int st = request(req, len, buf, sizeof buf, &closed);
    char d[160];
    snprintf(d, sizeof d, "status %d (want %d), %s", st, want, closed ? "closed" : "left open");
    result(st == want && closed, what, d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: http_abuse PORT [HEADER_TIMEOUT_S]\n");
        return 2;
    }
    port = atoi(argv[1]);
    if (argc > 2)
        header_timeout = atof(argv[2]);
    char d[200];

    int st = normal_request();
    snprintf(d, sizeof d, "status %d", st);
    result(st == 200, "a normal request first", d);

    /* malformed */
    const char m1[] = "G@T / HTTP/1.1\r\nHost: x\r\n\r\n";
    expect_error("malformed method -> 400", m1, sizeof m1 - 1, 400);
    const char m2[] = "GET / HTTP/1.1\nHost: x\n\n";
    expect_error("bare LF -> 400", m2, sizeof m2 - 1, 400);
    const char m3[] = "GET / HTTP/1.1\r\n\r\n";
    expect_error("HTTP/1.1 without Host -> 400", m3, sizeof m3 - 1, 400);
    const char m4[] = "GET / HTTP/3.0\r\nHost: x\r\n\r\n";
    expect_error("HTTP/3.0 -> 505", m4, sizeof m4 - 1, 505);
    const char m5[] = "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03";
    expect_error("a TLS hello -> 400", m5, sizeof m5 - 1, 400);
    const char m6[] =
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
    expect_error("Content-Length with chunked -> 400", m6, sizeof m6 - 1, 400);

    /* oversized */
    static char big[200000];
    int n = snprintf(big, sizeof big, "GET /");
    memset(big + n, 'a', 10000);
    n += 10000;
    n += snprintf(big + n, sizeof big - (size_t)n, " HTTP/1.1\r\nHost: x\r\n\r\n");
    expect_error("10 KB request line -> 414", big, (size_t)n, 414);
    n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: ");
    memset(big + n, 'b', 20000);
    n += 20000;
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\n\r\n");
    expect_error("20 KB header -> 431", big, (size_t)n, 431);
    n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 200; i++)
        n += snprintf(big + n, sizeof big - (size_t)n, "X-%d: y\r\n", i);
    n += snprintf(big + n, sizeof big - (size_t)n, "\r\n");
    expect_error("200 header fields -> 431", big, (size_t)n, 431);
    const char o4[] = "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n";
    expect_error("100 MB Content-Length -> 413", o4, sizeof o4 - 1, 413);
    const char o5[] =
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffff\r\n";
    expect_error("huge chunk -> 413", o5, sizeof o5 - 1, 413);

    /* pipelined: five requests in one write, answered in order */
    {
        static char buf[1 << 16];
        char req[1024] = "";
        for (int i = 0; i < 4; i++)
            strcat(req, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
        strcat(req, "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "4\r\npipe\r\n5\r\nlined\r\n0\r\n\r\n");
        int fd = dial(), closed;
        send_all(fd, req, strlen(req));
        read_resp(fd, buf, sizeof buf, 10, 5, &closed);
        int count = 0;
        for (const char *p = buf; (p = strstr(p, "HTTP/1.1 200 OK")); p++)
            count++;
        snprintf(d, sizeof d, "%d of 5 answered", count);
        result(count == 5 && strstr(buf, "\r\n\r\npipelined"),
               "5 pipelined requests (one chunked POST)", d);
        close(fd);
    }

    /* slow: a client trickling its head gets 408 after the header timeout,
     * and meanwhile the server answers others */
    {
        int fd = dial(), closed = 0;
        const char *req = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        send_all(fd, req, strlen(req));
        double t0 = now();
        int others = normal_request();
        char buf[4096] = "";
        while (now() - t0 < header_timeout + 5) {
            if (send_all(fd, "a", 1))
                break;
            size_t k = read_resp(fd, buf, sizeof buf, 0.3, 1, &closed);
            if (k || closed)
                break;
        }
        double el = now() - t0;
        snprintf(d, sizeof d, "status %d after %.1f s (timeout %.1f s); another client got %d",
                 status_of(buf), el, header_timeout, others);
        result(status_of(buf) == 408 && el < header_timeout + 2 && others == 200,
               "slow header (slowloris)", d);
        close(fd);
    }
    /* silent: connects, says nothing */
    {
        int fd = dial(), closed = 0;
        char buf[256];
        double t0 = now();
        read_resp(fd, buf, sizeof buf, 60, 0, &closed);
        snprintf(d, sizeof d, "%s after %.1f s", closed ? "closed" : "still open", now() - t0);
        result(closed && now() - t0 < 50, "silent connection is closed (idle timeout)", d);
        close(fd);
    }

    /* abrupt closes: mid-head, mid-body, and a reset */
    {
        int fd = dial();
        send_all(fd, "GET /api/v1/heal", 16);
        close(fd);
        fd = dial();
        const char *b = "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc";
        send_all(fd, b, strlen(b));
        close(fd);
        fd = dial();
        send_all(fd, b, strlen(b));
        struct linger lg = { 1, 0 };
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);   /* RST */
        fd = dial(); /* a full request whose answer is never read */
        send_all(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(fd);
        usleep(300000);
        st = normal_request();
        snprintf(d, sizeof d, "then a normal request: %d", st);
        result(st == 200, "abrupt closes (mid-head, mid-body, reset, unread answer)", d);
    }

    /* many idle connections at once, then a normal one (QEMU's user network
     * accepts forwarded connections one by one: opening 48 takes seconds
     * under TCG, so the image's idle timeout must be longer than that) */
    {
        int fds[48], opened = 0;
        double t48 = now();
        for (int i = 0; i < 48; i++)
            if ((fds[i] = dial()) >= 0)
                opened++;
        if (getenv("HTTP_ABUSE_DEBUG"))
            fprintf(stderr, "  dialled in %.2f s\n", now() - t48);
        for (int i = 0; i < 48; i++) /* half of them start a request */
            if (fds[i] >= 0 && i % 2)
                send_all(fds[i], "GET / HTTP/1.1\r\n", 16);
        st = normal_request();
        if (getenv("HTTP_ABUSE_DEBUG"))
            fprintf(stderr, "  normal request done at %.2f s\n", now() - t48);
        /* and each open one can still complete its request */
        int answered = 0;
        for (int i = 0; i < 48; i++) {
            if (fds[i] < 0)
                continue;
            const char *rest = i % 2 ? "Host: x\r\n\r\n" : "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
            send_all(fds[i], rest, strlen(rest));
        }
        for (int i = 0; i < 48; i++) {
            if (fds[i] < 0)
                continue;
            char buf[2048];
            int closed;
            read_resp(fds[i], buf, sizeof buf, 10, 1, &closed);
            answered += status_of(buf) == 200;
            if (status_of(buf) != 200 && getenv("HTTP_ABUSE_DEBUG"))
                fprintf(stderr, "  connection %d: %s after %s: \"%.60s\"\n", i,
                        closed ? "closed" : "open", i % 2 ? "a split head" : "a whole request",
                        buf);
            close(fds[i]);
        }
        snprintf(d, sizeof d, "%d opened, %d answered, a new one got %d", opened, answered, st);
        result(opened == 48 && answered == 48 && st == 200, "48 concurrent connections", d);
    }

    st = normal_request();
    snprintf(d, sizeof d, "status %d", st);
    result(st == 200, "a normal request at the end", d);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
