/*
 * ssh_conn: user authentication (RFC 4252) and session channels (RFC
 * 4254) against messages built here as OpenSSH's client sends them: the
 * order rules, each login method right and wrong, the failure limit,
 * channel opening, requests, windows in both directions and closing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "crypto.h"
#include "ssh_buf.h"
#include "ssh_conn.h"
#include "ssh_hostkey.h"
#include "ssh_transport.h"

static int pass, fail, cur;
#define CHECK(c) do { if (!(c)) { printf("  %s:%d: %s\n", __FILE__, __LINE__, #c); cur++; } } while (0)
#define RUN(fn) do { cur = 0; fn(); if (cur) { fail++; printf("FAIL %s\n", #fn); } \
    else { pass++; printf("ok   %s\n", #fn); } } while (0)

/* ---- the server side's fakes ------------------------------------------ */

static uint8_t sent[16][40000];
static size_t sent_len[16], nsent;
static uint8_t good_pk[32], good_sk[64], other_pk[32], other_sk[64];
static int starts, datas, eofs, closes, fail_logs;
static char started_cmd[2048];
static bool started_shell;
static size_t data_bytes;

static int f_send(void *ctx, const uint8_t *p, size_t n)
{
    (void)ctx;
    if (nsent < 16 && n <= sizeof sent[0]) {
        memcpy(sent[nsent], p, n);
        sent_len[nsent] = n;
    }
    nsent++;
    return 0;
}
static int f_key_ok(void *ctx, const char *user, const uint8_t pk[32])
{
    (void)ctx, (void)user;
    return memcmp(pk, good_pk, 32) == 0 ? 0 : -1;
}
static int f_password_ok(void *ctx, const char *user, const char *pw, size_t n)
{
    (void)ctx, (void)user;
    return n == 6 && memcmp(pw, "secret", 6) == 0 ? 0 : -1;
}
static void f_log(void *ctx, bool failure, const char *fmt, ...)
{
    (void)ctx, (void)fmt;
    fail_logs += failure;
}
static int f_start(void *ctx, struct ssh_chan *ch, const char *command)
{
    (void)ctx;
    starts++;
    started_shell = !command;
    snprintf(started_cmd, sizeof started_cmd, "%s", command ? command : "");
    ch->session = &starts;
    return 0;
}
static void f_data(void *ctx, struct ssh_chan *ch, const uint8_t *p, size_t n)
{
    (void)ctx, (void)ch, (void)p;
    datas++;
    data_bytes += n;
}
static void f_eof(void *ctx, struct ssh_chan *ch) { (void)ctx, (void)ch; eofs++; }
static void f_closed(void *ctx, struct ssh_chan *ch) { (void)ctx, (void)ch; closes++; }

static int logins_ok, logins_failed;
static void f_login(void *ctx, bool ok, const char *method, const char *user, const uint8_t *pk)
{
    (void)ctx, (void)user;
    if (ok)
        logins_ok++;
    else
        logins_failed++;
    if (strcmp(method, "publickey") == 0 && !pk)
        logins_failed += 100;  /* a publickey event without its key */
}

static const struct ssh_conn_ops ops = {f_send, f_key_ok, f_password_ok, f_log, f_login, f_start, f_data, f_eof, f_closed, NULL};
static struct ssh_conn_cfg cfg = {"anx", true, true, 3, NULL};
static uint8_t session_id[SSH_HASH_LEN] = {1, 2, 3, 4};
static const uint8_t *signed_id = session_id; /* what the client signs */
static struct ssh_conn c;

static void fresh(void)
{
    ssh_conn_init(&c, &ops, NULL, &cfg, session_id);
    nsent = 0;
    starts = datas = eofs = closes = fail_logs = logins_ok = logins_failed = 0;
    data_bytes = 0;
}

/* ---- the client's messages -------------------------------------------- */

static uint8_t msg[40000];
static struct ssh_wr w;
static void begin(uint8_t type)
{
    w = ssh_wr_init(msg, sizeof msg);
    ssh_wr_u8(&w, type);
}
static int feed(void) { return ssh_conn_message(&c, msg, w.len, 7); }
static uint8_t last_type(void) { return nsent ? sent[(nsent - 1) % 16][0] : 0; }

