/* ssh_kexinit.c - KEXINIT and algorithm negotiation (ssh_kexinit.h). */
#include "ssh_kexinit.h"
#include <anx/lib.h>

#define STRICT_C "kex-strict-c-v00@openssh.com"
#define STRICT_S "kex-strict-s-v00@openssh.com"
#define EXT_INFO_C "ext-info-c"

/* What the server offers, category by category. The one cipher is an
 * AEAD, for which OpenSSH, Go and PuTTY negotiate no MAC at all; the MAC
 * lists still name hmac-sha2-256 (as tinysshd's do) for clients that
 * insist on a common MAC name. It is never used: ssh_kex_negotiate does
 * not choose a MAC, and no MAC code exists here. */
static const char *const server_lists[SSH_ALG_LISTS] = {
    [SSH_ALG_KEX] = "curve25519-sha256,curve25519-sha256@libssh.org," STRICT_S,
    [SSH_ALG_HOSTKEY] = "ssh-ed25519",
    [SSH_ALG_CIPHER_CS] = "chacha20-poly1305@openssh.com",
    [SSH_ALG_CIPHER_SC] = "chacha20-poly1305@openssh.com",
    [SSH_ALG_MAC_CS] = "hmac-sha2-256",
    [SSH_ALG_MAC_SC] = "hmac-sha2-256",
    [SSH_ALG_COMP_CS] = "none",
    [SSH_ALG_COMP_SC] = "none",
    [SSH_ALG_LANG_CS] = "",
    [SSH_ALG_LANG_SC] = "",
};

const char *ssh_alg_category(int cat)
{
    static const char *const names[SSH_ALG_LISTS] = {
        "key exchange", "host key", "cipher client to server", "cipher server to client",
        "MAC client to server", "MAC server to client", "compression client to server",
        "compression server to client", "language client to server", "language server to client",
    };
    return cat >= 0 && cat < SSH_ALG_LISTS ? names[cat] : "?";
}

int ssh_kexinit_parse(const uint8_t *payload, size_t len, struct ssh_kexinit *k)
{
    struct ssh_rd r = ssh_rd_init(payload, len);
    uint8_t msg;
    uint32_t reserved;
    int e = ssh_rd_u8(&r, &msg);
    if (e)
        return e;
    if (msg != SSH_MSG_KEXINIT)
        return SSH_EFORMAT;
    if ((e = ssh_rd_bytes(&r, SSH_COOKIE_LEN, &k->cookie)))
        return e;
    for (int i = 0; i < SSH_ALG_LISTS; i++)
        if ((e = ssh_rd_namelist(&r, &k->list[i])))
            return e;
    if ((e = ssh_rd_bool(&r, &k->first_kex_follows)) || (e = ssh_rd_u32(&r, &reserved)))
        return e;
    return ssh_rd_end(&r);
}

void ssh_kexinit_build_server(struct ssh_wr *w, const uint8_t cookie[SSH_COOKIE_LEN])
{
    ssh_wr_u8(w, SSH_MSG_KEXINIT);
    ssh_wr_bytes(w, cookie, SSH_COOKIE_LEN);
    for (int i = 0; i < SSH_ALG_LISTS; i++)
        ssh_wr_cstring(w, server_lists[i]);
    ssh_wr_bool(w, false);
    ssh_wr_u32(w, 0);
}

static bool pseudo_alg(struct ssh_str n)
{
    return ssh_str_eq(n, EXT_INFO_C) || ssh_str_eq(n, "ext-info-s") || ssh_str_eq(n, STRICT_C) ||
           ssh_str_eq(n, STRICT_S);
}

/* The first name of the client's list that the server's has. */
static bool choose(struct ssh_str client, struct ssh_str server, struct ssh_str *out)
{
    size_t pos = 0;
    struct ssh_str name;
    while (ssh_namelist_next(client, &pos, &name)) {
        if (pseudo_alg(name))
            continue;
        size_t spos = 0;
        struct ssh_str s;
        while (ssh_namelist_next(server, &spos, &s))
            if (s.len == name.len && memcmp(s.p, name.p, name.len) == 0) {
                *out = s;
                return true;
            }
    }
    return false;
}

static bool first_is(struct ssh_str list, struct ssh_str chosen)
{
    size_t pos = 0;
    struct ssh_str first;
    return ssh_namelist_next(list, &pos, &first) && first.len == chosen.len &&
           memcmp(first.p, chosen.p, chosen.len) == 0;
}

int ssh_kex_negotiate(const struct ssh_kexinit *client, const struct ssh_kexinit *server, struct ssh_kex_choice *choice)
{
    memset(choice, 0, sizeof *choice);
    static const int needed[] = {SSH_ALG_KEX,     SSH_ALG_HOSTKEY, SSH_ALG_CIPHER_CS,
                                 SSH_ALG_CIPHER_SC, SSH_ALG_COMP_CS, SSH_ALG_COMP_SC};
    for (size_t i = 0; i < ANX_ARRAY_SIZE(needed); i++) {
        int cat = needed[i];
        if (!choose(client->list[cat], server->list[cat], &choice->alg[cat])) {
            choice->failed = cat;
            return SSH_ENOALG;
        }
    }
    /* MACs: only chacha20-poly1305@openssh.com can be chosen, an AEAD,
     * so no MAC is negotiated (PROTOCOL.chacha20poly1305, "Negotiation").
     * Languages: none is ever chosen (RFC 4253 leaves them optional). */
    choice->ext_info_c = ssh_namelist_has(client->list[SSH_ALG_KEX], EXT_INFO_C);
    choice->strict = ssh_namelist_has(client->list[SSH_ALG_KEX], STRICT_C) &&
                     ssh_namelist_has(server->list[SSH_ALG_KEX], STRICT_S);
    choice->guess_wrong = client->first_kex_follows &&
                          (!first_is(client->list[SSH_ALG_KEX], choice->alg[SSH_ALG_KEX]) ||
                           !first_is(client->list[SSH_ALG_HOSTKEY], choice->alg[SSH_ALG_HOSTKEY]));
    return 0;
}
