/* virtio-net: one anx_netif per device. Receive buffers are pre-posted on
 * queue 0; the interrupt handler only masks further rx interrupts and wakes
 * the rx thread, which drains the used ring in a loop (handing each frame to
 * anx_netif_input and reposting the buffer) and re-enables interrupts only
 * when the ring is empty (NAPI-style). Transmit copies the frame into a
 * per-descriptor buffer on queue 1; completed transmits are reclaimed
 * lazily on the next transmit (tx interrupts stay suppressed). */
#define LOG_TAG "virtio-net"
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/netif.h>
#include <anx/platform.h>
#include <anx/thread.h>

#include "virtio.h"

#define F_MAC (1ull << 5)
#define F_STATUS (1ull << 16)
#define S_LINK_UP 1

#define BUF_SIZE 2048u         /* header + 1514-byte frame, rounded */
#define FRAME_MAX 1514u
#define RX_BUDGET 64           /* frames per pass before yielding */

struct vnet {
    struct virtio_dev *vd;
    struct virtq *rxq, *txq;
    uint8_t *rxbufs, *txbufs;
    unsigned nrx, ntx;
    unsigned hdr_len;          /* 12 with VERSION_1, 10 for legacy */
    uint8_t **txfree;          /* stack of free tx buffers */
    unsigned ntxfree;
    struct anx_netif nif;
    struct anx_waitq wait;
    volatile bool rx_pending, cfg_pending;
};

/* virtio 1.2 §5.1.6.3: receive buffers are device-writable and hold the header plus a
 * 1514-byte frame (1526 bytes suffice without MRG_RXBUF or GUEST_TSO*). */
static void rx_post(struct vnet *n, uint8_t *buf)
{
    struct virtq_buf b = { (uintptr_t)buf, BUF_SIZE };
    virtio_queue_add(n->rxq, &b, 0, 1, buf);
}

/* virtio 1.2 §5.1.4: with VIRTIO_NET_F_STATUS, bit 0 of status (offset 6) is link up;
 * without it the driver assumes the link is active. */
static void update_link(struct vnet *n)
{
    if (n->vd->features & F_STATUS)
        n->nif.link_up = virtio_cfg16(n->vd, 6) & S_LINK_UP;
    else
        n->nif.link_up = true;
}

/* interrupt context: acknowledge (done by the transport), mask, wake */
static void vnet_irq(void *arg, bool config_changed)
{
    struct vnet *n = arg;
    n->nif.stats.interrupts++;
    if (config_changed)
        n->cfg_pending = true;
    virtio_queue_disable_cb(n->rxq);
    n->rx_pending = true;
    anx_waitq_wake_one(&n->wait);
}

static void tx_reclaim(struct vnet *n)
{
    void *buf;
    while ((buf = virtio_queue_get(n->txq, NULL)))
        n->txfree[n->ntxfree++] = buf;
}

/* virtio 1.2 §5.1.6.2: each packet follows a struct virtio_net_hdr, zeroed for no
 * checksum or segmentation offload: 12 bytes with VERSION_1, 10 legacy (§5.1.6.1). */
static int vnet_transmit(struct anx_netif *nif, const void *frame, size_t len)
{
    struct vnet *n = nif->priv;
    if (len > FRAME_MAX || len < 14) {
        nif->stats.tx_dropped++;
        return -1;
    }
    tx_reclaim(n);
    if (!n->ntxfree) {
        nif->stats.tx_dropped++;
        return -1;
    }
    uint8_t *buf = n->txfree[--n->ntxfree];
    memset(buf, 0, n->hdr_len);                 /* no offloads */
    memcpy(buf + n->hdr_len, frame, len);
    struct virtq_buf b = { (uintptr_t)buf, (uint32_t)(n->hdr_len + len) };
    if (virtio_queue_add(n->txq, &b, 1, 0, buf) != 0) {
        n->txfree[n->ntxfree++] = buf;
        nif->stats.tx_dropped++;
        return -1;
    }
    virtio_queue_kick(n->txq);
    nif->stats.tx_packets++;
    nif->stats.tx_bytes += len;
    return 0;
}

static const struct anx_netif_ops vnet_ops = { .transmit = vnet_transmit };

/* virtio 1.2 §5.1.6.4: a used receive buffer holds the virtio_net_hdr, then the frame;
 * the buffer goes straight back to the receive queue (§5.1.6.3). */
