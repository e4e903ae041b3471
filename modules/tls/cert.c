/*
 * A server's certificate chain and private key (see tls.h, "Server
 * certificates"): read from PEM, checked that the key belongs to the
 * first certificate, or made here as a self-signed P-256 certificate.
 *
 * The self-signed certificate is written with the small DER writer
 * below (X.509 is DER, ITU-T X.690: tag, length, contents; a SEQUENCE's
 * contents are its elements one after another). Elements are built
 * inside out: each is finished into its own buffer, which then becomes
 * the contents of the one around it, so no length has to be patched.
 *
 * Image code (the core's random source and clock); the host test links
 * it with stand-ins for those.
 */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/time.h>

#include "tls_impl.h"

/* ------------------------------------------------------------------ */
/* The chain and key                                                    */

void tls_cert_free(struct tls_cert *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nchain; i++)
        free(c->chain[i].data);
    free(c->chain);
    if (c->key) {
        memset(c->key, 0, c->key_len); /* the private key's numbers */
        free(c->key);
    }
    free(c);
}

static int add_cert_der(struct tls_cert *c, const void *der, size_t len)
{
    br_x509_certificate *chain = realloc(c->chain, (c->nchain + 1) * sizeof *chain);
    if (!chain)
        return ANX_ENOMEM;
    c->chain = chain;
    unsigned char *copy = malloc(len);
    if (!copy)
        return ANX_ENOMEM;
    memcpy(copy, der, len);
    c->chain[c->nchain].data = copy;
    c->chain[c->nchain].data_len = len;
    c->nchain++;
    return 0;
}

/* Keeps a copy of the decoded private key (the decoder's context points
 * into itself): all its numbers in one block. */
