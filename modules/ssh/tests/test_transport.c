/*
 * The server transport (ssh_transport.h) against a client written in this
 * test from the module's own pieces (KEXINIT, X25519, H, key derivation,
 * chacha20-poly1305): whole handshakes, strict kex, re-keying, ext-info,
 * wrong guesses, and the refusals - bad identification lines, no common
 * algorithm, a zero shared secret, messages out of order or forbidden by
 * strict kex. With ../shared/testdata (argv[1] = .../crypto) it also uses
 * OpenSSH's ed25519 test key as the host key (its .pub blob and .fp
 * fingerprint must match ours) and OpenSSH 9.9's recorded KEXINIT as the
 * client's; without it, a fixed generated key and a built KEXINIT.
 */
#include <stdlib.h>
#include <string.h>
#include "testlib.h"
#include "crypto.h"
#include "ssh_extinfo.h"
#include "ssh_transport.h"

static uint8_t host_pk[32], host_sk[64];
static struct ssh_signer host_signer;
static uint8_t *recorded_i_c; /* OpenSSH 9.9's KEXINIT, when the test data is there */
static size_t recorded_i_c_len;

#define STRICT_EXT "curve25519-sha256,ext-info-c,kex-strict-c-v00@openssh.com"

/* The test's client: its half of one connection. */
struct client {
    struct ssh_cipher tx, rx;
    bool strict;
    uint8_t eph[32], q_c[32];
    uint8_t i_c[2048], i_s[1024], k_s[256];
    size_t i_c_len, i_s_len, k_s_len;
    uint8_t session_id[32], h[32];
    bool have_session;
    /* bytes from the server not read yet */
    uint8_t from_s[16384];
    size_t from_len, from_off;
    /* bytes to the server not consumed yet */
    uint8_t to_s[16384];
    size_t to_len, to_off;
    struct ssh_transport t;
};

static void build_kexinit(struct client *c, const char *kex, bool follows, const char *cipher)
{
    if (!kex && recorded_i_c) {
        memcpy(c->i_c, recorded_i_c, recorded_i_c_len);
        c->i_c_len = recorded_i_c_len;
        return;
    }
    struct ssh_wr w = ssh_wr_init(c->i_c, sizeof c->i_c);
    uint8_t cookie[16] = {7};
    ssh_wr_u8(&w, SSH_MSG_KEXINIT);
    ssh_wr_bytes(&w, cookie, 16);
    const char *lists[10] = {kex ? kex : STRICT_EXT, "rsa-sha2-512,ssh-ed25519",
                             cipher ? cipher : "aes128-ctr,chacha20-poly1305@openssh.com",
                             cipher ? cipher : "chacha20-poly1305@openssh.com", "hmac-sha2-256", "hmac-sha2-256",
                             "none,zlib@openssh.com", "none", "", ""};
    for (int i = 0; i < 10; i++)
        ssh_wr_cstring(&w, lists[i]);
    ssh_wr_bool(&w, follows);
    ssh_wr_u32(&w, 0);
    c->i_c_len = w.len;
}

/* Frame a client payload onto the way to the server. */
static void c_send(struct client *c, const uint8_t *p, size_t n)
{
    uint8_t pad[255];
    memset(pad, 0x5a, sizeof pad);
    size_t wire;
    CHECK(ssh_packet_seal(&c->tx, p, n, pad, ssh_packet_padlen(&c->tx, n), c->to_s + c->to_len,
                          sizeof c->to_s - c->to_len, &wire) == 0);
    c->to_len += wire;
}

static void c_send_raw(struct client *c, const char *s)
{
    memcpy(c->to_s + c->to_len, s, strlen(s));
    c->to_len += strlen(s);
}

static void c_send_msg(struct client *c, uint8_t msg)
{
    uint8_t p[8] = {msg};
    size_t n = 1;
    if (msg == SSH_MSG_IGNORE || msg == SSH_MSG_DEBUG) { /* string data / bool, string, string */
        memset(p + 1, 0, 7);
        n = msg == SSH_MSG_IGNORE ? 5 : 10;
    }
    c_send(c, p, n > 8 ? 8 : n);
}

/* The server consumes what the client sent; its output lands in from_s.
 * Returns the first result that is not 0 (SSH_EAGAIN when all was taken). */
static int pump(struct client *c, struct ssh_packet *msg)
{
    for (;;) {
        struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
        size_t used;
        int r = ssh_transport_input(&c->t, c->to_s + c->to_off, c->to_len - c->to_off, &used, &out, msg);
        c->to_off += used;
        c->from_len += out.len;
        if (r != 0)
            return r;
    }
}

static int c_recv(struct client *c, struct ssh_packet *p)
{
    size_t used;
    int e = ssh_packet_open(&c->rx, c->from_s + c->from_off, c->from_len - c->from_off, p, &used);
    if (e == 0)
        c->from_off += used;
    return e;
}

static void c_start(struct client *c)
{
    memset(c, 0, sizeof *c);
    host_signer.sign = ssh_ed25519_sign_sk;
    host_signer.ctx = host_sk;
    memcpy(host_signer.pk, host_pk, 32);
    ssh_transport_init(&c->t, "Anunix_test", &host_signer, t_random, NULL);
    struct ssh_wr out = ssh_wr_init(c->from_s, sizeof c->from_s);
    CHECK(ssh_transport_start(&c->t, &out) == 0);
    c->from_len = out.len;
    const char *v = "SSH-2.0-Anunix_test\r\n";
    CHECK(c->from_len > strlen(v) && memcmp(c->from_s, v, strlen(v)) == 0);
    c->from_off = strlen(v);
    struct ssh_packet p;
    CHECK(c_recv(c, &p) == 0);
    memcpy(c->i_s, p.payload, p.payload_len);
    c->i_s_len = p.payload_len;
    struct ssh_kexinit k;
    CHECK(ssh_kexinit_parse(c->i_s, c->i_s_len, &k) == 0);
    CHECK(ssh_namelist_has(k.list[SSH_ALG_KEX], "kex-strict-s-v00@openssh.com"));
}

