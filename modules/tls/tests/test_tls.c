/*
 * Host test of the tls module's glue (run by tests/host.sh, which builds
 * it with BearSSL's sources): trust anchors from Debian's real CA bundle
 * and from malformed ones, the error words, and client sessions against
 * python3's ssl (tests/tls_server.py) - a good certificate, an unknown
 * CA, a wrong host name, an expired date, a transport that times out
 * during the handshake - and the refusals before any byte is sent (no
 * random source, no wall clock, no anchors). Server sessions: a client
 * and a server of ours over an in-memory pipe with a self-signed
 * certificate made here (written to OUTDIR for host.sh to check with
 * openssl), with openssl-made EC and RSA certificates, plain HTTP sent to
 * the server, and certificate/key pairs refused with their reasons.
 *
 *   test_tls BUNDLE NCERTS CERTDIR PORT_GOOD PORT_UNKNOWN PORT_WRONG PORT_SLOW OUTDIR
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
#include <time.h>
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

/* ------------------------------------------------------------------ */
/* Server sessions: a client and a server of ours over an in-memory pipe */

/* One direction of the pipe. Reads of an empty pipe say ANX_EAGAIN (as a
 * netconn's receive timeout does), so one thread can run both ends. */
struct pipe_dir {
    unsigned char buf[1 << 17];
    size_t rd, wr;
    bool closed;
};

struct pipe_end {
    struct pipe_dir *in, *out;
};

static long pipe_read(void *ctx, void *buf, size_t len)
{
    struct pipe_end *e = ctx;
    size_t have = e->in->wr - e->in->rd;
    if (!have)
        return e->in->closed ? 0 : ANX_EAGAIN;
    size_t n = have < len ? have : len;
    memcpy(buf, e->in->buf + e->in->rd, n);
    e->in->rd += n;
    return (long)n;
}

static int pipe_write(void *ctx, const void *buf, size_t len)
{
    struct pipe_end *e = ctx;
    if (e->out->closed || len > sizeof e->out->buf - e->out->wr)
        return ANX_EIO;
    memcpy(e->out->buf + e->out->wr, buf, len);
    e->out->wr += len;
    return 0;
}

static struct pipe_dir c2s, s2c;
static struct pipe_end client_end = { &s2c, &c2s }, server_end = { &c2s, &s2c };
static const struct tls_io client_io = { &client_end, pipe_read, pipe_write };
static const struct tls_io server_io = { &server_end, pipe_read, pipe_write };

static void pipe_reset(void)
{
    memset(&c2s, 0, sizeof c2s);
    memset(&s2c, 0, sizeof s2c);
}

/* Both handshakes, taking turns: 0 when both are done, else the first
 * failure (the server's error into err). */
static int handshake_pair(struct tls_session *c, struct tls_session *s, char *err, size_t n)
{
    int rc_c = ANX_EAGAIN, rc_s = ANX_EAGAIN;
    for (int i = 0; i < 50 && (rc_c == ANX_EAGAIN || rc_s == ANX_EAGAIN); i++) {
        if (rc_c == ANX_EAGAIN)
            rc_c = tls_handshake(c);
        if (rc_s == ANX_EAGAIN)
            rc_s = tls_handshake(s);
    }
    snprintf(err, n, "client: %d %s / server: %d %s", rc_c, tls_error(c), rc_s, tls_error(s));
    return rc_c < 0 ? rc_c : rc_s < 0 ? rc_s : rc_c | rc_s;
}

/* A certificate's DER as PEM (for a trust set, and for openssl). */
static char *der_to_pem(const void *der, size_t len)
{
    size_t n = br_pem_encode(NULL, der, len, "CERTIFICATE", BR_PEM_LINE64);
    char *pem = malloc(n + 1);
    br_pem_encode(pem, der, len, "CERTIFICATE", BR_PEM_LINE64);
    return pem;
}

/* A handshake and a request/response both ways with cert, the client
 * trusting `trust` and checking `name`. Returns the handshake's code. */
