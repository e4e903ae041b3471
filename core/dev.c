/* The device model: PCI and virtio-mmio enumeration, driver matching, the
 * `devices` command. See <anx/dev.h>. */
#define LOG_TAG "dev"
#include <anx/command.h>
#include <anx/dev.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/printf.h>

#define MAX_MMIO 32

static struct anx_device *devices, **devices_tail = &devices;
static struct anx_driver *drivers;
static bool scanned;

/* ---- PCI configuration access ----------------------------------------- */

uint32_t anx_pci_read32(const struct anx_device *dev, uint16_t off)
{
    return plat_pci_read32(dev->bdf, off & ~3u);
}

uint16_t anx_pci_read16(const struct anx_device *dev, uint16_t off)
{
    return (uint16_t)(anx_pci_read32(dev, off) >> ((off & 2) * 8));
}

uint8_t anx_pci_read8(const struct anx_device *dev, uint16_t off)
{
    return (uint8_t)(anx_pci_read32(dev, off) >> ((off & 3) * 8));
}

void anx_pci_write32(const struct anx_device *dev, uint16_t off, uint32_t val)
{
    plat_pci_write32(dev->bdf, off & ~3u, val);
}

void anx_pci_write16(const struct anx_device *dev, uint16_t off, uint16_t val)
{
    uint32_t v = anx_pci_read32(dev, off);
    unsigned sh = (off & 2) * 8;
    v = (v & ~(0xffffu << sh)) | (uint32_t)val << sh;
    anx_pci_write32(dev, off, v);
}

void anx_pci_write_sized(const struct anx_device *dev, uint16_t off, uint32_t val, unsigned size)
{
    plat_pci_write_sized(dev->bdf, off, val, size);
}

void anx_pci_enable(struct anx_device *dev)
{
    uint16_t cmd = anx_pci_read16(dev, 0x04);
    cmd |= 0x0007;          /* I/O space, memory space, bus master */
    cmd &= ~0x0400;         /* INTx not disabled */
    anx_pci_write16(dev, 0x04, cmd);
}

uint8_t anx_pci_find_cap(const struct anx_device *dev, uint8_t id, uint8_t after)
{
    if (dev->bus != ANX_BUS_PCI || !(anx_pci_read16(dev, 0x06) & 0x10))
        return 0;
    uint8_t off = after ? anx_pci_read8(dev, after + 1) : anx_pci_read8(dev, 0x34);
    for (int n = 0; n < 48 && off >= 0x40; n++) {
        off &= 0xfc;
        if (anx_pci_read8(dev, off) == id)
            return off;
        off = anx_pci_read8(dev, off + 1);
    }
    return 0;
}

void *anx_pci_map_bar(struct anx_device *dev, int i)
{
    if (i < 0 || i >= 6 || !dev->bar[i].size || dev->bar[i].io || !dev->bar[i].base)
        return NULL;
    return plat_map_mmio(dev->bar[i].base, dev->bar[i].size);
}

/* ---- PCI enumeration -------------------------------------------------- */

/* Size BAR i (and i+1 for a 64-bit one) with decoding off; returns the
 * number of slots it used. */
static int pci_size_bar(struct anx_device *d, int i)
{
    uint16_t off = 0x10 + 4 * i;
    uint32_t lo = anx_pci_read32(d, off);
    struct anx_bar *b = &d->bar[i];
    if (lo & 1) {
        anx_pci_write32(d, off, 0xffffffffu);
        uint32_t m = anx_pci_read32(d, off) & ~3u;
        anx_pci_write32(d, off, lo);
        m &= 0xffff;
        if (m) {
            b->io = true;
            b->base = lo & ~3u;
            b->size = (uint16_t)(~m + 1);
        }
        return 1;
    }
    bool is64 = ((lo >> 1) & 3) == 2 && i < 5;
    uint32_t hi = is64 ? anx_pci_read32(d, off + 4) : 0;
    anx_pci_write32(d, off, 0xffffffffu);
    uint64_t m = anx_pci_read32(d, off) & ~0xfu;
    anx_pci_write32(d, off, lo);
    if (is64) {
        anx_pci_write32(d, off + 4, 0xffffffffu);
        m |= (uint64_t)anx_pci_read32(d, off + 4) << 32;
        anx_pci_write32(d, off + 4, hi);
    } else {
        m |= 0xffffffff00000000ull;
    }
    if (m & 0xfffffff0u) {
        b->size = ~m + 1;
        b->base = ((uint64_t)hi << 32 | lo) & ~0xfull;
        b->mem64 = is64;
        b->prefetch = lo & 8;
    }
    return is64 ? 2 : 1;
}

