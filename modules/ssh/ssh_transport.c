/* ssh_transport.c - one connection's transport layer, server side
 * (ssh_transport.h): identification, key exchange, strict kex, packets. */
#include "ssh_transport.h"
#include "ssh_extinfo.h"
#include <anx/lib.h>

void ssh_transport_init(struct ssh_transport *t, const char *software, const struct ssh_signer *host,
                        ssh_random_fn random, void *random_ctx)
{
    memset(t, 0, sizeof *t);
    t->step = SSH_STEP_VERSION;
    t->initial = true;
    t->host = host;
    t->random = random;
    t->random_ctx = random_ctx;
    /* "SSH-2.0-" + software, cut to fit the 255-byte line with CR LF */
    t->v_s_len = strlcpy(t->v_s, "SSH-2.0-", sizeof t->v_s);
    strlcat(t->v_s, software, SSH_VERSION_MAX - 2);
    t->v_s_len = strlen(t->v_s);
}

void ssh_transport_wipe(struct ssh_transport *t) { sodium_memzero(t, sizeof *t); }

/* Frame and seal one payload into out, with random padding. */
static int emit(struct ssh_transport *t, const uint8_t *payload, size_t len, struct ssh_wr *out)
{
    uint8_t padding[255];
    size_t padlen = ssh_packet_padlen(&t->tx, len);
    t->random(t->random_ctx, padding, padlen);
    size_t wire;
    if (out->overflow)
        return SSH_ESPACE;
    int e = ssh_packet_seal(&t->tx, payload, len, padding, padlen, out->p + out->len, out->cap - out->len, &wire);
    if (e)
        return e;
    out->len += wire;
    t->tx_bytes += wire;
    t->tx_packets++;
    return 0;
}

/* Our KEXINIT with a fresh cookie, kept for the exchange hash, and sent. */
static int send_kexinit(struct ssh_transport *t, struct ssh_wr *out)
{
    uint8_t cookie[SSH_COOKIE_LEN];
    t->random(t->random_ctx, cookie, sizeof cookie);
    struct ssh_wr w = ssh_wr_init(t->i_s, sizeof t->i_s);
    ssh_kexinit_build_server(&w, cookie);
    if (w.overflow)
        return SSH_ESPACE;
    t->i_s_len = w.len;
    t->step = SSH_STEP_KEXINIT;
    t->tx_kex = true; /* nothing but the exchange goes out until our NEWKEYS */
    if (t->limits.clock)
        t->kexinit_ns = t->limits.clock(t->limits.clock_ctx);
    return emit(t, t->i_s, t->i_s_len, out);
}

/* A limit of ssh_transport_set_rekey reached while no exchange runs. */
static bool rekey_due(const struct ssh_transport *t)
{
    const struct ssh_rekey_limits *l = &t->limits;
    if (t->step != SSH_STEP_RUNNING)
        return false;
    if (l->bytes && (t->rx_bytes >= l->bytes || t->tx_bytes >= l->bytes))
        return true;
    if (l->packets && (t->rx_packets >= l->packets || t->tx_packets >= l->packets))
        return true;
    return l->interval_ns && l->clock && l->clock(l->clock_ctx) - t->keys_ns >= l->interval_ns;
}

/* Start a re-key when one is due and our KEXINIT fits in out (else a later
 * call starts it: the limits are far from where the keys wear out). */
static int maybe_rekey(struct ssh_transport *t, struct ssh_wr *out)
{
    if (!rekey_due(t) || out->overflow || out->cap - out->len < SSH_KEXINIT_WIRE)
        return 0;
    t->kex_ours++;
    return send_kexinit(t, out);
}

void ssh_transport_set_rekey(struct ssh_transport *t, const struct ssh_rekey_limits *limits)
{
    t->limits = *limits;
    if (limits->clock)
        t->keys_ns = limits->clock(limits->clock_ctx);
}

int ssh_transport_poll(struct ssh_transport *t, struct ssh_wr *out)
{
    const struct ssh_rekey_limits *l = &t->limits;
    /* a re-key (not the first exchange, which has login_timeout) left unanswered */
    if (t->tx_kex && t->kex_done && l->clock &&
        l->clock(l->clock_ctx) - t->kexinit_ns >= SSH_REKEY_ANSWER_NS)
        return SSH_EREKEY;
    return maybe_rekey(t, out);
}