static int serve_once(const struct tls_cert *cert, const struct tls_trust *trust, const char *name,
                      char *err, size_t errlen, char *cipher, size_t cipherlen)
{
    struct tls_session *c, *s;
    pipe_reset();
    int rc = tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &server_io, err, errlen);
    CHECK(rc == 0, "server new: %s", err);
    if (rc)
        return rc;
    rc = tls_client_new(&c, &(struct tls_client_config){ .server_name = name, .trust = trust },
                        &client_io, err, errlen);
    CHECK(rc == 0, "client new: %s", err);
    if (rc) {
        tls_free(s);
        return rc;
    }
    rc = handshake_pair(c, s, err, errlen);
    if (rc == 0) {
        snprintf(cipher, cipherlen, "%s", tls_cipher_name(s));
        char buf[64] = "";
        CHECK(tls_write(c, "GET / HTTP/1.1\r\n\r\n", 18) == 0, "client write: %s", tls_error(c));
        long n = tls_read(s, buf, sizeof buf - 1);
        CHECK(n == 18 && !memcmp(buf, "GET / HTTP/1.1\r\n\r\n", 18), "server read: %ld %s", n,
              tls_error(s));
        static char big[40000]; /* more than one record */
        memset(big, 'x', sizeof big);
        CHECK(tls_write(s, big, sizeof big) == 0, "server write: %s", tls_error(s));
        size_t got = 0;
        while (got < sizeof big && (n = tls_read(c, big, sizeof big)) > 0)
            got += (size_t)n;
        CHECK(got == sizeof big, "client read %zu of %zu: %s", got, sizeof big, tls_error(c));
        tls_close(s);
        CHECK(tls_read(c, buf, sizeof buf) == 0, "close_notify ends the client's stream");
    }
    tls_free(c);
    tls_free(s);
    return rc;
}

static char *read_text(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *p = read_file(path, len), *z = p ? realloc(p, *len + 1) : NULL;
    if (z)
        z[*len] = 0; /* text: ends with a NUL for strlen and %s */
    else
        free(p);
    return z;
}

/* PEM of one certificate file followed by one key file */
static struct tls_cert *cert_files(const char *dir, const char *crt, const char *key, char *err,
                                   size_t errlen)
{
    size_t a, b;
    char *pc = read_text(dir, crt, &a), *pk = read_text(dir, key, &b);
    if (!pc || !pk) {
        snprintf(err, errlen, "cannot read %s or %s", crt, key);
        free(pc);
        free(pk);
        return NULL;
    }
    char *both = malloc(a + b);
    memcpy(both, pc, a);
    memcpy(both + a, pk, b);
    struct tls_cert *c = tls_cert_from_pem(both, a + b, err, errlen);
    free(both);
    free(pc);
    free(pk);
    return c;
}

