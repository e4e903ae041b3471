/* Host client for tests/boot/store-crash.sh: streams PUTs of versioned
 * objects to the storage appliance over one keep-alive HTTP connection and
 * logs every request sent and every answer received in full; after QEMU was
 * killed and restarted, checks that every acknowledged version is there with
 * exactly its content and that no version the client did not send (a torn
 * one) is visible.
 *
 *   store_crash_client put PORT LOG SEQ0 SEED PROFILE   stream until the connection dies
 *   store_crash_client verify PORT LOG SEQ0 PROFILE     check; appends what it learnt to LOG
 *
 * PROFILE (the same for every run on one disk): 0 mixed sizes (0 .. 256 KiB,
 * mostly small), 1 tiny objects (0 .. 600 bytes: many journal records, so a
 * small disk's journal fills and a checkpoint is written under load).
 *
 * Content and size of a PUT are a function of (name, seq) only, so the log
 * needs no copy of the data. LOG lines:
 *   S name seq size            about to send
 *   A name seq version id      2xx answer received in full (acknowledged)
 *   D name seq version         found durable after a restart though not acknowledged
 *   X name seq                 sent, never acknowledged, not durable: gone for good
 * Exit: put 0 connection lost (the kill), 3 store full (507), 1 violation or
 * error; verify 0 clean, 1 violation.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <anx/sha256.h>

/* ---- SHA-256: the core's implementation (core/lib/sha256.c) ------------ */

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
    uint8_t d[ANX_SHA256_SIZE];
    anx_sha256(p, n, d);
    anx_sha256_hex(d, out);
}

/* ---- deterministic content ---------------------------------------------- */
static const char *names[] = {"crash/a", "crash/b/c", "crash/long-name.d"};
#define NNAMES 3

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL; x ^= x >> 33;
    return x;
}
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 1099511628211ULL;
    return h;
}
/* mostly small objects (many journal records: checkpoints happen), some
 * medium, a few large (multi-request data writes) */
static int profile;
static size_t size_of(const char *name, uint64_t seq)
{
    uint64_t r = mix(name_hash(name) ^ (seq * 0x9e3779b97f4a7c15ULL) ^ 0x5a5a);
    if (profile == 1)
        return r % 601;
    unsigned c = r % 100;
    r >>= 8;
    if (c < 75) return r % 2048;           /* 0 .. 2 KiB, including empty */
    if (c < 97) return 2048 + r % 30720;   /* .. 32 KiB */
    return 32768 + r % 229376;             /* .. 256 KiB */
}
static uint8_t *content(const char *name, uint64_t seq, size_t *len)
{
    size_t n = size_of(name, seq);
    uint8_t *p = malloc(n + 1);
    uint64_t s = mix(name_hash(name) + seq) | 1;
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0)
            s = mix(s + 0x9e3779b97f4a7c15ULL);
        p[i] = (uint8_t)(s >> (8 * (i % 8)));
    }
    *len = n;
    return p;
}

/* ---- HTTP over one keep-alive connection --------------------------------- */
static int port, fd = -1;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "store_crash_client: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static int connect_to(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
        close(s);
        return -1;
    }
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return s;
}

static int send_all(const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            return -1;
        }
        c += k, n -= (size_t)k;
    }
    return 0;
}

static char rbuf[1 << 16];
static size_t rlen;

/* one response: status, body (malloc'd) */
static int recv_response(int *status, uint8_t **body, size_t *blen)
{
    char *end;
    while (!(end = memmem(rbuf, rlen, "\r\n\r\n", 4))) {
        if (rlen == sizeof(rbuf))
            return -1;
        ssize_t k = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
        if (k <= 0)
            return -1;
        rlen += (size_t)k;
    }
    size_t hl = (size_t)(end - rbuf) + 4;
    if (sscanf(rbuf, "HTTP/1.%*d %d", status) != 1)
        return -1;
    size_t cl = 0;
    for (char *l = rbuf; l < end; l++) {
        if ((l == rbuf || l[-1] == '\n') && !strncasecmp(l, "Content-Length:", 15))
            cl = strtoull(l + 15, NULL, 10);
    }
    uint8_t *b = malloc(cl + 1);
    size_t have = rlen - hl < cl ? rlen - hl : cl;
    memcpy(b, rbuf + hl, have);
    memmove(rbuf, rbuf + hl + have, rlen - hl - have);
    rlen -= hl + have;
    while (have < cl) {
        ssize_t k = recv(fd, b + have, cl - have, 0);
        if (k <= 0) {
            free(b);
            return -1;
        }
        have += (size_t)k;
    }
    b[cl] = 0;
    *body = b;
    *blen = cl;
    return 0;
}

static int request(const char *method, const char *path, const void *body, size_t blen, int *status,
                   uint8_t **rb, size_t *rblen)
{
    char h[512];
    int n = snprintf(h, sizeof(h),
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                     "Content-Length: %zu\r\n\r\n", method, path, blen);
    if (send_all(h, (size_t)n) || (blen && send_all(body, blen)))
        return -1;
    return recv_response(status, rb, rblen);
}