/* Keep one message of the layers above until our NEWKEYS is out. */
static int hold(struct ssh_transport *t, const uint8_t *payload, size_t len)
{
    /* its length here, then sealed: length, padding length, up to 11 bytes of padding, tag */
    size_t wire = 4 + len + 32;
    if (len > SSH_HOLD_MAX || t->hold_wire + wire > SSH_HOLD_MAX)
        return SSH_EREKEY;
    ssh_put_u32(t->hold + t->hold_len, (uint32_t)len);
    memcpy(t->hold + t->hold_len + 4, payload, len);
    t->hold_len += 4 + len;
    t->hold_wire += wire;
    return 0;
}

/* The held messages, in the order they were given, under the new keys. */
static int send_held(struct ssh_transport *t, struct ssh_wr *out)
{
    int e = 0;
    for (size_t off = 0; !e && off < t->hold_len;) {
        uint32_t len = ssh_get_u32(t->hold + off);
        e = emit(t, t->hold + off + 4, len, out);
        off += 4 + len;
    }
    sodium_memzero(t->hold, t->hold_len); /* channel data: wipe it like the keys */
    t->hold_len = t->hold_wire = 0;
    return e;
}

int ssh_transport_start(struct ssh_transport *t, struct ssh_wr *out)
{
    ssh_wr_bytes(out, t->v_s, t->v_s_len);
    ssh_wr_bytes(out, "\r\n", 2);
    if (out->overflow)
        return SSH_ESPACE;
    int e = send_kexinit(t, out);
    t->step = SSH_STEP_VERSION; /* the KEXINIT is out; the client's line comes first */
    return e;
}

/* The client's identification line: "SSH-2.0-softwareversion SP comments"
 * ending in CR LF (a bare LF is accepted, as OpenSSH does). A server gets
 * no other lines before it (RFC 4253 4.2 allows them only from servers). */
static int read_version(struct ssh_transport *t, const uint8_t *in, size_t n, size_t *used)
{
    size_t lim = ANX_MIN(n, (size_t)SSH_VERSION_MAX);
    const uint8_t *lf = memchr(in, '\n', lim);
    if (!lf)
        return n >= SSH_VERSION_MAX ? SSH_EVERSION : SSH_EAGAIN;
    size_t len = (size_t)(lf - in);
    if (len > 0 && in[len - 1] == '\r')
        len--;
    bool v2 = len >= 8 && memcmp(in, "SSH-2.0-", 8) == 0;
    bool v199 = len >= 9 && memcmp(in, "SSH-1.99-", 9) == 0; /* "speaks 2.0 too" */
    if (!v2 && !v199)
        return SSH_EVERSION;
    for (size_t i = 0; i < len; i++)
        if (in[i] < 0x20 || in[i] > 0x7e)
            return SSH_EVERSION;
    memcpy(t->v_c, in, len);
    t->v_c_len = len;
    *used = (size_t)(lf - in) + 1;
    t->step = SSH_STEP_KEXINIT;
    return 0;
}

static int on_kexinit(struct ssh_transport *t, const struct ssh_packet *p, struct ssh_wr *out)
{
    int e;
    if (t->step == SSH_STEP_RUNNING && (e = send_kexinit(t, out))) /* the client re-keys */
        return e;
    struct ssh_kexinit client, server;
    struct ssh_kex_choice choice;
    if ((e = ssh_kexinit_parse(p->payload, p->payload_len, &client)))
        return e;
    if ((e = ssh_kexinit_parse(t->i_s, t->i_s_len, &server)))
        return e;
    if ((e = ssh_kex_negotiate(&client, &server, &choice))) {
        t->nomatch = choice.failed;
        return e;
    }
    if (t->initial) {
        t->strict = choice.strict;
        t->ext_info_c = choice.ext_info_c;
        if (t->strict && p->seq != 0) /* the KEXINIT must be the client's first packet */
            return SSH_ESTRICT;
    }
    t->ignore_guess = choice.guess_wrong;
    struct ssh_str v_c = {(const uint8_t *)t->v_c, (uint32_t)t->v_c_len};
    struct ssh_str v_s = {(const uint8_t *)t->v_s, (uint32_t)t->v_s_len};
    struct ssh_str i_c = {p->payload, (uint32_t)p->payload_len};
    struct ssh_str i_s = {t->i_s, (uint32_t)t->i_s_len};
    ssh_kex_hash_start(&t->hash, v_c, v_s, i_c, i_s);
    t->step = SSH_STEP_ECDH_INIT;
    return 0;
}

/* Compute K and H, answer with ECDH_REPLY and NEWKEYS, take the new
 * outgoing keys at once (our NEWKEYS is sent) and keep the incoming ones
 * for the client's NEWKEYS. */
