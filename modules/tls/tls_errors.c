/*
 * BearSSL's error codes (BR_ERR_*, inc/bearssl_ssl.h and bearssl_x509.h)
 * in words, for the error a user reads ("TLS failed: " + the phrase).
 * Plain C with no image dependency: the host tests link it.
 */
#include <stddef.h>

#include "bearssl.h"
#include "tls.h"

struct code_text {
    int code;
    const char *text;
};

/* The certificate errors a user can act on come first in wording: what is
 * wrong with the server's certificate, not BearSSL's decoder state. */
static const struct code_text errors[] = {
    { BR_ERR_OK, "no error" },
    /* BearSSL's handshake code fails with BAD_PARAM when a length in the
     * peer's message does not fit (ssl_hs_common.t0: check-len, open-elt,
     * close-elt); a misconfigured engine fails at reset, before any byte. */
    { BR_ERR_BAD_PARAM, "a malformed handshake message from the server (a length that does not fit)" },
    { BR_ERR_BAD_STATE, "bad state (a bug in the caller)" },
    { BR_ERR_UNSUPPORTED_VERSION, "the server does not speak TLS 1.2 (the only version supported)" },
    { BR_ERR_BAD_VERSION, "the server answered with a TLS version that was not offered" },
    { BR_ERR_BAD_LENGTH, "a malformed record from the server (bad length)" },
    { BR_ERR_TOO_LARGE, "a record from the server larger than allowed" },
    { BR_ERR_BAD_MAC, "a record from the server failed its integrity check (corrupted or tampered)" },
    { BR_ERR_NO_RANDOM, "no hardware random source" },
    { BR_ERR_UNKNOWN_TYPE, "a record of unknown type from the server" },
    { BR_ERR_UNEXPECTED, "an unexpected message from the server" },
    { BR_ERR_BAD_CCS, "a malformed ChangeCipherSpec from the server" },
    { BR_ERR_BAD_ALERT, "a malformed alert from the server" },
    { BR_ERR_BAD_HANDSHAKE, "handshake failure: a malformed handshake message from the server" },
    { BR_ERR_OVERSIZED_ID, "handshake failure: the server's session ID is too long" },
    { BR_ERR_BAD_CIPHER_SUITE,
      "handshake failure: no common cipher suite (ECDHE with AES-GCM or ChaCha20-Poly1305 is required)" },
    { BR_ERR_BAD_COMPRESSION, "handshake failure: the server chose compression, which was not offered" },
    { BR_ERR_BAD_FRAGLEN, "handshake failure: the server's maximum fragment length is invalid" },
    { BR_ERR_BAD_SECRENEG, "handshake failure: secure renegotiation check failed" },
    { BR_ERR_EXTRA_EXTENSION, "handshake failure: the server sent an extension that was not offered" },
    { BR_ERR_BAD_SNI, "handshake failure: the server name (SNI) is invalid" },
    { BR_ERR_BAD_HELLO_DONE, "handshake failure: a malformed ServerHelloDone" },
    { BR_ERR_LIMIT_EXCEEDED, "handshake failure: a size limit was exceeded" },
    { BR_ERR_BAD_FINISHED, "handshake failure: the Finished message does not match (tampered handshake)" },
    { BR_ERR_RESUME_MISMATCH, "handshake failure: session resumption mismatch" },
    { BR_ERR_INVALID_ALGORITHM, "handshake failure: the server used an algorithm that was not offered" },
    { BR_ERR_BAD_SIGNATURE, "handshake failure: the server's key exchange signature is invalid" },
    { BR_ERR_WRONG_KEY_USAGE, "the server's certificate key may not be used for this key exchange" },
    { BR_ERR_NO_CLIENT_AUTH, "the server asked for a client certificate, and there is none" },
    { BR_ERR_IO, "the connection failed" },
    { BR_ERR_X509_INVALID_VALUE, "the server's certificate is malformed (invalid value)" },
    { BR_ERR_X509_TRUNCATED, "the server's certificate is truncated" },
    { BR_ERR_X509_EMPTY_CHAIN, "the server sent no certificate" },
    { BR_ERR_X509_INNER_TRUNC, "the server's certificate is malformed (inner element truncated)" },
    { BR_ERR_X509_BAD_TAG_CLASS, "the server's certificate is malformed (bad tag class)" },
    { BR_ERR_X509_BAD_TAG_VALUE, "the server's certificate is malformed (bad tag)" },
    { BR_ERR_X509_INDEFINITE_LENGTH, "the server's certificate is malformed (indefinite length)" },
    { BR_ERR_X509_EXTRA_ELEMENT, "the server's certificate is malformed (extra element)" },
    { BR_ERR_X509_UNEXPECTED, "the server's certificate is malformed (unexpected element)" },
    { BR_ERR_X509_NOT_CONSTRUCTED, "the server's certificate is malformed (not constructed)" },
    { BR_ERR_X509_NOT_PRIMITIVE, "the server's certificate is malformed (not primitive)" },
    { BR_ERR_X509_PARTIAL_BYTE, "the server's certificate is malformed (partial byte)" },
    { BR_ERR_X509_BAD_BOOLEAN, "the server's certificate is malformed (bad boolean)" },
    { BR_ERR_X509_OVERFLOW, "the server's certificate is malformed (value overflow)" },
    { BR_ERR_X509_BAD_DN, "the server's certificate has a malformed name" },
    { BR_ERR_X509_BAD_TIME, "the server's certificate has malformed validity dates" },
    { BR_ERR_X509_UNSUPPORTED, "the server's certificate uses an unsupported algorithm or key type" },
    { BR_ERR_X509_LIMIT_EXCEEDED, "the server's certificate exceeds a size limit" },
    { BR_ERR_X509_WRONG_KEY_TYPE, "the server's certificate key type does not match its signature" },
    { BR_ERR_X509_BAD_SIGNATURE, "a signature in the server's certificate chain is invalid" },
    { BR_ERR_X509_TIME_UNKNOWN, "the current time is unknown, so the certificate's dates cannot be checked" },
    { BR_ERR_X509_EXPIRED, "the server's certificate has expired or is not yet valid" },
    { BR_ERR_X509_DN_MISMATCH, "the server's certificate chain is out of order (issuer name mismatch)" },
    { BR_ERR_X509_BAD_SERVER_NAME, "the server's certificate is for another host name (wrong host name)" },
    { BR_ERR_X509_CRITICAL_EXTENSION, "the server's certificate has an unsupported critical extension" },
    { BR_ERR_X509_NOT_CA, "a certificate in the server's chain signs others but is not a CA" },
    { BR_ERR_X509_FORBIDDEN_KEY_USAGE, "the server's certificate may not be used for TLS servers (key usage)" },
    { BR_ERR_X509_WEAK_PUBLIC_KEY, "the server's certificate key is too weak" },
    { BR_ERR_X509_NOT_TRUSTED,
      "the server's certificate is not signed by a trusted certificate authority (unknown CA)" },
};