static int service(const char *name)
{
    begin(SSH_MSG_SERVICE_REQUEST);
    ssh_wr_cstring(&w, name);
    return feed();
}

static void userauth_head(const char *user, const char *method)
{
    begin(SSH_MSG_USERAUTH_REQUEST);
    ssh_wr_cstring(&w, user);
    ssh_wr_cstring(&w, "ssh-connection");
    ssh_wr_cstring(&w, method);
}

/* publickey with or without a signature; sign_with NULL: a query */
static int publickey(const char *user, const uint8_t *pk, const uint8_t *sign_with, bool corrupt)
{
    uint8_t blob[SSH_ED25519_BLOB_LEN];
    struct ssh_wr b = ssh_wr_init(blob, sizeof blob);
    ssh_ed25519_key_blob(&b, pk);
    userauth_head(user, "publickey");
    ssh_wr_bool(&w, sign_with != NULL);
    ssh_wr_cstring(&w, "ssh-ed25519");
    ssh_wr_string(&w, blob, b.len);
    if (sign_with) {
        uint8_t data[2048], sig[SSH_ED25519_SIGBLOB_LEN];
        struct ssh_wr d = ssh_wr_init(data, sizeof data);
        ssh_wr_string(&d, signed_id, SSH_HASH_LEN);
        ssh_wr_bytes(&d, msg, w.len);
        struct ssh_signer s = {.sign = ssh_ed25519_sign_sk, .ctx = (void *)sign_with};
        struct ssh_wr sw = ssh_wr_init(sig, sizeof sig);
        ssh_ed25519_sign_blob(&sw, &s, data, d.len);
        if (corrupt)
            sig[sw.len - 1] ^= 1;
        ssh_wr_string(&w, sig, sw.len);
    }
    return feed();
}

static int password(const char *user, const char *pw)
{
    userauth_head(user, "password");
    ssh_wr_bool(&w, false);
    ssh_wr_cstring(&w, pw);
    return feed();
}

static void logged_in(void)
{
    fresh();
    CHECK(service("ssh-userauth") == 0);
    CHECK(publickey("anx", good_pk, good_sk, false) == 0);
    CHECK(c.authenticated);
    nsent = 0;
}

static int open_session(uint32_t sender, uint32_t window, uint32_t max_packet)
{
    begin(SSH_MSG_CHANNEL_OPEN);
    ssh_wr_cstring(&w, "session");
    ssh_wr_u32(&w, sender);
    ssh_wr_u32(&w, window);
    ssh_wr_u32(&w, max_packet);
    return feed();
}

static int request(uint32_t ch, const char *type, bool want_reply)
{
    begin(SSH_MSG_CHANNEL_REQUEST);
    ssh_wr_u32(&w, ch);
    ssh_wr_cstring(&w, type);
    ssh_wr_bool(&w, want_reply);
    return 0;
}

/* ---- tests -------------------------------------------------------------- */

