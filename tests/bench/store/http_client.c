/* HTTP client for tests/bench/store/run.sh: one keep-alive connection;
 * N PUTs of SIZE bytes (distinct contents) to /api/v1/objects/NAME, then N
 * GETs of those versions (?version=K). Prints, per phase:
 *   http put SIZE x N: OPS ops/s, MIB MiB/s, p50 US us, p99 US us
 * Usage: http_client PORT NAME SIZE N */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fd;
static char rbuf[1 << 16];
static size_t rlen;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void send_all(const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0) { perror("send"); exit(1); }
        c += k, n -= (size_t)k;
    }
}

/* one response: returns the status, *body (static buffer reused) */
static int response(uint8_t **body, size_t *blen)
{
    static uint8_t *b;
    static size_t bcap;
    char *end;
    while (!(end = memmem(rbuf, rlen, "\r\n\r\n", 4))) {
        ssize_t k = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
        if (k <= 0) { fprintf(stderr, "connection lost\n"); exit(1); }
        rlen += (size_t)k;
    }
    size_t hl = (size_t)(end - rbuf) + 4, cl = 0;
    int status = 0;
    sscanf(rbuf, "HTTP/1.%*d %d", &status);
    for (char *l = rbuf; l < end; l++)
        if ((l == rbuf || l[-1] == '\n') && !strncasecmp(l, "Content-Length:", 15))
            cl = strtoull(l + 15, NULL, 10);
    if (cl + 1 > bcap)
        b = realloc(b, bcap = cl + 1);
    size_t have = rlen - hl < cl ? rlen - hl : cl;
    memcpy(b, rbuf + hl, have);
    memmove(rbuf, rbuf + hl + have, rlen - hl - have);
    rlen -= hl + have;
    while (have < cl) {
        ssize_t k = recv(fd, b + have, cl - have, 0);
        if (k <= 0) { fprintf(stderr, "connection lost\n"); exit(1); }
        have += (size_t)k;
    }
    *body = b;
    *blen = cl;
    return status;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *lat, unsigned n, uint64_t total, size_t size)
{
    qsort(lat, n, sizeof(*lat), cmp);
    double s = total / 1e9;
    printf("http %s %zu x %u: %.3f ops/s, %.3f MiB/s, p50 %llu us, p99 %llu us\n", what, size, n, n / s,
           n * (double)size / s / 1048576.0, (unsigned long long)(lat[n / 2] / 1000),
           (unsigned long long)(lat[(n * 99) / 100] / 1000));
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: http_client PORT NAME SIZE N\n");
        return 2;
    }
    int port = atoi(argv[1]);
    const char *name = argv[2];
    size_t size = strtoull(argv[3], NULL, 10);
    unsigned n = (unsigned)atoi(argv[4]);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a))) { perror("connect"); return 1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    uint8_t *buf = malloc(size + 16);
    for (size_t i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint64_t *lat = malloc(n * sizeof(*lat)), salt = now_ns();
    unsigned first = 0;
    char h[512], path[300];
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        uint64_t tag[2] = {salt, i};
        memcpy(buf, tag, size < 16 ? size : 16);
        int hl = snprintf(h, sizeof(h), "PUT /api/v1/objects/%s HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n\r\n", name, size);
        uint64_t s = now_ns();
        send_all(h, (size_t)hl);
        send_all(buf, size);
        uint8_t *b;
        size_t bl;
        int st = response(&b, &bl);
        lat[i] = now_ns() - s;
        if (st != 200 && st != 201) { fprintf(stderr, "PUT: status %d %.200s\n", st, (char *)b); return 1; }
        if (!i) {
            const char *v = strstr((char *)b, "\"version\": ");
            first = v ? (unsigned)atoi(v + 11) : 1;
        }
    }
    report("put", lat, n, now_ns() - t0, size);
    t0 = now_ns();
    for (unsigned i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/api/v1/objects/%s?version=%u", name, first + i);
        int hl = snprintf(h, sizeof(h), "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
        uint64_t s = now_ns();
        send_all(h, (size_t)hl);
        uint8_t *b;
        size_t bl;
        int st = response(&b, &bl);
        lat[i] = now_ns() - s;
        if (st != 200 || bl != size) { fprintf(stderr, "GET %s: status %d, %zu bytes\n", path, st, bl); return 1; }
    }
    report("get", lat, n, now_ns() - t0, size);
    return 0;
}
