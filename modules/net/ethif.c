/*
 * The glue between lwIP and the core's interface registry (<anx/netif.h>):
 * lwIP's linkoutput copies a frame into the driver with ops->transmit, and
 * a frame the driver received is copied into a pbuf and handed to
 * tcpip_input (which, with core locking, processes it right away in the
 * driver's receive thread).
 */
#define LOG_TAG "net"
#include "netpriv.h"

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include <anx/lib.h>
#include <anx/log.h>

#define MAX_FRAME 1536

static err_t ethif_output(struct netif *lw, struct pbuf *p)
{
    struct net_if *ni = lw->state;
    struct anx_netif *nif = ni->nif;
    const void *frame = p->payload;
    uint8_t buf[MAX_FRAME];
    if (p->next) {   /* a chain: flatten it */
        if (p->tot_len > sizeof buf) {
            LINK_STATS_INC(link.lenerr);
            return ERR_BUF;
        }
        pbuf_copy_partial(p, buf, p->tot_len, 0);
        frame = buf;
    }
    if (nif->ops->transmit(nif, frame, p->tot_len) != 0) {
        LINK_STATS_INC(link.drop);
        return ERR_MEM;
    }
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

void net_ethif_input(struct anx_netif *nif, const void *frame, size_t len)
{
    struct net_if *ni = nif->stack;
    if (!ni || len < 14 || len > 0xffff) {
        nif->stats.rx_dropped++;
        return;
    }
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (!p) {
        LINK_STATS_INC(link.memerr);
        nif->stats.rx_dropped++;
        return;
    }
    pbuf_take(p, frame, (u16_t)len);
    LINK_STATS_INC(link.recv);
    if (ni->lw.input(p, &ni->lw) != ERR_OK) {
        pbuf_free(p);
        nif->stats.rx_dropped++;
    }
}

err_t net_ethif_init(struct netif *lw)
{
    struct net_if *ni = lw->state;
    struct anx_netif *nif = ni->nif;
    lw->name[0] = 'e';
    lw->name[1] = 'n';
    lw->output = etharp_output;
    lw->linkoutput = ethif_output;
    lw->mtu = nif->mtu ? nif->mtu : 1500;
    lw->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(lw->hwaddr, nif->mac, ETH_HWADDR_LEN);
    lw->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}