static void order_and_services(void)
{
    fresh();
    userauth_head("anx", "none");
    CHECK(feed() == SSH_EUNAUTH);  /* before the ssh-userauth service */
    fresh();
    CHECK(service("ssh-foo") == SSH_ESERVICE);
    fresh();
    CHECK(service("ssh-userauth") == 0 && last_type() == SSH_MSG_SERVICE_ACCEPT);
    CHECK(open_session(0, 1000, 1000) == SSH_EUNAUTH);  /* channels before login */
    begin(SSH_MSG_GLOBAL_REQUEST);
    ssh_wr_cstring(&w, "keepalive@openssh.com");
    ssh_wr_bool(&w, true);
    CHECK(feed() == SSH_EUNAUTH);
    userauth_head("anx", "none");
    nsent = 0;
    CHECK(feed() == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    struct ssh_rd r = ssh_rd_init(sent[0] + 1, sent_len[0] - 1);
    struct ssh_str methods;
    CHECK(ssh_rd_namelist(&r, &methods) == 0 && ssh_str_eq(methods, "publickey,password"));
    userauth_head("anx", "ssh-connection");
    begin(SSH_MSG_DISCONNECT);
    CHECK(feed() == SSH_ECLOSED);
    begin(200);
    CHECK(feed() == SSH_EUNKNOWN);
    userauth_head("anx", "password");  /* truncated: no boolean, no password */
    CHECK(feed() == SSH_ETRUNC);
}

static void banner(void)
{
    cfg.banner = "Authorized use only.\n";
    fresh();
    service("ssh-userauth");
    nsent = 0;
    userauth_head("anx", "none");
    CHECK(feed() == 0 && nsent == 2 && sent[0][0] == SSH_MSG_USERAUTH_BANNER &&
          sent[1][0] == SSH_MSG_USERAUTH_FAILURE);
    struct ssh_rd r = ssh_rd_init(sent[0] + 1, sent_len[0] - 1);
    struct ssh_str text, lang;
    CHECK(ssh_rd_string(&r, &text) == 0 && ssh_str_eq(text, "Authorized use only.\n") &&
          ssh_rd_string(&r, &lang) == 0 && lang.len == 0 && ssh_rd_end(&r) == 0);
    CHECK(password("anx", "secret") == 0 && nsent == 3 && last_type() == SSH_MSG_USERAUTH_SUCCESS); /* once */
    cfg.banner = NULL;
}

static void publickey_login(void)
{
    fresh();
    service("ssh-userauth");
    nsent = 0;
    CHECK(publickey("anx", good_pk, NULL, false) == 0 && last_type() == SSH_MSG_USERAUTH_PK_OK);
    CHECK(publickey("anx", other_pk, NULL, false) == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    CHECK(c.failures == 0);  /* queries do not count */
    CHECK(publickey("anx", good_pk, good_sk, true) == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    CHECK(c.failures == 1 && !c.authenticated && fail_logs == 1);
    CHECK(publickey("root", good_pk, good_sk, false) == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    CHECK(!c.authenticated);
    /* the other key signs correctly, but is not listed */
    CHECK(publickey("anx", other_pk, other_sk, false) == SSH_EAUTHMAX);
    fresh();
    service("ssh-userauth");
    /* a signature by the listed key over another session's id (a replay) */
    fresh();
    service("ssh-userauth");
    uint8_t other_id[SSH_HASH_LEN] = {9};
    signed_id = other_id;
    CHECK(publickey("anx", good_pk, good_sk, false) == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    signed_id = session_id;
    CHECK(!c.authenticated && c.failures == 1);
    fresh();
    service("ssh-userauth");
    CHECK(publickey("anx", good_pk, good_sk, false) == 0 && last_type() == SSH_MSG_USERAUTH_SUCCESS);
    CHECK(c.authenticated && strcmp(c.user, "anx") == 0 && logins_ok == 1 && logins_failed == 0);
    nsent = 0;
    CHECK(publickey("anx", good_pk, good_sk, false) == 0 && nsent == 0);  /* ignored after success */
}

static void password_login(void)
{
    fresh();
    service("ssh-userauth");
    CHECK(password("anx", "wrong") == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    CHECK(password("root", "secret") == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE);
    CHECK(password("anx", "secret") == 0 && last_type() == SSH_MSG_USERAUTH_SUCCESS);
    CHECK(logins_ok == 1 && logins_failed == 2);  /* the audit trail's events */
    /* a password change request is refused without counting */
    fresh();
    service("ssh-userauth");
    userauth_head("anx", "password");
    ssh_wr_bool(&w, true);
    ssh_wr_cstring(&w, "secret");
    ssh_wr_cstring(&w, "new");
    CHECK(feed() == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE && c.failures == 0);
    /* the limit: max_auth_tries failures close the connection */
    CHECK(password("anx", "a") == 0 && password("anx", "b") == 0);
    CHECK(password("anx", "c") == SSH_EAUTHMAX);
    /* a method the config turns off */
    cfg.password = false;
    fresh();
    service("ssh-userauth");
    CHECK(password("anx", "secret") == 0 && last_type() == SSH_MSG_USERAUTH_FAILURE && !c.authenticated);
    cfg.password = true;
}

static void session_channels(void)
{
    logged_in();
    CHECK(open_session(5, 100000, 32768) == 0 && last_type() == SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
    struct ssh_rd r = ssh_rd_init(sent[0] + 1, sent_len[0] - 1);
    uint32_t recipient, ours, window, maxp;
    CHECK(ssh_rd_u32(&r, &recipient) == 0 && recipient == 5);
    CHECK(ssh_rd_u32(&r, &ours) == 0 && ours == 0);
    CHECK(ssh_rd_u32(&r, &window) == 0 && window == SSH_CONN_WINDOW);
    CHECK(ssh_rd_u32(&r, &maxp) == 0 && maxp == SSH_CONN_MAX_PACKET);
    /* forwarding is not offered */
    begin(SSH_MSG_CHANNEL_OPEN);
    ssh_wr_cstring(&w, "direct-tcpip");
    ssh_wr_u32(&w, 6);
    ssh_wr_u32(&w, 1000);
    ssh_wr_u32(&w, 1000);
    ssh_wr_cstring(&w, "127.0.0.1");
    ssh_wr_u32(&w, 80);
    ssh_wr_cstring(&w, "1.2.3.4");
    ssh_wr_u32(&w, 1234);
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_OPEN_FAILURE);
    /* pty-req, env, then a shell */
    request(0, "pty-req", true);
    ssh_wr_cstring(&w, "xterm-256color");
    ssh_wr_u32(&w, 80), ssh_wr_u32(&w, 24), ssh_wr_u32(&w, 0), ssh_wr_u32(&w, 0);
    ssh_wr_cstring(&w, "");
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_SUCCESS);
    CHECK(c.chan[0].pty && strcmp(c.chan[0].term, "xterm-256color") == 0 && c.chan[0].cols == 80);
    request(0, "env", true);
    ssh_wr_cstring(&w, "LANG");
    ssh_wr_cstring(&w, "C.UTF-8");
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_SUCCESS);
    request(0, "env", true);
    ssh_wr_cstring(&w, "LD_PRELOAD");
    ssh_wr_cstring(&w, "x");
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_FAILURE);
    request(0, "subsystem", true);
    ssh_wr_cstring(&w, "sftp");
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_FAILURE);
    request(0, "shell", true);
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_SUCCESS && starts == 1 && started_shell);
    request(0, "exec", true);  /* a second program on the same channel */
    ssh_wr_cstring(&w, "uptime");
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_FAILURE && starts == 1);
    request(0, "window-change", false);
    ssh_wr_u32(&w, 120), ssh_wr_u32(&w, 40), ssh_wr_u32(&w, 0), ssh_wr_u32(&w, 0);
    nsent = 0;
    CHECK(feed() == 0 && nsent == 0 && c.chan[0].cols == 120 && c.chan[0].rows == 40);
    /* exec on a second channel */
    CHECK(open_session(9, 1000, 1000) == 0);
    request(1, "exec", true);
    ssh_wr_cstring(&w, "store cat notes/a");
    CHECK(feed() == 0 && starts == 2 && !started_shell && strcmp(started_cmd, "store cat notes/a") == 0);
    /* a channel number never opened */
    request(3, "shell", true);
    CHECK(feed() == SSH_ECHANNEL);
    /* at most SSH_CONN_CHANNELS at once */
    CHECK(open_session(10, 1000, 1000) == 0 && open_session(11, 1000, 1000) == 0);
    CHECK(open_session(12, 1000, 1000) == 0 && last_type() == SSH_MSG_CHANNEL_OPEN_FAILURE);
}

