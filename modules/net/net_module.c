/*
 * The net module: lwIP on the core's threads. init starts the tcpip thread
 * and listens for network interfaces; each interface the drivers register
 * is added to lwIP and configured — eth0 from the manifest (DHCP, or a
 * static address with gateway and DNS server), later ones by DHCP.
 */
#define LOG_TAG "net"
#include "net.h"
#include "ipconfig.h"
#include "netpriv.h"

#include "lwip/api.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"

#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

struct net_if *net_ifs;
static struct net_config config;
static bool stack_ready;
static struct anx_waitq up_wait = ANX_WAITQ_INIT;

bool net_ready(void)
{
    return stack_ready;
}

static uint32_t first_address(void)
{
    for (struct net_if *ni = net_ifs; ni; ni = ni->next)
        if (!ip4_addr_isany_val(*netif_ip4_addr(&ni->lw)))
            return ip4_addr_get_u32(netif_ip4_addr(&ni->lw));
    return 0;
}

uint32_t net_wait_up(uint64_t timeout_ns)
{
    uint64_t deadline = anx_time_ns() + timeout_ns;
    for (;;) {
        uint32_t a = first_address();
        if (a)
            return a;
        uint64_t now = anx_time_ns();
        if (now >= deadline)
            return 0;
        anx_wait_timeout(&up_wait, deadline - now);
    }
}

/* lwIP calls this (with the core lock held) when an address changes. */
static void status_changed(struct netif *lw)
{
    struct net_if *ni = lw->state;
    if (!netif_is_up(lw) || ip4_addr_isany_val(*netif_ip4_addr(lw)))
        return;
    char a[16], m[16], g[16];
    ip4addr_ntoa_r(netif_ip4_addr(lw), a, sizeof a);
    ip4addr_ntoa_r(netif_ip4_gw(lw), g, sizeof g);
    int prefix = 0;
    for (uint32_t v = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(lw))); v & 0x80000000u; v <<= 1)
        prefix++;
    (void)m;
    const ip_addr_t *dns = dns_getserver(0);
    char d[16] = "none";
    if (!ip_addr_isany(dns))
        ipaddr_ntoa_r(dns, d, sizeof d);
    log_info("%s %s/%d gateway %s dns %s (%s)", ni->nif->name, a, prefix, g, d, ni->dhcp ? "dhcp" : "static");
    anx_waitq_wake_all(&up_wait);
}

static void link_changed(struct netif *lw)
{
    (void)lw;
}

/* The registry's listener: a driver registered nif. */
static void interface_added(struct anx_netif *nif)
{
    struct net_if *ni = anx_calloc(1, sizeof *ni);
    if (!ni) {
        log_error("%s: out of memory", nif->name);
        return;
    }
    ni->nif = nif;
    bool first = net_ifs == NULL;
    ni->dhcp = first ? config.dhcp : true;
    ip4_addr_t addr, mask, gw;
    ip4_addr_set_zero(&addr);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    if (!ni->dhcp) {
        ip4_addr_set_u32(&addr, lwip_htonl(config.addr));
        ip4_addr_set_u32(&mask, lwip_htonl(config.mask));
        ip4_addr_set_u32(&gw, lwip_htonl(config.gateway));
    }
    LOCK_TCPIP_CORE();
    nif->stack = ni;
    if (!netif_add(&ni->lw, &addr, &mask, &gw, ni, net_ethif_init, tcpip_input)) {
        UNLOCK_TCPIP_CORE();
        nif->stack = NULL;
        log_error("%s: lwIP refused the interface", nif->name);
        anx_free(ni);
        return;
    }
    struct net_if **tail = &net_ifs;
    while (*tail)
        tail = &(*tail)->next;
    *tail = ni;
    nif->input = net_ethif_input;
    netif_set_hostname(&ni->lw, CONFIG_NET_HOSTNAME);
    netif_set_status_callback(&ni->lw, status_changed);
    netif_set_link_callback(&ni->lw, link_changed);
    if (first) {
        netif_set_default(&ni->lw);
        if (!ni->dhcp && config.dns) {
            ip_addr_t d;
            ip_addr_set_ip4_u32(&d, lwip_htonl(config.dns));
            dns_setserver(0, &d);
        }
    }
    netif_set_link_up(&ni->lw);
    netif_set_up(&ni->lw);
    if (ni->dhcp)
        dhcp_start(&ni->lw);
    UNLOCK_TCPIP_CORE();
    log_info("%s: attached, %s", nif->name, ni->dhcp ? "dhcp" : "static");
}

static int net_init(void)
{
    char err[128];
    if (net_config_parse(CONFIG_NET_IPV4, CONFIG_NET_GATEWAY, CONFIG_NET_DNS, &config, err, sizeof err)) {
        log_error("config: %s", err);
        return -22;
    }
    tcpip_init(NULL, NULL);
    stack_ready = true;
    net_commands_register();
    anx_netif_set_listener(interface_added);
    return 0;
}

static void net_start(void)
{
    if (!anx_netif_first()) {
        log_info("no interface");
        return;
    }
    if (CONFIG_NET_WAIT && !net_wait_up(CONFIG_NET_WAIT))
        log_warn("no address after %llu ms; going on without (DHCP keeps trying)",
                 (unsigned long long)(CONFIG_NET_WAIT / ANX_NS_PER_MS));
}

ANX_MODULE(net, .init = net_init, .start = net_start);

int net_write_all(struct netconn *nc, const void *data, size_t n)
{
    while (n) {
        size_t written = 0;
        err_t e = netconn_write_partly(nc, data, n, NETCONN_COPY, &written);
        if (e != ERR_OK && !written)
            return -1;
        data = (const char *)data + written;
        n -= written;
    }
    return 0;
}

struct netconn *net_listen_tcp(uint16_t port, int backlog, const char **why)
{
    struct netconn *l = netconn_new(NETCONN_TCP);
    if (!l) {
        *why = "out of memory";
        return NULL;
    }
    /* a restarted listener must not wait for the old one's TIME_WAIT */
    ip_set_option(l->pcb.ip, SOF_REUSEADDR);
    err_t e = netconn_bind(l, IP_ADDR_ANY, port);
    if (e == ERR_OK)
        e = netconn_listen_with_backlog(l, (u8_t)backlog);
    if (e != ERR_OK) {
        netconn_delete(l);
        *why = lwip_strerr(e);
        return NULL;
    }
    return l;
}

void net_accepted(struct netconn *nc, char *out, size_t n, bool with_port)
{
    ip_addr_t addr;
    u16_t port;
    char ip[IP4ADDR_STRLEN_MAX];
    if (netconn_peer(nc, &addr, &port) == ERR_OK && ip4addr_ntoa_r(ip_2_ip4(&addr), ip, sizeof ip)) {
        if (with_port)
            snprintf(out, n, "%s:%u", ip, (unsigned)port);
        else
            strlcpy(out, ip, n);
    } else {
        strlcpy(out, "-", n);
    }
    LOCK_TCPIP_CORE();
    if (nc->pcb.tcp)
        tcp_nagle_disable(nc->pcb.tcp);
    UNLOCK_TCPIP_CORE();
}