static void rx_thread(void *arg)
{
    struct vnet *n = arg;
    for (;;) {
        unsigned long f = plat_irq_save();
        while (!n->rx_pending)
            anx_wait(&n->wait);
        n->rx_pending = false;
        plat_irq_restore(f);
        if (n->cfg_pending) {
            n->cfg_pending = false;
            bool was = n->nif.link_up;
            update_link(n);
            if (was != n->nif.link_up)
                log_info("%s: link %s", n->nif.name, n->nif.link_up ? "up" : "down");
        }
        for (;;) {
            unsigned done = 0;
            uint8_t *buf;
            uint32_t len;
            while (done < RX_BUDGET && (buf = virtio_queue_get(n->rxq, &len))) {
                if (len > n->hdr_len && len <= BUF_SIZE)
                    anx_netif_input(&n->nif, buf + n->hdr_len, len - n->hdr_len);
                else
                    n->nif.stats.rx_dropped++;
                rx_post(n, buf);
                done++;
            }
            if (done)
                virtio_queue_kick(n->rxq);
            if (done == RX_BUDGET) {        /* under load: keep polling, let others run */
                anx_yield();
                continue;
            }
            if (virtio_queue_enable_cb(n->rxq))    /* empty: back to interrupts */
                break;
            virtio_queue_disable_cb(n->rxq);
        }
    }
}

/* virtio 1.2 §5.1.5: negotiate MAC and STATUS, set up receiveq1 (0) and transmitq1 (1,
 * §5.1.2), fill the receive queue, read the MAC (§5.1.4), then DRIVER_OK. */
static int vnet_probe(struct virtio_dev *vd)
{
    struct vnet *n = anx_calloc(1, sizeof *n);
    if (!n)
        return -1;
    n->vd = vd;
    vd->priv = n;
    anx_waitq_init(&n->wait);
    if (virtio_begin(vd, F_MAC | F_STATUS) != 0)
        return -1;
    n->hdr_len = vd->legacy ? 10 : 12;
    n->rxq = virtio_queue_setup(vd, 0, CONFIG_VIRTIO_NET_RX_BUFFERS);
    n->txq = virtio_queue_setup(vd, 1, CONFIG_VIRTIO_NET_TX_BUFFERS);
    if (!n->rxq || !n->txq) {
        log_warn("%s: queue set-up failed", vd->dev->name);
        virtio_fail(vd);
        return -1;
    }
    n->nrx = n->rxq->size;
    n->ntx = n->txq->size;
    size_t rxpages = (n->nrx * BUF_SIZE + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
    size_t txpages = (n->ntx * BUF_SIZE + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
    n->rxbufs = anx_page_alloc(rxpages);
    n->txbufs = anx_page_alloc(txpages);
    n->txfree = anx_calloc(n->ntx, sizeof *n->txfree);
    if (!n->rxbufs || !n->txbufs || !n->txfree) {
        virtio_fail(vd);
        return -1;
    }
    for (unsigned i = 0; i < n->ntx; i++)
        n->txfree[n->ntxfree++] = n->txbufs + i * BUF_SIZE;
    for (unsigned i = 0; i < n->nrx; i++)
        rx_post(n, n->rxbufs + i * BUF_SIZE);
    virtio_queue_disable_cb(n->txq);
    if (vd->features & F_MAC) {
        for (int i = 0; i < 6; i++)
            n->nif.mac[i] = virtio_cfg8(vd, i);
    } else {
        static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        memcpy(n->nif.mac, mac, 6);
    }
    if (virtio_irq(vd, vnet_irq, n) != 0) {
        log_warn("%s: cannot route irq %d", vd->dev->name, vd->dev->irq);
        virtio_fail(vd);
        return -1;
    }
    virtio_ready(vd);
    virtio_queue_kick(n->rxq);
    update_link(n);
    n->nif.driver = "virtio-net";
    n->nif.mtu = 1500;
    n->nif.ops = &vnet_ops;
    n->nif.priv = n;
    if (!anx_thread_create("virtio-net-rx", rx_thread, n, 0))
        return -1;
    anx_netif_register(&n->nif);
    log_info("%s: %s, %s transport%s, irq %d, %u rx / %u tx buffers", n->nif.name,
             vd->dev->name, vd->dev->bus == ANX_BUS_PCI ? "pci" : "mmio",
             vd->legacy ? " (legacy)" : "", vd->dev->irq, n->nrx, n->ntx);
    return 0;
}

static struct virtio_driver vnet_driver = {
    .name = "virtio-net", .id = VIRTIO_ID_NET, .probe = vnet_probe,
};

static int vnet_init(void)
{
    virtio_driver_register(&vnet_driver);
    return 0;
}

ANX_MODULE(virtio_net, .init = vnet_init);
