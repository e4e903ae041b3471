/*
 * ssh_server.c - the SSH server of an image (docs/ssh.md): a listener
 * thread on lwIP, one thread per connection that feeds the socket's bytes
 * to the transport (ssh_transport.h) and its messages to the
 * authentication and channel layer (ssh_conn.h), and one thread per
 * session channel that runs the shell (shell.h) or one command with its
 * console bound to the channel (struct anx_term, <anx/console.h>).
 *
 * Sending: the connection thread (key exchange, replies) and the session
 * threads (their output, exit status) seal packets with one transport, so
 * one of them at a time holds the connection's send lock from sealing a
 * packet to the last byte written: sequence numbers go out in order. A
 * session waits without the lock while a key exchange holds our sending
 * (from our KEXINIT to our NEWKEYS) or the client's window is closed; the
 * connection thread wakes it after every chunk of input it handled. What
 * the connection thread itself answers during a re-key (channel replies)
 * the transport holds and sends after our NEWKEYS, so nothing is lost or
 * reordered.
 *
 * Re-keying by the server (rekey_bytes, rekey_interval, RFC 4253 section
 * 9): the transport starts it from whichever send or input crosses a limit;
 * the connection thread polls it for the interval when nothing flows.
 *
 * Output of a session is buffered (SESSION_OUT bytes) and sent when the
 * buffer fills, before the session waits for input, when it ends, and by
 * the connection thread every FLUSH_NS while a command runs, so a command
 * that prints and then sleeps is seen at once.
 */
#define LOG_TAG "ssh"
#include <anx/audit.h>
#include <anx/command.h>
#include <anx/console.h>
#include <anx/errno.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/thread.h>
#include <anx/time.h>
#include <stdarg.h>

#include "lwip/api.h"
#include "net.h"

#include "cred.h"
#include "shell.h"
#include "ssh_conn.h"
#include "ssh_transport.h"

#define RX_CAP (SSH_CONN_MAX_PACKET + 2048) /* one whole packet, with room for the next one's start */
/* one sealed packet, and our KEXINIT when that packet crosses a re-key limit */
#define TX_CAP (SSH_CONN_DATA_MAX + 256 + SSH_KEXINIT_WIRE)
/* Re-key before a direction's sequence number could come near a wrap
 * under one key (chacha20's nonce is the sequence number, which strict kex
 * resets at every NEWKEYS): OpenSSH's MAX_PACKETS. */
#define REKEY_PACKETS (1ull << 31)
#define SESSION_OUT SSH_CONN_DATA_MAX /* one full data packet */
#define FLUSH_NS (20 * ANX_NS_PER_MS)
#define IDLE_POLL_NS (500 * ANX_NS_PER_MS)
#define CONN_STACK (24 * 1024)
#define SESSION_STACK (24 * 1024)

struct session;

struct conn {
    struct netconn *nc;
    char peer[24];
    struct ssh_transport t;
    struct ssh_conn c;
    uint8_t rx[RX_CAP];
    size_t rx_len;
    uint8_t tx[TX_CAP];
    struct anx_thread *sender;     /* holds the send lock */
    unsigned sender_depth;
    struct anx_waitq send_wq;      /* waiting for the send lock */
    struct anx_waitq progress_wq;  /* sessions waiting for the window or the end of a key exchange */
    struct anx_waitq done_wq;      /* the connection thread waiting for its sessions to end */
    bool dead;                     /* the connection failed or is closing: sessions hang up */
    uint64_t last_traffic;         /* a message of the layers above in or out (idle_timeout) */
    uint64_t bytes_in, bytes_out;
    unsigned running;              /* session threads not yet ended */
    struct session *sessions[SSH_CONN_CHANNELS];
    char scopes[96];               /* the login key's scopes="..." ("": every scope) */
};

struct session {
    struct anx_term term;          /* first: the console's callbacks get it back */
    struct conn *k;
    struct ssh_chan *ch;
    bool exec;
    char command[SSH_CONN_COMMAND_MAX + 1];
    uint8_t in[SSH_CONN_WINDOW];   /* the window we grant is what this holds */
    unsigned in_head, in_tail;     /* free-running */
    unsigned unreported;           /* bytes read, not yet granted back */
    bool eof, hangup, ended;
    struct anx_waitq in_wq;
    char out[SESSION_OUT];
    size_t out_len;
    bool flushing;
};

