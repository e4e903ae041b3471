/*
 * TLS sessions over BearSSL's engine (see tls.h).
 *
 * BearSSL's engine does no I/O: it says which way bytes must move
 * (records out, records in, application data out or in) and this file
 * moves them through the session's transport. Doing that here rather
 * than with BearSSL's br_sslio keeps ANX_EAGAIN from the transport
 * harmless: the engine is only ever given bytes that arrived, so a read
 * timeout leaves the session where it was and the caller may retry.
 *
 * The client is configured by hand rather than with
 * br_ssl_client_init_full(), which would link every cipher BearSSL has:
 * TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 (the suites every
 * current server offers), the constant-time 64-bit implementations
 * (ct64, ctmul64: both architectures are 64-bit), i31 big integers.
 */
#define LOG_TAG "tls"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/time.h>

#include "tls_impl.h"

/* Output records are at most 4 KiB of plaintext: requests are small, and
 * the receive side must take full 16 KiB records (servers send them). */
#define OUT_BUF (4096 + 85)
#define IN_BUF BR_SSL_BUFSIZE_INPUT

/* Proleptic Gregorian days from 0000-01-01 to 1970-01-01: BearSSL's
 * X.509 engine counts dates from year 0. */
#define DAYS_TO_UNIX_EPOCH 719528u

/* Everything after creation works on `eng` alone, so that a server
 * session (tls_server_new: `sc` instead of `cc`) shares pump, read,
 * write and close. */
struct tls_session {
    br_ssl_engine_context *eng; /* the role's engine: &cc.eng or &sc.eng */
    union {
        br_ssl_client_context cc;
        br_ssl_server_context sc;
    };
    br_x509_minimal_context xc; /* the client's certificate checks */
    struct tls_io io;
    bool server;
    bool handshake_done;
    bool first_read_done; /* a server checks the first bytes it gets */
    int br_err;      /* the engine's error when it failed */
    char error[320]; /* the failure in words; "" while none */
    char name[256];  /* the server name, for messages */
    unsigned char in[IN_BUF];
    unsigned char out[OUT_BUF];
};

static const uint16_t client_suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,       BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,       BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* The hashes of certificate signatures and TLS 1.2 handshake signatures
 * (SHA-1 still signs some long-lived root-adjacent certificates). */
static void set_hashes(br_ssl_engine_context *eng, br_x509_minimal_context *xc)
{
    static const br_hash_class *const hashes[] = {
        &br_sha1_vtable,   &br_sha224_vtable, &br_sha256_vtable,
        &br_sha384_vtable, &br_sha512_vtable,
    };
    for (size_t i = 0; i < ANX_ARRAY_SIZE(hashes); i++) {
        int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);
        br_ssl_engine_set_hash(eng, id, hashes[i]);
        br_x509_minimal_set_hash(xc, id, hashes[i]);
    }
}

/* What both roles' engines use: version, suites, record ciphers. */
static void set_engine_algorithms(br_ssl_engine_context *eng)
{
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, client_suites, ANX_ARRAY_SIZE(client_suites));
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_ec(eng, &br_ec_all_m31);
    br_ssl_engine_set_aes_ctr(eng, &br_aes_ct64_ctr_vtable);
    br_ssl_engine_set_ghash(eng, &br_ghash_ctmul64);
    br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_chacha20(eng, &br_chacha20_ct_run);
    br_ssl_engine_set_poly1305(eng, &br_poly1305_ctmul_run);
    br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
}

static void set_algorithms(br_ssl_engine_context *eng, br_x509_minimal_context *xc)
{
    set_engine_algorithms(eng);
    set_hashes(eng, xc);
    br_ssl_engine_set_rsavrfy(eng, &br_rsa_i31_pkcs1_vrfy);
    br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
    br_x509_minimal_set_rsa(xc, &br_rsa_i31_pkcs1_vrfy);
    br_x509_minimal_set_ecdsa(xc, &br_ec_all_m31, &br_ecdsa_i31_vrfy_asn1);
    br_ssl_engine_set_x509(eng, &xc->vtable);
}

