/*
 * PCI host bridge properties of a device tree; see fdt_pci.h.
 *
 * A PCI unit address is 3 cells (phys.hi, phys.mid, phys.lo). phys.hi is
 * "npt000ss bbbbbbbb dddddfff rrrrrrrr": ss is the space (01 I/O, 10 32-bit
 * memory, 11 64-bit memory), p prefetchable, d the device (slot), f the
 * function (IEEE 1275 PCI binding, section 2.2.1.1).
 */
#include "fdt_pci.h"

#define PCI_ADDR_CELLS 3
#define MAX_CELLS 8      /* bounds the cells of one interrupt-map entry */

/* Value of n (1 or 2) cells at v. */
static uint64_t cells(const uint8_t *v, uint32_t n)
{
    return n == 2 ? fdt_be64(v) : fdt_be32(v);
}

int fdt_pci_range(const struct fdt *f, int off, int parent, int idx, struct fdt_pci_range *r)
{
    uint32_t pac = fdt_getprop_u32(f, parent, "#address-cells", 2);
    uint32_t ac = fdt_getprop_u32(f, off, "#address-cells", PCI_ADDR_CELLS);
    uint32_t sc = fdt_getprop_u32(f, off, "#size-cells", 2);
    if (idx < 0 || ac != PCI_ADDR_CELLS || pac < 1 || pac > 2 || sc < 1 || sc > 2)
        return -1;
    int len = 0;
    const uint8_t *v = fdt_getprop(f, off, "ranges", &len);
    uint64_t stride = (uint64_t)(ac + pac + sc) * 4;
    if (!v || (uint64_t)(idx + 1) * stride > (uint64_t)len)
        return -1;
    v += (uint64_t)idx * stride;
    uint32_t hi = fdt_be32(v);
    unsigned space = hi >> 24 & 3;
    if (space == 0)               /* configuration space: not a window */
        return -1;
    r->io = space == 1;
    r->mem64 = space == 3;
    r->prefetch = hi >> 30 & 1;
    r->pci = fdt_be64(v + 4);
    r->cpu = cells(v + 12, pac);
    r->size = cells(v + 12 + pac * 4, sc);
    return 0;
}

/* The node whose "phandle" (or the older "linux,phandle") is ph, or -1. */
static int by_phandle(const struct fdt *f, uint32_t ph)
{
    int depth = 0;
    for (int n = fdt_next_node(f, -1, &depth); n >= 0; n = fdt_next_node(f, n, &depth))
        if (fdt_getprop_u32(f, n, "phandle", 0) == ph || fdt_getprop_u32(f, n, "linux,phandle", 0) == ph)
            return n;
    return -1;
}

int fdt_pci_intx(const struct fdt *f, int off, unsigned slot, unsigned pin, bool *edge)
{
    if (slot > 31 || pin < 1 || pin > 4)
        return -1;
    uint32_t ic = fdt_getprop_u32(f, off, "#interrupt-cells", 1);
    if (ic != 1)
        return -1;
    /* What a device at this slot, function 0, presents: its unit address
     * and pin, masked as interrupt-map-mask says (absent: match all bits). */
    uint32_t key[PCI_ADDR_CELLS + 1] = {slot << 11, 0, 0, pin};
    uint32_t mask[PCI_ADDR_CELLS + 1] = {~0u, ~0u, ~0u, ~0u};
    int mlen = 0;
    const uint8_t *m = fdt_getprop(f, off, "interrupt-map-mask", &mlen);
    if (m && mlen == (int)sizeof mask)
        for (int i = 0; i < PCI_ADDR_CELLS + 1; i++)
            mask[i] = fdt_be32(m + 4 * i);
    for (int i = 0; i < PCI_ADDR_CELLS + 1; i++)
        key[i] &= mask[i];

    int len = 0;
    const uint8_t *v = fdt_getprop(f, off, "interrupt-map", &len);
    const uint8_t *end = v ? v + len : NULL;
    int parent = -1;
    uint32_t parent_ph = 0, pac = 0, pic = 0;
    while (v && end - v >= (PCI_ADDR_CELLS + 2) * 4) {
        bool match = true;
        for (int i = 0; i < PCI_ADDR_CELLS + 1; i++)
            match &= (fdt_be32(v + 4 * i) & mask[i]) == key[i];
        uint32_t ph = fdt_be32(v + (PCI_ADDR_CELLS + 1) * 4);
        v += (PCI_ADDR_CELLS + 2) * 4;
        if (ph != parent_ph || parent < 0) {   /* the entry's size depends on its parent */
            parent = by_phandle(f, ph);
            if (parent < 0)
                return -1;
            parent_ph = ph;
            pac = fdt_getprop_u32(f, parent, "#address-cells", 0);
            pic = fdt_getprop_u32(f, parent, "#interrupt-cells", 0);
            if (pac > MAX_CELLS || pic < 1 || pic > MAX_CELLS)
                return -1;
        }
        if ((uint64_t)(end - v) < (uint64_t)(pac + pic) * 4)
            return -1;
        const uint8_t *spec = v + pac * 4;
        v += (pac + pic) * 4;
        if (!match)
            continue;
        if (pic != 3)           /* not a GIC-style (type, number, flags) specifier */
            return -1;
        uint32_t type = fdt_be32(spec), num = fdt_be32(spec + 4), flags = fdt_be32(spec + 8);
        if (edge)
            *edge = (flags & 0xf) == 1 || (flags & 0xf) == 2;
        if (type == 0 && num < 988)
            return (int)num + 32;
        return -1;
    }
    return -1;
}
