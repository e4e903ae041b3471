/*
 * Host test of the tls module's glue (run by tests/host.sh, which builds
 * it with BearSSL's sources): trust anchors from Debian's real CA bundle
 * and from malformed ones, the error words, and client sessions against
 * python3's ssl (tests/tls_server.py) - a good certificate, an unknown
 * CA, a wrong host name, an expired date, a transport that times out
 * during the handshake - and the refusals before any byte is sent (no
 * random source, no wall clock, no anchors).
 *
 *   test_tls BUNDLE NCERTS CERTDIR PORT_GOOD PORT_UNKNOWN PORT_WRONG PORT_SLOW
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <anx/errno.h> /* the core's codes */

#include "bearssl.h"
#include "tls.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                                 \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

/* ------------------------------------------------------------------ */
/* Stand-ins for the core (tls.c's <anx/random.h>, <anx/time.h> ...)    */

static bool random_works = true;
static bool wall_clock = true;
static uint64_t clock_override_s; /* 0: the host's clock */
static const struct tls_trust *default_trust;
static int eagain_reads; /* reads the transport answered with ANX_EAGAIN */

int anx_random(void *buf, size_t len)
{
    memset(buf, 0, len);
    if (!random_works)
        return ANX_ENOTSUP;
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f ? fread(buf, 1, len, f) : 0;
    if (f)
        fclose(f);
    return n == len ? 0 : ANX_ENOTSUP;
}

bool anx_random_ready(void)
{
    return random_works;
}

uint64_t anx_time_unix_ns(void)
{
    if (clock_override_s)
        return clock_override_s * 1000000000ull;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000000ull;
}

bool anx_time_has_wall_clock(void)
{
    return wall_clock;
}

const struct tls_trust *tls_trust_default(void)
{
    return default_trust;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
    size_t l = strlen(s);
    if (n) {
        size_t c = l < n - 1 ? l : n - 1;
        memcpy(d, s, c);
        d[c] = 0;
    }
    return l;
}

/* ------------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    *len = fread(p, 1, (size_t)n, f);
    fclose(f);
    return p;
}

static struct tls_trust *trust_file(const char *path)
{
    size_t len;
    char *pem = read_file(path, &len);
    char err[160];
    struct tls_trust *t = pem ? tls_trust_from_pem(pem, len, err, sizeof err) : NULL;
    if (!t)
        printf("FAIL cannot load %s: %s\n", path, pem ? err : "unreadable");
    free(pem);
    return t;
}

static void test_debian_bundle(const char *path, size_t ncerts)
{
    size_t len;
    char *pem = read_file(path, &len);
    char err[160] = "";
    CHECK(pem != NULL, "%s unreadable", path);
    if (!pem)
        return;
    struct tls_trust *t = tls_trust_from_pem(pem, len, err, sizeof err);
    CHECK(t != NULL, "%s: %s", path, err);
    CHECK(tls_trust_count(t) == ncerts, "%zu anchors, the bundle has %zu certificates",
          tls_trust_count(t), ncerts);
    CHECK(tls_trust_skipped(t) == 0, "%zu skipped", tls_trust_skipped(t));
    size_t n;
    extern const br_x509_trust_anchor *tls_trust_anchors(const struct tls_trust *, size_t *);
    const br_x509_trust_anchor *ta = tls_trust_anchors(t, &n);
    size_t cas = 0, rsa = 0, ec = 0;
    for (size_t i = 0; i < n; i++) {
        cas += (ta[i].flags & BR_X509_TA_CA) != 0;
        rsa += ta[i].pkey.key_type == BR_KEYTYPE_RSA;
        ec += ta[i].pkey.key_type == BR_KEYTYPE_EC;
    }
    CHECK(cas == n, "%zu of %zu anchors are CAs", cas, n);
    CHECK(rsa > 0 && ec > 0 && rsa + ec == n, "%zu RSA + %zu EC of %zu", rsa, ec, n);
    printf("ok   Debian bundle: %zu anchors (%zu RSA, %zu EC) from %zu KiB of PEM, %zu KiB in memory\n",
           n, rsa, ec, len / 1024, tls_trust_bytes(t) / 1024);
    tls_trust_free(t);
    free(pem);
}

static void bad_pem(const char *pem, const char *want)
{
    char err[160] = "";
    struct tls_trust *t = tls_trust_from_pem(pem, strlen(pem), err, sizeof err);
    CHECK(t == NULL && strstr(err, want), "got \"%s\", want \"%s\"", err, want);
    tls_trust_free(t);
}

static void test_malformed(const char *ca_path)
{
    bad_pem("", "no usable CERTIFICATE block");
    bad_pem("just some text\n", "no usable CERTIFICATE block");
    bad_pem("# comment\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
            "line 3: malformed PEM (not base64");
    bad_pem("-----BEGIN CERTIFICATE-----\nMIIB\n", "line 1: the BEGIN CERTIFICATE block has no END line");
    bad_pem("-----BEGIN CERTIFICATE-----\nMIIB\n-----END X509 CRL-----\n",
            "line 3: END X509 CRL does not match BEGIN CERTIFICATE of line 1");
    bad_pem("-----BEGIN CERTIFICATE-----\nMIIBa\n-----END CERTIFICATE-----\n",
            "line 3: malformed PEM (the base64 ends mid-group)");
    bad_pem("-----BEGIN CERTIFICATE-----\naGVsbG8=aGVs\n-----END CERTIFICATE-----\n",
            "line 2: malformed PEM (not base64");
    bad_pem("x\n-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
            "line 4: the certificate ending here is not valid X.509");
    /* other blocks are skipped; a last line without "\n" still counts */
    size_t len;
    char *ca = read_file(ca_path, &len);
    while (len && ca[len - 1] == '\n')
        len--;
    const char *key = "-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n";
    char *mix = malloc(strlen(key) + len + 1);
    memcpy(mix, key, strlen(key));
    memcpy(mix + strlen(key), ca, len);
    char err[160] = "";
    struct tls_trust *t = tls_trust_from_pem(mix, strlen(key) + len, err, sizeof err);
    CHECK(t && tls_trust_count(t) == 1, "key block + CA without a final newline: %s",
          t ? "wrong count" : err);
    tls_trust_free(t);
    free(mix);
    free(ca);
}

