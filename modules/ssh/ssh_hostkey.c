/* ssh_hostkey.c - ssh-ed25519 key and signature blobs (ssh_hostkey.h). */
#include "ssh_hostkey.h"
#include "crypto.h"

#define ED25519 "ssh-ed25519"

void ssh_ed25519_key_blob(struct ssh_wr *w, const uint8_t pk[SSH_ED25519_PK_LEN])
{
    ssh_wr_cstring(w, ED25519);
    ssh_wr_string(w, pk, SSH_ED25519_PK_LEN);
}

/* string "ssh-ed25519", string of exactly n bytes, nothing after */
static int parse_typed(const uint8_t *blob, size_t len, size_t n, const uint8_t **body)
{
    struct ssh_rd r = ssh_rd_init(blob, len);
    struct ssh_str type;
    int e = ssh_rd_string(&r, &type);
    if (e)
        return e;
    if (!ssh_str_eq(type, ED25519))
        return SSH_EFORMAT;
    if ((e = ssh_rd_string_n(&r, n, body)))
        return e;
    return ssh_rd_end(&r);
}

int ssh_ed25519_key_parse(const uint8_t *blob, size_t len, const uint8_t **pk)
{
    return parse_typed(blob, len, SSH_ED25519_PK_LEN, pk);
}

int ssh_ed25519_sign_sk(void *sk, const uint8_t *msg, size_t len, uint8_t sig[SSH_ED25519_SIG_LEN])
{
    return crypto_sign_ed25519_detached(sig, NULL, msg, len, sk) == 0 ? 0 : SSH_EKEY;
}

int ssh_ed25519_sign_blob(struct ssh_wr *w, const struct ssh_signer *key, const uint8_t *msg, size_t len)
{
    uint8_t sig[SSH_ED25519_SIG_LEN];
    int e = key->sign(key->ctx, msg, len, sig);
    if (e)
        return e;
    ssh_wr_cstring(w, ED25519);
    ssh_wr_string(w, sig, sizeof sig);
    return 0;
}

int ssh_ed25519_verify_blob(const uint8_t *sig, size_t sig_len, const uint8_t pk[SSH_ED25519_PK_LEN],
                            const uint8_t *msg, size_t len)
{
    const uint8_t *s;
    int e = parse_typed(sig, sig_len, SSH_ED25519_SIG_LEN, &s);
    if (e)
        return e;
    return crypto_sign_ed25519_verify_detached(s, msg, len, pk) == 0 ? 0 : SSH_EKEY;
}
