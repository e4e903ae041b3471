/*
 * Fuzzes the tls module's glue around BearSSL as untrusted input: the
 * session code of tls.c (the pump that drives br_ssl_engine over a struct
 * tls_io, its errors in words from tls_errors.c), cert.c's PEM/DER reader
 * (tls_cert_from_pem) and trust.c's PEM bundle reader (tls_trust_from_pem).
 *
 * One input is: a mode byte, a chunking byte, then the bytes themselves.
 *   mode & 3 == 0  a server session (self-signed P-256 certificate) fed
 *                  the bytes as the client's
 *   mode & 3 == 1  a client session (trusting that certificate, checking
 *                  the name fuzz.example) fed the bytes as the server's
 *   mode & 3 == 2  tls_cert_from_pem on the bytes
 *   mode & 3 == 3  tls_trust_from_pem on the bytes
 *   mode & 4       the session's writes fail once chunk * 8 bytes went out
 * The transport hands the bytes over in chunks whose sizes come from the
 * chunking byte (0: as much as the engine asks for; else pseudo-random
 * sizes up to it, a 0 among them being ANX_EAGAIN, never twice in a
 * row), then the end of the stream. The bytes are copied into a block of
 * their exact size, so ASan sees a read past them.
 *
 * The random source and clock are stand-ins (as in test_tls.c), but
 * deterministic: each role's random stream restarts for every input, so
 * the traffic captured from an in-memory handshake of our client and
 * server (setup(), below) replays exactly: unmutated, both handshakes
 * complete and the application data decrypts, and mutations of it reach
 * every stage of the handshake and the records after it.
 *
 * Checks, besides the sanitizers: every session ends (each call is
 * bounded: a call count past the bound is a hang), a failure leaves a
 * non-empty reason in tls_error() (and a refused PEM a non-empty err),
 * never "a bug in the caller" (BearSSL's BAD_STATE: the glue misused the
 * engine; this check found BAD_PARAM worded so, which BearSSL also reports
 * for a peer's malformed handshake lengths, now worded as that), and what
 * parses holds together (a chain and a key, at least one anchor).
 *
 * Built two ways by tests/host.sh: with -DTLS_FUZZ_LIBFUZZER, clang's
 * libFuzzer calls LLVMFuzzerTestOneInput; otherwise main() below (gcc has
 * no libFuzzer) replays the seed corpus made at run time (and any files
 * given), checks the unmutated seeds complete, then runs deterministic
 * mutations of it:
 *
 *   fuzz_tls [-n MUTATIONS] [-t SECONDS] [-s SEED] [-w DIR] [FILE|DIR...]
 *
 * -w DIR writes the seed corpus there (a libFuzzer run's starting corpus).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#endif

#include <anx/errno.h> /* the core's codes */

#include "tls_impl.h" /* struct tls_cert: its key, for a PEM of it */

/* ------------------------------------------------------------------ */
/* Deterministic stand-ins for the core (tls.c's <anx/random.h> ...)    */

static uint64_t rng_state;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Each role draws from its own stream, restarted for every input. */
enum { RNG_CLIENT = 1, RNG_SERVER = 2 };
static void rng_reset(uint64_t role)
{
    rng_state = role * 0x1234567ull;
}

int anx_random(void *buf, size_t len)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)splitmix(&rng_state);
    return 0;
}

bool anx_random_ready(void)
{
    return true;
}

/* 2026-01-01: inside the self-signed certificate's 2025..9999 */
uint64_t anx_time_unix_ns(void)
{
    return 1767225600ull * 1000000000ull;
}

bool anx_time_has_wall_clock(void)
{
    return true;
}

static struct tls_trust *anchors;