static int on_ecdh_init(struct ssh_transport *t, const struct ssh_packet *p, struct ssh_wr *out)
{
    struct ssh_str q_c;
    int e = ssh_kex_ecdh_init_parse(p->payload, p->payload_len, &q_c);
    if (e)
        return e;
    uint8_t eph[SSH_X25519_LEN], q_s[SSH_X25519_LEN], k[SSH_X25519_LEN], h[SSH_HASH_LEN];
    uint8_t ks_buf[SSH_ED25519_BLOB_LEN], sig_buf[SSH_ED25519_SIGBLOB_LEN], reply[256];
    uint8_t tx_key[SSH_CHACHA_KEY_LEN];
    t->random(t->random_ctx, eph, sizeof eph);
    e = ssh_kex_c25519_shared(q_c.p, q_c.len, eph, q_s, k);
    sodium_memzero(eph, sizeof eph);
    if (e)
        return e;
    struct ssh_wr ks = ssh_wr_init(ks_buf, sizeof ks_buf);
    ssh_ed25519_key_blob(&ks, t->host->pk);
    struct ssh_str k_s = {ks_buf, (uint32_t)ks.len};
    ssh_kex_hash_finish(&t->hash, k_s, q_c.p, q_s, k, h);
    if (!t->have_session_id) { /* the first H names the session for good */
        memcpy(t->session_id, h, SSH_HASH_LEN);
        t->have_session_id = true;
    }
    struct ssh_wr sig = ssh_wr_init(sig_buf, sizeof sig_buf);
    e = ssh_ed25519_sign_blob(&sig, t->host, h, sizeof h);
    if (e) {
        sodium_memzero(k, sizeof k);
        return e;
    }
    struct ssh_wr w = ssh_wr_init(reply, sizeof reply);
    ssh_kex_ecdh_reply_build(&w, k_s, q_s, (struct ssh_str){sig_buf, (uint32_t)sig.len});
    ssh_kex_derive(k, h, 'D', t->session_id, tx_key, sizeof tx_key);  /* server to client */
    ssh_kex_derive(k, h, 'C', t->session_id, t->rx_key, sizeof t->rx_key); /* client to server */
    sodium_memzero(k, sizeof k);
    uint8_t newkeys = SSH_MSG_NEWKEYS;
    e = ks.overflow || sig.overflow || w.overflow ? SSH_ESPACE : 0;
    if (!e)
        e = emit(t, reply, w.len, out);
    if (!e)
        e = emit(t, &newkeys, 1, out);
    if (!e) {
        ssh_cipher_set_key(&t->tx, tx_key);
        if (t->strict)
            t->tx.seq = 0;
        t->step = SSH_STEP_NEWKEYS;
        t->tx_kex = false;
        t->tx_bytes = t->tx_packets = 0;
    }
    sodium_memzero(tx_key, sizeof tx_key);
    if (!e && t->initial && t->ext_info_c) { /* RFC 8308: the packet after our first NEWKEYS */
        uint8_t ext[64];
        struct ssh_wr x = ssh_wr_init(ext, sizeof ext);
        ssh_ext_info_build(&x);
        e = x.overflow ? SSH_ESPACE : emit(t, ext, x.len, out);
    }
    if (!e && t->hold_len) /* RFC 4253 7.3: we may send again once our NEWKEYS is out */
        e = send_held(t, out);
    return e;
}

static int on_newkeys(struct ssh_transport *t, const struct ssh_packet *p)
{
    if (p->payload_len != 1)
        return SSH_EFORMAT;
    ssh_cipher_set_key(&t->rx, t->rx_key);
    sodium_memzero(t->rx_key, sizeof t->rx_key);
    if (t->strict)
        t->rx.seq = 0;
    t->initial = false;
    t->step = SSH_STEP_RUNNING;
    t->kex_done++;
    t->rx_bytes = t->rx_packets = 0;
    if (t->limits.clock)
        t->keys_ns = t->limits.clock(t->limits.clock_ctx);
    return 0;
}

/* The message a running exchange waits for. */
static uint8_t expected(const struct ssh_transport *t)
{
    switch (t->step) {
    case SSH_STEP_KEXINIT: return SSH_MSG_KEXINIT;
    case SSH_STEP_ECDH_INIT: return SSH_MSG_KEX_ECDH_INIT;
    case SSH_STEP_NEWKEYS: return SSH_MSG_NEWKEYS;
    default: return 0;
    }
}

static int running(struct ssh_transport *t, const struct ssh_packet *p, struct ssh_wr *out);

