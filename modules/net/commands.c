/*
 * Shell commands of the net module: ifconfig, ping HOST [COUNT], netstat.
 */
#define LOG_TAG "net"
#include "ipconfig.h"
#include "net.h"
#include "netpriv.h"

#include "lwip/api.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "lwip/udp.h"

#include <anx/command.h>
#include <anx/lib.h>
#include <anx/printf.h>
#include <anx/time.h>

/* ---- ifconfig ------------------------------------------------------------ */

static int cmd_ifconfig(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (!net_ifs) {
        anx_printf("no interface\n");
        return 1;
    }
    LOCK_TCPIP_CORE();
    for (struct net_if *ni = net_ifs; ni; ni = ni->next) {
        struct anx_netif *nif = ni->nif;
        struct netif *lw = &ni->lw;
        char a[16], m[16], g[16];
        ip4addr_ntoa_r(netif_ip4_addr(lw), a, sizeof a);
        ip4addr_ntoa_r(netif_ip4_netmask(lw), m, sizeof m);
        ip4addr_ntoa_r(netif_ip4_gw(lw), g, sizeof g);
        anx_printf("%s: %s mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u %s%s\n", nif->name, nif->driver ? nif->driver : "?",
                   nif->mac[0], nif->mac[1], nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5], lw->mtu,
                   netif_is_up(lw) ? "up" : "down", netif_is_link_up(lw) ? "" : " no-link");
        const char *how = "static";
        if (ni->dhcp)
            how = dhcp_supplied_address(lw) ? "dhcp" : "dhcp, waiting";
        anx_printf("    inet %s netmask %s gateway %s (%s)\n", a, m, g, how);
        anx_printf("    rx %llu packets %llu bytes %llu dropped; tx %llu packets %llu bytes %llu dropped\n",
                   (unsigned long long)nif->stats.rx_packets, (unsigned long long)nif->stats.rx_bytes,
                   (unsigned long long)nif->stats.rx_dropped, (unsigned long long)nif->stats.tx_packets,
                   (unsigned long long)nif->stats.tx_bytes, (unsigned long long)nif->stats.tx_dropped);
    }
    for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
        const ip_addr_t *d = dns_getserver(i);
        if (!ip_addr_isany(d)) {
            char s[16];
            ipaddr_ntoa_r(d, s, sizeof s);
            anx_printf("dns %s\n", s);
        }
    }
    UNLOCK_TCPIP_CORE();
    return 0;
}

/* ---- ping ------------------------------------------------------------------ */

#define PING_DATA 56

struct ping {
    sys_sem_t got;
    u16_t id, seq;
    ip_addr_t target;
    bool replied;
    u8_t ttl;
    u16_t bytes;
};

/* Raw ICMP receive (core lock held): keeps only our echo replies. */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    struct ping *pg = arg;
    (void)pcb;
    struct ip_hdr iph;
    struct icmp_echo_hdr echo;
    if (p->tot_len < sizeof iph || pbuf_copy_partial(p, &iph, sizeof iph, 0) != sizeof iph)
        return 0;
    u16_t hlen = (u16_t)(IPH_HL(&iph) * 4);
    if (p->tot_len < hlen + sizeof echo || pbuf_copy_partial(p, &echo, sizeof echo, hlen) != sizeof echo)
        return 0;
    if (echo.type != ICMP_ER || echo.id != pg->id || lwip_ntohs(echo.seqno) != pg->seq ||
        !ip_addr_cmp(addr, &pg->target))
        return 0;
    pg->replied = true;
    pg->ttl = IPH_TTL(&iph);
    pg->bytes = (u16_t)(p->tot_len - hlen);
    pbuf_free(p);
    sys_sem_signal(&pg->got);
    return 1;
}

static err_t ping_send(struct raw_pcb *pcb, struct ping *pg)
{
    u16_t len = sizeof(struct icmp_echo_hdr) + PING_DATA;
    struct pbuf *p = pbuf_alloc(PBUF_IP, len, PBUF_RAM);
    if (!p)
        return ERR_MEM;
    struct icmp_echo_hdr *e = p->payload;
    ICMPH_TYPE_SET(e, ICMP_ECHO);
    ICMPH_CODE_SET(e, 0);
    e->chksum = 0;
    e->id = pg->id;
    e->seqno = lwip_htons(pg->seq);
    uint8_t *data = (uint8_t *)(e + 1);
    for (int i = 0; i < PING_DATA; i++)
        data[i] = (uint8_t)i;
    e->chksum = inet_chksum(e, len);
    err_t err = raw_sendto(pcb, p, &pg->target);
    pbuf_free(p);
    return err;
}