static void c_ecdh_init(struct client *c, const uint8_t *q, size_t qlen)
{
    uint8_t p[64];
    struct ssh_wr w = ssh_wr_init(p, sizeof p);
    ssh_wr_u8(&w, SSH_MSG_KEX_ECDH_INIT);
    ssh_wr_string(&w, q, qlen);
    c_send(c, p, w.len);
}

/* The client's side of a key exchange after both KEXINITs: ECDH_INIT,
 * then reading the reply, checking the host's signature, taking the new
 * keys. Returns the transport's result for the client's packets. */
static int c_exchange(struct client *c, const char *v_c)
{
    t_random(NULL, c->eph, 32);
    crypto_scalarmult_base(c->q_c, c->eph);
    c_ecdh_init(c, c->q_c, 32);
    struct ssh_packet m;
    int r = pump(c, &m);
    if (r != SSH_EAGAIN)
        return r;
    struct ssh_packet p;
    uint8_t msg = 0;
    struct ssh_str k_s, q_s, sig;
    bool reply = c_recv(c, &p) == 0;
    struct ssh_rd rd = ssh_rd_init(reply ? p.payload : NULL, reply ? p.payload_len : 0);
    reply = reply && ssh_rd_u8(&rd, &msg) == 0 && msg == SSH_MSG_KEX_ECDH_REPLY &&
            ssh_rd_string(&rd, &k_s) == 0 && ssh_rd_string(&rd, &q_s) == 0 &&
            ssh_rd_string(&rd, &sig) == 0 && ssh_rd_end(&rd) == 0 && q_s.len == 32;
    CHECK(reply);
    if (!reply) /* the server sent something else: nothing below can be checked */
        return SSH_EFORMAT;
    const uint8_t *pk;
    CHECK(ssh_ed25519_key_parse(k_s.p, k_s.len, &pk) == 0 && memcmp(pk, host_pk, 32) == 0);
    uint8_t k[32];
    CHECK(crypto_scalarmult(k, c->eph, q_s.p) == 0);
    struct ssh_kex_transcript tr = {{(const uint8_t *)v_c, (uint32_t)strlen(v_c)},
                                    {(const uint8_t *)"SSH-2.0-Anunix_test", 19},
                                    {c->i_c, (uint32_t)c->i_c_len},
                                    {c->i_s, (uint32_t)c->i_s_len},
                                    {k_s.p, k_s.len}};
    ssh_kex_exchange_hash(&tr, c->q_c, q_s.p, k, c->h);
    CHECK(ssh_ed25519_verify_blob(sig.p, sig.len, host_pk, c->h, 32) == 0);
    if (!c->have_session) {
        memcpy(c->session_id, c->h, 32);
        c->have_session = true;
    }
    uint8_t kc[64], kd[64];
    ssh_kex_derive(k, c->h, 'C', c->session_id, kc, 64);
    ssh_kex_derive(k, c->h, 'D', c->session_id, kd, 64);
    CHECK(c_recv(c, &p) == 0 && p.payload_len == 1 && p.payload[0] == SSH_MSG_NEWKEYS);
    ssh_cipher_set_key(&c->rx, kd);
    if (c->strict)
        c->rx.seq = 0;
    uint8_t nk = SSH_MSG_NEWKEYS;
    c_send(c, &nk, 1);
    ssh_cipher_set_key(&c->tx, kc);
    if (c->strict)
        c->tx.seq = 0;
    return pump(c, &m);
}

/* Version line and KEXINIT from the client, handled by the server. */
static int c_hello(struct client *c, const char *v_c, const char *kex, bool follows, const char *cipher)
{
    char line[300];
    snprintf(line, sizeof line, "%s\r\n", v_c);
    c_send_raw(c, line);
    build_kexinit(c, kex, follows, cipher);
    c_send(c, c->i_c, c->i_c_len);
    struct ssh_packet m;
    return pump(c, &m);
}

static int handshake(struct client *c, const char *kex, bool strict)
{
    c_start(c);
    c->strict = strict;
    int r = c_hello(c, "SSH-2.0-OpenSSH_9.9", kex, false, NULL);
    if (r != SSH_EAGAIN)
        return r;
    return c_exchange(c, "SSH-2.0-OpenSSH_9.9");
}