static int data(uint32_t ch, size_t n)
{
    static uint8_t bytes[SSH_CONN_MAX_PACKET + 1];
    begin(SSH_MSG_CHANNEL_DATA);
    ssh_wr_u32(&w, ch);
    ssh_wr_string(&w, bytes, n);
    return feed();
}

static void windows(void)
{
    logged_in();
    open_session(5, 3000, 1000);
    request(0, "exec", false);
    ssh_wr_cstring(&w, "echo");
    CHECK(feed() == 0);
    /* the client's data: within the window it reaches the session */
    CHECK(data(0, 10000) == 0 && datas == 1 && data_bytes == 10000);
    CHECK(c.chan[0].local_window == SSH_CONN_WINDOW - 10000);
    CHECK(data(0, SSH_CONN_WINDOW - 10000 + 1) == SSH_EWINDOW);
    /* reading it grants it back once half the window is used */
    nsent = 0;
    CHECK(ssh_conn_consumed(&c, &c.chan[0], 100) == 0 && nsent == 0);
    CHECK(ssh_conn_consumed(&c, &c.chan[0], 9900) == 0 && last_type() == SSH_MSG_CHANNEL_WINDOW_ADJUST);
    CHECK(c.chan[0].local_window == SSH_CONN_WINDOW && c.chan[0].consumed == 0);
    /* our data: at most the client's packet size and window */
    uint8_t out[5000] = {0};
    CHECK(ssh_conn_write(&c, &c.chan[0], out, sizeof out) == 1000);
    CHECK(ssh_conn_write(&c, &c.chan[0], out, sizeof out) == 1000);
    CHECK(ssh_conn_write(&c, &c.chan[0], out, sizeof out) == 1000);
    CHECK(ssh_conn_write(&c, &c.chan[0], out, sizeof out) == 0);  /* the window is used up */
    begin(SSH_MSG_CHANNEL_WINDOW_ADJUST);
    ssh_wr_u32(&w, 0);
    ssh_wr_u32(&w, 500);
    CHECK(feed() == 0 && ssh_conn_write(&c, &c.chan[0], out, sizeof out) == 500);
    begin(SSH_MSG_CHANNEL_WINDOW_ADJUST);  /* the window stops at 2^32 - 1 */
    ssh_wr_u32(&w, 0);
    ssh_wr_u32(&w, 0xffffffffu);
    CHECK(feed() == 0);
    CHECK(feed() == 0 && c.chan[0].peer_window == 0xffffffffu);
}