static int during_kex(struct ssh_transport *t, const struct ssh_packet *p, struct ssh_wr *out)
{
    uint8_t msg = p->payload[0];
    if (msg == SSH_MSG_DISCONNECT)
        return SSH_INPUT_MSG;
    /* Our re-key's KEXINIT is out, the client's not in: until it sees ours
     * the client may send anything (RFC 4253 7.1), and its KEXINIT, sent
     * for its own re-key or in answer, makes this the one exchange. */
    if (t->step == SSH_STEP_KEXINIT && !t->initial)
        return running(t, p, out);
    if (msg != expected(t)) {
        if (t->strict && t->initial)
            return SSH_ESTRICT;
        if (msg == SSH_MSG_IGNORE || msg == SSH_MSG_DEBUG || msg == SSH_MSG_UNIMPLEMENTED)
            return 0;
        if (t->ignore_guess && t->step == SSH_STEP_ECDH_INIT && msg >= 30 && msg <= 49) {
            t->ignore_guess = false; /* the client's wrongly guessed kex packet */
            return 0;
        }
        return SSH_EORDER;
    }
    switch (msg) {
    case SSH_MSG_KEXINIT: return on_kexinit(t, p, out);
    case SSH_MSG_KEX_ECDH_INIT:
        if (t->ignore_guess) { /* a guess of the right message but the wrong algorithm */
            t->ignore_guess = false;
            return 0;
        }
        return on_ecdh_init(t, p, out);
    default: return on_newkeys(t, p);
    }
}

static int running(struct ssh_transport *t, const struct ssh_packet *p, struct ssh_wr *out)
{
    uint8_t msg = p->payload[0];
    if (msg == SSH_MSG_KEXINIT)
        return on_kexinit(t, p, out);
    if (msg == SSH_MSG_IGNORE || msg == SSH_MSG_DEBUG || msg == SSH_MSG_UNIMPLEMENTED)
        return 0;
    if (msg >= SSH_MSG_NEWKEYS && msg <= 49) /* key exchange messages outside one */
        return SSH_EORDER;
    return SSH_INPUT_MSG;
}

int ssh_transport_input(struct ssh_transport *t, uint8_t *in, size_t n, size_t *used, struct ssh_wr *out,
                        struct ssh_packet *msg)
{
    *used = 0;
    if (t->step == SSH_STEP_VERSION)
        return read_version(t, in, n, used);
    struct ssh_packet p;
    size_t u;
    int e = ssh_packet_open(&t->rx, in, n, &p, &u);
    if (e)
        return e;
    *used = u;
    t->rx_bytes += u;
    t->rx_packets++;
    if (t->initial && t->strict && p.seq == UINT32_MAX)
        return SSH_ESEQ; /* OpenSSH: a wrap during the initial strict kex is fatal */
    e = t->step == SSH_STEP_RUNNING ? running(t, &p, out) : during_kex(t, &p, out);
    if (e == SSH_INPUT_MSG)
        *msg = p;
    if (e == 0 || e == SSH_INPUT_MSG) {
        int r = maybe_rekey(t, out);
        if (r)
            return r;
    }
    return e;
}

int ssh_transport_send(struct ssh_transport *t, const uint8_t *payload, size_t len, struct ssh_wr *out)
{
    if (t->initial)
        return SSH_EORDER; /* nothing of the layers above exists before the first exchange */
    if (len == 0)
        return SSH_EFORMAT;
    if (t->tx_kex)
        return hold(t, payload, len);
    int e = emit(t, payload, len, out);
    return e ? e : maybe_rekey(t, out);
}

uint32_t ssh_disconnect_reason(int err)
{
    switch (err) {
    case SSH_EMAC: return SSH_DISCONNECT_MAC_ERROR;
    case SSH_ENOALG:
    case SSH_EKEY: return SSH_DISCONNECT_KEY_EXCHANGE_FAILED;
    case SSH_EVERSION: return SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED;
    case SSH_ESERVICE: return SSH_DISCONNECT_SERVICE_NOT_AVAILABLE;
    case SSH_EAUTHMAX: return SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE;
    case SSH_EIDLE: return SSH_DISCONNECT_BY_APPLICATION;
    default: return SSH_DISCONNECT_PROTOCOL_ERROR;
    }
}

int ssh_transport_disconnect(struct ssh_transport *t, uint32_t reason, const char *description, struct ssh_wr *out)
{
    uint8_t buf[512];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u8(&w, SSH_MSG_DISCONNECT);
    ssh_wr_u32(&w, reason);
    ssh_wr_cstring(&w, description);
    ssh_wr_cstring(&w, "");
    if (w.overflow)
        return SSH_ESPACE;
    return emit(t, buf, w.len, out);
}

int ssh_transport_unimplemented(struct ssh_transport *t, uint32_t seq, struct ssh_wr *out)
{
    uint8_t buf[5] = {SSH_MSG_UNIMPLEMENTED};
    ssh_put_u32(buf + 1, seq);
    return emit(t, buf, sizeof buf, out);
}