/* BARs firmware left unassigned get addresses from a bump allocator over
 * the host bridge's windows (plat_pci_windows); with no windows the BARs
 * stay as firmware set them. */
#define MAX_WINDOWS 8
static struct plat_pci_window windows[MAX_WINDOWS];
static uint64_t window_next[MAX_WINDOWS];   /* next free PCI address */
static size_t nwindows;

/* The CPU address of a memory BAR at PCI address a: translated through the
 * window holding it (identity when none does, as on x86). */
static uint64_t pci_to_cpu(uint64_t a)
{
    for (size_t i = 0; i < nwindows; i++)
        if (!windows[i].io && a >= windows[i].pci_base && a - windows[i].pci_base < windows[i].size)
            return windows[i].cpu_base + (a - windows[i].pci_base);
    return a;
}

static void pci_assign_bar(struct anx_device *d, int i)
{
    struct anx_bar *b = &d->bar[i];
    if (!b->size)
        return;
    if (b->base) {
        if (!b->io)
            b->base = pci_to_cpu(b->base);
        return;
    }
    /* A window of the BAR's kind with room; 64-bit BARs prefer the high
     * window, 32-bit ones must stay below 4 GiB. */
    int best = -1;
    uint64_t at = 0;
    for (size_t w = 0; w < nwindows; w++) {
        const struct plat_pci_window *pw = &windows[w];
        if (pw->io != b->io || (pw->mem64 && !b->mem64))
            continue;
        uint64_t a = ANX_ALIGN_UP(window_next[w], b->size);
        if (a < window_next[w] || a + b->size > pw->pci_base + pw->size || a + b->size < a)
            continue;
        if (best < 0 || (b->mem64 && pw->mem64 && !windows[best].mem64)) {
            best = (int)w;
            at = a;
        }
    }
    if (best < 0) {
        if (nwindows)
            log_warn("%s: no room for BAR%d (%llu bytes)", d->name, i, (unsigned long long)b->size);
        return;
    }
    window_next[best] = at + b->size;
    b->base = b->io ? at : windows[best].cpu_base + (at - windows[best].pci_base);
    uint16_t off = 0x10 + 4 * i;
    uint32_t lo = anx_pci_read32(d, off);
    anx_pci_write32(d, off, (uint32_t)at | (lo & (b->io ? 3u : 0xfu)));
    if (b->mem64)
        anx_pci_write32(d, off + 4, (uint32_t)(at >> 32));
}

static void pci_scan_bus(unsigned bus, unsigned depth, int swz_slot);

/* `route_slot`: -1 on bus 0, else the slot on bus 0 the interrupt
 * finally arrives through and the accumulated pin rotation in bits 8+. */
