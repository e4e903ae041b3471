/*
 * The layers above the transport for one connection, server side: user
 * authentication (RFC 4252: "none", "publickey" with ssh-ed25519,
 * "password") and the connection protocol's session channels (RFC 4254:
 * pty-req, env, window-change, shell, exec, exit-status, windows, EOF and
 * CLOSE). Like the transport it does no I/O and starts no thread: the
 * server feeds it each message the transport hands up and it answers
 * through ops->send; what an operator's session does (a shell, a command)
 * is the server's, told through ops->start/data/eof/closed. Errors are
 * ssh_err.h's: SSH_EAUTHMAX, SSH_ESERVICE, SSH_EUNAUTH, SSH_ECHANNEL,
 * SSH_EWINDOW and SSH_ECLOSED (the client's DISCONNECT).
 *
 *     struct ssh_conn c;
 *     ssh_conn_init(&c, &ops, ctx, &cfg, session_id);
 *     r = ssh_conn_message(&c, msg.payload, msg.payload_len, msg.seq);
 *     r < 0: send DISCONNECT (ssh_disconnect_reason(r), ssh_strerror(r)) unless
 *            r is SSH_ECLOSED, log c.why if set, close
 *
 * Limits (the caller's struct ssh_conn_cfg): authentication attempts
 * (`max_auth_tries` failures, then SSH_EAUTHMAX), channels per
 * connection (SSH_CONN_CHANNELS), the window we grant (SSH_CONN_WINDOW)
 * and the largest data packet we accept or send (SSH_CONN_MAX_PACKET).
 */
#ifndef SSH_CONN_H
#define SSH_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ssh_buf.h"
#include "ssh_kex.h"

#define SSH_MSG_SERVICE_REQUEST 5
#define SSH_MSG_SERVICE_ACCEPT 6
#define SSH_MSG_USERAUTH_REQUEST 50
#define SSH_MSG_USERAUTH_FAILURE 51
#define SSH_MSG_USERAUTH_SUCCESS 52
#define SSH_MSG_USERAUTH_BANNER 53
#define SSH_MSG_USERAUTH_PK_OK 60
#define SSH_MSG_GLOBAL_REQUEST 80
#define SSH_MSG_REQUEST_FAILURE 82
#define SSH_MSG_CHANNEL_OPEN 90
#define SSH_MSG_CHANNEL_OPEN_CONFIRMATION 91
#define SSH_MSG_CHANNEL_OPEN_FAILURE 92
#define SSH_MSG_CHANNEL_WINDOW_ADJUST 93
#define SSH_MSG_CHANNEL_DATA 94
#define SSH_MSG_CHANNEL_EXTENDED_DATA 95
#define SSH_MSG_CHANNEL_EOF 96
#define SSH_MSG_CHANNEL_CLOSE 97
#define SSH_MSG_CHANNEL_REQUEST 98
#define SSH_MSG_CHANNEL_SUCCESS 99
#define SSH_MSG_CHANNEL_FAILURE 100

#define SSH_CONN_CHANNELS 4              /* session channels per connection */
#define SSH_CONN_WINDOW (16 * 1024)      /* the window we grant a channel (the session's input buffer) */
#define SSH_CONN_MAX_PACKET (32 * 1024)  /* the largest data we accept in one packet */
#define SSH_CONN_DATA_MAX (16 * 1024)    /* the most data we send in one packet */
#define SSH_CONN_COMMAND_MAX 1024        /* an exec request's command line */
#define SSH_CONN_USER_MAX 64

struct ssh_chan {
    bool open;
    uint32_t peer;                   /* the client's channel number */
    uint32_t peer_window;            /* bytes we may still send */
    uint32_t peer_max_packet;
    uint32_t local_window;           /* bytes the client may still send */
    uint32_t consumed;               /* read by the session, not yet granted back */
    bool pty;                        /* pty-req accepted: a terminal that echoes, "\n" sent as "\r\n" */
    char term[32];                   /* its TERM */
    uint32_t cols, rows;
    bool started;                    /* shell or exec accepted */
    bool eof_rcvd, close_rcvd, close_sent;
    void *session;                   /* the server's, set in ops->start */
};

