/*
 * The device model: buses enumerate devices, drivers match and probe them.
 *
 * Buses: PCI (through plat_pci_*: every bus/slot/function reachable from
 * bus 0 through bridges; BARs read and sized) and virtio-mmio (the windows
 * from plat_virtio_mmio_devices; the transport's magic and device id read).
 * Enumeration runs once, the first time a driver registers or the device
 * list is asked for (so module init order does not matter).
 *
 * A driver module registers an anx_driver from its init: the registry
 * probes it at once against every device not yet bound, and a device that
 * probe accepts (returns 0) is bound to that driver. Probe runs in thread
 * context and may sleep briefly; it should start a thread for slow work.
 *
 * Interrupts (PCI): dev->irq is what plat_irq_register takes. On x86_64 it
 * is the IOAPIC GSI of the device's INTx pin: q35 (QEMU's ICH9) routes
 * slot S, pin P (1 = INTA) of bus 0 to PIRQ E..H, i.e. GSI 16 + 4 +
 * ((S + P - 1) mod 4), the same as the ACPI _PRT QEMU publishes in APIC
 * mode; behind a bridge the standard swizzle (pin + slot) mod 4 is applied
 * per bridge. The Interrupt Line register firmware writes (qboot, SeaBIOS)
 * is the 8259 (PIC-mode) number and is only used when the device has no
 * pin. Elsewhere (arm64 virt) PCI interrupts are not routed: irq = -1.
 *
 * virtio-mmio devices appear with vendor ANX_VIRTIO_VENDOR and device
 * 0x1040 + the virtio device id (the modern virtio-pci numbering), so one
 * id table serves both transports.
 */
#ifndef ANX_DEV_H
#define ANX_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum anx_bus {
    ANX_BUS_PCI = 1,
    ANX_BUS_VIRTIO_MMIO = 2,
};

#define ANX_ID_ANY 0xffffu
#define ANX_VIRTIO_VENDOR 0x1af4u

struct anx_bar {
    uint64_t base;       /* CPU physical address (memory) or PCI port (I/O); 0 = unassigned */
    uint64_t size;       /* 0 = no BAR */
    bool io;             /* I/O space */
    bool mem64;          /* 64-bit memory BAR (takes two slots) */
    bool prefetch;
};

struct anx_device {
    enum anx_bus bus;
    char name[24];              /* "pci 00:03.0", "mmio 0xfeb00000" */
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_device;   /* PCI only */
    uint8_t class_code, subclass, prog_if, revision;
    uint16_t bdf;               /* PCI: bus<<8 | dev<<3 | fn */
    uint8_t irq_pin;            /* PCI: 1 = INTA ... 4 = INTD, 0 = none */
    struct anx_bar bar[6];      /* PCI */
    uint64_t mmio_base, mmio_size;   /* virtio-mmio window */
    int irq;                    /* for plat_irq_register; -1 = none */
    const struct anx_driver *driver;   /* bound driver or NULL */
    void *driver_data;
    struct anx_device *next;    /* private */
};

struct anx_device_id {
    enum anx_bus bus;           /* 0 ends the table */
    uint16_t vendor, device;    /* ANX_ID_ANY matches any */
};

struct anx_driver {
    const char *name;
    const struct anx_device_id *ids;   /* may be NULL when match is given */
    /* optional finer match, called after ids matched (or alone) */
    bool (*match)(const struct anx_driver *drv, const struct anx_device *dev);
    /* 0 = the device is now this driver's; negative = leave it unbound */
    int (*probe)(const struct anx_driver *drv, struct anx_device *dev);
    struct anx_driver *next;    /* private */
};

/* Register a driver and probe it against every unbound device. Returns the
 * number of devices it bound, or ANX_EINVAL (<anx/errno.h>) for a driver
 * without a name, a probe, or ids/match. */
int anx_driver_register(struct anx_driver *drv);

/* Enumerate the buses (once; later calls do nothing). */
void anx_dev_scan(void);

struct anx_device *anx_dev_first(void);
struct anx_device *anx_dev_next(struct anx_device *dev);

/* ---- PCI helpers for drivers ------------------------------------------- */

uint32_t anx_pci_read32(const struct anx_device *dev, uint16_t off);
uint16_t anx_pci_read16(const struct anx_device *dev, uint16_t off);
uint8_t anx_pci_read8(const struct anx_device *dev, uint16_t off);
void anx_pci_write32(const struct anx_device *dev, uint16_t off, uint32_t val);
void anx_pci_write16(const struct anx_device *dev, uint16_t off, uint16_t val);
/* One write cycle of exactly size bytes (1, 2 or 4; off a multiple of it),
 * where anx_pci_write16 reads and rewrites the whole dword: a register
 * that acts only on a write of its own width needs it (QEMU's i6300esb
 * watchdog takes its config register 0x60 only as a word and its lock
 * register 0x68 only as a byte). */
void anx_pci_write_sized(const struct anx_device *dev, uint16_t off, uint32_t val, unsigned size);

/* Enable memory and I/O decoding and bus mastering (DMA); INTx stays on. */
void anx_pci_enable(struct anx_device *dev);

/* Offset of the next capability with this id after the capability at
 * offset `after` (0 = from the start of the list); 0 when there is none.
 * The walk is bounded (48 entries, offsets >= 0x40), so a looping list
 * cannot hang it. */
uint8_t anx_pci_find_cap(const struct anx_device *dev, uint8_t id, uint8_t after);

/* Map memory BAR i uncached; NULL if it is absent, I/O or unassigned. */
void *anx_pci_map_bar(struct anx_device *dev, int i);

/* Route the device's interrupt (dev->irq) to handler; several devices
 * may share one line (PCI INTx): every handler on it runs, each must
 * check its own device's status. Rules as for plat_irq_register. 0, or
 * ANX_EINVAL (no device or handler), ANX_ENOTSUP (the device has no routed
 * line, or the platform cannot route it), ANX_ENOMEM. */
int anx_dev_irq_register(struct anx_device *dev, void (*handler)(void *arg), void *arg);

#endif