/* YYYY-MM-DD of a day count since 1970. */
static void civil_date(int64_t days, char *buf, size_t n)
{
    int64_t y;
    unsigned m, d;
    anx_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* tls_error_text speaks of the server, as a client sees it; a server's
 * peer is the client: the same words with the roles swapped. */
static void peer_words(struct tls_session *s, const char *text)
{
    size_t o = 0;
    while (*text && o + 1 < sizeof s->error) {
        if (!strncmp(text, "the server", 10) && o + 10 < sizeof s->error) {
            memcpy(s->error + o, "the client", 10);
            o += 10;
            text += 10;
        } else {
            s->error[o++] = *text++;
        }
    }
    s->error[o] = 0;
}

/* Records the first failure: BearSSL's code in words, with what the user
 * needs to act on it. */
static int fail_br(struct tls_session *s, int br_err)
{
    if (s->error[0])
        return ANX_EIO;
    s->br_err = br_err;
    const char *text = tls_error_text(br_err);
    if (s->server) {
        peer_words(s, text);
        return ANX_EIO;
    }
    if (br_err == BR_ERR_X509_EXPIRED) {
        char date[32];
        civil_date((int64_t)(anx_time_unix_ns() / ANX_NS_PER_S / 86400), date, sizeof date);
        snprintf(s->error, sizeof s->error, "%s (the image's clock says %s)", text, date);
    } else if (br_err == BR_ERR_X509_BAD_SERVER_NAME) {
        snprintf(s->error, sizeof s->error,
                 "the server's certificate is not for the host name %.200s (wrong host name)",
                 s->name);
    } else {
        snprintf(s->error, sizeof s->error, "%s", text);
    }
    return ANX_EIO;
}

static int fail_io(struct tls_session *s, const char *what)
{
    if (!s->error[0]) {
        if (s->server)
            peer_words(s, what);
        else
            snprintf(s->error, sizeof s->error, "%s", what);
    }
    return ANX_EIO;
}

/* A TLS record starts with its type (20..23) and a client's first one is
 * a handshake (22, or 0x80.. for an SSLv2-style hello): a letter there is
 * a plain-text protocol, most likely an HTTP request to the HTTPS port. */
static bool plain_text(const unsigned char *p, long n)
{
    return n > 0 && p[0] >= 'A' && p[0] <= 'Z';
}

/* Moves bytes until the engine is in one of the `want` states (1), the
 * stream ended (0), the transport had nothing yet (ANX_EAGAIN) or the
 * session failed (< 0). */
static int pump(struct tls_session *s, unsigned want)
{
    br_ssl_engine_context *eng = s->eng;
    if (s->error[0])
        return ANX_EIO;
    for (;;) {
        unsigned st = br_ssl_engine_current_state(eng);
        /* Records first: a closing engine may still have one to send
         * (close_notify, or an alert where BearSSL sends one). */
        if (st & BR_SSL_SENDREC) {
            size_t len;
            unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
            if (s->io.write(s->io.ctx, buf, len) < 0) {
                int e = br_ssl_engine_last_error(eng);
                if ((st & BR_SSL_CLOSED) && e != BR_ERR_OK)
                    return fail_br(s, e); /* the alert did not get out: the reason stands */
                if ((st & BR_SSL_CLOSED) && s->handshake_done)
                    return 0; /* our close_notify did not get out: the stream is over anyway */
                br_ssl_engine_close(eng);
                return fail_io(s, "sending to the server failed (connection closed or timed out)");
            }
            br_ssl_engine_sendrec_ack(eng, len);
            continue;
        }
        if (st & BR_SSL_CLOSED) {
            int e = br_ssl_engine_last_error(eng);
            if (e != BR_ERR_OK)
                return fail_br(s, e);
            if (!s->handshake_done)
                return fail_io(s, "handshake failure: the server closed the connection");
            return 0;
        }
        if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))
            s->handshake_done = true;
        if (st & want)
            return 1;
        if (st & BR_SSL_RECVREC) {
            size_t len;
            unsigned char *buf = br_ssl_engine_recvrec_buf(eng, &len);
            long n = s->io.read(s->io.ctx, buf, len);
            if (n == ANX_EAGAIN)
                return ANX_EAGAIN;
            if (n == 0) {
                if (!s->handshake_done)
                    return fail_io(s, "handshake failure: the server closed the connection "
                                      "(does it speak TLS on this port?)");
                return 0; /* closed without close_notify: the caller's framing decides */
            }
            if (n < 0)
                return fail_io(s, "receiving from the server failed (connection reset)");
            if (s->server && !s->first_read_done) {
                s->first_read_done = true;
                if (plain_text(buf, n)) {
                    br_ssl_engine_close(eng);
                    snprintf(s->error, sizeof s->error,
                             "the client sent plain text, not a TLS handshake (plain HTTP to the "
                             "HTTPS port?)");
                    return ANX_EIO;
                }
            }
            br_ssl_engine_recvrec_ack(eng, (size_t)n);
            continue;
        }
        /* Wanting to send while only received data is pending (or the
         * reverse): the caller must read (write) first. */
        return ANX_EAGAIN;
    }
}