static struct ssh_signer host_key;
static struct ssh_conn_cfg auth_cfg;
static unsigned active, total, refused;

/* ---- the send lock --------------------------------------------------- */

static void wait_on(struct anx_waitq *wq, uint64_t timeout_ns)
{
    unsigned long f = plat_irq_save();
    if (timeout_ns)
        anx_wait_timeout(wq, timeout_ns);
    else
        anx_wait(wq);
    plat_irq_restore(f);
}

static void send_lock(struct conn *k)
{
    struct anx_thread *me = anx_thread_current();
    if (k->sender == me) {
        k->sender_depth++;
        return;
    }
    unsigned long f = plat_irq_save();
    while (k->sender)
        anx_wait(&k->send_wq);
    plat_irq_restore(f);
    k->sender = me;
    k->sender_depth = 1;
}

static void send_unlock(struct conn *k)
{
    if (--k->sender_depth == 0) {
        k->sender = NULL;
        /* Let the waiter take it before we can take it back: a session
         * streaming output re-takes the lock packet after packet, and the
         * connection thread would read nothing (the client's NEWKEYS, its
         * WINDOW_ADJUST) until the stream stopped. */
        if (anx_waitq_wake_one(&k->send_wq))
            anx_yield();
    }
}

/* For a session: the lock, at a moment no key exchange holds our sending.
 * -1 when the connection is gone, or, without wait (the connection thread,
 * which must not wait for its own progress), while an exchange holds it. */
static int session_send_begin(struct conn *k, bool wait)
{
    for (;;) {
        send_lock(k);
        if (k->dead) {
            send_unlock(k);
            return -1;
        }
        if (!ssh_transport_send_held(&k->t))
            return 0;
        send_unlock(k);
        if (!wait)
            return -1;
        wait_on(&k->progress_wq, 0);
    }
}

static int write_raw(struct conn *k, const uint8_t *p, size_t n)
{
    if (k->dead)
        return -1;
    if (n && net_write_all(k->nc, p, n) != 0) {
        k->dead = true;
        return -1;
    }
    k->bytes_out += n;
    return 0;
}

/* ops->send: seal and write (the caller holds the lock). */
static int conn_send(void *ctx, const uint8_t *payload, size_t len)
{
    struct conn *k = ctx;
    struct ssh_wr w = ssh_wr_init(k->tx, sizeof k->tx);
    int e = ssh_transport_send(&k->t, payload, len, &w);
    if (e)
        return e;
    k->last_traffic = anx_time_ns(); /* a re-key's own messages do not count */
    return write_raw(k, w.p, w.len) ? SSH_ECLOSED : 0;
}

/* ---- a session's terminal -------------------------------------------- */

/* Send the buffered output. A session blocks here while the client's
 * window is closed (that is its flow control); the connection thread
 * (block false) sends what the window takes and leaves the rest. */
static void session_flush(struct session *s, bool block)
{
    struct conn *k = s->k;
    size_t off = 0;
    if (s->flushing)
        return;
    s->flushing = true;
    while (off < s->out_len && !s->hangup && !k->dead) {
        if (session_send_begin(k, block))
            break;
        long n = ssh_conn_write(&k->c, s->ch, (const uint8_t *)s->out + off, s->out_len - off);
        send_unlock(k);
        if (n < 0)
            break;
        off += (size_t)n;
        if (n == 0) {
            if (!block)
                break;
            wait_on(&k->progress_wq, 0);
        }
    }
    if (off < s->out_len && !block && !s->hangup && !k->dead) {
        memmove(s->out, s->out + off, s->out_len - off);
        s->out_len -= off;
    } else {
        s->out_len = 0; /* sent, or nobody is there to read it any more */
    }
    s->flushing = false;
}

static void term_write(struct anx_term *t, const char *p, size_t n)
{
    struct session *s = (struct session *)t;
    while (n && !s->hangup && !s->k->dead) {
        if (s->out_len + 2 > sizeof s->out) {
            session_flush(s, true);
            continue;
        }
        if (*p == '\n' && s->ch->pty) {
            /* a pty's output processing (ONLCR), as a Unix tty does it */
            s->out[s->out_len++] = '\r';
            s->out[s->out_len++] = '\n';
            p++, n--;
            continue;
        }
        /* copy up to the next newline a pty must expand, or what fits */
        size_t room = sizeof s->out - s->out_len - 1;
        size_t k = n < room ? n : room;
        const char *nl = s->ch->pty ? memchr(p, '\n', k) : NULL;
        if (nl)
            k = (size_t)(nl - p);
        memcpy(s->out + s->out_len, p, k);
        s->out_len += k;
        p += k, n -= k;
    }
}

