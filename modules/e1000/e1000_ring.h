/* e1000 (82540EM) descriptor rings, separated from the registers so the
 * ring logic has host unit tests. Legacy descriptor formats only. */
#ifndef E1000_RING_H
#define E1000_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct e1000_rxd {
    uint64_t addr;
    uint16_t length;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};

struct e1000_txd {
    uint64_t addr;
    uint16_t length;
    uint8_t cso;
    uint8_t cmd;
    uint8_t status;
    uint8_t css;
    uint16_t special;
};

#define E1000_RXD_DD 0x01
#define E1000_RXD_EOP 0x02
#define E1000_TXD_EOP 0x01
#define E1000_TXD_IFCS 0x02
#define E1000_TXD_RS 0x08
#define E1000_TXD_DD 0x01

/* Receive: the device fills descriptors from its head up to (not
 * including) the tail we write; `next` is the first one we have not
 * consumed. All n descriptors carry a buffer; the tail trails next by
 * one so head == tail never means "full". */
struct e1000_rx {
    volatile struct e1000_rxd *d;
    unsigned n;              /* power of two, multiple of 8 */
    unsigned next;
};

void e1000_rx_init(struct e1000_rx *rx, volatile struct e1000_rxd *d, unsigned n,
                   const uint64_t *buf_addrs);
/* The next completed frame: its index, length and whether it is good (one
 * descriptor, no errors). false when none is ready. Does not consume. */
bool e1000_rx_peek(const struct e1000_rx *rx, unsigned *idx, unsigned *len, bool *good);
/* Give descriptor idx (== next) back to the device; returns the value for
 * the tail register (RDT). */
unsigned e1000_rx_recycle(struct e1000_rx *rx);

/* Transmit: we own [clean, tail); the device owns up to its head. */
struct e1000_tx {
    volatile struct e1000_txd *d;
    unsigned n;
    unsigned tail;           /* next free descriptor */
    unsigned clean;          /* oldest descriptor not yet reclaimed */
};

void e1000_tx_init(struct e1000_tx *tx, volatile struct e1000_txd *d, unsigned n);
/* Reclaim descriptors the device marked done; returns how many. */
unsigned e1000_tx_reclaim(struct e1000_tx *tx);
/* Queue one frame at addr/len; returns the descriptor index (the new tail
 * register value is tx->tail afterwards) or -1 when the ring is full. */
int e1000_tx_put(struct e1000_tx *tx, uint64_t addr, uint16_t len);
unsigned e1000_tx_free(const struct e1000_tx *tx);

#endif
