/* ssh_conn.c - user authentication and session channels (ssh_conn.h). */
#include "ssh_conn.h"
#include <string.h>
#include "ssh_hostkey.h"
#include "ssh_transport.h"

#define SSH_OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define SSH_OPEN_UNKNOWN_CHANNEL_TYPE 3
#define SSH_OPEN_RESOURCE_SHORTAGE 4

void ssh_conn_init(struct ssh_conn *c, const struct ssh_conn_ops *ops, void *ctx, const struct ssh_conn_cfg *cfg,
                   const uint8_t session_id[SSH_HASH_LEN])
{
    memset(c, 0, sizeof *c);
    c->ops = ops;
    c->ctx = ctx;
    c->cfg = cfg;
    c->session_id = session_id;
}

static int send_msg(struct ssh_conn *c, const struct ssh_wr *w)
{
    int e = ssh_wr_status(w);
    return e ? e : c->ops->send(c->ctx, w->p, w->len);
}

/* A string as a C string (empty when it holds NUL or does not fit). */
static void copy_cstr(char *dst, size_t cap, struct ssh_str s)
{
    if (s.len >= cap || memchr(s.p, 0, s.len))
        s.len = 0;
    memcpy(dst, s.p, s.len);
    dst[s.len] = 0;
}

/* ---- RFC 4252 -------------------------------------------------------- */

static int auth_failure(struct ssh_conn *c, bool counts)
{
    uint8_t buf[64];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    if (counts && ++c->failures >= c->cfg->max_auth_tries) {
        c->why = "too many authentication failures";
        return SSH_EAUTHMAX;
    }
    ssh_wr_u8(&w, SSH_MSG_USERAUTH_FAILURE);
    const char *methods = c->cfg->publickey && c->cfg->password ? "publickey,password"
                          : c->cfg->publickey                    ? "publickey"
                                                                 : "password";
    ssh_wr_cstring(&w, methods);
    ssh_wr_bool(&w, false);
    return send_msg(c, &w);
}

static void login_event(struct ssh_conn *c, bool ok, const char *method, const uint8_t *pk)
{
    if (c->ops->login)
        c->ops->login(c->ctx, ok, method, c->user, pk);
}

static int auth_success(struct ssh_conn *c, const char *method, const uint8_t *pk)
{
    uint8_t b = SSH_MSG_USERAUTH_SUCCESS;
    c->authenticated = true;
    c->ops->log(c->ctx, false, "accepted %s for %s", method, c->user);
    login_event(c, true, method, pk);
    return c->ops->send(c->ctx, &b, 1);
}

/* The data a publickey signature covers (RFC 4252 section 7): the
 * session id, then the request as sent, up to the signature. */
static int publickey_signed(struct ssh_conn *c, const uint8_t *req, size_t req_len, struct ssh_str sig,
                            const uint8_t *pk)
{
    uint8_t buf[SSH_HASH_LEN + 4 + 1024];
    if (req_len > 1024)
        return SSH_EFORMAT;
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_string(&w, c->session_id, SSH_HASH_LEN);
    ssh_wr_bytes(&w, req, req_len);
    if (ssh_wr_status(&w))
        return SSH_EFORMAT;
    return ssh_ed25519_verify_blob(sig.p, sig.len, pk, buf, w.len);
}

static int userauth_publickey(struct ssh_conn *c, struct ssh_rd *r, const uint8_t *msg)
{
    bool has_sig;
    struct ssh_str alg, blob, sig = {0};
    int e;
    if ((e = ssh_rd_bool(r, &has_sig)) || (e = ssh_rd_string(r, &alg)) || (e = ssh_rd_string(r, &blob)))
        return e;
    size_t signed_len = r->off;
    if (has_sig && (e = ssh_rd_string(r, &sig)))
        return e;
    if ((e = ssh_rd_end(r)))
        return e;
    const uint8_t *pk;
    if (!c->cfg->publickey || !ssh_str_eq(alg, "ssh-ed25519") || ssh_ed25519_key_parse(blob.p, blob.len, &pk)) {
        c->ops->log(c->ctx, true, "refused %.*s key for %s: only ssh-ed25519 keys are accepted",
                    (int)(alg.len > 40 ? 40 : alg.len), alg.p, c->user);
        return auth_failure(c, false);
    }
    bool listed = strcmp(c->user, c->cfg->user) == 0 && c->ops->key_ok(c->ctx, c->user, pk) == 0;
    if (!has_sig) {
        /* a query: may this key log in? (the client signs only then) */
        if (!listed)
            return auth_failure(c, false);
        uint8_t buf[128];
        struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
        ssh_wr_u8(&w, SSH_MSG_USERAUTH_PK_OK);
        ssh_wr_string(&w, alg.p, alg.len);
        ssh_wr_string(&w, blob.p, blob.len);
        return send_msg(c, &w);
    }
    if (!listed || publickey_signed(c, msg, signed_len, sig, pk) != 0) {
        c->ops->log(c->ctx, true, "failed publickey for %s", c->user);
        login_event(c, false, "publickey", pk);
        return auth_failure(c, true);
    }
    return auth_success(c, "publickey", pk);
}

