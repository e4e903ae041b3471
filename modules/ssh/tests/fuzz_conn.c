/*
 * libFuzzer target: the authentication and channel layer (ssh_conn.c),
 * which reads every message a client sends after the key exchange.
 * Input: byte 0 says whether the connection starts logged in (odd) or
 * not, then messages, each a 2-byte big-endian length and its bytes. Every
 * message must be handled without reading out of bounds; an error ends
 * the input as it ends a connection. The channel state must stay sane:
 * windows never above what was granted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ssh_conn.h"

static int f_send(void *ctx, const uint8_t *p, size_t n) { (void)ctx, (void)p, (void)n; return 0; }
static int f_key_ok(void *ctx, const char *u, const uint8_t pk[32]) { (void)ctx, (void)u; return pk[0] == 1 ? 0 : -1; }
static int f_pw_ok(void *ctx, const char *u, const char *pw, size_t n) { (void)ctx, (void)u, (void)pw; return n == 3 ? 0 : -1; }
static void f_log(void *ctx, bool failure, const char *fmt, ...) { (void)ctx, (void)failure, (void)fmt; }
static int f_start(void *ctx, struct ssh_chan *ch, const char *cmd) { (void)ctx, (void)ch; return cmd && !cmd[0] ? -1 : 0; }
static void f_data(void *ctx, struct ssh_chan *ch, const uint8_t *p, size_t n) { (void)ctx, (void)ch, (void)p, (void)n; }
static void f_chan(void *ctx, struct ssh_chan *ch) { (void)ctx, (void)ch; }

static const struct ssh_conn_ops ops = {f_send, f_key_ok, f_pw_ok, f_log, NULL, f_start, f_data, f_chan, f_chan, f_chan};
static const struct ssh_conn_cfg cfg = {"anx", true, true, 6, "banner"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ssh_conn c;
    static const uint8_t id[SSH_HASH_LEN];
    if (size < 1)
        return 0;
    ssh_conn_init(&c, &ops, NULL, &cfg, id);
    if (data[0] & 1)
        c.service = c.authenticated = true;
    size_t off = 1;
    while (off + 2 <= size) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n > size - off)
            n = size - off;
        uint8_t *m = malloc(n ? n : 1);   /* its own allocation: ASan sees any overread */
        memcpy(m, data + off, n);
        int r = ssh_conn_message(&c, m, n, 0);
        free(m);
        off += n;
        for (size_t i = 0; i < SSH_CONN_CHANNELS; i++) {
            struct ssh_chan *ch = &c.chan[i];
            if (ch->open && ch->local_window > SSH_CONN_WINDOW)
                abort();
            if (ch->open && i % 2)    /* what the server does: read it all, write some */
                ssh_conn_consumed(&c, ch, SSH_CONN_WINDOW - ch->local_window - ch->consumed);
        }
        if (r < 0 && r != SSH_EUNKNOWN)
            break;
    }
    return 0;
}
