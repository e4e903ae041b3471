/* PCI enumeration in the core (core/dev.c) over the simulated bus of
 * fake_pci.h: BAR sizing, placement of unassigned BARs in the platform's
 * windows (translated to CPU addresses, as on arm64 virt), BARs firmware
 * assigned left alone, and INTx routing through the bridge swizzle. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "pci"
#include "unit.h"
#include <anx/dev.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include "fake_pci.h"

static struct unit_pci_fn *add_fn(unsigned bus, unsigned slot, unsigned fn, uint16_t vendor, uint16_t device,
                                  uint8_t header, uint8_t pin)
{
    struct unit_pci_fn *f = &unit_pci_fns[unit_pci_nfns++];
    f->bdf = (uint16_t)(bus << 8 | slot << 3 | fn);
    f->cfg[0] = (uint8_t)vendor, f->cfg[1] = (uint8_t)(vendor >> 8);
    f->cfg[2] = (uint8_t)device, f->cfg[3] = (uint8_t)(device >> 8);
    f->cfg[0x0b] = 0x02;        /* class: network */
    f->cfg[0x0e] = header;
    f->cfg[0x3d] = pin;
    f->cfg[0x3c] = 0xff;
    return f;
}

static uint32_t cfg32(const struct unit_pci_fn *f, unsigned off)
{
    return (uint32_t)f->cfg[off] | (uint32_t)f->cfg[off + 1] << 8 | (uint32_t)f->cfg[off + 2] << 16 |
           (uint32_t)f->cfg[off + 3] << 24;
}

static struct anx_device *find(uint16_t bdf)
{
    for (struct anx_device *d = anx_dev_first(); d; d = anx_dev_next(d))
        if (d->bus == ANX_BUS_PCI && d->bdf == bdf)
            return d;
    return NULL;
}

static struct unit_pci_fn *nic, *gpu, *bridge, *behind, *fw;

TEST(bars_placed_in_windows)
{
    struct anx_device *d = find(nic->bdf);
    CHECK(d != NULL);
    if (!d)
        return;
    /* BAR0: 128 KiB of 32-bit memory in the 32-bit window, aligned; the CPU
     * address is the window's translation of the PCI address written */
    CHECK_EQ(d->bar[0].size, 0x20000);
    CHECK(!d->bar[0].io && !d->bar[0].mem64);
    uint32_t pci0 = cfg32(nic, 0x10) & ~0xfu;
    CHECK(pci0 >= 0x10000000 && pci0 + 0x20000 <= 0x3eff0000 && pci0 % 0x20000 == 0);
    CHECK_EQ(d->bar[0].base, 0x40000000ull + (pci0 - 0x10000000));
    /* BAR1: 64 ports in the I/O window; base is the port */
    CHECK(d->bar[1].io);
    CHECK_EQ(d->bar[1].size, 64);
    CHECK_EQ(d->bar[1].base, cfg32(nic, 0x14) & ~3u);
    CHECK(d->bar[1].base < 0x10000 && d->bar[1].base % 64 == 0);
    CHECK(cfg32(nic, 0x14) & 1);   /* type bits kept */
    /* bus-0 slot 1, INTA: line 20 + (1 + 1 - 1) % 4 */
    CHECK_EQ(d->irq, 21);
}

TEST(bar64_prefers_high_window)
{
    struct anx_device *d = find(gpu->bdf);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK(d->bar[2].mem64 && d->bar[2].prefetch);
    CHECK_EQ(d->bar[2].size, 0x4000000);
    uint64_t pci = ((uint64_t)cfg32(gpu, 0x1c) << 32) | (cfg32(gpu, 0x18) & ~0xfu);
    CHECK(pci >= 0x8000000000ull && pci % 0x4000000 == 0);
    CHECK_EQ(d->bar[2].base, pci);   /* that window is 1:1 */
    CHECK_EQ(d->bar[3].size, 0);     /* the upper half is not a BAR of its own */
    /* the 32-bit BAR0 of the same device stays below 4 GiB, not overlapping the NIC's */
    uint32_t a = cfg32(gpu, 0x10) & ~0xfu, n = cfg32(nic, 0x10) & ~0xfu;
    CHECK(a >= 0x10000000 && (a >= n + 0x20000 || a + 0x1000 <= n));
    CHECK_EQ(d->irq, 20 + (2 + 2 - 1) % 4);   /* slot 2, INTB */
}

