/* The hardware watchdog: QEMU's i6300esb (Intel 6300ESB, PCI 8086:25ab),
 * armed once every module's init is done and fed only while threads make
 * progress, so a wedged image is reset by the machine (docs/watchdog.md).
 *
 * Feeding. Threads are cooperative: a thread that never yields keeps every
 * other thread, the idle loop and the poll hooks from running. The feeds
 * come from exactly those: a feeder thread that wakes every quarter of
 * the timeout, and a poll hook (the idle loop and every anx_yield) that
 * feeds when a quarter has passed. Never from an interrupt handler or a
 * timer callback: the timer interrupt keeps coming while a thread spins
 * with interrupts on, so it would feed a wedged image.
 *
 * The registers and the arithmetic are in esb.h / esb.c. */
#define LOG_TAG "watchdog"
#include <anx/command.h>
#include <anx/dev.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "esb.h"

struct wdog {
    struct anx_device *dev;
    volatile uint8_t *regs;         /* BAR 0 */
    uint32_t preload;               /* ticks per stage */
    uint64_t interval_ns;           /* feed period */
    bool was_reset;                 /* the last boot ended by the watchdog */
    bool armed;
    uint64_t last_feed_ns;
    uint64_t feeds;
};

static struct wdog wd;

/* ---- registers ------------------------------------------------------- */

static void reg_write8(unsigned off, uint8_t v) { *(volatile uint8_t *)(wd.regs + off) = v; }
static void reg_write16(unsigned off, uint16_t v) { *(volatile uint16_t *)(wd.regs + off) = v; }
static void reg_write32(unsigned off, uint32_t v) { *(volatile uint32_t *)(wd.regs + off) = v; }
static uint16_t reg_read16(unsigned off) { return *(volatile uint16_t *)(wd.regs + off); }

/* Unlock, then one write of the BAR register: the sequence must not be
 * split, hence interrupts off around it. */
static void unlocked_write(unsigned off, uint32_t v, unsigned size)
{
    unsigned long f = plat_irq_save();
    reg_write8(ESB_RELOAD, ESB_UNLOCK1);
    reg_write8(ESB_RELOAD, ESB_UNLOCK2);
    if (size == 2)
        reg_write16(off, (uint16_t)v);
    else
        reg_write32(off, v);
    plat_irq_restore(f);
}

static void feed(uint64_t now)
{
    unlocked_write(ESB_RELOAD, ESB_RELOAD_FEED, 2);
    wd.last_feed_ns = now;
    wd.feeds++;
}

/* Feed when a quarter of the timeout has passed since the last feed. */
static void feed_if_due(void)
{
    if (!wd.armed)
        return;
    uint64_t now = anx_time_ns();
    if (now - wd.last_feed_ns >= wd.interval_ns)
        feed(now);
}

/* ---- feeders --------------------------------------------------------- */

/* Runs only when the scheduler gets to it, i.e. while threads yield. */
static void feeder_thread(void *arg)
{
    (void)arg;
    for (;;) {
        feed_if_due();
        anx_sleep_ns(wd.interval_ns);
    }
}

static void feeder_poll(void *arg)
{
    (void)arg;
    feed_if_due();
}

static struct anx_poll_hook feeder_hook = {.fn = feeder_poll};

/* ---- commands -------------------------------------------------------- */

/* "10 s", or "1500 ms" for a timeout of no whole seconds. */
static void print_duration(const char *label, uint64_t ns)
{
    if (ns % ANX_NS_PER_S == 0)
        anx_printf("%s%llu s", label, (unsigned long long)(ns / ANX_NS_PER_S));
    else
        anx_printf("%s%llu ms", label, (unsigned long long)(ns / ANX_NS_PER_MS));
}

static void print_status(void)
{
    anx_printf("watchdog: i6300esb at %s", wd.dev->name);
    print_duration(", timeout ", CONFIG_WATCHDOG_TIMEOUT);
    anx_printf(" (2 stages of %u ticks: resets %llu ms after the last feed), %s\n", (unsigned)wd.preload,
               (unsigned long long)(watchdog_esb_timeout_ns(wd.preload) / ANX_NS_PER_MS),
               wd.armed ? "armed" : "not armed yet");
    anx_printf("last feed %llu ms ago, %llu feeds, every %llu ms\n",
               (unsigned long long)((anx_time_ns() - wd.last_feed_ns) / ANX_NS_PER_MS),
               (unsigned long long)wd.feeds, (unsigned long long)(wd.interval_ns / ANX_NS_PER_MS));
    anx_printf("last boot: %s\n", wd.was_reset ? "reset by the watchdog" : "not reset by the watchdog");
}

