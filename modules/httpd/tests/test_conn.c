/* modules/httpd/http_conn.c through a scripted transport: keep-alive,
 * pipelining, bodies, limits and their statuses, timeouts, 100-continue,
 * HEAD, streaming, and the router behind it. */
#include <stdint.h>
#define UNIT_FILE "http_conn"
#include "unit.h"
#include <anx/module.h>
#include <anx/mem.h>
#include <anx/platform.h>

#include "http_conn.h"
#include "router.h"

const struct anx_module anx_module_table[] = { { .name = "httpd", .summary = "HTTP server" } };
const size_t anx_module_count = 1;

#define CLOSE ((const char *)1)

struct step {
    const char *data;  /* bytes, or CLOSE */
    uint64_t delay_ns; /* silence before it arrives */
};

static struct {
    const struct step *steps;
    size_t i, off;
    uint64_t waited; /* of steps[i].delay_ns */
    uint64_t now;
    char out[65536];
    size_t out_len;
    int sends;
    int fail_send;
} fk;

static long f_recv(void *ctx, char *buf, size_t cap, uint64_t timeout)
{
    (void)ctx;
    const struct step *s = &fk.steps[fk.i];
    if (!s->data)
        return HTTP_IO_CLOSED;
    if (s->delay_ns - fk.waited > timeout) {
        fk.now += timeout;
        fk.waited += timeout;
        return HTTP_IO_TIMEOUT;
    }
    fk.now += s->delay_ns - fk.waited;
    fk.waited = s->delay_ns;
    if (s->data == CLOSE)
        return HTTP_IO_CLOSED;
    size_t len = strlen(s->data) - fk.off;
    if (len > cap)
        len = cap;
    memcpy(buf, s->data + fk.off, len);
    fk.off += len;
    if (!s->data[fk.off]) {
        fk.i++;
        fk.off = 0;
        fk.waited = 0;
    }
    return (long)len;
}

static int f_send(void *ctx, const void *d, size_t n)
{
    (void)ctx;
    if (fk.fail_send)
        return -1;
    fk.sends++;
    if (fk.out_len + n < sizeof fk.out) {
        memcpy(fk.out + fk.out_len, d, n);
        fk.out_len += n;
        fk.out[fk.out_len] = 0;
    }
    return 0;
}

static uint64_t f_now(void *ctx)
{
    (void)ctx;
    return fk.now;
}

static char logbuf[4096];
static void f_log(const char *line)
{
    strlcat(logbuf, line, sizeof logbuf);
    strlcat(logbuf, "\n", sizeof logbuf);
}

static struct http_server_cfg cfg;
static struct http_conn_stats st;

static const char *serve(const struct step *steps)
{
    memset(&fk, 0, sizeof fk);
    fk.steps = steps;
    logbuf[0] = 0;
    struct http_io io = { f_recv, f_send, f_now, NULL, NULL };
    http_conn_serve(&io, &cfg, "10.0.2.2", &st);
    return fk.out;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* a streaming engine */
static int stream_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    (void)rq;
    rs->content_type = "text/event-stream";
    if (rt_stream_begin(rs))
        return -1;
    rt_stream_write(rs, "data: 1\n\n", 9);
    rt_stream_write(rs, "data: 2\n\n", 9);
    return 0;
}
static struct rt_engine stream_engine = { .name = "stream", .handle = stream_handle };

static void setup(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.header_timeout_ns = 5000000000ull;
    cfg.idle_timeout_ns = 30000000000ull;
    cfg.body_timeout_ns = 5000000000ull;
    cfg.access_log = true;
    cfg.log = f_log;
    cfg.lim.max_request_line = 256;
    cfg.lim.max_header_bytes = 1024;
    cfg.lim.max_headers = 16;
    cfg.lim.max_body = 4096;
    cfg.lim.options = HTTP_OPT_ONLY_CHUNKED;
    static bool once;
    if (!once) {
        once = true;
        rt_builtin_init("/www");
        rt_engine_register(&stream_engine);
        rt_route_add("events", "GET", "/events", RT_FIRST_HEALTHY, "stream");
    }
}

