/*
 * SSH_MSG_KEXINIT (RFC 4253 section 7.1): parsing a peer's, building the
 * server's, and the algorithm negotiation - for every category, the first
 * algorithm of the client's list that the server's list also has.
 *
 * Pseudo-algorithms ride in the kex list and are never chosen:
 * "ext-info-c" (the client accepts SSH_MSG_EXT_INFO, RFC 8308) and
 * OpenSSH's strict kex markers "kex-strict-c-v00@openssh.com" /
 * "kex-strict-s-v00@openssh.com" (both sides listing theirs turns strict
 * key exchange on: OpenSSH's PROTOCOL, section 1.9).
 */
#ifndef SSH_KEXINIT_H
#define SSH_KEXINIT_H

#include "ssh_buf.h"

#define SSH_MSG_KEXINIT 20
#define SSH_COOKIE_LEN 16

enum {
    SSH_ALG_KEX,
    SSH_ALG_HOSTKEY,
    SSH_ALG_CIPHER_CS,
    SSH_ALG_CIPHER_SC,
    SSH_ALG_MAC_CS,
    SSH_ALG_MAC_SC,
    SSH_ALG_COMP_CS,
    SSH_ALG_COMP_SC,
    SSH_ALG_LANG_CS,
    SSH_ALG_LANG_SC,
    SSH_ALG_LISTS,
};

/* A parsed KEXINIT: pointers into the payload it came from. */
struct ssh_kexinit {
    const uint8_t *cookie;
    struct ssh_str list[SSH_ALG_LISTS];
    bool first_kex_follows;
};

/* The outcome of negotiation. Names point into the server's KEXINIT. */
struct ssh_kex_choice {
    struct ssh_str alg[SSH_ALG_LISTS]; /* chosen; MAC and language entries stay empty: none is negotiated */
    int failed;                        /* on SSH_ENOALG: the SSH_ALG_* category with nothing in common */
    bool ext_info_c;                   /* the client listed ext-info-c */
    bool strict;                       /* both listed their strict kex marker */
    bool guess_wrong;                  /* first_kex_follows and the client's guess was not the choice:
                                          its next kex packet is to be ignored (RFC 4253 7.1) */
};

/* Parse a KEXINIT payload (message number included). Every name-list is
 * checked; trailing bytes, a wrong message number or a truncated field are
 * errors (SSH_EFORMAT, SSH_ETRUNC). */
int ssh_kexinit_parse(const uint8_t *payload, size_t len, struct ssh_kexinit *k);

/* The server's KEXINIT payload: curve25519-sha256 (and its @libssh.org
 * alias), the strict kex marker, ssh-ed25519, chacha20-poly1305@openssh.com,
 * no compression. */
void ssh_kexinit_build_server(struct ssh_wr *w, const uint8_t cookie[SSH_COOKIE_LEN]);

/* Negotiate (RFC 4253 7.1). 0, or SSH_ENOALG with choice->failed set. */
int ssh_kex_negotiate(const struct ssh_kexinit *client, const struct ssh_kexinit *server, struct ssh_kex_choice *choice);

/* The name of a category, for log lines ("cipher client to server"). */
const char *ssh_alg_category(int cat);

#endif
