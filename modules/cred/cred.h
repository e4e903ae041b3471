/*
 * cred: the credential store (docs/credentials.md). Secrets as typed
 * objects - an SSH host key, authorized public keys, passwords, API
 * tokens - each with a name, an owner module, the modules granted it and
 * scopes. The manifest's `credentials:` section declares them; their
 * values arrive at run time (`anx run --secret NAME=FILE`, through QEMU's
 * fw_cfg as opt/anunix/secret/NAME) or, for a host key, are generated at
 * first boot. Nothing secret is ever baked into the image.
 *
 * A module that uses credentials declares `depends: [cred]`, includes
 * "cred.h", and passes its own module name to every call:
 *
 *     static int ssh_init(void)
 *     {
 *         int err = cred_require("ssh");     // every required one provisioned?
 *         if (err)
 *             return err;                    // the line naming it is logged
 *         ...
 *     }
 *
 *     // later, for a login attempt:
 *     int err = cred_password_verify("ssh", "admin-password", pw, pwlen);
 *     if (err == ANX_EAUTH) ... wrong password
 *     else if (err) ... not granted, not provisioned: anx_strerror(err)
 *
 *     uint8_t pk[32], sig[64];
 *     cred_host_public_key("ssh", "ssh-host-key", pk);
 *     cred_host_sign("ssh", "ssh-host-key", hash, 32, sig);   // the secret key stays here
 *
 *     const struct cred_info *key;                 // an HTTP Authorization: Bearer
 *     if (cred_token_match("httpd", bearer, len, &key) == 0)
 *         ... key->name identifies the caller, key->scopes says what it may do
 *
 * What the grants protect, and what not. Every module of an image runs in
 * one address space with the same privileges: the module name a caller
 * passes is not proof of who it is, and any code can read any memory. The
 * check against the manifest's `modules:` list stops mistakes - a module
 * using a credential meant for another, a typo'd name, a credential
 * forgotten in the manifest - and makes each use visible in the manifest
 * and in the log (a refused call logs one line), not a hostile module.
 * What the store does guarantee: payloads never leave it through this API
 * except as verdicts (a password and a token are checked, not read; the
 * host key signs, it is not handed out), the plain text of a password or
 * token is hashed on arrival and wiped, and every payload is wiped
 * (sodium_memzero) before its memory is freed. Nothing here logs or prints
 * a payload; `cred ls` shows metadata only.
 *
 * Types and what the store keeps of them:
 *   ssh-host-key         an Ed25519 secret key (64 bytes, libsodium's seed||pk).
 *                        Provisioned as an unencrypted OpenSSH private key file
 *                        (ssh-keygen -t ed25519 -N ''), or generated at boot
 *                        when absent (needs a hardware random source)
 *   ssh-authorized-keys  OpenSSH authorized_keys text; ssh-ed25519 lines are used
 *   password             an Argon2id hash string ($argon2id$v=19$...): provision
 *                        the hash, or the plain text, which is hashed at boot and wiped
 *   api-token            the SHA-256 of the token (tokens are long random strings,
 *                        so a fast hash is enough): provision the token itself or
 *                        "sha256:" and 64 hex digits
 *   secret               key material (a file of at least 32 bytes: head -c 32
 *                        /dev/urandom): only used to derive keys (cred_derive_key),
 *                        never handed out; the store keeps its BLAKE2b-512
 *
 * Every function returns 0 or a negative <anx/errno.h> code: ANX_ENOENT
 * (no such credential, or declared but not provisioned), ANX_EPERM (not
 * granted to that module; one log line says so), ANX_EINVAL (another type,
 * or a malformed argument), ANX_EAUTH (the password, token or key does not
 * match), ANX_ENOMEM, ANX_ENOTSUP (no random source for a host key).
 * Call them from threads or init, not from interrupt handlers. Password
 * verification runs Argon2id: it takes the hash's memory from the heap and
 * tens of milliseconds.
 */
#ifndef CRED_H
#define CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cred_type {
    CRED_SSH_HOST_KEY,
    CRED_SSH_AUTHORIZED_KEYS,
    CRED_PASSWORD,
    CRED_API_TOKEN,
    CRED_SECRET,
    CRED_TLS_CERT,  /* PEM: a certificate chain and its private key (the https module) */
};

