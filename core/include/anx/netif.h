/*
 * The network interface registry: NIC drivers (virtio-net, e1000 ...)
 * register an interface; the TCP/IP stack (the net module) attaches to
 * every interface that appears. Neither side knows the other's headers.
 *
 * Frames are plain Ethernet frames without the FCS. Receive: the driver
 * calls anx_netif_input() from thread context (its receive thread, woken by
 * its interrupt handler), never from an interrupt handler; the stack copies
 * what it keeps. Transmit: the stack calls ops->transmit(), which copies the
 * frame into the device's ring or returns -1 when the ring is full.
 */
#ifndef ANX_NETIF_H
#define ANX_NETIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct anx_netif;

struct anx_netif_ops {
    /* Queue one frame for sending; 0 on success, -1 if the ring is full
     * (the stack drops or retries), never blocks. */
    int (*transmit)(struct anx_netif *nif, const void *frame, size_t len);
};

struct anx_netif_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped;
    uint64_t tx_packets, tx_bytes, tx_dropped;
    uint64_t interrupts;
};

struct anx_netif {
    /* filled by the driver before anx_netif_register() */
    const char *driver;               /* "virtio-net" */
    uint8_t mac[6];
    uint16_t mtu;                     /* payload bytes, usually 1500 */
    bool link_up;
    const struct anx_netif_ops *ops;
    void *priv;                       /* the driver's state */

    /* set by the registry and the stack */
    char name[8];                     /* "eth0", "eth1" ... */
    void (*input)(struct anx_netif *nif, const void *frame, size_t len);
    void *stack;                      /* the stack's per-interface state */
    struct anx_netif_stats stats;
    struct anx_netif *next;           /* private */
};

/* Driver side: add an interface (named in registration order). 0, or
 * ANX_EINVAL (<anx/errno.h>) without ops->transmit. */
int anx_netif_register(struct anx_netif *nif);

/* Driver side: hand one received frame to the stack (drops it, counting
 * rx_dropped, when no stack is attached). */
void anx_netif_input(struct anx_netif *nif, const void *frame, size_t len);

/* Stack side: called for every interface registered so far and every one
 * registered later. One listener (the stack) at a time. */
void anx_netif_set_listener(void (*added)(struct anx_netif *nif));

/* Iteration for shell commands and the API. */
struct anx_netif *anx_netif_first(void);
struct anx_netif *anx_netif_next(struct anx_netif *nif);
struct anx_netif *anx_netif_find(const char *name);

#endif
