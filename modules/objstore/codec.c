/* codec.c - little-endian encoding into growable buffers and bounded
 * decoding: every read checks the remaining length and marks the reader
 * bad instead of running past the end. */
#include "format.h"

const char *os_strerror(int err)
{
    switch (err) {
    case OS_OK: return "ok";
    case OS_EINVAL: return "invalid argument";
    case OS_ENOENT: return "not found";
    case OS_ENOSPC: return "no space left in the store";
    case OS_EQUOTA: return "quota exceeded";
    case OS_EIO: return "I/O error";
    case OS_ECORRUPT: return "damaged data";
    case OS_ENOMEM: return "out of memory";
    case OS_EROFS: return "read-only";
    case OS_EBROKEN: return "store stopped after a failed write; reopen it";
    }
    return "unknown error";
}

size_t os_strlcpy(char *dst, const char *src, size_t n)
{
    size_t len = strlen(src);
    if (n) {
        size_t c = len < n - 1 ? len : n - 1;
        memcpy(dst, src, c);
        dst[c] = 0;
    }
    return len;
}

void os_put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
void os_put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }
uint32_t os_get32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}
uint64_t os_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static bool wgrow(struct os_wbuf *w, size_t more)
{
    if (w->oom)
        return false;
    if (w->n + more <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : 256;
    while (cap < w->n + more)
        cap *= 2;
    uint8_t *p = os_realloc(w->p, cap);
    if (!p) {
        w->oom = true;
        return false;
    }
    w->p = p;
    w->cap = cap;
    return true;
}

void os_wbytes(struct os_wbuf *w, const void *d, size_t n)
{
    if (!n || !wgrow(w, n))
        return;
    memcpy(w->p + w->n, d, n);
    w->n += n;
}
void os_w8(struct os_wbuf *w, uint8_t v) { os_wbytes(w, &v, 1); }
void os_w16(struct os_wbuf *w, uint16_t v) { uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; os_wbytes(w, b, 2); }
void os_w32(struct os_wbuf *w, uint32_t v) { uint8_t b[4]; os_put32(b, v); os_wbytes(w, b, 4); }
void os_w64(struct os_wbuf *w, uint64_t v) { uint8_t b[8]; os_put64(b, v); os_wbytes(w, b, 8); }
void os_wstr8(struct os_wbuf *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255;
    os_w8(w, (uint8_t)n);
    os_wbytes(w, s, n);
}
void os_wbuf_free(struct os_wbuf *w)
{
    os_free(w->p);
    w->p = NULL;
    w->n = w->cap = 0;
    w->oom = false;
}

void os_rbytes(struct os_rbuf *r, void *d, size_t n)
{
    if (r->bad || n > r->n - r->off) {
        r->bad = true;
        memset(d, 0, n);
        return;
    }
    memcpy(d, r->p + r->off, n);
    r->off += n;
}
uint8_t os_r8(struct os_rbuf *r) { uint8_t v; os_rbytes(r, &v, 1); return v; }
uint16_t os_r16(struct os_rbuf *r) { uint8_t b[2]; os_rbytes(r, b, 2); return (uint16_t)(b[0] | b[1] << 8); }
uint32_t os_r32(struct os_rbuf *r) { uint8_t b[4]; os_rbytes(r, b, 4); return os_get32(b); }
uint64_t os_r64(struct os_rbuf *r) { uint8_t b[8]; os_rbytes(r, b, 8); return os_get64(b); }
void os_rstr8(struct os_rbuf *r, char *out, size_t max)
{
    size_t n = os_r8(r);
    out[0] = 0;
    if (r->bad)
        return;
    if (n > max || n > r->n - r->off) {
        r->bad = true;
        return;
    }
    memcpy(out, r->p + r->off, n);
    out[n] = 0;
    if (strlen(out) != n)        /* embedded NUL */
        r->bad = true;
    r->off += n;
}
