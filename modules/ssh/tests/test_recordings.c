/*
 * Byte-exact checks against real OpenSSH sessions
 * (../shared/testdata/crypto/ssh-sessions, argv[1] = .../crypto): each
 * recording (golang/crypto's ssh/testdata, OpenSSH 9.9/10.0 against Go)
 * is split into its two byte streams and read with this module's code:
 *
 *   - the identification lines and the unencrypted packets ("none"
 *     framing) give V_C, V_S, I_C, I_S, Q_C, K_S, Q_S and the signature
 *     blob, each equal to the companion JSON's; re-framed with the
 *     recorded padding they give the recorded bytes;
 *   - X25519 from the recorded ephemeral secret gives the recorded public
 *     value and shared secret; the exchange hash H and keys A-F recomputed
 *     from the values equal the JSON's;
 *   - our negotiation of the recorded KEXINITs agrees with what the peers
 *     did (curve25519-sha256, chacha20-poly1305@openssh.com, strict kex);
 *   - every packet after NEWKEYS decrypts with keys C/D under
 *     chacha20-poly1305@openssh.com to the JSON's plaintext (sequence
 *     numbers reset by strict kex), and re-encrypts to the same bytes;
 *   - a flipped tag or ciphertext byte, an oversized or undersized
 *     length and every truncation are refused.
 */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "crypto.h"
#include "ssh_cipher.h"
#include "ssh_extinfo.h"
#include "ssh_kex.h"
#include "ssh_kexinit.h"

static const char *const names[] = {
    "Server-Cipher-chacha20-poly1305",
    "Client-Cipher-chacha20-poly1305",
    "Server-KEX-curve25519-sha256",
    "Client-KEX-curve25519-sha256",
};
/* the recording file of each: the cipher ones carry the full cipher name */
static const char *const files[] = {
    "Server-Cipher-chacha20-poly1305@openssh.com",
    "Client-Cipher-chacha20-poly1305@openssh.com",
    "Server-KEX-curve25519-sha256",
    "Client-KEX-curve25519-sha256",
};

struct values {
    uint8_t *v_c, *v_s, *i_c, *i_s, *k_s, *q_c, *q_s, *eph, *k, *h, *sig, *keys[6];
    size_t v_c_len, v_s_len, i_c_len, i_s_len, k_s_len, q_c_len, q_s_len, eph_len, k_len, h_len, sig_len,
        keys_len[6];
};

static uint8_t *str_bytes(const char *json, const char *key, size_t *len)
{
    char *s = t_json_str(json, key);
    if (!s)
        return NULL;
    *len = strlen(s);
    return (uint8_t *)s;
}

static bool load_values(const char *json, struct values *v)
{
    v->v_c = str_bytes(json, "V_C", &v->v_c_len);
    v->v_s = str_bytes(json, "V_S", &v->v_s_len);
    v->i_c = t_json_hex(json, "I_C", &v->i_c_len);
    v->i_s = t_json_hex(json, "I_S", &v->i_s_len);
    v->k_s = t_json_hex(json, "K_S", &v->k_s_len);
    v->q_c = t_json_hex(json, "Q_C", &v->q_c_len);
    v->q_s = t_json_hex(json, "Q_S", &v->q_s_len);
    v->eph = t_json_hex(json, "ephemeral_private_go_side", &v->eph_len);
    v->k = t_json_hex(json, "K_x25519", &v->k_len);
    v->h = t_json_hex(json, "H_session_id", &v->h_len);
    v->sig = t_json_hex(json, "signature_blob", &v->sig_len);
    const char *keys = strstr(json, "\"keys\"");
    if (!keys)
        return false;
    for (int i = 0; i < 6; i++) {
        char key[2] = {(char)('A' + i), 0};
        v->keys[i] = t_json_hex(keys, key, &v->keys_len[i]);
        if (!v->keys[i])
            return false;
    }
    return v->v_c && v->v_s && v->i_c && v->i_s && v->k_s && v->q_c && v->q_s && v->eph && v->k && v->h && v->sig;
}

/* A byte stream read packet by packet. */
struct stream {
    uint8_t *p;
    size_t len, off;
    struct ssh_cipher c;
};

/* The identification line (without CR LF) at the start of a stream. */
static bool read_line(struct stream *s, const uint8_t **line, size_t *len)
{
    uint8_t *lf = memchr(s->p, '\n', s->len);
    if (!lf)
        return false;
    *line = s->p;
    *len = (size_t)(lf - s->p) - (lf > s->p && lf[-1] == '\r');
    s->off = (size_t)(lf - s->p) + 1;
    return true;
}

