/*
 * libFuzzer target: the packet decoder (ssh_packet_open) under both
 * framings. Input: byte 0 picks the framing (even: "none", odd:
 * chacha20-poly1305@openssh.com), bytes 1-4 the sequence number, then for
 * chacha 64 key bytes, then the byte stream, opened packet by packet.
 * Every packet opened must lie inside the input, and sealing its payload
 * and padding again under the same sequence number must give back the
 * very bytes it came from; anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ssh_buf.h"
#include "ssh_cipher.h"
#include "ssh_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    struct ssh_cipher c;
    memset(&c, 0, sizeof c);
    bool chacha = data[0] & 1;
    c.seq = ssh_get_u32(data + 1);
    size_t off = 5;
    if (chacha) {
        if (size < off + SSH_CHACHA_KEY_LEN)
            return 0;
        ssh_cipher_set_key(&c, data + off);
        off += SSH_CHACHA_KEY_LEN;
    }
    size_t n = size - off;
    uint8_t *buf = malloc(n ? n : 1), *orig = malloc(n ? n : 1), *again = malloc(n ? n : 1);
    memcpy(buf, data + off, n);
    memcpy(orig, data + off, n);
    size_t at = 0;
    for (;;) {
        struct ssh_cipher before = c;
        struct ssh_packet p;
        size_t used, total;
        int e = ssh_packet_open(&c, buf + at, n - at, &p, &used);
        if (e) {
            /* a refused packet leaves the sequence number alone */
            if (c.seq != before.seq)
                abort();
            if (e == SSH_EAGAIN && n - at >= 4 && ssh_packet_peek(&c, buf + at, n - at, &total) == 0 &&
                total <= n - at)
                abort(); /* "more bytes needed" for a packet that is all there */
            break;
        }
        if (used > n - at || p.payload < buf + at || p.padding + p.padding_len > buf + at + used ||
            p.payload_len == 0 || p.padding_len < 4 || c.seq != before.seq + 1)
            abort();
        size_t len;
        if (ssh_packet_seal(&before, p.payload, p.payload_len, p.padding, p.padding_len, again, n, &len) != 0 ||
            len != used || memcmp(again, orig + at, used) != 0)
            abort();
        at += used;
    }
    free(buf);
    free(orig);
    free(again);
    return 0;
}