static int userauth_password(struct ssh_conn *c, struct ssh_rd *r)
{
    bool change;
    struct ssh_str pw;
    int e;
    if ((e = ssh_rd_bool(r, &change)) || (e = ssh_rd_string(r, &pw)))
        return e;
    if (change || !c->cfg->password)
        return auth_failure(c, false);
    bool ok = strcmp(c->user, c->cfg->user) == 0 &&
              c->ops->password_ok(c->ctx, c->user, (const char *)pw.p, pw.len) == 0;
    if (!ok) {
        c->ops->log(c->ctx, true, "failed password for %s", c->user);
        login_event(c, false, "password", NULL);
        return auth_failure(c, true);
    }
    return auth_success(c, "password", NULL);
}

static int userauth_request(struct ssh_conn *c, const uint8_t *msg, size_t len)
{
    struct ssh_rd r = ssh_rd_init(msg, len);
    struct ssh_str user, service, method;
    uint8_t type;
    int e;
    if (c->authenticated)
        return 0;  /* RFC 4252 section 5.1: ignored after success */
    if ((e = ssh_rd_u8(&r, &type)) || (e = ssh_rd_string(&r, &user)) || (e = ssh_rd_string(&r, &service)) ||
        (e = ssh_rd_string(&r, &method)))
        return e;
    copy_cstr(c->user, sizeof c->user, user);
    if (c->cfg->banner && c->cfg->banner[0] && !c->banner_sent) {
        /* RFC 4252 section 5.4: before the first answer to a login */
        uint8_t buf[1100];
        struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
        ssh_wr_u8(&w, SSH_MSG_USERAUTH_BANNER);
        ssh_wr_cstring(&w, c->cfg->banner);
        ssh_wr_cstring(&w, "");
        c->banner_sent = true;
        if ((e = send_msg(c, &w)))
            return e;
    }
    if (!ssh_str_eq(service, "ssh-connection")) {
        c->why = "userauth for a service other than ssh-connection";
        return SSH_ESERVICE;
    }
    if (ssh_str_eq(method, "publickey"))
        return userauth_publickey(c, &r, msg);
    if (ssh_str_eq(method, "password"))
        return userauth_password(c, &r);
    return auth_failure(c, false);  /* "none", keyboard-interactive, hostbased: list ours */
}

static int service_request(struct ssh_conn *c, const uint8_t *msg, size_t len)
{
    struct ssh_rd r = ssh_rd_init(msg + 1, len - 1);
    struct ssh_str name;
    int e;
    if ((e = ssh_rd_string(&r, &name)) || (e = ssh_rd_end(&r)))
        return e;
    if (!ssh_str_eq(name, "ssh-userauth") || c->service) {
        c->why = "service request for something other than ssh-userauth";
        return SSH_ESERVICE;
    }
    c->service = true;
    uint8_t buf[32];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u8(&w, SSH_MSG_SERVICE_ACCEPT);
    ssh_wr_cstring(&w, "ssh-userauth");
    return send_msg(c, &w);
}

/* ---- RFC 4254 -------------------------------------------------------- */