/* Where a credential's value came from. */
enum cred_origin {
    CRED_MISSING,       /* declared, no value (yet) */
    CRED_PROVISIONED,   /* --secret, through fw_cfg */
    CRED_GENERATED,     /* a host key made at boot */
    CRED_ADDED,         /* typed into the shell (`cred add`) */
    CRED_RESTORED,      /* a host key read back from the object store (cred-persist) */
};

/* What anyone may see of a credential: never the payload. A pointer to
 * one stays valid until that credential is dropped (`cred rm` of one added
 * in the shell; cred_store_reset). */
struct cred_info {
    const char *name;       /* "admin-password" */
    enum cred_type type;
    const char *owner;      /* the module that owns it */
    const char *modules;    /* the modules granted it, space-separated (the owner first) */
    const char *scopes;     /* space-separated ("objects:read infer"), "" for none */
    bool required;          /* the owner cannot work without it */
    enum cred_origin origin;
};

#define CRED_NAME_MAX 37            /* 55 fw_cfg name bytes - "opt/anunix/secret/" */
#define CRED_VALUE_MAX (64 * 1024)  /* the largest provisioned file */
#define CRED_FW_CFG_PREFIX "opt/anunix/secret/"

/* "ssh-host-key" ...; and back (-1 for an unknown name). */
const char *cred_type_name(enum cred_type t);
int cred_type_parse(const char *s);
/* "missing", "provisioned", "generated", "added", "restored". */
const char *cred_origin_name(enum cred_origin o);

/* ---- for the modules that use credentials --------------------------------- */

/* The metadata of a credential granted to module: 0 or ANX_ENOENT /
 * ANX_EPERM. Also 0 for a declared credential that has no value yet
 * (origin CRED_MISSING). */
int cred_find(const char *module, const char *name, const struct cred_info **out);
/* 0 when every credential owned by module that the manifest marks
 * required has a value; else ANX_ENOENT after one error line per missing
 * one, naming it and the `anx run --secret NAME=FILE` that gives it. */
int cred_require(const char *module);
/* Password check, constant time in the password (Argon2id): 0 = match,
 * ANX_EAUTH = wrong. */
int cred_password_verify(const char *module, const char *name, const char *password, size_t len);
/* API token check against one credential: 0 = match, ANX_EAUTH = wrong. */
int cred_token_check(const char *module, const char *name, const char *token, size_t len);
/* The api-token credential granted to module that token is (each one
 * compared in constant time): 0 with *which set, or ANX_EAUTH. */
int cred_token_match(const char *module, const char *token, size_t len, const struct cred_info **which);
/* Whether an Ed25519 public key (32 bytes) is one of the ssh-ed25519
 * lines of an ssh-authorized-keys credential: 0 = listed, ANX_EAUTH = not.
 * With scopes (n bytes), the line's scopes="..." option goes there ("" when
 * it has none: every scope; <anx/command.h> says what they allow). */
int cred_authorized_key(const char *module, const char *name, const uint8_t pk[32], char *scopes, size_t n);
/* The host key's public half, and a signature made with its secret half
 * (Ed25519, 64 bytes). A host key not provisioned is generated by the
 * first call if the boot could not (no random source then). */
int cred_host_public_key(const char *module, const char *name, uint8_t pk[32]);
int cred_host_sign(const char *module, const char *name, const uint8_t *msg, size_t len, uint8_t sig[64]);

/* The OpenSSH fingerprint of a host key ("SHA256:" and unpadded base64
 * of the SHA-256 of its public key blob, as `ssh-keygen -l` and the ssh
 * client show it): public, so no grant is needed. 0, ANX_ENOENT (no such
 * host key, or no value), ANX_ERANGE (n below 60). */
int cred_fingerprint(const char *name, char *out, size_t n);

/* A 32-byte key for one purpose (context, like "anunix host key v1")
 * derived from a secret credential: BLAKE2b keyed with the secret. The
 * same secret and context give the same key at every boot. */
int cred_derive_key(const char *module, const char *name, const char *context, uint8_t key[32]);

/* The PEM of a tls-cert credential (certificates and the private key),
 * for the TLS server that must hold the key: *pem stays valid until the
 * credential is dropped. 0, ANX_ENOENT (not provisioned), ANX_EPERM,
 * ANX_EINVAL (another type). The store checked only its shape (a
 * CERTIFICATE block and a PRIVATE KEY block): the tls module parses it. */
