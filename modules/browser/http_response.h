/*
 * An incremental HTTP/1.x response parser for the browser's http: fetcher
 * (fetch_http.c): the status line, the header fields, and the body framed
 * by Content-Length, chunked transfer coding or the end of the connection
 * (RFC 9112 section 6.3). Pure C, no allocation: the caller owns the
 * struct and the buffer the head is gathered in, and gets the body bytes
 * through a callback pointing into the data it fed.
 *
 * Use:
 *     struct browser_hresp p;
 *     browser_hresp_init(&p, &callbacks, ctx, headbuf, sizeof headbuf, 8192, false);
 *     while (bytes arrive)
 *         if (browser_hresp_feed(&p, data, n) < 0) -> p.error says why
 *         if (p.state == BROWSER_HRESP_DONE) -> stop reading
 *     at the end of the connection: browser_hresp_eof(&p) < 0 -> p.error
 *
 * Interim 1xx responses (100 Continue, 103 Early Hints) are skipped; the
 * callbacks see only the final response. Trailer fields of a chunked body
 * are parsed for their syntax and limits but not reported.
 */
#ifndef BROWSER_HTTP_RESPONSE_H
#define BROWSER_HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Each returns 0 to go on, nonzero to stop the parser (browser_hresp_feed
 * then returns -1 with error "stopped"). */
struct browser_hresp_cb {
    /* The final status line: code 200..999 (1xx never), version minor (0/1). */
    int (*status)(void *ctx, int code, int minor, const char *reason, size_t reason_len);
    /* One header field, its value trimmed and obs-folds replaced by a space. */
    int (*header)(void *ctx, const char *name, size_t name_len, const char *value,
                  size_t value_len);
    /* The end of the header section; the framing of the body is known. */
    int (*head_done)(void *ctx);
    /* Body bytes, de-chunked. */
    int (*body)(void *ctx, const uint8_t *data, size_t len);
};

enum browser_hresp_state {
    BROWSER_HRESP_HEAD,        /* gathering the status line and header fields */
    BROWSER_HRESP_BODY_LENGTH, /* Content-Length bytes to go */
    BROWSER_HRESP_BODY_CLOSE,  /* body until the connection closes */
    BROWSER_HRESP_CHUNK_SIZE,  /* a chunk-size line */
    BROWSER_HRESP_CHUNK_DATA,  /* chunk data */
    BROWSER_HRESP_CHUNK_END,   /* the CRLF after chunk data */
    BROWSER_HRESP_TRAILER,     /* trailer fields after the last chunk */
    BROWSER_HRESP_DONE,        /* the response is complete */
    BROWSER_HRESP_ERROR,
};

enum browser_hresp_framing {
    BROWSER_HRESP_NO_BODY, /* HEAD, 204, 304 */
    BROWSER_HRESP_LENGTH,
    BROWSER_HRESP_CHUNKED,
    BROWSER_HRESP_UNTIL_CLOSE,
};

struct browser_hresp {
    const struct browser_hresp_cb *cb;
    void *ctx;
    char *buf;         /* the caller's buffer: the head, then chunk lines */
    size_t buf_size;   /* = the header section limit */
    size_t max_line;   /* longest status, field or chunk-size line */
    bool head_request; /* a response to HEAD has no body */

    enum browser_hresp_state state;
    enum browser_hresp_framing framing;
    size_t used;            /* bytes in buf */
    size_t scanned;         /* of them, already searched for the end of the head */
    bool head_started;      /* a non-empty head line was seen */
    int status;             /* of the final response, once known */
    int64_t content_length; /* -1 when absent */
    uint64_t remaining;     /* of the Content-Length body or the current chunk */
    uint64_t body_bytes;    /* delivered so far */
    const char *error;      /* why the state is BROWSER_HRESP_ERROR */
};

void browser_hresp_init(struct browser_hresp *p, const struct browser_hresp_cb *cb, void *ctx,
                        char *buf, size_t buf_size, size_t max_line, bool head_request);

/* Parse n more bytes. Returns the bytes consumed (n, or fewer once the
 * response is complete: the rest is not part of it), or -1 on an error
 * (p->error). */
long browser_hresp_feed(struct browser_hresp *p, const uint8_t *data, size_t n);

/* The connection closed: 0 when that completes the response (a body
 * delimited by the close, or an already complete response), else -1 with
 * p->error saying what was cut short. */
int browser_hresp_eof(struct browser_hresp *p);

#endif
