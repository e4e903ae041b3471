/*
 * ssh-ed25519 (RFC 8709): the public key blob and the signature blob.
 *
 *   key blob:       string "ssh-ed25519", string key (32 bytes)
 *   signature blob: string "ssh-ed25519", string signature (64 bytes)
 */
#ifndef SSH_HOSTKEY_H
#define SSH_HOSTKEY_H

#include "ssh_buf.h"

#define SSH_ED25519_PK_LEN 32
#define SSH_ED25519_SK_LEN 64 /* libsodium's: seed then public key */
#define SSH_ED25519_SIG_LEN 64
#define SSH_ED25519_BLOB_LEN (4 + 11 + 4 + 32)
#define SSH_ED25519_SIGBLOB_LEN (4 + 11 + 4 + 64)

/* The host key as the transport uses it: its public half, and a function
 * that signs with the secret half wherever that is kept (the credential
 * store in an image: the secret never reaches this module). */
struct ssh_signer {
    uint8_t pk[SSH_ED25519_PK_LEN];
    /* 0, or < 0 when it cannot sign (the key is gone) */
    int (*sign)(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[SSH_ED25519_SIG_LEN]);
    void *ctx;
};
/* A sign function over a libsodium secret key in memory (ctx: the 64
 * bytes), for tests and tools. */
int ssh_ed25519_sign_sk(void *sk, const uint8_t *msg, size_t len, uint8_t sig[SSH_ED25519_SIG_LEN]);

void ssh_ed25519_key_blob(struct ssh_wr *w, const uint8_t pk[SSH_ED25519_PK_LEN]);
/* The public key of a key blob; SSH_EFORMAT for another type or size. */
int ssh_ed25519_key_parse(const uint8_t *blob, size_t len, const uint8_t **pk);
/* Sign msg (for a host key: H) into a signature blob: 0, or the signer's error. */
int ssh_ed25519_sign_blob(struct ssh_wr *w, const struct ssh_signer *key, const uint8_t *msg, size_t len);
/* 0 when sig is a well-formed ssh-ed25519 signature blob of msg by pk;
 * SSH_EFORMAT for a malformed blob, SSH_EKEY for a wrong signature. */
int ssh_ed25519_verify_blob(const uint8_t *sig, size_t sig_len, const uint8_t pk[SSH_ED25519_PK_LEN],
                            const uint8_t *msg, size_t len);

#endif
