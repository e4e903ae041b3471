/*
 * libFuzzer target: the message decoders of the key exchange. The input
 * is read as a KEXINIT (parsed, then negotiated against the server's own
 * KEXINIT in both roles), and as SSH_MSG_KEX_ECDH_INIT, SSH_MSG_EXT_INFO
 * and an ssh-ed25519 key blob. A parsed KEXINIT's lists must lie inside
 * the input; a negotiated name must be in both lists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ssh_extinfo.h"
#include "ssh_hostkey.h"
#include "ssh_kex.h"
#include "ssh_kexinit.h"

static void inside(struct ssh_str s, const uint8_t *data, size_t size)
{
    if (s.len && (s.p < data || s.p + s.len > data + size))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t server_buf[512];
    static size_t server_len;
    if (!server_len) {
        const uint8_t cookie[SSH_COOKIE_LEN] = {0};
        struct ssh_wr w = ssh_wr_init(server_buf, sizeof server_buf);
        ssh_kexinit_build_server(&w, cookie);
        server_len = w.len;
    }
    struct ssh_kexinit k, server;
    if (ssh_kexinit_parse(data, size, &k) == 0) {
        for (int i = 0; i < SSH_ALG_LISTS; i++)
            inside(k.list[i], data, size);
        if (ssh_kexinit_parse(server_buf, server_len, &server) != 0)
            abort();
        struct ssh_kex_choice ch;
        if (ssh_kex_negotiate(&k, &server, &ch) == 0) {
            const char *kex = "curve25519-sha256,curve25519-sha256@libssh.org";
            struct ssh_str ours = {(const uint8_t *)kex, (uint32_t)strlen(kex)};
            struct ssh_str name = ch.alg[SSH_ALG_KEX];
            char n[64] = "";
            if (name.len >= sizeof n)
                abort();
            memcpy(n, name.p, name.len);
            if (!ssh_namelist_has(ours, n) || !ssh_namelist_has(k.list[SSH_ALG_KEX], n))
                abort();
        }
        ssh_kex_negotiate(&server, &k, &ch); /* the lists the other way round */
    }
    struct ssh_str s;
    const uint8_t *pk;
    if (ssh_kex_ecdh_init_parse(data, size, &s) == 0)
        inside(s, data, size);
    if (ssh_ext_info_find(data, size, "server-sig-algs", &s) == 0)
        inside(s, data, size);
    if (ssh_ed25519_key_parse(data, size, &pk) == 0 && (pk < data || pk + 32 > data + size))
        abort();
    return 0;
}
