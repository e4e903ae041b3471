/*
 * libFuzzer target of the http: fetcher's response parser
 * (http_response.c). The first byte picks how the rest is cut into pieces
 * (1..32 bytes, or whole), whether the request was HEAD and whether small
 * limits apply; the whole input then goes through browser_hresp_feed and
 * browser_hresp_eof. Beyond ASan/UBSan it checks the parser's promises:
 * feed never claims more than it was given, the body it reports is never
 * larger than the input, a Content-Length body is never longer than the
 * length, and an error always comes with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

static uint64_t body_bytes;

static int on_status(void *ctx, int code, int minor, const char *r, size_t rl)
{
    (void)ctx, (void)r;
    if (code < 200 || code > 999 || minor < 0 || minor > 1 || rl > 65536)
        abort();
    return 0;
}

static int on_header(void *ctx, const char *n, size_t nl, const char *v, size_t vl)
{
    (void)ctx;
    if (nl == 0 || memchr(n, ':', nl) || (vl && (v[0] == ' ' || v[vl - 1] == ' ')))
        abort();
    for (size_t i = 0; i < vl; i++)
        if (v[i] == '\r' || v[i] == '\n')
            abort(); /* folds are joined with spaces */
    return 0;
}

static int on_body(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < n; i++) /* every byte must be readable */
        sink ^= d[i];
    (void)sink;
    body_bytes += n;
    return 0;
}

static const struct browser_hresp_cb cbs = { on_status, on_header, NULL, on_body };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static char buf[65536];
    if (len == 0)
        return 0;
    unsigned mode = data[0];
    data++, len--;
    size_t step = (mode & 31) ? (mode & 31) : len;
    bool small = mode & 64;
    struct browser_hresp p;
    browser_hresp_init(&p, &cbs, NULL, buf, small ? 256 : sizeof buf, small ? 64 : 8192,
                       (mode & 128) != 0);
    body_bytes = 0;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < step ? len - off : step;
        long r = browser_hresp_feed(&p, data + off, n);
        if (r < 0) {
            if (!p.error || p.state != BROWSER_HRESP_ERROR)
                abort();
            return 0;
        }
        if ((size_t)r > n || ((size_t)r < n && p.state != BROWSER_HRESP_DONE))
            abort();
        off += (size_t)r;
        if (p.state == BROWSER_HRESP_DONE)
            break;
    }
    if (browser_hresp_eof(&p) < 0 && !p.error)
        abort();
    if (body_bytes > len || body_bytes != p.body_bytes)
        abort();
    if (p.framing == BROWSER_HRESP_LENGTH && body_bytes > (uint64_t)p.content_length)
        abort();
    return 0;
}
