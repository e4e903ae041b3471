/*
 * http_parser.h - incremental, allocation-free HTTP/1.1 request parser.
 *
 * Freestanding C11: needs only <stddef.h>, <stdint.h>, <stdbool.h>.
 * The grammar follows RFC 9112 as llhttp applies it with no lenient flags
 * (see docs/http-parser.md); the verdict (accept / reject / upgrade) agrees
 * with llhttp on its request test suite.
 *
 * Usage:
 *   char head[8192]; struct http_header hdrs[64]; struct http_parser p;
 *   http_parser_init(&p, NULL, head, sizeof head, hdrs, 64);
 *   for each chunk of bytes received:
 *       size_t n = http_parse(&p, data, len, &callbacks, ctx);
 *       if (p.error >= HTTP_ERR_FIRST) answer http_error_status(p.error), close
 *       if (p.error == HTTP_PAUSED_UPGRADE) data + n.. belongs to the new protocol
 *       if (p.error == HTTP_PAUSED) http_parser_resume(&p), feed data + n again later
 *
 * The request line and header fields are copied (trimmed) into the caller's
 * head buffer and reported as a struct http_request; body bytes are passed to
 * on_body as pointers into the caller's input (no copy).  Any split of the input,
 * down to one byte per call, gives the same callbacks (body fragments may be cut
 * differently) and the same verdict.
 */
#ifndef ANX_HTTP_PARSER_H
#define ANX_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults used for zero fields of struct http_limits (or a NULL limits). */
#define HTTP_DEFAULT_MAX_REQUEST_LINE 8190u
#define HTTP_DEFAULT_MAX_HEADER_BYTES 16384u
#define HTTP_DEFAULT_MAX_HEADERS 100u
#define HTTP_DEFAULT_MAX_BODY (1024u * 1024u)
#define HTTP_DEFAULT_MAX_CHUNK_EXT 1024u

/* http_limits.options */
#define HTTP_OPT_ONLY_CHUNKED 0x1u /* any transfer coding but chunked -> 501 */

struct http_limits {
    size_t max_request_line; /* bytes of the request line w/o CRLF -> 414 */
    size_t max_header_bytes; /* bytes of the header (or trailer) section -> 431 */
    size_t max_headers;      /* header + trailer fields -> 431 */
    uint64_t max_body;       /* decoded body bytes -> 413 (UINT64_MAX: none) */
    size_t max_chunk_ext;    /* bytes of one chunk's extensions -> 400 */
    unsigned options;        /* HTTP_OPT_* */
};

enum http_error {
    HTTP_OK = 0,         /* all input consumed, waiting for more */
    HTTP_PAUSED,         /* a callback returned HTTP_CB_PAUSE */
    HTTP_PAUSED_UPGRADE, /* Upgrade or CONNECT: the rest is another protocol */
    HTTP_ERR_FIRST = 16,
    HTTP_ERR_METHOD = HTTP_ERR_FIRST, /* 400 malformed method */
    HTTP_ERR_METHOD_UNKNOWN,          /* 501 well-formed but unknown method */
    HTTP_ERR_TARGET,                  /* 400 invalid request-target */
    HTTP_ERR_PROTOCOL,                /* 400 not HTTP/ (or method not allowed for RTSP/ICE) */
    HTTP_ERR_VERSION,                 /* 400 malformed version */
    HTTP_ERR_VERSION_UNSUPPORTED,     /* 505 */
    HTTP_ERR_HTTP2,                   /* 505 HTTP/2 connection preface (PRI *) */
    HTTP_ERR_CRLF,                    /* 400 bare CR or LF, or garbage where CRLF is due */
    HTTP_ERR_LEADING_SPACE,           /* 400 whitespace before the first header field */
    HTTP_ERR_HEADER_NAME,             /* 400 invalid token char / whitespace before colon */
    HTTP_ERR_HEADER_VALUE,            /* 400 control char in a field value */
    HTTP_ERR_OBS_FOLD,                /* 400 obsolete line folding */
    HTTP_ERR_CONTENT_LENGTH,          /* 400 empty / invalid / overflowing Content-Length */
    HTTP_ERR_DUP_CONTENT_LENGTH,      /* 400 */
    HTTP_ERR_CL_AND_TE,               /* 400 Content-Length with Transfer-Encoding */
    HTTP_ERR_TRANSFER_ENCODING,       /* 400 chunked not last / repeated / empty */
    HTTP_ERR_TE_UNSUPPORTED,          /* 501 transfer coding we cannot decode */
    HTTP_ERR_CHUNK_SIZE,              /* 400 invalid or overflowing chunk size */
    HTTP_ERR_CHUNK_EXT,               /* 400 invalid or too long chunk extension */
    HTTP_ERR_CHUNK_DATA,              /* 400 chunk data not followed by CRLF */
    HTTP_ERR_URI_TOO_LONG,            /* 414 */
    HTTP_ERR_HEADERS_TOO_LARGE,       /* 431 */
    HTTP_ERR_TOO_MANY_HEADERS,        /* 431 */
    HTTP_ERR_BODY_TOO_LARGE,          /* 413 */
    HTTP_ERR_DATA_AFTER_CLOSE,        /* 400 bytes after a request that closes */
    HTTP_ERR_INCOMPLETE,              /* 400 EOF inside a request (http_finish) */
    HTTP_ERR_CALLBACK,                /* 500 a callback returned < 0 */
};