static uint8_t *last_wire; /* the original bytes of the packet next_packet opened last */

/* Open the next packet, then check that re-sealing it with the same
 * padding under the same sequence number gives the very same bytes. */
static int next_packet(struct stream *s, struct ssh_packet *pkt, const uint8_t **wire, size_t *wire_len)
{
    uint8_t *at = s->p + s->off;
    size_t n = s->len - s->off;
    uint8_t *orig = malloc(n ? n : 1);
    memcpy(orig, at, n);
    struct ssh_cipher before = s->c;
    size_t used;
    int e = ssh_packet_open(&s->c, at, n, pkt, &used);
    if (e) {
        free(orig);
        return e;
    }
    uint8_t *again = malloc(used);
    size_t again_len = 0;
    CHECK(ssh_packet_seal(&before, pkt->payload, pkt->payload_len, pkt->padding, pkt->padding_len, again, used,
                          &again_len) == 0);
    CHECK_MEM(again, again_len, orig, used);
    CHECK(before.seq == s->c.seq);
    free(again);
    *wire_len = used; /* decrypted in place: *wire is the copy of the original bytes */
    free(last_wire);
    last_wire = orig;
    *wire = orig;
    s->off += used;
    return 0;
}

static uint8_t msg_of(const struct ssh_packet *p) { return p->payload[0]; }

/* The unencrypted part of one direction: version, KEXINIT, the ECDH
 * message, NEWKEYS. Returns false when the stream is not as expected. */
static void plain_part(struct stream *s, bool client, const struct values *v)
{
    const uint8_t *line, *wire;
    size_t len, wire_len;
    struct ssh_packet p;
    CHECK(read_line(s, &line, &len));
    if (client)
        CHECK_MEM(line, len, v->v_c, v->v_c_len);
    else
        CHECK_MEM(line, len, v->v_s, v->v_s_len);
    CHECK(next_packet(s, &p, &wire, &wire_len) == 0);
    CHECK(p.seq == 0);
    if (client)
        CHECK_MEM(p.payload, p.payload_len, v->i_c, v->i_c_len);
    else
        CHECK_MEM(p.payload, p.payload_len, v->i_s, v->i_s_len);
    CHECK(next_packet(s, &p, &wire, &wire_len) == 0);
    if (client) {
        struct ssh_str q_c;
        CHECK(ssh_kex_ecdh_init_parse(p.payload, p.payload_len, &q_c) == 0);
        CHECK_MEM(q_c.p, q_c.len, v->q_c, v->q_c_len);
    } else {
        /* K_S, Q_S and the signature as recorded, and our builder agrees */
        uint8_t buf[2048];
        struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
        ssh_kex_ecdh_reply_build(&w, (struct ssh_str){v->k_s, (uint32_t)v->k_s_len}, v->q_s,
                                 (struct ssh_str){v->sig, (uint32_t)v->sig_len});
        CHECK(msg_of(&p) == SSH_MSG_KEX_ECDH_REPLY);
        CHECK_MEM(p.payload, p.payload_len, buf, w.len);
    }
    CHECK(next_packet(s, &p, &wire, &wire_len) == 0);
    CHECK(p.payload_len == 1 && msg_of(&p) == SSH_MSG_NEWKEYS);
}

/* The JSON's packets of one direction ("c" or "s"), in order. */
static void cipher_part(struct stream *s, const char *pj, const char *dir, bool strict, int *count)
{
    char head[16];
    snprintf(head, sizeof head, "\"%s\": [", dir);
    const char *obj = strstr(pj, head);
    CHECK(obj != NULL);
    if (!obj)
        return;
    const char *end = strstr(obj, "]");
    if (strict)
        CHECK(s->c.seq == 0 || !strict);
    obj = strchr(obj, '{');
    while (obj && obj < end) {
        const uint8_t *wire;
        size_t wire_len, pl_len, w_len;
        struct ssh_packet p;
        uint8_t *payload = t_json_hex(obj, "payload", &pl_len);
        uint8_t *want_wire = t_json_hex(obj, "wire", &w_len);
        long seq = t_json_int(obj, "seq"), len = t_json_int(obj, "len"), padlen = t_json_int(obj, "padlen");
        int e = next_packet(s, &p, &wire, &wire_len);
        CHECK_EQ(e, 0);
        if (e) {
            free(payload);
            free(want_wire);
            break;
        }
        CHECK_EQ(p.seq, seq);
        CHECK_EQ(wire_len, 4 + len + SSH_MAC_LEN);
        CHECK_EQ(p.padding_len, padlen);
        CHECK_EQ(msg_of(&p), t_json_int(obj, "msg"));
        CHECK_MEM(p.payload, p.payload_len, payload, pl_len);
        CHECK_MEM(wire, wire_len, want_wire, w_len);
        if (msg_of(&p) == SSH_MSG_EXT_INFO) { /* Go's EXT_INFO reads with our parser */
            struct ssh_str v;
            CHECK(ssh_ext_info_find(p.payload, p.payload_len, "server-sig-algs", &v) == 0 && v.len > 0);
        }
        free(payload);
        free(want_wire);
        (*count)++;
        obj = strchr(obj + 1, '{');
    }
}

