/* Intel 82540EM (QEMU's `e1000`, PCI 8086:100e) NIC driver. Same model
 * as virtio-net: the interrupt handler reads ICR (which clears it and
 * drops the line), masks the device's interrupts (IMC) and wakes the rx
 * thread; the thread drains the receive ring in a loop, handing frames to
 * anx_netif_input and recycling descriptors, and unmasks (IMS) only when
 * the ring is empty. Transmit copies into a per-descriptor buffer; done
 * descriptors are reclaimed lazily on the next transmit. */
#define LOG_TAG "e1000"
#include <anx/dev.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/netif.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "e1000_ring.h"

#define NRX 128
#define NTX 128
#define BUF_SIZE 2048u
#define RX_BUDGET 64

#define CTRL 0x0000
#define STATUS 0x0008
#define EERD 0x0014
#define ICR 0x00c0
#define IMS 0x00d0
#define IMC 0x00d8
#define RCTL 0x0100
#define TCTL 0x0400
#define TIPG 0x0410
#define RDBAL 0x2800
#define RDBAH 0x2804
#define RDLEN 0x2808
#define RDH 0x2810
#define RDT 0x2818
#define TDBAL 0x3800
#define TDBAH 0x3804
#define TDLEN 0x3808
#define TDH 0x3810
#define TDT 0x3818
#define MTA 0x5200
#define RAL0 0x5400
#define RAH0 0x5404

#define CTRL_SLU (1u << 6)
#define CTRL_RST (1u << 26)
#define STATUS_LU (1u << 1)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define I_TXDW 0x01
#define I_LSC 0x04
#define I_RXDMT0 0x10
#define I_RXO 0x40
#define I_RXT0 0x80
#define I_RX (I_LSC | I_RXDMT0 | I_RXO | I_RXT0)

struct e1000 {
    struct anx_device *dev;
    volatile uint8_t *regs;
    struct e1000_rx rx;
    struct e1000_tx tx;
    uint8_t *rxbufs, *txbufs;
    struct anx_netif nif;
    struct anx_waitq wait;
    volatile bool pending, lsc;
};

static uint32_t rd(struct e1000 *e, unsigned r)
{
    return *(volatile uint32_t *)(e->regs + r);
}

static void wr(struct e1000 *e, unsigned r, uint32_t v)
{
    *(volatile uint32_t *)(e->regs + r) = v;
}

/* 8254x manual §13.4.17: reading ICR returns and clears the causes (0: another device on
 * the line); §13.4.21: IMC masks them all until the thread has drained the ring. */
static void e1000_irq(void *arg)
{
    struct e1000 *e = arg;
    uint32_t icr = rd(e, ICR);          /* read-to-clear */
    if (!icr)
        return;                         /* another device on the line */
    e->nif.stats.interrupts++;
    if (icr & I_LSC)
        e->lsc = true;
    wr(e, IMC, 0xffffffffu);            /* masked until the thread drained */
    e->pending = true;
    anx_waitq_wake_one(&e->wait);
}

/* 8254x manual §3.3.3 / §3.4: one legacy descriptor per frame; writing TDT hands the
 * descriptors before it to the hardware. */
static int e1000_transmit(struct anx_netif *nif, const void *frame, size_t len)
{
    struct e1000 *e = nif->priv;
    if (len < 14 || len > 1514) {
        nif->stats.tx_dropped++;
        return -1;
    }
    e1000_tx_reclaim(&e->tx);
    unsigned slot = e->tx.tail;
    uint8_t *buf = e->txbufs + slot * BUF_SIZE;
    memcpy(buf, frame, len);
    if (e1000_tx_put(&e->tx, (uintptr_t)buf, (uint16_t)len) < 0) {
        nif->stats.tx_dropped++;
        return -1;
    }
    wr(e, TDT, e->tx.tail);
    nif->stats.tx_packets++;
    nif->stats.tx_bytes += len;
    return 0;
}