static const struct code_text alerts[] = {
    { BR_ALERT_CLOSE_NOTIFY, "close notify" },
    { BR_ALERT_UNEXPECTED_MESSAGE, "unexpected message" },
    { BR_ALERT_BAD_RECORD_MAC, "bad record MAC" },
    { BR_ALERT_RECORD_OVERFLOW, "record overflow" },
    { BR_ALERT_DECOMPRESSION_FAILURE, "decompression failure" },
    { BR_ALERT_HANDSHAKE_FAILURE, "handshake failure (no common cipher suite or parameters)" },
    { BR_ALERT_BAD_CERTIFICATE, "bad certificate" },
    { BR_ALERT_UNSUPPORTED_CERTIFICATE, "unsupported certificate" },
    { BR_ALERT_CERTIFICATE_REVOKED, "certificate revoked" },
    { BR_ALERT_CERTIFICATE_EXPIRED, "certificate expired" },
    { BR_ALERT_CERTIFICATE_UNKNOWN, "certificate unknown" },
    { BR_ALERT_ILLEGAL_PARAMETER, "illegal parameter" },
    { BR_ALERT_UNKNOWN_CA, "unknown CA" },
    { BR_ALERT_ACCESS_DENIED, "access denied" },
    { BR_ALERT_DECODE_ERROR, "decode error" },
    { BR_ALERT_DECRYPT_ERROR, "decrypt error" },
    { BR_ALERT_PROTOCOL_VERSION, "protocol version (TLS 1.2 not accepted)" },
    { BR_ALERT_INSUFFICIENT_SECURITY, "insufficient security" },
    { BR_ALERT_INTERNAL_ERROR, "internal error" },
    { BR_ALERT_USER_CANCELED, "user canceled" },
    { BR_ALERT_NO_RENEGOTIATION, "no renegotiation" },
    { BR_ALERT_UNSUPPORTED_EXTENSION, "unsupported extension" },
    { BR_ALERT_NO_APPLICATION_PROTOCOL, "no application protocol" },
};

static const char *find(const struct code_text *t, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].text;
    return NULL;
}

/* Received alerts are BR_ERR_RECV_FATAL_ALERT + the alert's number, sent
 * ones BR_ERR_SEND_FATAL_ALERT + it: one phrase per alert and direction,
 * kept in static tables so the result needs no buffer. */
#define ALERT_PHRASES(prefix)                                                                      \
    {                                                                                              \
        prefix "close notify", prefix "unexpected message", prefix "bad record MAC",               \
            prefix "record overflow", prefix "decompression failure",                              \
            prefix "handshake failure (no common cipher suite or parameters)",                     \
            prefix "bad certificate", prefix "unsupported certificate",                            \
            prefix "certificate revoked", prefix "certificate expired",                            \
            prefix "certificate unknown", prefix "illegal parameter", prefix "unknown CA",         \
            prefix "access denied", prefix "decode error", prefix "decrypt error",                 \
            prefix "protocol version (TLS 1.2 not accepted)", prefix "insufficient security",      \
            prefix "internal error", prefix "user canceled", prefix "no renegotiation",            \
            prefix "unsupported extension", prefix "no application protocol",                      \
    }

const char *tls_error_text(int br_err)
{
    static const char *const recv[] = ALERT_PHRASES("the server refused the connection: alert ");
    static const char *const sent[] = ALERT_PHRASES("handshake failure: this side sent alert ");
    _Static_assert(sizeof recv / sizeof *recv == sizeof alerts / sizeof *alerts, "alert tables");
    const char *t = find(errors, sizeof errors / sizeof *errors, br_err);
    if (t)
        return t;
    int base = br_err >= BR_ERR_SEND_FATAL_ALERT ? BR_ERR_SEND_FATAL_ALERT
               : br_err >= BR_ERR_RECV_FATAL_ALERT ? BR_ERR_RECV_FATAL_ALERT
                                                   : 0;
    if (base && br_err - base < 256) {
        for (size_t i = 0; i < sizeof alerts / sizeof *alerts; i++)
            if (alerts[i].code == br_err - base)
                return base == BR_ERR_RECV_FATAL_ALERT ? recv[i] : sent[i];
        return base == BR_ERR_RECV_FATAL_ALERT ? "the server refused the connection (an unknown alert)"
                                               : "handshake failure: this side sent an alert";
    }
    return "handshake failure (an unknown TLS error)";
}
