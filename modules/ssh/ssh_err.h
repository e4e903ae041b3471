/*
 * The transport's error codes: every function of this module that can
 * fail returns 0 or one of these (negative), and ssh_strerror says in
 * words what was wrong with the peer's bytes, for the log line and the
 * SSH_MSG_DISCONNECT description the later server sends.
 */
#ifndef SSH_ERR_H
#define SSH_ERR_H

enum {
    SSH_OK = 0,
    SSH_EAGAIN = -1,    /* not an error: more input bytes are needed */
    SSH_ETRUNC = -2,    /* a field runs past the end of its message */
    SSH_ESPACE = -3,    /* the output buffer is too small */
    SSH_ELEN = -4,      /* packet length out of range (< 5 or > 256 KiB) */
    SSH_EPAD = -5,      /* padding shorter than 4 bytes, longer than the packet, or misaligned */
    SSH_EMAC = -6,      /* Poly1305 tag does not match: corrupted or forged packet */
    SSH_EFORMAT = -7,   /* a field is malformed (non-canonical mpint, bad name-list, trailing bytes) */
    SSH_ENOALG = -8,    /* no algorithm in common with the peer */
    SSH_ESTRICT = -9,   /* strict kex: a message other than the key exchange's during it */
    SSH_EORDER = -10,   /* a key exchange message out of order */
    SSH_EVERSION = -11, /* the identification line is not SSH-2.0 or too long */
    SSH_EKEY = -12,     /* an invalid public value (wrong size, or a zero shared secret) */
    SSH_ESEQ = -13,     /* the sequence number would wrap during the initial strict kex */
    SSH_EREKEY = -14,   /* more messages held for our re-key than fit: the client ignores it */
    /* the layers above the transport (ssh_conn.h) */
    SSH_EAUTHMAX = -20, /* too many failed authentication attempts */
    SSH_ESERVICE = -21, /* a service other than ssh-userauth / ssh-connection */
    SSH_EUNAUTH = -22,  /* a connection message before authentication */
    SSH_ECHANNEL = -23, /* a channel number that is not open */
    SSH_EWINDOW = -24,  /* data beyond the window we granted, or a packet beyond our maximum */
    SSH_ECLOSED = -25,  /* the client sent DISCONNECT: close without answering */
    SSH_EUNKNOWN = -26, /* an unknown message number: answer UNIMPLEMENTED and go on */
    SSH_EIDLE = -27,    /* no traffic for the server's idle timeout */
};

/* A sentence for the code, without a trailing period ("packet length
 * 300000 ..." details are the caller's: it knows the value). */
const char *ssh_strerror(int err);

#endif