static void test_handshake_strict(void)
{
    t_begin("handshake: strict kex, ext-info, service request both ways");
    struct client *c = calloc(1, sizeof *c);
    CHECK_EQ(handshake(c, STRICT_EXT, true), SSH_EAGAIN);
    CHECK(c->t.strict && c->t.ext_info_c && !c->t.initial && !ssh_transport_kex_running(&c->t));
    CHECK(memcmp(c->t.session_id, c->h, 32) == 0);
    /* EXT_INFO is the first packet under the new keys, sequence 0 */
    struct ssh_packet p, m;
    CHECK(c_recv(c, &p) == 0 && p.seq == 0 && p.payload[0] == SSH_MSG_EXT_INFO);
    struct ssh_str v;
    CHECK(ssh_ext_info_find(p.payload, p.payload_len, "server-sig-algs", &v) == 0 && ssh_str_eq(v, "ssh-ed25519"));
    /* a service request passes through to the layers above, at sequence 0 */
    const uint8_t req[] = {5, 0, 0, 0, 12, 's', 's', 'h', '-', 'u', 's', 'e', 'r', 'a', 'u', 't', 'h'};
    c_send(c, req, sizeof req);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK(m.seq == 0);
    CHECK_MEM(m.payload, m.payload_len, req, sizeof req);
    uint8_t acc[sizeof req];
    memcpy(acc, req, sizeof req);
    acc[0] = 6;
    struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    CHECK(ssh_transport_send(&c->t, acc, sizeof acc, &out) == 0);
    c->from_len += out.len;
    CHECK(c_recv(c, &p) == 0 && p.seq == 1);
    CHECK_MEM(p.payload, p.payload_len, acc, sizeof acc);
    /* IGNORE is fine once the exchange is over */
    c_send_msg(c, SSH_MSG_IGNORE);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    /* a key exchange message outside an exchange */
    c_send_msg(c, SSH_MSG_NEWKEYS);
    CHECK_EQ(pump(c, &m), SSH_EORDER);
    ssh_transport_wipe(&c->t);
    free(c);
    t_end();
}

static void test_handshake_recorded(void)
{
    if (!recorded_i_c)
        return; /* said by main's skip line */
    t_begin("handshake: OpenSSH 9.9's recorded KEXINIT");
    struct client *c = calloc(1, sizeof *c);
    CHECK_EQ(handshake(c, NULL, true), SSH_EAGAIN);
    CHECK(c->t.strict && c->t.ext_info_c);
    struct ssh_packet p;
    CHECK(c_recv(c, &p) == 0 && p.payload[0] == SSH_MSG_EXT_INFO);
    free(c);
    t_end();
}

static void test_nonstrict(void)
{
    t_begin("handshake: no strict kex - IGNORE/DEBUG allowed, sequence numbers continue, no EXT_INFO");
    struct client *c = calloc(1, sizeof *c);
    c_start(c);
    c_send_raw(c, "SSH-2.0-PuTTY_Release_0.81\r\n");
    c_send_msg(c, SSH_MSG_IGNORE);
    c_send_msg(c, SSH_MSG_DEBUG);
    build_kexinit(c, "curve25519-sha256@libssh.org", false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    struct ssh_packet m, p;
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    c_send_msg(c, SSH_MSG_IGNORE);
    CHECK_EQ(c_exchange(c, "SSH-2.0-PuTTY_Release_0.81"), SSH_EAGAIN);
    CHECK(!c->t.strict && !c->t.ext_info_c);
    CHECK_EQ(c->t.rx.seq, 6); /* IGNORE, DEBUG, KEXINIT, IGNORE, ECDH_INIT, NEWKEYS */
    CHECK_EQ(c->t.tx.seq, 3); /* KEXINIT, ECDH_REPLY, NEWKEYS */
    CHECK(c->from_off == c->from_len); /* nothing after NEWKEYS */
    const uint8_t req[] = {5, 0, 0, 0, 1, 'x'};
    c_send(c, req, sizeof req);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK(m.seq == 6);
    (void)p;
    free(c);
    t_end();
}

static void test_strict_violations(void)
{
    t_begin("strict kex: IGNORE first, IGNORE during, NEWKEYS early, and the same without strict");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet m;
    /* the strict KEXINIT is not the first packet */
    c_start(c);
    c_send_raw(c, "SSH-2.0-x\r\n");
    c_send_msg(c, SSH_MSG_IGNORE);
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_ESTRICT);
    /* IGNORE between KEXINIT and ECDH_INIT */
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    c_send_msg(c, SSH_MSG_IGNORE);
    CHECK_EQ(pump(c, &m), SSH_ESTRICT);
    /* NEWKEYS before ECDH_INIT: strict, then not */
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    c_send_msg(c, SSH_MSG_NEWKEYS);
    CHECK_EQ(pump(c, &m), SSH_ESTRICT);
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", "curve25519-sha256", false, NULL), SSH_EAGAIN);
    c_send_msg(c, SSH_MSG_NEWKEYS);
    CHECK_EQ(pump(c, &m), SSH_EORDER);
    /* a service request in the middle of the exchange */
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", "curve25519-sha256", false, NULL), SSH_EAGAIN);
    c_send_msg(c, 5);
    CHECK_EQ(pump(c, &m), SSH_EORDER);
    /* DISCONNECT is always the caller's */
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    c_send_msg(c, SSH_MSG_DISCONNECT);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK(m.payload[0] == SSH_MSG_DISCONNECT);
    /* the layers above cannot send during an exchange */
    uint8_t out_buf[256];
    struct ssh_wr out = ssh_wr_init(out_buf, sizeof out_buf);
    CHECK(ssh_transport_send(&c->t, (const uint8_t *)"\x05", 1, &out) == SSH_EORDER);
    free(c);
    t_end();
}

static void test_no_common(void)
{
    t_begin("no common algorithm: the category is named");
    struct client *c = calloc(1, sizeof *c);
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-old", "diffie-hellman-group14-sha256,ext-info-c", false, NULL), SSH_ENOALG);
    CHECK_EQ(c->t.nomatch, SSH_ALG_KEX);
    CHECK(strcmp(ssh_alg_category(c->t.nomatch), "key exchange") == 0);
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-old", "curve25519-sha256", false, "aes128-ctr"), SSH_ENOALG);
    CHECK_EQ(c->t.nomatch, SSH_ALG_CIPHER_CS);
    /* a client listing only the pseudo-algorithms gets nothing chosen */
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-old", "ext-info-c,kex-strict-c-v00@openssh.com", false, NULL), SSH_ENOALG);
    free(c);
    t_end();
}

