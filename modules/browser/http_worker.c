/*
 * The worker side of the browser's http: fetcher (see fetch_http.c and
 * http_job.h): one thread per fetch that resolves the host, connects,
 * sends the request and parses the response (http_response.c), queueing
 * what it gets for the browser thread. Every wait is in slices of
 * POLL_NS, so a stop is noticed promptly; connect and read have their own
 * timeout (TIMEOUT_NS) with an error that names the server.
 *
 * https: the same, inside a TLS client session of the tls module over the
 * connected netconn: the certificate must chain to the image's trust
 * anchors, be valid now and name the URL's host; any failure ends the
 * fetch with "Secure connection to HOST:PORT failed: WHY".
 */
#define LOG_TAG "browser"
#include <stdarg.h>

#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "lwip/api.h"
#include "net.h"

#include "tls.h"

#include "http_job.h"
#include "http_response.h"

/* Connect timeout, and the longest silence while reading the response
 * (module.yaml http_timeout). */
#define TIMEOUT_NS ((uint64_t)CONFIG_BROWSER_HTTP_TIMEOUT)
#define POLL_NS (100 * ANX_NS_PER_MS) /* how often a waiting worker checks `stop` */
#define HEAD_MAX (64 * 1024)          /* the response's header section */
#define LINE_MAX_LEN 8192             /* one status, field or chunk-size line */
#define QUEUE_MAX (256 * 1024)        /* body bytes a worker may have queued */
#define DATA_PIECE (16 * 1024)        /* body bytes gathered in one message */
#define TLS_PIECE 4096            /* decrypted bytes read at once */
/* BearSSL's handshake (RSA and EC arithmetic on the stack) wants more
 * than a plain exchange. */
#define WORKER_STACK (48 * 1024)

static struct anx_waitq net_events = ANX_WAITQ_INIT; /* any netconn event of a connecting worker */

void browser_http_job_release(struct browser_http_job *j)
{
    if (--j->refs > 0)
        return;
    for (struct browser_http_msg *m = j->head, *n; m; m = n) {
        n = m->next;
        free(m);
    }
    anx_buf_free(&j->request);
    free(j);
}

struct browser_http_msg *browser_http_job_pop(struct browser_http_job *j)
{
    struct browser_http_msg *m = j->head;
    if (!m)
        return NULL;
    j->head = m->next;
    if (!j->head)
        j->tail = NULL;
    if (m->type == BROWSER_HTTP_DATA) {
        j->queued -= m->len;
        anx_waitq_wake_all(&j->room);
    }
    return m;
}

/* Worker side: queue a message; false when the fetch is stopped or out of
 * memory (then j->error says so). Body bytes join the last message when
 * it has room, and wait while QUEUE_MAX bytes are queued. */
static bool job_push(struct browser_http_job *j, enum browser_http_msg_type type, int code,
                     const void *data, size_t len)
{
    while (type == BROWSER_HTTP_DATA && j->queued >= QUEUE_MAX && !j->stop)
        anx_wait_timeout(&j->room, POLL_NS);
    if (j->stop)
        return false;
    struct browser_http_msg *t = j->tail;
    if (type == BROWSER_HTTP_DATA && t && t->type == BROWSER_HTTP_DATA && t->cap - t->len >= len) {
        memcpy(t->data + t->len, data, len);
        t->len += len;
        j->queued += len;
        return true;
    }
    size_t cap = type == BROWSER_HTTP_DATA && len < DATA_PIECE ? DATA_PIECE : len;
    struct browser_http_msg *m = malloc(sizeof *m + cap + 1);
    if (!m) {
        snprintf(j->error, sizeof j->error, "Out of memory while fetching from %s:%u", j->host,
                 j->port);
        return false;
    }
    m->next = NULL;
    m->type = type;
    m->code = code;
    m->len = len;
    m->cap = cap;
    if (len)
        memcpy(m->data, data, len);
    m->data[len] = 0;
    if (t)
        t->next = m;
    else
        j->head = m;
    j->tail = m;
    if (type == BROWSER_HTTP_DATA)
        j->queued += len;
    return true;
}