struct ssh_conn;

struct ssh_conn_ops {
    /* Seal and send one message to the client: 0, or < 0 to end the connection. */
    int (*send)(void *ctx, const uint8_t *payload, size_t len);
    /* Login checks; the user name is NUL-terminated. 0 = allowed. */
    int (*key_ok)(void *ctx, const char *user, const uint8_t pk[32]);
    int (*password_ok)(void *ctx, const char *user, const char *password, size_t len);
    /* Log lines ("accepted publickey for anx", "failed password for anx"). */
    void (*log)(void *ctx, bool failure, const char *fmt, ...);
    /* A login that counts (for the audit trail): accepted or failed, the
     * method, the user, and for publickey the key (else NULL). */
    void (*login)(void *ctx, bool ok, const char *method, const char *user, const uint8_t *pk);
    /* A shell (command NULL) or one command on channel ch: 0 to start it
     * (the server sets ch->session), else the request fails. */
    int (*start)(void *ctx, struct ssh_chan *ch, const char *command);
    /* The client's bytes for a started channel (within the window we granted). */
    void (*data)(void *ctx, struct ssh_chan *ch, const uint8_t *p, size_t n);
    /* The client sent EOF, or closed the channel (the session hangs up; the
     * server frees it and calls ssh_conn_release once it has ended). */
    void (*eof)(void *ctx, struct ssh_chan *ch);
    void (*closed)(void *ctx, struct ssh_chan *ch);
    /* window-change */
    void (*resized)(void *ctx, struct ssh_chan *ch);
};

struct ssh_conn_cfg {
    const char *user;                /* the one login name */
    bool publickey, password;        /* the methods offered */
    unsigned max_auth_tries;
    const char *banner;              /* shown before login (USERAUTH_BANNER); NULL or "" for none */
};

struct ssh_conn {
    const struct ssh_conn_ops *ops;
    void *ctx;
    const struct ssh_conn_cfg *cfg;
    const uint8_t *session_id;       /* the transport's H of the first exchange */
    bool service;                    /* ssh-userauth accepted */
    bool authenticated;
    bool banner_sent;
    unsigned failures;
    char user[SSH_CONN_USER_MAX + 1];
    struct ssh_chan chan[SSH_CONN_CHANNELS];
    const char *why;                 /* after an error: details for the log */
    uint8_t scratch[16 + SSH_CONN_DATA_MAX]; /* a data message being built (ops->send is serialized) */
};

void ssh_conn_init(struct ssh_conn *c, const struct ssh_conn_ops *ops, void *ctx, const struct ssh_conn_cfg *cfg,
                   const uint8_t session_id[SSH_HASH_LEN]);
/* One message from the transport (SSH_INPUT_MSG). 0, SSH_EUNKNOWN (a
 * message number nobody here knows: answer UNIMPLEMENTED for seq and go
 * on), or a negative code: disconnect and close. */
int ssh_conn_message(struct ssh_conn *c, const uint8_t *msg, size_t len, uint32_t seq);

/* For the server's sessions: */
/* Send data on a started channel: at most the peer's window and packet
 * size; returns the bytes sent (0 when the window is closed), or < 0. */
long ssh_conn_write(struct ssh_conn *c, struct ssh_chan *ch, const uint8_t *p, size_t n);
/* The session read n bytes: grant them back to the client when half the
 * window is used. */
int ssh_conn_consumed(struct ssh_conn *c, struct ssh_chan *ch, size_t n);
/* The session ended: exit-status, EOF and CLOSE (each once). */
int ssh_conn_finish(struct ssh_conn *c, struct ssh_chan *ch, int status);
/* The slot is free again once both sides closed; true when it was freed. */
bool ssh_conn_release(struct ssh_conn *c, struct ssh_chan *ch);

#endif
