/* DHCPDISCOVER frames and DHCP reply parsing (RFC 2131/2132) over
 * Ethernet + IPv4 + UDP, with real checksums. */
#include <anx/lib.h>
#include "dhcp.h"

#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define BOOTP_LEN 300          /* minimum BOOTP message length */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t sum16(const void *data, size_t len, uint32_t sum)
{
    const uint8_t *p = data;
    for (; len > 1; p += 2, len -= 2)
        sum += get16(p);
    if (len)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t nic_inet_checksum(const void *data, size_t len, uint32_t sum)
{
    return fold(sum16(data, len, sum));
}

/* UDP checksum over the pseudo-header and the datagram (its checksum
 * field included: 0 when building, the value when verifying). */
static uint16_t udp_checksum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
    uint32_t s = sum16(ip + 12, 8, 0);      /* source + destination */
    s += 17 + (uint32_t)ulen;
    return nic_inet_checksum(udp, ulen, s);
}

size_t nic_dhcp_build_discover(uint8_t *out, const uint8_t mac[6], uint32_t xid)
{
    memset(out, 0, DHCP_FRAME_MAX);
    uint8_t *eth = out, *ip = eth + ETH_HLEN, *udp = ip + IP_HLEN, *bp = udp + UDP_HLEN;
    memset(eth, 0xff, 6);
    memcpy(eth + 6, mac, 6);
    put16(eth + 12, 0x0800);

    /* BOOTP */
    bp[0] = 1;                  /* BOOTREQUEST */
    bp[1] = 1;                  /* Ethernet */
    bp[2] = 6;
    put32(bp + 4, xid);
    put16(bp + 10, 0x8000);     /* broadcast replies */
    memcpy(bp + 28, mac, 6);
    uint8_t *o = bp + 236;
    put32(o, 0x63825363);       /* magic cookie */
    o += 4;
    *o++ = 53; *o++ = 1; *o++ = 1;                 /* DHCPDISCOVER */
    *o++ = 61; *o++ = 7; *o++ = 1;                 /* client id: type 1 + mac */
    memcpy(o, mac, 6);
    o += 6;
    *o++ = 55; *o++ = 3; *o++ = 1; *o++ = 3; *o++ = 6;   /* mask, router, dns */
    *o++ = 255;
    size_t blen = (size_t)(o - bp);
    if (blen < BOOTP_LEN)
        blen = BOOTP_LEN;

    size_t ulen = UDP_HLEN + blen;
    put16(udp, 68);
    put16(udp + 2, 67);
    put16(udp + 4, (uint16_t)ulen);

    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IP_HLEN + ulen));
    put16(ip + 4, (uint16_t)xid);
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);   /* 255.255.255.255, source 0.0.0.0 */
    put16(ip + 10, nic_inet_checksum(ip, IP_HLEN, 0));

    uint16_t c = udp_checksum(ip, udp, ulen);
    put16(udp + 6, c ? c : 0xffff);
    return ETH_HLEN + IP_HLEN + ulen;
}

int nic_dhcp_parse_reply(const uint8_t *f, size_t len, uint32_t xid, struct dhcp_offer *out)
{
    if (len < ETH_HLEN + IP_HLEN || get16(f + 12) != 0x0800)
        return -1;
    const uint8_t *ip = f + ETH_HLEN;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    if ((ip[0] >> 4) != 4 || ihl < IP_HLEN || len < ETH_HLEN + ihl || ip[9] != 17)
        return -1;
    if (nic_inet_checksum(ip, ihl, 0) != 0)
        return -1;
    size_t tot = get16(ip + 2);
    if (tot < ihl + UDP_HLEN || ETH_HLEN + tot > len || (get16(ip + 6) & 0x3fff))
        return -1;                          /* short, or a fragment */
    const uint8_t *udp = ip + ihl;
    size_t ulen = get16(udp + 4);
    if (ulen < UDP_HLEN + 240 || ulen > tot - ihl)
        return -1;
    if (get16(udp) != 67 || get16(udp + 2) != 68)
        return -1;
    if (get16(udp + 6) != 0 && udp_checksum(ip, udp, ulen) != 0)
        return -1;
    const uint8_t *bp = udp + UDP_HLEN;
    size_t blen = ulen - UDP_HLEN;
    if (bp[0] != 2 || get32(bp + 4) != xid || get32(bp + 236) != 0x63825363)
        return -1;
    struct dhcp_offer o = { 0, get32(bp + 16), get32(ip + 12) };
    for (size_t i = 240; i < blen;) {
        uint8_t code = bp[i];
        if (code == 255)
            break;
        if (code == 0) {
            i++;
            continue;
        }
        if (i + 2 > blen || i + 2 + bp[i + 1] > blen)
            return -1;
        uint8_t l = bp[i + 1];
        const uint8_t *v = bp + i + 2;
        if (code == 53 && l == 1)
            o.type = v[0];
        else if (code == 54 && l == 4)
            o.server = get32(v);
        i += 2 + (size_t)l;
    }
    if (!o.type)
        return -1;
    *out = o;
    return 0;
}