/* ---- put ----------------------------------------------------------------- */
static int do_put(const char *logpath, uint64_t seq, uint64_t seed)
{
    FILE *log = fopen(logpath, "a");
    if (!log)
        die("%s: %s", logpath, strerror(errno));
    fd = connect_to();
    if (fd < 0)
        die("connect: %s", strerror(errno));
    uint64_t r = mix(seed);
    unsigned n = 0;
    for (;; seq++) {
        r = mix(r + seq);
        const char *name = names[r % NNAMES];
        size_t len;
        uint8_t *data = content(name, seq, &len);
        char id[65], path[256];
        sha256_hex(data, len, id);
        fprintf(log, "S %s %llu %zu\n", name, (unsigned long long)seq, len);
        fflush(log);
        snprintf(path, sizeof(path), "/api/v1/objects/%s", name);
        int status;
        uint8_t *rb;
        size_t rbl;
        if (request("PUT", path, data, len, &status, &rb, &rbl)) {
            free(data);
            printf("put: %u acknowledged, connection lost at seq %llu\n", n, (unsigned long long)seq);
            return 0;                      /* QEMU was killed */
        }
        free(data);
        if (status == 507) {
            printf("put: %u acknowledged, store full at seq %llu\n", n, (unsigned long long)seq);
            fprintf(log, "X %s %llu\n", name, (unsigned long long)seq);
            fclose(log);
            return 3;
        }
        unsigned ver;
        char rid[65];
        const char *v = strstr((char *)rb, "\"version\": "), *i = strstr((char *)rb, "\"id\": \"");
        if (status < 200 || status > 299 || !v || !i || sscanf(v + 11, "%u", &ver) != 1 ||
            sscanf(i + 7, "%64[0-9a-f]", rid) != 1)
            die("PUT %s seq %llu: status %d: %.200s", name, (unsigned long long)seq, status, (char *)rb);
        if (strcmp(rid, id))
            die("VIOLATION: PUT %s seq %llu: server id %s, content hash %s", name,
                (unsigned long long)seq, rid, id);
        free(rb);
        fprintf(log, "A %s %llu %u %s\n", name, (unsigned long long)seq, ver, id);
        fflush(log);
        n++;
    }
}

/* ---- verify -------------------------------------------------------------- */
struct ent { int name; uint64_t seq; unsigned ver; char state; }; /* S pending, A/D durable, X gone */
static struct ent *ents;
static size_t nents, cents;

static int name_ix(const char *s)
{
    for (int i = 0; i < NNAMES; i++)
        if (!strcmp(s, names[i]))
            return i;
    die("log: unknown name %s", s);
    return -1;
}
static struct ent *find(int name, uint64_t seq)
{
    for (size_t i = nents; i-- > 0;)
        if (ents[i].name == name && ents[i].seq == seq)
            return &ents[i];
    return NULL;
}

