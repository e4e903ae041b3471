/*
 * upstream_parse.c - the response-head parser of the remote engine: status
 * line and the few header fields a forwarder needs.  Pure; host-tested.
 */
#include <anx/lib.h>

#include "router.h"

static bool field(const char *line, size_t n, const char *name, const char **val, size_t *vlen)
{
    size_t l = strlen(name);
    if (n <= l || line[l] != ':' || strncasecmp(line, name, l))
        return false;
    const char *v = line + l + 1, *e = line + n;
    while (v < e && (*v == ' ' || *v == '\t'))
        v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *val = v;
    *vlen = (size_t)(e - v);
    return true;
}

int rt_parse_upstream_head(const char *d, size_t n, struct rt_upstream_head *h)
{
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    /* find the end of the head */
    size_t end = 0;
    for (size_t i = 0; i + 3 < n; i++)
        if (d[i] == '\r' && d[i + 1] == '\n' && d[i + 2] == '\r' && d[i + 3] == '\n') {
            end = i + 4;
            break;
        }
    if (!end)
        return n > 65536 ? -1 : 0;
    h->head_len = end;
    /* HTTP/1.x SP DDD */
    if (end < 14 || memcmp(d, "HTTP/1.", 7) || (d[7] != '0' && d[7] != '1') || d[8] != ' ')
        return -1;
    if (!isdigit((unsigned char)d[9]) || !isdigit((unsigned char)d[10]) ||
        !isdigit((unsigned char)d[11]))
        return -1;
    h->status = (d[9] - '0') * 100 + (d[10] - '0') * 10 + (d[11] - '0');
    if (h->status < 100 || (d[12] != ' ' && d[12] != '\r'))
        return -1;
    h->close = d[7] == '0';
    const char *p = memchr(d, '\n', end);
    if (p[-1] != '\r')
        return -1;
    p++;
    while (p < d + end - 2) {
        const char *nl = memchr(p, '\n', (size_t)(d + end - p));
        size_t len = (size_t)(nl - p);
        if (len == 0 || p[len - 1] != '\r')
            return -1;
        len--;
        const char *v;
        size_t vl;
        if (field(p, len, "Content-Length", &v, &vl)) {
            uint64_t x = 0;
            if (!vl || vl > 18)
                return -1;
            for (size_t i = 0; i < vl; i++) {
                if (!isdigit((unsigned char)v[i]))
                    return -1;
                x = x * 10 + (uint64_t)(v[i] - '0');
            }
            if (h->content_length >= 0 && (uint64_t)h->content_length != x)
                return -1;
            h->content_length = (int64_t)x;
        } else if (field(p, len, "Transfer-Encoding", &v, &vl)) {
            h->chunked = vl >= 7 && !strncasecmp(v + vl - 7, "chunked", 7);
            if (!h->chunked)
                return -1; /* other codings are not forwarded */
        } else if (field(p, len, "Connection", &v, &vl)) {
            if (vl == 5 && !strncasecmp(v, "close", 5))
                h->close = true;
        } else if (field(p, len, "Content-Type", &v, &vl)) {
            if (vl >= sizeof h->content_type)
                vl = sizeof h->content_type - 1;
            memcpy(h->content_type, v, vl);
            h->content_type[vl] = 0;
        }
        p = nl + 1;
    }
    if (h->chunked)
        h->content_length = -1;
    if (h->status == 204 || h->status == 304 || h->status < 200)
        h->content_length = 0;
    return 1;
}

long rt_dechunk(char *d, size_t n)
{
    size_t r = 0, w = 0;
    for (;;) {
        uint64_t size = 0;
        size_t digits = 0;
        while (r < n && isxdigit((unsigned char)d[r])) {
            if (++digits > 15)
                return -1;
            char c = d[r++];
            size = size * 16 + (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        if (!digits)
            return -1;
        while (r < n && d[r] != '\r') /* chunk extensions are ignored */
            r++;
        if (r + 1 >= n || d[r + 1] != '\n')
            return -1;
        r += 2;
        if (size == 0)
            return (long)w; /* trailers are dropped */
        if (size > n - r || n - r - size < 2 || d[r + size] != '\r' || d[r + size + 1] != '\n')
            return -1;
        memmove(d + w, d + r, (size_t)size);
        w += (size_t)size;
        r += (size_t)size + 2;
    }
}
