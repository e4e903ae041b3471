/* Walk everything the fdt API offers over one blob; shared by the unit
 * test's corruption loop and the libFuzzer harness. Must never crash. */
#include "fdt.h"
#include "fdt_pci.h"

static unsigned long fdt_exercise(const void *data, size_t size)
{
    struct fdt f;
    unsigned long sum = 0;
    if (fdt_init(&f, data, size) != 0)
        return 0;
    int depth = 0, steps = 0;
    for (int n = fdt_next_node(&f, -1, &depth); n >= 0 && steps < 100000;
         n = fdt_next_node(&f, n, &depth), steps++) {
        const char *name = fdt_node_name(&f, n);
        if (name)
            sum += name[0];
        uint64_t a, s;
        bool edge;
        for (int i = 0; i < 3; i++) {
            if (fdt_reg(&f, n, i, &a, &s) == 0)
                sum += a + s;
            sum += (unsigned long)fdt_irq(&f, n, i, &edge);
        }
        sum += fdt_is_compatible(&f, n, "virtio,mmio");
        struct fdt_pci_range r;
        for (int i = 0; i < 4; i++)
            if (fdt_pci_range(&f, n, 0, i, &r) == 0)
                sum += r.pci + r.cpu + r.size;
        for (unsigned slot = 0; slot < 4; slot++)
            sum += (unsigned long)fdt_pci_intx(&f, n, slot, 1 + slot % 4, &edge);
        const char *str = fdt_getprop_str(&f, n, "compatible");
        if (str)
            sum += str[0];
        sum += fdt_getprop_u32(&f, n, "#address-cells", 7);
        sum += (unsigned long)fdt_parent(&f, n);
    }
    for (int i = 0; fdt_memreserve(&f, i, &(uint64_t){0}, &(uint64_t){0}) == 0; i++)
        sum++;
    sum += (unsigned long)fdt_path(&f, "/chosen");
    sum += (unsigned long)fdt_path(&f, "/memory");
    sum += (unsigned long)fdt_path(&f, "/intc/its");
    struct fdt_cpu cpus[4];
    int ncpu = fdt_cpus(&f, cpus, 4);
    for (int i = 0; i < ncpu && i < 4; i++)
        sum += cpus[i].id + cpus[i].psci;
    for (int n = fdt_find_compatible(&f, -1, "virtio,mmio"); n >= 0;
         n = fdt_find_compatible(&f, n, "virtio,mmio"))
        sum++;
    return sum;
}