static const struct anx_netif_ops e1000_ops = { .transmit = e1000_transmit };

/* 8254x manual §3.2.6: the hardware fills descriptors from RDH up to RDT - 1, so each one
 * handled moves RDT on; §13.4.20: IMS unmasks receive interrupts once the ring is empty. */
static void rx_thread(void *arg)
{
    struct e1000 *e = arg;
    for (;;) {
        unsigned long f = plat_irq_save();
        while (!e->pending)
            anx_wait(&e->wait);
        e->pending = false;
        plat_irq_restore(f);
        if (e->lsc) {
            e->lsc = false;
            bool up = rd(e, STATUS) & STATUS_LU;
            if (up != e->nif.link_up)
                log_info("%s: link %s", e->nif.name, up ? "up" : "down");
            e->nif.link_up = up;
        }
        for (;;) {
            unsigned done = 0, idx, len;
            bool good;
            while (done < RX_BUDGET && e1000_rx_peek(&e->rx, &idx, &len, &good)) {
                if (good)
                    anx_netif_input(&e->nif, e->rxbufs + idx * BUF_SIZE, len);
                else
                    e->nif.stats.rx_dropped++;
                wr(e, RDT, e1000_rx_recycle(&e->rx));
                done++;
            }
            if (done == RX_BUDGET) {
                anx_yield();
                continue;
            }
            wr(e, IMS, I_RX);
            if (!e1000_rx_peek(&e->rx, &idx, &len, &good))
                break;
            wr(e, IMC, 0xffffffffu);
        }
    }
}

/* 8254x manual §13.4.4 (82540EM layout): EERD START is bit 0, the word address bits 15:8,
 * DONE bit 4, the data bits 31:16. */
static uint16_t eeprom_read(struct e1000 *e, unsigned addr)
{
    wr(e, EERD, (addr << 8) | 1);
    for (int i = 0; i < 100000; i++) {
        uint32_t v = rd(e, EERD);
        if (v & (1u << 4))
            return (uint16_t)(v >> 16);
    }
    return 0xffff;
}

/* 8254x manual §14.4: RAL0/RAH0 (AV = bit 31) hold the address the receiver accepts; if
 * not yet valid it is EEPROM words 0-2, low byte first (§5.6.1). */
static void read_mac(struct e1000 *e, uint8_t mac[6])
{
    uint32_t lo = rd(e, RAL0), hi = rd(e, RAH0);
    if (hi & (1u << 31)) {              /* address valid: firmware or reset loaded it */
        for (int i = 0; i < 4; i++)
            mac[i] = (uint8_t)(lo >> (8 * i));
        mac[4] = (uint8_t)hi;
        mac[5] = (uint8_t)(hi >> 8);
        return;
    }
    for (unsigned i = 0; i < 3; i++) {
        uint16_t w = eeprom_read(e, i);
        mac[2 * i] = (uint8_t)w;
        mac[2 * i + 1] = (uint8_t)(w >> 8);
    }
    wr(e, RAL0, (uint32_t)mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24);
    wr(e, RAH0, (uint32_t)mac[4] | mac[5] << 8 | 1u << 31);
}

/* 8254x manual §14: mask interrupts, reset (CTRL.RST, §13.4.1), set link up, receive
 * set-up (§14.4: RDBA, RDLEN, RDH/RDT, RCTL), transmit set-up (§14.5), unmask (IMS). */