static int keep_key(struct tls_cert *c, const br_skey_decoder_context *kd)
{
    c->key_type = br_skey_decoder_key_type(kd);
    if (c->key_type == BR_KEYTYPE_EC) {
        const br_ec_private_key *k = br_skey_decoder_get_ec(kd);
        if (!(c->key = malloc(k->xlen)))
            return ANX_ENOMEM;
        c->key_len = k->xlen;
        memcpy(c->key, k->x, k->xlen);
        c->ec = (br_ec_private_key){ .curve = k->curve, .x = c->key, .xlen = k->xlen };
        return 0;
    }
    const br_rsa_private_key *k = br_skey_decoder_get_rsa(kd);
    size_t len = k->plen + k->qlen + k->dplen + k->dqlen + k->iqlen;
    if (!(c->key = malloc(len)))
        return ANX_ENOMEM;
    c->key_len = len;
    unsigned char *p = c->key;
    c->rsa.n_bitlen = k->n_bitlen;
#define TAKE(f)                                                                                    \
    memcpy(p, k->f, k->f##len);                                                                    \
    c->rsa.f = p;                                                                                  \
    c->rsa.f##len = k->f##len;                                                                     \
    p += k->f##len
    TAKE(p);
    TAKE(q);
    TAKE(dp);
    TAKE(dq);
    TAKE(iq);
#undef TAKE
    return 0;
}

static void skip_zeros(const unsigned char **p, size_t *len)
{
    while (*len > 1 && **p == 0) {
        (*p)++;
        (*len)--;
    }
}

/* Does the private key belong to the first certificate? BearSSL's server
 * would otherwise sign with a key the client cannot verify, and every
 * handshake would fail at the client with a bad signature. */
static const char *key_mismatch(struct tls_cert *c)
{
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, NULL, NULL);
    br_x509_decoder_push(&dc, c->chain[0].data, c->chain[0].data_len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    if (!pk)
        return "the first certificate could not be decoded (malformed, or an unsupported key type)";
    c->issuer_key_type = br_x509_decoder_get_signer_key_type(&dc);
    if (!c->issuer_key_type)
        c->issuer_key_type = pk->key_type;
    if (pk->key_type != c->key_type)
        return c->key_type == BR_KEYTYPE_EC ? "the private key is an EC key but the certificate's key is RSA"
                                            : "the private key is an RSA key but the certificate's key is EC";
    if (c->key_type == BR_KEYTYPE_EC) {
        unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
        br_ec_public_key pub;
        if (!br_ec_compute_pub(&br_ec_all_m31, &pub, q, &c->ec))
            return "the private key's curve is not supported (P-256, P-384 or P-521)";
        if (pk->key.ec.curve != c->ec.curve || pk->key.ec.qlen != pub.qlen ||
            memcmp(pk->key.ec.q, pub.q, pub.qlen))
            return "the private key does not belong to the first certificate (their public keys differ)";
        return NULL;
    }
    unsigned char n[512];
    size_t nlen = br_rsa_i31_compute_modulus(NULL, &c->rsa);
    if (!nlen || nlen > sizeof n || br_rsa_i31_compute_modulus(n, &c->rsa) != nlen)
        return "the RSA private key is malformed or larger than 4096 bits";
    const unsigned char *cn = pk->key.rsa.n, *mine = n;
    size_t cnlen = pk->key.rsa.nlen;
    skip_zeros(&cn, &cnlen);
    skip_zeros(&mine, &nlen);
    /* the modulus is p*q: the same modulus is the same key pair (BearSSL
     * recomputes e only when p and q are 3 mod 4, so e is not compared) */
    if (cnlen != nlen || memcmp(cn, mine, nlen))
        return "the private key does not belong to the first certificate (their public keys differ)";
    return NULL;
}

/* One finished PEM object: a certificate, a key, or something skipped. */
static const char *take_object(struct tls_cert *c, const char *name, struct tls_bytes *o, bool *have_key)
{
    if (!strcmp(name, "CERTIFICATE"))
        return add_cert_der(c, o->p, o->len) ? "out of memory" : NULL;
    if (strcmp(name, "PRIVATE KEY") && strcmp(name, "EC PRIVATE KEY") && strcmp(name, "RSA PRIVATE KEY"))
        return NULL; /* parameters, other text: not ours */
    if (*have_key)
        return "more than one private key (give exactly one, for the first certificate)";
    br_skey_decoder_context kd;
    br_skey_decoder_init(&kd);
    br_skey_decoder_push(&kd, o->p, o->len);
    int e = br_skey_decoder_last_error(&kd);
    if (e || !br_skey_decoder_key_type(&kd)) {
        memset(&kd, 0, sizeof kd);
        return e == BR_ERR_X509_UNSUPPORTED
                   ? "the private key is of an unsupported type (EC P-256/P-384/P-521 or RSA expected)"
                   : "the private key block is malformed (expected PKCS#8 PRIVATE KEY, SEC1 EC PRIVATE "
                     "KEY or PKCS#1 RSA PRIVATE KEY; an ENCRYPTED PRIVATE KEY is not supported)";
    }
    *have_key = true;
    int rc = keep_key(c, &kd);
    memset(&kd, 0, sizeof kd);
    return rc ? "out of memory" : NULL;
}

struct tls_cert *tls_cert_from_pem(const void *pem, size_t len, char *err, size_t errlen)
{
    struct tls_cert *c = calloc(1, sizeof *c);
    struct tls_bytes o = { 0 }; /* the object being decoded */
    br_pem_decoder_context pc;
    const unsigned char *p = pem;
    char name[128] = "";
    bool in_obj = false, have_key = false;
    const char *why = c ? NULL : "out of memory";
    br_pem_decoder_init(&pc);
    /* a final newline, so that an END line without one still ends */
    for (size_t i = 0; !why && i <= len;) {
        size_t n = i < len ? br_pem_decoder_push(&pc, p + i, len - i) : br_pem_decoder_push(&pc, "\n", 1);
        i += i < len ? n : 1;
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
            o.len = 0;
            in_obj = true;
            br_pem_decoder_setdest(&pc, tls_bytes_add, &o);
            break;
        case BR_PEM_END_OBJ:
            in_obj = false;
            why = o.oom ? "out of memory" : take_object(c, name, &o, &have_key);
            break;
        case BR_PEM_ERROR:
            why = "malformed PEM (bad base64 or a BEGIN line without its END)";
            break;
        }
    }
    if (o.p) {
        memset(o.p, 0, o.cap); /* may have held the key */
        free(o.p);
    }
    if (!why && in_obj)
        why = "the PEM ends inside a block (a BEGIN line without its END)";
    if (!why && !c->nchain)
        why = "no certificate in it (expected -----BEGIN CERTIFICATE----- blocks, the server's first)";
    if (!why && !have_key)
        why = "no private key in it (expected a -----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE "
              "KEY----- block after the certificates)";
    if (!why)
        why = key_mismatch(c);
    if (why) {
        snprintf(err, errlen, "%s", why);
        tls_cert_free(c);
        return NULL;
    }
    return c;
}

