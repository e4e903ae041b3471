/* ssh_err.c - words for the transport's error codes (ssh_err.h). */
#include "ssh_err.h"

const char *ssh_strerror(int err)
{
    switch (err) {
    case SSH_OK: return "no error";
    case SSH_EAGAIN: return "incomplete: more bytes needed";
    case SSH_ETRUNC: return "message truncated: a field runs past its end";
    case SSH_ESPACE: return "output buffer too small";
    case SSH_ELEN: return "packet length out of range (must be 5 to 262144 bytes)";
    case SSH_EPAD: return "bad padding (at least 4 bytes, inside the packet, packet a multiple of 8 bytes)";
    case SSH_EMAC: return "packet authentication failed (Poly1305 tag mismatch)";
    case SSH_EFORMAT: return "malformed field";
    case SSH_ENOALG: return "no matching algorithm";
    case SSH_ESTRICT: return "strict key exchange violated: unexpected message during the initial key exchange";
    case SSH_EORDER: return "key exchange message out of order";
    case SSH_EVERSION: return "bad identification line (want SSH-2.0-..., at most 255 bytes with CR LF)";
    case SSH_EKEY: return "invalid public key value";
    case SSH_ESEQ: return "sequence number wrapped during the initial strict key exchange";
    case SSH_EREKEY:
        return "the client does not answer our key re-exchange (too many messages held for it)";
    case SSH_EAUTHMAX: return "too many authentication failures";
    case SSH_ESERVICE: return "service not available";
    case SSH_EUNAUTH: return "connection protocol message before authentication";
    case SSH_ECHANNEL: return "no such channel";
    case SSH_EWINDOW: return "channel data beyond the granted window or packet size";
    case SSH_ECLOSED: return "the client disconnected";
    case SSH_EUNKNOWN: return "unknown message number";
    case SSH_EIDLE: return "idle timeout";
    }
    return "unknown error";
}