enum http_method {
    HTTP_DELETE,
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_CONNECT,
    HTTP_OPTIONS,
    HTTP_TRACE,
    HTTP_PATCH,
    HTTP_LINK,
    HTTP_UNLINK,
    HTTP_COPY,
    HTTP_LOCK,
    HTTP_MKCOL,
    HTTP_MOVE,
    HTTP_PROPFIND,
    HTTP_PROPPATCH,
    HTTP_SEARCH,
    HTTP_UNLOCK,
    HTTP_BIND,
    HTTP_REBIND,
    HTTP_UNBIND,
    HTTP_ACL,
    HTTP_REPORT,
    HTTP_MKACTIVITY,
    HTTP_CHECKOUT,
    HTTP_MERGE,
    HTTP_MSEARCH,
    HTTP_NOTIFY,
    HTTP_SUBSCRIBE,
    HTTP_UNSUBSCRIBE,
    HTTP_MKCALENDAR,
    HTTP_PURGE,
    HTTP_QUERY,
    HTTP_SOURCE,
    HTTP_PRI,
    HTTP_DESCRIBE,
    HTTP_ANNOUNCE,
    HTTP_SETUP,
    HTTP_PLAY,
    HTTP_PAUSE,
    HTTP_TEARDOWN,
    HTTP_GET_PARAMETER,
    HTTP_SET_PARAMETER,
    HTTP_REDIRECT,
    HTTP_RECORD,
    HTTP_FLUSH,
    HTTP_METHOD_COUNT
};

/* HTTP/0.9 is reported as protocol HTTP, version 0.9 ("GET /path" CRLF). */
enum http_protocol { HTTP_PROTO_HTTP, HTTP_PROTO_RTSP, HTTP_PROTO_ICE };

struct http_header {
    const char *name; /* as received (case preserved), not NUL-terminated */
    size_t name_len;
    const char *value; /* without leading/trailing SP/HTAB */
    size_t value_len;
};

/* Everything about the current request; pointers go into the head buffer and
 * stay valid until the next request begins (so: during on_message_complete
 * and while the parser is paused after it). */
struct http_request {
    enum http_method method;
    const char *method_name;
    const char *target;
    size_t target_len;
    enum http_protocol protocol;
    uint8_t version_major, version_minor;
    struct http_header *headers;
    size_t header_count;
    struct http_header *trailers; /* follow the headers in the same array */
    size_t trailer_count;
    bool has_content_length;
    uint64_t content_length;
    bool chunked;           /* Transfer-Encoding ends in chunked */
    bool te_other_codings;  /* Transfer-Encoding also names other codings */
    bool keep_alive;        /* connection stays open after this request */
    bool upgrade;           /* Upgrade + Connection: upgrade, or CONNECT */
    bool expect_body;       /* headers say a body follows */
    uint64_t body_received; /* decoded body bytes so far */
};

/* Callback return values. */
#define HTTP_CB_OK 0
#define HTTP_CB_SKIP_BODY 1 /* on_headers only: the request has no body */
#define HTTP_CB_PAUSE 2     /* stop http_parse() after this byte */
/* any negative value: HTTP_ERR_CALLBACK */

struct http_callbacks {
    int (*on_headers)(void *ctx, const struct http_request *req);
    int (*on_chunk)(void *ctx, uint64_t size, const char *ext, size_t ext_len);
    int (*on_body)(void *ctx, const char *data, size_t len);
    int (*on_message_complete)(void *ctx, const struct http_request *req);
};

struct http_parser {
    /* read-only for users */
    enum http_error error;
    size_t error_offset; /* offset in the last http_parse() input */
    unsigned messages;   /* requests completed so far */
    struct http_request req;

    /* private */
    struct http_limits lim;
    char *buf;
    size_t buf_size, buf_used;
    struct http_header *hdrs;
    size_t hdrs_cap;
    uint8_t state, hstate, sub;
    uint16_t flags;
    uint8_t mlen, plen;
    char mbuf[16];
    size_t line_bytes; /* request line or header section bytes */
    size_t name_off, value_off, ext_len;
    uint64_t remaining; /* body or chunk bytes left; chunk size */
};

/* headers: array of at least max_headers entries (the smaller one wins).
 * head_buf should hold max_request_line + max_header_bytes bytes. */
void http_parser_init(struct http_parser *p, const struct http_limits *lim, char *head_buf,
                      size_t head_size, struct http_header *headers, size_t max_headers);

/* Parse up to len bytes; returns how many were consumed.  Stops early on
 * an error (p->error, at p->error_offset), on an upgrade (the returned
 * offset is where the other protocol starts) or on a pause. */
size_t http_parse(struct http_parser *p, const char *data, size_t len,
                  const struct http_callbacks *cb, void *ctx);

/* Continue after HTTP_PAUSED. */
void http_parser_resume(struct http_parser *p);

/* The peer closed its side: HTTP_OK if that happened between requests,
 * HTTP_ERR_INCOMPLETE (and p->error set) if inside one. */
enum http_error http_finish(struct http_parser *p);

/* True between requests (nothing of a next request seen yet). */
bool http_parser_idle(const struct http_parser *p);

int http_error_status(enum http_error e); /* 400, 413 ... or 0 */
const char *http_error_name(enum http_error e);
const char *http_method_name(enum http_method m);

/* Case-insensitive lookup among the request's headers; NULL if absent. */
const struct http_header *http_find_header(const struct http_request *req, const char *name);

#endif
