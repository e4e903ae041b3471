/* Host tests of the e1000 descriptor rings, playing the device side. */
#include <stdio.h>
#include <string.h>
#include "e1000_ring.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define N 8
static struct e1000_rxd rxd[N];
static struct e1000_txd txd[N];

int main(void)
{
    CHECK(sizeof(struct e1000_rxd) == 16 && sizeof(struct e1000_txd) == 16);
    uint64_t addrs[N];
    for (int i = 0; i < N; i++)
        addrs[i] = 0x10000 + 2048u * i;
    struct e1000_rx rx;
    e1000_rx_init(&rx, rxd, N, addrs);
    CHECK(rxd[3].addr == 0x10000 + 3 * 2048);
    unsigned idx, len;
    bool good;
    CHECK(!e1000_rx_peek(&rx, &idx, &len, &good));

    /* device writes two frames, the second with an error */
    rxd[0].length = 60; rxd[0].status = E1000_RXD_DD | E1000_RXD_EOP;
    rxd[1].length = 60; rxd[1].status = E1000_RXD_DD | E1000_RXD_EOP; rxd[1].errors = 0x80;
    CHECK(e1000_rx_peek(&rx, &idx, &len, &good) && idx == 0 && len == 60 && good);
    CHECK(e1000_rx_recycle(&rx) == 0 && rxd[0].status == 0 && rx.next == 1);
    CHECK(e1000_rx_peek(&rx, &idx, &len, &good) && idx == 1 && !good);
    CHECK(e1000_rx_recycle(&rx) == 1);
    /* a frame spanning descriptors (no EOP) is not good */
    rxd[2].length = 2048; rxd[2].status = E1000_RXD_DD;
    CHECK(e1000_rx_peek(&rx, &idx, &len, &good) && !good);
    e1000_rx_recycle(&rx);
    /* runt */
    rxd[3].length = 10; rxd[3].status = E1000_RXD_DD | E1000_RXD_EOP;
    CHECK(e1000_rx_peek(&rx, &idx, &len, &good) && !good);
    /* wrap */
    for (int i = 3; i < N; i++)
        e1000_rx_recycle(&rx);
    CHECK(rx.next == 0);

    struct e1000_tx tx;
    e1000_tx_init(&tx, txd, N);
    CHECK(e1000_tx_free(&tx) == N - 1);
    int ok = 1;
    for (int i = 0; i < N - 1; i++)
        ok &= e1000_tx_put(&tx, 0x1000u * i, 100) == i;
    CHECK(ok);
    CHECK(e1000_tx_put(&tx, 0, 100) == -1);          /* full: one slot stays empty */
    CHECK(tx.tail == N - 1);
    CHECK(txd[0].cmd == (E1000_TXD_EOP | E1000_TXD_IFCS | E1000_TXD_RS) && txd[0].length == 100);
    CHECK(e1000_tx_reclaim(&tx) == 0);               /* device has not sent yet */
    txd[0].status = E1000_TXD_DD;
    txd[1].status = E1000_TXD_DD;
    txd[3].status = E1000_TXD_DD;                    /* out of order: stops at 2 */
    CHECK(e1000_tx_reclaim(&tx) == 2 && tx.clean == 2);
    CHECK(e1000_tx_free(&tx) == 2);
    CHECK(e1000_tx_put(&tx, 0x9000, 60) == N - 1);
    CHECK(e1000_tx_put(&tx, 0xa000, 60) == 0);        /* wrapped */
    CHECK(e1000_tx_put(&tx, 0xb000, 60) == -1);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