static void test_versions(void)
{
    t_begin("identification lines");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet m;
    const char *bad[] = {"SSH-1.5-old\r\n", "GET / HTTP/1.1\r\n", "SSH-2.0-a\tb\r\n", "\r\n"};
    for (int i = 0; i < 4; i++) {
        c_start(c);
        c_send_raw(c, bad[i]);
        CHECK_EQ(pump(c, &m), SSH_EVERSION);
    }
    c_start(c); /* 255 bytes and no end of line */
    memset(c->to_s, 'A', 300);
    memcpy(c->to_s, "SSH-2.0-", 8);
    c->to_len = 300;
    CHECK_EQ(pump(c, &m), SSH_EVERSION);
    c_start(c); /* a partial line waits; LF alone ends it; SSH-1.99 is 2.0 too */
    c_send_raw(c, "SSH-1.99-Old");
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c->to_off == 0);
    c_send_raw(c, "\n");
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c->t.v_c_len == 12 && memcmp(c->t.v_c, "SSH-1.99-Old", 12) == 0);
    free(c);
    t_end();
}

static void test_bad_public(void)
{
    t_begin("ECDH_INIT: zero shared secret, wrong size, trailing bytes");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet m;
    uint8_t zero[32] = {0};
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    c_ecdh_init(c, zero, 32);
    CHECK_EQ(pump(c, &m), SSH_EKEY);
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    c_ecdh_init(c, zero, 31);
    CHECK_EQ(pump(c, &m), SSH_EKEY);
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-x", STRICT_EXT, false, NULL), SSH_EAGAIN);
    uint8_t p[40] = {SSH_MSG_KEX_ECDH_INIT, 0, 0, 0, 32, 9};
    c_send(c, p, sizeof p); /* 3 bytes after the string */
    CHECK_EQ(pump(c, &m), SSH_EFORMAT);
    free(c);
    t_end();
}

static void test_rekey(void)
{
    t_begin("re-keying: a second exchange, new keys, same session id, sequence numbers reset");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet p, m;
    CHECK_EQ(handshake(c, STRICT_EXT, true), SSH_EAGAIN);
    CHECK(c_recv(c, &p) == 0); /* EXT_INFO */
    uint8_t first_h[32], old_k1[32];
    memcpy(first_h, c->h, 32);
    memcpy(old_k1, c->t.tx.k1, 32);
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(ssh_transport_kex_running(&c->t));
    int got = c_recv(c, &p);
    CHECK(got == 0 && p.payload[0] == SSH_MSG_KEXINIT); /* the server's, encrypted */
    if (got) {
        free(c);
        t_end();
        return;
    }
    memcpy(c->i_s, p.payload, p.payload_len);
    c->i_s_len = p.payload_len;
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    CHECK(memcmp(c->h, first_h, 32) != 0 && memcmp(c->t.session_id, first_h, 32) == 0);
    CHECK(memcmp(c->t.tx.k1, old_k1, 32) != 0);
    CHECK(c->from_off == c->from_len); /* no second EXT_INFO */
    CHECK(c->t.rx.seq == 0 && c->t.tx.seq == 0);
    const uint8_t req[] = {90, 1, 2, 3};
    c_send(c, req, sizeof req);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK_MEM(m.payload, m.payload_len, req, sizeof req);
    free(c);
    t_end();
}

/* ---- re-keying started by the server ---------------------------------- */

static void c_compact(struct client *c)
{
    memmove(c->from_s, c->from_s + c->from_off, c->from_len - c->from_off);
    c->from_len -= c->from_off;
    c->from_off = 0;
    memmove(c->to_s, c->to_s + c->to_off, c->to_len - c->to_off);
    c->to_len -= c->to_off;
    c->to_off = 0;
}

/* CHANNEL_DATA on channel 0 with n bytes that start with a running number */
static size_t data_msg(uint8_t *buf, uint32_t no, size_t n)
{
    struct ssh_wr w = ssh_wr_init(buf, 16 + n);
    uint8_t data[1024];
    memset(data, (int)(no & 0xff), sizeof data);
    ssh_put_u32(data, no);
    ssh_wr_u8(&w, 94);
    ssh_wr_u32(&w, 0);
    ssh_wr_string(&w, data, n);
    return w.len;
}

static uint32_t data_no(const struct ssh_packet *p)
{
    return p->payload_len >= 13 && p->payload[0] == 94 ? ssh_get_u32(p->payload + 9) : UINT32_MAX;
}

/* The server's layers send data message no: ssh_transport_send's result. */
static int s_data(struct client *c, uint32_t no)
{
    uint8_t buf[600];
    size_t n = data_msg(buf, no, 500);
    struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    int e = ssh_transport_send(&c->t, buf, n, &out);
    c->from_len += out.len;
    return e;
}

static void c_data(struct client *c, uint32_t no)
{
    uint8_t buf[600];
    c_send(c, buf, data_msg(buf, no, 500));
}

/* Keep the server's KEXINIT for the client's side of the exchange. */
static void c_take_kexinit(struct client *c, const struct ssh_packet *p)
{
    memcpy(c->i_s, p->payload, p->payload_len);
    c->i_s_len = p->payload_len;
}

/* The client reads what the server sent: data messages numbered from *got,
 * up to and including the server's KEXINIT (true when it came). */
static bool c_read_until_kexinit(struct client *c, uint32_t *got)
{
    struct ssh_packet p;
    while (c_recv(c, &p) == 0) {
        if (p.payload[0] == SSH_MSG_KEXINIT) {
            c_take_kexinit(c, &p);
            return true;
        }
        CHECK_EQ(data_no(&p), *got);
        (*got)++;
    }
    return false;
}

