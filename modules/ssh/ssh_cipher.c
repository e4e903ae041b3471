/* ssh_cipher.c - packet framing, "none" and chacha20-poly1305@openssh.com
 * (ssh_cipher.h; the construction is OpenSSH's PROTOCOL.chacha20poly1305). */
#include "ssh_cipher.h"
#include "crypto.h"
#include "ssh_buf.h"
#include "ssh_err.h"
#include <anx/lib.h>

void ssh_cipher_set_key(struct ssh_cipher *c, const uint8_t key[SSH_CHACHA_KEY_LEN])
{
    memcpy(c->k2, key, 32);
    memcpy(c->k1, key + 32, 32);
    c->chacha = true;
}

void ssh_cipher_wipe(struct ssh_cipher *c)
{
    sodium_memzero(c, sizeof *c);
}

/* The 64-bit nonce of both chacha instances: the sequence number as an SSH uint64. */
static void seq_nonce(uint32_t seq, uint8_t nonce[8]) { ssh_put_u64(nonce, seq); }

/* The packet length, decrypted when the cipher is on. */
static uint32_t read_length(const struct ssh_cipher *c, const uint8_t *in)
{
    uint8_t plain[4];
    if (c->chacha) {
        uint8_t nonce[8];
        seq_nonce(c->seq, nonce);
        crypto_stream_chacha20_xor(plain, in, 4, nonce, c->k1);
    } else {
        memcpy(plain, in, 4);
    }
    return ssh_get_u32(plain);
}

/* The part that must be a multiple of the block size: under chacha the
 * length field is associated data and not counted (as OpenSSH does). */
static size_t aligned_part(const struct ssh_cipher *c, size_t packet_length)
{
    return c->chacha ? packet_length : packet_length + 4;
}

int ssh_packet_peek(const struct ssh_cipher *c, const uint8_t *in, size_t n, size_t *total)
{
    if (n < 4)
        return SSH_EAGAIN;
    uint32_t len = read_length(c, in);
    if (len < 5 || len > SSH_PACKET_MAX)
        return SSH_ELEN;
    if (aligned_part(c, len) % SSH_BLOCK != 0)
        return SSH_EPAD;
    *total = 4 + (size_t)len + (c->chacha ? SSH_MAC_LEN : 0);
    return 0;
}

/* The one-time Poly1305 key: the first 32 bytes of K_2's stream, block 0. */
static void poly_key(const struct ssh_cipher *c, uint8_t key[32])
{
    uint8_t nonce[8];
    seq_nonce(c->seq, nonce);
    crypto_stream_chacha20(key, 32, nonce, c->k2);
}

int ssh_packet_open(struct ssh_cipher *c, uint8_t *in, size_t n, struct ssh_packet *pkt, size_t *used)
{
    size_t total;
    int e = ssh_packet_peek(c, in, n, &total);
    if (e)
        return e;
    if (n < total)
        return SSH_EAGAIN;
    size_t len = total - 4 - (c->chacha ? SSH_MAC_LEN : 0);
    if (c->chacha) {
        uint8_t key[32], nonce[8];
        poly_key(c, key);
        /* authenticate before decrypting anything but the length */
        int bad = crypto_onetimeauth_poly1305_verify(in + 4 + len, in, 4 + len, key);
        sodium_memzero(key, sizeof key);
        if (bad)
            return SSH_EMAC;
        seq_nonce(c->seq, nonce);
        crypto_stream_chacha20_xor(in, in, 4, nonce, c->k1);
        crypto_stream_chacha20_xor_ic(in + 4, in + 4, len, nonce, 1, c->k2);
    }
    size_t padlen = in[4];
    if (padlen < 4 || padlen + 1 >= len) /* a payload of at least one byte: the message number */
        return SSH_EPAD;
    pkt->payload = in + 5;
    pkt->payload_len = len - 1 - padlen;
    pkt->padding = pkt->payload + pkt->payload_len;
    pkt->padding_len = padlen;
    pkt->seq = c->seq;
    *used = total;
    c->seq++;
    return 0;
}

size_t ssh_packet_padlen(const struct ssh_cipher *c, size_t payload_len)
{
    size_t base = aligned_part(c, 1 + payload_len);
    size_t pad = SSH_BLOCK - base % SSH_BLOCK;
    if (pad < 4)
        pad += SSH_BLOCK;
    return pad;
}

size_t ssh_packet_wire_len(const struct ssh_cipher *c, size_t payload_len, size_t padlen)
{
    return 4 + 1 + payload_len + padlen + (c->chacha ? SSH_MAC_LEN : 0);
}

int ssh_packet_seal(struct ssh_cipher *c, const uint8_t *payload, size_t payload_len, const uint8_t *padding,
                    size_t padlen, uint8_t *out, size_t cap, size_t *out_len)
{
    if (payload_len > SSH_PACKET_MAX)
        return SSH_ELEN;
    size_t len = 1 + payload_len + padlen;
    if (padlen < 4 || padlen > 255 || aligned_part(c, len) % SSH_BLOCK != 0)
        return SSH_EPAD;
    if (len > SSH_PACKET_MAX)
        return SSH_ELEN;
    size_t total = ssh_packet_wire_len(c, payload_len, padlen);
    if (total > cap)
        return SSH_ESPACE;
    ssh_put_u32(out, (uint32_t)len);
    out[4] = (uint8_t)padlen;
    memmove(out + 5, payload, payload_len);
    memmove(out + 5 + payload_len, padding, padlen);
    if (c->chacha) {
        uint8_t key[32], nonce[8];
        seq_nonce(c->seq, nonce);
        crypto_stream_chacha20_xor(out, out, 4, nonce, c->k1);
        crypto_stream_chacha20_xor_ic(out + 4, out + 4, len, nonce, 1, c->k2);
        poly_key(c, key);
        crypto_onetimeauth_poly1305(out + 4 + len, out, 4 + len, key);
        sodium_memzero(key, sizeof key);
    }
    *out_len = total;
    c->seq++;
    return 0;
}
