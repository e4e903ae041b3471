/* codec.c - little-endian encoding into growable buffers and bounded
 * decoding: every read checks the remaining length and marks the reader
 * bad instead of running past the end. */
#include "format.h"

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

void os_w8(struct anx_buf *w, uint8_t v) { anx_buf_add(w, &v, 1); }
void os_w16(struct anx_buf *w, uint16_t v) { uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)}; anx_buf_add(w, b, 2); }
void os_w32(struct anx_buf *w, uint32_t v) { uint8_t b[4]; os_put32(b, v); anx_buf_add(w, b, 4); }
void os_w64(struct anx_buf *w, uint64_t v) { uint8_t b[8]; os_put64(b, v); anx_buf_add(w, b, 8); }
void os_wstr8(struct anx_buf *w, const char *s)
{
    size_t n = strlen(s);
    if (n > 255)
        n = 255;
    os_w8(w, (uint8_t)n);
    anx_buf_add(w, s, n);
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
