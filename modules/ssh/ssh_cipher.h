/*
 * Binary packet framing (RFC 4253 section 6) for one direction of a
 * connection: the unencrypted "none" framing used until NEWKEYS, and
 * chacha20-poly1305@openssh.com (OpenSSH's PROTOCOL.chacha20poly1305)
 * after it. No I/O: bytes in, bytes out.
 *
 *   uint32 packet_length  (encrypted with K_1 under chacha20-poly1305)
 *   byte   padding_length
 *   byte[] payload, byte[] padding
 *   byte[16] Poly1305 tag over the encrypted length and body (chacha only)
 *
 * Limits enforced on every received packet: packet_length from 5 to
 * SSH_PACKET_MAX (256 KiB; RFC 4253 asks for at least 35000), padding of
 * 4 to 255 bytes inside the packet, and the padded part a multiple of 8
 * bytes (the length field counted under "none", not under chacha, whose
 * length is authenticated data).
 */
#ifndef SSH_CIPHER_H
#define SSH_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSH_PACKET_MAX (256u * 1024u)
#define SSH_MAC_LEN 16
#define SSH_BLOCK 8
#define SSH_CHACHA_KEY_LEN 64

struct ssh_cipher {
    bool chacha;       /* false: the "none" framing */
    uint8_t k1[32];    /* chacha instance for the length field */
    uint8_t k2[32];    /* chacha instance for the body and the Poly1305 key */
    uint32_t seq;      /* sequence number of the next packet; wraps at 2^32 */
};

/* A packet opened in place: pointers into the caller's input. */
struct ssh_packet {
    const uint8_t *payload;
    size_t payload_len;
    const uint8_t *padding;
    size_t padding_len;
    uint32_t seq;
};

/* Switch to chacha20-poly1305@openssh.com with 64 bytes of derived key
 * (the first 32 are K_2, the last 32 K_1, as PROTOCOL.chacha20poly1305
 * says). The sequence number is not touched: strict kex resets it, the
 * caller decides. */
void ssh_cipher_set_key(struct ssh_cipher *c, const uint8_t key[SSH_CHACHA_KEY_LEN]);
/* Forget the keys (zeroed) and return to "none" with sequence 0. */
void ssh_cipher_wipe(struct ssh_cipher *c);

/* From the first 4 bytes of a packet (fewer: SSH_EAGAIN), the number of
 * bytes the whole packet takes on the wire, tag included; SSH_ELEN when
 * the length is out of range, SSH_EPAD when it cannot be aligned. */
int ssh_packet_peek(const struct ssh_cipher *c, const uint8_t *in, size_t n, size_t *total);

/* Open the packet at the start of in[0..n): SSH_EAGAIN until it is
 * whole; then the tag is checked before anything is decrypted
 * (SSH_EMAC), the body is decrypted in place, the padding checked, *pkt
 * filled, *used set to the wire size, and the sequence number advanced.
 * On any error the input must be considered garbage and the connection
 * closed: the sequence number has not moved. */
int ssh_packet_open(struct ssh_cipher *c, uint8_t *in, size_t n, struct ssh_packet *pkt, size_t *used);

/* The padding a payload of this length gets: the least that is >= 4
 * and aligns the packet. */
size_t ssh_packet_padlen(const struct ssh_cipher *c, size_t payload_len);
/* Wire size of a sealed packet. */
size_t ssh_packet_wire_len(const struct ssh_cipher *c, size_t payload_len, size_t padlen);

/* Frame, encrypt and authenticate payload with the caller's padding bytes
 * (random in a server; padlen from ssh_packet_padlen or more, up to 255,
 * keeping alignment, else SSH_EPAD). SSH_ESPACE when out[cap] is too small,
 * SSH_ELEN when the packet would exceed SSH_PACKET_MAX. Advances the
 * sequence number. */
int ssh_packet_seal(struct ssh_cipher *c, const uint8_t *payload, size_t payload_len, const uint8_t *padding,
                    size_t padlen, uint8_t *out, size_t cap, size_t *out_len);

#endif
