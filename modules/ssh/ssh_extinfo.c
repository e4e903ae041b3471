/* ssh_extinfo.c - SSH_MSG_EXT_INFO with server-sig-algs (ssh_extinfo.h). */
#include "ssh_extinfo.h"

void ssh_ext_info_build(struct ssh_wr *w)
{
    ssh_wr_u8(w, SSH_MSG_EXT_INFO);
    ssh_wr_u32(w, 1);
    ssh_wr_cstring(w, "server-sig-algs");
    ssh_wr_cstring(w, SSH_SERVER_SIG_ALGS);
}

int ssh_ext_info_find(const uint8_t *payload, size_t len, const char *name, struct ssh_str *value)
{
    struct ssh_rd r = ssh_rd_init(payload, len);
    uint8_t msg;
    uint32_t n;
    int e = ssh_rd_u8(&r, &msg);
    if (e || (e = ssh_rd_u32(&r, &n)))
        return e;
    if (msg != SSH_MSG_EXT_INFO)
        return SSH_EFORMAT;
    bool found = false;
    /* every pair is read even after a match, so a malformed tail is an error */
    for (uint32_t i = 0; i < n; i++) {
        struct ssh_str k, v;
        if ((e = ssh_rd_string(&r, &k)) || (e = ssh_rd_string(&r, &v)))
            return e;
        if (!found && ssh_str_eq(k, name)) {
            *value = v;
            found = true;
        }
    }
    if ((e = ssh_rd_end(&r)))
        return e;
    return found ? 0 : SSH_EFORMAT;
}