static int cmd_ping(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        anx_printf("usage: ping HOST [COUNT]\n");
        return 1;
    }
    long count = 4;
    if (argc == 3) {
        char *end;
        count = strtol(argv[2], &end, 10);
        if (*end || count < 1 || count > 100000) {
            anx_printf("ping: bad count '%s'\n", argv[2]);
            return 1;
        }
    }
    /* Right after boot DHCP may still be running: give it a few seconds. */
    if (!net_wait_up(0)) {
        anx_printf("ping: waiting for an address\n");
        if (!net_wait_up(10 * ANX_NS_PER_S)) {
            anx_printf("ping: no interface has an address\n");
            return 1;
        }
    }
    struct ping pg;
    memset(&pg, 0, sizeof pg);
    uint32_t a;
    if (net_parse_ipv4(argv[1], &a) == 0) {
        ip_addr_set_ip4_u32(&pg.target, lwip_htonl(a));
    } else {
        err_t e = netconn_gethostbyname(argv[1], &pg.target);
        if (e != ERR_OK) {
            anx_printf("ping: cannot resolve %s (%s)\n", argv[1],
                       e == ERR_VAL ? "no such name" : e == ERR_ARG ? "no DNS server or bad name" : "DNS error");
            return 1;
        }
    }
    char ts[16];
    ipaddr_ntoa_r(&pg.target, ts, sizeof ts);
    sys_sem_new(&pg.got, 0);
    pg.id = (u16_t)net_rand();
    LOCK_TCPIP_CORE();
    struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
    if (pcb) {
        raw_recv(pcb, ping_recv, &pg);
        raw_bind(pcb, IP_ADDR_ANY);
    }
    UNLOCK_TCPIP_CORE();
    if (!pcb) {
        anx_printf("ping: out of raw PCBs\n");
        return 1;
    }
    anx_printf("PING %s (%s): %d data bytes\n", argv[1], ts, PING_DATA);
    long sent = 0, received = 0;
    uint64_t min = UINT64_MAX, max = 0, sum = 0;
    for (long i = 0; i < count; i++) {
        pg.seq = (u16_t)(i + 1);
        pg.replied = false;
        uint64_t t0 = anx_time_ns();
        LOCK_TCPIP_CORE();
        err_t e = ping_send(pcb, &pg);
        UNLOCK_TCPIP_CORE();
        if (e != ERR_OK) {
            anx_printf("ping: send failed (lwIP error %d)\n", (int)e);
        } else {
            sent++;
            uint64_t deadline = t0 + ANX_NS_PER_S;
            while (!pg.replied) {
                uint64_t now = anx_time_ns();
                if (now >= deadline || sys_arch_sem_wait(&pg.got, (u32_t)((deadline - now) / ANX_NS_PER_MS) + 1) ==
                                           SYS_ARCH_TIMEOUT)
                    break;
            }
            if (pg.replied) {
                uint64_t us = (anx_time_ns() - t0) / ANX_NS_PER_US;
                received++;
                sum += us;
                min = ANX_MIN(min, us);
                max = ANX_MAX(max, us);
                anx_printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%llu.%03llu ms\n", pg.bytes, ts, pg.seq,
                           pg.ttl, (unsigned long long)(us / 1000), (unsigned long long)(us % 1000));
            } else {
                anx_printf("no reply from %s: icmp_seq=%u\n", ts, pg.seq);
            }
        }
        if (i + 1 < count) {
            uint64_t next = t0 + ANX_NS_PER_S, now = anx_time_ns();
            if (now < next)
                anx_sleep_ns(next - now);
        }
    }
    LOCK_TCPIP_CORE();
    raw_remove(pcb);
    UNLOCK_TCPIP_CORE();
    sys_sem_free(&pg.got);
    anx_printf("--- %s ping statistics ---\n%ld packets transmitted, %ld received, %ld%% packet loss\n", argv[1], sent,
               received, sent ? (sent - received) * 100 / sent : 100);
    if (received) {
        uint64_t avg = sum / (uint64_t)received;
        anx_printf("rtt min/avg/max = %llu.%03llu/%llu.%03llu/%llu.%03llu ms\n", (unsigned long long)(min / 1000),
                   (unsigned long long)(min % 1000), (unsigned long long)(avg / 1000),
                   (unsigned long long)(avg % 1000), (unsigned long long)(max / 1000),
                   (unsigned long long)(max % 1000));
    }
    return received ? 0 : 1;
}

