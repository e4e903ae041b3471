/* ssh_buf.c - SSH data types, bounds-checked (ssh_buf.h). */
#include "ssh_buf.h"
#include "ssh_err.h"
#include <anx/lib.h>

void ssh_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t ssh_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ssh_put_u64(uint8_t *p, uint64_t v)
{
    ssh_put_u32(p, (uint32_t)(v >> 32));
    ssh_put_u32(p + 4, (uint32_t)v);
}

int ssh_rd_bytes(struct ssh_rd *r, size_t n, const uint8_t **p)
{
    if (n > ssh_rd_left(r))
        return SSH_ETRUNC;
    *p = r->p + r->off;
    r->off += n;
    return 0;
}

int ssh_rd_u8(struct ssh_rd *r, uint8_t *v)
{
    const uint8_t *p;
    int e = ssh_rd_bytes(r, 1, &p);
    if (e == 0)
        *v = p[0];
    return e;
}

int ssh_rd_bool(struct ssh_rd *r, bool *v)
{
    uint8_t b;
    int e = ssh_rd_u8(r, &b);
    if (e == 0)
        *v = b != 0;
    return e;
}

int ssh_rd_u32(struct ssh_rd *r, uint32_t *v)
{
    const uint8_t *p;
    int e = ssh_rd_bytes(r, 4, &p);
    if (e == 0)
        *v = ssh_get_u32(p);
    return e;
}

int ssh_rd_u64(struct ssh_rd *r, uint64_t *v)
{
    const uint8_t *p;
    int e = ssh_rd_bytes(r, 8, &p);
    if (e == 0)
        *v = (uint64_t)ssh_get_u32(p) << 32 | ssh_get_u32(p + 4);
    return e;
}

int ssh_rd_string(struct ssh_rd *r, struct ssh_str *s)
{
    if (ssh_rd_left(r) < 4)
        return SSH_ETRUNC;
    uint32_t n = ssh_get_u32(r->p + r->off);
    if (n > ssh_rd_left(r) - 4)
        return SSH_ETRUNC;
    s->p = r->p + r->off + 4;
    s->len = n;
    r->off += 4 + (size_t)n;
    return 0;
}

int ssh_rd_string_n(struct ssh_rd *r, size_t n, const uint8_t **p)
{
    size_t at = r->off;
    struct ssh_str s;
    int e = ssh_rd_string(r, &s);
    if (e)
        return e;
    if (s.len != n) {
        r->off = at;
        return SSH_EFORMAT;
    }
    *p = s.p;
    return 0;
}

int ssh_rd_mpint(struct ssh_rd *r, struct ssh_str *mag, bool *negative)
{
    size_t at = r->off;
    struct ssh_str s;
    int e = ssh_rd_string(r, &s);
    if (e)
        return e;
    /* canonical: no leading byte that only repeats the sign of the next */
    if (s.len >= 2 && ((s.p[0] == 0 && !(s.p[1] & 0x80)) || (s.p[0] == 0xff && (s.p[1] & 0x80)))) {
        r->off = at;
        return SSH_EFORMAT;
    }
    if (s.len == 1 && s.p[0] == 0) { /* zero is the empty string */
        r->off = at;
        return SSH_EFORMAT;
    }
    *negative = s.len > 0 && (s.p[0] & 0x80);
    *mag = s;
    return 0;
}

int ssh_rd_namelist(struct ssh_rd *r, struct ssh_str *list)
{
    size_t at = r->off;
    struct ssh_str s;
    int e = ssh_rd_string(r, &s);
    if (e)
        return e;
    bool name_empty = true;
    for (uint32_t i = 0; i < s.len; i++) {
        uint8_t c = s.p[i];
        if (c == ',') {
            if (name_empty)
                goto bad;
            name_empty = true;
        } else if (c <= 0x20 || c >= 0x7f) { /* printable US-ASCII only */
            goto bad;
        } else {
            name_empty = false;
        }
    }
    if (s.len > 0 && name_empty) /* trailing comma */
        goto bad;
    *list = s;
    return 0;
bad:
    r->off = at;
    return SSH_EFORMAT;
}

int ssh_rd_end(const struct ssh_rd *r) { return ssh_rd_left(r) == 0 ? 0 : SSH_EFORMAT; }

bool ssh_namelist_next(struct ssh_str list, size_t *pos, struct ssh_str *name)
{
    if (*pos >= list.len)
        return false;
    size_t start = *pos, end = start;
    while (end < list.len && list.p[end] != ',')
        end++;
    name->p = list.p + start;
    name->len = (uint32_t)(end - start);
    *pos = end + 1;
    return true;
}

bool ssh_str_eq(struct ssh_str s, const char *c)
{
    size_t n = strlen(c);
    return s.len == n && memcmp(s.p, c, n) == 0;
}

bool ssh_namelist_has(struct ssh_str list, const char *name)
{
    size_t pos = 0;
    struct ssh_str n;
    while (ssh_namelist_next(list, &pos, &n))
        if (ssh_str_eq(n, name))
            return true;
    return false;
}

void ssh_wr_bytes(struct ssh_wr *w, const void *p, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return;
    }
    if (n)
        memcpy(w->p + w->len, p, n);
    w->len += n;
}

void ssh_wr_u8(struct ssh_wr *w, uint8_t v) { ssh_wr_bytes(w, &v, 1); }
void ssh_wr_bool(struct ssh_wr *w, bool v) { ssh_wr_u8(w, v ? 1 : 0); }

void ssh_wr_u32(struct ssh_wr *w, uint32_t v)
{
    uint8_t b[4];
    ssh_put_u32(b, v);
    ssh_wr_bytes(w, b, 4);
}

void ssh_wr_u64(struct ssh_wr *w, uint64_t v)
{
    uint8_t b[8];
    ssh_put_u64(b, v);
    ssh_wr_bytes(w, b, 8);
}

void ssh_wr_string(struct ssh_wr *w, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        w->overflow = true;
        return;
    }
    ssh_wr_u32(w, (uint32_t)n);
    ssh_wr_bytes(w, p, n);
}

void ssh_wr_cstring(struct ssh_wr *w, const char *s) { ssh_wr_string(w, s, strlen(s)); }

void ssh_wr_mpint_unsigned(struct ssh_wr *w, const uint8_t *p, size_t n)
{
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    bool pad = n > 0 && (p[0] & 0x80);
    ssh_wr_u32(w, (uint32_t)(n + pad));
    if (pad)
        ssh_wr_u8(w, 0);
    ssh_wr_bytes(w, p, n);
}
