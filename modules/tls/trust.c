/*
 * Trust anchors from a PEM bundle: PEM -> DER (base64, read here) ->
 * name and public key (BearSSL's X.509 decoder) -> br_x509_trust_anchor.
 *
 * Only a CA's subject name and key are kept, not the certificate: that is
 * all the X.509 engine compares a chain against. Each anchor is one heap
 * block (the name and key bytes behind the record), so freeing a set is
 * one loop. Plain C (malloc, string.h): host tests link this file with
 * BearSSL's decoders and parse Debian's real bundle.
 */
#include <anx/base64.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_impl.h"

struct tls_trust {
    br_x509_trust_anchor *ta;
    size_t n, cap;
    size_t skipped; /* decoded, but with a key type BearSSL cannot use */
    size_t bytes;   /* heap held: table and anchors */
};

void tls_bytes_add(void *ctx, const void *data, size_t len)
{
    struct tls_bytes *b = ctx;
    if (b->oom)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + len)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

static size_t key_bytes(const br_x509_pkey *pk)
{
    if (pk->key_type == BR_KEYTYPE_RSA)
        return pk->key.rsa.nlen + pk->key.rsa.elen;
    return pk->key.ec.qlen;
}

/* Appends the anchor of one certificate's DER. 0; 1 skipped (a key type
 * the engine cannot use); -1 out of memory; -2 not a certificate
 * (*x509_err is BearSSL's decoder error). */
static int add_cert(struct tls_trust *t, const unsigned char *der, size_t len, int *x509_err)
{
    struct tls_bytes dn = { 0 };
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, tls_bytes_add, &dn);
    br_x509_decoder_push(&dc, der, len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    int rc = 0;
    *x509_err = br_x509_decoder_last_error(&dc);
    if (dn.oom) {
        rc = -1;
    } else if (!pk) {
        rc = *x509_err == BR_ERR_X509_UNSUPPORTED ? 1 : -2;
    } else if (pk->key_type != BR_KEYTYPE_RSA && pk->key_type != BR_KEYTYPE_EC) {
        rc = 1;
    }
    if (rc) {
        free(dn.p);
        if (rc == 1)
            t->skipped++;
        return rc > 0 ? 1 : rc;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        br_x509_trust_anchor *ta = realloc(t->ta, cap * sizeof *ta);
        if (!ta) {
            free(dn.p);
            return -1;
        }
        t->bytes += (cap - t->cap) * sizeof *ta;
        t->ta = ta;
        t->cap = cap;
    }
    /* one block: the name, then the key's numbers */
    size_t kb = key_bytes(pk);
    unsigned char *block = malloc(dn.len + kb ? dn.len + kb : 1);
    if (!block) {
        free(dn.p);
        return -1;
    }
    t->bytes += dn.len + kb;
    memcpy(block, dn.p, dn.len);
    free(dn.p);
    br_x509_trust_anchor *a = &t->ta[t->n++];
    a->dn.data = block;
    a->dn.len = dn.len;
    a->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    a->pkey.key_type = pk->key_type;
    unsigned char *k = block + dn.len;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        memcpy(k, pk->key.rsa.n, pk->key.rsa.nlen);
        memcpy(k + pk->key.rsa.nlen, pk->key.rsa.e, pk->key.rsa.elen);
        a->pkey.key.rsa.n = k;
        a->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        a->pkey.key.rsa.e = k + pk->key.rsa.nlen;
        a->pkey.key.rsa.elen = pk->key.rsa.elen;
    } else {
        memcpy(k, pk->key.ec.q, pk->key.ec.qlen);
        a->pkey.key.ec.curve = pk->key.ec.curve;
        a->pkey.key.ec.q = k;
        a->pkey.key.ec.qlen = pk->key.ec.qlen;
    }
    return 0;
}

void tls_trust_free(struct tls_trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->ta[i].dn.data);
    free(t->ta);
    free(t);
}

/* The PEM block being read: base64 decoded into der, four characters at
 * a time; after padding ('=') only padding may follow. */
struct pem_block {
    char name[64];
    unsigned begin_line;
    int is_cert;
    uint32_t quad; /* bits of the characters of an incomplete group */
    int nquad, pad;
    struct tls_bytes der;
};

/* Decodes one base64 line into b->der: 0, or -1 at a character that
 * does not belong. */
static int b64_line(struct pem_block *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ' || p[i] == '\t')
            continue;
        int v = p[i] == '=' ? 0 : anx_base64_value(p[i], 0);
        if (v < 0 || (b->pad && p[i] != '=') || (p[i] == '=' && b->nquad < 2))
            return -1;
        b->pad += p[i] == '=';
        b->quad = b->quad << 6 | (uint32_t)v;
        if (++b->nquad == 4) {
            unsigned char out[3] = { (unsigned char)(b->quad >> 16), (unsigned char)(b->quad >> 8),
                                     (unsigned char)b->quad };
            tls_bytes_add(&b->der, out, (size_t)(3 - b->pad));
            b->quad = 0;
            b->nquad = 0;
        }
    }
    return 0;
}