void tls_cert_fingerprint(const struct tls_cert *c, uint8_t out[32])
{
    br_sha256_context h;
    br_sha256_init(&h);
    br_sha256_update(&h, c->chain[0].data, c->chain[0].data_len);
    br_sha256_out(&h, out);
}

const void *tls_cert_der(const struct tls_cert *c, size_t *len)
{
    *len = c->chain[0].data_len;
    return c->chain[0].data;
}

const char *tls_cert_key_name(const struct tls_cert *c)
{
    if (c->key_type == BR_KEYTYPE_RSA)
        return "RSA";
    switch (c->ec.curve) {
    case BR_EC_secp256r1: return "EC P-256";
    case BR_EC_secp384r1: return "EC P-384";
    case BR_EC_secp521r1: return "EC P-521";
    default: return "EC";
    }
}

/* ------------------------------------------------------------------ */
/* A DER writer                                                         */

/* One element being built: its contents so far. 1 KiB holds the largest
 * (the whole certificate is about 450 bytes plus the names). */
struct der {
    unsigned char b[1024];
    size_t len;
    bool full;
};

static void der_raw(struct der *d, const void *p, size_t n)
{
    if (!n)
        return;
    if (d->full || n > sizeof d->b - d->len) {
        d->full = true;
        return;
    }
    memcpy(d->b + d->len, p, n);
    d->len += n;
}

/* tag, length (short form below 128, else 0x81/0x82 and the bytes), contents */
static void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
    unsigned char h[4] = { tag };
    size_t hl;
    if (n < 0x80) {
        h[1] = (unsigned char)n;
        hl = 2;
    } else if (n < 0x100) {
        h[1] = 0x81;
        h[2] = (unsigned char)n;
        hl = 3;
    } else {
        h[1] = 0x82;
        h[2] = (unsigned char)(n >> 8);
        h[3] = (unsigned char)n;
        hl = 4;
    }
    der_raw(d, h, hl);
    der_raw(d, p, n);
}

/* Ends an element: `inner` becomes the contents of a `tag` element in d. */
static void der_wrap(struct der *d, uint8_t tag, const struct der *inner)
{
    if (inner->full)
        d->full = true;
    der_tlv(d, tag, inner->b, inner->len);
}

enum {
    DER_INTEGER = 0x02,
    DER_BIT_STRING = 0x03,
    DER_OCTET_STRING = 0x04,
    DER_OID = 0x06,
    DER_UTF8 = 0x0c,
    DER_UTCTIME = 0x17,
    DER_GENTIME = 0x18,
    DER_SEQUENCE = 0x30,
    DER_SET = 0x31,
    DER_CTX0 = 0xa0, /* [0] EXPLICIT: the version */
    DER_CTX3 = 0xa3, /* [3] EXPLICIT: the extensions */
    DER_SAN_DNS = 0x82, /* GeneralName [2] IMPLICIT IA5String */
    DER_SAN_IP = 0x87,  /* GeneralName [7] IMPLICIT OCTET STRING */
};