TEST(get_keepalive_then_peer_close)
{
    setup();
    const struct step s[] = { { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
                              { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 1000000 },
                              { CLOSE, 0 },
                              { 0, 0 } };
    const char *o = serve(s);
    CHECK_EQ(count(o, "HTTP/1.1 200 OK\r\n"), 2);
    CHECK(strstr(o, "Content-Type: application/json\r\n"));
    CHECK(strstr(o, "Content-Length: "));
    CHECK(!strstr(o, "Connection: close"));
    CHECK_EQ(st.requests, 2);
    CHECK_STR(st.close_reason, "peer closed");
    CHECK(strstr(logbuf, "10.0.2.2 GET /api/v1/health 200 "));
}

TEST(pipelined_requests_answered_in_order_in_one_send)
{
    setup();
    const struct step s[] = {
        { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
          "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
          "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
          0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    const char *a = strstr(o, "200 OK"), *b = strstr(o, "\r\n\r\nhello"),
               *c = strstr(o, "404 Not Found");
    CHECK(a && b && c && a < b && b < c);
    CHECK_EQ(fk.sends, 1);
    CHECK_EQ(st.requests, 3);
}

TEST(chunked_body_split_anywhere)
{
    setup();
    const struct step s[] = {
        { "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe", 0 },
        { "llo\r\n6;ext=1\r\n wor", 1000 },
        { "ld\r\n0\r\n\r\n", 1000 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK(strstr(o, "Content-Length: 11\r\n\r\nhello world"));
}

TEST(content_length_body_in_pieces)
{
    setup();
    const struct step s[] = {
        { "PUT /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/x\r\nContent-Length: 10\r\n\r\n0123",
          0 },
        { "456789", 1000 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK(strstr(o, "Content-Type: text/x\r\nContent-Length: 10\r\n\r\n0123456789"));
}

static void expect_status(const char *req, const char *status_line)
{
    const struct step s[] = { { req, 0 }, { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0 }, { 0, 0 } };
    const char *o = serve(s);
    if (strncmp(o, status_line, strlen(status_line))) {
        fprintf(stderr, "  for %.40s: got %.60s\n", req, o);
        CHECK(0);
    }
    CHECK(strstr(o, "Connection: close\r\n"));
    CHECK_EQ(count(o, "HTTP/1.1 "), 1); /* closed after the error */
}

TEST(limits_and_errors)
{
    setup();
    char longline[400];
    snprintf(longline, sizeof longline, "GET /%0300d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
    expect_status(longline, "HTTP/1.1 414 URI Too Long\r\n");
    char bighead[1400];
    snprintf(bighead, sizeof bighead, "GET / HTTP/1.1\r\nHost: x\r\nX: %01200d\r\n\r\n", 0);
    expect_status(bighead, "HTTP/1.1 431 ");
    char many[1000] = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 20; i++)
        strlcat(many, "A: b\r\n", sizeof many);
    strlcat(many, "\r\n", sizeof many);
    expect_status(many, "HTTP/1.1 431 ");
    expect_status("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
                  "HTTP/1.1 413 ");
    expect_status(
        "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n",
        "HTTP/1.1 413 ");
    expect_status("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "); /* no Host */
    expect_status("GET / HTTP/2.0\r\nHost: x\r\n\r\n", "HTTP/1.1 505 ");
    expect_status("GET / HTTP/3.1\r\nHost: x\r\n\r\n", "HTTP/1.1 505 ");
    expect_status("GET / RTSP/1.0\r\nHost: x\r\n\r\n", "HTTP/1.1 ");
    expect_status("G@T / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 400 ");
    expect_status("GET / HTTP/1.1\nHost: x\n\n", "HTTP/1.1 400 ");
    expect_status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                  "HTTP/1.1 400 ");
    expect_status("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 ");
    expect_status("GET / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", "HTTP/1.1 417 ");
    expect_status("\x16\x03\x01\x02\x00\x01", "HTTP/1.1 400 "); /* TLS hello */
}

TEST(http10_closes_unless_keepalive)
{
    setup();
    const struct step s[] = {
        { "GET /api/v1/health HTTP/1.0\r\n\r\nGET /api/v1/health HTTP/1.0\r\n\r\n", 0 }, { 0, 0 }
    };
    const char *o = serve(s);
    CHECK_EQ(count(o, "200 OK"), 1);
    CHECK(strstr(o, "Connection: close\r\n"));
    const struct step k[] = {
        { "GET /api/v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0 }, { 0, 0 }
    };
    o = serve(k);
    CHECK(strstr(o, "Connection: keep-alive\r\n"));
}

TEST(connection_close_honoured)
{
    setup();
    const struct step s[] = {
        { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 0 },
        { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK_EQ(count(o, "200 OK"), 1);
    CHECK(strstr(o, "Connection: close\r\n"));
    CHECK_STR(st.close_reason, "connection: close");
}

TEST(slow_header_gets_408)
{
    setup();
    /* one byte a second: each read is within the idle time, but the head
     * as a whole misses the 5 s header deadline */
    static const char req[] = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n";
    static char bytes[sizeof req][2];
    struct step s[sizeof req + 1];
    for (size_t i = 0; i < sizeof req - 1; i++) {
        bytes[i][0] = req[i];
        bytes[i][1] = 0;
        s[i] = (struct step){ bytes[i], 1000000000ull };
    }
    s[sizeof req - 1] = (struct step){ 0, 0 };
    const char *o = serve(s);
    CHECK(!strncmp(o, "HTTP/1.1 408 Request Timeout\r\n", 30));
    CHECK_STR(st.close_reason, "header timeout");
    CHECK(fk.now <= 6000000000ull);
}

TEST(silent_header_gets_408_and_idle_closes_quietly)
{
    setup();
    const struct step s[] = { { "GET / HTTP/1.1\r\n", 0 },
                              { "Host: x\r\n\r\n", 60000000000ull },
                              { 0, 0 } };
    const char *o = serve(s);
    CHECK(!strncmp(o, "HTTP/1.1 408 ", 13));
    CHECK_EQ(fk.now, 5000000000ull);
    const struct step idle[] = { { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
                                 { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 100000000000ull },
                                 { 0, 0 } };
    o = serve(idle);
    CHECK_EQ(count(o, "HTTP/1.1 "), 1);
    CHECK_STR(st.close_reason, "idle timeout");
    CHECK_EQ(fk.now, 30000000000ull);
    const struct step body[] = {
        { "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\na", 0 },
        { "bc", 100000000000ull },
        { 0, 0 }
    };
    o = serve(body);
    CHECK(!strncmp(o, "HTTP/1.1 408 ", 13));
    CHECK_STR(st.close_reason, "body timeout");
}

TEST(abrupt_close_mid_request_sends_nothing)
{
    setup();
    const struct step s[] = {
        { "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 0 },
        { CLOSE, 0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK_EQ(fk.out_len, 0);
    CHECK_STR(st.close_reason, "peer closed mid-request");
    (void)o;
    fk.fail_send = 0;
}

TEST(send_failure_stops_the_connection)
{
    setup();
    memset(&fk, 0, sizeof fk);
    const struct step s[] = { { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
                              { "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 },
                              { 0, 0 } };
    fk.steps = s;
    fk.fail_send = 1;
    struct http_io io = { f_recv, f_send, f_now, NULL, NULL };
    http_conn_serve(&io, &cfg, NULL, &st);
    CHECK_EQ(st.requests, 1);
    CHECK_STR(st.close_reason, "send failed");
}

TEST(expect_100_continue)
{
    setup();
    const struct step s[] = {
        { "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
          0 },
        { "hi", 1000 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK(!strncmp(o, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 42));
    CHECK(strstr(o, "\r\n\r\nhi"));
}

TEST(head_has_length_but_no_body)
{
    setup();
    const struct step s[] = { { "HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", 0 }, { 0, 0 } };
    const char *o = serve(s);
    CHECK(strstr(o, "HTTP/1.1 200 OK\r\n"));
    CHECK(strstr(o, "Content-Length: "));
    size_t n = strlen(o);
    CHECK(n >= 4 && !strcmp(o + n - 4, "\r\n\r\n"));
}

TEST(streamed_response_is_chunked)
{
    setup();
    const struct step s[] = {
        { "GET /events HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
          0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK(strstr(
        o,
        "Content-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\nHTTP/1.1 200 OK"));
    const struct step t[] = { { "GET /events HTTP/1.0\r\n\r\n", 0 }, { 0, 0 } };
    o = serve(t);
    CHECK(strstr(o, "Connection: close\r\n\r\ndata: 1\n\ndata: 2\n\n"));
}

TEST(absolute_form_and_query)
{
    setup();
    const struct step s[] = {
        { "GET http://example.com/api/v1/health?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", 0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK(!strncmp(o, "HTTP/1.1 200 OK", 15));
}

/* http: redirect: every request 308 to the same target on HTTPS, the
 * Host's name with https's port; no Host (or one that is not a plain name or
 * address): 400, nothing echoed into a Location. */
TEST(redirect_to_https)
{
    setup();
    cfg.https_redirect_port = 8443;
    const struct step s[] = {
        { "GET /api/v1/health?x=1 HTTP/1.1\r\nHost: example.org:8080\r\n\r\n", 0 },
        { "POST /a HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 2\r\n\r\nhi", 0 },
        { "GET http://other/b HTTP/1.1\r\nHost: 10.0.2.15\r\n\r\n", 0 },
        { 0, 0 }
    };
    const char *o = serve(s);
    CHECK_EQ(count(o, "HTTP/1.1 308 Permanent Redirect\r\n"), 3);
    CHECK(strstr(o, "Location: https://example.org:8443/api/v1/health?x=1\r\n"));
    CHECK(strstr(o, "Location: https://[::1]:8443/a\r\n"));
    CHECK(strstr(o, "Location: https://10.0.2.15:8443/b\r\n"));
    CHECK(strstr(logbuf, " 308 "));
    expect_status("GET / HTTP/1.0\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n");
    expect_status("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n");
    cfg.https_redirect_port = 0;
    setup();
}

/* A body the heap cannot hold is the server's state, not the request's
 * fault: 503 (try again), not the 500 of a failed callback it once was. */
TEST(body_out_of_memory_is_503)
{
    setup();
    cfg.lim.max_body = 1u << 20;
    /* take the heap but 128 KiB, in 64 KiB pieces: the connection's own
     * buffers still fit, a 300 KB body does not */
    static void *hog[1024];
    size_t n = 0;
    while (n < sizeof hog / sizeof hog[0] && (hog[n] = anx_malloc(64u << 10)))
        n++;
    CHECK(n > 2 && n < sizeof hog / sizeof hog[0]);
    anx_free(hog[--n]);
    anx_free(hog[--n]);
    static char req[400u << 10];
    int h = snprintf(req, sizeof req,
                     "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: %u\r\n\r\n", 300u << 10);
    memset(req + h, 'x', 300u << 10);
    req[h + (300u << 10)] = 0;
    const struct step s[] = { { req, 0 }, { 0, 0 } };
    const char *o = serve(s);
    CHECK(!strncmp(o, "HTTP/1.1 503 ", 13));
    CHECK(strstr(o, "out of memory for the request body") != NULL);
    CHECK(strstr(o, "Connection: close\r\n") != NULL);
    while (n)
        anx_free(hog[--n]);
    setup();
}

int main(void)
{
    /* the core heap on a host arena */
    unit_heap_init(32u << 20);
    RUN(get_keepalive_then_peer_close);
    RUN(pipelined_requests_answered_in_order_in_one_send);
    RUN(chunked_body_split_anywhere);
    RUN(content_length_body_in_pieces);
    RUN(limits_and_errors);
    RUN(http10_closes_unless_keepalive);
    RUN(connection_close_honoured);
    RUN(slow_header_gets_408);
    RUN(silent_header_gets_408_and_idle_closes_quietly);
    RUN(abrupt_close_mid_request_sends_nothing);
    RUN(send_failure_stops_the_connection);
    RUN(expect_100_continue);
    RUN(head_has_length_but_no_body);
    RUN(streamed_response_is_chunked);
    RUN(absolute_form_and_query);
    RUN(redirect_to_https);
    RUN(body_out_of_memory_is_503);
    return unit_done();
}