static void closing(void)
{
    logged_in();
    open_session(5, 3000, 1000);
    request(0, "exec", false);
    ssh_wr_cstring(&w, "uptime");
    feed();
    begin(SSH_MSG_CHANNEL_EOF);
    ssh_wr_u32(&w, 0);
    CHECK(feed() == 0 && eofs == 1);
    CHECK(data(0, 10) == 0 && datas == 0);  /* after EOF: dropped, window granted back */
    /* the session ends: exit-status, EOF, CLOSE */
    nsent = 0;
    CHECK(ssh_conn_finish(&c, &c.chan[0], 3) == 0 && nsent == 3);
    CHECK(sent[0][0] == SSH_MSG_CHANNEL_REQUEST && sent[1][0] == SSH_MSG_CHANNEL_EOF &&
          sent[2][0] == SSH_MSG_CHANNEL_CLOSE);
    struct ssh_rd r = ssh_rd_init(sent[0] + 1, sent_len[0] - 1);
    uint32_t recipient, status;
    struct ssh_str type;
    bool want;
    CHECK(ssh_rd_u32(&r, &recipient) == 0 && recipient == 5 && ssh_rd_string(&r, &type) == 0 &&
          ssh_str_eq(type, "exit-status") && ssh_rd_bool(&r, &want) == 0 && !want &&
          ssh_rd_u32(&r, &status) == 0 && status == 3 && ssh_rd_end(&r) == 0);
    CHECK(ssh_conn_finish(&c, &c.chan[0], 3) == 0 && nsent == 3);  /* once */
    CHECK(!ssh_conn_release(&c, &c.chan[0]));  /* the client has not closed yet */
    begin(SSH_MSG_CHANNEL_CLOSE);
    ssh_wr_u32(&w, 0);
    CHECK(feed() == 0 && closes == 1);
    CHECK(ssh_conn_release(&c, &c.chan[0]) && !c.chan[0].open);
    CHECK(feed() == SSH_ECHANNEL);  /* closed: the number is free */
    /* a channel closed by the client before anything started */
    CHECK(open_session(6, 3000, 1000) == 0);
    nsent = 0;
    begin(SSH_MSG_CHANNEL_CLOSE);
    ssh_wr_u32(&w, 0);
    CHECK(feed() == 0 && last_type() == SSH_MSG_CHANNEL_CLOSE && !c.chan[0].open);
}

int main(void)
{
    uint8_t seed[32] = {7};
    crypto_sign_ed25519_seed_keypair(good_pk, good_sk, seed);
    seed[0] = 8;
    crypto_sign_ed25519_seed_keypair(other_pk, other_sk, seed);
    RUN(order_and_services);
    RUN(banner);
    RUN(publickey_login);
    RUN(password_login);
    RUN(session_channels);
    RUN(windows);
    RUN(closing);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
