/*
 * https_module.c - HTTPS for httpd (docs/httpd.md, "HTTPS"): a listener on
 * `port` whose connections run a TLS server session (modules/tls) under
 * httpd's http_conn_serve, settings and router, as its plain port does.
 * One thread per connection; the handshake runs in that thread under
 * httpd's header_timeout; httpd's max_connections counts both ports. A
 * module of its own so that an image without HTTPS carries no TLS code,
 * CA bundle or anchors; httpd reads this module's `http:` to serve,
 * redirect or close its plain port.
 *
 * The certificate: the `tls-cert` credential `cert` names (PEM,
 * provisioned with anx run --secret NAME=FILE), or, when cert is
 * empty, a self-signed P-256 certificate made at start, whose SHA-256
 * fingerprint goes to the console for an operator to pin. With config
 * `key` naming a secret credential, its key is derived from that secret
 * (cred_derive_key) and its dates fixed, so the certificate is the same at
 * every boot and a pinned fingerprint holds; without, it is new each boot.
 * Deriving rather than storing needs no disk, and the secret that would
 * seal a stored key is all an attacker would need either way.
 *
 * The credential store is reached through a weak reference: https does not
 * depend on cred (an image without credentials has no cred module), and a
 * manifest that names cert declares the credential, which brings cred in
 * (docs/credentials.md). Without it cred_tls_cert is NULL here.
 */
#define LOG_TAG "https"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "lwip/api.h"
#include "net.h"
#include "tls.h"

#include "http_conn.h"
#include "router.h"

/* modules/cred/cred.h's, when the cred module is in the image */
int cred_tls_cert(const char *module, const char *name, const uint8_t **pem, size_t *len)
    __attribute__((weak));
int cred_derive_key(const char *module, const char *name, const char *context, uint8_t key[32])
    __attribute__((weak));

static struct tls_cert *cert;
static const struct http_server_cfg *conn_cfg;
static unsigned handshake_failures;

/* The connection's transport for http_conn: bytes through its session. */
struct tls_conn {
    struct netconn *nc;
    struct tls_netconn tn;
    struct tls_session *s;
    char peer[24];
    struct http_conn *live; /* http_conn_serve's state while it runs */
};

static long tls_recv(void *ctx, char *buf, size_t cap, uint64_t timeout_ns)
{
    struct tls_conn *c = ctx;
    uint64_t ms = timeout_ns / 1000000;
    netconn_set_recvtimeout(c->nc, (int)(ms ? (ms > 0x7fffffff ? 0x7fffffff : ms) : 1));
    long n = tls_read(c->s, buf, cap);
    if (n == ANX_EAGAIN)
        return HTTP_IO_TIMEOUT;
    return n < 0 ? HTTP_IO_ERROR : n; /* 0: closed */
}

static int tls_send(void *ctx, const void *data, size_t n)
{
    struct tls_conn *c = ctx;
    return tls_write(c->s, data, n) < 0 ? -1 : 0;
}

static uint64_t tls_now(void *ctx)
{
    (void)ctx;
    return anx_time_ns();
}

/* The handshake, in slices of the netconn's receive timeout, until it is
 * done or header_timeout passes (a client that connects and says nothing
 * holds a thread no longer than a slow plain request would). */
static int handshake(struct tls_conn *c)
{
    uint64_t deadline = anx_time_ns() + conn_cfg->header_timeout_ns;
    netconn_set_recvtimeout(c->nc, 200);
    int rc;
    while ((rc = tls_handshake(c->s)) == ANX_EAGAIN)
        if (anx_time_ns() >= deadline) {
            log_info("%s: TLS handshake timed out after %llu ms", c->peer,
                     (unsigned long long)(conn_cfg->header_timeout_ns / 1000000));
            return ANX_EAGAIN;
        }
    if (rc < 0)
        log_info("%s: TLS handshake failed: %s", c->peer, tls_error(c->s));
    return rc;
}

/* Ends the TLS session and the connection and frees its record: at the end
 * of conn_thread, or by the supervisor after that thread failed. */
static void conn_release(void *arg)
{
    struct tls_conn *c = arg;
    if (c->live)
        http_conn_release(c->live);
    if (c->s)
        tls_free(c->s);
    tls_netconn_release(&c->tn);
    netconn_close(c->nc);
    netconn_delete(c->nc);
    free(c);
    http_conn_end(true);
}