const struct tls_trust *tls_trust_default(void)
{
    return anchors;
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

/* The input being run, for the driver to keep when a check fails. */
static const uint8_t *cur_data;
static size_t cur_size;
static void keep_input(void);

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL tls/fuzz: ");                                                                 \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        keep_input();                                                                              \
        fflush(stdout);                                                                            \
        abort();                                                                                   \
    } while (0)

/* ------------------------------------------------------------------ */
/* The input as a transport                                             */

struct feed {
    const unsigned char *p; /* the bytes, in a block of exactly len */
    size_t len, off;
    unsigned chunk;    /* the chunking byte */
    uint32_t x;        /* its size sequence */
    bool was_eagain;   /* never two ANX_EAGAIN in a row: reads progress */
    size_t written, fail_after;
    bool write_fails;
};

static long feed_read(void *ctx, void *buf, size_t len)
{
    struct feed *f = ctx;
    if (f->off == f->len)
        return 0;
    size_t n = f->len - f->off;
    if (f->chunk) {
        f->x = f->x * 1103515245u + 12345u;
        size_t want = (f->x >> 16) % (f->chunk + 1u);
        if (want == 0 && !f->was_eagain) {
            f->was_eagain = true;
            return ANX_EAGAIN;
        }
        n = want ? want : 1;
        if (n > f->len - f->off)
            n = f->len - f->off;
    }
    f->was_eagain = false;
    if (n > len)
        n = len;
    memcpy(buf, f->p + f->off, n);
    f->off += n;
    return (long)n;
}

static int feed_write(void *ctx, const void *buf, size_t len)
{
    struct feed *f = ctx;
    (void)buf;
    if (f->write_fails && f->written + len > f->fail_after)
        return ANX_EIO;
    f->written += len;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The certificate, and traffic captured from a real handshake          */

static struct tls_cert *cert;
static char *cert_pem, *key_pem, *cert2_pem;
static unsigned char *client_bytes, *server_bytes; /* c2s and s2c of the capture */
static size_t client_len, server_len;
static const char server_name[] = "fuzz.example";
static const char request[] = "GET / HTTP/1.1\r\nHost: fuzz.example\r\n\r\n";
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

static char *pem_of(const void *der, size_t len, const char *name)
{
    size_t n = br_pem_encode(NULL, der, len, name, BR_PEM_LINE64);
    char *pem = malloc(n + 1);
    if (!pem)
        abort();
    br_pem_encode(pem, der, len, name, BR_PEM_LINE64);
    return pem;
}

static struct tls_cert *self_signed(unsigned char seed_byte)
{
    static const char *const dns[] = { server_name };
    static const uint8_t ips[][4] = { { 127, 0, 0, 1 } };
    uint8_t seed[32];
    char err[320];
    memset(seed, seed_byte, sizeof seed);
    struct tls_self_signed p = { .name = "fuzz", .dns = dns, .ndns = 1, .ips = ips, .nips = 1,
                                 .seed = seed };
    struct tls_cert *c = tls_cert_self_signed(&p, err, sizeof err);
    if (!c)
        FAIL("self-signed certificate: %s", err);
    return c;
}

/* The key as SEC1 "EC PRIVATE KEY" (a PEM for tls_cert_from_pem). */
static char *key_pem_of(const struct tls_cert *c)
{
    unsigned char pub[BR_EC_KBUF_PUB_MAX_SIZE], der[512];
    br_ec_public_key pk;
    if (!br_ec_compute_pub(&br_ec_all_m31, &pk, pub, &c->ec))
        FAIL("cannot compute the public key");
    size_t n = br_encode_ec_raw_der(der, &c->ec, &pk);
    if (!n || n > sizeof der)
        FAIL("cannot encode the key");
    return pem_of(der, n, "EC PRIVATE KEY");
}

/* One direction of an in-memory pipe (as test_tls.c's): an empty one
 * reads ANX_EAGAIN, so one thread runs both ends. */
struct pipe_dir {
    unsigned char buf[1 << 16];
    size_t rd, wr;
};
struct pipe_end {
    struct pipe_dir *in, *out;
};

static long pipe_read(void *ctx, void *buf, size_t len)
{
    struct pipe_end *e = ctx;
    size_t n = e->in->wr - e->in->rd;
    if (!n)
        return ANX_EAGAIN;
    if (n > len)
        n = len;
    memcpy(buf, e->in->buf + e->in->rd, n);
    e->in->rd += n;
    return (long)n;
}

static int pipe_write(void *ctx, const void *buf, size_t len)
{
    struct pipe_end *e = ctx;
    if (len > sizeof e->out->buf - e->out->wr)
        return ANX_EIO;
    memcpy(e->out->buf + e->out->wr, buf, len);
    e->out->wr += len;
    return 0;
}

/* Our client and server talk over the pipe: both handshakes, the request,
 * the response and the server's close_notify. Each role's random stream
 * starts as it does for every fuzzed input, so replaying one side's
 * bytes to the other role repeats this conversation exactly. */
static void capture(void)
{
    static struct pipe_dir c2s, s2c;
    struct pipe_end ce = { &s2c, &c2s }, se = { &c2s, &s2c };
    struct tls_io cio = { &ce, pipe_read, pipe_write }, sio = { &se, pipe_read, pipe_write };
    struct tls_session *c, *s;
    char err[320];
    rng_reset(RNG_CLIENT);
    if (tls_client_new(&c, &(struct tls_client_config){ .server_name = server_name }, &cio, err,
                       sizeof err))
        FAIL("capture: client: %s", err);
    rng_reset(RNG_SERVER);
    if (tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &sio, err, sizeof err))
        FAIL("capture: server: %s", err);
    int rc_c = ANX_EAGAIN, rc_s = ANX_EAGAIN;
    for (int i = 0; i < 50 && (rc_c == ANX_EAGAIN || rc_s == ANX_EAGAIN); i++) {
        if (rc_c == ANX_EAGAIN)
            rc_c = tls_handshake(c);
        if (rc_s == ANX_EAGAIN)
            rc_s = tls_handshake(s);
    }
    if (rc_c || rc_s)
        FAIL("capture: handshake: client %d %s, server %d %s", rc_c, tls_error(c), rc_s, tls_error(s));
    char buf[256];
    if (tls_write(c, request, strlen(request)) || tls_read(s, buf, sizeof buf) != (long)strlen(request))
        FAIL("capture: request: %s / %s", tls_error(c), tls_error(s));
    if (tls_write(s, response, strlen(response)))
        FAIL("capture: response: %s", tls_error(s));
    tls_close(s);
    long n = tls_read(c, buf, sizeof buf);
    if (n != (long)strlen(response) || memcmp(buf, response, (size_t)n) || tls_read(c, buf, sizeof buf))
        FAIL("capture: the client read %ld: %s", n, tls_error(c));
    tls_free(c);
    tls_free(s);
    client_len = c2s.wr;
    server_len = s2c.wr;
    client_bytes = malloc(client_len);
    server_bytes = malloc(server_len);
    memcpy(client_bytes, c2s.buf, client_len);
    memcpy(server_bytes, s2c.buf, server_len);
}

static void setup(void)
{
    if (cert)
        return;
    cert = self_signed(0x5a);
    size_t len;
    const void *der = tls_cert_der(cert, &len);
    cert_pem = pem_of(der, len, "CERTIFICATE");
    key_pem = key_pem_of(cert);
    struct tls_cert *other = self_signed(0xa5);
    der = tls_cert_der(other, &len);
    cert2_pem = pem_of(der, len, "CERTIFICATE");
    tls_cert_free(other);
    char err[320];
    anchors = tls_trust_from_pem(cert_pem, strlen(cert_pem), err, sizeof err);
    if (!anchors)
        FAIL("the certificate as an anchor: %s", err);
    capture();
}

/* ------------------------------------------------------------------ */
/* One input                                                            */

struct outcome {
    bool handshake; /* a session completed its handshake */
    bool app_data;  /* and read the other side's application bytes */
    bool refused;   /* failed (a session) or refused (a PEM), with a reason */
};

static char last_error[320]; /* the last input's failure, for the driver's checks */

static void check_reason(const struct tls_session *s, const char *what, struct outcome *o)
{
    const char *e = tls_error(s);
    o->refused = true;
    snprintf(last_error, sizeof last_error, "%s", e);
    if (!e[0])
        FAIL("%s failed with no reason in tls_error()", what);
    if (strstr(e, "bug in the caller"))
        FAIL("%s: BearSSL says the glue misused it: %s", what, e);
}

/* Calls a session step until it stops saying ANX_EAGAIN; `calls` bounds
 * every step of the session: the feed progresses on every other read. */
#define STEP(expr, what)                                                                           \
    ({                                                                                             \
        long r_;                                                                                   \
        while ((r_ = (expr)) == ANX_EAGAIN)                                                        \
            if (++calls > bound)                                                                   \
                FAIL("%s hangs: %zu calls for %zu bytes", what, calls, f->len);                   \
        r_;                                                                                        \
    })

static void session(bool server, struct feed *f, struct outcome *o)
{
    struct tls_io io = { f, feed_read, feed_write };
    struct tls_session *s;
    char err[320];
    int rc;
    rng_reset(server ? RNG_SERVER : RNG_CLIENT);
    if (server)
        rc = tls_server_new(&s, &(struct tls_server_config){ .cert = cert }, &io, err, sizeof err);
    else
        rc = tls_client_new(&s, &(struct tls_client_config){ .server_name = server_name }, &io, err,
                            sizeof err);
    if (rc)
        FAIL("session: %s", err);
    const char *what = server ? "a server handshake" : "a client handshake";
    size_t calls = 0, bound = 2 * f->len + 64;
    rc = (int)STEP(tls_handshake(s), what);
    if (rc < 0) {
        check_reason(s, what, o);
        tls_free(s);
        return;
    }
    o->handshake = true;
    if (!tls_cipher_name(s)[0])
        FAIL("%s completed without a cipher name", what);
    what = server ? "a server session" : "a client session";
    char buf[4096];
    long n;
    if (!server && tls_write(s, request, strlen(request)) < 0) {
        check_reason(s, "a client write", o);
        tls_free(s);
        return;
    }
    /* reads until the end of the stream or a failure, answering once */
    bool answered = false;
    while ((n = STEP(tls_read(s, buf, sizeof buf), what)) > 0) {
        if ((size_t)n > sizeof buf)
            FAIL("tls_read returned %ld for %zu bytes", n, sizeof buf);
        o->app_data = true;
        if (server && !answered) {
            answered = true;
            if (tls_write(s, response, strlen(response)) < 0) {
                check_reason(s, "a server write", o);
                break;
            }
        }
        if (++calls > bound)
            FAIL("%s hangs: %zu calls for %zu bytes", what, calls, f->len);
    }
    if (n < 0)
        check_reason(s, what, o);
    tls_close(s);
    tls_free(s);
}

static void pem_cert(const uint8_t *p, size_t len, struct outcome *o)
{
    char err[320] = "";
    struct tls_cert *c = tls_cert_from_pem(p, len, err, sizeof err);
    if (!c) {
        if (!err[0])
            FAIL("tls_cert_from_pem refused %zu bytes without a reason", len);
        o->refused = true;
        snprintf(last_error, sizeof last_error, "%s", err);
        return;
    }
    size_t dlen;
    uint8_t fp[32];
    if (!tls_cert_der(c, &dlen) || !dlen || !tls_cert_key_name(c)[0])
        FAIL("tls_cert_from_pem accepted a certificate without DER or key");
    tls_cert_fingerprint(c, fp);
    tls_cert_free(c);
}

static void pem_trust(const uint8_t *p, size_t len, struct outcome *o)
{
    char err[320] = "";
    struct tls_trust *t = tls_trust_from_pem(p, len, err, sizeof err);
    if (!t) {
        if (!err[0])
            FAIL("tls_trust_from_pem refused %zu bytes without a reason", len);
        o->refused = true;
        snprintf(last_error, sizeof last_error, "%s", err);
        return;
    }
    if (!tls_trust_count(t) || !tls_trust_bytes(t))
        FAIL("tls_trust_from_pem accepted a bundle with no anchors");
    tls_trust_free(t);
}

static void one_input(const uint8_t *data, size_t size, struct outcome *o)
{
    setup();
    last_error[0] = 0;
    cur_data = data;
    cur_size = size;
    *o = (struct outcome){ 0 };
    if (size < 2)
        return;
    unsigned mode = data[0], chunk = data[1];
    size_t len = size - 2;
    /* a block of exactly the input's size: ASan sees a read past it */
    unsigned char *p = malloc(len ? len : 1);
    if (!p)
        abort();
    memcpy(p, data + 2, len);
    struct feed f = { .p = p, .len = len, .chunk = chunk, .x = chunk, .fail_after = (size_t)chunk * 8,
                      .write_fails = (mode & 4) != 0 };
    switch (mode & 3) {
    case 0: session(true, &f, o); break;
    case 1: session(false, &f, o); break;
    case 2: pem_cert(p, len, o); break;
    case 3: pem_trust(p, len, o); break;
    }
    free(p);
}

#ifdef TLS_FUZZ_LIBFUZZER
static void keep_input(void)
{
    /* libFuzzer writes the input itself (crash-...) when we abort */
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outcome o;
    one_input(data, size, &o);
    return 0;
}

#ifndef TLS_FUZZ_LIBFUZZER
/* ------------------------------------------------------------------ */
/* The driver: the seed corpus, then deterministic mutations of it      */

struct input {
    unsigned char *p;
    size_t len;
    char name[64];
};
static struct input *corpus;
static size_t ncorpus;

static void add(const char *name, unsigned mode, unsigned chunk, const void *a, size_t alen, const void *b,
                size_t blen)
{
    corpus = realloc(corpus, (ncorpus + 1) * sizeof *corpus);
    struct input *in = &corpus[ncorpus++];
    in->len = 2 + alen + blen;
    in->p = malloc(in->len);
    in->p[0] = (unsigned char)mode;
    in->p[1] = (unsigned char)chunk;
    memcpy(in->p + 2, a, alen);
    if (blen)
        memcpy(in->p + 2 + alen, b, blen);
    snprintf(in->name, sizeof in->name, "%s", name);
}

/* The seeds: the captured traffic whole and in small chunks, plain HTTP
 * to the server, the certificate and key as PEM, a two-anchor bundle. */
static void seeds(void)
{
    add("server-hello-whole", 0, 0, client_bytes, client_len, NULL, 0);
    add("server-hello-chunks", 0, 13, client_bytes, client_len, NULL, 0);
    add("server-write-fails", 4, 90, client_bytes, client_len, NULL, 0);
    add("server-plain-http", 0, 0, request, strlen(request), NULL, 0);
    add("client-flight-whole", 1, 0, server_bytes, server_len, NULL, 0);
    add("client-flight-chunks", 1, 29, server_bytes, server_len, NULL, 0);
    add("cert-and-key", 2, 0, cert_pem, strlen(cert_pem), key_pem, strlen(key_pem));
    add("key-and-cert", 2, 0, key_pem, strlen(key_pem), cert_pem, strlen(cert_pem));
    add("trust-two", 3, 0, cert_pem, strlen(cert_pem), cert2_pem, strlen(cert2_pem));
}

/* A failing input goes to $FUZZ_TLS_CRASH (default fuzz_tls-crash.bin in
 * the current folder): `fuzz_tls -n 0 FILE` runs it again. */
static void keep_input(void)
{
    const char *path = getenv("FUZZ_TLS_CRASH");
    if (!path)
        path = "fuzz_tls-crash.bin";
    FILE *fp = cur_data ? fopen(path, "wb") : NULL;
    if (fp) {
        fwrite(cur_data, 1, cur_size, fp);
        fclose(fp);
        printf("     the input (%zu bytes) is in %s\n", cur_size, path);
    }
}

static uint64_t mut_state;
static size_t below(size_t n)
{
    return n ? (size_t)(splitmix(&mut_state) % n) : 0;
}

/* The start of the TLS record around offset `at` (records from 0 on),
 * or SIZE_MAX: a length field to tweak. */
static size_t record_at(const unsigned char *p, size_t len, size_t pick)
{
    size_t starts[256], n = 0;
    for (size_t o = 0; o + 5 <= len && n < 256; o += 5 + ((size_t)p[o + 3] << 8 | p[o + 4]))
        starts[n++] = o;
    return n ? starts[pick % n] : SIZE_MAX;
}

static const uint16_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0x4800, 0xffff };