static int violations;
static void violation(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("VIOLATION: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    violations++;
}

static int do_verify(const char *logpath, uint64_t seq0)
{
    FILE *log = fopen(logpath, "r");
    if (!log)
        die("%s: %s", logpath, strerror(errno));
    char line[512], nm[256], idb[65];
    unsigned long long seq;
    unsigned ver;
    size_t sz;
    while (fgets(line, sizeof(line), log)) {
        struct ent *e;
        if (sscanf(line, "S %255s %llu %zu", nm, &seq, &sz) == 3) {
            if (nents == cents)
                ents = realloc(ents, (cents = cents ? 2 * cents : 1024) * sizeof(*ents));
            ents[nents++] = (struct ent){name_ix(nm), seq, 0, 'S'};
        } else if (sscanf(line, "A %255s %llu %u %64s", nm, &seq, &ver, idb) == 4 ||
                   sscanf(line, "D %255s %llu %u", nm, &seq, &ver) == 3) {
            if (!(e = find(name_ix(nm), seq)))
                die("log: %s", line);
            e->ver = ver;
            e->state = line[0];
        } else if (sscanf(line, "X %255s %llu", nm, &seq) == 2) {
            if ((e = find(name_ix(nm), seq)))
                e->state = 'X';
        }
    }
    fclose(log);
    log = fopen(logpath, "a");

    fd = connect_to();
    if (fd < 0)
        die("connect: %s", strerror(errno));
    unsigned acked = 0, found_unacked = 0, blobs = 0, versions = 0;
    for (int ni = 0; ni < NNAMES; ni++) {
        char path[300];
        int status;
        uint8_t *rb;
        size_t rbl;
        snprintf(path, sizeof(path), "/api/v1/objects/%s/versions", names[ni]);
        if (request("GET", path, NULL, 0, &status, &rb, &rbl))
            die("GET %s: connection lost", path);
        /* server versions: number -> id */
        unsigned maxv = 0;
        char (*ids)[65] = calloc(1u << 16, 65);
        if (status == 200) {
            for (char *p = (char *)rb; (p = strstr(p, "\"version\": ")); p++) {
                unsigned v;
                char id[65];
                char *q = strstr(p, "\"id\": \"");
                if (!q || sscanf(p + 11, "%u", &v) != 1 || sscanf(q + 7, "%64[0-9a-f]", id) != 1 || v >= (1u << 16))
                    die("GET %s: cannot parse %.200s", path, p);
                if (ids[v][0])
                    violation("%s: version %u listed twice", names[ni], v);
                strcpy(ids[v], id);
                maxv = v > maxv ? v : maxv;
            }
        } else if (status != 404) {
            die("GET %s: status %d", path, status);
        }
        free(rb);
        for (unsigned v = 1; v <= maxv; v++)
            if (!ids[v][0])
                violation("%s: version %u missing (history has %u)", names[ni], v, maxv);
        versions += maxv;
        /* every durable entry must be there with its content's id */
        char *seen = calloc(maxv + 2, 1);
        for (size_t i = 0; i < nents; i++) {
            struct ent *e = &ents[i];
            if (e->name != ni || (e->state != 'A' && e->state != 'D'))
                continue;
            size_t len;
            uint8_t *d = content(names[ni], e->seq, &len);
            char id[65];
            sha256_hex(d, len, id);
            free(d);
            acked++;
            if (e->ver > maxv || !ids[e->ver][0])
                violation("%s: acknowledged version %u (seq %llu) lost", names[ni], e->ver, (unsigned long long)e->seq);
            else if (strcmp(ids[e->ver], id))
                violation("%s: version %u is %s, should be %s (seq %llu)", names[ni], e->ver, ids[e->ver], id,
                          (unsigned long long)e->seq);
            else
                seen[e->ver] = 1;
        }
        /* a version nobody acknowledged: must be one that was sent and not answered */
        for (unsigned v = 1; v <= maxv; v++) {
            if (seen[v] || !ids[v][0])
                continue;
            struct ent *m = NULL;
            for (size_t i = 0; i < nents && !m; i++) {
                struct ent *e = &ents[i];
                if (e->name != ni || e->state != 'S')
                    continue;
                size_t len;
                uint8_t *d = content(names[ni], e->seq, &len);
                char id[65];
                sha256_hex(d, len, id);
                free(d);
                if (!strcmp(id, ids[v]))
                    m = e;
            }
            if (!m) {
                violation("%s: version %u (%s) was never sent", names[ni], v, ids[v]);
                continue;
            }
            m->state = 'D';
            m->ver = v;
            found_unacked++;
            fprintf(log, "D %s %llu %u\n", names[ni], (unsigned long long)m->seq, v);
        }
        /* content: every version written since SEQ0 by id, and the current one by name */
        for (size_t i = 0; i < nents; i++) {
            struct ent *e = &ents[i];
            if (e->name != ni || (e->state != 'A' && e->state != 'D') || e->ver > maxv || !ids[e->ver][0])
                continue;
            if (e->seq < seq0 && e->ver != maxv)
                continue;
            size_t len;
            uint8_t *d = content(names[ni], e->seq, &len);
            snprintf(path, sizeof(path), e->ver == maxv ? "/api/v1/objects/%s" : "/api/v1/blobs/%s",
                     e->ver == maxv ? names[ni] : ids[e->ver]);
            if (request("GET", path, NULL, 0, &status, &rb, &rbl))
                die("GET %s: connection lost", path);
            if (status != 200 || rbl != len || memcmp(rb, d, len))
                violation("GET %s: status %d, %zu bytes, content %s (seq %llu, %zu bytes expected)", path, status,
                          rbl, status == 200 && rbl == len ? "differs" : "-", (unsigned long long)e->seq, len);
            blobs++;
            free(rb);
            free(d);
        }
        free(seen);
        free(ids);
    }
    /* whatever was sent and is not durable now never will be */
    for (size_t i = 0; i < nents; i++)
        if (ents[i].state == 'S')
            fprintf(log, "X %s %llu\n", names[ents[i].name], (unsigned long long)ents[i].seq);
    fclose(log);
    printf("verify: %u versions on the server, %u acknowledged intact, %u unacknowledged durable, %u contents read, %d violations\n",
           versions, acked, found_unacked, blobs, violations);
    return violations ? 1 : 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    alarm(120);                            /* never hang a test run */
    if (argc == 7 && !strcmp(argv[1], "put")) {
        port = atoi(argv[2]);
        profile = atoi(argv[6]);
        return do_put(argv[3], strtoull(argv[4], NULL, 10), strtoull(argv[5], NULL, 10));
    }
    if (argc == 6 && !strcmp(argv[1], "verify")) {
        port = atoi(argv[2]);
        profile = atoi(argv[5]);
        return do_verify(argv[3], strtoull(argv[4], NULL, 10));
    }
    fprintf(stderr, "usage: store_crash_client put PORT LOG SEQ0 SEED PROFILE | verify PORT LOG SEQ0 PROFILE\n");
    return 2;
}