/* A client past the first exchange and the server's EXT_INFO, with the
 * server's re-key limits set. */
static struct client *rekey_client(const struct ssh_rekey_limits *lim)
{
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet p;
    CHECK_EQ(handshake(c, STRICT_EXT, true), SSH_EAGAIN);
    CHECK(c_recv(c, &p) == 0); /* EXT_INFO */
    ssh_transport_set_rekey(&c->t, lim);
    return c;
}

static void test_server_rekey_sent(void)
{
    t_begin("server re-key after rekey bytes sent: data before, held during, after it, in order");
    struct ssh_packet p, m;
    struct client *c = rekey_client(&(struct ssh_rekey_limits){.bytes = 4096});
    uint64_t base = c->t.tx_bytes; /* EXT_INFO, under these keys */
    uint32_t sent = 0, got = 0;
    bool kexinit = false;
    while (sent < 20 && !kexinit) {
        c_compact(c);
        CHECK_EQ(s_data(c, sent++), 0);
        kexinit = c_read_until_kexinit(c, &got);
    }
    CHECK(kexinit);
    CHECK_EQ(got, sent); /* every message sent came before the KEXINIT */
    /* the one that crossed 4096 bytes started it, not one before */
    size_t wire = ssh_packet_wire_len(&c->rx, 509, ssh_packet_padlen(&c->rx, 509));
    CHECK_EQ(sent, (4096 - base + wire - 1) / wire);
    CHECK_EQ(c->t.kex_ours, 1);
    CHECK(ssh_transport_kex_running(&c->t) && ssh_transport_send_held(&c->t));
    /* the layers above go on sending: held, nothing goes out */
    size_t before = c->from_len;
    CHECK_EQ(s_data(c, sent++), 0);
    CHECK_EQ(s_data(c, sent++), 0);
    CHECK(c->from_len == before);
    /* the client has not seen our KEXINIT yet: its data is handed up */
    c_data(c, 1000);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK_EQ(data_no(&m), 1000);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    /* then it answers; no second KEXINIT from us */
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c->from_len == before);
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    CHECK(!ssh_transport_kex_running(&c->t) && !ssh_transport_send_held(&c->t));
    CHECK_EQ(c->t.kex_done, 2);
    /* the held messages right after NEWKEYS, under the new keys, strict: from sequence 0 */
    for (uint32_t seq = 0; seq < 2; seq++) {
        CHECK(c_recv(c, &p) == 0 && p.seq == seq);
        CHECK_EQ(data_no(&p), got++);
    }
    CHECK(c->from_off == c->from_len);
    CHECK(c->t.hold_len == 0 && c->t.tx_bytes < 4096 && c->t.rx_bytes == 0);
    /* data flows after it, both ways */
    c_compact(c);
    CHECK_EQ(s_data(c, sent++), 0);
    CHECK(c_recv(c, &p) == 0 && p.seq == 2);
    CHECK_EQ(data_no(&p), got++);
    c_data(c, 1001);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK(m.seq == 0 && data_no(&m) == 1001);
    CHECK_EQ(got, sent);
    CHECK_EQ(c->t.kex_ours, 1);
    free(c);
    t_end();
}

static void test_server_rekey_received(void)
{
    t_begin("server re-key after rekey bytes received; without strict kex sequence numbers go on");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet p, m;
    CHECK_EQ(handshake(c, "curve25519-sha256", false), SSH_EAGAIN);
    CHECK(!c->t.strict);
    struct ssh_rekey_limits lim = {.bytes = 4096};
    ssh_transport_set_rekey(&c->t, &lim);
    size_t wire = ssh_packet_wire_len(&c->tx, 509, ssh_packet_padlen(&c->tx, 509));
    uint32_t sent = 0;
    while (sent < 20 && c->from_off == c->from_len) {
        c_compact(c);
        c_data(c, sent);
        CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
        CHECK_EQ(data_no(&m), sent);
        CHECK_EQ(pump(c, &m), SSH_EAGAIN);
        sent++;
    }
    CHECK_EQ(sent, (4096 + wire - 1) / wire); /* the packet that crossed 4096 bytes */
    CHECK(c_recv(c, &p) == 0 && p.payload[0] == SSH_MSG_KEXINIT);
    c_take_kexinit(c, &p);
    uint32_t rx_seq = c->t.rx.seq, tx_seq = c->t.tx.seq;
    build_kexinit(c, "curve25519-sha256", false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    CHECK_EQ(c->t.kex_done, 2);
    CHECK_EQ(c->t.rx.seq, rx_seq + 3); /* KEXINIT, ECDH_INIT, NEWKEYS */
    CHECK_EQ(c->t.tx.seq, tx_seq + 2); /* ECDH_REPLY, NEWKEYS */
    c_data(c, 77);
    CHECK_EQ(pump(c, &m), SSH_INPUT_MSG);
    CHECK(data_no(&m) == 77 && m.seq == rx_seq + 3);
    CHECK(c->t.rx_bytes == wire && c->t.kex_ours == 1);
    free(c);
    t_end();
}

static void test_server_rekey_crossing(void)
{
    t_begin("re-key: both KEXINITs cross (one exchange), and a client's re-key near our limit");
    struct ssh_packet p, m;
    struct client *c = rekey_client(&(struct ssh_rekey_limits){.bytes = 4096});
    uint32_t sent = 0, got = 0;
    while (sent < 20 && c->t.kex_ours == 0)
        CHECK_EQ(s_data(c, sent++), 0);
    CHECK_EQ(c->t.kex_ours, 1);
    /* the client re-keys too, before it reads ours */
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c_read_until_kexinit(c, &got));
    CHECK_EQ(got, sent);
    CHECK(c->from_off == c->from_len); /* one KEXINIT from us, not two */
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    CHECK_EQ(c->t.kex_done, 2);
    CHECK(c->from_off == c->from_len);
    /* now the client starts one while we are below our limit; we answer it;
     * what we send meanwhile is held, and nothing starts another */
    c_compact(c);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(s_data(c, sent++), 0);
        CHECK(c_recv(c, &p) == 0 && data_no(&p) == got++);
    }
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c_recv(c, &p) == 0 && p.payload[0] == SSH_MSG_KEXINIT);
    c_take_kexinit(c, &p);
    for (int i = 0; i < 5; i++) /* 2.7 KiB: past the limit if they were counted */
        CHECK_EQ(s_data(c, sent++), 0);
    CHECK(c->from_off == c->from_len);
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    for (uint32_t seq = 0; seq < 5; seq++) {
        CHECK(c_recv(c, &p) == 0 && p.seq == seq);
        CHECK_EQ(data_no(&p), got++);
    }
    CHECK(c->from_off == c->from_len);
    CHECK_EQ(c->t.kex_done, 3);
    CHECK_EQ(c->t.kex_ours, 1);
    free(c);
    t_end();
}

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
    (void)ctx;
    return fake_now;
}

