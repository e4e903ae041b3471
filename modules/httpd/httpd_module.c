/*
 * httpd_module.c - the httpd module: a listener thread accepts TCP connections over
 * lwIP netconn and serves each in its own cooperative thread (at most
 * max_connections; more get a 503) through http_conn_serve(), which hands
 * every request to the router. With the https module in the image, its
 * `http:` says what the plain port does: serve (on), redirect to HTTPS
 * (308), or nothing (off); its connections count against the same
 * max_connections (http_conn_begin/end).
 */
#define LOG_TAG "httpd"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "lwip/api.h"
#include "net.h"

#include "http_conn.h"
#include "router.h" /* the router module API (httpd depends on router) */

struct nc_io {
    struct netconn *nc;
    struct pbuf *pending; /* received, not yet copied out */
    uint16_t offset;
    char peer[24];
    struct http_conn *live; /* http_conn_serve's state while it runs */
};

static unsigned active, total_conns, refused;
static struct http_server_cfg cfg, plain_cfg; /* plain_cfg: the plain port's (may redirect) */

/* The https module's `http:` (what this port does beside HTTPS): "on",
 * "redirect" or "off"; "on" without the module. */
static bool plain_is(const char *mode)
{
#ifdef CONFIG_MODULE_HTTPS
    return strcmp(CONFIG_HTTPS_HTTP, mode) == 0;
#else
    return strcmp("on", mode) == 0;
#endif
}

const struct http_server_cfg *http_server_settings(void)
{
    return &cfg;
}

bool http_conn_begin(void)
{
    total_conns++;
    if (active >= CONFIG_HTTPD_MAX_CONNECTIONS) {
        refused++;
        return false;
    }
    active++;
    return true;
}

void http_conn_end(bool served)
{
    active--;
    if (!served)
        refused++;
}

static long nc_recv(void *ctx, char *buf, size_t cap, uint64_t timeout_ns)
{
    struct nc_io *io = ctx;
    if (!io->pending) {
        uint64_t ms = timeout_ns / 1000000;
        netconn_set_recvtimeout(io->nc, (int)(ms ? (ms > 0x7fffffff ? 0x7fffffff : ms) : 1));
        err_t e = netconn_recv_tcp_pbuf(io->nc, &io->pending);
        if (e == ERR_TIMEOUT || e == ERR_WOULDBLOCK)
            return HTTP_IO_TIMEOUT;
        if (e == ERR_CLSD)
            return HTTP_IO_CLOSED;
        if (e != ERR_OK || !io->pending)
            return HTTP_IO_ERROR;
        io->offset = 0;
    }
    size_t left = io->pending->tot_len - io->offset;
    size_t n = left < cap ? left : cap;
    if (n > 0xffff)
        n = 0xffff;
    pbuf_copy_partial(io->pending, buf, (u16_t)n, io->offset);
    io->offset = (uint16_t)(io->offset + n);
    if (io->offset >= io->pending->tot_len) {
        pbuf_free(io->pending);
        io->pending = NULL;
    }
    return (long)n;
}

static int nc_send(void *ctx, const void *data, size_t n)
{
    struct nc_io *io = ctx;
    /* netconn_write() refuses to run with a send timeout set (ERR_VAL):
     * the partial variant reports progress and times out instead */
    return net_write_all(io->nc, data, n);
}

static uint64_t nc_now(void *ctx)
{
    (void)ctx;
    return anx_time_ns();
}

static void log_line(const char *line)
{
    log_info("%s", line);
}

/* Closes the connection and frees its record: at the end of conn_thread,
 * or by the supervisor after the thread failed (then the buffers
 * http_conn_serve had are lost: docs/supervision.md). */
static void conn_release(void *arg)
{
    struct nc_io *io = arg;
    if (io->live)
        http_conn_release(io->live);
    if (io->pending)
        pbuf_free(io->pending);
    netconn_close(io->nc);
    netconn_delete(io->nc);
    free(io);
    http_conn_end(true);
}

static void conn_thread(void *arg)
{
    struct nc_io *io = arg;
    struct http_io hio = { nc_recv, nc_send, nc_now, io, &io->live };
    struct http_conn_stats st;
    http_conn_serve(&hio, &plain_cfg, io->peer, &st);
    conn_release(io);
}

static void refuse(struct netconn *nc)
{
    static const char msg[] =
        "HTTP/1.1 503 Service Unavailable\r\nServer: anunix\r\nContent-Type: text/plain\r\n"
        "Content-Length: 20\r\nConnection: close\r\nRetry-After: 1\r\n\r\ntoo many connections\n";
    netconn_set_sendtimeout(nc, 1000);
    net_write_all(nc, msg, sizeof msg - 1);
    netconn_close(nc);
    netconn_delete(nc);
}

