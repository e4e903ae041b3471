/*
 * http_parser.c - incremental HTTP/1.1 request parser (see http_parser.h).
 *
 * One byte-driven state machine; a state's handler either consumes the byte
 * (STEP_NEXT) or hands it unchanged to the next state (STEP_AGAIN).  Body
 * and chunk data are passed on in bulk.  The handlers come in three parts,
 * as a request does: request line, header section, body.
 *
 * The grammar is llhttp's with no lenient flags: CRLF everywhere (a bare
 * CR or LF is an error), no obs-fold, no whitespace before a colon, one
 * Content-Length, no Content-Length with Transfer-Encoding, chunked last,
 * strict chunk sizes and extensions.
 */
#include <anx/lib.h>

#include "http_parser.h"

/* http_parse() picks the part by range: keep each part's states together. */
enum state {
    S_START, /* CR/LF between requests */
    /* request line: bytes count against max_request_line */
    S_METHOD,
    S_SP_URL,
    U_START,
    U_SCHEMA,
    U_SLASH1,
    U_SLASH2,
    U_SERVER,
    U_SERVER_AT,
    U_PATH,
    U_QUERY,
    U_FRAGMENT,
    S_SP_PROTO,
    S_PROTO,
    S_PROTO_SLASH,
    S_MAJOR,
    S_DOT,
    S_MINOR,
    S_LINE_CR,
    S_LINE_LF,
    S_URL_LF,
    /* header (or trailer) section: bytes count against max_header_bytes */
    S_HEADERS_START,
    S_FIELD_START,
    S_FIELD,
    S_DISCARD_WS,
    S_DISCARD_WS_LF,
    S_EMPTY_LWS,
    S_VALUE,
    S_VALUE_LF,
    S_VALUE_LWS,
    S_HEADERS_LF,
    /* body */
    S_BODY,
    S_CHUNK_SIZE_START,
    S_CHUNK_SIZE,
    S_EXT_START,
    S_EXT_NAME,
    S_EXT_VALUE,
    S_EXT_QUOTED,
    S_EXT_QPAIR,
    S_EXT_QDONE,
    S_CHUNK_SIZE_LF,
    S_CHUNK_DATA,
    S_CHUNK_DATA_CR,
    S_CHUNK_DATA_LF,
    /* after */
    S_CLOSED,
    S_UPGRADED,
    S_DEAD,
};

enum hstate { H_GENERAL, H_CONNECTION, H_CL, H_TE, H_UPGRADE };

/* value sub-states */
enum { CL_DIGITS = 1, CL_WS, TE_LAST, TE_TOKEN, TE_OWS, TE_MATCH /* +0..6 */ };

enum {
    F_CONN_KA = 1 << 0,
    F_CONN_CLOSE = 1 << 1,
    F_CONN_UPGRADE = 1 << 2,
    F_CHUNKED = 1 << 3,
    F_UPGRADE = 1 << 4,
    F_CL = 1 << 5,
    F_TRAILING = 1 << 6,
    F_TE = 1 << 7,
    F_TE_OTHER = 1 << 8,
    F_TE_CHUNKED_PENDING = 1 << 9,
    F_PAUSE = 1 << 10,
};

#define P_HTTP 1u
#define P_RTSP 2u
#define P_ICE 4u

static const struct {
    const char *name;
    uint8_t protos;
} methods[HTTP_METHOD_COUNT] = {
    [HTTP_DELETE] = { "DELETE", P_HTTP },
    [HTTP_GET] = { "GET", P_HTTP | P_RTSP },
    [HTTP_HEAD] = { "HEAD", P_HTTP },
    [HTTP_POST] = { "POST", P_HTTP | P_RTSP },
    [HTTP_PUT] = { "PUT", P_HTTP },
    [HTTP_CONNECT] = { "CONNECT", P_HTTP },
    [HTTP_OPTIONS] = { "OPTIONS", P_HTTP | P_RTSP },
    [HTTP_TRACE] = { "TRACE", P_HTTP },
    [HTTP_PATCH] = { "PATCH", P_HTTP },
    [HTTP_LINK] = { "LINK", P_HTTP },
    [HTTP_UNLINK] = { "UNLINK", P_HTTP },
    [HTTP_COPY] = { "COPY", P_HTTP },
    [HTTP_LOCK] = { "LOCK", P_HTTP },
    [HTTP_MKCOL] = { "MKCOL", P_HTTP },
    [HTTP_MOVE] = { "MOVE", P_HTTP },
    [HTTP_PROPFIND] = { "PROPFIND", P_HTTP },
    [HTTP_PROPPATCH] = { "PROPPATCH", P_HTTP },
    [HTTP_SEARCH] = { "SEARCH", P_HTTP },
    [HTTP_UNLOCK] = { "UNLOCK", P_HTTP },
    [HTTP_BIND] = { "BIND", P_HTTP },
    [HTTP_REBIND] = { "REBIND", P_HTTP },
    [HTTP_UNBIND] = { "UNBIND", P_HTTP },
    [HTTP_ACL] = { "ACL", P_HTTP },
    [HTTP_REPORT] = { "REPORT", P_HTTP },
    [HTTP_MKACTIVITY] = { "MKACTIVITY", P_HTTP },
    [HTTP_CHECKOUT] = { "CHECKOUT", P_HTTP },
    [HTTP_MERGE] = { "MERGE", P_HTTP },
    [HTTP_MSEARCH] = { "M-SEARCH", P_HTTP },
    [HTTP_NOTIFY] = { "NOTIFY", P_HTTP },
    [HTTP_SUBSCRIBE] = { "SUBSCRIBE", P_HTTP },
    [HTTP_UNSUBSCRIBE] = { "UNSUBSCRIBE", P_HTTP },
    [HTTP_MKCALENDAR] = { "MKCALENDAR", P_HTTP },
    [HTTP_PURGE] = { "PURGE", P_HTTP },
    [HTTP_QUERY] = { "QUERY", P_HTTP },
    [HTTP_SOURCE] = { "SOURCE", P_HTTP | P_ICE },
    [HTTP_PRI] = { "PRI", P_HTTP },
    [HTTP_DESCRIBE] = { "DESCRIBE", P_RTSP },
    [HTTP_ANNOUNCE] = { "ANNOUNCE", P_RTSP },
    [HTTP_SETUP] = { "SETUP", P_RTSP },
    [HTTP_PLAY] = { "PLAY", P_RTSP },
    [HTTP_PAUSE] = { "PAUSE", P_RTSP },
    [HTTP_TEARDOWN] = { "TEARDOWN", P_RTSP },
    [HTTP_GET_PARAMETER] = { "GET_PARAMETER", P_RTSP },
    [HTTP_SET_PARAMETER] = { "SET_PARAMETER", P_RTSP },
    [HTTP_REDIRECT] = { "REDIRECT", P_RTSP },
    [HTTP_RECORD] = { "RECORD", P_RTSP },
    [HTTP_FLUSH] = { "FLUSH", P_RTSP },
};