int cred_tls_cert(const char *module, const char *name, const uint8_t **pem, size_t *len);

/* A host key sealed for storage outside the store (cred-persist keeps it
 * in the object store): authenticated encryption (ChaCha20 and Poly1305
 * as RFC 8439 combines them, a random nonce, the credential's name as
 * associated data) under a key derived from the secret credential
 * key_name. module needs grants on both. The blob is CRED_SEALED_SIZE
 * bytes; the secret key is never handed out in plain. */
#define CRED_SEALED_SIZE (1 + 12 + 64 + 16)
int cred_host_key_seal(const char *module, const char *name, const char *key_name, uint8_t out[CRED_SEALED_SIZE]);
/* Replace the host key by a sealed one (origin CRED_RESTORED): 0, or
 * ANX_EAUTH (another key_name value, or another credential's blob, or
 * tampered), ANX_ECORRUPT (not a sealed key), and the grant errors. */
int cred_host_key_unseal(const char *module, const char *name, const char *key_name, const uint8_t *in, size_t len);

/* Metadata of every credential, in declaration order (i < cred_count()). */
size_t cred_count(void);
const struct cred_info *cred_at(size_t i);

/* ---- for the module's own glue, the shell commands and tests ------------- */

/* One credential of the manifest (config.h's CONFIG_CREDENTIALS rows). */
struct cred_decl {
    const char *name, *type, *owner, *modules, *scopes;
    int required;
    int added;          /* made by `cred add`, not the manifest: `cred rm` drops it */
};

/* Add a credential without a value: 0, ANX_EEXIST, ANX_EINVAL (bad name
 * or type), ANX_ENOMEM. */
int cred_declare(const struct cred_decl *d);
/* Give a declared credential its value from a provisioned file (the
 * formats above); the store keeps only what it needs (a hash, a key) in
 * its own memory: the caller wipes data. 0, ANX_ENOENT, ANX_EINVAL (the
 * file is not of the type: nothing is kept), ANX_ENOMEM. */
int cred_provision(const char *name, const uint8_t *data, size_t len, enum cred_origin origin);
/* Make a new Ed25519 key for a declared ssh-host-key credential:
 * ANX_ENOTSUP when no hardware random source seeded the generator. */
int cred_generate_host_key(const char *name);
/* Wipe a credential's value (it stays declared, origin CRED_MISSING) or,
 * for one added in the shell and not in the manifest, drop it. */
int cred_remove(const char *name);
/* Wipe and drop everything (tests). */
void cred_store_reset(void);
/* Argon2id cost for passwords hashed in the image (module config). */
void cred_set_pwhash_cost(unsigned long long ops, size_t mem);
/* Test hook: called with each payload after it is wiped and before it is
 * freed, so a test can see that the bytes are zero. NULL in an image. */
extern void (*cred_wipe_hook)(const void *p, size_t n);

/* Read a line typed at the console into buf without echoing it (for
 * `cred add`): getc_fn returns the next byte or < 0. Backspace/Delete
 * erase, Ctrl-U clears, Enter ends (0 and the length in *len), Ctrl-C or
 * Ctrl-D cancels (ANX_EAGAIN), a line longer than n - 1 bytes is
 * ANX_ERANGE. buf is wiped on any failure. */
int cred_read_hidden(int (*getc_fn)(void *), void *arg, char *buf, size_t n, size_t *len);

/* The Ed25519 secret key (64 bytes) of an unencrypted OpenSSH private key
 * file ("-----BEGIN OPENSSH PRIVATE KEY-----", openssh-key-v1, cipher
 * none): 0, or ANX_EINVAL (another format, encrypted, another key type,
 * damaged). Untrusted input: fuzzed. */
int cred_openssh_ed25519(const uint8_t *text, size_t len, uint8_t sk[64]);
/* Whether an authorized_keys text lists the Ed25519 key pk: 1 or 0. Lines
 * with options before the key type ("scopes=\"objects,console\",restrict
 * ssh-ed25519 ...") are read too; other key types are skipped. With scopes
 * (n bytes), the first listing line's scopes option value goes there, ""
 * when it has none; a value that does not fit is cut at a comma, which
 * only narrows it. Untrusted input: fuzzed. */
int cred_authorized_keys_has(const char *text, size_t len, const uint8_t pk[32], char *scopes, size_t n);

#endif