/* Wedge the image on purpose: spin without yielding, so nothing feeds. */
static _Noreturn void hang(bool irqs_on)
{
    anx_printf("watchdog: hanging with interrupts %s; the machine resets in about %llu ms\n",
               irqs_on ? "on" : "off",
               (unsigned long long)(watchdog_esb_timeout_ns(wd.preload) / ANX_NS_PER_MS));
    if (!irqs_on)
        plat_irq_disable();
    for (volatile unsigned long spins = 0;; spins++)
        ;
}

static int cmd_watchdog(int argc, char **argv)
{
    if (argc == 1 || (argc == 2 && !strcmp(argv[1], "status"))) {
        print_status();
        return 0;
    }
    if (!strcmp(argv[1], "hang") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "irqs-on")))) {
        if (!wd.armed) {
            anx_printf("watchdog: not armed yet; nothing would reset the machine\n");
            return 1;
        }
        hang(argc == 3);
    }
    anx_printf("usage: watchdog [status] | watchdog hang [irqs-on]\n");
    return 1;
}

static struct anx_command watchdog_cmd = {
    .name = "watchdog",
    .summary = "Show the hardware watchdog; 'hang' wedges the image on purpose (tests)",
    .usage = "watchdog [status] | watchdog hang [irqs-on]",
    .fn = cmd_watchdog,
};

/* ---- driver ----------------------------------------------------------- */

static int esb_probe(const struct anx_driver *drv, struct anx_device *dev)
{
    (void)drv;
    if (wd.dev)
        return ANX_EEXIST;          /* one watchdog is enough */
    void *regs = anx_pci_map_bar(dev, 0);
    if (!regs) {
        log_error("%s: its register BAR 0 is not assigned", dev->name);
        return ANX_EIO;
    }
    anx_pci_enable(dev);
    wd.dev = dev;
    wd.regs = regs;
    wd.preload = watchdog_esb_preload(CONFIG_WATCHDOG_TIMEOUT);
    wd.interval_ns = watchdog_feed_interval_ns(CONFIG_WATCHDOG_TIMEOUT);
    wd.was_reset = watchdog_esb_timed_out(reg_read16(ESB_RELOAD));
    /* Reset on timeout, the slow scale, and no stage-1 event (QEMU has
     * none to raise and would complain on stderr about an IRQ). */
    anx_pci_write_sized(dev, ESB_CONFIG_REG, ESB_CONFIG_INT_NONE, 2);
    unlocked_write(ESB_TIMER1, wd.preload, 4);
    unlocked_write(ESB_TIMER2, wd.preload, 4);
    /* Clear the timed-out flag, so the next boot tells about its own end. */
    unlocked_write(ESB_RELOAD, ESB_RELOAD_TIMED_OUT, 2);
    return 0;
}

static const struct anx_device_id esb_ids[] = {
    {ANX_BUS_PCI, ESB_PCI_VENDOR, ESB_PCI_DEVICE},
    {0},
};

static struct anx_driver esb_driver = {.name = "watchdog", .ids = esb_ids, .probe = esb_probe};

static int watchdog_init(void)
{
    int n = anx_driver_register(&esb_driver);
    if (n < 0)
        return n;
    if (!wd.dev) {
        log_error("no i6300esb watchdog on PCI (8086:25ab): start QEMU with -device i6300esb "
                  "(anx run and anx test add it)");
        return ANX_ENOENT;
    }
    if (wd.was_reset)
        log_info("the last boot was reset by the watchdog");
    return anx_command_register(&watchdog_cmd);
}

/* Armed after every module's init: a long init (a model loaded without
 * yielding) must not reset the machine before it is up. */
static void watchdog_start(void)
{
    if (!anx_thread_create("watchdog", feeder_thread, NULL, 0)) {
        anx_module_fail("watchdog", ANX_ENOMEM, "cannot start the feeder thread, so the watchdog stays off");
        return;
    }
    anx_poll_register(&feeder_hook);
    wd.last_feed_ns = anx_time_ns();
    wd.armed = true;
    /* The enable bit starts stage 1 from the preload: the first feed. */
    anx_pci_write_sized(wd.dev, ESB_LOCK_REG, ESB_LOCK_ENABLE, 1);
    if (CONFIG_WATCHDOG_TIMEOUT % ANX_NS_PER_S == 0)
        log_info("i6300esb at %s, timeout %llu s", wd.dev->name,
                 (unsigned long long)(CONFIG_WATCHDOG_TIMEOUT / ANX_NS_PER_S));
    else
        log_info("i6300esb at %s, timeout %llu ms", wd.dev->name,
                 (unsigned long long)(CONFIG_WATCHDOG_TIMEOUT / ANX_NS_PER_MS));
}

ANX_MODULE(watchdog, .init = watchdog_init, .start = watchdog_start);