static int term_getc(struct anx_term *t, unsigned long long timeout_ns)
{
    struct session *s = (struct session *)t;
    struct conn *k = s->k;
    session_flush(s, true);
    uint64_t deadline = timeout_ns == ANX_TERM_FOREVER ? 0 : anx_time_ns() + timeout_ns;
    while (s->in_head == s->in_tail) {
        if (s->eof || s->hangup || k->dead)
            return ANX_CONSOLE_EOF;
        uint64_t now = anx_time_ns();
        if (deadline && now >= deadline)
            return -1;
        if (!timeout_ns)
            return -1;
        unsigned long f = plat_irq_save();
        if (s->in_head == s->in_tail && !s->eof && !s->hangup && !k->dead) {
            if (deadline)
                anx_wait_timeout(&s->in_wq, deadline - now);
            else
                anx_wait(&s->in_wq);
        }
        plat_irq_restore(f);
    }
    int c = s->in[s->in_tail++ % sizeof s->in];
    /* give the window back in big steps, not a message per key */
    if (++s->unreported >= SSH_CONN_WINDOW / 2 && session_send_begin(k, true) == 0) {
        ssh_conn_consumed(&k->c, s->ch, s->unreported);
        send_unlock(k);
        s->unreported = 0;
    }
    return c;
}

static void free_session(struct conn *k, struct session *s)
{
    for (size_t i = 0; i < SSH_CONN_CHANNELS; i++)
        if (k->sessions[i] == s)
            k->sessions[i] = NULL;
    ssh_conn_release(&k->c, s->ch);
    anx_free(s);
}

static void session_main(void *arg)
{
    struct session *s = arg;
    struct conn *k = s->k;
    int status;
    anx_term_bind(&s->term);
    if (s->exec) {
        char line[SSH_CONN_COMMAND_MAX + 1];   /* the run splits it in place; the audit wants it whole */
        strlcpy(line, s->command, sizeof line);
        status = anx_command_run(line);
        /* -1: not run (unknown command or a parse error; the message was
         * printed), as a Unix shell says 127 */
        status = status < 0 ? 127 : status > 255 ? 255 : status;
    } else if (!anx_scopes_allow(s->term.scopes, "console")) {
        /* the shell is the console scope's: a narrower key runs commands */
        anx_printf("this key may not open a shell (its scopes: %s); run a command instead, as in "
                   "ssh HOST store ls\n", s->term.scopes);
        status = ANX_COMMAND_DENIED;
    } else {
        status = shell_session();
        if (status < 0)
            status = 1;
    }
    session_flush(s, true);
    anx_term_bind(NULL);
    char who[80], result[16];
    snprintf(who, sizeof who, "ssh:%s", k->c.user);
    snprintf(result, sizeof result, "exit %d", status);
    anx_audit(who, s->exec ? "exec" : "shell", s->exec ? s->command : "-", result, k->peer);
    if (session_send_begin(k, true) == 0) {
        ssh_conn_finish(&k->c, s->ch, status);
        send_unlock(k);
    }
    s->ended = true;
    if (s->ch->close_rcvd || k->dead)
        free_session(k, s);
    k->running--;
    anx_waitq_wake_all(&k->done_wq);
}

/* ---- the channel layer's events -------------------------------------- */

static int conn_start(void *ctx, struct ssh_chan *ch, const char *command)
{
    struct conn *k = ctx;
    struct session *s = anx_calloc(1, sizeof *s);
    if (!s) {
        log_warn("%s: out of memory for a session", k->peer);
        return -1;
    }
    s->term.write = term_write;
    s->term.getc = term_getc;
    s->term.echo = ch->pty;
    s->term.scopes = k->scopes[0] ? k->scopes : NULL;
    s->k = k;
    s->ch = ch;
    s->exec = command != NULL;
    if (command)
        strlcpy(s->command, command, sizeof s->command);
    anx_waitq_init(&s->in_wq);
    if (!anx_thread_create(s->exec ? "ssh-exec" : "ssh-shell", session_main, s, SESSION_STACK)) {
        anx_free(s);
        log_warn("%s: out of memory for a session thread", k->peer);
        return -1;
    }
    ch->session = s;
    k->sessions[ch - k->c.chan] = s;
    k->running++;
    log_info("%s: %s%s%s", k->peer, s->exec ? "exec: " : "shell", s->exec ? s->command : "",
             ch->pty ? " (pty)" : "");
    return 0;
}

