/*
 * PCI host bridges in a device tree (the "PCI Bus Binding to Open Firmware"
 * and the Devicetree Specification's interrupt mapping, as QEMU's virt board
 * writes them for pci-host-ecam-generic): the address windows in "ranges"
 * and the INTx routing in "interrupt-map". Defensive like fdt.c: every cell
 * count and length is checked against the blob, and anything not understood
 * is skipped rather than guessed.
 */
#ifndef ARCH_ARM64_FDT_PCI_H
#define ARCH_ARM64_FDT_PCI_H

#include "fdt.h"

/* One entry of a host bridge's "ranges": PCI addresses pci..pci+size are
 * reached by the CPU at cpu..cpu+size. */
struct fdt_pci_range {
    uint64_t pci, cpu, size;
    bool io;          /* I/O space (memory-mapped at cpu on arm64) */
    bool mem64;       /* 64-bit memory space */
    bool prefetch;
};

/* Entry idx of the "ranges" of host bridge node off, whose parent is
 * `parent` (for the parent's #address-cells). 0, or -1 past the end or
 * when malformed. */
int fdt_pci_range(const struct fdt *f, int off, int parent, int idx, struct fdt_pci_range *r);

/* The GIC INTID that INTx `pin` (1 = INTA .. 4 = INTD) of the device in
 * `slot` on the host bridge's root bus raises, through the node's
 * "interrupt-map" and "interrupt-map-mask"; *edge as for fdt_irq. -1 when
 * the map has no entry for it or names a parent that is not a 3-cell GIC. */
int fdt_pci_intx(const struct fdt *f, int off, unsigned slot, unsigned pin, bool *edge);

#endif