/* The object identifiers, already in DER's encoding of their arcs. */
static const unsigned char oid_ecdsa_sha256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02 }; /* 1.2.840.10045.4.3.2 */
static const unsigned char oid_ec_public_key[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 }; /* 1.2.840.10045.2.1 */
static const unsigned char oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 }; /* 1.2.840.10045.3.1.7 */
static const unsigned char oid_common_name[] = { 0x55, 0x04, 0x03 };                       /* 2.5.4.3 */
static const unsigned char oid_subject_alt_name[] = { 0x55, 0x1d, 0x11 };                  /* 2.5.29.17 */
static const unsigned char oid_basic_constraints[] = { 0x55, 0x1d, 0x13 };                 /* 2.5.29.19 */
static const unsigned char oid_ext_key_usage[] = { 0x55, 0x1d, 0x25 };                     /* 2.5.29.37 */
static const unsigned char oid_server_auth[] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01 }; /* 1.3.6.1.5.5.7.3.1 */

/* AlgorithmIdentifier ecdsa-with-SHA256: the OID alone (RFC 5758: no
 * parameters, not even NULL). */
static void der_ecdsa_sha256(struct der *d)
{
    struct der a = { 0 };
    der_tlv(&a, DER_OID, oid_ecdsa_sha256, sizeof oid_ecdsa_sha256);
    der_wrap(d, DER_SEQUENCE, &a);
}

/* Name: one RDN, CN=name (UTF8String). */
static void der_name(struct der *d, const char *cn)
{
    struct der atv = { 0 }, rdn = { 0 }, name = { 0 };
    der_tlv(&atv, DER_OID, oid_common_name, sizeof oid_common_name);
    der_tlv(&atv, DER_UTF8, cn, strlen(cn));
    der_wrap(&rdn, DER_SEQUENCE, &atv);
    der_wrap(&name, DER_SET, &rdn);
    der_wrap(d, DER_SEQUENCE, &name);
}

/* A time: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ from 2050 (RFC 5280, 4.1.2.5). */
static void der_time(struct der *d, uint64_t unix_s)
{
    int64_t y;
    unsigned mo, da;
    anx_civil_from_days((int64_t)(unix_s / 86400), &y, &mo, &da);
    unsigned s = (unsigned)(unix_s % 86400);
    char t[20];
    if (y < 2050) {
        snprintf(t, sizeof t, "%02u%02u%02u%02u%02u%02uZ", (unsigned)(y % 100), mo, da, s / 3600,
                 s / 60 % 60, s % 60);
        der_tlv(d, DER_UTCTIME, t, 13);
    } else {
        snprintf(t, sizeof t, "%04u%02u%02u%02u%02u%02uZ", (unsigned)y, mo, da, s / 3600, s / 60 % 60,
                 s % 60);
        der_tlv(d, DER_GENTIME, t, 15);
    }
}

/* One Extension: extnID, [critical TRUE], extnValue (an OCTET STRING
 * holding the DER of the value). */
static void der_extension(struct der *d, const unsigned char *oid, size_t oidlen, bool critical,
                          const struct der *value)
{
    static const unsigned char true_[] = { 0xff };
    struct der e = { 0 };
    der_tlv(&e, DER_OID, oid, oidlen);
    if (critical)
        der_tlv(&e, 0x01, true_, 1); /* BOOLEAN */
    der_wrap(&e, DER_OCTET_STRING, value);
    der_wrap(d, DER_SEQUENCE, &e);
}

/* The extensions: subjectAltName (the DNS names and IPv4 addresses a
 * client may reach the image by), basicConstraints CA:FALSE (critical),
 * extKeyUsage serverAuth. */
