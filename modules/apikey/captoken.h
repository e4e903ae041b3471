/*
 * captoken.h - capability tokens (docs/security.md, "Capability tokens"):
 * bearer tokens in the style of macaroons that anyone holding one can
 * narrow (attenuate) without the server, and that the image checks with a
 * root key derived from a `secret` credential.
 *
 * A token is text:
 *
 *     anx1.BODY.TAG
 *
 * BODY and TAG are base64url without padding (RFC 4648 section 5; a last
 * character with unused bits set is refused, so each token has one
 * spelling). BODY is lines, each ending in '\n':
 *
 *     id 5f0c...                (16 random bytes in 32 lower-case hex digits)
 *     resource /api/v1/objects/docs/{name}
 *     rights read
 *     expires 1765000000
 *
 * the id first, then the caveats, each `KEY VALUE` (KEY 1-16 of a-z 0-9 _ -
 * starting with a letter, VALUE 1-200 printable ASCII without spaces). TAG
 * is 32 bytes, the end of a chain of HMAC-SHA256:
 *
 *     tag0 = HMAC(root_key, "ID")            (the 32 hex digits)
 *     tagi = HMAC(tag(i-1), "KEY VALUE")     (caveat i's line, without '\n')
 *
 * Attenuating appends caveats and carries the chain on from TAG: it needs
 * no key, and cannot remove a caveat (that would need the tag before it,
 * which HMAC does not give back). Verifying recomputes the chain from the
 * root key and compares in constant time; then every caveat must hold for
 * the request (apikey_module.c): a caveat the verifier does not know fails.
 *
 * The caveats:
 *   resource PATTERN   the request's path matches PATTERN, a router pattern
 *                      as in apikey rules (literal and {param} segments, an
 *                      optional final *)
 *   rights R[,R...]    one R covers the request: `read` (GET, HEAD),
 *                      `write` (PUT, POST, PATCH, DELETE), `admin` (any
 *                      request), or a scope name (the request's apikey rule
 *                      names that scope: `infer`, `objects:read` ...)
 *   expires SECONDS    the image's clock (Unix seconds) is before SECONDS
 * Two caveats of one key must both hold: adding one only narrows.
 *
 * The root key: BLAKE2b-256 keyed with the `secret` credential's stored
 * hash (BLAKE2b-512 of the file) over APIKEY_CAP_CONTEXT, which is what
 * cred_derive_key() gives in the image and apikey_cap_root_key() gives
 * from the file on the host (`anx token`).
 *
 * Pure code, no I/O and no allocation: compiled into the image and into
 * gen/anx (gen/Makefile), so both read and write tokens with one copy.
 */
#ifndef APIKEY_CAPTOKEN_H
#define APIKEY_CAPTOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APIKEY_CAP_PREFIX "anx1."
#define APIKEY_CAP_CONTEXT "anx-captoken-v1"
#define APIKEY_CAP_TEXT_MAX 2048    /* a token's text, without a NUL */
#define APIKEY_CAP_CAVEATS 16
#define APIKEY_CAP_KEY_MAX 16
#define APIKEY_CAP_VALUE_MAX 200
#define APIKEY_CAP_ID_BYTES 16
#define APIKEY_CAP_ID_HEX (2 * APIKEY_CAP_ID_BYTES)

struct apikey_caveat {
    char key[APIKEY_CAP_KEY_MAX + 1];
    char value[APIKEY_CAP_VALUE_MAX + 1];
};

/* A token taken apart (about 3.6 KiB: not for a small stack). */
struct apikey_cap {
    char id[APIKEY_CAP_ID_HEX + 1];
    size_t n;                              /* caveats */
    struct apikey_caveat c[APIKEY_CAP_CAVEATS];
    uint8_t tag[32];                       /* the chain's current end */
};

/* A new token with no caveats (it allows everything the root key's holder
 * may: add caveats before handing it out). */
void apikey_cap_mint(struct apikey_cap *t, const uint8_t root[32], const uint8_t id[APIKEY_CAP_ID_BYTES]);
/* Append a caveat and carry the chain on (attenuate): 0, or -1 with what
 * is wrong in err (bad key or value syntax, a known caveat's value that
 * does not parse, more than APIKEY_CAP_CAVEATS, a token that would be
 * longer than APIKEY_CAP_TEXT_MAX). */
int apikey_cap_add(struct apikey_cap *t, const char *key, const char *value, char *err, size_t errlen);
/* The token's text into out (NUL-terminated): its length, or -1 when n is
 * too small (APIKEY_CAP_TEXT_MAX + 1 always fits). */
int apikey_cap_encode(const struct apikey_cap *t, char *out, size_t n);
/* Take a token's text apart, checking its syntax but not its tag: 0, or -1
 * with what is wrong in err. Untrusted input. */
int apikey_cap_decode(const char *text, size_t len, struct apikey_cap *t, char *err, size_t errlen);
/* Whether the tag is the chain's under root (constant time in the tag). */
bool apikey_cap_verify(const struct apikey_cap *t, const uint8_t root[32]);

/* The syntax of a known caveat's value: 0, -1 with err (bad value), or 1
 * for a key that is none of resource, rights, expires. */
int apikey_cap_caveat_check(const char *key, const char *value, char *err, size_t errlen);
/* Whether a rights value ("read,infer") covers a request of method under
 * the apikey rule scope. */
bool apikey_cap_rights_cover(const char *rights, const char *method, const char *scope);
/* An `expires` value: 0 with the seconds, or -1. */
int apikey_cap_parse_seconds(const char *s, uint64_t *out);
/* When a token given "WHEN" expires: Unix seconds as they are, or a
 * duration from now (90s, 30m, 1h, 7d; under 100 years). 0, or -1. */
int apikey_cap_expires_at(const char *s, uint64_t now, uint64_t *at);
/* Whether s (n bytes) is a token id: 32 lower-case hex digits. */
bool apikey_cap_is_id(const char *s, size_t n);

/* The root key from a secret file's bytes, as cred_derive_key(...,
 * APIKEY_CAP_CONTEXT) derives it from the credential provisioned with that
 * file: BLAKE2b-256(key = BLAKE2b-512(file), APIKEY_CAP_CONTEXT). */
void apikey_cap_root_key(const uint8_t *secret, size_t len, uint8_t key[32]);
/* BLAKE2b (RFC 7693) with an optional key, outlen 1-64 (for the above and
 * its test against libsodium). */
void apikey_blake2b(uint8_t *out, size_t outlen, const void *in, size_t inlen, const void *key, size_t keylen);

#endif
