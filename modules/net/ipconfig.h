/* The net module's configuration parsing (pure functions, host-tested). */
#ifndef ANX_NET_IPCONFIG_H
#define ANX_NET_IPCONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* Addresses are host byte order here: 10.0.2.15 is 0x0a00020f. */

/* "a.b.c.d" with each part 0..255 in decimal, nothing else. 0 or -1. */
int net_parse_ipv4(const char *s, uint32_t *addr);

/* "a.b.c.d/N" (N 0..32). "a.b.c.d" alone means /32 only when
 * allow_bare is true. 0 or -1. */
int net_parse_cidr(const char *s, uint32_t *addr, int *prefix, bool allow_bare);

/* The netmask of a prefix length: 24 -> 0xffffff00. */
uint32_t net_prefix_mask(int prefix);

struct net_config {
    bool dhcp;
    uint32_t addr, mask, gateway, dns;   /* static only; 0 when unset */
    int prefix;
};

/* Parses the module's keys (ipv4: "dhcp" or CIDR, gateway and dns: "" or
 * an address). Returns 0, or -1 with a message in err. */
int net_config_parse(const char *ipv4, const char *gateway, const char *dns, struct net_config *c,
                     char *err, int errlen);

/* "10.0.2.15" into buf (at least 16 bytes). */
void net_format_ipv4(uint32_t addr, char *buf);

#endif
