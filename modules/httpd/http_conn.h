/*
 * http_conn.h - one HTTP/1.1 server connection, independent of the transport:
 * reads through http_io (lwIP netconn in the image, a script in the host
 * tests), parses with http_parser, hands each request to the router and
 * writes the responses.  Keep-alive, pipelining (responses of requests that
 * arrived together go out in one send), Content-Length and chunked bodies,
 * Expect: 100-continue, limits (400/413/414/431/505), header and idle
 * timeouts (408 or a silent close), streaming responses (chunked).
 */
#ifndef ANX_HTTP_CONN_H
#define ANX_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_parser.h"

#define HTTP_IO_CLOSED 0 /* recv: the peer closed its side */
#define HTTP_IO_TIMEOUT (-1)
#define HTTP_IO_ERROR (-2)

struct http_io {
    /* Up to cap bytes within timeout_ns: > 0 bytes, or HTTP_IO_* */
    long (*recv)(void *ctx, char *buf, size_t cap, uint64_t timeout_ns);
    /* All n bytes, or -1 (the connection is then dropped). */
    int (*send)(void *ctx, const void *data, size_t n);
    uint64_t (*now)(void *ctx); /* monotonic ns */
    void *ctx;
    /* Optional: set to the connection's state while http_conn_serve runs
     * (NULL after), so that the supervisor's cleanup of a thread that died
     * in it can free it with http_conn_release (docs/supervision.md). */
    struct http_conn **live;
};

struct http_server_cfg {
    struct http_limits lim;
    uint64_t header_timeout_ns; /* first byte of a request -> end of its head */
    uint64_t idle_timeout_ns;   /* keep-alive wait for the next request */
    uint64_t body_timeout_ns;   /* longest silence inside a body */
    size_t recv_buffer;         /* bytes read at once (default 8192) */
    bool access_log;
    /* Non-zero: the plain port redirects. Every request is answered 308
     * with Location https://HOST:https_redirect_port/TARGET (HOST from the
     * Host header without its port) instead of going to the router. */
    uint16_t https_redirect_port;
    /* one access-log line, without newline (NULL: none) */
    void (*log)(const char *line);
};

struct http_conn_stats {
    unsigned requests;
    uint64_t bytes_in, bytes_out;
    int last_status;
    const char *close_reason; /* "peer closed", "idle timeout", "400" ... */
};

/* Serves one connection until it closes; the caller closes the transport. */
void http_conn_serve(const struct http_io *io, const struct http_server_cfg *cfg, const char *peer,
                     struct http_conn_stats *stats);

/* Frees a connection's buffers and state (see http_io.live). */
struct http_conn;
void http_conn_release(struct http_conn *c);

/* Global counters for /metrics (updated by http_conn_serve). */
struct http_server_counters {
    uint64_t requests, responses_by_class[6]; /* [1]..[5] = 1xx..5xx */
    uint64_t bytes_in, bytes_out;
    uint64_t parse_errors, timeouts;
};
extern struct http_server_counters http_counters;

const char *http_status_text(int status);

/* httpd_module.c, for both ports (the plain one's listener and the https
 * module's): the settings they serve with, and the connection counts they
 * share. http_conn_begin counts an accepted connection in (false when
 * max_connections are open: counted refused); http_conn_end counts it out
 * (served false: it was refused after all, for want of memory). */
const struct http_server_cfg *http_server_settings(void);
bool http_conn_begin(void);
void http_conn_end(bool served);

#endif