static void test_self_signed(const char *outdir)
{
    char err[320], cipher[64];
    static const char *const dns[] = { "localhost" };
    static const uint8_t ips[][4] = { { 127, 0, 0, 1 }, { 10, 0, 2, 15 } };
    struct tls_self_signed p = { .name = "test-image", .dns = dns, .ndns = 1, .ips = ips, .nips = 2,
                                 .now_unix = (uint64_t)time(NULL) };
    struct tls_cert *cert = tls_cert_self_signed(&p, err, sizeof err);
    CHECK(cert != NULL, "self-signed: %s", err);
    if (!cert)
        return;
    CHECK(!strcmp(tls_cert_key_name(cert), "EC P-256"), "key name %s", tls_cert_key_name(cert));
    size_t len;
    const void *der = tls_cert_der(cert, &len);
    char *pem = der_to_pem(der, len);
    /* for openssl (host.sh): the certificate and our fingerprint of it */
    char path[512];
    snprintf(path, sizeof path, "%s/selfsigned.pem", outdir);
    FILE *f = fopen(path, "w");
    fputs(pem, f);
    fclose(f);
    uint8_t fp[32];
    tls_cert_fingerprint(cert, fp);
    snprintf(path, sizeof path, "%s/selfsigned.fp", outdir);
    f = fopen(path, "w");
    for (int i = 0; i < 32; i++)
        fprintf(f, "%02X%s", fp[i], i < 31 ? ":" : "\n");
    fclose(f);

    /* BearSSL's own client trusts it directly, by name and by IP */
    struct tls_trust *t = tls_trust_from_pem(pem, strlen(pem), err, sizeof err);
    CHECK(t && tls_trust_count(t) == 1, "self-signed as anchor: %s", t ? "" : err);
    if (t) {
        int rc = serve_once(cert, t, "localhost", err, sizeof err, cipher, sizeof cipher);
        CHECK(rc == 0 && !strcmp(cipher, "ECDHE-ECDSA-AES128-GCM-SHA256"), "self-signed session: %s %s",
              err, cipher);
        rc = serve_once(cert, t, "other.example", err, sizeof err, cipher, sizeof cipher);
        CHECK(rc == ANX_EIO && strstr(err, "not for the host name other.example"), "wrong name: %s", err);
        tls_trust_free(t);
    }
    /* two certificates differ: new key, new serial */
    struct tls_cert *again = tls_cert_self_signed(&p, err, sizeof err);
    uint8_t fp2[32];
    if (again) {
        tls_cert_fingerprint(again, fp2);
        CHECK(memcmp(fp, fp2, 32) != 0, "a second self-signed certificate is another one");
        tls_cert_free(again);
    }
    /* no clock: the far dates, still accepted by a client with a clock */
    p.now_unix = 0;
    again = tls_cert_self_signed(&p, err, sizeof err);
    CHECK(again != NULL, "no clock: %s", err);
    if (again) {
        size_t l2;
        const void *d2 = tls_cert_der(again, &l2);
        char *pem2 = der_to_pem(d2, l2);
        snprintf(path, sizeof path, "%s/selfsigned-noclock.pem", outdir);
        f = fopen(path, "w");
        fputs(pem2, f);
        fclose(f);
        free(pem2);
        tls_cert_free(again);
    }
    /* from a seed: the same certificate whatever the clock, and without the
     * random source; another seed, another one */
    uint8_t seed[32], fps[3][32];
    memset(seed, 0x42, sizeof seed);
    random_works = false;
    for (int i = 0; i < 3; i++) {
        p.now_unix = i == 1 ? 1800000000 : 0;
        seed[0] = i == 2 ? 0x43 : 0x42;
        p.seed = seed;
        struct tls_cert *sc = tls_cert_self_signed(&p, err, sizeof err);
        CHECK(sc != NULL, "self-signed from a seed: %s", err);
        if (sc) {
            tls_cert_fingerprint(sc, fps[i]);
            tls_cert_free(sc);
        }
    }
    CHECK(memcmp(fps[0], fps[1], 32) == 0, "one seed: the same certificate at any clock");
    CHECK(memcmp(fps[0], fps[2], 32) != 0, "another seed: another certificate");
    p.seed = NULL;
    CHECK(!tls_cert_self_signed(&p, err, sizeof err) && strstr(err, "no hardware random source"),
          "self-signed without random: %s", err);
    struct tls_session *s;
    int rc = tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &server_io, err, sizeof err);
    CHECK(rc == ANX_ENOTSUP && strstr(err, "no hardware random source"), "server without random: %d %s",
          rc, err);
    random_works = true;
    rc = tls_server_new(&s, &(struct tls_server_config){ 0 }, &server_io, err, sizeof err);
    CHECK(rc == ANX_EINVAL, "server without a certificate: %d %s", rc, err);

    /* plain HTTP to the server: refused at once with words, not a hang */
    pipe_reset();
    rc = tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &server_io, err, sizeof err);
    if (rc == 0) {
        pipe_write(&client_end, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 27);
        rc = tls_handshake(s);
        CHECK(rc == ANX_EIO && strstr(tls_error(s), "plain text, not a TLS handshake"),
              "plain HTTP: %d %s", rc, tls_error(s));
        tls_free(s);
    }
    /* a client that goes away in the middle: the client's fault, in words */
    pipe_reset();
    rc = tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &server_io, err, sizeof err);
    if (rc == 0) {
        c2s.closed = true;
        rc = tls_handshake(s);
        CHECK(rc == ANX_EIO && strstr(tls_error(s), "the client closed the connection"),
              "client gone: %d %s", rc, tls_error(s));
        tls_free(s);
    }
    free(pem);
    tls_cert_free(cert);
}