static void conn_thread(void *arg)
{
    struct tls_conn *c = arg;
    struct tls_io io;
    char err[160];
    tls_netconn_io(&c->tn, c->nc, &io);
    if (tls_server_new(&c->s, &(struct tls_server_config){ .cert = cert }, &io, err, sizeof err) < 0) {
        log_error("%s: TLS session refused: %s", c->peer, err);
    } else if (handshake(c) == 0) {
        struct http_io hio = { tls_recv, tls_send, tls_now, c, &c->live };
        struct http_conn_stats st;
        http_conn_serve(&hio, conn_cfg, c->peer, &st);
        tls_close(c->s);
    } else {
        handshake_failures++;
    }
    conn_release(c);
}

/* "AB:CD:..." of the certificate's SHA-256, as openssl prints it. */
static void fingerprint_text(char *out, size_t n)
{
    uint8_t fp[32];
    tls_cert_fingerprint(cert, fp);
    size_t o = 0;
    for (int i = 0; i < 32 && o + 4 <= n; i++)
        o += (size_t)snprintf(out + o, n - o, "%02X%s", fp[i], i < 31 ? ":" : "");
}

/* The provisioned certificate, or a self-signed one. 0 or a negative code
 * (the module then fails with the reason). */
static int load_cert(void)
{
    char err[200];
    const char *name = CONFIG_HTTPS_CERT;
    if (name[0]) {
        const uint8_t *pem;
        size_t len;
        if (!cred_tls_cert) {
            anx_module_fail("https", ANX_ENOENT,
                            "cert names credential '%s', but the image has no credential store: "
                            "declare it in the manifest's credentials: as {type: tls-cert, modules: "
                            "[https]}",
                            name);
            return ANX_ENOENT;
        }
        int rc = cred_tls_cert("https", name, &pem, &len);
        if (rc < 0) {
            anx_module_fail("https", rc,
                            rc == ANX_ENOENT ? "cert: credential '%s' was not provisioned (give "
                                               "it with anx run --secret %s=FILE: PEM certificate "
                                               "and key)"
                            : rc == ANX_EPERM ? "cert: credential '%s' is not granted to https "
                                                "(add https to its modules:)%.0s"
                                              : "cert: credential '%s' is not of type tls-cert%.0s",
                            name, name);
            return rc;
        }
        if (!(cert = tls_cert_from_pem(pem, len, err, sizeof err))) {
            anx_module_fail("https", ANX_EINVAL, "cert: credential '%s': %s", name, err);
            return ANX_EINVAL;
        }
        char fp[100];
        fingerprint_text(fp, sizeof fp);
        log_info("TLS certificate from credential '%s' (%s)", name, tls_cert_key_name(cert));
        log_info("TLS certificate SHA-256 fingerprint %s", fp);
        return 0;
    }
    /* self-signed: for the image's name, localhost and its addresses */
    static const char *const dns[] = { "localhost" };
    uint8_t ips[2][4] = { { 127, 0, 0, 1 } };
    size_t nips = 1;
    uint32_t a = net_wait_up(0); /* network byte order; 0 when not up yet */
    if (a && a != 0x0100007f) {
        memcpy(ips[1], &a, 4);
        nips = 2;
    }
    struct tls_self_signed p = {
        .name = CONFIG_IMAGE_NAME,
        .dns = dns,
        .ndns = 1,
        .ips = (const uint8_t(*)[4])ips,
        .nips = nips,
        .now_unix = anx_time_has_wall_clock() ? anx_time_unix_ns() / ANX_NS_PER_S : 0,
    };
    uint8_t seed[32];
    if (CONFIG_HTTPS_KEY[0]) {
        int rc = cred_derive_key ? cred_derive_key("https", CONFIG_HTTPS_KEY, "anunix https self-signed P-256 v1", seed)
                                 : ANX_ENOENT;
        if (rc < 0) {
            anx_module_fail("https", rc,
                            "key: no secret '%s' to derive the certificate's key from (%s): declare it in "
                            "credentials: as {type: secret, modules: [https]} and give it with anx run "
                            "--secret %s=FILE",
                            CONFIG_HTTPS_KEY, anx_strerror(rc), CONFIG_HTTPS_KEY);
            return rc;
        }
        p.seed = seed;
    }
    uint64_t t0 = anx_time_ns();
    cert = tls_cert_self_signed(&p, err, sizeof err);
    memset(seed, 0, sizeof seed);
    if (!cert) {
        anx_module_fail("https", ANX_ENOTSUP, "cannot make a self-signed TLS certificate: %s", err);
        return ANX_ENOTSUP;
    }
    char fp[100], names[40] = "";
    fingerprint_text(fp, sizeof fp);
    if (nips > 1)
        snprintf(names, sizeof names, ", %u.%u.%u.%u", ips[1][0], ips[1][1], ips[1][2], ips[1][3]);
    /* two lines: a log line holds about 250 characters */
    log_info("self-signed TLS certificate for CN=%s, localhost, 127.0.0.1%s (EC P-256, %s, made in "
             "%llu ms, %s)",
             CONFIG_IMAGE_NAME, names,
             p.now_unix && !p.seed ? "valid one year" : "valid to 9999",
             (unsigned long long)((anx_time_ns() - t0) / ANX_NS_PER_MS),
             p.seed ? "key derived from secret '" CONFIG_HTTPS_KEY "': the same at every boot" : "new at every boot");
    log_info("TLS certificate SHA-256 fingerprint %s", fp);
    return 0;
}