static int channel_open(struct ssh_conn *c, struct ssh_rd *r)
{
    struct ssh_str type;
    uint32_t sender, window, max_packet;
    int e;
    if ((e = ssh_rd_string(r, &type)) || (e = ssh_rd_u32(r, &sender)) || (e = ssh_rd_u32(r, &window)) ||
        (e = ssh_rd_u32(r, &max_packet)))
        return e;
    uint32_t reason = SSH_OPEN_UNKNOWN_CHANNEL_TYPE;
    const char *text = "only session channels are offered (no forwarding)";
    struct ssh_chan *ch = NULL;
    if (ssh_str_eq(type, "session") && ssh_rd_end(r) == 0) {
        for (size_t i = 0; i < SSH_CONN_CHANNELS && !ch; i++)
            if (!c->chan[i].open)
                ch = &c->chan[i];
        reason = SSH_OPEN_RESOURCE_SHORTAGE;
        text = "too many sessions on this connection";
    }
    uint8_t buf[128];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    if (!ch || max_packet < 64) {
        ssh_wr_u8(&w, SSH_MSG_CHANNEL_OPEN_FAILURE);
        ssh_wr_u32(&w, sender);
        ssh_wr_u32(&w, ch ? SSH_OPEN_ADMINISTRATIVELY_PROHIBITED : reason);
        ssh_wr_cstring(&w, ch ? "maximum packet size below 64 bytes" : text);
        ssh_wr_cstring(&w, "");
        return send_msg(c, &w);
    }
    memset(ch, 0, sizeof *ch);
    ch->open = true;
    ch->peer = sender;
    ch->peer_window = window;
    ch->peer_max_packet = max_packet;
    ch->local_window = SSH_CONN_WINDOW;
    ssh_wr_u8(&w, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
    ssh_wr_u32(&w, sender);
    ssh_wr_u32(&w, (uint32_t)(ch - c->chan));
    ssh_wr_u32(&w, SSH_CONN_WINDOW);
    ssh_wr_u32(&w, SSH_CONN_MAX_PACKET);
    return send_msg(c, &w);
}

/* The open channel a message names (its first field), or NULL. */
static struct ssh_chan *named_channel(struct ssh_conn *c, struct ssh_rd *r)
{
    uint32_t id;
    if (ssh_rd_u32(r, &id) || id >= SSH_CONN_CHANNELS || !c->chan[id].open || c->chan[id].close_rcvd)
        return NULL;
    return &c->chan[id];
}

static int reply(struct ssh_conn *c, struct ssh_chan *ch, bool ok)
{
    uint8_t buf[8];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u8(&w, ok ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE);
    ssh_wr_u32(&w, ch->peer);
    return send_msg(c, &w);
}

/* The variable names a session takes from "env" requests, as Debian's
 * sshd_config accepts them (AcceptEnv LANG LC_*); the rest are refused. */
static bool env_accepted(struct ssh_str name)
{
    return ssh_str_eq(name, "LANG") || (name.len > 3 && memcmp(name.p, "LC_", 3) == 0);
}

/* The request's own fields: true when it is understood and granted. */
static int channel_request_body(struct ssh_conn *c, struct ssh_chan *ch, struct ssh_str type, struct ssh_rd *r,
                                bool *ok)
{
    int e;
    *ok = false;
    if (ssh_str_eq(type, "pty-req")) {
        struct ssh_str term, modes;
        uint32_t cols, rows, pw, ph;
        if ((e = ssh_rd_string(r, &term)) || (e = ssh_rd_u32(r, &cols)) || (e = ssh_rd_u32(r, &rows)) ||
            (e = ssh_rd_u32(r, &pw)) || (e = ssh_rd_u32(r, &ph)) || (e = ssh_rd_string(r, &modes)))
            return e;
        if (!ch->started) {
            copy_cstr(ch->term, sizeof ch->term, term);
            ch->cols = cols, ch->rows = rows;
            ch->pty = *ok = true;
        }
    } else if (ssh_str_eq(type, "window-change")) {
        uint32_t cols, rows, pw, ph;
        if ((e = ssh_rd_u32(r, &cols)) || (e = ssh_rd_u32(r, &rows)) || (e = ssh_rd_u32(r, &pw)) ||
            (e = ssh_rd_u32(r, &ph)))
            return e;
        ch->cols = cols, ch->rows = rows;
        if (ch->started && c->ops->resized)
            c->ops->resized(c->ctx, ch);
        *ok = true;
    } else if (ssh_str_eq(type, "env")) {
        struct ssh_str name, value;
        if ((e = ssh_rd_string(r, &name)) || (e = ssh_rd_string(r, &value)))
            return e;
        *ok = env_accepted(name);  /* the image has no processes to give them to: taken, not used */
    } else if (ssh_str_eq(type, "shell") || ssh_str_eq(type, "exec")) {
        char command[SSH_CONN_COMMAND_MAX + 1];
        bool exec = ssh_str_eq(type, "exec");
        if (exec) {
            struct ssh_str cmd;
            if ((e = ssh_rd_string(r, &cmd)))
                return e;
            if (cmd.len > SSH_CONN_COMMAND_MAX || memchr(cmd.p, 0, cmd.len))
                return 0;
            copy_cstr(command, sizeof command, cmd);
        }
        if (!ch->started && c->ops->start(c->ctx, ch, exec ? command : NULL) == 0)
            ch->started = *ok = true;
    } else {
        return 0;  /* subsystem (sftp), x11-req, signal, break, agent forwarding: not offered */
    }
    return ssh_rd_end(r);
}

static int channel_request(struct ssh_conn *c, struct ssh_rd *r)
{
    struct ssh_chan *ch = named_channel(c, r);
    struct ssh_str type;
    bool want_reply, ok;
    int e;
    if (!ch)
        return SSH_ECHANNEL;
    if ((e = ssh_rd_string(r, &type)) || (e = ssh_rd_bool(r, &want_reply)))
        return e;
    if ((e = channel_request_body(c, ch, type, r, &ok)))
        return e;
    return want_reply ? reply(c, ch, ok) : 0;
}

static int channel_data(struct ssh_conn *c, struct ssh_rd *r, bool extended)
{
    struct ssh_chan *ch = named_channel(c, r);
    struct ssh_str data;
    uint32_t code;
    int e;
    if (!ch)
        return SSH_ECHANNEL;
    if ((extended && (e = ssh_rd_u32(r, &code))) || (e = ssh_rd_string(r, &data)) || (e = ssh_rd_end(r)))
        return e;
    if (data.len > ch->local_window || data.len > SSH_CONN_MAX_PACKET) {
        c->why = "the client sent more than the window allows";
        return SSH_EWINDOW;
    }
    ch->local_window -= data.len;
    if (extended || !ch->started || ch->eof_rcvd) {
        ch->consumed += data.len;  /* nobody reads it: grant it back */
        return ssh_conn_consumed(c, ch, 0);
    }
    c->ops->data(c->ctx, ch, data.p, data.len);
    return 0;
}

static int channel_window_adjust(struct ssh_conn *c, struct ssh_rd *r)
{
    struct ssh_chan *ch = named_channel(c, r);
    uint32_t n;
    int e;
    if (!ch)
        return SSH_ECHANNEL;
    if ((e = ssh_rd_u32(r, &n)) || (e = ssh_rd_end(r)))
        return e;
    /* RFC 4254 5.2: a window may grow to 2^32 - 1 bytes, no further */
    ch->peer_window = n > UINT32_MAX - ch->peer_window ? UINT32_MAX : ch->peer_window + n;
    return 0;
}

static int channel_eof_close(struct ssh_conn *c, struct ssh_rd *r, bool close)
{
    struct ssh_chan *ch = named_channel(c, r);
    int e;
    if (!ch)
        return SSH_ECHANNEL;
    if ((e = ssh_rd_end(r)))
        return e;
    if (!close) {
        ch->eof_rcvd = true;
        if (ch->started)
            c->ops->eof(c->ctx, ch);
        return 0;
    }
    ch->close_rcvd = true;
    if (ch->started) {
        c->ops->closed(c->ctx, ch);  /* the server finishes and releases it */
        return 0;
    }
    e = ssh_conn_finish(c, ch, -1);
    ssh_conn_release(c, ch);
    return e;
}

static int global_request(struct ssh_conn *c, struct ssh_rd *r)
{
    struct ssh_str name;
    bool want_reply;
    int e;
    if ((e = ssh_rd_string(r, &name)) || (e = ssh_rd_bool(r, &want_reply)))
        return e;
    /* no-more-sessions, hostkeys-00, keepalive, tcpip-forward: none granted */
    uint8_t b = SSH_MSG_REQUEST_FAILURE;
    return want_reply ? c->ops->send(c->ctx, &b, 1) : 0;
}

int ssh_conn_message(struct ssh_conn *c, const uint8_t *msg, size_t len, uint32_t seq)
{
    (void)seq;
    if (!len)
        return SSH_EFORMAT;
    struct ssh_rd r = ssh_rd_init(msg + 1, len - 1);
    uint8_t type = msg[0];
    switch (type) {
    case SSH_MSG_DISCONNECT: return SSH_ECLOSED;
    case SSH_MSG_IGNORE:
    case SSH_MSG_DEBUG:
    case SSH_MSG_UNIMPLEMENTED: return 0;
    case SSH_MSG_SERVICE_REQUEST: return service_request(c, msg, len);
    case SSH_MSG_USERAUTH_REQUEST:
        if (!c->service)
            return SSH_EUNAUTH;
        return userauth_request(c, msg, len);
    }
    if (type >= 80 && type <= 127 && !c->authenticated) {
        c->why = "a connection protocol message before authentication";
        return SSH_EUNAUTH;
    }
    switch (type) {
    case SSH_MSG_GLOBAL_REQUEST: return global_request(c, &r);
    case SSH_MSG_CHANNEL_OPEN: return channel_open(c, &r);
    case SSH_MSG_CHANNEL_WINDOW_ADJUST: return channel_window_adjust(c, &r);
    case SSH_MSG_CHANNEL_DATA: return channel_data(c, &r, false);
    case SSH_MSG_CHANNEL_EXTENDED_DATA: return channel_data(c, &r, true);
    case SSH_MSG_CHANNEL_EOF: return channel_eof_close(c, &r, false);
    case SSH_MSG_CHANNEL_CLOSE: return channel_eof_close(c, &r, true);
    case SSH_MSG_CHANNEL_REQUEST: return channel_request(c, &r);
    case SSH_MSG_CHANNEL_SUCCESS:
    case SSH_MSG_CHANNEL_FAILURE:
    case 81: case 82:  /* answers to requests we never make */
        return 0;
    }
    return SSH_EUNKNOWN;
}

/* ---- the server's sessions ------------------------------------------- */

long ssh_conn_write(struct ssh_conn *c, struct ssh_chan *ch, const uint8_t *p, size_t n)
{
    if (ch->close_sent || ch->close_rcvd)
        return SSH_ECHANNEL;
    size_t max = ch->peer_max_packet < SSH_CONN_DATA_MAX ? ch->peer_max_packet : SSH_CONN_DATA_MAX;
    if (n > max)
        n = max;
    if (n > ch->peer_window)
        n = ch->peer_window;
    if (!n)
        return 0;
    struct ssh_wr w = ssh_wr_init(c->scratch, sizeof c->scratch);
    ssh_wr_u8(&w, SSH_MSG_CHANNEL_DATA);
    ssh_wr_u32(&w, ch->peer);
    ssh_wr_string(&w, p, n);
    int e = send_msg(c, &w);
    if (e < 0)
        return e;
    ch->peer_window -= (uint32_t)n;
    return (long)n;
}

int ssh_conn_consumed(struct ssh_conn *c, struct ssh_chan *ch, size_t n)
{
    ch->consumed += (uint32_t)n;
    if (ch->consumed < SSH_CONN_WINDOW / 2 || ch->close_sent || ch->close_rcvd)
        return 0;
    uint8_t buf[16];
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u8(&w, SSH_MSG_CHANNEL_WINDOW_ADJUST);
    ssh_wr_u32(&w, ch->peer);
    ssh_wr_u32(&w, ch->consumed);
    int e = send_msg(c, &w);
    if (e == 0) {
        ch->local_window += ch->consumed;
        ch->consumed = 0;
    }
    return e;
}

int ssh_conn_finish(struct ssh_conn *c, struct ssh_chan *ch, int status)
{
    uint8_t buf[64];
    int e = 0;
    if (ch->close_sent)
        return 0;
    if (status >= 0 && !ch->close_rcvd) {
        struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
        ssh_wr_u8(&w, SSH_MSG_CHANNEL_REQUEST);
        ssh_wr_u32(&w, ch->peer);
        ssh_wr_cstring(&w, "exit-status");
        ssh_wr_bool(&w, false);
        ssh_wr_u32(&w, (uint32_t)status);
        e = send_msg(c, &w);
        w = ssh_wr_init(buf, sizeof buf);
        ssh_wr_u8(&w, SSH_MSG_CHANNEL_EOF);
        ssh_wr_u32(&w, ch->peer);
        if (!e)
            e = send_msg(c, &w);
    }
    struct ssh_wr w = ssh_wr_init(buf, sizeof buf);
    ssh_wr_u8(&w, SSH_MSG_CHANNEL_CLOSE);
    ssh_wr_u32(&w, ch->peer);
    ch->close_sent = true;
    return e ? e : send_msg(c, &w);
}

bool ssh_conn_release(struct ssh_conn *c, struct ssh_chan *ch)
{
    (void)c;
    if (!ch->open || !ch->close_sent || !ch->close_rcvd)
        return false;
    memset(ch, 0, sizeof *ch);
    return true;
}