static void der_extensions(struct der *d, const struct tls_self_signed *p)
{
    struct der san = { 0 }, names = { 0 }, bc = { 0 }, eku = { 0 }, ekus = { 0 }, exts = { 0 };
    for (size_t i = 0; i < p->ndns; i++)
        der_tlv(&names, DER_SAN_DNS, p->dns[i], strlen(p->dns[i]));
    for (size_t i = 0; i < p->nips; i++)
        der_tlv(&names, DER_SAN_IP, p->ips[i], 4);
    der_wrap(&san, DER_SEQUENCE, &names);
    der_extension(&exts, oid_subject_alt_name, sizeof oid_subject_alt_name, false, &san);
    der_tlv(&bc, DER_SEQUENCE, NULL, 0); /* cA defaults to FALSE */
    der_extension(&exts, oid_basic_constraints, sizeof oid_basic_constraints, true, &bc);
    der_tlv(&ekus, DER_OID, oid_server_auth, sizeof oid_server_auth);
    der_wrap(&eku, DER_SEQUENCE, &ekus);
    der_extension(&exts, oid_ext_key_usage, sizeof oid_ext_key_usage, false, &eku);
    struct der seq = { 0 };
    der_wrap(&seq, DER_SEQUENCE, &exts);
    der_wrap(d, DER_CTX3, &seq);
}

/* TBSCertificate (RFC 5280, 4.1): what the signature covers. */
static void der_tbs(struct der *d, const struct tls_self_signed *p, const uint8_t serial[16],
                    const br_ec_public_key *pub, uint64_t not_before, uint64_t not_after)
{
    static const unsigned char v3[] = { 0x02, 0x01, 0x02 }; /* INTEGER 2 */
    struct der t = { 0 }, validity = { 0 }, spki = { 0 }, alg = { 0 }, bits = { 0 };
    der_tlv(&t, DER_CTX0, v3, sizeof v3);
    der_tlv(&t, DER_INTEGER, serial, 16);
    der_ecdsa_sha256(&t);
    der_name(&t, p->name); /* issuer = subject: self-signed */
    der_time(&validity, not_before);
    der_time(&validity, not_after);
    der_wrap(&t, DER_SEQUENCE, &validity);
    der_name(&t, p->name);
    der_tlv(&alg, DER_OID, oid_ec_public_key, sizeof oid_ec_public_key);
    der_tlv(&alg, DER_OID, oid_p256, sizeof oid_p256);
    der_wrap(&spki, DER_SEQUENCE, &alg);
    der_raw(&bits, "", 1); /* no unused bits */
    der_raw(&bits, pub->q, pub->qlen);
    der_wrap(&spki, DER_BIT_STRING, &bits);
    der_wrap(&t, DER_SEQUENCE, &spki);
    der_extensions(&t, p);
    der_wrap(d, DER_SEQUENCE, &t);
}

/* When the image has no wall clock: valid from 2025-01-01 to 9999-12-31
 * (RFC 5280's "no well-defined expiration date"), so a client with a
 * right clock accepts the dates whenever the image runs. */
#define NO_CLOCK_NOT_BEFORE 1735689600ull  /* 2025-01-01T00:00:00Z */
#define NO_CLOCK_NOT_AFTER 253402300799ull /* 9999-12-31T23:59:59Z */
#define ONE_YEAR_S (365ull * 86400)

/* Everything the generation holds at once: on the heap, not a small
 * thread's stack (about 6 KiB). */
struct self_signed_work {
    br_hmac_drbg_context rng;
    unsigned char sk[BR_EC_KBUF_PRIV_MAX_SIZE];
    unsigned char pk[BR_EC_KBUF_PUB_MAX_SIZE];
    uint8_t seed[32], serial[16], hash[32];
    unsigned char sig[80];
    struct der tbs, cert, sigbits;
};

