/*
 * Fuzzes what the host hands the image for credentials: the fw_cfg file
 * directory (core/fw_cfg.c, read before any secret), OpenSSH private key
 * files and authorized_keys text (cred_format.c). The first byte picks
 * the parser; the rest is its input. ASan + UBSan catch any read past the
 * buffer; the checks below catch answers that cannot be right.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <anx/errno.h>
#include <anx/fw_cfg.h>
#include "cred.h"

static void fw_cfg_dir(const uint8_t *d, size_t n)
{
    uint32_t count;
    if (anx_fw_cfg_dir_count(d, n, &count))
        return;
    if (4 + (size_t)count * ANX_FW_CFG_ENTRY > n)
        abort();                                   /* a count the buffer cannot hold */
    for (uint32_t i = 0; i < count; i++) {
        struct anx_fw_cfg_file f, g;
        if (anx_fw_cfg_dir_entry(d, n, i, &f))
            continue;
        if (!memchr(f.name, 0, sizeof f.name))
            abort();
        if (anx_fw_cfg_dir_find(d, n, f.name, &g) || strcmp(g.name, f.name))
            abort();                               /* every listed name is found */
    }
    struct anx_fw_cfg_file f;
    anx_fw_cfg_dir_find(d, n, "opt/anunix/secret/admin-password", &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    uint8_t sk[64], pk[32] = {0};
    switch (data[0] % 3) {
    case 0:
        fw_cfg_dir(d, n);
        break;
    case 1:
        cred_openssh_ed25519(d, n, sk);
        break;
    case 2:
        if (n >= 32)
            memcpy(pk, d, 32);
        {
            char scopes[64];
            cred_authorized_keys_has((const char *)d, n, pk, scopes, sizeof scopes);
        }
        break;
    }
    return 0;
}
