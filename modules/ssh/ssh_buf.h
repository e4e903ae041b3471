/*
 * SSH data types (RFC 4251 section 5): bounds-checked readers over a byte
 * range and writers into a caller's fixed buffer.
 *
 * Reading: every ssh_rd_* returns 0 or a negative ssh_err.h code and
 * never reads past the end; on failure the reader does not move, so the
 * caller can report where it stopped. Strings are returned as pointers
 * into the input (not copied, not NUL-terminated).
 *
 * Writing: the writer's overflow is sticky - the first write that does not
 * fit sets `overflow` and every later write does nothing - so a message is
 * built whole and checked once (ssh_wr_status).
 */
#ifndef SSH_BUF_H
#define SSH_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ssh_err.h"

struct ssh_rd {
    const uint8_t *p;
    size_t len;
    size_t off; /* bytes consumed */
};

struct ssh_wr {
    uint8_t *p;
    size_t cap;
    size_t len;
    bool overflow;
};

/* A byte range: a string's content, a name in a name-list. */
struct ssh_str {
    const uint8_t *p;
    uint32_t len;
};

static inline struct ssh_rd ssh_rd_init(const void *p, size_t len)
{
    struct ssh_rd r = {(const uint8_t *)p, len, 0};
    return r;
}
static inline size_t ssh_rd_left(const struct ssh_rd *r) { return r->len - r->off; }

int ssh_rd_u8(struct ssh_rd *r, uint8_t *v);
/* boolean: any non-zero byte is TRUE (RFC 4251) */
int ssh_rd_bool(struct ssh_rd *r, bool *v);
int ssh_rd_u32(struct ssh_rd *r, uint32_t *v);
int ssh_rd_u64(struct ssh_rd *r, uint64_t *v);
/* n raw bytes */
int ssh_rd_bytes(struct ssh_rd *r, size_t n, const uint8_t **p);
int ssh_rd_string(struct ssh_rd *r, struct ssh_str *s);
/* A string of exactly n bytes (a 32-byte public key): SSH_EFORMAT otherwise. */
int ssh_rd_string_n(struct ssh_rd *r, size_t n, const uint8_t **p);
/* mpint: two's complement big-endian. Refuses non-canonical forms
 * (a needless leading 0x00 or 0xff byte) with SSH_EFORMAT; *negative
 * says the sign, the bytes are returned as stored. */
int ssh_rd_mpint(struct ssh_rd *r, struct ssh_str *mag, bool *negative);
/* name-list: a string of comma-separated non-empty US-ASCII names
 * without NUL or comma inside (RFC 4251); SSH_EFORMAT otherwise. */
int ssh_rd_namelist(struct ssh_rd *r, struct ssh_str *list);
/* SSH_EFORMAT unless everything was consumed (messages have no slack). */
int ssh_rd_end(const struct ssh_rd *r);

/* Iterate a name-list already checked by ssh_rd_namelist:
 *     size_t pos = 0; struct ssh_str name;
 *     while (ssh_namelist_next(list, &pos, &name)) ...            */
bool ssh_namelist_next(struct ssh_str list, size_t *pos, struct ssh_str *name);
bool ssh_namelist_has(struct ssh_str list, const char *name);
bool ssh_str_eq(struct ssh_str s, const char *c);

static inline struct ssh_wr ssh_wr_init(void *p, size_t cap)
{
    struct ssh_wr w = {(uint8_t *)p, cap, 0, false};
    return w;
}
/* 0, or SSH_ESPACE when some write did not fit */
static inline int ssh_wr_status(const struct ssh_wr *w) { return w->overflow ? SSH_ESPACE : 0; }

void ssh_wr_u8(struct ssh_wr *w, uint8_t v);
void ssh_wr_bool(struct ssh_wr *w, bool v);
void ssh_wr_u32(struct ssh_wr *w, uint32_t v);
void ssh_wr_u64(struct ssh_wr *w, uint64_t v);
void ssh_wr_bytes(struct ssh_wr *w, const void *p, size_t n);
void ssh_wr_string(struct ssh_wr *w, const void *p, size_t n);
void ssh_wr_cstring(struct ssh_wr *w, const char *s);
/* mpint of the unsigned big-endian number in p[0..n): leading zeros
 * dropped, a 0x00 added when the top bit is set, zero as the empty string */
void ssh_wr_mpint_unsigned(struct ssh_wr *w, const uint8_t *p, size_t n);

void ssh_put_u32(uint8_t *p, uint32_t v);
uint32_t ssh_get_u32(const uint8_t *p);
void ssh_put_u64(uint8_t *p, uint64_t v);

#endif