static const char *const protos[3] = { "HTTP", "RTSP", "ICE" };

/* ---- character classes ---- */

static bool is_alpha(unsigned c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
static bool is_digit(unsigned c)
{
    return c >= '0' && c <= '9';
}
static unsigned lower(unsigned c)
{
    return (c >= 'A' && c <= 'Z') ? c | 0x20 : c;
}

static bool in_set(unsigned c, const char *set)
{
    for (; *set; set++)
        if ((unsigned char)*set == c)
            return true;
    return false;
}

/* RFC 9110 tchar */
static bool is_token(unsigned c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && in_set(c, "!#$%&'*+-.^_`|~"));
}

/* printable ASCII except '#' and '?' (llhttp URL_CHAR) */
static bool is_url_char(unsigned c)
{
    return c > 0x20 && c < 0x7f && c != '#' && c != '?';
}

static bool is_userinfo(unsigned c)
{
    return is_alpha(c) || is_digit(c) || (c != 0 && in_set(c, "-_.!~*'()%;:&=+$,"));
}

/* HTAB / SP / VCHAR / obs-text */
static bool is_field_char(unsigned c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static bool is_qdtext(unsigned c)
{
    return is_field_char(c) && c != '"' && c != '\\';
}

/* case-insensitive: s[0..n) equals NUL-terminated lowercase word */
static bool ieq(const char *s, size_t n, const char *word)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (word[i] == 0 || lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
            return false;
    return word[n] == 0;
}

/* ---- public helpers ---- */

int http_error_status(enum http_error e)
{
    switch (e) {
    case HTTP_OK:
    case HTTP_PAUSED:
    case HTTP_PAUSED_UPGRADE: return 0;
    case HTTP_ERR_METHOD_UNKNOWN:
    case HTTP_ERR_TE_UNSUPPORTED: return 501;
    case HTTP_ERR_VERSION_UNSUPPORTED:
    case HTTP_ERR_HTTP2: return 505;
    case HTTP_ERR_URI_TOO_LONG: return 414;
    case HTTP_ERR_HEADERS_TOO_LARGE:
    case HTTP_ERR_TOO_MANY_HEADERS: return 431;
    case HTTP_ERR_BODY_TOO_LARGE: return 413;
    case HTTP_ERR_CALLBACK: return 500;
    default: return 400;
    }
}

const char *http_error_name(enum http_error e)
{
    switch (e) {
    case HTTP_OK: return "ok";
    case HTTP_PAUSED: return "paused";
    case HTTP_PAUSED_UPGRADE: return "upgrade";
    case HTTP_ERR_METHOD: return "invalid method";
    case HTTP_ERR_METHOD_UNKNOWN: return "unknown method";
    case HTTP_ERR_TARGET: return "invalid request-target";
    case HTTP_ERR_PROTOCOL: return "invalid protocol";
    case HTTP_ERR_VERSION: return "invalid version";
    case HTTP_ERR_VERSION_UNSUPPORTED: return "unsupported version";
    case HTTP_ERR_HTTP2: return "HTTP/2 preface";
    case HTTP_ERR_CRLF: return "expected CRLF";
    case HTTP_ERR_LEADING_SPACE: return "whitespace after start line";
    case HTTP_ERR_HEADER_NAME: return "invalid header name";
    case HTTP_ERR_HEADER_VALUE: return "invalid header value";
    case HTTP_ERR_OBS_FOLD: return "obsolete line folding";
    case HTTP_ERR_CONTENT_LENGTH: return "invalid Content-Length";
    case HTTP_ERR_DUP_CONTENT_LENGTH: return "duplicate Content-Length";
    case HTTP_ERR_CL_AND_TE: return "Content-Length with Transfer-Encoding";
    case HTTP_ERR_TRANSFER_ENCODING: return "invalid Transfer-Encoding";
    case HTTP_ERR_TE_UNSUPPORTED: return "unsupported Transfer-Encoding";
    case HTTP_ERR_CHUNK_SIZE: return "invalid chunk size";
    case HTTP_ERR_CHUNK_EXT: return "invalid chunk extension";
    case HTTP_ERR_CHUNK_DATA: return "chunk data not followed by CRLF";
    case HTTP_ERR_URI_TOO_LONG: return "request line too long";
    case HTTP_ERR_HEADERS_TOO_LARGE: return "header section too large";
    case HTTP_ERR_TOO_MANY_HEADERS: return "too many header fields";
    case HTTP_ERR_BODY_TOO_LARGE: return "body too large";
    case HTTP_ERR_DATA_AFTER_CLOSE: return "data after Connection: close";
    case HTTP_ERR_INCOMPLETE: return "incomplete request";
    case HTTP_ERR_CALLBACK: return "callback error";
    }
    return "?";
}

const char *http_method_name(enum http_method m)
{
    return (unsigned)m < HTTP_METHOD_COUNT ? methods[m].name : "?";
}

const struct http_header *http_find_header(const struct http_request *req, const char *name)
{
    size_t i;
    for (i = 0; i < req->header_count; i++) {
        const struct http_header *h = &req->headers[i];
        if (ieq(h->name, h->name_len, name))
            return h;
    }
    return NULL;
}

/* ---- parser ---- */

void http_parser_init(struct http_parser *p, const struct http_limits *lim, char *head_buf,
                      size_t head_size, struct http_header *headers, size_t max_headers)
{
    __builtin_memset(p, 0, sizeof *p);
    if (lim)
        p->lim = *lim;
    if (!p->lim.max_request_line)
        p->lim.max_request_line = HTTP_DEFAULT_MAX_REQUEST_LINE;
    if (!p->lim.max_header_bytes)
        p->lim.max_header_bytes = HTTP_DEFAULT_MAX_HEADER_BYTES;
    if (!p->lim.max_headers)
        p->lim.max_headers = HTTP_DEFAULT_MAX_HEADERS;
    if (!p->lim.max_body)
        p->lim.max_body = HTTP_DEFAULT_MAX_BODY;
    if (!p->lim.max_chunk_ext)
        p->lim.max_chunk_ext = HTTP_DEFAULT_MAX_CHUNK_EXT;
    p->buf = head_buf;
    p->buf_size = head_size;
    p->hdrs = headers;
    p->hdrs_cap = max_headers < p->lim.max_headers ? max_headers : p->lim.max_headers;
    p->state = S_START;
    p->req.headers = headers;
    p->req.trailers = headers;
}

void http_parser_resume(struct http_parser *p)
{
    if (p->error == HTTP_PAUSED)
        p->error = HTTP_OK;
}

bool http_parser_idle(const struct http_parser *p)
{
    return p->state == S_START || p->state == S_CLOSED;
}

enum http_error http_finish(struct http_parser *p)
{
    if (p->state == S_DEAD)
        return p->error;
    if (p->state == S_START || p->state == S_CLOSED || p->state == S_UPGRADED)
        return HTTP_OK;
    p->error = HTTP_ERR_INCOMPLETE;
    p->state = S_DEAD;
    return p->error;
}

/* Forget the previous request: pipelined requests (RFC 9112 §9.3.2) reuse
 * the head buffer and the header array. */
static void begin_message(struct http_parser *p)
{
    struct http_request *r = &p->req;
    __builtin_memset(r, 0, sizeof *r);
    r->headers = p->hdrs;
    r->trailers = p->hdrs;
    r->method_name = "";
    r->target = p->buf;
    p->buf_used = 0;
    p->flags = 0;
    p->mlen = 0;
    p->line_bytes = 0;
}

/* RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 (and 0.9)
 * only with "keep-alive" (the old RFC 2068 §19.7.1 convention). */
static bool keep_alive(const struct http_parser *p)
{
    if (p->req.version_major > 0 && p->req.version_minor > 0)
        return !(p->flags & F_CONN_CLOSE);
    return (p->flags & F_CONN_KA) != 0;
}

/* Is s[0..n) a known method (its index), or the start of one (*prefix)?
 * Methods are case-sensitive (RFC 9110 §9.1); -1 when not one exactly. */
static int method_lookup(const char *s, size_t n, bool *prefix)
{
    int i;
    *prefix = false;
    for (i = 0; i < HTTP_METHOD_COUNT; i++) {
        const char *m = methods[i].name;
        size_t k;
        for (k = 0; k < n && m[k] && m[k] == s[k]; k++)
            ;
        if (k == n) {
            *prefix = true;
            if (m[n] == 0)
                return i;
        }
    }
    return -1;
}

/* RFC 9110 §7.6.1: Connection is a comma list of case-insensitive
 * options; close, keep-alive and upgrade decide what follows the request. */
static void connection_tokens(struct http_parser *p, const char *v, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t s = i, e;
        while (i < n && v[i] != ',')
            i++;
        e = i;
        while (s < e && (v[s] == ' ' || v[s] == '\t'))
            s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (ieq(v + s, e - s, "close"))
            p->flags |= F_CONN_CLOSE;
        else if (ieq(v + s, e - s, "keep-alive"))
            p->flags |= F_CONN_KA;
        else if (ieq(v + s, e - s, "upgrade"))
            p->flags |= F_CONN_UPGRADE;
        i++;
    }
}