static void conn_data(void *ctx, struct ssh_chan *ch, const uint8_t *p, size_t n)
{
    (void)ctx;
    struct session *s = ch->session;
    /* fits: the client may send no more than the window, which is the buffer's size */
    for (size_t i = 0; i < n && s->in_head - s->in_tail < sizeof s->in; i++)
        s->in[s->in_head++ % sizeof s->in] = p[i];
    anx_waitq_wake_all(&s->in_wq);
}

static void conn_eof(void *ctx, struct ssh_chan *ch)
{
    (void)ctx;
    struct session *s = ch->session;
    s->eof = true;
    anx_waitq_wake_all(&s->in_wq);
}

static void conn_closed(void *ctx, struct ssh_chan *ch)
{
    struct conn *k = ctx;
    struct session *s = ch->session;
    s->hangup = true;
    anx_waitq_wake_all(&s->in_wq);
    anx_waitq_wake_all(&k->progress_wq);
    if (s->ended) {
        ssh_conn_finish(&k->c, ch, -1);
        free_session(k, s);
    }
}

static int conn_key_ok(void *ctx, const char *user, const uint8_t pk[32])
{
    (void)ctx, (void)user;
    return cred_authorized_key("ssh", CONFIG_SSH_AUTHORIZED_KEYS, pk, NULL, 0);
}

static int conn_password_ok(void *ctx, const char *user, const char *password, size_t len)
{
    (void)ctx, (void)user;
    return cred_password_verify("ssh", CONFIG_SSH_PASSWORD, password, len);
}

static void conn_log(void *ctx, bool failure, const char *fmt, ...)
{
    struct conn *k = ctx;
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (failure)
        log_warn("%s: %s", k->peer, line);
    else
        log_info("%s: %s", k->peer, line);
}