/* ------------------------------------------------------------------ */
/* The worker: one exchange                                            */

static int on_status(void *ctx, int code, int minor, const char *reason, size_t reason_len)
{
    (void)minor, (void)reason, (void)reason_len;
    return !job_push(ctx, BROWSER_HTTP_STATUS, code, NULL, 0);
}

static int on_header(void *ctx, const char *name, size_t nl, const char *value, size_t vl)
{
    struct browser_http_job *j = ctx;
    char *line = malloc(nl + vl + 3);
    if (!line) {
        snprintf(j->error, sizeof j->error, "Out of memory while fetching from %s:%u", j->host,
                 j->port);
        return 1;
    }
    memcpy(line, name, nl);
    memcpy(line + nl, ": ", 2);
    memcpy(line + nl + 2, value, vl);
    bool ok = job_push(j, BROWSER_HTTP_HEADER, 0, line, nl + 2 + vl);
    free(line);
    return !ok;
}

static int on_head_done(void *ctx)
{
    return !job_push(ctx, BROWSER_HTTP_HEAD_DONE, 0, NULL, 0);
}

static int on_body(void *ctx, const uint8_t *data, size_t len)
{
    return !job_push(ctx, BROWSER_HTTP_DATA, 0, data, len);
}

static const struct browser_hresp_cb parser_cb = { on_status, on_header, on_head_done, on_body };

/* Runs in lwIP's context on every event of a connecting netconn. */
static void net_event(struct netconn *nc, enum netconn_evt evt, u16_t len)
{
    (void)nc, (void)evt, (void)len;
    anx_waitq_wake_all(&net_events);
}

static void job_fail(struct browser_http_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void job_fail(struct browser_http_job *j, const char *fmt, ...)
{
    if (j->error[0])
        return; /* the first reason is the real one */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->error, sizeof j->error, fmt, ap);
    va_end(ap);
}

static uint64_t timeout_s(void)
{
    return TIMEOUT_NS / ANX_NS_PER_S;
}

/* Waits for an address; false when stopped or timed out (j->error). */
static bool wait_network(struct browser_http_job *j)
{
    if (!net_ready()) {
        job_fail(j, "No network: the image has no network interface (add a NIC module such as "
                    "virtio-net to the manifest)");
        return false;
    }
    uint64_t end = anx_time_ns() + TIMEOUT_NS;
    while (!net_wait_up(POLL_NS)) {
        if (j->stop)
            return false;
        if (anx_time_ns() >= end) {
            job_fail(j, "The network is down: no IPv4 address after %llu s (is DHCP answering?)",
                     (unsigned long long)timeout_s());
            return false;
        }
    }
    return true;
}

/* Non-blocking connect, so that the timeout is ours and not TCP's SYN
 * retries (minutes), and a stop is noticed. Returns the connection or
 * NULL (j->error, unless stopped). */
static struct netconn *connect_to(struct browser_http_job *j, const ip_addr_t *addr)
{
    struct netconn *nc = netconn_new_with_callback(NETCONN_TCP, net_event);
    if (!nc) {
        job_fail(j, "Out of network connections (lwIP) for %s:%u", j->host, j->port);
        return NULL;
    }
    netconn_set_nonblocking(nc, 1);
    err_t err = netconn_connect(nc, addr, j->port);
    uint64_t end = anx_time_ns() + TIMEOUT_NS;
    while (err == ERR_INPROGRESS || (err == ERR_OK && nc->state == NETCONN_CONNECT)) {
        if (nc->pcb.tcp == NULL) { /* err_tcp ran: refused, reset, unreachable */
            err = netconn_err(nc);
            if (err == ERR_OK)
                err = ERR_CONN;
            break;
        }
        if (nc->state != NETCONN_CONNECT) {
            err = ERR_OK;
            break;
        }
        if (j->stop)
            goto fail;
        if (anx_time_ns() >= end) {
            job_fail(j, "Connection to %s:%u timed out (no answer in %llu s)", j->host, j->port,
                     (unsigned long long)timeout_s());
            goto fail;
        }
        anx_wait_timeout(&net_events, POLL_NS);
        err = ERR_INPROGRESS;
    }
    if (err == ERR_OK) {
        netconn_set_nonblocking(nc, 0);
        return nc;
    }
    if (err == ERR_RST || err == ERR_ABRT || err == ERR_CLSD)
        job_fail(j, "Connection to %s:%u refused (is the server running?)", j->host, j->port);
    else if (err == ERR_RTE)
        job_fail(j, "No route to %s:%u", j->host, j->port);
    else
        job_fail(j, "Could not connect to %s:%u (lwIP error %d)", j->host, j->port, (int)err);
fail:
    netconn_delete(nc);
    return NULL;
}

