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

void ssh_ed25519_key_blob(struct ssh_wr *w, const uint8_t pk[SSH_ED25519_PK_LEN]);
/* The public key of a key blob; SSH_EFORMAT for another type or size. */
int ssh_ed25519_key_parse(const uint8_t *blob, size_t len, const uint8_t **pk);
/* Sign msg (for a host key: H) into a signature blob. */
void ssh_ed25519_sign_blob(struct ssh_wr *w, const uint8_t sk[SSH_ED25519_SK_LEN], const uint8_t *msg, size_t len);
/* 0 when sig is a well-formed ssh-ed25519 signature blob of msg by pk;
 * SSH_EFORMAT for a malformed blob, SSH_EKEY for a wrong signature. */
int ssh_ed25519_verify_blob(const uint8_t *sig, size_t sig_len, const uint8_t pk[SSH_ED25519_PK_LEN],
                            const uint8_t *msg, size_t len);

#endif