/* Whether line (n bytes) is "-----WORD NAME-----"; NAME into name. */
static int armor(const unsigned char *line, size_t n, const char *word, char *name, size_t cap)
{
    size_t wl = strlen(word);
    if (n < 10 + wl + 1 || memcmp(line, "-----", 5) || memcmp(line + 5, word, wl) ||
        line[5 + wl] != ' ' || memcmp(line + n - 5, "-----", 5))
        return 0;
    size_t len = n - 10 - wl - 1;
    if (len >= cap)
        len = cap - 1;
    memcpy(name, line + 5 + wl + 1, len);
    name[len] = 0;
    return 1;
}

/* The PEM reader is ours rather than BearSSL's br_pem_decoder: that one
 * is interpreted T0 code and took 200 ms on the host (over half a second
 * under TCG) for Debian's bundle, where this loop takes a few ms; the
 * certificates themselves go through BearSSL's X.509 decoder. */
struct tls_trust *tls_trust_from_pem(const void *pem, size_t len, char *err, size_t errlen)
{
    return tls_trust_from_pem_each(pem, len, err, errlen, NULL);
}

struct tls_trust *tls_trust_from_pem_each(const void *pem, size_t len, char *err, size_t errlen,
                                          void (*each)(void))
{
    const unsigned char *p = pem;
    struct tls_trust *t = calloc(1, sizeof *t);
    struct pem_block b = { 0 };
    int inside = 0;
    unsigned line = 0;
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->bytes = sizeof *t;
    for (size_t pos = 0; pos < len;) {
        const unsigned char *nl = memchr(p + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (p + pos)) : len - pos;
        const unsigned char *l = p + pos;
        pos += n + (nl != NULL);
        line++;
        while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
            n--;
        char name[64];
        if (!inside) {
            if (armor(l, n, "BEGIN", b.name, sizeof b.name)) {
                inside = 1;
                b.begin_line = line;
                b.is_cert = !strcmp(b.name, "CERTIFICATE") || !strcmp(b.name, "X509 CERTIFICATE") ||
                            !strcmp(b.name, "TRUSTED CERTIFICATE");
                b.der.len = 0;
                b.quad = 0;
                b.nquad = b.pad = 0;
            }
            continue; /* text between blocks is allowed (and skipped) */
        }
        if (armor(l, n, "END", name, sizeof name)) {
            if (strcmp(name, b.name)) {
                snprintf(err, errlen, "line %u: END %s does not match BEGIN %s of line %u", line,
                         name, b.name, b.begin_line);
                goto fail;
            }
            inside = 0;
            if (!b.is_cert)
                continue;
            if (b.nquad) {
                snprintf(err, errlen, "line %u: malformed PEM (the base64 ends mid-group)", line);
                goto fail;
            }
            int x509_err = 0;
            int rc = b.der.oom ? -1 : add_cert(t, b.der.p, b.der.len, &x509_err);
            if (rc == -1) {
                snprintf(err, errlen, "out of memory after %zu certificates", t->n);
                goto fail;
            }
            if (rc == -2) {
                snprintf(err, errlen, "line %u: the certificate ending here is not valid X.509 (%s)",
                         line, tls_error_text(x509_err));
                goto fail;
            }
            if (each)
                each();
            continue;
        }
        /* a header line ("Proc-Type: ...") only belongs to other blocks */
        if (b.is_cert && b64_line(&b, l, n) < 0) {
            snprintf(err, errlen, "line %u: malformed PEM (not base64, and not an END line)", line);
            goto fail;
        }
    }
    if (inside) {
        snprintf(err, errlen, "line %u: the BEGIN %s block has no END line", b.begin_line, b.name);
        goto fail;
    }
    if (t->n == 0) {
        snprintf(err, errlen, "no usable CERTIFICATE block (a PEM bundle of CA certificates was expected)");
        goto fail;
    }
    free(b.der.p);
    return t;
fail:
    free(b.der.p);
    tls_trust_free(t);
    return NULL;
}

size_t tls_trust_count(const struct tls_trust *t)
{
    return t ? t->n : 0;
}

size_t tls_trust_skipped(const struct tls_trust *t)
{
    return t ? t->skipped : 0;
}

size_t tls_trust_bytes(const struct tls_trust *t)
{
    return t ? t->bytes : 0;
}

const br_x509_trust_anchor *tls_trust_anchors(const struct tls_trust *t, size_t *n)
{
    *n = t ? t->n : 0;
    return t ? t->ta : NULL;
}