/* The server polls: true when its KEXINIT came out (kept by the client). */
static bool s_poll(struct client *c)
{
    struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    CHECK_EQ(ssh_transport_poll(&c->t, &out), 0);
    c->from_len += out.len;
    struct ssh_packet p;
    if (c_recv(c, &p) != 0)
        return false;
    CHECK(p.payload[0] == SSH_MSG_KEXINIT);
    c_take_kexinit(c, &p);
    return true;
}

static void test_server_rekey_time(void)
{
    t_begin("server re-key after rekey_interval, counted from the end of the last exchange");
    struct ssh_packet m;
    const uint64_t s = 1000000000ull;
    fake_now = 5 * s;
    struct client *c =
        rekey_client(&(struct ssh_rekey_limits){.interval_ns = 3600 * s, .clock = fake_clock});
    fake_now += 3599 * s;
    CHECK(!s_poll(c));
    fake_now += s;
    CHECK(s_poll(c));
    CHECK_EQ(c->t.kex_ours, 1);
    fake_now += 10 * s; /* the exchange takes 10 s */
    CHECK(!s_poll(c));
    build_kexinit(c, STRICT_EXT, false, NULL);
    c_send(c, c->i_c, c->i_c_len);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK_EQ(c_exchange(c, "SSH-2.0-OpenSSH_9.9"), SSH_EAGAIN);
    CHECK_EQ(c->t.kex_done, 2);
    fake_now += 3599 * s;
    CHECK(!s_poll(c));
    fake_now += s;
    CHECK(s_poll(c));
    CHECK_EQ(c->t.kex_ours, 2);
    /* a client that never answers this one is dropped after a minute */
    struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    fake_now += 59 * s;
    CHECK_EQ(ssh_transport_poll(&c->t, &out), 0);
    fake_now += s;
    CHECK_EQ(ssh_transport_poll(&c->t, &out), SSH_EREKEY);
    free(c);
    t_end();
}

static void test_server_rekey_packets(void)
{
    t_begin("server re-key after the packet limit; postponed while out has no room for it");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet p;
    CHECK_EQ(handshake(c, STRICT_EXT, true), SSH_EAGAIN);
    CHECK(c_recv(c, &p) == 0); /* EXT_INFO: one packet under these keys */
    CHECK_EQ(c->t.tx_packets, 1);
    struct ssh_rekey_limits lim = {.packets = 5};
    ssh_transport_set_rekey(&c->t, &lim);
    const uint8_t ign[] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
    for (int i = 0; i < 3; i++) {
        struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
        CHECK_EQ(ssh_transport_send(&c->t, ign, sizeof ign, &out), 0);
        c->from_len += out.len;
    }
    CHECK_EQ(c->t.kex_ours, 0);
    /* the fifth packet, into an output with room for it only */
    uint8_t small[64];
    struct ssh_wr out = ssh_wr_init(small, sizeof small);
    CHECK_EQ(ssh_transport_send(&c->t, ign, sizeof ign, &out), 0);
    CHECK(out.len > 0 && c->t.kex_ours == 0 && !ssh_transport_kex_running(&c->t));
    memcpy(c->from_s + c->from_len, small, out.len);
    c->from_len += out.len;
    for (int i = 0; i < 4; i++)
        CHECK(c_recv(c, &p) == 0 && p.payload[0] == SSH_MSG_IGNORE);
    CHECK(s_poll(c)); /* the next call with room starts it */
    CHECK_EQ(c->t.kex_ours, 1);
    free(c);
    t_end();
}

static void test_server_rekey_unanswered(void)
{
    t_begin("server re-key the client does not answer: kex messages refused, the hold fills");
    struct ssh_packet m;
    struct client *c = rekey_client(&(struct ssh_rekey_limits){.packets = 1});
    CHECK(s_poll(c));
    uint32_t sent = 0;
    int e = 0;
    while (sent < 20 && (e = s_data(c, sent)) == 0)
        sent++;
    CHECK_EQ(e, SSH_EREKEY);
    CHECK_EQ(sent, SSH_HOLD_MAX / (4 + 509 + 32)); /* each held message counted as sealed */
    CHECK(c->from_off == c->from_len);
    /* a key exchange message other than KEXINIT before the client's KEXINIT */
    c_ecdh_init(c, c->q_c, 32);
    CHECK_EQ(pump(c, &m), SSH_EORDER);
    free(c);
    t_end();
}