static struct netconn *listener;

static void listen_thread(void *arg)
{
    (void)arg;
    const char *why;
    struct netconn *l = listener = net_listen_tcp(CONFIG_HTTPD_PORT, 64, &why);
    if (!l) {
        anx_module_fail("httpd", -1, "cannot listen on port %d: %s", CONFIG_HTTPD_PORT, why);
        return;
    }
    log_info("listening on port %d", CONFIG_HTTPD_PORT);
    for (;;) {
        struct netconn *nc;
        if (netconn_accept(l, &nc) != ERR_OK)
            continue;
        if (!http_conn_begin()) {
            refuse(nc);
            continue;
        }
        struct nc_io *io = calloc(1, sizeof *io);
        if (!io) {
            http_conn_end(false);
            refuse(nc);
            continue;
        }
        io->nc = nc;
        net_accepted(nc, io->peer, sizeof io->peer, false);
        netconn_set_sendtimeout(nc, (int)(CONFIG_HTTPD_BODY_TIMEOUT / 1000000));
        if (anx_service_spawn("http", conn_thread, io, CONFIG_HTTPD_STACK, conn_release)) {
            http_conn_end(false);
            free(io);
            refuse(nc);
        }
    }
}

/* After the listener failed: free the port for its restart. */
static void listen_cleanup(void *arg)
{
    (void)arg;
    if (listener) {
        netconn_close(listener);
        netconn_delete(listener);
        listener = NULL;
    }
}

static struct anx_service listen_service = {
    .name = "httpd", .run = listen_thread, .cleanup = listen_cleanup,
};

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_printf(b,
                   "# HELP anx_http_requests_total HTTP requests answered.\n"
                   "# TYPE anx_http_requests_total counter\nanx_http_requests_total %llu\n",
                   (unsigned long long)http_counters.requests);
    anx_buf_puts(b, "# HELP anx_http_responses_total HTTP responses by status class.\n"
                    "# TYPE anx_http_responses_total counter\n");
    for (int k = 1; k <= 5; k++)
        anx_buf_printf(b, "anx_http_responses_total{code=\"%dxx\"} %llu\n", k,
                       (unsigned long long)http_counters.responses_by_class[k]);
    anx_buf_printf(
        b,
        "# TYPE anx_http_received_bytes_total counter\nanx_http_received_bytes_total %llu\n"
        "# TYPE anx_http_sent_bytes_total counter\nanx_http_sent_bytes_total %llu\n"
        "# TYPE anx_http_parse_errors_total counter\nanx_http_parse_errors_total %llu\n"
        "# TYPE anx_http_timeouts_total counter\nanx_http_timeouts_total %llu\n"
        "# TYPE anx_http_connections_total counter\nanx_http_connections_total %u\n"
        "# TYPE anx_http_connections_refused_total counter\nanx_http_connections_refused_total %u\n"
        "# TYPE anx_http_connections_active gauge\nanx_http_connections_active %u\n",
        (unsigned long long)http_counters.bytes_in, (unsigned long long)http_counters.bytes_out,
        (unsigned long long)http_counters.parse_errors, (unsigned long long)http_counters.timeouts,
        total_conns, refused, active);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

static int httpd_init(void)
{
    cfg.lim.max_request_line = CONFIG_HTTPD_MAX_REQUEST_LINE;
    cfg.lim.max_header_bytes = CONFIG_HTTPD_MAX_HEADER_BYTES;
    cfg.lim.max_headers = CONFIG_HTTPD_MAX_HEADERS;
    cfg.lim.max_body = CONFIG_HTTPD_MAX_BODY;
    cfg.lim.options = HTTP_OPT_ONLY_CHUNKED;
    cfg.header_timeout_ns = CONFIG_HTTPD_HEADER_TIMEOUT;
    cfg.idle_timeout_ns = CONFIG_HTTPD_IDLE_TIMEOUT;
    cfg.body_timeout_ns = CONFIG_HTTPD_BODY_TIMEOUT;
    cfg.recv_buffer = 8192;
    cfg.access_log = CONFIG_HTTPD_ACCESS_LOG;
    cfg.log = log_line;
    plain_cfg = cfg;
#ifdef CONFIG_MODULE_HTTPS
    if (plain_is("redirect"))
        plain_cfg.https_redirect_port = (uint16_t)CONFIG_HTTPS_PORT;
#endif
    rt_metrics_register(&metrics);
    if (plain_is("off"))
        log_info("plain HTTP is off (http: off): HTTPS only");
    else if (anx_service_start(&listen_service))
        return -1;
    return 0;
}

/* Essential (module.h): without httpd nobody can ask the image how it is. */
ANX_MODULE(httpd, .init = httpd_init, .essential = true);
