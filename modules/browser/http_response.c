/*
 * The HTTP/1.x response parser of the browser's http: fetcher (see
 * http_response.h). Strict where a lenient reading could frame the body
 * wrongly (Content-Length, Transfer-Encoding, chunk sizes: RFC 9112
 * sections 6 and 7), tolerant where browsers are (bare LF line ends, empty
 * lines before the status line, a missing reason phrase, obs-fold).
 */
#include <anx/lib.h>
#include <anx/printf.h>

#include "http_response.h"

#define CHUNK_SIZE_MAX ((uint64_t)1 << 60) /* no real body is larger; no overflow below */

static int fail(struct browser_hresp *p, const char *why)
{
    p->state = BROWSER_HRESP_ERROR;
    p->error = why;
    return -1;
}

void browser_hresp_init(struct browser_hresp *p, const struct browser_hresp_cb *cb, void *ctx,
                        char *buf, size_t buf_size, size_t max_line, bool head_request)
{
    memset(p, 0, sizeof *p);
    p->cb = cb;
    p->ctx = ctx;
    p->buf = buf;
    p->buf_size = buf_size;
    p->max_line = max_line;
    p->head_request = head_request;
    p->state = BROWSER_HRESP_HEAD;
    p->content_length = -1;
}

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* A field value's bytes: VCHAR, SP, HTAB, obs-text; never CTLs. */
static bool is_field_char(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static bool token_eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && strncasecmp(s, lit, len) == 0;
}

/* ------------------------------------------------------------------ */
/* The head                                                            */

/* Length of the line starting at s (up to its LF or end), without its
 * CR LF / LF ending. */
static size_t line_len(const char *s, const char *end, const char **next)
{
    const char *lf = memchr(s, '\n', (size_t)(end - s));
    const char *e = lf ? lf : end;
    *next = lf ? lf + 1 : end;
    if (e > s && e[-1] == '\r')
        e--;
    return (size_t)(e - s);
}

/* "HTTP/1.x SP 3DIGIT [SP reason]"; 0 or -1. */
static int parse_status_line(struct browser_hresp *p, const char *s, size_t len, int *minor,
                             const char **reason, size_t *reason_len)
{
    if (len < 12 || memcmp(s, "HTTP/", 5) != 0)
        return fail(p, "the answer is not an HTTP response (no HTTP/1.x status line)");
    if (s[5] != '1' || s[6] != '.' || (s[7] != '0' && s[7] != '1'))
        return fail(p, "unsupported HTTP version in the status line (only HTTP/1.0 and 1.1)");
    if (s[8] != ' ' || s[9] < '1' || s[9] > '9' || s[10] < '0' || s[10] > '9' || s[11] < '0' ||
        s[11] > '9')
        return fail(p, "malformed status line (expected a 3-digit status code)");
    if (len > 12 && s[12] != ' ')
        return fail(p, "malformed status line (status code longer than 3 digits)");
    for (size_t i = 13; i < len; i++)
        if (!is_field_char((unsigned char)s[i]))
            return fail(p, "control character in the status line");
    *minor = s[7] - '0';
    p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    *reason = len > 13 ? s + 13 : s + len;
    *reason_len = len > 13 ? len - 13 : 0;
    return 0;
}

/* Content-Length: a non-empty list of equal decimal numbers ("5" or "5, 5"). */
static int parse_content_length(struct browser_hresp *p, const char *v, size_t len)
{
    size_t i = 0;
    if (len == 0)
        return fail(p, "empty Content-Length header field");
    while (i < len) {
        uint64_t n = 0;
        size_t start = i;
        for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
            if (n > (CHUNK_SIZE_MAX / 10))
                return fail(p, "Content-Length too large");
            n = n * 10 + (uint64_t)(v[i] - '0');
        }
        if (i == start)
            return fail(p, "invalid Content-Length (not a decimal number)");
        if (p->content_length >= 0 && (uint64_t)p->content_length != n)
            return fail(p, "conflicting Content-Length values");
        p->content_length = (int64_t)n;
        while (i < len && is_ws(v[i]))
            i++;
        if (i < len && v[i] != ',')
            return fail(p, "invalid Content-Length (not a decimal number)");
        if (i < len) {
            i++;
            while (i < len && is_ws(v[i]))
                i++;
            if (i == len)
                return fail(p, "invalid Content-Length (trailing comma)");
        }
    }
    return 0;
}

/* Transfer-Encoding: codings applied in order; this client undoes only
 * chunked (it asks for no other: TE is not sent), applied once, last.
 * "identity" (RFC 2616's no-op) is ignored: a field of only that leaves
 * the framing to Content-Length or the close. */
