/*
 * A TLS transport over a connected lwIP netconn (tls.h): reads hand out
 * received pbufs piece by piece (BearSSL asks for at most what its record
 * buffer has room for), writes go out whole with net_write_all.
 */
#include <anx/errno.h>
#include <anx/lib.h>

#include "lwip/api.h"
#include "net.h"

#include "tls.h"

static long nc_read(void *ctx, void *buf, size_t len)
{
    struct tls_netconn *tn = ctx;
    if (!tn->pb) {
        struct pbuf *pb;
        err_t err = netconn_recv_tcp_pbuf(tn->nc, &pb);
        if (err == ERR_TIMEOUT || err == ERR_WOULDBLOCK)
            return ANX_EAGAIN;
        if (err == ERR_CLSD)
            return 0;
        if (err != ERR_OK)
            return ANX_EIO;
        tn->pb = pb;
        tn->off = 0;
    }
    /* copies across the chain from off; drops the pbuf once consumed */
    u16_t total = tn->pb->tot_len;
    size_t left = (size_t)total - tn->off;
    size_t n = left < len ? left : len;
    pbuf_copy_partial(tn->pb, buf, (u16_t)n, tn->off);
    tn->off = (uint16_t)(tn->off + n);
    if (tn->off >= total) {
        pbuf_free(tn->pb);
        tn->pb = NULL;
        tn->off = 0;
    }
    return (long)n;
}

static int nc_write(void *ctx, const void *buf, size_t len)
{
    struct tls_netconn *tn = ctx;
    return net_write_all(tn->nc, buf, len) ? ANX_EIO : 0;
}

void tls_netconn_io(struct tls_netconn *tn, struct netconn *nc, struct tls_io *io)
{
    tn->nc = nc;
    tn->pb = NULL;
    tn->off = 0;
    io->ctx = tn;
    io->read = nc_read;
    io->write = nc_write;
}

void tls_netconn_release(struct tls_netconn *tn)
{
    if (tn->pb)
        pbuf_free(tn->pb);
    tn->pb = NULL;
}