/* After the JSON's packets (or without a JSON): whatever the recording
 * still holds must authenticate and decrypt too. */
static void rest_decrypts(struct stream *s, int *count)
{
    while (s->off < s->len) {
        const uint8_t *wire;
        size_t wire_len;
        struct ssh_packet p;
        int e = next_packet(s, &p, &wire, &wire_len);
        CHECK_EQ(e, 0);
        if (e)
            break;
        (*count)++;
    }
}

/* Damaged copies of the first encrypted packet of a stream. */
static void negatives(const uint8_t *key, const uint8_t *pkt, size_t len)
{
    struct ssh_cipher c = {0};
    ssh_cipher_set_key(&c, key);
    uint8_t *b = malloc(len + 64);
    struct ssh_packet p;
    size_t used;
    /* every truncation waits for more */
    for (size_t n = 0; n < len; n++) {
        memcpy(b, pkt, n);
        CHECK(ssh_packet_open(&c, b, n, &p, &used) == SSH_EAGAIN);
    }
    /* a flipped bit in the tag, the body or the encrypted length */
    size_t spots[] = {len - 1, len - SSH_MAC_LEN, 5, 0};
    for (size_t i = 0; i < 4; i++) {
        memcpy(b, pkt, len);
        b[spots[i]] ^= 0x01;
        int e = ssh_packet_open(&c, b, len, &p, &used);
        /* a changed length byte changes the length: refused as a length, a
         * wait for more, or at the tag - never accepted */
        CHECK(e == SSH_EMAC || (spots[i] == 0 && e != 0));
        CHECK(c.seq == 0);
    }
    memcpy(b, pkt, len);
    CHECK(ssh_packet_open(&c, b, len, &p, &used) == 0 && used == len && c.seq == 1);
    /* lengths out of range, encrypted with K_1 as a peer would */
    uint32_t lens[] = {SSH_PACKET_MAX + 8, 0xfffffff8u, 0, 4};
    for (int i = 0; i < 4; i++) {
        uint8_t plain[4], nonce[8] = {0};
        nonce[7] = 1; /* seq 1 */
        ssh_put_u32(plain, lens[i]);
        crypto_stream_chacha20_xor(b, plain, 4, nonce, key + 32);
        size_t total;
        CHECK(ssh_packet_peek(&c, b, 4, &total) == SSH_ELEN);
        CHECK(ssh_packet_open(&c, b, 4, &p, &used) == SSH_ELEN);
    }
    /* a length that is not a multiple of 8 */
    uint8_t plain[4], nonce[8] = {0};
    nonce[7] = 1;
    ssh_put_u32(plain, 29);
    crypto_stream_chacha20_xor(b, plain, 4, nonce, key + 32);
    size_t total;
    CHECK(ssh_packet_peek(&c, b, 4, &total) == SSH_EPAD);
    free(b);
}

