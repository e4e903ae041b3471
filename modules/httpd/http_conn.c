/*
 * http_conn.c - one HTTP/1.1 server connection over an abstract transport
 * (see http_conn.h).  No lwIP here: the host tests drive it with scripts.
 */
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>

#include "http_conn.h"
#include "router.h" /* the router module API (httpd depends on router) */

struct http_server_counters http_counters;

struct http_conn {
    const struct http_io *io;
    const struct http_server_cfg *cfg;
    const char *peer;
    struct http_conn_stats *st;
    struct http_parser p;
    char *head;
    struct http_header *hdrs;
    struct rt_kv *kv;
    size_t max_headers;
    struct anx_buf body;
    struct anx_buf out; /* responses not sent yet */
    char *in;           /* the receive buffer */
    struct rt_response rs; /* the answer being made */
    int reject;         /* status decided in on_headers or on_body */
    const char *reject_why;   /* its reason in the answer, or NULL */
    bool headers_done;
    bool failed;     /* a send failed: stop */
    bool keep_alive; /* of the request being answered */
    bool http10;
    bool head_method;
    uint64_t req_start;
    uint64_t resp_bytes; /* body bytes of the current response */
};

const char *http_status_text(int s)
{
    switch (s) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static void flush(struct http_conn *c)
{
    if (c->failed || !c->out.len)
        return;
    if (c->io->send(c->io->ctx, c->out.p, c->out.len) < 0)
        c->failed = true;
    else
        c->st->bytes_out += c->out.len;
    anx_buf_reset(&c->out);
}

static void send_direct(struct http_conn *c, const void *data, size_t n)
{
    flush(c);
    if (c->failed || !n)
        return;
    if (c->io->send(c->io->ctx, data, n) < 0)
        c->failed = true;
    else
        c->st->bytes_out += n;
}

static void count_status(int status)
{
    if (status >= 100 && status < 600)
        http_counters.responses_by_class[status / 100]++;
}

static void access_log(struct http_conn *c, const char *method, const char *target, size_t tlen,
                       int status)
{
    if (!c->cfg->access_log || !c->cfg->log)
        return;
    uint64_t us = (c->io->now(c->io->ctx) - c->req_start) / 1000;
    char line[200];
    if (tlen > 80)
        tlen = 80;
    snprintf(line, sizeof line, "%s %s %.*s %d %llu %llu.%03llums", c->peer ? c->peer : "-", method,
             (int)tlen, target, status, (unsigned long long)c->resp_bytes,
             (unsigned long long)(us / 1000), (unsigned long long)(us % 1000));
    c->cfg->log(line);
}

/* The status line and header fields of a response into c->out. */
static void write_head(struct http_conn *c, int status, const char *ctype, const char *extra,
                       size_t extra_len, int64_t length, bool chunked)
{
    anx_buf_printf(&c->out, "HTTP/1.1 %d %s\r\nServer: anunix\r\n", status,
                   http_status_text(status));
    if (ctype)
        anx_buf_printf(&c->out, "Content-Type: %s\r\n", ctype);
    if (length >= 0)
        anx_buf_printf(&c->out, "Content-Length: %llu\r\n", (unsigned long long)length);
    if (chunked)
        anx_buf_puts(&c->out, "Transfer-Encoding: chunked\r\n");
    if (!c->keep_alive)
        anx_buf_puts(&c->out, "Connection: close\r\n");
    else if (c->http10)
        anx_buf_puts(&c->out, "Connection: keep-alive\r\n");
    anx_buf_add(&c->out, extra, extra_len);
    anx_buf_add(&c->out, "\r\n", 2);
}

/* An error answer after which the connection closes. */
static void error_response(struct http_conn *c, int status, const char *why)
{
    c->keep_alive = false;
    char body[160];
    int n = snprintf(body, sizeof body, "%d %s%s%s\n", status, http_status_text(status),
                     why ? ": " : "", why ? why : "");
    write_head(c, status, "text/plain; charset=utf-8", NULL, 0, n, false);
    anx_buf_add(&c->out, body, (size_t)n);
    c->resp_bytes = (uint64_t)n;
    c->st->last_status = status;
    count_status(status);
    flush(c);
}

/* ---- streaming (rt_stream_begin / rt_stream_write) ------------------------- */

static int stream_begin(struct rt_response *rs)
{
    struct http_conn *c = rs->stream_ctx;
    if (c->http10)
        c->keep_alive = false; /* the body ends when the connection does */
    write_head(c, rs->status, rs->content_type ? rs->content_type : "text/plain; charset=utf-8",
               rs->headers.p, rs->headers.len, -1, !c->http10);
    flush(c);
    return c->failed ? -1 : 0;
}

static int stream_write(struct rt_response *rs, const void *data, size_t n)
{
    struct http_conn *c = rs->stream_ctx;
    if (!n || c->head_method)
        return c->failed ? -1 : 0;
    if (!c->http10)
        anx_buf_printf(&c->out, "%zx\r\n", n);
    flush(c);
    send_direct(c, data, n);
    if (!c->http10)
        anx_buf_add(&c->out, "\r\n", 2);
    flush(c);
    c->resp_bytes += n;
    return c->failed ? -1 : 0;
}

static const struct rt_stream_ops stream_ops = { stream_begin, stream_write };

/* ---- parser callbacks ------------------------------------------------------------- */

static int on_headers(void *ctx, const struct http_request *req)
{
    struct http_conn *c = ctx;
    c->headers_done = true;
    anx_buf_reset(&c->body);
    if (req->protocol != HTTP_PROTO_HTTP || req->version_major != 1) {
        c->reject = 505;
        return -1;
    }
    if (req->version_minor == 1 && !http_find_header(req, "Host")) {
        c->reject = 400;
        return -1;
    }
    const struct http_header *ex = http_find_header(req, "Expect");
    if (ex) {
        if (ex->value_len == 12 && !strncasecmp(ex->value, "100-continue", 12)) {
            if (req->expect_body && req->version_minor == 1) {
                anx_buf_puts(&c->out, "HTTP/1.1 100 Continue\r\n\r\n");
                flush(c);
            }
        } else {
            c->reject = 417;
            return -1;
        }
    }
    return HTTP_CB_OK;
}

static int on_body(void *ctx, const char *data, size_t len)
{
    struct http_conn *c = ctx;
    anx_buf_add(&c->body, data, len);
    if (c->body.oom) {
        /* the server's memory, not the request: 503 (try again), never 500 */
        c->reject = 503;
        c->reject_why = "out of memory for the request body";
        return -1;
    }
    return HTTP_CB_OK;
}

static int on_complete(void *ctx, const struct http_request *req)
{
    (void)ctx;
    (void)req;
    return HTTP_CB_PAUSE;
}

static const struct http_callbacks callbacks = {
    .on_headers = on_headers,
    .on_body = on_body,
    .on_message_complete = on_complete,
};

/* ---- one request ------------------------------------------------------------------- */

/* Whether a Host header's host part (its port cut off) is safe to put
 * into a Location: a name, an IPv4 address or a bracketed IPv6 one. */
static size_t host_part(const char *h, size_t n)
{
    size_t end = 0;
    if (n && h[0] == '[') {
        const char *b = memchr(h, ']', n);
        if (!b)
            return 0;
        end = (size_t)(b - h) + 1;
        for (size_t i = 1; i + 1 < end; i++)
            if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
                return 0;
        return end;
    }
    while (end < n && h[end] != ':') {
        char ch = h[end];
        if (!isalnum((unsigned char)ch) && ch != '-' && ch != '.')
            return 0;
        end++;
    }
    return end;
}

/* The plain port's answer when TLS is on and http: redirect: 308 (the
 * method and body are kept, unlike 301) to the same target on HTTPS. */
static int redirect_https(struct http_conn *c, const struct http_request *req, const char *t, size_t tl)
{
    const struct http_header *h = http_find_header(req, "Host");
    size_t hl = h ? host_part(h->value, h->value_len) : 0;
    if (!hl) {
        error_response(c, 400, "a Host header is needed to redirect to HTTPS");
        return 400;
    }
    char loc[600];
    int n = snprintf(loc, sizeof loc, "Location: https://%.*s:%u%.*s\r\n", (int)hl, h->value,
                     (unsigned)c->cfg->https_redirect_port, (int)(tl < 400 ? tl : 0), t);
    if (tl >= 400) {
        error_response(c, 414, "target too long to redirect");
        return 414;
    }
    static const char body[] = "308 Permanent Redirect: this server answers on HTTPS\n";
    write_head(c, 308, "text/plain; charset=utf-8", loc, (size_t)n, (int64_t)sizeof body - 1, false);
    if (!c->head_method)
        anx_buf_add(&c->out, body, sizeof body - 1);
    c->resp_bytes = sizeof body - 1;
    return 308;
}

static void answer(struct http_conn *c, const struct http_request *req)
{
    c->keep_alive = req->keep_alive && !req->upgrade;
    c->http10 = req->version_minor == 0;
    c->head_method = req->method == HTTP_HEAD;
    c->resp_bytes = 0;
    http_counters.requests++;
    c->st->requests++;

    struct rt_request rq;
    memset(&rq, 0, sizeof rq);
    rq.method = req->method_name;
    const char *t = req->target;
    size_t tl = req->target_len;
    /* absolute-form: drop scheme://authority */
    if (tl > 7 && (!strncasecmp(t, "http://", 7) || !strncasecmp(t, "https://", 8))) {
        const char *s = memchr(t + 8, '/', tl - 8);
        if (s) {
            tl -= (size_t)(s - t);
            t = s;
        } else {
            t = "/";
            tl = 1;
        }
    }
    if (c->cfg->https_redirect_port) {
        int status = redirect_https(c, req, t, tl);
        if (status == 308) { /* error_response counted its own and flushed */
            c->st->last_status = status;
            count_status(status);
            if (!c->keep_alive)
                flush(c);
        }
        access_log(c, req->method_name, req->target, req->target_len, status);
        return;
    }
    const char *q = memchr(t, '?', tl);
    rq.path = t;
    rq.path_len = q ? (size_t)(q - t) : tl;
    if (q) {
        rq.query = q + 1;
        rq.query_len = tl - rq.path_len - 1;
    }
    size_t nh = req->header_count < c->max_headers ? req->header_count : c->max_headers;
    for (size_t i = 0; i < nh; i++)
        c->kv[i] = (struct rt_kv){ req->headers[i].name, req->headers[i].name_len,
                                   req->headers[i].value, req->headers[i].value_len };
    rq.headers = c->kv;
    rq.nheaders = nh;
    rq.peer = c->peer;
    rq.body = c->body.p;
    rq.body_len = c->body.len;

    /* in the connection's record, not on the stack: http_conn_release
     * frees its buffers after a failure in the engine */
    struct rt_response *rs = &c->rs;
    memset(rs, 0, sizeof *rs);
    rs->stream = &stream_ops;
    rs->stream_ctx = c;
    rt_dispatch(&rq, rs);
    int status = rs->status ? rs->status : 200;
    if (rs->streamed) {
        if (!c->http10 && !c->head_method)
            anx_buf_add(&c->out, "0\r\n\r\n", 5);
    } else {
        const void *body = rs->body ? rs->body : rs->out.p;
        size_t blen = rs->body ? rs->body_len : rs->out.len;
        if (rs->out.oom && !rs->body) {
            status = 503;       /* an answer too large for the memory left: try again */
            body = "out of memory\n";
            blen = 14;
        }
        bool no_body = status == 204 || status == 304 || status < 200;
        write_head(c, status,
                   no_body           ? NULL
                   : rs->content_type ? rs->content_type
                                     : "text/plain; charset=utf-8",
                   rs->headers.p, rs->headers.len, no_body ? -1 : (int64_t)blen, false);
        if (!c->head_method && !no_body) {
            if (blen > 4096)
                send_direct(c, body, blen); /* large: no copy */
            else
                anx_buf_add(&c->out, body, blen);
            c->resp_bytes = blen;
        }
    }
    c->st->last_status = status;
    count_status(status);
    access_log(c, req->method_name, req->target, req->target_len, status);
    anx_buf_free(&rs->out);
    anx_buf_free(&rs->headers);
    if (c->out.len > 16384 || !c->keep_alive)
        flush(c);
}

/* ---- the connection loop ------------------------------------------------------------ */

void http_conn_serve(const struct http_io *io, const struct http_server_cfg *cfg, const char *peer,
                     struct http_conn_stats *stats)
{
    struct http_conn_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    struct http_conn *c = calloc(1, sizeof *c);
    if (!c) {
        stats->close_reason = "out of memory";
        return;
    }
    if (io->live)
        *io->live = c;
    c->io = io;
    c->cfg = cfg;
    c->peer = peer;
    c->st = stats;
    struct http_limits lim = cfg->lim;
    if (!lim.max_request_line)
        lim.max_request_line = HTTP_DEFAULT_MAX_REQUEST_LINE;
    if (!lim.max_header_bytes)
        lim.max_header_bytes = HTTP_DEFAULT_MAX_HEADER_BYTES;
    if (!lim.max_headers)
        lim.max_headers = HTTP_DEFAULT_MAX_HEADERS;
    size_t head_size = lim.max_request_line + lim.max_header_bytes + 16;
    size_t rbuf_size = cfg->recv_buffer ? cfg->recv_buffer : 8192;
    c->max_headers = lim.max_headers;
    c->head = malloc(head_size);
    c->hdrs = calloc(lim.max_headers, sizeof *c->hdrs);
    c->kv = calloc(lim.max_headers, sizeof *c->kv);
    char *in = c->in = malloc(rbuf_size);
    if (!c->head || !c->hdrs || !c->kv || !in) {
        stats->close_reason = "out of memory";
        goto out;
    }
    http_parser_init(&c->p, &lim, c->head, head_size, c->hdrs, lim.max_headers);

    size_t len = 0, pos = 0;
    for (;;) {
        if (pos == len) {
            flush(c); /* answers of every request that arrived together go out at once */
            if (c->failed) {
                stats->close_reason = "send failed";
                break;
            }
            bool idle = http_parser_idle(&c->p);
            uint64_t now = io->now(io->ctx), timeout;
            if (!idle && !c->headers_done && now >= c->req_start + cfg->header_timeout_ns) {
                http_counters.timeouts++; /* a slow client trickling its head */
                stats->close_reason = "header timeout";
                error_response(c, 408, stats->close_reason);
                break;
            }
            if (idle)
                timeout = cfg->idle_timeout_ns;
            else if (!c->headers_done)
                timeout = c->req_start + cfg->header_timeout_ns > now
                              ? c->req_start + cfg->header_timeout_ns - now
                              : 1;
            else
                timeout = cfg->body_timeout_ns;
            long n = io->recv(io->ctx, in, rbuf_size, timeout);
            if (n == HTTP_IO_TIMEOUT) {
                http_counters.timeouts++;
                if (idle) {
                    stats->close_reason = "idle timeout";
                } else {
                    stats->close_reason = c->headers_done ? "body timeout" : "header timeout";
                    error_response(c, 408, stats->close_reason);
                }
                break;
            }
            if (n == HTTP_IO_CLOSED) {
                stats->close_reason =
                    http_finish(&c->p) == HTTP_OK ? "peer closed" : "peer closed mid-request";
                break;
            }
            if (n < 0) {
                stats->close_reason = "receive error";
                break;
            }
            if (idle)
                c->req_start = io->now(io->ctx);
            stats->bytes_in += (uint64_t)n;
            http_counters.bytes_in += (uint64_t)n;
            len = (size_t)n;
            pos = 0;
        }
        bool was_idle = http_parser_idle(&c->p);
        size_t used = http_parse(&c->p, in + pos, len - pos, &callbacks, c);
        if (was_idle && used && pos)
            c->req_start = io->now(io->ctx); /* a pipelined request starts now */
        pos += used;
        if (c->p.error == HTTP_PAUSED) {
            answer(c, &c->p.req);
            http_parser_resume(&c->p);
            c->headers_done = false;
            if (!c->keep_alive || c->failed) {
                stats->close_reason = c->failed ? "send failed" : "connection: close";
                break;
            }
            continue;
        }
        if (c->p.error == HTTP_PAUSED_UPGRADE) {
            /* no protocol upgrades: answer the request as a plain one, then close */
            anx_buf_reset(&c->body);
            answer(c, &c->p.req);
            flush(c);
            stats->close_reason = "upgrade refused";
            break;
        }
        if (c->p.error >= HTTP_ERR_FIRST) {
            http_counters.parse_errors++;
            int status = c->p.error == HTTP_ERR_CALLBACK && c->reject ? c->reject
                                                                    : http_error_status(c->p.error);
            error_response(c, status, c->reject ? c->reject_why : http_error_name(c->p.error));
            stats->close_reason = "request error";
            c->resp_bytes = 0;
            access_log(c, c->p.req.method_name[0] ? c->p.req.method_name : "-", "-", 1, status);
            break;
        }
    }
    flush(c);
out:
    http_counters.bytes_out += stats->bytes_out;
    if (io->live)
        *io->live = NULL;
    http_conn_release(c);
}

void http_conn_release(struct http_conn *c)
{
    anx_buf_free(&c->body);
    anx_buf_free(&c->out);
    anx_buf_free(&c->rs.out);
    anx_buf_free(&c->rs.headers);
    free(c->in);
    free(c->kv);
    free(c->hdrs);
    free(c->head);
    free(c);
}