/* RFC 9112 §5: a field line is complete; trailing OWS is not part of the
 * value (RFC 9110 §5.5).  Transfer-Encoding ends in chunked only if its
 * last field line did (several lines form one list, RFC 9110 §5.3). */
static void header_complete(struct http_parser *p)
{
    struct http_request *r = &p->req;
    struct http_header *h = &p->hdrs[r->header_count + r->trailer_count];
    size_t vlen = p->buf_used - p->value_off;
    while (vlen &&
           (p->buf[p->value_off + vlen - 1] == ' ' || p->buf[p->value_off + vlen - 1] == '\t'))
        vlen--;
    p->buf_used = p->value_off + vlen;
    h->name = p->buf + p->name_off;
    h->name_len = p->value_off - p->name_off;
    h->value = p->buf + p->value_off;
    h->value_len = vlen;
    if (p->flags & F_TRAILING)
        r->trailer_count++;
    else
        r->header_count++;
    switch (p->hstate) {
    case H_CONNECTION: connection_tokens(p, h->value, vlen); break;
    case H_CL: p->flags |= F_CL; break;
    case H_TE:
        if (p->flags & F_TE_CHUNKED_PENDING)
            p->flags |= F_CHUNKED;
        p->flags &= (uint16_t)~F_TE_CHUNKED_PENDING;
        break;
    default: break;
    }
}

/* The fields that decide framing or the connection (RFC 9112 §6, RFC 9110
 * §7.6.1, §7.8; Proxy-Connection as llhttp), case-insensitive (§5.1). */
static int classify(const char *s, size_t n)
{
    if (ieq(s, n, "connection") || ieq(s, n, "proxy-connection"))
        return H_CONNECTION;
    if (ieq(s, n, "content-length"))
        return H_CL;
    if (ieq(s, n, "transfer-encoding"))
        return H_TE;
    if (ieq(s, n, "upgrade"))
        return H_UPGRADE;
    return H_GENERAL;
}

/* ---- the state machine ----
 *
 * http_parse() feeds one byte at a time to the handler of the current
 * state (body data goes in bulk).  The handlers are grouped as the message
 * is (RFC 9112 §2.1): request line, header section, body.  Each returns
 * what it did with the byte. */

enum step {
    STEP_NEXT,         /* consumed the byte */
    STEP_AGAIN,        /* changed state without consuming it: feed it again */
    STEP_FAIL,         /* p->error says what is wrong with this byte */
    STEP_CALLED,       /* consumed after a callback: stop if it paused */
    STEP_MESSAGE_DONE, /* consumed the last byte of the request */
    STEP_STOP,         /* nothing more to parse here (upgraded or dead) */
};

static enum step fail(struct http_parser *p, enum http_error e)
{
    p->error = e;
    return STEP_FAIL;
}

/* ---- request line: method SP request-target SP HTTP-version CRLF ---- */