static void run_one(const char *dir, int i)
{
    char path[1024];
    t_begin(names[i]);
    snprintf(path, sizeof path, "%s/ssh-sessions/%s.kex.json", dir, names[i]);
    char *kj = t_read_file(path, NULL);
    snprintf(path, sizeof path, "%s/ssh-sessions/%s", dir, files[i]);
    struct t_recording rec;
    struct values v = {0};
    if (!kj || !t_recording_load(path, &rec) || !load_values(kj, &v)) {
        printf("  cannot read %s or its .kex.json\n", path);
        t_cur_fail++;
        t_end();
        return;
    }
    bool go_server = strncmp(names[i], "Server", 6) == 0; /* the Go side is the server */

    /* negotiation of the recorded KEXINITs, by our rules */
    struct ssh_kexinit ic, is;
    struct ssh_kex_choice ch;
    CHECK(ssh_kexinit_parse(v.i_c, v.i_c_len, &ic) == 0);
    CHECK(ssh_kexinit_parse(v.i_s, v.i_s_len, &is) == 0);
    CHECK(ssh_kex_negotiate(&ic, &is, &ch) == 0);
    CHECK(ssh_str_eq(ch.alg[SSH_ALG_KEX], "curve25519-sha256"));
    bool chacha = ssh_str_eq(ch.alg[SSH_ALG_CIPHER_CS], "chacha20-poly1305@openssh.com") &&
                  ssh_str_eq(ch.alg[SSH_ALG_CIPHER_SC], "chacha20-poly1305@openssh.com");
    CHECK(ch.strict);

    /* X25519: the recorded secret gives the recorded public value and K */
    uint8_t q_own[32], k[32], h[32];
    const uint8_t *q_peer = go_server ? v.q_c : v.q_s;
    CHECK(ssh_kex_c25519_shared(q_peer, 32, v.eph, q_own, k) == 0);
    CHECK_MEM(q_own, 32, go_server ? v.q_s : v.q_c, 32);
    CHECK_MEM(k, 32, v.k, v.k_len);
    struct ssh_kex_transcript tr = {
        {v.v_c, (uint32_t)v.v_c_len}, {v.v_s, (uint32_t)v.v_s_len}, {v.i_c, (uint32_t)v.i_c_len},
        {v.i_s, (uint32_t)v.i_s_len}, {v.k_s, (uint32_t)v.k_s_len},
    };
    ssh_kex_exchange_hash(&tr, v.q_c, v.q_s, v.k, h);
    CHECK_MEM(h, 32, v.h, v.h_len);
    if (go_server) { /* the server half in one call, as the transport uses it */
        uint8_t q_s2[32], k2[32], h2[32];
        CHECK(ssh_kex_c25519_server(&tr, v.q_c, v.q_c_len, v.eph, q_s2, k2, h2) == 0);
        CHECK_MEM(h2, 32, v.h, v.h_len);
    }
    uint8_t keys[6][64];
    for (int l = 0; l < 6; l++) {
        ssh_kex_derive(v.k, v.h, (char)('A' + l), v.h, keys[l], 64);
        CHECK_MEM(keys[l], 64, v.keys[l], v.keys_len[l]);
    }

    /* the streams */
    struct stream c2s = {rec.c2s, rec.c2s_len, 0, {0}}, s2c = {rec.s2c, rec.s2c_len, 0, {0}};
    plain_part(&c2s, true, &v);
    plain_part(&s2c, false, &v);
    int count = 0, json_count = 0;
    if (chacha && t_cur_fail == 0) {
        uint8_t first_c[4096];
        size_t first_c_len = 0;
        ssh_cipher_set_key(&c2s.c, keys[2]);
        ssh_cipher_set_key(&s2c.c, keys[3]);
        CHECK(c2s.c.seq == 3 && s2c.c.seq == 3);
        c2s.c.seq = s2c.c.seq = 0; /* strict kex: NEWKEYS resets */
        {
            /* the first encrypted client packet, kept for the damage tests */
            struct ssh_cipher tmp = c2s.c;
            size_t total;
            if (ssh_packet_peek(&tmp, c2s.p + c2s.off, c2s.len - c2s.off, &total) == 0 && total <= sizeof first_c) {
                memcpy(first_c, c2s.p + c2s.off, total);
                first_c_len = total;
            }
        }
        snprintf(path, sizeof path, "%s/ssh-sessions/%s.packets.json", dir, names[i]);
        char *pj = t_read_file(path, NULL);
        if (pj) {
            cipher_part(&c2s, pj, "c", true, &json_count);
            cipher_part(&s2c, pj, "s", true, &json_count);
            free(pj);
        }
        rest_decrypts(&c2s, &count);
        rest_decrypts(&s2c, &count);
        CHECK(first_c_len > 0);
        if (first_c_len)
            negatives(keys[2], first_c, first_c_len);
        printf("  %s: H, keys A-F, %d packets as in the JSON, %d more decrypted\n", names[i], json_count, count);
    } else if (!chacha) {
        printf("  %s: H and keys A-F; the peers chose another cipher, packets not decrypted\n", names[i]);
    }
    free(kj);
    free(rec.c2s);
    free(rec.s2c);
    uint8_t **all[] = {&v.v_c, &v.v_s, &v.i_c, &v.i_s, &v.k_s, &v.q_c, &v.q_s, &v.eph, &v.k, &v.h, &v.sig};
    for (size_t j = 0; j < sizeof all / sizeof all[0]; j++)
        free(*all[j]);
    for (int j = 0; j < 6; j++)
        free(v.keys[j]);
    t_end();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: %s TESTDATA/crypto\n", argv[0]);
        return 2;
    }
    for (int i = 0; i < 4; i++)
        run_one(argv[1], i);
    free(last_wire);
    return t_done();
}
