/* Test only: proves a NIC driver end to end without a TCP/IP stack. Waits
 * for the first network interface, sends a real DHCPDISCOVER and waits for
 * the OFFER of QEMU's user-mode network; `nicstat` prints the counters of
 * every interface. */
#define LOG_TAG "nic-test"
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/netif.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "dhcp.h"

#define XID 0x414e5854u          /* "ANXT" */

static struct anx_waitq offer_wait = ANX_WAITQ_INIT;
static struct dhcp_offer offer;
static bool got_offer;

/* rx thread context (the driver's): keep only the offer */
static void nic_input(struct anx_netif *nif, const void *frame, size_t len)
{
    (void)nif;
    struct dhcp_offer o;
    if (!got_offer && nic_dhcp_parse_reply(frame, len, XID, &o) == 0 && o.type == 2) {
        offer = o;
        got_offer = true;
        anx_waitq_wake_all(&offer_wait);
    }
}

static void ip_str(char *b, size_t n, uint32_t a)
{
    snprintf(b, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

static bool done;
static char result[96];
static struct anx_waitq done_wait = ANX_WAITQ_INIT;

static void finish(const char *line)
{
    strlcpy(result, line, sizeof result);
    anx_printf("%s\n", result);
    done = true;
    anx_waitq_wake_all(&done_wait);
    anx_thread_exit();
}

static void nic_thread(void *arg)
{
    (void)arg;
    struct anx_netif *nif;
    uint64_t deadline = anx_time_ns() + 10000000000ull;
    while (!(nif = anx_netif_first())) {
        if (anx_time_ns() > deadline) {
            finish("nic-test: no network interface");
        }
        anx_sleep_ms(10);
    }
    if (!nif->input)
        nif->input = nic_input;
    static uint8_t frame[DHCP_FRAME_MAX];
    size_t len = nic_dhcp_build_discover(frame, nif->mac, XID);
    for (int attempt = 0; attempt < 10 && !got_offer; attempt++) {
        if (nif->ops->transmit(nif, frame, len) != 0)
            log_warn("%s: transmit failed", nif->name);
        anx_wait_timeout(&offer_wait, 1000000000ull);
    }
    if (!got_offer) {
        snprintf(result, sizeof result, "nic-test: %s got no DHCP offer", nif->name);
        finish(result);
    }
    char a[16], s[16];
    ip_str(a, sizeof a, offer.yiaddr);
    ip_str(s, sizeof s, offer.server);
    char line[96];
    snprintf(line, sizeof line, "nic-test: %s got DHCP offer %s from %s", nif->name, a, s);
    finish(line);
}

static int cmd_nicstat(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    /* the DHCP exchange's outcome first (waiting for it up to 15 s), so a
     * boot test can check it without racing the first prompt */
    if (!done)
        anx_wait_timeout(&done_wait, 15000000000ull);
    anx_printf("%s\n", done ? result : "nic-test: DHCP exchange still running");
    if (!anx_netif_first())
        anx_printf("no network interfaces\n");
    for (struct anx_netif *n = anx_netif_first(); n; n = anx_netif_next(n)) {
        const struct anx_netif_stats *s = &n->stats;
        anx_printf("%s %s %02x:%02x:%02x:%02x:%02x:%02x link %s mtu %u\n", n->name, n->driver,
                   n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
                   n->link_up ? "up" : "down", n->mtu);
        anx_printf("  rx packets %llu bytes %llu dropped %llu\n", (unsigned long long)s->rx_packets,
                   (unsigned long long)s->rx_bytes, (unsigned long long)s->rx_dropped);
        anx_printf("  tx packets %llu bytes %llu dropped %llu\n", (unsigned long long)s->tx_packets,
                   (unsigned long long)s->tx_bytes, (unsigned long long)s->tx_dropped);
        anx_printf("  interrupts %llu\n", (unsigned long long)s->interrupts);
    }
    return 0;
}

static struct anx_command nicstat_cmd = {
    .name = "nicstat", .summary = "Per-interface packet counters", .usage = "nicstat",
    .fn = cmd_nicstat,
};

static int nic_test_init(void)
{
    return anx_command_register(&nicstat_cmd);
}

static void nic_test_start(void)
{
    anx_thread_create("nic-test", nic_thread, NULL, 0);
}

ANX_MODULE(nic_test, .init = nic_test_init, .start = nic_test_start);