/* RFC 9112 §2.2: a server SHOULD ignore empty lines (CRLF) received before
 * the request-line, so a client's extra CRLF after a body is harmless. */
static enum step between_requests(struct http_parser *p, unsigned c)
{
    if (c == '\r' || c == '\n')
        return STEP_NEXT;
    begin_message(p);
    p->state = S_METHOD;
    return STEP_AGAIN;
}

/* RFC 9112 §3.1: method = token, case-sensitive.  RFC 9110 §9.1: an
 * unknown method is 501; a byte no known method continues with is refused
 * at once, so junk cannot fill the line before we answer. */
static enum step method_byte(struct http_parser *p, unsigned c)
{
    struct http_request *r = &p->req;
    bool prefix;
    int m;

    if (c == ' ') {
        if (p->mlen == 0)
            return fail(p, HTTP_ERR_METHOD);
        m = method_lookup(p->mbuf, p->mlen, &prefix);
        if (m < 0)
            return fail(p, HTTP_ERR_METHOD_UNKNOWN);
        r->method = (enum http_method)m;
        r->method_name = methods[m].name;
        p->state = S_SP_URL;
        return STEP_NEXT;
    }
    if (!is_token(c))
        return fail(p, HTTP_ERR_METHOD);
    if (p->mlen >= sizeof p->mbuf)
        return fail(p, HTTP_ERR_METHOD_UNKNOWN);
    p->mbuf[p->mlen++] = (char)c;
    method_lookup(p->mbuf, p->mlen, &prefix);
    if (!prefix)
        return fail(p, HTTP_ERR_METHOD_UNKNOWN);
    return STEP_NEXT;
}

/* The target is copied into the head buffer for on_headers. */
static enum step keep_target_byte(struct http_parser *p, unsigned c)
{
    if (p->buf_used >= p->buf_size)
        return fail(p, HTTP_ERR_URI_TOO_LONG);
    p->buf[p->buf_used++] = (char)c;
    return STEP_NEXT;
}

/* RFC 9112 §3.2.3: CONNECT's target is authority-form (host:port), every
 * other method's starts with "/" or "*" (origin- and asterisk-form) or a
 * scheme (absolute-form); llhttp, like us, lets spaces repeat before it. */
static enum step target_start(struct http_parser *p, unsigned c)
{
    if (c == ' ')
        return STEP_NEXT;
    p->req.target = p->buf + p->buf_used;
    p->state = p->req.method == HTTP_CONNECT ? U_SERVER : U_START;
    return STEP_AGAIN;
}

/* RFC 9112 §3.2.1, §3.2.2, §3.2.4: "/..." (origin-form), "*"
 * (asterisk-form) or scheme "://" (absolute-form, RFC 3986 §3.1). */
static enum step target_scheme_byte(struct http_parser *p, unsigned c, unsigned st)
{
    if (st == U_START && (c == '/' || c == '*'))
        p->state = U_PATH;
    else if ((st == U_START || st == U_SCHEMA) && is_alpha(c))
        p->state = U_SCHEMA;
    else if (st == U_SCHEMA && c == ':')
        p->state = U_SLASH1;
    else if (st == U_SLASH1 && c == '/')
        p->state = U_SLASH2;
    else if (st == U_SLASH2 && c == '/')
        p->state = U_SERVER;
    else
        return fail(p, HTTP_ERR_TARGET);
    return keep_target_byte(p, c);
}

/* RFC 3986 §3.2-§3.5 as llhttp checks them: authority (userinfo@host,
 * IPv6 brackets), path, query, fragment.  RFC 9112 §3: the target ends at
 * SP, or at CR for an HTTP/0.9 "GET /path" line. */
static enum step target_byte(struct http_parser *p, unsigned c, unsigned st)
{
    if (c == ' ' || c == '\r') {
        p->req.target_len = (size_t)(p->buf + p->buf_used - p->req.target);
        p->state = c == ' ' ? S_SP_PROTO : S_URL_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (st == U_SERVER || st == U_SERVER_AT) {
        if (c == '/')
            p->state = U_PATH;
        else if (c == '?')
            p->state = U_QUERY;
        else if (c == '@' && st == U_SERVER)
            p->state = U_SERVER_AT;
        else if (is_userinfo(c) || c == '[' || c == ']')
            p->state = U_SERVER;
        else
            return fail(p, HTTP_ERR_TARGET);
    } else if (c == '#') {
        p->state = U_FRAGMENT;
    } else if (c == '?') {
        if (st == U_PATH)
            p->state = U_QUERY;
    } else if (!is_url_char(c)) {
        return fail(p, HTTP_ERR_TARGET);
    }
    return keep_target_byte(p, c);
}

/* RFC 9112 §2.3: HTTP-name "/" ...; the name is matched against HTTP, RTSP
 * and ICE at once (llhttp parses all three) and must suit the method. */
static enum step protocol_byte(struct http_parser *p, unsigned c, unsigned st)
{
    struct http_request *r = &p->req;
    unsigned k;

    if (st == S_SP_PROTO) {
        if (c == ' ')
            return STEP_NEXT;
        p->state = S_PROTO;
        p->plen = 0;
        p->sub = 7; /* one bit per candidate in protos[] */
        return STEP_AGAIN;
    }
    if (st == S_PROTO_SLASH) {
        if (c != '/')
            return fail(p, HTTP_ERR_PROTOCOL);
        p->state = S_MAJOR;
        return STEP_NEXT;
    }
    for (k = 0; k < 3; k++)
        if ((p->sub & (1u << k)) && (unsigned char)protos[k][p->plen] != c)
            p->sub &= (uint8_t) ~(1u << k);
    if (!p->sub)
        return fail(p, HTTP_ERR_PROTOCOL);
    p->plen++;
    for (k = 0; k < 3; k++) {
        if ((p->sub & (1u << k)) && protos[k][p->plen] == 0) {
            if (!(methods[r->method].protos & (1u << k)))
                return fail(p, HTTP_ERR_PROTOCOL);
            r->protocol = (enum http_protocol)k;
            p->state = S_PROTO_SLASH;
        }
    }
    return STEP_NEXT;
}

/* RFC 9112 §2.3: DIGIT "." DIGIT.  We speak 1.x (and report 0.9 and 2.0,
 * which llhttp accepts, for httpd to refuse); others are 505. */
static enum step version_byte(struct http_parser *p, unsigned c, unsigned st)
{
    struct http_request *r = &p->req;
    unsigned v;