static void test_error_text(void)
{
    CHECK(strstr(tls_error_text(BR_ERR_X509_NOT_TRUSTED), "(unknown CA)"), "not trusted");
    CHECK(strstr(tls_error_text(BR_ERR_X509_EXPIRED), "expired or is not yet valid"), "expired");
    CHECK(strstr(tls_error_text(BR_ERR_X509_BAD_SERVER_NAME), "wrong host name"), "name");
    CHECK(strstr(tls_error_text(BR_ERR_BAD_CIPHER_SUITE), "handshake failure: no common cipher suite"),
          "suite");
    CHECK(!strcmp(tls_error_text(BR_ERR_NO_RANDOM), "no hardware random source"), "random");
    CHECK(!strcmp(tls_error_text(BR_ERR_RECV_FATAL_ALERT + BR_ALERT_HANDSHAKE_FAILURE),
                  "the server refused the connection: alert handshake failure (no common cipher "
                  "suite or parameters)"),
          "%s", tls_error_text(BR_ERR_RECV_FATAL_ALERT + BR_ALERT_HANDSHAKE_FAILURE));
    CHECK(!strcmp(tls_error_text(BR_ERR_SEND_FATAL_ALERT + BR_ALERT_UNKNOWN_CA),
                  "handshake failure: this side sent alert unknown CA"),
          "sent alert");
    CHECK(strstr(tls_error_text(BR_ERR_RECV_FATAL_ALERT + 200), "an unknown alert"), "alert 200");
    CHECK(strstr(tls_error_text(9999), "unknown TLS error"), "9999");
    /* every code BearSSL defines from 0 to 62 has words (not the fallback) */
    for (int c = 0; c <= 62; c++) {
        if (c == 11 || c == 30 || c == 32 || c == 61)
            continue; /* codes BearSSL does not define */
        CHECK(!strstr(tls_error_text(c), "unknown TLS error"), "code %d has no words", c);
    }
}

/* ------------------------------------------------------------------ */
/* Sessions over a socket                                               */

static long sock_read(void *ctx, void *buf, size_t len)
{
    ssize_t n = recv(*(int *)ctx, buf, len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        eagain_reads++;
        return ANX_EAGAIN;
    }
    return n < 0 ? ANX_EIO : (long)n;
}

