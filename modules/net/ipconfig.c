/*
 * Parsing of the net module's IPv4 configuration: dotted quads, CIDR
 * prefixes and the dhcp/static choice. No lwIP here, so the host unit
 * tests cover it (modules/net/tests/).
 */
#include "ipconfig.h"

#include <anx/lib.h>
#include <anx/printf.h>

int net_parse_ipv4(const char *s, uint32_t *addr)
{
    uint32_t a = 0;
    for (int part = 0; part < 4; part++) {
        if (part && *s++ != '.')
            return -1;
        if (!isdigit((unsigned char)*s))
            return -1;
        unsigned v = 0;
        int digits = 0;
        while (isdigit((unsigned char)*s)) {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        a = (a << 8) | v;
    }
    if (*s)
        return -1;
    *addr = a;
    return 0;
}

uint32_t net_prefix_mask(int prefix)
{
    if (prefix <= 0)
        return 0;
    if (prefix >= 32)
        return 0xffffffffu;
    return 0xffffffffu << (32 - prefix);
}

int net_parse_cidr(const char *s, uint32_t *addr, int *prefix, bool allow_bare)
{
    char buf[24];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (net_parse_ipv4(buf, addr))
        return -1;
    if (!slash) {
        if (!allow_bare)
            return -1;
        *prefix = 32;
        return 0;
    }
    const char *p = slash + 1;
    if (!isdigit((unsigned char)*p) || (p[1] && !isdigit((unsigned char)p[1])) || (p[1] && p[2]))
        return -1;
    int v = atoi(p);
    if (v > 32)
        return -1;
    *prefix = v;
    return 0;
}

int net_config_parse(const char *ipv4, const char *gateway, const char *dns, struct net_config *c,
                     char *err, int errlen)
{
    memset(c, 0, sizeof *c);
    if (!ipv4 || !*ipv4 || !strcmp(ipv4, "dhcp")) {
        c->dhcp = true;
    } else if (net_parse_cidr(ipv4, &c->addr, &c->prefix, false)) {
        snprintf(err, (size_t)errlen, "ipv4 '%s': expected 'dhcp' or an address with a prefix like 10.0.2.15/24",
                 ipv4);
        return -1;
    } else {
        c->mask = net_prefix_mask(c->prefix);
    }
    if (gateway && *gateway && net_parse_ipv4(gateway, &c->gateway)) {
        snprintf(err, (size_t)errlen, "gateway '%s': expected an address like 10.0.2.2", gateway);
        return -1;
    }
    if (dns && *dns && net_parse_ipv4(dns, &c->dns)) {
        snprintf(err, (size_t)errlen, "dns '%s': expected an address like 10.0.2.3", dns);
        return -1;
    }
    if (!c->dhcp && c->gateway && (c->gateway & c->mask) != (c->addr & c->mask)) {
        snprintf(err, (size_t)errlen, "gateway '%s' is outside %s", gateway, ipv4);
        return -1;
    }
    return 0;
}

void net_format_ipv4(uint32_t a, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16) & 255, (unsigned)(a >> 8) & 255,
             (unsigned)a & 255);
}