    if (st == S_DOT) {
        if (c != '.')
            return fail(p, HTTP_ERR_VERSION);
        p->state = S_MINOR;
        return STEP_NEXT;
    }
    if (!is_digit(c))
        return fail(p, HTTP_ERR_VERSION);
    if (st == S_MAJOR) {
        r->version_major = (uint8_t)(c - '0');
        p->state = S_DOT;
        return STEP_NEXT;
    }
    r->version_minor = (uint8_t)(c - '0');
    v = r->version_major * 10u + r->version_minor;
    if (v != 9 && v != 10 && v != 11 && v != 20)
        return fail(p, HTTP_ERR_VERSION_UNSUPPORTED);
    p->state = S_LINE_CR;
    return STEP_NEXT;
}

/* RFC 9112 §2.2: the line ends in CRLF; we accept no bare CR or LF, since
 * parsers that disagree on line ends are how requests get smuggled.
 * "PRI * HTTP/2.0" is the HTTP/2 preface (RFC 9113 §3.4): 505. */
static enum step request_line_end(struct http_parser *p, unsigned c, unsigned st)
{
    struct http_request *r = &p->req;

    if (st == S_LINE_CR) {
        if (r->method == HTTP_PRI)
            return fail(p, HTTP_ERR_HTTP2);
        if (c != '\r')
            return fail(p, HTTP_ERR_CRLF);
        p->state = S_LINE_LF;
        return STEP_NEXT;
    }
    if (c != '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (st == S_URL_LF) { /* "GET /path" CRLF: HTTP/0.9, as llhttp reads it */
        r->protocol = HTTP_PROTO_HTTP;
        r->version_major = 0;
        r->version_minor = 9;
    }
    p->state = S_HEADERS_START;
    p->line_bytes = 0;
    return STEP_NEXT;
}

/* The request-line part: the handler for each of its states. */
static enum step request_line_byte(struct http_parser *p, unsigned c, unsigned st)
{
    switch (st) {
    case S_START: return between_requests(p, c);
    case S_METHOD: return method_byte(p, c);
    case S_SP_URL: return target_start(p, c);
    case U_START:
    case U_SCHEMA:
    case U_SLASH1:
    case U_SLASH2: return target_scheme_byte(p, c, st);
    case U_SERVER:
    case U_SERVER_AT:
    case U_PATH:
    case U_QUERY:
    case U_FRAGMENT: return target_byte(p, c, st);
    case S_SP_PROTO:
    case S_PROTO:
    case S_PROTO_SLASH: return protocol_byte(p, c, st);
    case S_MAJOR:
    case S_DOT:
    case S_MINOR: return version_byte(p, c, st);
    default: /* S_LINE_CR, S_LINE_LF, S_URL_LF */ return request_line_end(p, c, st);
    }
}

/* ---- header (and trailer) section: *( field-line CRLF ) CRLF ---- */

/* Field names and values are copied into the head buffer. */
static enum step keep_head_byte(struct http_parser *p, unsigned c)
{
    if (p->buf_used >= p->buf_size)
        return fail(p, HTTP_ERR_HEADERS_TOO_LARGE);
    p->buf[p->buf_used++] = (char)c;
    return STEP_NEXT;
}

/* RFC 9112 §2.2: whitespace between the start-line and the first field
 * MUST be rejected or the line ignored; we reject (no silent drops). */
static enum step header_section_start(struct http_parser *p, unsigned c)
{
    if (c == ' ')
        return fail(p, HTTP_ERR_LEADING_SPACE);
    p->state = S_FIELD_START;
    return STEP_AGAIN;
}

/* RFC 9112 §5: a field line starts with its name; an empty line (CRLF)
 * ends the section.  RFC 9110 §5.4: too many fields is a 4xx, here 431. */
static enum step field_line_start(struct http_parser *p, unsigned c)
{
    struct http_request *r = &p->req;

    if (c == '\r') {
        p->state = S_HEADERS_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (c == ':')
        return fail(p, HTTP_ERR_HEADER_NAME);
    if (r->header_count + r->trailer_count >= p->hdrs_cap)
        return fail(p, HTTP_ERR_TOO_MANY_HEADERS);
    p->name_off = p->buf_used;
    p->state = S_FIELD;
    return STEP_AGAIN;
}

/* RFC 9110 §5.1: field-name = token.  RFC 9112 §5.1: whitespace before the
 * colon MUST be rejected with 400.  RFC 9112 §6.3 item 3: Content-Length
 * with Transfer-Encoding "ought to be handled as an error" (smuggling). */
static enum step field_name_byte(struct http_parser *p, unsigned c)
{
    if (c == ':') {
        p->value_off = p->buf_used;
        p->hstate = (uint8_t)classify(p->buf + p->name_off, p->buf_used - p->name_off);
        if ((p->hstate == H_TE && (p->flags & F_CL)) || (p->hstate == H_CL && (p->flags & F_TE)))
            return fail(p, HTTP_ERR_CL_AND_TE);
        p->state = S_DISCARD_WS;
        return STEP_NEXT;
    }
    if (!is_token(c))
        return fail(p, HTTP_ERR_HEADER_NAME);
    return keep_head_byte(p, c);
}

/* RFC 9112 §5: OWS before the value is not part of it.  At the first value
 * byte, note the fields that decide framing: RFC 9110 §8.6 allows one
 * Content-Length, RFC 9112 §6.1 chunked only once and last. */
static enum step field_value_start(struct http_parser *p, unsigned c)
{
    if (c == ' ' || c == '\t')
        return STEP_NEXT;
    if (c == '\r') {
        p->state = S_DISCARD_WS_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_HEADER_VALUE);
    p->sub = 0;
    switch (p->hstate) {
    case H_UPGRADE: p->flags |= F_UPGRADE; break;
    case H_TE:
        if (p->flags & F_CHUNKED)
            return fail(p, HTTP_ERR_TRANSFER_ENCODING);
        p->flags |= F_TE;
        p->flags &= (uint16_t)~F_CHUNKED;
        p->sub = TE_MATCH;
        break;
    case H_CL:
        if (p->flags & F_CL)
            return fail(p, HTTP_ERR_DUP_CONTENT_LENGTH);
        p->req.content_length = 0;
        p->sub = CL_DIGITS;
        break;
    }
    p->state = S_VALUE;
    return STEP_AGAIN;
}

/* RFC 9110 §8.6: Content-Length = 1*DIGIT (trailing OWS allowed here).
 * RFC 9112 §6.3 item 5: an invalid one is an unrecoverable 400; a value
 * that overflows 64 bits is invalid, one above max_body is 413 at once. */
static enum http_error content_length_byte(struct http_parser *p, unsigned c)
{
    uint64_t cl = p->req.content_length;