static void pci_add(unsigned bus, unsigned slot, unsigned fn, unsigned depth, int route)
{
    uint16_t bdf = (uint16_t)(bus << 8 | slot << 3 | fn);
    struct anx_device *d = anx_calloc(1, sizeof *d);
    if (!d)
        return;
    d->bus = ANX_BUS_PCI;
    d->bdf = bdf;
    snprintf(d->name, sizeof d->name, "pci %02x:%02x.%x", bus, slot, fn);
    uint32_t id = anx_pci_read32(d, 0);
    d->vendor = id & 0xffff;
    d->device = id >> 16;
    uint32_t cls = anx_pci_read32(d, 0x08);
    d->class_code = cls >> 24;
    d->subclass = cls >> 16;
    d->prog_if = cls >> 8;
    d->revision = cls;
    uint8_t htype = anx_pci_read8(d, 0x0e) & 0x7f;
    d->irq = -1;
    uint32_t intr = anx_pci_read32(d, 0x3c);
    d->irq_pin = (intr >> 8) & 0xff;
    if (d->irq_pin > 4)
        d->irq_pin = 0;
    if (htype == 0) {
        uint32_t sub = anx_pci_read32(d, 0x2c);
        d->subsys_vendor = sub & 0xffff;
        d->subsys_device = sub >> 16;
        /* decoding off while sizing */
        uint16_t cmd = anx_pci_read16(d, 0x04);
        anx_pci_write16(d, 0x04, cmd & ~3u);
        for (int i = 0; i < 6;)
            i += pci_size_bar(d, i);
        for (int i = 0; i < 6; i++)
            pci_assign_bar(d, i);
        anx_pci_write16(d, 0x04, cmd);
        /* INTx behind bridges: the standard swizzle (PCI-to-PCI Bridge
         * Architecture 1.2, 9.1) rotates the pin by the slot at each bridge
         * until it reaches a bus-0 slot, which the board routes. */
        if (d->irq_pin) {
            if (route < 0) {
                d->irq = plat_pci_intx_irq(slot, d->irq_pin);
            } else {
                unsigned rot = (unsigned)route >> 8, s0 = route & 0xff;
                unsigned pin = (d->irq_pin - 1 + slot + rot) % 4 + 1;
                d->irq = plat_pci_intx_irq(s0, pin);
            }
        }
    }
    *devices_tail = d;
    devices_tail = &d->next;
    if (htype == 1 && depth < 8) {          /* PCI-to-PCI bridge */
        uint32_t buses = anx_pci_read32(d, 0x18);
        unsigned sec = (buses >> 8) & 0xff;
        if (sec > bus) {
            int r = route < 0 ? (int)slot : (int)((route & 0xff) | (((unsigned)(route >> 8) + slot) % 4) << 8);
            pci_scan_bus(sec, depth + 1, r);
        }
    }
}

static void pci_scan_bus(unsigned bus, unsigned depth, int route)
{
    for (unsigned slot = 0; slot < 32; slot++) {
        uint16_t bdf = (uint16_t)(bus << 8 | slot << 3);
        if ((plat_pci_read32(bdf, 0) & 0xffff) == 0xffff)
            continue;
        unsigned nfn = (plat_pci_read32(bdf, 0x0c) >> 16 & 0x80) ? 8 : 1;
        for (unsigned fn = 0; fn < nfn; fn++) {
            if ((plat_pci_read32((uint16_t)(bdf | fn), 0) & 0xffff) == 0xffff)
                continue;
            pci_add(bus, slot, fn, depth, route);
        }
    }
}

/* ---- virtio-mmio ------------------------------------------------------ */

static void mmio_scan(void)
{
    struct plat_mmio_device m[MAX_MMIO];
    size_t n = plat_virtio_mmio_devices(m, MAX_MMIO);
    for (size_t i = 0; i < n; i++) {
        if (m[i].size < 0x100)
            continue;
        volatile uint32_t *r = plat_map_mmio(m[i].base, m[i].size);
        if (!r || r[0] != 0x74726976u)     /* "virt" */
            continue;
        uint32_t devid = r[2];
        if (devid == 0)                    /* empty slot */
            continue;
        struct anx_device *d = anx_calloc(1, sizeof *d);
        if (!d)
            return;
        d->bus = ANX_BUS_VIRTIO_MMIO;
        snprintf(d->name, sizeof d->name, "mmio %#llx", (unsigned long long)m[i].base);
        d->vendor = ANX_VIRTIO_VENDOR;
        d->device = (uint16_t)(0x1040 + devid);
        d->revision = (uint8_t)r[1];       /* transport version 1 or 2 */
        d->mmio_base = m[i].base;
        d->mmio_size = m[i].size;
        d->irq = m[i].irq;
        *devices_tail = d;
        devices_tail = &d->next;
    }
}

/* ---- shared interrupt lines ------------------------------------------ */

struct irq_action {
    int irq;
    void (*fn)(void *arg);
    void *arg;
    struct irq_action *next;
};
static struct irq_action *irq_actions;

static void irq_dispatch(void *arg)
{
    int irq = (int)(intptr_t)arg;
    for (struct irq_action *a = irq_actions; a; a = a->next)
        if (a->irq == irq)
            a->fn(a->arg);
}