static int parse_transfer_encoding(struct browser_hresp *p, const char *v, size_t len,
                                   bool *te_seen, bool *chunked_seen)
{
    size_t i = 0;
    bool any = false;
    while (i < len) {
        while (i < len && (is_ws(v[i]) || v[i] == ','))
            i++;
        size_t start = i;
        while (i < len && is_tchar((unsigned char)v[i]))
            i++;
        if (i == start) {
            if (i == len)
                break;
            return fail(p, "malformed Transfer-Encoding header field");
        }
        const char *name = v + start;
        size_t nlen = i - start;
        while (i < len && is_ws(v[i]))
            i++;
        if (i < len && v[i] == ';') /* transfer-parameters: not for chunked */
            return fail(p, "malformed Transfer-Encoding header field (parameters)");
        if (i < len && v[i] != ',')
            return fail(p, "malformed Transfer-Encoding header field");
        any = true;
        if (token_eq(name, nlen, "chunked")) {
            if (*chunked_seen)
                return fail(p, "Transfer-Encoding applies chunked twice");
            *chunked_seen = *te_seen = true;
        } else if (token_eq(name, nlen, "identity")) {
            /* obsolete no-op coding (RFC 2616) */
        } else {
            if (*chunked_seen)
                return fail(p, "Transfer-Encoding applies a coding after chunked");
            return fail(p, "unsupported Transfer-Encoding (only chunked is understood)");
        }
    }
    if (!any)
        return fail(p, "empty Transfer-Encoding header field");
    return 0;
}

/* One field (obs-folds already blanked); reports it and notes framing. */
static int parse_field(struct browser_hresp *p, char *s, size_t len, bool *te_seen,
                       bool *chunked_seen)
{
    size_t n = 0;
    while (n < len && is_tchar((unsigned char)s[n]))
        n++;
    if (n == 0 || n == len || s[n] != ':')
        return fail(p, n < len && is_ws(s[n])
                           ? "whitespace between a header field name and its colon"
                           : "malformed header field (expected NAME: value)");
    size_t vs = n + 1, ve = len;
    while (vs < ve && is_ws(s[vs]))
        vs++;
    while (ve > vs && is_ws(s[ve - 1]))
        ve--;
    for (size_t i = vs; i < ve; i++)
        if (!is_field_char((unsigned char)s[i]))
            return fail(p, "control character in a header field value");
    if (token_eq(s, n, "Content-Length") && parse_content_length(p, s + vs, ve - vs))
        return -1;
    if (token_eq(s, n, "Transfer-Encoding") &&
        parse_transfer_encoding(p, s + vs, ve - vs, te_seen, chunked_seen))
        return -1;
    if (p->cb->header && p->cb->header(p->ctx, s, n, s + vs, ve - vs))
        return fail(p, "stopped");
    return 0;
}

static int start_body(struct browser_hresp *p, bool te_seen, bool chunked)
{
    if (p->head_request || p->status == 204 || p->status == 304) {
        p->framing = BROWSER_HRESP_NO_BODY;
        p->state = BROWSER_HRESP_DONE;
    } else if (te_seen && chunked) { /* Transfer-Encoding overrides Content-Length */
        p->framing = BROWSER_HRESP_CHUNKED;
        p->state = BROWSER_HRESP_CHUNK_SIZE;
    } else if (p->content_length >= 0) {
        p->framing = BROWSER_HRESP_LENGTH;
        p->remaining = (uint64_t)p->content_length;
        p->state = p->remaining ? BROWSER_HRESP_BODY_LENGTH : BROWSER_HRESP_DONE;
    } else {
        p->framing = BROWSER_HRESP_UNTIL_CLOSE;
        p->state = BROWSER_HRESP_BODY_CLOSE;
    }
    p->used = p->scanned = 0; /* buf now holds chunk lines */
    if (p->cb->head_done && p->cb->head_done(p->ctx))
        return fail(p, "stopped");
    return 0;
}

/* The complete head is buf[0..end): parse and report it. Returns 1 for an
 * interim (1xx) response the caller skips, 0 for the final one, -1. */
