/*
 * SSH_MSG_EXT_INFO (RFC 8308): sent by the server right after its first
 * NEWKEYS when the client listed "ext-info-c". The one extension sent is
 * server-sig-algs: the signature algorithms the server accepts for
 * publickey authentication (ssh-ed25519 here).
 */
#ifndef SSH_EXTINFO_H
#define SSH_EXTINFO_H

#include "ssh_buf.h"

#define SSH_MSG_EXT_INFO 7
#define SSH_SERVER_SIG_ALGS "ssh-ed25519"

void ssh_ext_info_build(struct ssh_wr *w);
/* The value of extension `name` in an EXT_INFO payload (0 and *value);
 * SSH_ETRUNC / SSH_EFORMAT for a malformed message, SSH_EFORMAT also when
 * the extension is absent. */
int ssh_ext_info_find(const uint8_t *payload, size_t len, const char *name, struct ssh_str *value);

#endif
