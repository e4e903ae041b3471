/*
 * http_trace.h - host-side helpers shared by the parser tests and the fuzz
 * harness: callbacks that serialise every event into a trace, and a driver
 * that feeds an input split at given points.  Two runs over the same bytes
 * must give the same trace, verdict and offsets whatever the split.
 */
#ifndef HTTP_TRACE_H
#define HTTP_TRACE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

struct trace {
    char *s;
    size_t len, cap;
    int skip_body;     /* on_headers returns HTTP_CB_SKIP_BODY */
    int pause_on_done; /* on_message_complete returns HTTP_CB_PAUSE */
    unsigned headers_seen, messages_seen;
};

static void tr_put(struct trace *t, const void *d, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->s = realloc(t->s, cap);
        if (!t->s)
            abort();
        t->cap = cap;
    }
    memcpy(t->s + t->len, d, n);
    t->len += n;
    t->s[t->len] = 0;
}

static void tr_printf(struct trace *t, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        tr_put(t, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void tr_span(struct trace *t, const char *s, size_t n)
{
    tr_printf(t, "[%zu:", n);
    tr_put(t, s, n);
    tr_put(t, "]", 1);
}

static void tr_headers(struct trace *t, const struct http_header *h, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        tr_span(t, h[i].name, h[i].name_len);
        tr_span(t, h[i].value, h[i].value_len);
    }
}

static int tr_on_headers(void *ctx, const struct http_request *r)
{
    struct trace *t = ctx;
    t->headers_seen++;
    tr_printf(t, "\nH %s ", r->method_name);
    tr_span(t, r->target, r->target_len);
    tr_printf(t, " p%d %u.%u cl=%d/%llu ch=%d teo=%d ka=%d up=%d eb=%d n=%zu ", (int)r->protocol,
              r->version_major, r->version_minor, r->has_content_length,
              (unsigned long long)r->content_length, r->chunked, r->te_other_codings, r->keep_alive,
              r->upgrade, r->expect_body, r->header_count);
    tr_headers(t, r->headers, r->header_count);
    tr_put(t, "\nB ", 3);
    return t->skip_body ? HTTP_CB_SKIP_BODY : HTTP_CB_OK;
}

static int tr_on_chunk(void *ctx, uint64_t size, const char *ext, size_t ext_len)
{
    struct trace *t = ctx;
    tr_printf(t, "\nC %llu ", (unsigned long long)size);
    tr_span(t, ext, ext_len);
    tr_put(t, "\nB ", 3);
    return HTTP_CB_OK;
}

static int tr_on_body(void *ctx, const char *d, size_t n)
{
    tr_put(ctx, d, n); /* concatenated: fragment boundaries do not show */
    return HTTP_CB_OK;
}

static int tr_on_done(void *ctx, const struct http_request *r)
{
    struct trace *t = ctx;
    t->messages_seen++;
    tr_printf(t, "\nM ka=%d up=%d body=%llu t=%zu ", r->keep_alive, r->upgrade,
              (unsigned long long)r->body_received, r->trailer_count);
    tr_headers(t, r->trailers, r->trailer_count);
    /* the request must still be intact here */
    tr_span(t, r->target, r->target_len);
    return t->pause_on_done ? HTTP_CB_PAUSE : HTTP_CB_OK;
}

static const struct http_callbacks tr_callbacks = {
    .on_headers = tr_on_headers,
    .on_chunk = tr_on_chunk,
    .on_body = tr_on_body,
    .on_message_complete = tr_on_done,
};

struct run_result {
    enum http_error error;
    size_t error_offset; /* global */
    size_t consumed;     /* global: bytes accepted before stopping */
    unsigned messages;
    int short_consume; /* http_parse consumed less without a reason: a bug */
};

#define HEAD_SIZE 65536
#define MAX_HDRS 128

/* Feed data in pieces: piece k has length step(k) (>= 1).  With a NULL
 * step the whole input goes in one call.  Pauses are resumed at once. */
static struct run_result run_split(const struct http_limits *lim, const uint8_t *data, size_t len,
                                   size_t (*step)(size_t k, void *arg), void *arg, struct trace *t)
{
    static char head[HEAD_SIZE];
    static struct http_header hdrs[MAX_HDRS];
    struct http_parser p;
    struct run_result res = { 0 };
    size_t off = 0, k = 0;

    http_parser_init(&p, lim, head,
                     lim && lim->max_header_bytes &&
                             lim->max_header_bytes + lim->max_request_line < HEAD_SIZE
                         ? lim->max_header_bytes + lim->max_request_line
                         : HEAD_SIZE,
                     hdrs, MAX_HDRS);
    while (off < len) {
        size_t n = step ? step(k++, arg) : len - off;
        size_t pos = off, end, call = off;
        if (n == 0)
            n = 1;
        if (n > len - off)
            n = len - off;
        end = off + n;
        while (pos < end) {
            size_t used;
            call = pos;
            used = http_parse(&p, (const char *)data + pos, end - pos, &tr_callbacks, t);
            pos += used;
            if (p.error == HTTP_PAUSED) {
                http_parser_resume(&p);
                continue;
            }
            if (p.error != HTTP_OK)
                break;
            if (pos != end) {
                res.short_consume = 1;
                break;
            }
        }
        if (p.error != HTTP_OK || res.short_consume) {
            res.error = p.error;
            if (p.error >= HTTP_ERR_FIRST)
                res.error_offset = call + p.error_offset;
            res.consumed = pos;
            res.messages = p.messages;
            return res;
        }
        off = end;
    }
    res.error = p.error;
    res.consumed = off;
    res.messages = p.messages;
    return res;
}

static inline size_t step_one(size_t k, void *arg)
{
    (void)k;
    (void)arg;
    return 1;
}

/* pseudo-random piece lengths 1..max from a seed */
struct rnd_steps {
    uint64_t state;
    size_t max;
};

static inline size_t step_random(size_t k, void *arg)
{
    struct rnd_steps *r = arg;
    (void)k;
    r->state = r->state * 6364136223846793005ULL + 1442695040888963407ULL;
    return 1 + (size_t)((r->state >> 33) % r->max);
}

static inline const char *verdict_of(enum http_error e)
{
    if (e >= HTTP_ERR_FIRST)
        return "error";
    if (e == HTTP_PAUSED_UPGRADE)
        return "upgrade-pause";
    return "ok";
}

#endif
