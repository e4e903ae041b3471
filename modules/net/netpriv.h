/* Shared between the net module's files (not for other modules). */
#ifndef ANX_NET_PRIV_H
#define ANX_NET_PRIV_H

#include "lwip/netif.h"
#include <anx/netif.h>
#include <stdbool.h>

/* The stack's state for one anx_netif (anx_netif.stack points here). */
struct net_if {
    struct netif lw;            /* lwIP's interface */
    struct anx_netif *nif;      /* the driver's */
    bool dhcp;
    struct net_if *next;
};

extern struct net_if *net_ifs;  /* in registration order */

/* ethif.c: lwIP's netif init function for an anx_netif (state = net_if). */
err_t net_ethif_init(struct netif *lw);
/* ethif.c: the anx_netif input hook (driver's receive thread). */
void net_ethif_input(struct anx_netif *nif, const void *frame, size_t len);

/* commands.c */
int net_commands_register(void);

#endif