/* The client reads a DISCONNECT: reason and description. */
static void expect_disconnect(struct client *c, uint32_t reason, const char *text)
{
    struct ssh_packet p;
    CHECK(c_recv(c, &p) == 0);
    struct ssh_rd r = ssh_rd_init(p.payload, p.payload_len);
    uint8_t msg;
    uint32_t got;
    struct ssh_str desc, lang;
    CHECK(ssh_rd_u8(&r, &msg) == 0 && msg == SSH_MSG_DISCONNECT);
    CHECK(ssh_rd_u32(&r, &got) == 0 && got == reason);
    CHECK(ssh_rd_string(&r, &desc) == 0 && ssh_str_eq(desc, text));
    CHECK(ssh_rd_string(&r, &lang) == 0 && lang.len == 0 && ssh_rd_end(&r) == 0);
}

static void test_disconnect(void)
{
    t_begin("DISCONNECT and UNIMPLEMENTED: during the exchange in clear, after it encrypted");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet m, p;
    c_start(c);
    CHECK_EQ(c_hello(c, "SSH-2.0-old", "diffie-hellman-group14-sha256", false, NULL), SSH_ENOALG);
    CHECK_EQ(ssh_disconnect_reason(SSH_ENOALG), SSH_DISCONNECT_KEY_EXCHANGE_FAILED);
    struct ssh_wr out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    CHECK(ssh_transport_disconnect(&c->t, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "no common key exchange", &out) == 0);
    c->from_len += out.len;
    expect_disconnect(c, SSH_DISCONNECT_KEY_EXCHANGE_FAILED, "no common key exchange");
    /* after the handshake: a damaged packet, then the answer under the keys */
    CHECK_EQ(handshake(c, STRICT_EXT, true), SSH_EAGAIN);
    CHECK(c_recv(c, &p) == 0); /* EXT_INFO */
    out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    CHECK(ssh_transport_unimplemented(&c->t, 77, &out) == 0);
    c->from_len += out.len;
    CHECK(c_recv(c, &p) == 0 && p.payload_len == 5 && p.payload[0] == SSH_MSG_UNIMPLEMENTED &&
          ssh_get_u32(p.payload + 1) == 77);
    const uint8_t req[] = {80, 0, 0, 0, 0};
    c_send(c, req, sizeof req);
    c->to_s[c->to_len - 1] ^= 1; /* the tag */
    int e = pump(c, &m);
    CHECK_EQ(e, SSH_EMAC);
    CHECK_EQ(ssh_disconnect_reason(e), SSH_DISCONNECT_MAC_ERROR);
    out = ssh_wr_init(c->from_s + c->from_len, sizeof c->from_s - c->from_len);
    CHECK(ssh_transport_disconnect(&c->t, ssh_disconnect_reason(e), ssh_strerror(e), &out) == 0);
    c->from_len += out.len;
    expect_disconnect(c, SSH_DISCONNECT_MAC_ERROR, "packet authentication failed (Poly1305 tag mismatch)");
    free(c);
    t_end();
}

static void test_wrong_guess(void)
{
    t_begin("first_kex_packet_follows with a wrong guess: that packet is ignored");
    struct client *c = calloc(1, sizeof *c);
    struct ssh_packet m;
    c_start(c);
    c_send_raw(c, "SSH-2.0-guesser\r\n");
    build_kexinit(c, "diffie-hellman-group14-sha256,curve25519-sha256", true, NULL);
    c_send(c, c->i_c, c->i_c_len);
    const uint8_t guessed[] = {SSH_MSG_KEX_ECDH_INIT, 0, 0, 0, 1, 0x42}; /* a DH "e" for group14 */
    c_send(c, guessed, sizeof guessed);
    CHECK_EQ(pump(c, &m), SSH_EAGAIN);
    CHECK(c->t.step == SSH_STEP_ECDH_INIT);
    CHECK_EQ(c_exchange(c, "SSH-2.0-guesser"), SSH_EAGAIN);
    CHECK(!ssh_transport_kex_running(&c->t));
    free(c);
    t_end();
}