struct tls_cert *tls_cert_self_signed(const struct tls_self_signed *p, char *err, size_t errlen)
{
    struct self_signed_work *w = calloc(1, sizeof *w);
    struct tls_cert *c = calloc(1, sizeof *c);
    const char *why = NULL;
    if (!w || !c) {
        why = "out of memory";
        goto out;
    }
    if (p->seed) {
        /* the key from the seed through the DRBG below, the serial from its hash */
        memcpy(w->seed, p->seed, sizeof w->seed);
        br_sha256_context hs;
        br_sha256_init(&hs);
        br_sha256_update(&hs, "anunix self-signed serial", 25);
        br_sha256_update(&hs, w->seed, sizeof w->seed);
        br_sha256_out(&hs, w->hash);
        memcpy(w->serial, w->hash, sizeof w->serial);
    } else if (anx_random(w->seed, sizeof w->seed) < 0 || anx_random(w->serial, sizeof w->serial) < 0) {
        why = "no hardware random source (a key from guessable bits is refused; add a virtio-rng "
              "device or use a CPU with RDRAND/RNDR)";
        goto out;
    }
    /* a positive serial of 16 bytes: top bit clear, first byte not 0 */
    w->serial[0] = (uint8_t)((w->serial[0] & 0x7f) | 0x40);
    br_hmac_drbg_init(&w->rng, &br_sha256_vtable, w->seed, sizeof w->seed);
    br_ec_private_key sk;
    br_ec_public_key pub;
    if (!br_ec_keygen(&w->rng.vtable, &br_ec_all_m31, &sk, w->sk, BR_EC_secp256r1) ||
        !br_ec_compute_pub(&br_ec_all_m31, &pub, w->pk, &sk)) {
        why = "P-256 key generation failed";
        goto out;
    }
    uint64_t from = NO_CLOCK_NOT_BEFORE, to = NO_CLOCK_NOT_AFTER;
    if (p->now_unix && !p->seed) {
        from = p->now_unix - 3600; /* an hour back: clients' clocks differ a little */
        to = p->now_unix + ONE_YEAR_S;
    }
    der_tbs(&w->tbs, p, w->serial, &pub, from, to);
    br_sha256_context h;
    br_sha256_init(&h);
    br_sha256_update(&h, w->tbs.b, w->tbs.len);
    br_sha256_out(&h, w->hash);
    size_t siglen = br_ecdsa_i31_sign_asn1(&br_ec_all_m31, &br_sha256_vtable, w->hash, &sk, w->sig);
    if (!siglen) {
        why = "signing the certificate failed";
        goto out;
    }
    /* Certificate: tbsCertificate, signatureAlgorithm, signatureValue */
    struct der body = { 0 };
    der_raw(&body, w->tbs.b, w->tbs.len);
    der_ecdsa_sha256(&body);
    der_raw(&w->sigbits, "", 1);
    der_raw(&w->sigbits, w->sig, siglen);
    der_wrap(&body, DER_BIT_STRING, &w->sigbits);
    der_wrap(&w->cert, DER_SEQUENCE, &body);
    if (w->cert.full || w->tbs.full) {
        why = "the certificate is too large (too many or too long names)";
        goto out;
    }
    if (add_cert_der(c, w->cert.b, w->cert.len) || !(c->key = malloc(sk.xlen))) {
        why = "out of memory";
        goto out;
    }
    memcpy(c->key, sk.x, sk.xlen);
    c->key_len = sk.xlen;
    c->key_type = BR_KEYTYPE_EC;
    c->issuer_key_type = BR_KEYTYPE_EC;
    c->ec = (br_ec_private_key){ .curve = sk.curve, .x = c->key, .xlen = sk.xlen };
out:
    if (w) {
        memset(w, 0, sizeof *w); /* the key, and the generator that made it */
        free(w);
    }
    if (why) {
        snprintf(err, errlen, "%s", why);
        tls_cert_free(c);
        return NULL;
    }
    return c;
}