static void bad_cert(const char *pem, const char *want)
{
    char err[320] = "";
    struct tls_cert *c = tls_cert_from_pem(pem, strlen(pem), err, sizeof err);
    CHECK(!c && strstr(err, want), "want \"%s\", got \"%s\"", want, err);
    tls_cert_free(c);
}

static void test_provisioned(const char *dir)
{
    char err[320], cipher[64], path[512];
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    struct tls_trust *ca = trust_file(path);
    /* RSA leaf with the CA's EC signature (make_certs.sh), PKCS#8 key */
    struct tls_cert *c = cert_files(dir, "server.pem", "server.key", err, sizeof err);
    CHECK(c && !strcmp(tls_cert_key_name(c), "RSA"), "rsa: %s", c ? tls_cert_key_name(c) : err);
    if (c && ca) {
        int rc = serve_once(c, ca, "127.0.0.1", err, sizeof err, cipher, sizeof cipher);
        CHECK(rc == 0 && !strcmp(cipher, "ECDHE-RSA-AES128-GCM-SHA256"), "rsa session: %s %s", err, cipher);
    }
    tls_cert_free(c);
    /* EC leaf, key as SEC1 and as PKCS#8, key before the certificate */
    const char *keys[] = { "ec-sec1.key", "ec-pkcs8.key" };
    for (int i = 0; i < 2; i++) {
        size_t a, b;
        char *pk = read_text(dir, keys[i], &a), *pc = read_text(dir, "ec.pem", &b);
        char *both = malloc(a + b + 1);
        memcpy(both, pk, a);
        memcpy(both + a, pc, b);
        c = tls_cert_from_pem(both, a + b, err, sizeof err);
        CHECK(c && !strcmp(tls_cert_key_name(c), "EC P-256"), "%s: %s", keys[i], c ? "" : err);
        struct tls_trust *self = tls_trust_from_pem(pc, b, err, sizeof err);
        if (c && self) {
            int rc = serve_once(c, self, "localhost", err, sizeof err, cipher, sizeof cipher);
            CHECK(rc == 0, "ec session (%s): %s", keys[i], err);
        }
        tls_trust_free(self);
        tls_cert_free(c);
        free(both);
        free(pk);
        free(pc);
    }
    /* refused pairs, each with its reason */
    size_t a, b, k;
    char *srv = read_text(dir, "server.pem", &a), *other = read_text(dir, "unknown.key", &b),
         *eck = read_text(dir, "ec-sec1.key", &k);
    char buf[16384];
    snprintf(buf, sizeof buf, "%s%s", srv, other);
    bad_cert(buf, "the private key does not belong to the first certificate");
    snprintf(buf, sizeof buf, "%s%s", srv, eck);
    bad_cert(buf, "the private key is an EC key but the certificate's key is RSA");
    bad_cert(srv, "no private key in it");
    bad_cert(eck, "no certificate in it");
    snprintf(buf, sizeof buf, "%s%s%s", srv, other, other);
    bad_cert(buf, "more than one private key");
    bad_cert("-----BEGIN CERTIFICATE-----\nMIIB\n", "ends inside a block");
    snprintf(buf, sizeof buf, "%s-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", srv);
    bad_cert(buf, "the private key block is malformed");
    bad_cert("", "no certificate in it");
    free(srv);
    free(other);
    free(eck);
    tls_trust_free(ca);
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: test_tls BUNDLE NCERTS CERTDIR GOOD UNKNOWN WRONG SLOW OUTDIR\n");
        return 2;
    }
    char ca[512];
    snprintf(ca, sizeof ca, "%s/ca.pem", argv[3]);
    test_debian_bundle(argv[1], (size_t)atoi(argv[2]));
    test_malformed(ca);
    test_error_text();
    test_sessions(argv[3], atoi(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
    test_self_signed(argv[8]);
    test_provisioned(argv[3]);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