/* ---- netstat ---------------------------------------------------------------- */

static const char *const tcp_states[] = {"CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
                                         "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK", "TIME_WAIT"};

static void endpoint(char *buf, size_t n, const ip_addr_t *a, u16_t port)
{
    char s[16];
    if (ip_addr_isany(a))
        strlcpy(s, "*", sizeof s);
    else
        ipaddr_ntoa_r(a, s, sizeof s);
    if (port)
        snprintf(buf, n, "%s:%u", s, port);
    else
        snprintf(buf, n, "%s:*", s);
}

static void tcp_row(const struct tcp_pcb *pcb, unsigned *counts)
{
    char l[24], r[24];
    endpoint(l, sizeof l, &pcb->local_ip, pcb->local_port);
    endpoint(r, sizeof r, &pcb->remote_ip, pcb->remote_port);
    unsigned st = pcb->state < ANX_ARRAY_SIZE(tcp_states) ? pcb->state : 0;
    counts[st]++;
    anx_printf("tcp   %-22s %-22s %s\n", l, r, tcp_states[st]);
}

static int cmd_netstat(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    unsigned counts[ANX_ARRAY_SIZE(tcp_states)] = {0};
    unsigned udp = 0;
    LOCK_TCPIP_CORE();
    anx_printf("proto local                  remote                 state\n");
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
        char s[24];
        endpoint(s, sizeof s, &l->local_ip, l->local_port);
        counts[LISTEN]++;
        anx_printf("tcp   %-22s %-22s %s\n", s, "*:*", "LISTEN");
    }
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        tcp_row(p, counts);
    for (struct tcp_pcb *p = tcp_tw_pcbs; p; p = p->next)
        tcp_row(p, counts);
    for (struct udp_pcb *u = udp_pcbs; u; u = u->next) {
        char l[24], r[24];
        endpoint(l, sizeof l, &u->local_ip, u->local_port);
        endpoint(r, sizeof r, &u->remote_ip, u->remote_port);
        anx_printf("udp   %-22s %-22s\n", l, r);
        udp++;
    }
    anx_printf("tcp:");
    for (size_t i = 1; i < ANX_ARRAY_SIZE(tcp_states); i++)
        if (counts[i])
            anx_printf(" %u %s", counts[i], tcp_states[i]);
    anx_printf("%s; udp: %u\n", counts[LISTEN] || counts[ESTABLISHED] ? "" : " none", udp);
#if LWIP_STATS
    anx_printf("tcp segments: %u sent, %u received, %u dropped, %u checksum errors\n", (unsigned)lwip_stats.tcp.xmit,
               (unsigned)lwip_stats.tcp.recv, (unsigned)lwip_stats.tcp.drop, (unsigned)lwip_stats.tcp.chkerr);
    anx_printf("ip packets: %u sent, %u received, %u dropped; link: %u sent, %u received, %u dropped\n",
               (unsigned)lwip_stats.ip.xmit, (unsigned)lwip_stats.ip.recv, (unsigned)lwip_stats.ip.drop,
               (unsigned)lwip_stats.link.xmit, (unsigned)lwip_stats.link.recv, (unsigned)lwip_stats.link.drop);
#endif
    UNLOCK_TCPIP_CORE();
    return 0;
}

static struct anx_command ifconfig_cmd = {
    .name = "ifconfig", .summary = "Show network interfaces and addresses", .usage = "ifconfig", .fn = cmd_ifconfig,
};
static struct anx_command ping_cmd = {
    .name = "ping", .summary = "Send ICMP echo requests", .usage = "ping HOST [COUNT]", .fn = cmd_ping,
};
static struct anx_command netstat_cmd = {
    .name = "netstat", .summary = "Show TCP and UDP endpoints and counters", .usage = "netstat", .fn = cmd_netstat,
};

int net_commands_register(void)
{
    anx_command_register(&ifconfig_cmd);
    anx_command_register(&ping_cmd);
    return anx_command_register(&netstat_cmd);
}