/* One mutation of in into out (payload only; the mode byte stays, the
 * chunking byte changes now and then). */
static void mutate(const struct input *in, struct input *out)
{
    size_t len = in->len - 2;
    size_t cap = in->len + 4096;
    unsigned char *p = malloc(cap);
    memcpy(p, in->p, in->len);
    unsigned char *b = p + 2;
    int steps = 1 + (int)below(3);
    for (int k = 0; k < steps; k++) {
        size_t at = below(len + 1);
        switch (below(9)) {
        case 0: /* bit flips */
            for (int j = 1 + (int)below(4); j-- && len;)
                b[below(len)] ^= (unsigned char)(1u << below(8));
            break;
        case 1: /* an interesting byte */
            if (len)
                b[below(len)] = (unsigned char)interesting[below(5)];
            break;
        case 2: /* truncation */
            len = at;
            break;
        case 3: { /* a splice: the rest from another input at another offset */
            const struct input *o = &corpus[below(ncorpus)];
            size_t from = 2 + below(o->len - 2 + 1), n = o->len - from;
            if (at + n > cap - 2)
                n = cap - 2 - at;
            memcpy(b + at, o->p + from, n);
            len = at + n;
            break;
        }
        case 4:   /* a record's length field */
        case 5: { /* a handshake message's 24-bit length */
            size_t r = record_at(b, len, below(64));
            if (r == SIZE_MAX)
                break;
            uint16_t v = interesting[below(sizeof interesting / sizeof *interesting)];
            if (below(2)) {
                unsigned cur = (unsigned)b[r + 3] << 8 | b[r + 4];
                v = (uint16_t)(cur + (below(2) ? 1 : -1) * (1 + below(4)));
            }
            if (below(2) || r + 9 > len) {
                b[r + 3] = (unsigned char)(v >> 8);
                b[r + 4] = (unsigned char)v;
            } else {
                b[r + 6] = 0;
                b[r + 7] = (unsigned char)(v >> 8);
                b[r + 8] = (unsigned char)v;
            }
            break;
        }
        case 6: { /* a range deleted */
            size_t n = below(len - at + 1);
            memmove(b + at, b + at + n, len - at - n);
            len -= n;
            break;
        }
        case 7: { /* a range repeated */
            size_t n = below(len - at + 1);
            if (n > cap - 2 - len)
                n = cap - 2 - len;
            memmove(b + at + n, b + at, len - at);
            len += n;
            break;
        }
        case 8: /* another chunking */
            p[1] = (unsigned char)below(256);
            break;
        }
    }
    out->p = p;
    out->len = 2 + len;
}