    if (p->sub == CL_DIGITS && is_digit(c)) {
        if (cl > UINT64_MAX / 10 || (cl == UINT64_MAX / 10 && c - '0' > UINT64_MAX % 10))
            return HTTP_ERR_CONTENT_LENGTH;
        cl = cl * 10 + (c - '0');
        if (cl > p->lim.max_body)
            return HTTP_ERR_BODY_TOO_LARGE;
        p->req.content_length = cl;
    } else if (c == ' ' || c == '\t') {
        p->sub = CL_WS;
    } else {
        return HTTP_ERR_CONTENT_LENGTH;
    }
    return HTTP_OK;
}

/* RFC 9112 §6.1: Transfer-Encoding is a list of codings (RFC 9110 §5.6.1)
 * with chunked last, else the body length is unknown and §6.3 item 4 says
 * 400.  Tracks whether the list ends in "chunked" (TE_LAST)
 * and whether it names other codings (F_TE_OTHER). */
static enum http_error transfer_encoding_byte(struct http_parser *p, unsigned c)
{
    unsigned s = p->sub;

    if (s >= TE_MATCH) {
        unsigned k = s - TE_MATCH;
        if (lower(c) == (unsigned char)"chunked"[k]) {
            p->sub = (uint8_t)(k == 6 ? TE_LAST : s + 1);
            return HTTP_OK;
        }
        if (k > 0 || c != ',')
            p->flags |= F_TE_OTHER;
    } else if (s == TE_LAST) {
        if (c == ' ')
            return HTTP_OK;
        if (c == ',')
            return HTTP_ERR_TRANSFER_ENCODING;
        p->flags |= F_TE_OTHER;
    } else if (s == TE_OWS) {
        if (c == ' ' || c == '\t')
            return HTTP_OK;
        if (lower(c) == 'c') {
            p->sub = TE_MATCH + 1;
            return HTTP_OK;
        }
    }
    /* inside a coding other than chunked */
    if (c == ',') {
        p->sub = TE_OWS;
    } else {
        p->sub = TE_TOKEN;
        if (c != ' ' && c != '\t')
            p->flags |= F_TE_OTHER;
    }
    return HTTP_OK;
}

/* RFC 9110 §5.5: field-value bytes are HTAB, SP, VCHAR or obs-text; CR,
 * LF and NUL inside a value are invalid (RFC 9112 §2.2: no bare CR/LF). */
static enum step field_value_byte(struct http_parser *p, unsigned c)
{
    enum http_error err = HTTP_OK;