int anx_dev_irq_register(struct anx_device *dev, void (*handler)(void *arg), void *arg)
{
    if (!dev || !handler)
        return ANX_EINVAL;
    if (dev->irq < 0)
        return ANX_ENOTSUP;
    struct irq_action *a = anx_calloc(1, sizeof *a);
    if (!a)
        return ANX_ENOMEM;
    a->irq = dev->irq;
    a->fn = handler;
    a->arg = arg;
    bool first = true;
    for (struct irq_action *b = irq_actions; b; b = b->next)
        first &= b->irq != dev->irq;
    unsigned long f = plat_irq_save();
    a->next = irq_actions;
    irq_actions = a;
    plat_irq_restore(f);
    if (first && plat_irq_register(dev->irq, irq_dispatch, (void *)(intptr_t)dev->irq) != 0) {
        f = plat_irq_save();
        irq_actions = a->next;
        plat_irq_restore(f);
        anx_free(a);
        return ANX_ENOTSUP;
    }
    return 0;
}

/* ---- registry --------------------------------------------------------- */

static int cmd_devices(int argc, char **argv);
static struct anx_command devices_cmd = {
    .name = "devices", .summary = "List the devices the buses found and their drivers",
    .usage = "devices", .fn = cmd_devices,
};

void anx_dev_scan(void)
{
    if (scanned)
        return;
    scanned = true;
    anx_command_register(&devices_cmd);
    if (plat_pci_present()) {
        nwindows = plat_pci_windows(windows, MAX_WINDOWS);
        for (size_t i = 0; i < nwindows; i++)
            window_next[i] = windows[i].pci_base;
        pci_scan_bus(0, 0, -1);
    }
    mmio_scan();
    size_t n = 0;
    for (struct anx_device *d = devices; d; d = d->next)
        n++;
    log_debug("%zu devices", n);
}

struct anx_device *anx_dev_first(void)
{
    anx_dev_scan();
    return devices;
}

struct anx_device *anx_dev_next(struct anx_device *dev)
{
    return dev ? dev->next : NULL;
}

static bool ids_match(const struct anx_driver *drv, const struct anx_device *d)
{
    if (!drv->ids)
        return drv->match != NULL;
    for (const struct anx_device_id *id = drv->ids; id->bus; id++)
        if (id->bus == d->bus && (id->vendor == ANX_ID_ANY || id->vendor == d->vendor) &&
            (id->device == ANX_ID_ANY || id->device == d->device))
            return true;
    return false;
}

int anx_driver_register(struct anx_driver *drv)
{
    if (!drv || !drv->name || !drv->probe || (!drv->ids && !drv->match))
        return ANX_EINVAL;
    anx_dev_scan();
    drv->next = drivers;
    drivers = drv;
    int bound = 0;
    for (struct anx_device *d = devices; d; d = d->next) {
        if (d->driver || !ids_match(drv, d) || (drv->match && !drv->match(drv, d)))
            continue;
        int r = drv->probe(drv, d);
        if (r == 0) {
            d->driver = drv;
            bound++;
            log_info("%s: %04x:%04x bound to %s", d->name, d->vendor, d->device, drv->name);
        } else {
            log_warn("%s: %s probe failed: %s", d->name, drv->name, anx_strerror(r));
        }
    }
    return bound;
}

static int cmd_devices(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    for (struct anx_device *d = anx_dev_first(); d; d = d->next) {
        anx_printf("%-16s %04x:%04x", d->name, d->vendor, d->device);
        if (d->bus == ANX_BUS_PCI)
            anx_printf(" class %02x.%02x", d->class_code, d->subclass);
        else
            anx_printf(" virtio-mmio v%u", d->revision);
        if (d->irq >= 0)
            anx_printf(" irq %d", d->irq);
        anx_printf(" %s\n", d->driver ? d->driver->name : "-");
        for (int i = 0; i < 6; i++)
            if (d->bar[i].size)
                anx_printf("    BAR%d %s %#llx size %#llx%s\n", i, d->bar[i].io ? "io " : "mem",
                           (unsigned long long)d->bar[i].base, (unsigned long long)d->bar[i].size,
                           d->bar[i].mem64 ? " 64-bit" : "");
        if (d->bus == ANX_BUS_VIRTIO_MMIO)
            anx_printf("    window %#llx size %#llx\n", (unsigned long long)d->mmio_base,
                       (unsigned long long)d->mmio_size);
    }
    return 0;
}
