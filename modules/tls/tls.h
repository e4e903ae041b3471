/*
 * TLS over BearSSL (modules/tls): the API other modules use.
 *
 * One session type for both ends of a connection. A client session is
 * made by tls_client_new() (the browser's https: fetcher), a server
 * session by tls_server_new() with a certificate chain and its private key
 * (struct tls_cert: from PEM, or self-signed; the https module), and
 * everything after creation - tls_handshake, tls_read, tls_write,
 * tls_close, tls_error, tls_free - is the same for both, so a server
 * needs no second set of calls.
 *
 * A session moves bytes through a transport given as a read/write pair
 * (struct tls_io): any connected byte stream. tls_netconn_io() makes one
 * over a connected lwIP netconn. The transport's read may come back with
 * ANX_EAGAIN when nothing arrived within its own timeout: tls_handshake
 * and tls_read then return ANX_EAGAIN too, with the session intact, so a
 * caller can check whether it was told to stop and call again.
 *
 * Failures return a negative ANX_E* code and leave one sentence in
 * tls_error(): what went wrong in words ("the server's certificate is
 * not signed by a trusted certificate authority (unknown CA)"), never a
 * bare BearSSL number. A session that failed stays failed.
 *
 *     struct tls_netconn tn;
 *     struct tls_io io;
 *     struct tls_session *s;
 *     char err[160];
 *     tls_netconn_io(&tn, nc, &io);
 *     if (tls_client_new(&s, &(struct tls_client_config){ .server_name = host }, &io,
 *                        err, sizeof err) < 0)
 *         ... err says why (no hardware random source, no wall clock ...)
 *     while ((rc = tls_handshake(s)) == ANX_EAGAIN)
 *         ... check for a stop or a deadline ...
 *     if (rc < 0) ... tls_error(s)
 *     tls_write(s, request, len); ... tls_read(s, buf, sizeof buf) ...
 *     tls_close(s); tls_free(s); tls_netconn_release(&tn);
 *
 * Protocol: TLS 1.2 only (BearSSL 0.6 has no 1.3), ECDHE key exchange
 * (P-256, P-384, P-521, X25519) with RSA or ECDSA certificates,
 * AES-128/256-GCM and ChaCha20-Poly1305; no renegotiation. Certificates
 * are checked by BearSSL's "minimal" X.509 engine: chain to a trust
 * anchor, validity dates against the image's wall clock, the server name
 * against the certificate's DNS names (an IP address in the URL is
 * matched as text against them).
 */
#ifndef TLS_H
#define TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Trust anchors                                                        */

/* A set of trust anchors (CA certificates reduced to a name and a key). */
struct tls_trust;

/* Parses a PEM bundle (any number of CERTIFICATE blocks; other blocks and
 * text between them are skipped, as in Debian's ca-certificates.crt) into
 * trust anchors. NULL on failure, with err saying why ("line 12: ...").
 * A certificate that decodes but whose key BearSSL cannot use is skipped
 * and counted (tls_trust_skipped). Plain C: host tests link it. */
struct tls_trust *tls_trust_from_pem(const void *pem, size_t len, char *err, size_t errlen);
size_t tls_trust_count(const struct tls_trust *t);
size_t tls_trust_skipped(const struct tls_trust *t);
/* Heap bytes the anchors hold (names, keys and the table). */
size_t tls_trust_bytes(const struct tls_trust *t);
void tls_trust_free(struct tls_trust *t);

/* The image's anchors: the module's `ca:` bundle, parsed by a thread the
 * module starts at init (a caller waits while that thread is at it). NULL
 * when it could not be loaded (the module then failed with the reason). */
const struct tls_trust *tls_trust_default(void);

/* ------------------------------------------------------------------ */
/* Transport                                                            */

struct tls_io {
    void *ctx;
    /* Reads up to len bytes: the count (> 0); 0 when the peer closed the
     * stream; ANX_EAGAIN when nothing arrived within the transport's own
     * timeout; another negative ANX_E* code when the transport failed. */
    long (*read)(void *ctx, void *buf, size_t len);
    /* Writes all len bytes: 0, or a negative ANX_E* code. */
    int (*write)(void *ctx, const void *buf, size_t len);
};

/* A transport over a connected lwIP netconn (modules/net). Reads take
 * the netconn's receive timeout (netconn_set_recvtimeout: ANX_EAGAIN
 * when it passes), writes its send timeout. tn holds a received pbuf not
 * yet consumed: tls_netconn_release frees it (the netconn stays the
 * caller's). */
struct tls_netconn {
    struct netconn *nc;
    struct pbuf *pb; /* received, not yet consumed from `off` on */
    uint16_t off;
};
void tls_netconn_io(struct tls_netconn *tn, struct netconn *nc, struct tls_io *io);
void tls_netconn_release(struct tls_netconn *tn);

/* ------------------------------------------------------------------ */
/* Sessions                                                             */

struct tls_session;

struct tls_client_config {
    /* The name the certificate must carry (the URL's host); also sent as
     * SNI. Required: a client never skips the name check. */
    const char *server_name;
    /* NULL: tls_trust_default(). */
    const struct tls_trust *trust;
};

