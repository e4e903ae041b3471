/*
 * http_parser.c - incremental HTTP/1.1 request parser (see http_parser.h).
 *
 * One byte-driven state machine; a state either consumes the byte ("break")
 * or hands it unchanged to the next state ("continue").  Body and chunk data
 * are passed on in bulk.  The grammar is llhttp's with no lenient flags:
 * CRLF everywhere (a bare CR or LF is an error), no obs-fold, no whitespace
 * before a colon, one Content-Length, no Content-Length with
 * Transfer-Encoding, chunked last, strict chunk sizes and extensions.
 */
#include "http_parser.h"

enum state {
	S_START, /* CR/LF between requests */
	/* request line: bytes count against max_request_line */
	S_METHOD, S_SP_URL,
	U_START, U_SCHEMA, U_SLASH1, U_SLASH2, U_SERVER, U_SERVER_AT,
	U_PATH, U_QUERY, U_FRAGMENT,
	S_SP_PROTO, S_PROTO, S_PROTO_SLASH, S_MAJOR, S_DOT, S_MINOR,
	S_LINE_CR, S_LINE_LF, S_URL_LF,
	/* header (or trailer) section: bytes count against max_header_bytes */
	S_HEADERS_START, S_FIELD_START, S_FIELD, S_DISCARD_WS, S_DISCARD_WS_LF,
	S_EMPTY_LWS, S_VALUE, S_VALUE_LF, S_VALUE_LWS, S_HEADERS_LF,
	/* body */
	S_BODY, S_CHUNK_SIZE_START, S_CHUNK_SIZE, S_EXT_START, S_EXT_NAME,
	S_EXT_VALUE, S_EXT_QUOTED, S_EXT_QPAIR, S_EXT_QDONE, S_CHUNK_SIZE_LF,
	S_CHUNK_DATA, S_CHUNK_DATA_CR, S_CHUNK_DATA_LF,
	/* after */
	S_CLOSED, S_UPGRADED, S_DEAD,
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

static bool is_alpha(unsigned c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }
static unsigned lower(unsigned c) { return (c >= 'A' && c <= 'Z') ? c | 0x20 : c; }

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

static int hexval(unsigned c)
{
	if (is_digit(c))
		return (int)(c - '0');
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	return -1;
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
	case HTTP_PAUSED_UPGRADE:
		return 0;
	case HTTP_ERR_METHOD_UNKNOWN:
	case HTTP_ERR_TE_UNSUPPORTED:
		return 501;
	case HTTP_ERR_VERSION_UNSUPPORTED:
	case HTTP_ERR_HTTP2:
		return 505;
	case HTTP_ERR_URI_TOO_LONG:
		return 414;
	case HTTP_ERR_HEADERS_TOO_LARGE:
	case HTTP_ERR_TOO_MANY_HEADERS:
		return 431;
	case HTTP_ERR_BODY_TOO_LARGE:
		return 413;
	case HTTP_ERR_CALLBACK:
		return 500;
	default:
		return 400;
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

const struct http_header *http_find_header(const struct http_request *req,
					   const char *name)
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

void http_parser_init(struct http_parser *p, const struct http_limits *lim,
		      char *head_buf, size_t head_size,
		      struct http_header *headers, size_t max_headers)
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

static bool keep_alive(const struct http_parser *p)
{
	if (p->req.version_major > 0 && p->req.version_minor > 0)
		return !(p->flags & F_CONN_CLOSE);
	return (p->flags & F_CONN_KA) != 0;
}

/* a method some known method starts with? exact match: index, else -1/-2 */
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

static void header_complete(struct http_parser *p)
{
	struct http_request *r = &p->req;
	struct http_header *h = &p->hdrs[r->header_count + r->trailer_count];
	size_t vlen = p->buf_used - p->value_off;
	while (vlen && (p->buf[p->value_off + vlen - 1] == ' ' ||
			p->buf[p->value_off + vlen - 1] == '\t'))
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
	case H_CONNECTION:
		connection_tokens(p, h->value, vlen);
		break;
	case H_CL:
		p->flags |= F_CL;
		break;
	case H_TE:
		if (p->flags & F_TE_CHUNKED_PENDING)
			p->flags |= F_CHUNKED;
		p->flags &= (uint16_t)~F_TE_CHUNKED_PENDING;
		break;
	default:
		break;
	}
}

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

#define FAIL(e) do { err = (e); goto fail; } while (0)

size_t http_parse(struct http_parser *p, const char *data, size_t len,
		  const struct http_callbacks *cb, void *ctx)
{
	struct http_request *r = &p->req;
	size_t i = 0, counted = (size_t)-1;
	enum http_error err;
	int rc;

	if (p->error != HTTP_OK)
		return 0;
	while (i < len) {
		unsigned c = (unsigned char)data[i];
		unsigned st = p->state;

		if (i != counted) {
			if (st >= S_METHOD && st <= S_URL_LF) {
				counted = i;
				if (c != '\r' && c != '\n' &&
				    ++p->line_bytes > p->lim.max_request_line)
					FAIL(HTTP_ERR_URI_TOO_LONG);
			} else if (st >= S_HEADERS_START && st <= S_HEADERS_LF) {
				counted = i;
				if (++p->line_bytes > p->lim.max_header_bytes)
					FAIL(HTTP_ERR_HEADERS_TOO_LARGE);
			}
		}

		switch (st) {
		case S_START:
			if (c == '\r' || c == '\n')
				break;
			begin_message(p);
			p->state = S_METHOD;
			continue;

		case S_METHOD: {
			bool prefix;
			int m;
			if (c == ' ') {
				m = method_lookup(p->mbuf, p->mlen, &prefix);
				if (p->mlen == 0)
					FAIL(HTTP_ERR_METHOD);
				if (m < 0)
					FAIL(HTTP_ERR_METHOD_UNKNOWN);
				r->method = (enum http_method)m;
				r->method_name = methods[m].name;
				p->state = S_SP_URL;
				break;
			}
			if (!is_token(c))
				FAIL(HTTP_ERR_METHOD);
			if (p->mlen >= sizeof p->mbuf)
				FAIL(HTTP_ERR_METHOD_UNKNOWN);
			p->mbuf[p->mlen++] = (char)c;
			method_lookup(p->mbuf, p->mlen, &prefix);
			if (!prefix)
				FAIL(HTTP_ERR_METHOD_UNKNOWN);
			break;
		}

		case S_SP_URL:
			if (c == ' ')
				break;
			r->target = p->buf + p->buf_used;
			p->state = r->method == HTTP_CONNECT ? U_SERVER : U_START;
			continue;

		case U_START:
		case U_SCHEMA:
		case U_SLASH1:
		case U_SLASH2:
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
				FAIL(HTTP_ERR_TARGET);
			goto push_target;

		case U_SERVER:
		case U_SERVER_AT:
		case U_PATH:
		case U_QUERY:
		case U_FRAGMENT:
			if (c == ' ' || c == '\r') {
				r->target_len = (size_t)(p->buf + p->buf_used - r->target);
				p->state = c == ' ' ? S_SP_PROTO : S_URL_LF;
				break;
			}
			if (c == '\n')
				FAIL(HTTP_ERR_CRLF);
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
					FAIL(HTTP_ERR_TARGET);
			} else if (c == '#') {
				p->state = U_FRAGMENT;
			} else if (c == '?') {
				if (st == U_PATH)
					p->state = U_QUERY;
			} else if (!is_url_char(c)) {
				FAIL(HTTP_ERR_TARGET);
			}
		push_target:
			if (p->buf_used >= p->buf_size)
				FAIL(HTTP_ERR_URI_TOO_LONG);
			p->buf[p->buf_used++] = (char)c;
			break;

		case S_URL_LF: /* "GET /path" CRLF: HTTP/0.9 */
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			r->protocol = HTTP_PROTO_HTTP;
			r->version_major = 0;
			r->version_minor = 9;
			p->state = S_HEADERS_START;
			p->line_bytes = 0;
			break;

		case S_SP_PROTO:
			if (c == ' ')
				break;
			p->state = S_PROTO;
			p->plen = 0;
			p->sub = 7;
			continue;

		case S_PROTO: {
			unsigned k;
			for (k = 0; k < 3; k++)
				if ((p->sub & (1u << k)) && (unsigned char)protos[k][p->plen] != c)
					p->sub &= (uint8_t)~(1u << k);
			if (!p->sub)
				FAIL(HTTP_ERR_PROTOCOL);
			p->plen++;
			for (k = 0; k < 3; k++) {
				if ((p->sub & (1u << k)) && protos[k][p->plen] == 0) {
					if (!(methods[r->method].protos & (1u << k)))
						FAIL(HTTP_ERR_PROTOCOL);
					r->protocol = (enum http_protocol)k;
					p->state = S_PROTO_SLASH;
				}
			}
			break;
		}

		case S_PROTO_SLASH:
			if (c != '/')
				FAIL(HTTP_ERR_PROTOCOL);
			p->state = S_MAJOR;
			break;

		case S_MAJOR:
			if (!is_digit(c))
				FAIL(HTTP_ERR_VERSION);
			r->version_major = (uint8_t)(c - '0');
			p->state = S_DOT;
			break;

		case S_DOT:
			if (c != '.')
				FAIL(HTTP_ERR_VERSION);
			p->state = S_MINOR;
			break;

		case S_MINOR: {
			unsigned v;
			if (!is_digit(c))
				FAIL(HTTP_ERR_VERSION);
			r->version_minor = (uint8_t)(c - '0');
			v = r->version_major * 10u + r->version_minor;
			if (v != 9 && v != 10 && v != 11 && v != 20)
				FAIL(HTTP_ERR_VERSION_UNSUPPORTED);
			p->state = S_LINE_CR;
			break;
		}

		case S_LINE_CR:
			if (r->method == HTTP_PRI)
				FAIL(HTTP_ERR_HTTP2);
			if (c != '\r')
				FAIL(HTTP_ERR_CRLF);
			p->state = S_LINE_LF;
			break;

		case S_LINE_LF:
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			p->state = S_HEADERS_START;
			p->line_bytes = 0;
			break;

		case S_HEADERS_START:
			if (c == ' ')
				FAIL(HTTP_ERR_LEADING_SPACE);
			p->state = S_FIELD_START;
			continue;

		case S_FIELD_START:
			if (c == '\r') {
				p->state = S_HEADERS_LF;
				break;
			}
			if (c == '\n')
				FAIL(HTTP_ERR_CRLF);
			if (c == ':')
				FAIL(HTTP_ERR_HEADER_NAME);
			if (r->header_count + r->trailer_count >= p->hdrs_cap)
				FAIL(HTTP_ERR_TOO_MANY_HEADERS);
			p->name_off = p->buf_used;
			p->state = S_FIELD;
			continue;

		case S_FIELD:
			if (c == ':') {
				p->value_off = p->buf_used;
				p->hstate = (uint8_t)classify(p->buf + p->name_off,
							      p->buf_used - p->name_off);
				if ((p->hstate == H_TE && (p->flags & F_CL)) ||
				    (p->hstate == H_CL && (p->flags & F_TE)))
					FAIL(HTTP_ERR_CL_AND_TE);
				p->state = S_DISCARD_WS;
				break;
			}
			if (!is_token(c))
				FAIL(HTTP_ERR_HEADER_NAME);
			goto push_head;

		case S_DISCARD_WS:
			if (c == ' ' || c == '\t')
				break;
			if (c == '\r') {
				p->state = S_DISCARD_WS_LF;
				break;
			}
			if (c == '\n')
				FAIL(HTTP_ERR_HEADER_VALUE);
			/* first byte of a non-empty value */
			p->sub = 0;
			switch (p->hstate) {
			case H_UPGRADE:
				p->flags |= F_UPGRADE;
				break;
			case H_TE:
				if (p->flags & F_CHUNKED)
					FAIL(HTTP_ERR_TRANSFER_ENCODING);
				p->flags |= F_TE;
				p->flags &= (uint16_t)~F_CHUNKED;
				p->sub = TE_MATCH;
				break;
			case H_CL:
				if (p->flags & F_CL)
					FAIL(HTTP_ERR_DUP_CONTENT_LENGTH);
				r->content_length = 0;
				p->sub = CL_DIGITS;
				break;
			}
			p->state = S_VALUE;
			continue;

		case S_DISCARD_WS_LF:
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			p->state = S_EMPTY_LWS;
			break;

		case S_EMPTY_LWS:
		case S_VALUE_LWS:
			if (c == ' ' || c == '\t')
				FAIL(HTTP_ERR_OBS_FOLD);
			if (st == S_EMPTY_LWS && p->hstate == H_CL)
				FAIL(HTTP_ERR_CONTENT_LENGTH);
			if (st == S_EMPTY_LWS && p->hstate == H_TE)
				FAIL(HTTP_ERR_TRANSFER_ENCODING);
			header_complete(p);
			p->state = S_FIELD_START;
			continue;

		case S_VALUE:
			if (c == '\r') {
				if (p->hstate == H_TE && p->sub == TE_LAST)
					p->flags |= F_TE_CHUNKED_PENDING;
				p->state = S_VALUE_LF;
				break;
			}
			if (c == '\n')
				FAIL(HTTP_ERR_CRLF);
			if (p->hstate == H_CL) {
				if (p->sub == CL_DIGITS && is_digit(c)) {
					uint64_t cl = r->content_length;
					if (cl > UINT64_MAX / 10 ||
					    (cl == UINT64_MAX / 10 && c - '0' > UINT64_MAX % 10))
						FAIL(HTTP_ERR_CONTENT_LENGTH);
					cl = cl * 10 + (c - '0');
					if (cl > p->lim.max_body)
						FAIL(HTTP_ERR_BODY_TOO_LARGE);
					r->content_length = cl;
				} else if (c == ' ' || c == '\t') {
					p->sub = CL_WS;
				} else {
					FAIL(HTTP_ERR_CONTENT_LENGTH);
				}
				goto push_head;
			}
			if (!is_field_char(c))
				FAIL(HTTP_ERR_HEADER_VALUE);
			if (p->hstate == H_TE) {
				unsigned s = p->sub;
				if (s >= TE_MATCH) {
					unsigned k = s - TE_MATCH;
					if (lower(c) == (unsigned char)"chunked"[k]) {
						p->sub = (uint8_t)(k == 6 ? TE_LAST : s + 1);
						goto push_head;
					}
					if (k > 0 || c != ',')
						p->flags |= F_TE_OTHER;
					s = TE_TOKEN;
				} else if (s == TE_LAST) {
					if (c == ' ')
						goto push_head;
					if (c == ',')
						FAIL(HTTP_ERR_TRANSFER_ENCODING);
					p->flags |= F_TE_OTHER;
					s = TE_TOKEN;
				} else if (s == TE_OWS) {
					if (c == ' ' || c == '\t')
						goto push_head;
					if (lower(c) == 'c') {
						p->sub = TE_MATCH + 1;
						goto push_head;
					}
					s = TE_TOKEN;
				}
				/* TE_TOKEN */
				if (c == ',')
					p->sub = TE_OWS;
				else {
					p->sub = TE_TOKEN;
					if (c != ' ' && c != '\t')
						p->flags |= F_TE_OTHER;
				}
			}
		push_head:
			if (p->buf_used >= p->buf_size)
				FAIL(HTTP_ERR_HEADERS_TOO_LARGE);
			p->buf[p->buf_used++] = (char)c;
			break;

		case S_VALUE_LF:
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			p->state = S_VALUE_LWS;
			break;

		case S_HEADERS_LF: {
			bool has_body, skip = false;
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			i++; /* offsets reported from here on are after the LF */
			if (p->flags & F_TRAILING)
				goto message_done;
			r->trailers = p->hdrs + r->header_count;
			r->has_content_length = (p->flags & F_CL) != 0;
			r->chunked = (p->flags & F_CHUNKED) != 0;
			r->te_other_codings = (p->flags & F_TE_OTHER) != 0;
			r->keep_alive = keep_alive(p);
			r->upgrade = ((p->flags & F_UPGRADE) && (p->flags & F_CONN_UPGRADE)) ||
				     r->method == HTTP_CONNECT;
			has_body = r->chunked || (r->has_content_length && r->content_length > 0);
			r->expect_body = has_body || (p->flags & F_TE);
			if (!r->upgrade && (p->flags & F_TE) &&
			    (!r->chunked || ((p->lim.options & HTTP_OPT_ONLY_CHUNKED) &&
					     r->te_other_codings))) {
				i--;
				FAIL(HTTP_ERR_TE_UNSUPPORTED);
			}
			if (cb && cb->on_headers) {
				rc = cb->on_headers(ctx, r);
				if (rc < 0) {
					i--;
					FAIL(HTTP_ERR_CALLBACK);
				}
				if (rc == HTTP_CB_SKIP_BODY)
					skip = true;
				else if (rc == HTTP_CB_PAUSE)
					p->flags |= F_PAUSE;
			}
			if (r->upgrade && (r->method == HTTP_CONNECT || skip || !has_body))
				goto message_done;
			if (skip || !has_body)
				goto message_done;
			if (r->chunked) {
				p->state = S_CHUNK_SIZE_START;
			} else {
				p->state = S_BODY;
				p->remaining = r->content_length;
			}
			goto maybe_pause;
		}

		case S_BODY:
		case S_CHUNK_DATA: {
			size_t n = len - i;
			if ((uint64_t)n > p->remaining)
				n = (size_t)p->remaining;
			p->remaining -= n;
			r->body_received += n;
			if (cb && cb->on_body && n) {
				rc = cb->on_body(ctx, data + i, n);
				if (rc < 0)
					FAIL(HTTP_ERR_CALLBACK);
				if (rc == HTTP_CB_PAUSE)
					p->flags |= F_PAUSE;
			}
			i += n;
			if (p->remaining == 0) {
				if (st == S_CHUNK_DATA) {
					p->state = S_CHUNK_DATA_CR;
				} else {
					goto message_done;
				}
			}
			goto maybe_pause;
		}

		case S_CHUNK_SIZE_START:
		case S_CHUNK_SIZE: {
			int v = hexval(c);
			if (v >= 0) {
				uint64_t sz = st == S_CHUNK_SIZE ? p->remaining : 0;
				if (sz > (UINT64_MAX >> 4))
					FAIL(HTTP_ERR_CHUNK_SIZE);
				sz = (sz << 4) | (unsigned)v;
				if (sz > p->lim.max_body - r->body_received)
					FAIL(HTTP_ERR_BODY_TOO_LARGE);
				p->remaining = sz;
				p->ext_len = 0;
				p->state = S_CHUNK_SIZE;
				break;
			}
			if (st == S_CHUNK_SIZE_START)
				FAIL(HTTP_ERR_CHUNK_SIZE);
			if (c == '\r')
				p->state = S_CHUNK_SIZE_LF;
			else if (c == '\n')
				FAIL(HTTP_ERR_CRLF);
			else if (c == ';')
				p->state = S_EXT_START;
			else
				FAIL(HTTP_ERR_CHUNK_SIZE);
			if (c == ';')
				goto push_ext;
			break;
		}

		case S_EXT_START:
		case S_EXT_NAME:
		case S_EXT_VALUE:
		case S_EXT_QDONE:
			if (st == S_EXT_START) {
				if (c == ' ' || c == '\r')
					FAIL(HTTP_ERR_CHUNK_EXT);
				p->state = S_EXT_NAME;
				continue;
			}
			if (c == '\r') {
				p->state = S_CHUNK_SIZE_LF;
				break;
			}
			if (c == '\n')
				FAIL(HTTP_ERR_CRLF);
			if (c == ';')
				p->state = S_EXT_START;
			else if (st == S_EXT_NAME && c == '=')
				p->state = S_EXT_VALUE;
			else if (st == S_EXT_VALUE && c == '"')
				p->state = S_EXT_QUOTED;
			else if (st == S_EXT_QDONE || !is_token(c))
				FAIL(HTTP_ERR_CHUNK_EXT);
			goto push_ext;

		case S_EXT_QUOTED:
			if (c == '"')
				p->state = S_EXT_QDONE;
			else if (c == '\\')
				p->state = S_EXT_QPAIR;
			else if (!is_qdtext(c))
				FAIL(HTTP_ERR_CHUNK_EXT);
			goto push_ext;

		case S_EXT_QPAIR:
			if (!is_field_char(c))
				FAIL(HTTP_ERR_CHUNK_EXT);
			p->state = S_EXT_QUOTED;
		push_ext:
			/* scratch copy after the head; not kept */
			if (p->ext_len >= p->lim.max_chunk_ext ||
			    p->ext_len >= p->buf_size - p->buf_used)
				FAIL(HTTP_ERR_CHUNK_EXT);
			p->buf[p->buf_used + p->ext_len++] = (char)c;
			break;

		case S_CHUNK_SIZE_LF:
			if (c != '\n')
				FAIL(HTTP_ERR_CRLF);
			if (cb && cb->on_chunk) {
				rc = cb->on_chunk(ctx, p->remaining, p->buf + p->buf_used, p->ext_len);
				if (rc < 0)
					FAIL(HTTP_ERR_CALLBACK);
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
			i++;
			goto maybe_pause;

		case S_CHUNK_DATA_CR:
			if (c != '\r')
				FAIL(HTTP_ERR_CHUNK_DATA);
			p->state = S_CHUNK_DATA_LF;
			break;

		case S_CHUNK_DATA_LF:
			if (c != '\n')
				FAIL(HTTP_ERR_CHUNK_DATA);
			p->state = S_CHUNK_SIZE_START;
			break;

		case S_CLOSED:
			if (c == '\r' || c == '\n')
				break;
			FAIL(HTTP_ERR_DATA_AFTER_CLOSE);

		case S_UPGRADED:
			return i;

		default:
			p->state = S_DEAD;
			return i;
		}
		i++;
		continue;

	message_done:
		/* i is already past the last byte of the request */
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
			if (rc < 0) {
				i--;
				FAIL(HTTP_ERR_CALLBACK);
			}
			if (rc == HTTP_CB_PAUSE)
				p->flags |= F_PAUSE;
		}
		if (p->state == S_UPGRADED)
			return i;
	maybe_pause:
		if (p->flags & F_PAUSE) {
			p->flags &= (uint16_t)~F_PAUSE;
			p->error = HTTP_PAUSED;
			return i;
		}
	}
	return i;

fail:
	p->error = err;
	p->error_offset = i;
	p->state = S_DEAD;
	return i;
}