static int parse_head(struct browser_hresp *p, size_t end)
{
    char *s = p->buf, *e = p->buf + end;
    const char *next;
    while (s < e && (*s == '\r' || *s == '\n')) /* empty lines before the status line */
        s++;
    for (char *c = s; c < e; c++)
        if (*c == '\r' && (c + 1 == e || c[1] != '\n'))
            return fail(p, "bare CR in the response header");
    size_t len = line_len(s, e, &next);
    int minor;
    const char *reason;
    size_t reason_len;
    if (parse_status_line(p, s, len, &minor, &reason, &reason_len))
        return -1;
    if (p->status == 101)
        return fail(p, "unexpected 101 Switching Protocols (no upgrade was asked for)");
    if (p->status < 200)
        return 1;
    if (p->cb->status && p->cb->status(p->ctx, p->status, minor, reason, reason_len))
        return fail(p, "stopped");

    bool te_seen = false, chunked_seen = false;
    s = (char *)next;
    if (s < e && is_ws(*s))
        return fail(p, "whitespace before the first header field");
    while (s < e) {
        len = line_len(s, e, &next);
        if (len == 0)
            break; /* the blank line ending the head */
        /* obs-fold: continuation lines join this field, separated by spaces */
        while (next < e && is_ws(*next)) {
            const char *after;
            size_t more = line_len(next, e, &after);
            for (char *c = s + len; c < next; c++)
                *c = ' ';
            len = (size_t)(next - s) + more;
            next = after;
        }
        if (parse_field(p, s, len, &te_seen, &chunked_seen))
            return -1;
        s = (char *)next;
    }
    return start_body(p, te_seen, chunked_seen);
}

/* Gather head bytes; returns bytes of data consumed, -1. */
static long feed_head(struct browser_hresp *p, const uint8_t *data, size_t n)
{
    size_t take = p->buf_size - p->used;
    if (take > n)
        take = n;
    memcpy(p->buf + p->used, data, take);
    size_t before = p->used;
    p->used += take;
    /* Look for the blank line, line by line from where the last call
     * stopped; p->scanned is always the start of a line. */
    while (p->scanned < p->used) {
        const char *ls = p->buf + p->scanned;
        const char *lf = memchr(ls, '\n', p->used - p->scanned);
        /* the limit is on a line's content, without its CR LF */
        if (!lf) {
            if (p->used - p->scanned > p->max_line + 1)
                return fail(p, "a response header line exceeds the line limit");
            break;
        }
        size_t len = (size_t)(lf - ls);
        if (len - (len && ls[len - 1] == '\r') > p->max_line)
            return fail(p, "a response header line exceeds the line limit");
        bool blank = len == 0 || (len == 1 && ls[0] == '\r');
        bool leading = blank && !p->head_started; /* empty lines before the status line */
        p->head_started |= !blank;
        p->scanned = (size_t)(lf + 1 - p->buf);
        if (blank && !leading) {
            size_t end = p->scanned;
            long consumed = (long)(end - before);
            int r = parse_head(p, end);
            if (r < 0)
                return -1;
            if (r == 1) { /* interim response: forget it, parse what follows */
                p->used = p->scanned = 0;
                p->status = 0;
                p->head_started = false;
                p->content_length = -1;
            }
            return consumed;
        }
    }
    if (p->used == p->buf_size)
        return fail(p, "the response header section exceeds the size limit");
    return (long)take;
}

/* ------------------------------------------------------------------ */
/* Chunked bodies                                                      */

/* Gather one line into buf (without its LF); 1 when complete, 0 when more
 * is needed, -1 past limit. *took = bytes of data consumed. */
static int gather_line(struct browser_hresp *p, const uint8_t *data, size_t n, size_t limit,
                       size_t *took)
{
    const uint8_t *lf = memchr(data, '\n', n);
    size_t len = lf ? (size_t)(lf - data) : n;
    if (p->used + len > limit)
        return -1;
    memcpy(p->buf + p->used, data, len);
    p->used += len;
    *took = lf ? len + 1 : len;
    return lf != NULL;
}

/* chunk-size [ chunk-ext ] with chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ) */
static int parse_chunk_size(struct browser_hresp *p, const char *s, size_t len)
{
    size_t i = 0;
    uint64_t size = 0;
    if (len && s[len - 1] == '\r')
        len--;
    for (; i < len && anx_hexval(s[i]) >= 0; i++) {
        if (size >= CHUNK_SIZE_MAX >> 4)
            return fail(p, "chunk size too large");
        size = size * 16 + (uint64_t)anx_hexval(s[i]);
    }
    if (i == 0)
        return fail(p, "invalid chunk size in a chunked body");
    while (i < len) {
        while (i < len && is_ws(s[i]))
            i++;
        if (i == len || s[i] != ';')
            return fail(p, "invalid character after a chunk size");
        i++;
        while (i < len && is_ws(s[i]))
            i++;
        size_t start = i;
        while (i < len && is_tchar((unsigned char)s[i]))
            i++;
        if (i == start)
            return fail(p, "invalid chunk extension");
        while (i < len && is_ws(s[i]))
            i++;
        if (i < len && s[i] == '=') {
            i++;
            while (i < len && is_ws(s[i]))
                i++;
            if (i < len && s[i] == '"') {
                for (i++; i < len && s[i] != '"'; i++) {
                    if (s[i] == '\\')
                        i++;
                    if (i < len && !is_field_char((unsigned char)s[i]))
                        return fail(p, "invalid chunk extension");
                }
                if (i >= len)
                    return fail(p, "unterminated quoted string in a chunk extension");
                i++;
            } else {
                start = i;
                while (i < len && is_tchar((unsigned char)s[i]))
                    i++;
                if (i == start)
                    return fail(p, "invalid chunk extension");
            }
        }
    }
    p->remaining = size;
    p->state = size ? BROWSER_HRESP_CHUNK_DATA : BROWSER_HRESP_TRAILER;
    return 0;
}