static void refuse(struct netconn *nc)
{
    netconn_close(nc);
    netconn_delete(nc);
}

static void listen_thread(void *arg)
{
    (void)arg;
    if (load_cert() < 0)
        return;
    const char *why;
    struct netconn *l = net_listen_tcp(CONFIG_HTTPS_PORT, 64, &why);
    if (!l) {
        anx_module_fail("https", -1, "cannot listen on TLS port %d: %s", CONFIG_HTTPS_PORT, why);
        return;
    }
    log_info("listening for HTTPS on port %d (TLS 1.2)", CONFIG_HTTPS_PORT);
    for (;;) {
        struct netconn *nc;
        if (netconn_accept(l, &nc) != ERR_OK)
            continue;
        /* no plain 503 on a TLS port: the client would not read it */
        if (!http_conn_begin()) {   /* max_connections open, on either port */
            refuse(nc);
            continue;
        }
        struct tls_conn *c = calloc(1, sizeof *c);
        if (!c) {
            http_conn_end(false);
            refuse(nc);
            continue;
        }
        c->nc = nc;
        net_accepted(nc, c->peer, sizeof c->peer, false);
        netconn_set_sendtimeout(nc, (int)(CONFIG_HTTPD_BODY_TIMEOUT / 1000000));
        if (anx_service_spawn("https", conn_thread, c, CONFIG_HTTPD_STACK, conn_release)) {
            http_conn_end(false);
            free(c);
            refuse(nc);
        }
    }
}

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_printf(b,
                   "# HELP anx_http_tls_handshake_failures_total TLS handshakes that failed or timed out.\n"
                   "# TYPE anx_http_tls_handshake_failures_total counter\n"
                   "anx_http_tls_handshake_failures_total %u\n",
                   handshake_failures);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

static int https_init(void)
{
    if (CONFIG_HTTPS_PORT == CONFIG_HTTPD_PORT) {
        log_error("port %d is also httpd's plain port: give https another port", CONFIG_HTTPS_PORT);
        return ANX_EINVAL;
    }
    conn_cfg = http_server_settings();
    rt_metrics_register(&metrics);
    return 0;
}

/* The listener starts after every init: the certificate may come from the
 * credential store, which loads its values at its own init. It is made in
 * the listener's thread (key generation takes a moment under TCG), on a
 * 48 KiB stack: parsing PEM (BearSSL's key and certificate decoders) and
 * writing a certificate (cert.c's DER buffers) happen there. */
static void https_start(void)
{
    if (!anx_thread_create("https-listen", listen_thread, NULL, 48 * 1024))
        anx_module_fail("https", ANX_ENOMEM, "cannot create the HTTPS listener thread");
}

/* Essential, as httpd: an image meant to answer over HTTPS stops when it
 * cannot, instead of running with the plain port alone. */
ANX_MODULE(https, .init = https_init, .start = https_start, .essential = true);
