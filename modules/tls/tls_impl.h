/*
 * Inside the tls module: what its files share (not for other modules).
 */
#ifndef TLS_IMPL_H
#define TLS_IMPL_H

#include "bearssl.h"
#include "tls.h"

/* The anchors of a set, as BearSSL's X.509 engine takes them. */
const br_x509_trust_anchor *tls_trust_anchors(const struct tls_trust *t, size_t *n);

/* tls_trust_from_pem, calling each() after every certificate (the
 * module's loader thread yields there: threads are cooperative). */
struct tls_trust *tls_trust_from_pem_each(const void *pem, size_t len, char *err, size_t errlen,
                                          void (*each)(void));

/* A server's certificate chain and private key (cert.c). The key's
 * numbers are one heap block (`key`), wiped when freed. */
struct tls_cert {
    br_x509_certificate *chain; /* DER, the server's own first */
    size_t nchain;
    int key_type;        /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
    int issuer_key_type; /* the key type that signed chain[0] (BearSSL asks) */
    br_ec_private_key ec;
    br_rsa_private_key rsa;
    unsigned char *key;
    size_t key_len;
};

/* A growable byte buffer (trust.c) that BearSSL's decoders write into:
 * one object's DER or one name. A failed growth sets oom and drops what
 * follows. */
struct tls_bytes {
    unsigned char *p;
    size_t len, cap;
    int oom;
};
void tls_bytes_add(void *ctx, const void *data, size_t len);

#endif