    if (c == '\r') {
        if (p->hstate == H_TE && p->sub == TE_LAST)
            p->flags |= F_TE_CHUNKED_PENDING;
        p->state = S_VALUE_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (p->hstate == H_CL)
        err = content_length_byte(p, c);
    else if (!is_field_char(c))
        err = HTTP_ERR_HEADER_VALUE;
    else if (p->hstate == H_TE)
        err = transfer_encoding_byte(p, c);
    if (err != HTTP_OK)
        return fail(p, err);
    return keep_head_byte(p, c);
}

/* RFC 9112 §2.2: the field line's CR must be followed by LF. */
static enum step field_line_lf(struct http_parser *p, unsigned c, unsigned st)
{
    if (c != '\n')
        return fail(p, HTTP_ERR_CRLF);
    p->state = st == S_DISCARD_WS_LF ? S_EMPTY_LWS : S_VALUE_LWS;
    return STEP_NEXT;
}

/* RFC 9112 §5.2: a line starting with SP/HTAB continues the previous one
 * (obs-fold), which a server MUST reject or unfold; we reject.  Otherwise
 * the field is complete.  RFC 9110 §8.6 / RFC 9112 §6.1: an empty
 * Content-Length or Transfer-Encoding is invalid. */
static enum step field_line_end(struct http_parser *p, unsigned c, unsigned st)
{
    if (c == ' ' || c == '\t')
        return fail(p, HTTP_ERR_OBS_FOLD);
    if (st == S_EMPTY_LWS && p->hstate == H_CL)
        return fail(p, HTTP_ERR_CONTENT_LENGTH);
    if (st == S_EMPTY_LWS && p->hstate == H_TE)
        return fail(p, HTTP_ERR_TRANSFER_ENCODING);
    header_complete(p);
    p->state = S_FIELD_START;
    return STEP_AGAIN;
}

/* RFC 9112 §6.3: the header section decides the body length: chunked if
 * Transfer-Encoding ends in chunked, else Content-Length, else none (a
 * request never reads to EOF).  §6.1: a coding we cannot decode is 501.
 * RFC 9110 §7.8 / §9.3.6: Upgrade or CONNECT hand the connection over. */
static enum step header_section_end(struct http_parser *p, unsigned c,
                                    const struct http_callbacks *cb, void *ctx)
{
    struct http_request *r = &p->req;
    bool has_body, skip = false;
    int rc;

    if (c != '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (p->flags & F_TRAILING)
        return STEP_MESSAGE_DONE;
    r->trailers = p->hdrs + r->header_count;
    r->has_content_length = (p->flags & F_CL) != 0;
    r->chunked = (p->flags & F_CHUNKED) != 0;
    r->te_other_codings = (p->flags & F_TE_OTHER) != 0;
    r->keep_alive = keep_alive(p);
    r->upgrade =
        ((p->flags & F_UPGRADE) && (p->flags & F_CONN_UPGRADE)) || r->method == HTTP_CONNECT;
    has_body = r->chunked || (r->has_content_length && r->content_length > 0);
    r->expect_body = has_body || (p->flags & F_TE);
    if (!r->upgrade && (p->flags & F_TE) &&
        (!r->chunked || ((p->lim.options & HTTP_OPT_ONLY_CHUNKED) && r->te_other_codings)))
        return fail(p, HTTP_ERR_TE_UNSUPPORTED);
    if (cb && cb->on_headers) {
        rc = cb->on_headers(ctx, r);
        if (rc < 0)
            return fail(p, HTTP_ERR_CALLBACK);
        if (rc == HTTP_CB_SKIP_BODY)
            skip = true;
        else if (rc == HTTP_CB_PAUSE)
            p->flags |= F_PAUSE;
    }
    /* after CONNECT's head the bytes are the tunnel's, never a body */
    if (skip || !has_body || r->method == HTTP_CONNECT)
        return STEP_MESSAGE_DONE;
    if (r->chunked) {
        p->state = S_CHUNK_SIZE_START;
    } else {
        p->state = S_BODY;
        p->remaining = r->content_length;
    }
    return STEP_CALLED;
}

/* The header-section part (trailers too): the handler for each of its states. */
static enum step header_byte(struct http_parser *p, unsigned c, unsigned st,
                             const struct http_callbacks *cb, void *ctx)
{
    switch (st) {
    case S_HEADERS_START: return header_section_start(p, c);
    case S_FIELD_START: return field_line_start(p, c);
    case S_FIELD: return field_name_byte(p, c);
    case S_DISCARD_WS: return field_value_start(p, c);
    case S_VALUE: return field_value_byte(p, c);
    case S_DISCARD_WS_LF:
    case S_VALUE_LF: return field_line_lf(p, c, st);
    case S_EMPTY_LWS:
    case S_VALUE_LWS: return field_line_end(p, c, st);
    default: /* S_HEADERS_LF */ return header_section_end(p, c, cb, ctx);
    }
}

/* ---- body: Content-Length bytes, or chunks ---- */

/* RFC 9112 §6.2 / §7.1: exactly content_length bytes, or chunk-size bytes
 * of chunk-data, passed on in bulk without a copy. */
static enum step body_data(struct http_parser *p, const char *data, size_t avail, size_t *used,
                           const struct http_callbacks *cb, void *ctx)
{
    struct http_request *r = &p->req;
    size_t n = avail;
    int rc;

    if ((uint64_t)n > p->remaining)
        n = (size_t)p->remaining;
    p->remaining -= n;
    r->body_received += n;
    if (cb && cb->on_body && n) {
        rc = cb->on_body(ctx, data, n);
        if (rc < 0)
            return fail(p, HTTP_ERR_CALLBACK);
        if (rc == HTTP_CB_PAUSE)
            p->flags |= F_PAUSE;
    }
    *used = n;
    if (p->remaining == 0) {
        if (p->state == S_BODY)
            return STEP_MESSAGE_DONE;
        p->state = S_CHUNK_DATA_CR;
    }
    return STEP_CALLED;
}

/* Extensions are kept (scratch, after the head) for on_chunk only. */
static enum step keep_ext_byte(struct http_parser *p, unsigned c)
{
    if (p->ext_len >= p->lim.max_chunk_ext || p->ext_len >= p->buf_size - p->buf_used)
        return fail(p, HTTP_ERR_CHUNK_EXT);
    p->buf[p->buf_used + p->ext_len++] = (char)c;
    return STEP_NEXT;
}

/* RFC 9112 §7.1: chunk-size = 1*HEXDIG, then ";" extensions or CRLF; a
 * recipient MUST guard against overflow.  The running total is held to
 * max_body before any data is read (413). */
static enum step chunk_size_byte(struct http_parser *p, unsigned c, unsigned st)
{
    int v = anx_hexval(c);

    if (v >= 0) {
        uint64_t sz = st == S_CHUNK_SIZE ? p->remaining : 0;
        if (sz > (UINT64_MAX >> 4))
            return fail(p, HTTP_ERR_CHUNK_SIZE);
        sz = (sz << 4) | (unsigned)v;
        if (sz > p->lim.max_body - p->req.body_received)
            return fail(p, HTTP_ERR_BODY_TOO_LARGE);
        p->remaining = sz;
        p->ext_len = 0;
        p->state = S_CHUNK_SIZE;
        return STEP_NEXT;
    }
    if (st == S_CHUNK_SIZE_START)
        return fail(p, HTTP_ERR_CHUNK_SIZE);
    if (c == '\r') {
        p->state = S_CHUNK_SIZE_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (c != ';')
        return fail(p, HTTP_ERR_CHUNK_SIZE);
    p->state = S_EXT_START;
    return keep_ext_byte(p, c);
}

/* RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ),
 * value a token or quoted-string (RFC 9110 §5.6.4).  Strict like llhttp:
 * no whitespace; the length is limited since extensions cost memory. */
static enum step chunk_ext_byte(struct http_parser *p, unsigned c, unsigned st)
{
    switch (st) {
    case S_EXT_START: /* the byte after a ';' */
        if (c == ' ' || c == '\r')
            return fail(p, HTTP_ERR_CHUNK_EXT);
        p->state = S_EXT_NAME;
        return STEP_AGAIN;
    case S_EXT_QUOTED:
        if (c == '"')
            p->state = S_EXT_QDONE;
        else if (c == '\\')
            p->state = S_EXT_QPAIR;
        else if (!is_qdtext(c))
            return fail(p, HTTP_ERR_CHUNK_EXT);
        return keep_ext_byte(p, c);
    case S_EXT_QPAIR:
        if (!is_field_char(c))
            return fail(p, HTTP_ERR_CHUNK_EXT);
        p->state = S_EXT_QUOTED;
        return keep_ext_byte(p, c);
    }
    /* S_EXT_NAME, S_EXT_VALUE, S_EXT_QDONE */
    if (c == '\r') {
        p->state = S_CHUNK_SIZE_LF;
        return STEP_NEXT;
    }
    if (c == '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (c == ';')
        p->state = S_EXT_START;
    else if (st == S_EXT_NAME && c == '=')
        p->state = S_EXT_VALUE;
    else if (st == S_EXT_VALUE && c == '"')
        p->state = S_EXT_QUOTED;
    else if (st == S_EXT_QDONE || !is_token(c))
        return fail(p, HTTP_ERR_CHUNK_EXT);
    return keep_ext_byte(p, c);
}

/* RFC 9112 §7.1: the chunk-size line ends in CRLF; size 0 is the
 * last-chunk, after which the trailer section follows (§7.1.2), parsed
 * like the header section. */
static enum step chunk_size_line_end(struct http_parser *p, unsigned c,
                                     const struct http_callbacks *cb, void *ctx)
{
    int rc;

    if (c != '\n')
        return fail(p, HTTP_ERR_CRLF);
    if (cb && cb->on_chunk) {
        rc = cb->on_chunk(ctx, p->remaining, p->buf + p->buf_used, p->ext_len);
        if (rc < 0)
            return fail(p, HTTP_ERR_CALLBACK);
        if (rc == HTTP_CB_PAUSE)
            p->flags |= F_PAUSE;
    }
    if (p->remaining == 0) {
        p->flags |= F_TRAILING;
        p->line_bytes = 0;
        p->state = S_FIELD_START;
    } else {
        p->state = S_CHUNK_DATA;
    }
    return STEP_CALLED;
}

/* RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF. */
static enum step chunk_data_end(struct http_parser *p, unsigned c, unsigned st)
{
    if (st == S_CHUNK_DATA_CR) {
        if (c != '\r')
            return fail(p, HTTP_ERR_CHUNK_DATA);
        p->state = S_CHUNK_DATA_LF;
        return STEP_NEXT;
    }
    if (c != '\n')
        return fail(p, HTTP_ERR_CHUNK_DATA);
    p->state = S_CHUNK_SIZE_START;
    return STEP_NEXT;
}

/* The body part: data in bulk, the chunk framing byte by byte. */
static enum step body_byte(struct http_parser *p, const char *data, size_t avail, size_t *used,
                           const struct http_callbacks *cb, void *ctx)
{
    unsigned c = (unsigned char)data[0];
    unsigned st = p->state;

    switch (st) {
    case S_BODY:
    case S_CHUNK_DATA: return body_data(p, data, avail, used, cb, ctx);
    case S_CHUNK_SIZE_START:
    case S_CHUNK_SIZE: return chunk_size_byte(p, c, st);
    case S_CHUNK_SIZE_LF: return chunk_size_line_end(p, c, cb, ctx);
    case S_CHUNK_DATA_CR:
    case S_CHUNK_DATA_LF: return chunk_data_end(p, c, st);
    default: /* S_EXT_* */ return chunk_ext_byte(p, c, st);
    }
}

/* ---- after a request ---- */

/* RFC 9112 §9.3: the connection persists unless the request closes it;
 * §9.6: after "close" the server MUST NOT process further requests, so
 * anything but stray CRLF is an error.  RFC 9110 §7.8: after an upgrade
 * the bytes belong to the new protocol. */
static enum step message_complete(struct http_parser *p, const struct http_callbacks *cb, void *ctx)
{
    struct http_request *r = &p->req;
    int rc;

    r->keep_alive = keep_alive(p);
    p->messages++;
    if (r->upgrade) {
        p->state = S_UPGRADED;
        p->error = HTTP_PAUSED_UPGRADE;
    } else {
        p->state = r->keep_alive ? S_START : S_CLOSED;
    }
    if (cb && cb->on_message_complete) {
        rc = cb->on_message_complete(ctx, r);
        if (rc < 0)
            return fail(p, HTTP_ERR_CALLBACK);
        if (rc == HTTP_CB_PAUSE)
            p->flags |= F_PAUSE;
    }
    return p->state == S_UPGRADED ? STEP_STOP : STEP_CALLED;
}

/* RFC 9112 §9.6: after "close" only stray CRLF is tolerated; an upgraded or dead
 * parser reads nothing more. */
static enum step after_message_byte(struct http_parser *p, unsigned c)
{
    if (p->state == S_CLOSED) {
        if (c == '\r' || c == '\n')
            return STEP_NEXT;
        return fail(p, HTTP_ERR_DATA_AFTER_CLOSE);
    }
    if (p->state != S_UPGRADED)
        p->state = S_DEAD;
    return STEP_STOP;
}

/* The driver: hands each byte to the part its state belongs to, counts the
 * head against its limits, and stops on an error, an upgrade or a pause. */
size_t http_parse(struct http_parser *p, const char *data, size_t len,
                  const struct http_callbacks *cb, void *ctx)
{
    size_t i = 0, counted = (size_t)-1;

    if (p->error != HTTP_OK)
        return 0;
    while (i < len) {
        unsigned c = (unsigned char)data[i];
        unsigned st = p->state;
        size_t used = 1;
        enum step step;

        /* Size limits, counted once per byte even when STEP_AGAIN feeds it twice.
         * RFC 9112 §3: a request-target longer than the server parses MUST get 414 (the
         * limit covers the request line without its CRLF).  RFC 9110 §5.4: a field section
         * larger than it processes gets a 4xx, 431 (RFC 6585 §5), CRLFs included. */
        if (i != counted) {
            if (st >= S_METHOD && st <= S_URL_LF) {
                counted = i;
                if (c != '\r' && c != '\n' && ++p->line_bytes > p->lim.max_request_line) {
                    fail(p, HTTP_ERR_URI_TOO_LONG);
                    goto fail;
                }
            } else if (st >= S_HEADERS_START && st <= S_HEADERS_LF) {
                counted = i;
                if (++p->line_bytes > p->lim.max_header_bytes) {
                    fail(p, HTTP_ERR_HEADERS_TOO_LARGE);
                    goto fail;
                }
            }
        }
        if (st <= S_URL_LF)
            step = request_line_byte(p, c, st);
        else if (st <= S_HEADERS_LF)
            step = header_byte(p, c, st, cb, ctx);
        else if (st <= S_CHUNK_DATA_LF)
            step = body_byte(p, data + i, len - i, &used, cb, ctx);
        else
            step = after_message_byte(p, c);

        switch (step) {
        case STEP_NEXT: i++; continue;
        case STEP_AGAIN: continue;
        case STEP_FAIL: goto fail;
        case STEP_STOP: return i;
        case STEP_MESSAGE_DONE:
            i += used;
            step = message_complete(p, cb, ctx);
            if (step == STEP_FAIL) {
                i--; /* the offset of the request's last byte */
                goto fail;
            }
            if (step == STEP_STOP)
                return i;
            break;
        case STEP_CALLED: i += used; break;
        }
        if (p->flags & F_PAUSE) {
            p->flags &= (uint16_t)~F_PAUSE;
            p->error = HTTP_PAUSED;
            return i;
        }
    }
    return i;

fail:
    p->error_offset = i;
    p->state = S_DEAD;
    return i;
}
