/*
 * remote.c - the remote engine: forwards a request to an upstream HTTP
 * server (another appliance) over lwIP netconn, one connection per request
 * (Connection: close), and probes the upstream's health path periodically
 * in its own thread.  An upstream that fails a forward or a probe is marked
 * down until a probe succeeds; policies skip engines that are down.
 */
#define LOG_TAG "router"
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "lwip/api.h"
#include "net.h"

#include "router.h"

struct upstream {
    struct rt_engine engine;
    char name[32];
    char host[64];
    uint16_t port;
    char health_path[96];
    bool up;
    uint64_t probes, probe_failures;
};

static bool up_healthy(struct rt_engine *e)
{
    return ((struct upstream *)e->priv)->up;
}

/* One exchange: connect, send head+body, read until the peer closes or the
 * body is complete.  Fills h and the body into out.  0 or -1. */
static int exchange(struct upstream *u, const char *head, size_t head_len, const void *body,
                    size_t body_len, struct rt_upstream_head *h, struct anx_buf *out)
{
    ip_addr_t addr;
    if (netconn_gethostbyname(u->host, &addr) != ERR_OK)
        return -1;
    struct netconn *nc = netconn_new(NETCONN_TCP);
    if (!nc)
        return -1;
    int rc = -1;
    int ms = (int)(CONFIG_ROUTER_UPSTREAM_TIMEOUT / 1000000);
    netconn_set_recvtimeout(nc, ms);
    netconn_set_sendtimeout(nc, ms);
    struct anx_buf in = { 0 };
    if (netconn_connect(nc, &addr, u->port) != ERR_OK)
        goto done;
    if (net_write_all(nc, head, head_len))
        goto done;
    if (body_len && net_write_all(nc, body, body_len))
        goto done;
    int got = 0;
    for (;;) {
        struct pbuf *p;
        err_t e = netconn_recv_tcp_pbuf(nc, &p);
        if (e == ERR_CLSD)
            break;
        if (e != ERR_OK)
            goto done;
        for (struct pbuf *q = p; q; q = q->next)
            anx_buf_add(&in, q->payload, q->len);
        pbuf_free(p);
        if (in.oom || in.len > CONFIG_ROUTER_UPSTREAM_MAX_BODY + 65536)
            goto done;
        if (got == 0 && (got = rt_parse_upstream_head(in.p, in.len, h)) < 0)
            goto done;
        if (got == 1 && h->content_length >= 0 &&
            in.len >= h->head_len + (uint64_t)h->content_length)
            break;
    }
    if (got == 0 && rt_parse_upstream_head(in.p, in.len, h) != 1)
        goto done;
    size_t blen = in.len - h->head_len;
    if (h->content_length >= 0) {
        if (blen < (uint64_t)h->content_length)
            goto done; /* cut short */
        blen = (size_t)h->content_length;
    }
    if (h->chunked) {
        long n = rt_dechunk(in.p + h->head_len, blen);
        if (n < 0)
            goto done;
        blen = (size_t)n;
    }
    anx_buf_add(out, in.p + h->head_len, blen);
    rc = 0;
done:
    anx_buf_free(&in);
    netconn_close(nc);
    netconn_delete(nc);
    return rc;
}

static bool hop_by_hop(const struct rt_kv *h)
{
    static const char *const names[] = {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length",   "Host",
        "Upgrade",    "TE",         "Trailer",           "Proxy-Connection", "Expect"
    };
    for (size_t i = 0; i < ANX_ARRAY_SIZE(names); i++)
        if (strlen(names[i]) == h->name_len && !strncasecmp(h->name, names[i], h->name_len))
            return true;
    return false;
}

static int up_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    struct upstream *u = e->priv;
    struct anx_buf head = { 0 };
    anx_buf_printf(&head, "%s %.*s%s%.*s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n",
                   rq->method, (int)rq->path_len, rq->path, rq->query ? "?" : "",
                   (int)rq->query_len, rq->query ? rq->query : "", u->host, u->port);
    for (size_t i = 0; i < rq->nheaders; i++) {
        if (hop_by_hop(&rq->headers[i]))
            continue;
        anx_buf_add(&head, rq->headers[i].name, rq->headers[i].name_len);
        anx_buf_add(&head, ": ", 2);
        anx_buf_add(&head, rq->headers[i].value, rq->headers[i].value_len);
        anx_buf_add(&head, "\r\n", 2);
    }
    if (rq->body_len || strcmp(rq->method, "GET"))
        anx_buf_printf(&head, "Content-Length: %zu\r\n", rq->body_len);
    anx_buf_add(&head, "\r\n", 2);
    struct rt_upstream_head h;
    int rc = head.oom ? -1 : exchange(u, head.p, head.len, rq->body, rq->body_len, &h, &rs->out);
    anx_buf_free(&head);
    if (rc) {
        u->up = false;
        log_warn("upstream %s (%s:%u) failed; marked down", u->name, u->host, u->port);
        return -1;
    }
    rs->status = h.status;
    static char ctype[96]; /* cooperative threads: copied out before the next request */
    if (h.content_type[0]) {
        strlcpy(ctype, h.content_type, sizeof ctype);
        rs->content_type = ctype;
    } else {
        rs->content_type = "application/octet-stream";
    }
    return 0;
}

static void probe_thread(void *arg)
{
    struct upstream *u = arg;
    net_wait_up(30 * ANX_NS_PER_S); /* probing before DHCP only fails */
    for (;;) {
        char head[200];
        int n = snprintf(head, sizeof head,
                         "GET %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\n\r\n",
                         u->health_path, u->host, u->port);
        struct rt_upstream_head h;
        struct anx_buf body = { 0 };
        bool ok = net_ready() && exchange(u, head, (size_t)n, NULL, 0, &h, &body) == 0 &&
                  h.status < 400;
        anx_buf_free(&body);
        u->probes++;
        if (!ok)
            u->probe_failures++;
        if (ok != u->up)
            log_info("upstream %s is %s", u->name, ok ? "up" : "down");
        u->up = ok;
        anx_sleep_ns(CONFIG_ROUTER_HEALTH_INTERVAL);
    }
}

/* One item of `upstreams:`; anx checked its syntax with the same parser
 * (route_spec.c), so what can fail here is memory or a taken name. */
int rt_upstream_config(const char *item, char *err, size_t errlen)
{
    struct rt_upstream_spec spec;
    if (rt_upstream_spec_parse(item, strlen(item), &spec, err, errlen))
        return -1;
    struct upstream *u = calloc(1, sizeof *u);
    if (!u) {
        snprintf(err, errlen, "upstream '%s': out of memory", spec.name);
        return -1;
    }
    strlcpy(u->name, spec.name, sizeof u->name);
    strlcpy(u->host, spec.host, sizeof u->host);
    u->port = spec.port;
    strlcpy(u->health_path, spec.health_path, sizeof u->health_path);
    u->up = true; /* until a probe or a forward says otherwise */
    u->engine.name = u->name;
    u->engine.handle = up_handle;
    u->engine.healthy = up_healthy;
    u->engine.priv = u;
    if (rt_engine_register(&u->engine)) {
        snprintf(err, errlen, "engine name '%s' is taken", u->name);
        free(u);
        return -1;
    }
    anx_thread_create("upstream", probe_thread, u, 0);
    return 0;
}