TEST(swizzle_behind_bridge)
{
    struct anx_device *d = find(behind->bdf);
    CHECK(d != NULL);
    if (!d)
        return;
    /* bridge in bus-0 slot 4; device in slot 3 on bus 1 with INTB:
     * pin becomes (2 - 1 + 3) % 4 + 1 = INTA at slot 4 -> 20 + (4 + 1 - 1) % 4 */
    CHECK_EQ(d->irq, 20);
    CHECK(d->bar[0].base != 0);
}

TEST(firmware_bars_kept)
{
    struct anx_device *d = find(fw->bdf);
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK_EQ(cfg32(fw, 0x10) & ~0xfu, 0x20000000);
    CHECK_EQ(d->bar[0].base, 0x50000000);   /* translated, not moved */
    CHECK_EQ(d->irq, -1);                   /* no INTx pin */
}

static void no_irq(void *arg) { (void)arg; }
static int probe_refuses(const struct anx_driver *drv, struct anx_device *dev)
{
    (void)drv, (void)dev;
    return ANX_EIO;
}

/* The registry's errors (<anx/errno.h>): an invalid driver, a probe that
 * refuses (the device stays unbound), interrupts for a device without a
 * routed line. */
TEST(registry_errors)
{
    static const struct anx_device_id fw_id[] = {{ANX_BUS_PCI, 0x1234, 0x1111}, {0}};
    static struct anx_driver nameless = {.ids = fw_id, .probe = probe_refuses};
    static struct anx_driver refuser = {.name = "refuser", .ids = fw_id, .probe = probe_refuses};
    CHECK_EQ(anx_driver_register(NULL), ANX_EINVAL);
    CHECK_EQ(anx_driver_register(&nameless), ANX_EINVAL);
    CHECK_EQ(anx_driver_register(&refuser), 0);            /* matched, refused: none bound */
    struct anx_device *d = find(fw->bdf);
    CHECK(d && d->driver == NULL);
    if (!d)
        return;
    CHECK_EQ(anx_dev_irq_register(d, no_irq, NULL), ANX_ENOTSUP);   /* no INTx pin */
    CHECK_EQ(anx_dev_irq_register(d, NULL, NULL), ANX_EINVAL);
    CHECK_EQ(anx_dev_irq_register(NULL, no_irq, NULL), ANX_EINVAL);
}

int main(void)
{
    unit_heap_init(1u << 20);
    /* arm64-virt-like windows, but with a 32-bit window the CPU sees at a
     * different address, to prove the translation */
    unit_pci_windows[0] = (struct plat_pci_window){.pci_base = 0, .cpu_base = 0x3eff0000, .size = 0x10000, .io = true};
    unit_pci_windows[1] = (struct plat_pci_window){.pci_base = 0x10000000, .cpu_base = 0x40000000, .size = 0x2eff0000};
    unit_pci_windows[2] = (struct plat_pci_window){.pci_base = 0x8000000000ull, .cpu_base = 0x8000000000ull,
                                                   .size = 0x8000000000ull, .mem64 = true};
    unit_pci_nwindows = 3;
    add_fn(0, 0, 0, 0x1b36, 0x0008, 0, 0);                 /* host bridge, no BARs */
    nic = add_fn(0, 1, 0, 0x8086, 0x100e, 0, 1);
    nic->bar_size[0] = 0x20000;
    nic->cfg[0x14] = 1;                                    /* BAR1: I/O */
    nic->bar_size[1] = 64;
    gpu = add_fn(0, 2, 0, 0x1af4, 0x1050, 0, 2);
    gpu->bar_size[0] = 0x1000;
    gpu->cfg[0x18] = 0x0c;                                 /* BAR2: 64-bit prefetchable */
    gpu->bar_size[2] = 0x4000000;
    bridge = add_fn(0, 4, 0, 0x1b36, 0x000c, 1, 0);
    bridge->cfg[0x19] = 1;                                 /* secondary bus 1 */
    behind = add_fn(1, 3, 0, 0x1af4, 0x1041, 0, 2);
    behind->bar_size[0] = 0x4000;
    fw = add_fn(0, 5, 0, 0x1234, 0x1111, 0, 0);
    fw->bar_size[0] = 0x1000;
    fw->cfg[0x12] = 0x00, fw->cfg[0x13] = 0x20;            /* BAR0 = 0x20000000 */
    anx_dev_scan();
    RUN(bars_placed_in_windows);
    RUN(bar64_prefers_high_window);
    RUN(swizzle_behind_bridge);
    RUN(firmware_bars_kept);
    RUN(registry_errors);
    return unit_done();
}