static int e1000_probe(const struct anx_driver *drv, struct anx_device *dev)
{
    (void)drv;
    if (dev->irq < 0) {
        log_warn("%s: no interrupt routing for this device", dev->name);
        return -1;
    }
    struct e1000 *e = anx_calloc(1, sizeof *e);
    if (!e)
        return -1;
    e->dev = dev;
    anx_waitq_init(&e->wait);
    e->regs = anx_pci_map_bar(dev, 0);
    if (!e->regs) {
        log_warn("%s: BAR0 is not mapped", dev->name);
        return -1;
    }
    anx_pci_enable(dev);

    wr(e, IMC, 0xffffffffu);
    wr(e, CTRL, rd(e, CTRL) | CTRL_RST);
    anx_delay_ns(1000000);
    for (int i = 0; i < 1000 && (rd(e, CTRL) & CTRL_RST); i++)
        anx_delay_ns(10000);
    wr(e, IMC, 0xffffffffu);
    (void)rd(e, ICR);
    wr(e, CTRL, rd(e, CTRL) | CTRL_SLU);

    read_mac(e, e->nif.mac);
    for (unsigned i = 0; i < 128; i++)
        wr(e, MTA + 4 * i, 0);

    size_t rxring = NRX * sizeof(struct e1000_rxd), txring = NTX * sizeof(struct e1000_txd);
    void *rxd = anx_page_alloc(1), *txd = anx_page_alloc(1);
    e->rxbufs = anx_page_alloc(NRX * BUF_SIZE / ANX_PAGE_SIZE);
    e->txbufs = anx_page_alloc(NTX * BUF_SIZE / ANX_PAGE_SIZE);
    if (!rxd || !txd || !e->rxbufs || !e->txbufs || rxring > ANX_PAGE_SIZE || txring > ANX_PAGE_SIZE)
        return -1;
    memset(rxd, 0, ANX_PAGE_SIZE);
    memset(txd, 0, ANX_PAGE_SIZE);
    uint64_t addrs[NRX];
    for (unsigned i = 0; i < NRX; i++)
        addrs[i] = (uintptr_t)(e->rxbufs + i * BUF_SIZE);
    e1000_rx_init(&e->rx, rxd, NRX, addrs);
    e1000_tx_init(&e->tx, txd, NTX);

    uint64_t a = (uintptr_t)rxd;
    wr(e, RDBAL, (uint32_t)a);
    wr(e, RDBAH, (uint32_t)(a >> 32));
    wr(e, RDLEN, (uint32_t)rxring);
    wr(e, RDH, 0);
    wr(e, RDT, NRX - 1);
    wr(e, RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);     /* BSIZE 00 = 2048 */
    a = (uintptr_t)txd;
    wr(e, TDBAL, (uint32_t)a);
    wr(e, TDBAH, (uint32_t)(a >> 32));
    wr(e, TDLEN, (uint32_t)txring);
    wr(e, TDH, 0);
    wr(e, TDT, 0);
    wr(e, TIPG, 10 | 8 << 10 | 6 << 20);
    wr(e, TCTL, TCTL_EN | TCTL_PSP | 0x10 << 4 | 0x40 << 12);

    e->nif.link_up = rd(e, STATUS) & STATUS_LU;
    e->nif.driver = "e1000";
    e->nif.mtu = 1500;
    e->nif.ops = &e1000_ops;
    e->nif.priv = e;
    dev->driver_data = e;
    if (anx_dev_irq_register(dev, e1000_irq, e) != 0) {
        log_warn("%s: cannot route irq %d", dev->name, dev->irq);
        return -1;
    }
    if (!anx_thread_create("e1000-rx", rx_thread, e, 0))
        return -1;
    anx_netif_register(&e->nif);
    wr(e, IMS, I_RX);
    log_info("%s: %s, irq %d, %u rx / %u tx descriptors", e->nif.name, dev->name, dev->irq, NRX, NTX);
    return 0;
}

static const struct anx_device_id e1000_ids[] = {
    { ANX_BUS_PCI, 0x8086, 0x100e },     /* 82540EM, QEMU's e1000 */
    { 0, 0, 0 },
};

static struct anx_driver e1000_driver = {
    .name = "e1000", .ids = e1000_ids, .probe = e1000_probe,
};

static int e1000_init(void)
{
    anx_driver_register(&e1000_driver);
    return 0;
}

ANX_MODULE(e1000, .init = e1000_init);