/* One step of receiving through TLS: decrypted bytes fed to the parser.
 * false when receiving is over (done, closed, failed: j->error). */
static bool receive_tls(struct browser_http_job *j, struct tls_session *tls, struct browser_hresp *p,
                        uint8_t *buf, uint64_t *last)
{
    long n = tls_read(tls, buf, TLS_PIECE);
    if (n == ANX_EAGAIN) {
        if (anx_time_ns() - *last < TIMEOUT_NS)
            return true;
        job_fail(j, "Reading from %s:%u timed out (nothing received for %llu s)", j->host, j->port,
                 (unsigned long long)timeout_s());
        return false;
    }
    if (n == 0) {
        if (browser_hresp_eof(p) < 0)
            job_fail(j, "Bad response from %s:%u: %s", j->host, j->port, p->error);
        return false;
    }
    if (n < 0) {
        job_fail(j, "Secure connection to %s:%u failed: %s", j->host, j->port, tls_error(tls));
        return false;
    }
    *last = anx_time_ns();
    if (browser_hresp_feed(p, buf, (size_t)n) < 0) {
        if (!j->stop)
            job_fail(j, "Bad response from %s:%u: %s", j->host, j->port, p->error);
        return false;
    }
    return p->state != BROWSER_HRESP_ERROR;
}

/* Reads and parses the response until it is complete, the server closes,
 * an error, the read timeout or a stop; through tls when it is not NULL. */
static void receive(struct browser_http_job *j, struct netconn *nc, struct tls_session *tls)
{
    char *head = malloc(HEAD_MAX + (tls ? TLS_PIECE : 0));
    if (!head) {
        job_fail(j, "Out of memory while fetching from %s:%u", j->host, j->port);
        return;
    }
    struct browser_hresp p;
    browser_hresp_init(&p, &parser_cb, j, head, HEAD_MAX, LINE_MAX_LEN, false);
    netconn_set_recvtimeout(nc, (int)(POLL_NS / ANX_NS_PER_MS));
    uint64_t last = anx_time_ns();
    while (!j->stop && p.state != BROWSER_HRESP_DONE) {
        if (tls) {
            if (!receive_tls(j, tls, &p, (uint8_t *)head + HEAD_MAX, &last))
                break;
            continue;
        }
        struct pbuf *pb;
        err_t err = netconn_recv_tcp_pbuf(nc, &pb);
        if (err == ERR_TIMEOUT) {
            if (anx_time_ns() - last >= TIMEOUT_NS) {
                job_fail(j, "Reading from %s:%u timed out (nothing received for %llu s)", j->host,
                         j->port, (unsigned long long)timeout_s());
                break;
            }
            continue;
        }
        if (err == ERR_CLSD) {
            if (browser_hresp_eof(&p) < 0)
                job_fail(j, "Bad response from %s:%u: %s", j->host, j->port, p.error);
            break;
        }
        if (err != ERR_OK) {
            job_fail(j, "Connection to %s:%u %s", j->host, j->port,
                     err == ERR_RST || err == ERR_ABRT ? "reset by the server" : "failed");
            break;
        }
        last = anx_time_ns();
        for (struct pbuf *q = pb; q && p.state != BROWSER_HRESP_DONE; q = q->next) {
            if (browser_hresp_feed(&p, q->payload, q->len) < 0) {
                if (!j->stop) /* "stopped" by a callback means out of memory */
                    job_fail(j, "Bad response from %s:%u: %s", j->host, j->port, p.error);
                break;
            }
        }
        pbuf_free(pb);
        if (p.state == BROWSER_HRESP_ERROR)
            break;
    }
    free(head);
}