static int deliver(struct browser_hresp *p, const uint8_t *data, size_t n)
{
    p->body_bytes += n;
    if (n && p->cb->body && p->cb->body(p->ctx, data, n))
        return fail(p, "stopped");
    return 0;
}

/* One step of the body state machine; bytes consumed or -1. */
static long feed_body(struct browser_hresp *p, const uint8_t *data, size_t n)
{
    size_t took = 0;
    int r;
    switch (p->state) {
    case BROWSER_HRESP_BODY_CLOSE: return deliver(p, data, n) ? -1 : (long)n;
    case BROWSER_HRESP_BODY_LENGTH:
    case BROWSER_HRESP_CHUNK_DATA:
        took = p->remaining < n ? (size_t)p->remaining : n;
        if (deliver(p, data, took))
            return -1;
        p->remaining -= took;
        if (p->remaining == 0)
            p->state = p->state == BROWSER_HRESP_BODY_LENGTH ? BROWSER_HRESP_DONE
                                                             : BROWSER_HRESP_CHUNK_END;
        return (long)took;
    case BROWSER_HRESP_CHUNK_SIZE:
        r = gather_line(p, data, n, p->max_line + 1, &took); /* + its CR */
        if (r < 0)
            return fail(p, "a chunk-size line exceeds the line limit");
        if (r == 1) {
            if (parse_chunk_size(p, p->buf, p->used))
                return -1;
            p->used = 0;
        }
        return (long)took;
    case BROWSER_HRESP_CHUNK_END:
        /* CR LF (or a bare LF); p->used = 1 once the CR is seen */
        if (data[0] == '\r' && p->used == 0) {
            p->used = 1;
            return 1;
        }
        if (data[0] != '\n')
            return fail(p, "chunk data not followed by CRLF (wrong chunk size?)");
        p->used = 0;
        p->state = BROWSER_HRESP_CHUNK_SIZE;
        return 1;
    case BROWSER_HRESP_TRAILER:
        /* Fields after the last chunk: counted against the line limit
         * and dropped (nothing in a browser needs them). */
        r = gather_line(p, data, n, p->max_line + 1, &took);
        if (r < 0)
            return fail(p, "a trailer field exceeds the line limit");
        if (r == 1) {
            bool blank = p->used == 0 || (p->used == 1 && p->buf[0] == '\r');
            p->used = 0;
            if (blank)
                p->state = BROWSER_HRESP_DONE;
        }
        return (long)took;
    default: return fail(p, "internal error: bad parser state");
    }
}

long browser_hresp_feed(struct browser_hresp *p, const uint8_t *data, size_t n)
{
    size_t off = 0;
    while (off < n) {
        long r;
        if (p->state == BROWSER_HRESP_DONE)
            break;
        if (p->state == BROWSER_HRESP_ERROR)
            return -1;
        if (p->state == BROWSER_HRESP_HEAD)
            r = feed_head(p, data + off, n - off);
        else
            r = feed_body(p, data + off, n - off);
        if (r < 0)
            return -1;
        off += (size_t)r;
    }
    return p->state == BROWSER_HRESP_ERROR ? -1 : (long)off;
}

int browser_hresp_eof(struct browser_hresp *p)
{
    switch (p->state) {
    case BROWSER_HRESP_DONE: return 0;
    case BROWSER_HRESP_BODY_CLOSE: p->state = BROWSER_HRESP_DONE; return 0;
    case BROWSER_HRESP_HEAD:
        return fail(p, p->used ? "the connection closed in the middle of the response header"
                               : "the server closed the connection without answering");
    case BROWSER_HRESP_BODY_LENGTH:
        return fail(p, "the connection closed before the end of the body (Content-Length)");
    case BROWSER_HRESP_ERROR: return -1;
    default: return fail(p, "the connection closed in the middle of a chunked body");
    }
}