/* "SHA256:..." of an ed25519 public key, as ssh-keygen -l shows it */
static void key_fingerprint(const uint8_t pk[32], char *out, size_t n)
{
    uint8_t blob[SSH_ED25519_BLOB_LEN], h[crypto_hash_sha256_BYTES];
    struct ssh_wr w = ssh_wr_init(blob, sizeof blob);
    ssh_ed25519_key_blob(&w, pk);
    crypto_hash_sha256(h, blob, w.len);
    strlcpy(out, "SHA256:", n);
    if (n > 7)
        sodium_bin2base64(out + 7, n - 7, h, sizeof h, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

static void conn_login(void *ctx, bool ok, const char *method, const char *user, const uint8_t *pk)
{
    struct conn *k = ctx;
    char who[80], what[96];
    snprintf(who, sizeof who, "ssh:%s", user);
    if (pk) {
        char fp[64];
        key_fingerprint(pk, fp, sizeof fp);
        snprintf(what, sizeof what, "login publickey %s", fp);
    } else {
        snprintf(what, sizeof what, "login %s", method);
    }
    anx_audit(who, what, "ssh", ok ? "ok" : "failed", k->peer);
    /* what the sessions may run: the key's scopes="..." option (a password:
     * every scope), taken for the key that logged in */
    k->scopes[0] = 0;
    if (ok && pk &&
        cred_authorized_key("ssh", CONFIG_SSH_AUTHORIZED_KEYS, pk, k->scopes, sizeof k->scopes) == 0 &&
        k->scopes[0])
        log_info("%s: %s's key may use the scopes %s", k->peer, user, k->scopes);
}

static const struct ssh_conn_ops conn_ops = {
    .send = conn_send,
    .login = conn_login,
    .key_ok = conn_key_ok,
    .password_ok = conn_password_ok,
    .log = conn_log,
    .start = conn_start,
    .data = conn_data,
    .eof = conn_eof,
    .closed = conn_closed,
};

/* ---- one connection --------------------------------------------------- */

static void fill_random(void *ctx, uint8_t *buf, size_t n)
{
    (void)ctx;
    anx_random(buf, n); /* the server starts only once the generator has a hardware seed */
}

/* Append what arrives within timeout_ns to rx: 1 bytes came, 0 none, -1 closed or failed. */
static int receive(struct conn *k, uint64_t timeout_ns)
{
    struct pbuf *p = NULL;
    netconn_set_recvtimeout(k->nc, (int)(timeout_ns / ANX_NS_PER_MS ? timeout_ns / ANX_NS_PER_MS : 1));
    err_t e = netconn_recv_tcp_pbuf(k->nc, &p);
    if (e == ERR_TIMEOUT || e == ERR_WOULDBLOCK)
        return 0;
    if (e != ERR_OK || !p)
        return -1;
    size_t room = sizeof k->rx - k->rx_len;
    size_t n = p->tot_len < room ? p->tot_len : room;
    pbuf_copy_partial(p, k->rx + k->rx_len, (u16_t)n, 0);
    k->rx_len += n;
    k->bytes_in += n;
    if (n < p->tot_len) {
        /* the buffer holds one packet of the largest size we accept; a
         * client past it gets an error (ssh_transport_input cannot finish) */
        pbuf_free(p);
        return -2;
    }
    pbuf_free(p);
    return 1;
}

/* Handle every whole packet in rx: 0, or an ssh_err.h code to close with. */
static int handle_input(struct conn *k)
{
    int r = 0;
    send_lock(k);
    for (;;) {
        size_t used = 0;
        struct ssh_packet msg;
        struct ssh_wr w = ssh_wr_init(k->tx, sizeof k->tx);
        r = ssh_transport_input(&k->t, k->rx, k->rx_len, &used, &w, &msg);
        if (w.len && write_raw(k, w.p, w.len)) {
            r = SSH_ECLOSED;
            break;
        }
        if (r == SSH_EAGAIN) {
            r = 0;
            break;
        }
        if (r == SSH_INPUT_MSG) {
            k->last_traffic = anx_time_ns();
            r = ssh_conn_message(&k->c, msg.payload, msg.payload_len, msg.seq);
            if (r == SSH_EUNKNOWN) {
                w = ssh_wr_init(k->tx, sizeof k->tx);
                r = ssh_transport_unimplemented(&k->t, msg.seq, &w);
                if (!r && write_raw(k, w.p, w.len))
                    r = SSH_ECLOSED;
            }
        }
        memmove(k->rx, k->rx + used, k->rx_len - used);
        k->rx_len -= used;
        if (r < 0)
            break;
    }
    send_unlock(k);
    anx_waitq_wake_all(&k->progress_wq);
    return r;
}

static bool output_pending(struct conn *k)
{
    for (size_t i = 0; i < SSH_CONN_CHANNELS; i++)
        if (k->sessions[i] && !k->sessions[i]->ended && k->sessions[i]->out_len)
            return true;
    return false;
}

static void flush_sessions(struct conn *k)
{
    for (size_t i = 0; i < SSH_CONN_CHANNELS; i++)
        if (k->sessions[i] && !k->sessions[i]->ended && k->sessions[i]->out_len)
            session_flush(k->sessions[i], false);
}

/* Start a re-key whose time has come while nothing flowed. */
static int poll_rekey(struct conn *k)
{
    send_lock(k);
    struct ssh_wr w = ssh_wr_init(k->tx, sizeof k->tx);
    int r = ssh_transport_poll(&k->t, &w);
    if (!r && write_raw(k, w.p, w.len))
        r = SSH_ECLOSED;
    send_unlock(k);
    return r;
}

static int serve(struct conn *k)
{
    ssh_conn_init(&k->c, &conn_ops, k, &auth_cfg, k->t.session_id);
    send_lock(k);
    struct ssh_wr w = ssh_wr_init(k->tx, sizeof k->tx);
    int r = ssh_transport_start(&k->t, &w);
    if (!r && write_raw(k, w.p, w.len))
        r = SSH_ECLOSED;
    send_unlock(k);
    uint64_t login_deadline = anx_time_ns() + CONFIG_SSH_LOGIN_GRACE;
    while (!r) {
        int got = receive(k, output_pending(k) ? FLUSH_NS : IDLE_POLL_NS);
        if (got < 0) {
            if (got == -2) {
                k->c.why = "a packet larger than this server accepts";
                return SSH_ELEN;
            }
            return SSH_ECLOSED;
        }
        if (got)
            r = handle_input(k);
        if (!r)
            r = poll_rekey(k);
        flush_sessions(k);
        uint64_t now = anx_time_ns();
        if (!k->c.authenticated && now > login_deadline) {
            k->c.why = "no login within login_grace";
            return SSH_EAUTHMAX;
        }
        if (CONFIG_SSH_IDLE_TIMEOUT && now - k->last_traffic > CONFIG_SSH_IDLE_TIMEOUT) {
            k->c.why = "idle for longer than idle_timeout";
            return SSH_EIDLE;
        }
    }
    return r;
}

static uint64_t clock_ns(void *ctx)
{
    (void)ctx;
    return anx_time_ns();
}

static void conn_main(void *arg)
{
    struct conn *k = arg;
    ssh_transport_init(&k->t, "Anunix_1.0", &host_key, fill_random, NULL);
    const struct ssh_rekey_limits limits = {
        .bytes = CONFIG_SSH_REKEY_BYTES,
        .packets = REKEY_PACKETS,
        .interval_ns = CONFIG_SSH_REKEY_INTERVAL,
        .clock = clock_ns,
    };
    ssh_transport_set_rekey(&k->t, &limits);
    k->last_traffic = anx_time_ns();
    int r = serve(k);
    if (r != SSH_ECLOSED && !k->dead) {
        send_lock(k);
        struct ssh_wr w = ssh_wr_init(k->tx, sizeof k->tx);
        if (r != SSH_EVERSION &&
            ssh_transport_disconnect(&k->t, ssh_disconnect_reason(r), k->c.why ? k->c.why : ssh_strerror(r), &w) == 0)
            write_raw(k, w.p, w.len);
        send_unlock(k);
    }
    if (r == SSH_ENOALG && !k->c.why)
        k->c.why = ssh_alg_category(k->t.nomatch);
    /* The closing line is written once the connection is released (its
     * slot free again), so a reader of the log can count on the slot. */
    char line[160];
    if (r == SSH_ECLOSED)
        snprintf(line, sizeof line,
                 "%s: closed (%u key exchanges, %u started by the server, %llu bytes in, %llu out)",
                 k->peer, k->t.kex_done, k->t.kex_ours, (unsigned long long)k->bytes_in,
                 (unsigned long long)k->bytes_out);
    else
        snprintf(line, sizeof line, "%s: closed: %s%s%s", k->peer, ssh_strerror(r), k->c.why ? ": " : "",
                     k->c.why ? k->c.why : "");
    /* hang up every session and wait for its thread to end */
    k->dead = true;
    for (size_t i = 0; i < SSH_CONN_CHANNELS; i++)
        if (k->sessions[i]) {
            k->sessions[i]->hangup = true;
            anx_waitq_wake_all(&k->sessions[i]->in_wq);
        }
    anx_waitq_wake_all(&k->progress_wq);
    anx_waitq_wake_all(&k->send_wq);
    unsigned long f = plat_irq_save();
    while (k->running)
        anx_wait(&k->done_wq);
    plat_irq_restore(f);
    for (size_t i = 0; i < SSH_CONN_CHANNELS; i++)
        if (k->sessions[i])
            anx_free(k->sessions[i]);
    netconn_close(k->nc);
    netconn_delete(k->nc);
    ssh_transport_wipe(&k->t);
    anx_free(k);
    active--;
    if (r == SSH_ECLOSED)
        log_info("%s", line);
    else
        log_warn("%s", line);
}

/* ---- the listener ----------------------------------------------------- */

static int host_sign(void *ctx, const uint8_t *msg, size_t len, uint8_t sig[SSH_ED25519_SIG_LEN])
{
    (void)ctx;
    return cred_host_sign("ssh", CONFIG_SSH_HOST_KEY, msg, len, sig) == 0 ? 0 : SSH_EKEY;
}

static void accept_one(struct netconn *nc)
{
    total++;
    if (active >= CONFIG_SSH_MAX_CONNECTIONS) {
        refused++;
        log_warn("refused a connection: %u at once is the limit (max_connections)", active);
        netconn_close(nc);
        netconn_delete(nc);
        return;
    }
    struct conn *k = anx_calloc(1, sizeof *k);
    if (!k) {
        log_warn("refused a connection: out of memory");
        netconn_close(nc);
        netconn_delete(nc);
        return;
    }
    k->nc = nc;
    net_accepted(nc, k->peer, sizeof k->peer, true);   /* keystrokes and echoes go out at once */
    netconn_set_sendtimeout(nc, 30000);
    anx_waitq_init(&k->send_wq);
    anx_waitq_init(&k->progress_wq);
    anx_waitq_init(&k->done_wq);
    active++;
    if (!anx_thread_create("ssh-conn", conn_main, k, CONN_STACK)) {
        active--;
        anx_free(k);
        netconn_close(nc);
        netconn_delete(nc);
    }
}

/* A login method whose credential is declared but got no value at run time. */
static void warn_unprovisioned(bool offered, const char *name, const char *how)
{
    const struct cred_info *info;
    if (offered && cred_find("ssh", name, &info) == 0 && info->origin == CRED_MISSING)
        log_warn("credential '%s' has no value: nobody can log in %s (anx run --secret %s=FILE)", name, how, name);
}

static void listen_thread(void *arg)
{
    (void)arg;
    char fp[64];
    /* after every module's start: cred-persist may restore the host key then */
    anx_boot_wait_ready();
    if (cred_host_public_key("ssh", CONFIG_SSH_HOST_KEY, host_key.pk) != 0) {
        anx_module_fail("ssh", ANX_ENOENT, "no host key: credential '%s' has no value and none could be generated",
                        CONFIG_SSH_HOST_KEY);
        return;
    }
    host_key.sign = host_sign;
    const char *why;
    struct netconn *l = net_listen_tcp(CONFIG_SSH_PORT, 8, &why);
    if (!l) {
        anx_module_fail("ssh", ANX_EIO, "cannot listen on port %d: %s", CONFIG_SSH_PORT, why);
        return;
    }
    if (cred_fingerprint(CONFIG_SSH_HOST_KEY, fp, sizeof fp) != 0)
        strlcpy(fp, "?", sizeof fp);
    log_info("listening on port %d (user %s, %s%s%s; host key ED25519 %s)", CONFIG_SSH_PORT, CONFIG_SSH_USER,
             auth_cfg.publickey ? "publickey" : "", auth_cfg.publickey && auth_cfg.password ? ", " : "",
             auth_cfg.password ? "password" : "", fp);
    warn_unprovisioned(auth_cfg.publickey, CONFIG_SSH_AUTHORIZED_KEYS, "with a key");
    warn_unprovisioned(auth_cfg.password, CONFIG_SSH_PASSWORD, "with the password");
    for (;;) {
        struct netconn *nc;
        if (netconn_accept(l, &nc) == ERR_OK)
            accept_one(nc);
    }
}

/* The credential the config names, if declared for ssh with the type. */
static bool have_cred(const char *name, enum cred_type type)
{
    const struct cred_info *info;
    return name[0] && cred_find("ssh", name, &info) == 0 && info->type == type;
}

static int ssh_init(void)
{
    int err = cred_require("ssh");
    if (err)
        return err;
    if (!anx_random_ready()) {
        log_error("no hardware random source (the CPU's RDRAND/RNDR, or the virtio-rng module): refusing to "
                  "serve SSH with guessable keys");
        return ANX_ENOTSUP;
    }
    auth_cfg.user = CONFIG_SSH_USER;
    auth_cfg.max_auth_tries = CONFIG_SSH_MAX_AUTH_TRIES;
    auth_cfg.banner = CONFIG_SSH_BANNER;
    if (strlen(CONFIG_SSH_BANNER) > 1024) {
        log_error("banner: %zu bytes, at most 1024 fit one message", strlen(CONFIG_SSH_BANNER));
        return ANX_EINVAL;
    }
    auth_cfg.publickey = have_cred(CONFIG_SSH_AUTHORIZED_KEYS, CRED_SSH_AUTHORIZED_KEYS);
    auth_cfg.password = have_cred(CONFIG_SSH_PASSWORD, CRED_PASSWORD);
    if (!auth_cfg.publickey && !auth_cfg.password) {
        log_error("no way to log in: declare an ssh-authorized-keys credential '%s' (config authorized_keys) or "
                  "a password credential (config password) with modules: [ssh]",
                  CONFIG_SSH_AUTHORIZED_KEYS);
        return ANX_ENOENT;
    }
    if (!have_cred(CONFIG_SSH_HOST_KEY, CRED_SSH_HOST_KEY)) {
        log_error("no host key: declare the credential '%s' with type: ssh-host-key and modules: [ssh]",
                  CONFIG_SSH_HOST_KEY);
        return ANX_ENOENT;
    }
    if (!anx_thread_create("sshd", listen_thread, NULL, 0))
        return ANX_ENOMEM;
    return 0;
}

ANX_MODULE(ssh, .init = ssh_init);
