/*
 * curve25519-sha256 (RFC 8731; also named curve25519-sha256@libssh.org),
 * server side: the shared secret, the exchange hash H (RFC 4253 section 8
 * with RFC 5656's Q_C/Q_S in place of e/f) and the key derivation of
 * RFC 4253 section 7.2.
 *
 *   H = SHA-256(string V_C || string V_S || string I_C || string I_S ||
 *               string K_S || string Q_C || string Q_S || mpint K)
 *
 * V_C/V_S are the identification lines without CR LF, I_C/I_S the KEXINIT
 * payloads (message number included), K_S the host key blob, K the X25519
 * output read as a big-endian unsigned number (RFC 8731 section 3.1).
 */
#ifndef SSH_KEX_H
#define SSH_KEX_H

#include "crypto.h"
#include "ssh_buf.h"

#define SSH_MSG_NEWKEYS 21
#define SSH_MSG_KEX_ECDH_INIT 30
#define SSH_MSG_KEX_ECDH_REPLY 31
#define SSH_X25519_LEN 32
#define SSH_HASH_LEN 32

/* What the exchange hash covers besides the public values and K. */
struct ssh_kex_transcript {
    struct ssh_str v_c, v_s, i_c, i_s, k_s;
};

/* The hash in two steps, as a server learns the values: V_C, V_S, I_C
 * and I_S once both KEXINITs are known (so I_C need not be kept), the
 * rest at the ECDH. */
void ssh_kex_hash_start(crypto_hash_sha256_state *st, struct ssh_str v_c, struct ssh_str v_s, struct ssh_str i_c,
                        struct ssh_str i_s);
void ssh_kex_hash_finish(crypto_hash_sha256_state *st, struct ssh_str k_s, const uint8_t q_c[SSH_X25519_LEN],
                         const uint8_t q_s[SSH_X25519_LEN], const uint8_t k[SSH_X25519_LEN], uint8_t h[SSH_HASH_LEN]);
void ssh_kex_exchange_hash(const struct ssh_kex_transcript *t, const uint8_t q_c[SSH_X25519_LEN],
                           const uint8_t q_s[SSH_X25519_LEN], const uint8_t k[SSH_X25519_LEN],
                           uint8_t h[SSH_HASH_LEN]);

/* Q_S = X25519(eph, 9) and K = X25519(eph, Q_C). SSH_EKEY when Q_C is
 * not 32 bytes or K is all zero (a low-order point: RFC 8731 section 3
 * says to abort). */
int ssh_kex_c25519_shared(const uint8_t *q_c, size_t q_c_len, const uint8_t eph_secret[SSH_X25519_LEN],
                          uint8_t q_s[SSH_X25519_LEN], uint8_t k[SSH_X25519_LEN]);
/* The server's half: Q_S from the ephemeral secret, K = X25519(eph, Q_C),
 * and H. SSH_EKEY when Q_C is not 32 bytes or K is all zero (a
 * low-order point: RFC 8731 section 3 says to abort). */
int ssh_kex_c25519_server(const struct ssh_kex_transcript *t, const uint8_t *q_c, size_t q_c_len,
                          const uint8_t eph_secret[SSH_X25519_LEN], uint8_t q_s[SSH_X25519_LEN],
                          uint8_t k[SSH_X25519_LEN], uint8_t h[SSH_HASH_LEN]);

/* Key derivation (RFC 4253 7.2): letter 'A'..'F', out_len bytes
 * (64 for chacha20-poly1305@openssh.com) from
 *   K1 = HASH(K || H || letter || session_id), Kn = HASH(K || H || K1..Kn-1). */
void ssh_kex_derive(const uint8_t k[SSH_X25519_LEN], const uint8_t h[SSH_HASH_LEN], char letter,
                    const uint8_t session_id[SSH_HASH_LEN], uint8_t *out, size_t out_len);

/* SSH_MSG_KEX_ECDH_INIT: Q_C, a string (its length is checked by the
 * exchange, so that the error says which). */
int ssh_kex_ecdh_init_parse(const uint8_t *payload, size_t len, struct ssh_str *q_c);
/* SSH_MSG_KEX_ECDH_REPLY: K_S, Q_S, the signature blob of H. */
void ssh_kex_ecdh_reply_build(struct ssh_wr *w, struct ssh_str k_s, const uint8_t q_s[SSH_X25519_LEN],
                              struct ssh_str sig);

#endif