/* A client session over io (which must stay valid until tls_free). 0, or
 * a negative code with err saying why: ANX_ENOTSUP "no hardware random
 * source" (anx_random failed: keys from guessable bits are refused),
 * ANX_ENOTSUP without a wall clock (certificate dates cannot be checked),
 * ANX_ENOENT without trust anchors, ANX_ENOMEM. */
int tls_client_new(struct tls_session **out, const struct tls_client_config *cfg,
                   const struct tls_io *io, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Server certificates                                                  */

/* A certificate chain and its private key, for server sessions. */
struct tls_cert;

/* Parses PEM holding the chain (CERTIFICATE blocks, the server's own
 * first, then its intermediates) and one unencrypted private key (PKCS#8
 * "PRIVATE KEY", SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"; EC
 * P-256/384/521 or RSA), in any order; other blocks are skipped. Checks
 * that the key belongs to the first certificate. NULL with err saying
 * why ("the private key does not belong to the first certificate ..."). */
struct tls_cert *tls_cert_from_pem(const void *pem, size_t len, char *err, size_t errlen);

/* What a self-signed certificate says. */
struct tls_self_signed {
    const char *name;           /* subject and issuer CN (the image's name) */
    const char *const *dns;     /* subjectAltName DNS names */
    size_t ndns;
    const uint8_t (*ips)[4];    /* subjectAltName IPv4 addresses */
    size_t nips;
    uint64_t now_unix;          /* valid from an hour before to a year after;
                                 * 0 (no wall clock): 2025-01-01 to 9999-12-31 */
    const uint8_t *seed;        /* NULL: a new key from anx_random. Else 32
                                 * secret bytes the key and serial are derived
                                 * from, valid 2025-01-01 to 9999-12-31 whatever
                                 * the clock: the same seed and names give the
                                 * same certificate at every boot (ECDSA with
                                 * RFC 6979 nonces is deterministic) */
};

/* A P-256 key (new from anx_random, or from p->seed) and an X.509 v3
 * certificate for it, signed by itself (ECDSA-SHA256; serial: 16 random or
 * derived bytes). NULL with err saying why (no hardware random source ...). */
struct tls_cert *tls_cert_self_signed(const struct tls_self_signed *p, char *err, size_t errlen);

/* SHA-256 of the first certificate's DER: the fingerprint that
 * `openssl x509 -fingerprint -sha256` prints. */
void tls_cert_fingerprint(const struct tls_cert *c, uint8_t out[32]);
/* The first certificate's DER. */
const void *tls_cert_der(const struct tls_cert *c, size_t *len);
/* "EC P-256", "RSA" ... */
const char *tls_cert_key_name(const struct tls_cert *c);
/* Wipes the key and frees. */
void tls_cert_free(struct tls_cert *c);

struct tls_server_config {
    /* Must stay valid until tls_free. */
    const struct tls_cert *cert;
};

/* A server session over io: TLS 1.2, ECDHE (P-256, P-384, P-521, X25519)
 * with the certificate's key signing (ECDSA or RSA), AES-GCM or
 * ChaCha20-Poly1305; no client certificates, no session resumption (each
 * connection makes a full handshake). 0, or a negative code with err
 * saying why: ANX_EINVAL without a certificate, ANX_ENOTSUP "no hardware
 * random source", ANX_ENOMEM. A client that sends plain text (an HTTP
 * request) instead of a handshake fails tls_handshake with "the client
 * sent plain text, not a TLS handshake (plain HTTP to the HTTPS port?)". */
int tls_server_new(struct tls_session **out, const struct tls_server_config *cfg,
                   const struct tls_io *io, char *err, size_t errlen);

/* The negotiated cipher suite's name once the handshake is complete
 * ("ECDHE-ECDSA-AES128-GCM-SHA256", OpenSSL's names), else "". */
const char *tls_cipher_name(const struct tls_session *s);

/* Runs the handshake: 0 when it is complete (at once, if it already
 * was), ANX_EAGAIN (call again), or a negative code (tls_error). */
int tls_handshake(struct tls_session *s);

/* Decrypted application bytes: the count (> 0), 0 at the end of the
 * stream (close_notify, or the peer closed the connection: an HTTP body
 * framed by its length or chunks still tells a truncation apart),
 * ANX_EAGAIN, or a negative code (tls_error). Runs the handshake first
 * when needed. */
long tls_read(struct tls_session *s, void *buf, size_t len);

/* Encrypts and sends all len bytes (flushed to the transport): 0 or a
 * negative code (tls_error); never ANX_EAGAIN (it cannot say how much
 * went out). Only after tls_handshake returned 0. */
int tls_write(struct tls_session *s, const void *buf, size_t len);

/* Sends close_notify (best effort; the transport is not closed). */
void tls_close(struct tls_session *s);

/* Why the session failed, or "" while it has not. */
const char *tls_error(const struct tls_session *s);

/* BearSSL's last error code (BR_ERR_*, 0 for none): for tests and logs. */
int tls_error_code(const struct tls_session *s);

void tls_free(struct tls_session *s);

/* The words for a BearSSL error code (BR_ERR_*, including received and
 * sent alerts): a phrase that fits after "TLS failed: ". Plain C: host
 * tests link it. */
const char *tls_error_text(int br_err);

#endif