/* The TLS handshake, in POLL_NS slices (the netconn's receive timeout)
 * so a stop is noticed, within TIMEOUT_NS. false when stopped or failed
 * (j->error). */
static bool handshake(struct browser_http_job *j, struct tls_session *tls)
{
    uint64_t end = anx_time_ns() + TIMEOUT_NS;
    for (;;) {
        int rc = tls_handshake(tls);
        if (rc == 0)
            return true;
        if (rc != ANX_EAGAIN) {
            job_fail(j, "Secure connection to %s:%u failed: %s", j->host, j->port, tls_error(tls));
            return false;
        }
        if (j->stop)
            return false;
        if (anx_time_ns() >= end) {
            job_fail(j, "Secure connection to %s:%u failed: the TLS handshake timed out (no answer "
                        "in %llu s)",
                     j->host, j->port, (unsigned long long)timeout_s());
            return false;
        }
    }
}

/* https: the request and response inside a TLS session over nc. */
static void exchange_tls(struct browser_http_job *j, struct netconn *nc)
{
    struct tls_netconn tn;
    struct tls_io io;
    struct tls_session *tls;
    char err[320];
    tls_netconn_io(&tn, nc, &io);
    netconn_set_recvtimeout(nc, (int)(POLL_NS / ANX_NS_PER_MS));
    if (tls_client_new(&tls, &(struct tls_client_config){ .server_name = j->host }, &io, err,
                       sizeof err) < 0) {
        job_fail(j, "Secure connection to %s:%u failed: %s", j->host, j->port, err);
        return;
    }
    if (handshake(j, tls)) {
        if (tls_write(tls, j->request.p, j->request.len) < 0)
            job_fail(j, "Sending the request to %s:%u failed: %s", j->host, j->port,
                     tls_error(tls));
        else
            receive(j, nc, tls);
        tls_close(tls);
    }
    tls_free(tls);
    tls_netconn_release(&tn);
}

static void exchange(struct browser_http_job *j)
{
    if (!wait_network(j))
        return;
    ip_addr_t addr;
    err_t err = netconn_gethostbyname(j->host, &addr);
    if (j->stop)
        return;
    if (err != ERR_OK) {
        job_fail(j, "Could not resolve the host name %s (DNS lookup failed)", j->host);
        return;
    }
    struct netconn *nc = connect_to(j, &addr);
    if (!nc)
        return;
    netconn_set_sendtimeout(nc, (int)(TIMEOUT_NS / ANX_NS_PER_MS));
    if (j->tls)
        exchange_tls(j, nc);
    else if (net_write_all(nc, j->request.p, j->request.len))
        job_fail(j, "Sending the request to %s:%u failed (connection closed or timed out)", j->host,
                 j->port);
    else
        receive(j, nc, NULL);
    netconn_close(nc);
    netconn_delete(nc);
}

static void worker(void *arg)
{
    struct browser_http_job *j = arg;
    exchange(j);
    if (!j->error[0] && j->stop)
        snprintf(j->error, sizeof j->error, "stopped");
    j->finished = true;
    browser_http_job_release(j);
}

bool browser_http_job_start(struct browser_http_job *j)
{
    anx_waitq_init(&j->room);
    j->refs = 2;
    if (anx_thread_create("http", worker, j, WORKER_STACK))
        return true;
    j->refs = 0;
    return false;
}

void browser_http_job_stop(struct browser_http_job *j)
{
    if (!j->stop) {
        j->stop = true;
        anx_waitq_wake_all(&j->room);
    }
}
