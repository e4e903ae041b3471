/* e1000 descriptor ring logic (see e1000_ring.h). */
#include <anx/lib.h>
#include "e1000_ring.h"

#define rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

/* 8254x manual §3.2.3: a receive descriptor is the buffer address, then length, checksum,
 * status, errors and special, written back by the hardware; status 0 = not used yet. */
void e1000_rx_init(struct e1000_rx *rx, volatile struct e1000_rxd *d, unsigned n,
                   const uint64_t *buf_addrs)
{
    rx->d = d;
    rx->n = n;
    rx->next = 0;
    for (unsigned i = 0; i < n; i++) {
        d[i].addr = buf_addrs[i];
        d[i].length = 0;
        d[i].status = 0;
        d[i].errors = 0;
    }
}

/* §3.2.3: DD says the hardware wrote the descriptor back; a frame that fits one buffer
 * has EOP set; any error bit drops it. */
bool e1000_rx_peek(const struct e1000_rx *rx, unsigned *idx, unsigned *len, bool *good)
{
    volatile struct e1000_rxd *d = &rx->d[rx->next];
    uint8_t st = d->status;
    if (!(st & E1000_RXD_DD))
        return false;
    rmb();                       /* status before the rest of the descriptor */
    *idx = rx->next;
    *len = d->length;
    *good = (st & E1000_RXD_EOP) && d->errors == 0 && d->length >= 14;
    return true;
}

/* §3.2.6: the hardware owns RDH .. RDT - 1; writing this slot to RDT gives back the one
 * before it and keeps this one as the gap that tells a full ring from an empty one. */
unsigned e1000_rx_recycle(struct e1000_rx *rx)
{
    unsigned i = rx->next;
    rx->d[i].status = 0;
    rx->d[i].errors = 0;
    rx->next = (i + 1) & (rx->n - 1);
    wmb();                       /* the cleared descriptor before the tail write */
    return i;                    /* the new RDT: slot i - 1 goes back to the device */
}

void e1000_tx_init(struct e1000_tx *tx, volatile struct e1000_txd *d, unsigned n)
{
    tx->d = d;
    tx->n = n;
    tx->tail = tx->clean = 0;
    for (unsigned i = 0; i < n; i++) {
        d[i].addr = 0;
        d[i].cmd = 0;
        d[i].status = 0;
    }
}

unsigned e1000_tx_free(const struct e1000_tx *tx)
{
    return (tx->clean - tx->tail - 1) & (tx->n - 1);
}

/* §3.3.3: DD in a descriptor's status (asked for by RS) means the hardware is done. */
unsigned e1000_tx_reclaim(struct e1000_tx *tx)
{
    unsigned k = 0;
    while (tx->clean != tx->tail && (tx->d[tx->clean].status & E1000_TXD_DD)) {
        tx->d[tx->clean].status = 0;
        tx->clean = (tx->clean + 1) & (tx->n - 1);
        k++;
    }
    return k;
}

/* 8254x manual §3.3.3: a legacy transmit descriptor; EOP ends the frame, IFCS appends
 * the CRC, RS asks for DD to be written back (e1000_tx_reclaim waits for it). */
int e1000_tx_put(struct e1000_tx *tx, uint64_t addr, uint16_t len)
{
    if (!e1000_tx_free(tx))
        return -1;
    unsigned i = tx->tail;
    volatile struct e1000_txd *d = &tx->d[i];
    d->addr = addr;
    d->length = len;
    d->cso = 0;
    d->css = 0;
    d->special = 0;
    d->status = 0;
    d->cmd = E1000_TXD_EOP | E1000_TXD_IFCS | E1000_TXD_RS;
    tx->tail = (i + 1) & (tx->n - 1);
    wmb();                       /* the descriptor before the tail write */
    return (int)i;
}