/* A zeroed session over io and the engine's seed from the hardware random
 * source (both ends need one): 0, or a negative code with err set. */
static int session_alloc(struct tls_session **out, const struct tls_io *io, uint8_t seed[32], char *err,
                         size_t errlen)
{
    if (anx_random(seed, 32) < 0) {
        snprintf(err, errlen, "no hardware random source (TLS refuses keys from guessable bits; "
                              "add a virtio-rng device or use a CPU with RDRAND/RNDR)");
        return ANX_ENOTSUP;
    }
    struct tls_session *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory (a TLS session takes %zu KiB)", sizeof *s / 1024);
        memset(seed, 0, 32);
        return ANX_ENOMEM;
    }
    s->io = *io;
    *out = s;
    return 0;
}

int tls_client_new(struct tls_session **out, const struct tls_client_config *cfg,
                   const struct tls_io *io, char *err, size_t errlen)
{
    *out = NULL;
    const struct tls_trust *trust = cfg->trust ? cfg->trust : tls_trust_default();
    size_t nta;
    const br_x509_trust_anchor *ta = tls_trust_anchors(trust, &nta);
    if (!cfg->server_name || !cfg->server_name[0] || strlen(cfg->server_name) > 255) {
        snprintf(err, errlen, "no valid server name to check the certificate against");
        return ANX_EINVAL;
    }
    if (!nta) {
        snprintf(err, errlen, "no trusted certificate authorities are loaded (the tls module's "
                              "ca: bundle failed to load; see the log)");
        return ANX_ENOENT;
    }
    if (!anx_time_has_wall_clock()) {
        snprintf(err, errlen, "the image has no wall clock, so certificate dates cannot be "
                              "checked");
        return ANX_ENOTSUP;
    }
    uint8_t seed[32];
    struct tls_session *s;
    int rc = session_alloc(&s, io, seed, err, errlen);
    if (rc < 0)
        return rc;
    strlcpy(s->name, cfg->server_name, sizeof s->name);
    br_ssl_client_zero(&s->cc);
    s->eng = &s->cc.eng;
    br_x509_minimal_init(&s->xc, &br_sha256_vtable, ta, nta);
    set_algorithms(s->eng, &s->xc);
    uint64_t now = anx_time_unix_ns() / ANX_NS_PER_S;
    br_x509_minimal_set_time(&s->xc, (uint32_t)(now / 86400 + DAYS_TO_UNIX_EPOCH),
                             (uint32_t)(now % 86400));
    br_ssl_engine_set_buffers_bidi(s->eng, s->in, sizeof s->in, s->out, sizeof s->out);
    br_ssl_engine_inject_entropy(s->eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    if (!br_ssl_client_reset(&s->cc, s->name, 0)) {
        snprintf(err, errlen, "%s", tls_error_text(br_ssl_engine_last_error(s->eng)));
        free(s);
        return ANX_EIO;
    }
    *out = s;
    return 0;
}

int tls_server_new(struct tls_session **out, const struct tls_server_config *cfg,
                   const struct tls_io *io, char *err, size_t errlen)
{
    *out = NULL;
    const struct tls_cert *c = cfg->cert;
    if (!c || !c->nchain || !c->key) {
        snprintf(err, errlen, "no server certificate and key");
        return ANX_EINVAL;
    }
    uint8_t seed[32];
    struct tls_session *s;
    int rc = session_alloc(&s, io, seed, err, errlen);
    if (rc < 0)
        return rc;
    s->server = true;
    br_ssl_server_zero(&s->sc);
    s->eng = &s->sc.eng;
    set_engine_algorithms(s->eng);
    /* the handshake's transcript and ServerKeyExchange signatures */
    br_ssl_engine_set_hash(s->eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(s->eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(s->eng, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_hash(s->eng, br_sha224_ID, &br_sha224_vtable);
    br_ssl_engine_set_hash(s->eng, br_sha1_ID, &br_sha1_vtable);
    /* only ECDHE suites are enabled, so the key signs and never decrypts */
    if (c->key_type == BR_KEYTYPE_EC)
        br_ssl_server_set_single_ec(&s->sc, c->chain, c->nchain, &c->ec, BR_KEYTYPE_SIGN,
                                    (unsigned)c->issuer_key_type, &br_ec_all_m31,
                                    &br_ecdsa_i31_sign_asn1);
    else
        br_ssl_server_set_single_rsa(&s->sc, c->chain, c->nchain, &c->rsa, BR_KEYTYPE_SIGN,
                                     &br_rsa_i31_private, &br_rsa_i31_pkcs1_sign);
    br_ssl_engine_set_buffers_bidi(s->eng, s->in, sizeof s->in, s->out, sizeof s->out);
    br_ssl_engine_inject_entropy(s->eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    if (!br_ssl_server_reset(&s->sc)) {
        snprintf(err, errlen, "%s", tls_error_text(br_ssl_engine_last_error(s->eng)));
        free(s);
        return ANX_EIO;
    }
    *out = s;
    return 0;
}

const char *tls_cipher_name(const struct tls_session *s)
{
    static const struct {
        uint16_t id;
        const char *name;
    } names[] = {
        { BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "ECDHE-ECDSA-AES128-GCM-SHA256" },
        { BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "ECDHE-RSA-AES128-GCM-SHA256" },
        { BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-ECDSA-CHACHA20-POLY1305" },
        { BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "ECDHE-RSA-CHACHA20-POLY1305" },
        { BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "ECDHE-ECDSA-AES256-GCM-SHA384" },
        { BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "ECDHE-RSA-AES256-GCM-SHA384" },
    };
    if (!s->handshake_done)
        return "";
    br_ssl_session_parameters pp;
    br_ssl_engine_get_session_parameters(s->eng, &pp);
    for (size_t i = 0; i < ANX_ARRAY_SIZE(names); i++)
        if (names[i].id == pp.cipher_suite)
            return names[i].name;
    return "";
}

int tls_handshake(struct tls_session *s)
{
    if (s->handshake_done && !s->error[0])
        return 0;
    int rc = pump(s, BR_SSL_SENDAPP | BR_SSL_RECVAPP);
    if (rc == 0)
        return fail_io(s, "the connection closed during the handshake");
    return rc < 0 ? rc : 0;
}

long tls_read(struct tls_session *s, void *buf, size_t len)
{
    br_ssl_engine_context *eng = s->eng;
    int rc = pump(s, BR_SSL_RECVAPP);
    if (rc <= 0)
        return rc;
    size_t n;
    unsigned char *app = br_ssl_engine_recvapp_buf(eng, &n);
    if (n > len)
        n = len;
    memcpy(buf, app, n);
    br_ssl_engine_recvapp_ack(eng, n);
    return (long)n;
}

/* tls_write's wait for room: ANX_EAGAIN there would leave the caller not
 * knowing how much was sent, so it is a failure (with the handshake done
 * and no renegotiation, only a peer that stops reading causes it). */
static int pump_send(struct tls_session *s)
{
    int rc = pump(s, BR_SSL_SENDAPP);
    if (rc == 0)
        return fail_io(s, "the server closed the connection while data was being sent");
    if (rc == ANX_EAGAIN)
        return fail_io(s, "sending stalled: the server sends data and does not read");
    return rc < 0 ? rc : 0;
}

int tls_write(struct tls_session *s, const void *buf, size_t len)
{
    br_ssl_engine_context *eng = s->eng;
    const unsigned char *p = buf;
    if (!s->handshake_done && !s->error[0])
        return fail_io(s, "tls_write before the handshake is complete (call tls_handshake first)");
    while (len) {
        int rc = pump_send(s);
        if (rc < 0)
            return rc;
        size_t room;
        unsigned char *app = br_ssl_engine_sendapp_buf(eng, &room);
        size_t n = len < room ? len : room;
        memcpy(app, p, n);
        br_ssl_engine_sendapp_ack(eng, n);
        p += n;
        len -= n;
    }
    br_ssl_engine_flush(eng, 0);
    /* until every record is out: the engine is back to wanting app data */
    return pump_send(s);
}

void tls_close(struct tls_session *s)
{
    if (s->error[0])
        return;
    br_ssl_engine_context *eng = s->eng;
    br_ssl_engine_close(eng);
    /* send the alert; the peer's own close_notify is not waited for */
    while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
        size_t len;
        unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
        if (s->io.write(s->io.ctx, buf, len) < 0)
            break;
        br_ssl_engine_sendrec_ack(eng, len);
    }
}

const char *tls_error(const struct tls_session *s)
{
    return s->error;
}

int tls_error_code(const struct tls_session *s)
{
    return s->br_err;
}

void tls_free(struct tls_session *s)
{
    free(s);
}
