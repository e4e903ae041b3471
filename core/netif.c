/* The network interface registry (<anx/netif.h>): drivers add interfaces,
 * one listener (the TCP/IP stack) attaches to each. */
#define LOG_TAG "netif"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/netif.h>
#include <anx/printf.h>

static struct anx_netif *netifs, **netifs_tail = &netifs;
static unsigned nnetifs;
static void (*listener)(struct anx_netif *nif);

int anx_netif_register(struct anx_netif *nif)
{
    if (!nif || !nif->ops || !nif->ops->transmit)
        return ANX_EINVAL;
    snprintf(nif->name, sizeof nif->name, "eth%u", nnetifs++);
    nif->next = NULL;
    if (!nif->mtu)
        nif->mtu = 1500;
    *netifs_tail = nif;
    netifs_tail = &nif->next;
    log_info("%s: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s", nif->name,
             nif->driver ? nif->driver : "?", nif->mac[0], nif->mac[1], nif->mac[2],
             nif->mac[3], nif->mac[4], nif->mac[5], nif->link_up ? "up" : "down");
    if (listener)
        listener(nif);
    return 0;
}

void anx_netif_input(struct anx_netif *nif, const void *frame, size_t len)
{
    nif->stats.rx_packets++;
    nif->stats.rx_bytes += len;
    if (nif->input)
        nif->input(nif, frame, len);
    else
        nif->stats.rx_dropped++;
}

void anx_netif_set_listener(void (*added)(struct anx_netif *nif))
{
    listener = added;
    if (added)
        for (struct anx_netif *n = netifs; n; n = n->next)
            added(n);
}

struct anx_netif *anx_netif_first(void)
{
    return netifs;
}

struct anx_netif *anx_netif_next(struct anx_netif *nif)
{
    return nif ? nif->next : NULL;
}

struct anx_netif *anx_netif_find(const char *name)
{
    for (struct anx_netif *n = netifs; n; n = n->next)
        if (name && strcmp(n->name, name) == 0)
            return n;
    return NULL;
}