/* The host key: OpenSSH's ed25519 test key, read with ssh_buf. */
static bool load_openssh_key(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/openssh/sshkey-testdata-ed25519_1", dir);
    char *pem = t_read_file(path, NULL);
    if (!pem)
        return false;
    char b64[2048] = "";
    for (char *l = strtok(pem, "\n"); l; l = strtok(NULL, "\n"))
        if (l[0] != '-')
            strncat(b64, l, sizeof b64 - strlen(b64) - 1);
    free(pem);
    uint8_t bin[1024];
    size_t n;
    if (sodium_base642bin(bin, sizeof bin, b64, strlen(b64), NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL))
        return false;
    /* openssh-key-v1: magic, cipher "none", kdf "none", options, 1 key,
     * public blob, private section (checks, type, pk, sk, comment) */
    struct ssh_rd r = ssh_rd_init(bin, n);
    const uint8_t *magic;
    struct ssh_str cipher, kdf, opts, pub, priv, type, comment;
    uint32_t count, check1, check2;
    const uint8_t *pk, *sk;
    CHECK(ssh_rd_bytes(&r, 15, &magic) == 0 && memcmp(magic, "openssh-key-v1", 15) == 0);
    CHECK(ssh_rd_string(&r, &cipher) == 0 && ssh_str_eq(cipher, "none"));
    CHECK(ssh_rd_string(&r, &kdf) == 0 && ssh_rd_string(&r, &opts) == 0);
    CHECK(ssh_rd_u32(&r, &count) == 0 && count == 1);
    CHECK(ssh_rd_string(&r, &pub) == 0 && ssh_rd_string(&r, &priv) == 0);
    struct ssh_rd pr = ssh_rd_init(priv.p, priv.len);
    CHECK(ssh_rd_u32(&pr, &check1) == 0 && ssh_rd_u32(&pr, &check2) == 0 && check1 == check2);
    CHECK(ssh_rd_string(&pr, &type) == 0 && ssh_str_eq(type, "ssh-ed25519"));
    CHECK(ssh_rd_string_n(&pr, 32, &pk) == 0 && ssh_rd_string_n(&pr, 64, &sk) == 0);
    CHECK(ssh_rd_string(&pr, &comment) == 0);
    if (t_cur_fail)
        return false;
    memcpy(host_pk, pk, 32);
    memcpy(host_sk, sk, 64);
    /* our key blob is the .pub's, and its SHA-256 the .fp */
    uint8_t blob[SSH_ED25519_BLOB_LEN];
    struct ssh_wr w = ssh_wr_init(blob, sizeof blob);
    ssh_ed25519_key_blob(&w, host_pk);
    CHECK_MEM(blob, w.len, pub.p, pub.len);
    snprintf(path, sizeof path, "%s/openssh/sshkey-testdata-ed25519_1.pub", dir);
    char *pubfile = t_read_file(path, NULL), want[128];
    CHECK(pubfile != NULL);
    if (pubfile) {
        sodium_bin2base64(want, sizeof want, blob, w.len, sodium_base64_VARIANT_ORIGINAL);
        CHECK(strncmp(pubfile, "ssh-ed25519 ", 12) == 0 && strncmp(pubfile + 12, want, strlen(want)) == 0);
        free(pubfile);
    }
    snprintf(path, sizeof path, "%s/openssh/sshkey-testdata-ed25519_1.fp", dir);
    char *fp = t_read_file(path, NULL);
    uint8_t digest[32];
    crypto_hash_sha256(digest, blob, w.len);
    sodium_bin2base64(want, sizeof want, digest, 32, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    CHECK(fp && strncmp(fp, "SHA256:", 7) == 0 && strncmp(fp + 7, want, strlen(want)) == 0);
    free(fp);
    return true;
}

static void test_hostkey(const char *dir)
{
    t_begin(dir ? "ssh-ed25519 host key: OpenSSH's test key, its blob, fingerprint and signatures"
                : "ssh-ed25519 host key: a generated key, its blob and signatures");
    if (dir && !load_openssh_key(dir))
        CHECK(!"OpenSSH's ed25519 test key did not load");
    if (!dir) {
        uint8_t seed[32] = {1, 2, 3};
        crypto_sign_ed25519_seed_keypair(host_pk, host_sk, seed);
    }
    uint8_t sig[SSH_ED25519_SIGBLOB_LEN], blob[SSH_ED25519_BLOB_LEN];
    struct ssh_wr w = ssh_wr_init(sig, sizeof sig);
    struct ssh_signer signer = {.sign = ssh_ed25519_sign_sk, .ctx = host_sk};
    memcpy(signer.pk, host_pk, 32);
    CHECK(ssh_ed25519_sign_blob(&w, &signer, (const uint8_t *)"H", 1) == 0);
    CHECK(!w.overflow && w.len == sizeof sig);
    CHECK(ssh_ed25519_verify_blob(sig, w.len, host_pk, (const uint8_t *)"H", 1) == 0);
    CHECK(ssh_ed25519_verify_blob(sig, w.len, host_pk, (const uint8_t *)"G", 1) == SSH_EKEY);
    CHECK(ssh_ed25519_verify_blob(sig, w.len - 1, host_pk, (const uint8_t *)"H", 1) != 0);
    sig[6] = 'x'; /* "ssh-edx5519" */
    CHECK(ssh_ed25519_verify_blob(sig, w.len, host_pk, (const uint8_t *)"H", 1) == SSH_EFORMAT);
    w = ssh_wr_init(blob, sizeof blob);
    ssh_ed25519_key_blob(&w, host_pk);
    const uint8_t *pk;
    CHECK(ssh_ed25519_key_parse(blob, w.len, &pk) == 0 && memcmp(pk, host_pk, 32) == 0);
    CHECK(ssh_ed25519_key_parse(blob, w.len - 1, &pk) == SSH_ETRUNC);
    t_end();
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : NULL;
    if (!dir)
        printf("skip  ssh/transport: ../shared/testdata/crypto is absent: OpenSSH's test key and recorded "
               "KEXINIT not used (ran with a generated host key and a built KEXINIT)\n");
    test_hostkey(dir);
    if (dir) {
        char path[1024];
        snprintf(path, sizeof path, "%s/ssh-sessions/Server-Cipher-chacha20-poly1305.kex.json", dir);
        char *kj = t_read_file(path, NULL);
        if (kj)
            recorded_i_c = t_json_hex(kj, "I_C", &recorded_i_c_len);
        free(kj);
    }
    test_handshake_strict();
    test_handshake_recorded();
    test_nonstrict();
    test_strict_violations();
    test_no_common();
    test_versions();
    test_bad_public();
    test_rekey();
    test_server_rekey_sent();
    test_server_rekey_received();
    test_server_rekey_crossing();
    test_server_rekey_time();
    test_server_rekey_packets();
    test_server_rekey_unanswered();
    test_wrong_guess();
    test_disconnect();
    free(recorded_i_c);
    printf("  struct ssh_transport: %zu bytes per connection\n", sizeof(struct ssh_transport));
    return t_done();
}
