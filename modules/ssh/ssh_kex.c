/* ssh_kex.c - curve25519-sha256: exchange hash and key derivation (ssh_kex.h). */
#include "ssh_kex.h"
#include "crypto.h"
#include <anx/lib.h>

static void hash_string(crypto_hash_sha256_state *st, const void *p, size_t n)
{
    uint8_t len[4];
    ssh_put_u32(len, (uint32_t)n);
    crypto_hash_sha256_update(st, len, 4);
    crypto_hash_sha256_update(st, p, n);
}

/* K as an mpint: the X25519 output is a big-endian unsigned number. */
static void hash_mpint_k(crypto_hash_sha256_state *st, const uint8_t k[SSH_X25519_LEN])
{
    uint8_t buf[4 + 1 + SSH_X25519_LEN];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_mpint_unsigned(&w, k, SSH_X25519_LEN);
    crypto_hash_sha256_update(st, buf, w.len);
    sodium_memzero(buf, sizeof buf);
}

void ssh_kex_hash_start(crypto_hash_sha256_state *st, struct ssh_str v_c, struct ssh_str v_s, struct ssh_str i_c,
                        struct ssh_str i_s)
{
    crypto_hash_sha256_init(st);
    hash_string(st, v_c.p, v_c.len);
    hash_string(st, v_s.p, v_s.len);
    hash_string(st, i_c.p, i_c.len);
    hash_string(st, i_s.p, i_s.len);
}

void ssh_kex_hash_finish(crypto_hash_sha256_state *st, struct ssh_str k_s, const uint8_t q_c[SSH_X25519_LEN],
                         const uint8_t q_s[SSH_X25519_LEN], const uint8_t k[SSH_X25519_LEN], uint8_t h[SSH_HASH_LEN])
{
    hash_string(st, k_s.p, k_s.len);
    hash_string(st, q_c, SSH_X25519_LEN);
    hash_string(st, q_s, SSH_X25519_LEN);
    hash_mpint_k(st, k);
    crypto_hash_sha256_final(st, h);
    sodium_memzero(st, sizeof *st);
}

void ssh_kex_exchange_hash(const struct ssh_kex_transcript *t, const uint8_t q_c[SSH_X25519_LEN],
                           const uint8_t q_s[SSH_X25519_LEN], const uint8_t k[SSH_X25519_LEN],
                           uint8_t h[SSH_HASH_LEN])
{
    crypto_hash_sha256_state st;
    ssh_kex_hash_start(&st, t->v_c, t->v_s, t->i_c, t->i_s);
    ssh_kex_hash_finish(&st, t->k_s, q_c, q_s, k, h);
}

int ssh_kex_c25519_shared(const uint8_t *q_c, size_t q_c_len, const uint8_t eph_secret[SSH_X25519_LEN],
                          uint8_t q_s[SSH_X25519_LEN], uint8_t k[SSH_X25519_LEN])
{
    if (q_c_len != SSH_X25519_LEN)
        return SSH_EKEY;
    crypto_scalarmult_base(q_s, eph_secret);
    /* libsodium refuses (-1) an all-zero result: Q_C of small order */
    if (crypto_scalarmult(k, eph_secret, q_c) != 0) {
        sodium_memzero(k, SSH_X25519_LEN);
        return SSH_EKEY;
    }
    return 0;
}

int ssh_kex_c25519_server(const struct ssh_kex_transcript *t, const uint8_t *q_c, size_t q_c_len,
                          const uint8_t eph_secret[SSH_X25519_LEN], uint8_t q_s[SSH_X25519_LEN],
                          uint8_t k[SSH_X25519_LEN], uint8_t h[SSH_HASH_LEN])
{
    int e = ssh_kex_c25519_shared(q_c, q_c_len, eph_secret, q_s, k);
    if (e)
        return e;
    ssh_kex_exchange_hash(t, q_c, q_s, k, h);
    return 0;
}

void ssh_kex_derive(const uint8_t k[SSH_X25519_LEN], const uint8_t h[SSH_HASH_LEN], char letter,
                    const uint8_t session_id[SSH_HASH_LEN], uint8_t *out, size_t out_len)
{
    crypto_hash_sha256_state st, base;
    uint8_t block[SSH_HASH_LEN];
    uint8_t l = (uint8_t)letter;
    /* HASH(K || H) is the prefix of every block */
    crypto_hash_sha256_init(&base);
    hash_mpint_k(&base, k);
    crypto_hash_sha256_update(&base, h, SSH_HASH_LEN);

    st = base;
    crypto_hash_sha256_update(&st, &l, 1);
    crypto_hash_sha256_update(&st, session_id, SSH_HASH_LEN);
    crypto_hash_sha256_final(&st, block);
    size_t done = ANX_MIN(out_len, (size_t)SSH_HASH_LEN);
    memcpy(out, block, done);
    /* each further block hashes everything produced so far */
    crypto_hash_sha256_update(&base, block, SSH_HASH_LEN);
    while (done < out_len) {
        st = base;
        crypto_hash_sha256_final(&st, block);
        size_t n = ANX_MIN(out_len - done, (size_t)SSH_HASH_LEN);
        memcpy(out + done, block, n);
        done += n;
        crypto_hash_sha256_update(&base, block, SSH_HASH_LEN);
    }
    sodium_memzero(block, sizeof block);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(&base, sizeof base);
}

int ssh_kex_ecdh_init_parse(const uint8_t *payload, size_t len, struct ssh_str *q_c)
{
    struct ssh_rd r = ssh_rd_init(payload, len);
    uint8_t msg;
    int e = ssh_rd_u8(&r, &msg);
    if (e)
        return e;
    if (msg != SSH_MSG_KEX_ECDH_INIT)
        return SSH_EFORMAT;
    if ((e = ssh_rd_string(&r, q_c)))
        return e;
    return ssh_rd_end(&r);
}

void ssh_kex_ecdh_reply_build(struct ssh_wr *w, struct ssh_str k_s, const uint8_t q_s[SSH_X25519_LEN],
                              struct ssh_str sig)
{
    ssh_wr_u8(w, SSH_MSG_KEX_ECDH_REPLY);
    ssh_wr_string(w, k_s.p, k_s.len);
    ssh_wr_string(w, q_s, SSH_X25519_LEN);
    ssh_wr_string(w, sig.p, sig.len);
}
