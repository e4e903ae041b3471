/* Host tests of the DHCP frame builder and reply parser (checksums). */
#include <stdio.h>
#include <string.h>
#include "dhcp.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* independent one's-complement sum */
static uint32_t rawsum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}
static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}
static void fix_checksums(uint8_t *f)
{
    uint8_t *ip = f + 14, *udp = ip + 20;
    size_t ulen = (size_t)(udp[4] << 8 | udp[5]);
    ip[10] = ip[11] = 0;
    uint16_t c = (uint16_t)~fold(rawsum(ip, 20));
    ip[10] = c >> 8; ip[11] = (uint8_t)c;
    udp[6] = udp[7] = 0;
    uint32_t s = rawsum(ip + 12, 8) + 17 + (uint32_t)ulen + rawsum(udp, ulen);
    c = (uint16_t)~fold(s);
    if (!c) c = 0xffff;
    udp[6] = c >> 8; udp[7] = (uint8_t)c;
}

/* turn our DISCOVER into the OFFER slirp would send */
static size_t make_offer(uint8_t *f, uint32_t xid)
{
    size_t len = nic_dhcp_build_discover(f, mac, xid);
    uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8;
    memcpy(ip + 12, (uint8_t[]){10, 0, 2, 2}, 4);
    udp[0] = 0; udp[1] = 67; udp[2] = 0; udp[3] = 68;
    bp[0] = 2;
    memcpy(bp + 16, (uint8_t[]){10, 0, 2, 15}, 4);
    uint8_t *o = bp + 240;
    memset(o, 0, 60);
    *o++ = 53; *o++ = 1; *o++ = 2;
    *o++ = 54; *o++ = 4; *o++ = 10; *o++ = 0; *o++ = 2; *o++ = 2;
    *o++ = 255;
    fix_checksums(f);
    return len;
}

int main(void)
{
    uint8_t f[DHCP_FRAME_MAX];
    size_t len = nic_dhcp_build_discover(f, mac, 0x11223344);
    CHECK(len == 14 + 20 + 8 + 300);
    CHECK(f[12] == 0x08 && f[13] == 0x00);
    CHECK(memcmp(f + 6, mac, 6) == 0 && f[0] == 0xff);
    const uint8_t *ip = f + 14, *udp = ip + 20, *bp = udp + 8;
    CHECK(fold(rawsum(ip, 20)) == 0xffff);                        /* IPv4 header checksum */
    size_t ulen = (size_t)(udp[4] << 8 | udp[5]);
    CHECK(ulen == 308 && (ip[2] << 8 | ip[3]) == 328);
    CHECK(fold(rawsum(ip + 12, 8) + 17 + (uint32_t)ulen + rawsum(udp, ulen)) == 0xffff);   /* UDP */
    CHECK(bp[0] == 1 && bp[236] == 0x63 && bp[239] == 0x63);
    CHECK(bp[240] == 53 && bp[242] == 1);
    CHECK(memcmp(bp + 28, mac, 6) == 0);
    CHECK(nic_inet_checksum(ip, 20, 0) == 0);

    /* our own DISCOVER is not a reply */
    struct dhcp_offer o;
    CHECK(nic_dhcp_parse_reply(f, len, 0x11223344, &o) == -1);

    len = make_offer(f, 0x11223344);
    CHECK(nic_dhcp_parse_reply(f, len, 0x11223344, &o) == 0);
    CHECK(o.type == 2 && o.yiaddr == 0x0a00020f && o.server == 0x0a000202);
    CHECK(nic_dhcp_parse_reply(f, len, 0x55555555, &o) == -1);        /* other xid */
    CHECK(nic_dhcp_parse_reply(f, 100, 0x11223344, &o) == -1);        /* truncated */
    f[14 + 20 + 8 + 20] ^= 1;                                     /* payload bit flip */
    CHECK(nic_dhcp_parse_reply(f, len, 0x11223344, &o) == -1);        /* UDP checksum */
    f[14 + 20 + 8 + 20] ^= 1;
    f[14 + 8] ^= 1;                                               /* TTL flip */
    CHECK(nic_dhcp_parse_reply(f, len, 0x11223344, &o) == -1);        /* IP checksum */
    f[14 + 8] ^= 1;
    /* UDP checksum 0 means "none" and is accepted */
    f[14 + 20 + 6] = f[14 + 20 + 7] = 0;
    CHECK(nic_dhcp_parse_reply(f, len, 0x11223344, &o) == 0);
    /* an option running past the end is rejected */
    make_offer(f, 1);
    uint8_t *opt = f + 14 + 20 + 8 + 240;
    opt[3] = 54; opt[4] = 200;
    fix_checksums(f);
    CHECK(nic_dhcp_parse_reply(f, len, 1, &o) == -1);
    /* every truncation of a valid offer is handled */
    len = make_offer(f, 7);
    int ok = 1;
    for (size_t l = 0; l < len; l++)
        ok &= nic_dhcp_parse_reply(f, l, 7, &o) == -1;
    CHECK(ok);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
