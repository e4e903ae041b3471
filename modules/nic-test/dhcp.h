/* A DHCP DISCOVER builder and OFFER parser over raw Ethernet frames (the
 * nic-test module's; no I/O, host-tested in tests/). */
#ifndef NIC_TEST_DHCP_H
#define NIC_TEST_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_FRAME_MAX 600

/* Internet checksum (RFC 1071) of len bytes, starting from sum. */
uint16_t nic_inet_checksum(const void *data, size_t len, uint32_t sum);

/* Build a broadcast DHCPDISCOVER from mac with transaction id xid into
 * out (>= DHCP_FRAME_MAX bytes). Returns the frame length. */
size_t nic_dhcp_build_discover(uint8_t *out, const uint8_t mac[6], uint32_t xid);

struct dhcp_offer {
    uint8_t type;           /* DHCP message type (2 = OFFER, 5 = ACK ...) */
    uint32_t yiaddr;        /* offered address, host order */
    uint32_t server;        /* option 54 (server id) or the IP source, host order */
};

/* Parse frame as a DHCP reply to xid: Ethernet/IPv4/UDP 67->68 with
 * valid IPv4 and UDP checksums. 0 and *o filled, or -1. */
int nic_dhcp_parse_reply(const uint8_t *frame, size_t len, uint32_t xid, struct dhcp_offer *o);

#endif