static void load(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("FAIL tls/fuzz: %s: no such file\n", path);
        exit(1);
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        char sub[4096];
        while (d && (e = readdir(d)))
            if (e->d_name[0] != '.') {
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                load(sub);
            }
        if (d)
            closedir(d);
        return;
    }
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = malloc((size_t)st.st_size + 1);
    size_t n = fp ? fread(buf, 1, (size_t)st.st_size, fp) : 0;
    if (fp)
        fclose(fp);
    if (n >= 2) {
        const char *base = strrchr(path, '/');
        add(base ? base + 1 : path, buf[0], buf[1], buf + 2, n - 2, NULL, 0);
    }
    free(buf);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long mutations = 20000;
    double seconds = 0;
    uint64_t seed = 1;
    const char *write_dir = NULL;
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_set_death_callback(keep_input); /* a sanitizer's report keeps the input too */
#endif
    setup();
    seeds();
    size_t nseeds = ncorpus;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc)
            mutations = atol(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "-w") && i + 1 < argc)
            write_dir = argv[++i];
        else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: fuzz_tls [-n MUTATIONS] [-t SECONDS] [-s SEED] [-w DIR] [FILE|DIR...]\n");
            return 2;
        } else
            load(argv[i]);
    }
    if (write_dir) {
        for (size_t i = 0; i < nseeds; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", write_dir, corpus[i].name);
            FILE *fp = fopen(path, "wb");
            if (!fp || fwrite(corpus[i].p, 1, corpus[i].len, fp) != corpus[i].len) {
                printf("FAIL tls/fuzz: cannot write %s\n", path);
                return 1;
            }
            fclose(fp);
        }
    }
    /* the seeds of real traffic must go all the way, or the mutations
     * of them test little */
    struct outcome o;
    for (size_t i = 0; i < ncorpus; i++) {
        one_input(corpus[i].p, corpus[i].len, &o);
        bool whole = i < nseeds && !strncmp(corpus[i].name, "server-hello", 12);
        whole |= i < nseeds && !strncmp(corpus[i].name, "client-flight", 13);
        if (whole && !o.app_data)
            FAIL("the seed %s (captured traffic) did not complete a session", corpus[i].name);
        bool pem = i < nseeds && (corpus[i].p[0] & 3) >= 2;
        if (pem && o.refused)
            FAIL("the seed %s (our own PEM) was refused: %s", corpus[i].name, last_error);
    }
    /* a hello whose handshake length is too short for its fields:
     * BearSSL's BAD_PARAM, the peer's fault, said so in words */
    for (int server = 0; server < 2; server++) {
        const unsigned char *t = server ? client_bytes : server_bytes;
        size_t tlen = server ? client_len : server_len;
        unsigned char *in = malloc(2 + tlen);
        in[0] = server ? 0 : 1; /* the mode: the other role's bytes */
        in[1] = 0;
        memcpy(in + 2, t, tlen);
        in[2 + 6] = 0, in[2 + 7] = 0, in[2 + 8] = 10; /* record 0, message 0's length */
        one_input(in, 2 + tlen, &o);
        const char *want = server ? "a malformed handshake message from the client"
                                  : "a malformed handshake message from the server";
        if (!strstr(last_error, want))
            FAIL("a %s hello with a short length: \"%s\", not \"%s ...\"", server ? "client" : "server",
                 last_error, want);
        free(in);
    }
    printf("ok   tls/fuzz: a hello with a length too short for it fails with \"%.60s...\"\n", last_error);
    printf("ok   tls/fuzz: %zu seeds: the captured client flight (%zu bytes) and server flight (%zu "
           "bytes) complete sessions, the PEM seeds parse\n", nseeds, client_len, server_len);
    mut_state = seed;
    double start = now_s();
    long done = 0, handshakes = 0, app = 0, refused = 0;
    for (; done < mutations && (seconds <= 0 || now_s() - start < seconds); done++) {
        struct input m;
        mutate(&corpus[below(ncorpus)], &m);
        one_input(m.p, m.len, &o);
        handshakes += o.handshake;
        app += o.app_data;
        refused += o.refused;
        free(m.p);
    }
    printf("ok   tls/fuzz: %zu inputs and %ld mutations of them (seed %llu) in %.1f s: %ld handshakes "
           "completed, %ld sessions read data, %ld failures each with a reason; no sanitizer error, "
           "no hang\n",
           ncorpus, done, (unsigned long long)seed, now_s() - start, handshakes, app, refused);
    for (size_t i = 0; i < ncorpus; i++)
        free(corpus[i].p);
    free(corpus);
    tls_trust_free(anchors);
    tls_cert_free(cert);
    free(cert_pem);
    free(key_pem);
    free(cert2_pem);
    free(client_bytes);
    free(server_bytes);
    return 0;
}
#endif