static int sock_write(void *ctx, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(*(int *)ctx, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return ANX_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    struct timeval tv = { .tv_usec = 100000 }; /* the worker's 100 ms slices */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* One GET through a session: the response text into resp, or the error
 * (and BearSSL code) of the failure. Returns the step's code. */
static int fetch(int port, const char *name, const struct tls_trust *trust, char *resp,
                 size_t resp_len, int *br_code)
{
    int fd = dial(port);
    if (fd < 0) {
        snprintf(resp, resp_len, "cannot connect to port %d", port);
        return -1;
    }
    struct tls_io io = { .ctx = &fd, .read = sock_read, .write = sock_write };
    struct tls_session *s;
    int rc = tls_client_new(&s, &(struct tls_client_config){ .server_name = name, .trust = trust },
                            &io, resp, resp_len);
    *br_code = 0;
    if (rc < 0) {
        close(fd);
        return rc;
    }
    for (int tries = 0; (rc = tls_handshake(s)) == ANX_EAGAIN && tries < 100; tries++)
        ;
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    if (rc == 0)
        rc = tls_write(s, req, strlen(req));
    size_t got = 0;
    for (int tries = 0; rc == 0 && tries < 100;) {
        long n = tls_read(s, resp + got, resp_len - 1 - got);
        if (n == ANX_EAGAIN) {
            tries++;
            continue;
        }
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        got += (size_t)n;
    }
    resp[got] = 0;
    if (rc < 0) {
        snprintf(resp, resp_len, "%s", tls_error(s));
        *br_code = tls_error_code(s);
    } else {
        tls_close(s);
    }
    tls_free(s);
    close(fd);
    return rc;
}

static void test_sessions(const char *certdir, int good, int unknown, int wrong, int slow)
{
    char path[512], resp[512], want[64];
    int code;
    snprintf(path, sizeof path, "%s/ca.pem", certdir);
    struct tls_trust *t = trust_file(path);
    if (!t)
        return;

    snprintf(want, sizeof want, "hello over tls from %d", good);
    int rc = fetch(good, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == 0 && strstr(resp, "HTTP/1.0 200 OK") && strstr(resp, want), "good: %d %s", rc, resp);

    rc = fetch(unknown, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EIO && code == BR_ERR_X509_NOT_TRUSTED &&
              !strcmp(resp, "the server's certificate is not signed by a trusted certificate "
                            "authority (unknown CA)"),
          "unknown CA: %d %d %s", rc, code, resp);

    rc = fetch(wrong, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EIO && code == BR_ERR_X509_BAD_SERVER_NAME &&
              !strcmp(resp, "the server's certificate is not for the host name 127.0.0.1 (wrong "
                            "host name)"),
          "wrong name: %d %d %s", rc, code, resp);

    /* the right certificate, asked for under another name */
    rc = fetch(good, "other.example", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EIO && code == BR_ERR_X509_BAD_SERVER_NAME && strstr(resp, "other.example"),
          "other name: %d %d %s", rc, code, resp);

    clock_override_s = 4102444800ull + 86400 * 31; /* 2100-02-01: past the 30 days */
    rc = fetch(good, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EIO && code == BR_ERR_X509_EXPIRED &&
              strstr(resp, "has expired or is not yet valid (the image's clock says 2100-02-01)"),
          "expired: %d %d %s", rc, code, resp);
    clock_override_s = 946684800; /* 2000-01-01: not yet valid */
    rc = fetch(good, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EIO && code == BR_ERR_X509_EXPIRED && strstr(resp, "says 2000-01-01"),
          "not yet valid: %d %d %s", rc, code, resp);
    clock_override_s = 0;

    /* the server waits 0.5 s: reads time out (ANX_EAGAIN) and the
     * handshake resumes where it was */
    eagain_reads = 0;
    snprintf(want, sizeof want, "hello over tls from %d", slow);
    rc = fetch(slow, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == 0 && strstr(resp, want) && eagain_reads >= 2, "slow: %d %s (%d timeouts)", rc,
          resp, eagain_reads);

    /* tls_write before the handshake: refused with words, nothing sent */
    int fd = dial(good);
    struct tls_io io = { .ctx = &fd, .read = sock_read, .write = sock_write };
    struct tls_session *s;
    char err[160];
    rc = tls_client_new(&s, &(struct tls_client_config){ .server_name = "127.0.0.1", .trust = t },
                        &io, err, sizeof err);
    CHECK(rc == 0, "new: %s", err);
    if (rc == 0) {
        rc = tls_write(s, "x", 1);
        CHECK(rc == ANX_EIO && strstr(tls_error(s), "before the handshake"), "early write: %d %s",
              rc, tls_error(s));
        CHECK(tls_handshake(s) == ANX_EIO, "a failed session stays failed");
        tls_free(s);
    }
    close(fd);

    /* refusals before anything is sent */
    random_works = false;
    rc = fetch(good, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_ENOTSUP && !strncmp(resp, "no hardware random source", 25), "no random: %d %s",
          rc, resp);
    random_works = true;
    wall_clock = false;
    rc = fetch(good, "127.0.0.1", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_ENOTSUP && strstr(resp, "no wall clock"), "no clock: %d %s", rc, resp);
    wall_clock = true;
    rc = fetch(good, "127.0.0.1", NULL, resp, sizeof resp, &code); /* no default set */
    CHECK(rc == ANX_ENOENT && strstr(resp, "no trusted certificate authorities"), "no anchors: %d %s",
          rc, resp);
    default_trust = t;
    rc = fetch(good, "127.0.0.1", NULL, resp, sizeof resp, &code);
    CHECK(rc == 0 && strstr(resp, "hello over tls"), "default anchors: %d %s", rc, resp);
    default_trust = NULL;
    rc = fetch(good, "", t, resp, sizeof resp, &code);
    CHECK(rc == ANX_EINVAL && strstr(resp, "no valid server name"), "no name: %d %s", rc, resp);
    tls_trust_free(t);
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: test_tls BUNDLE NCERTS CERTDIR GOOD UNKNOWN WRONG SLOW\n");
        return 2;
    }
    char ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[3]);
    test_debian_bundle(argv[1], (size_t)atoi(argv[2]));
    test_malformed(ca);
    test_error_text();
    test_sessions(argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
