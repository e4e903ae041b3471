/*
 * Base64 (RFC 4648), core/lib/base64.c: the one decoder of the text formats
 * the image and anx read - OpenSSH key files and authorized_keys (the
 * standard alphabet, '=' padding, line breaks) and capability tokens (the
 * URL alphabet, no padding, exactly one spelling for each byte string) -
 * and the encoder of the tokens. PEM bundles, read a line at a time
 * (modules/tls/trust.c), share anx_base64_value.
 */
#ifndef ANX_BASE64_H
#define ANX_BASE64_H

#include <stddef.h>
#include <stdint.h>

#define ANX_BASE64_URL 1u    /* '-' and '_' for 62 and 63 (RFC 4648 section 5); else '+' and '/' */
#define ANX_BASE64_LOOSE 2u  /* skip spaces, tabs and line breaks; '=' padding may end the text */

/* A character's value (0-63), or -1 when it is not in the alphabet. */
int anx_base64_value(int c, unsigned flags);

/* Decode n characters of s into out (room for cap bytes): the byte count,
 * or -1 for a character outside the alphabet, anything but padding after
 * padding, more than 2 padding characters, or more than cap bytes. Without
 * ANX_BASE64_LOOSE also -1 for a length no unpadded encoding has and for
 * unused bits that are not zero (a second spelling of the same bytes). */
long anx_base64_decode(const char *s, size_t n, uint8_t *out, size_t cap, unsigned flags);

/* The length of n bytes encoded without padding. */
size_t anx_base64_len(size_t n);
/* Encode n bytes into out: anx_base64_len(n) characters, no padding, no NUL. */
void anx_base64_encode(const uint8_t *in, size_t n, char *out, unsigned flags);

#endif
