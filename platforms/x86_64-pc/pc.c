/*
 * x86_64-pc: QEMU q35 (or a real PC). PCI through configuration
 * mechanism #1; device lines >= 16 are PCI INTx (level, active low).
 * Booted by PVH (qboot) or multiboot2 (GRUB ISO, SeaBIOS or OVMF).
 */
#include <anx/platform.h>
#include "x86.h"   /* arch/x86_64: anx gives platforms -Iarch/ARCH */

const char *plat_name(void)
{
    return "x86_64-pc";
}

void x86_plat_gsi_mode(int gsi, bool *level, bool *active_low)
{
    (void)gsi;
    *level = true;          /* PCI INTx */
    *active_low = true;
}

void x86_plat_early(void)
{
}

void x86_plat_init(void)
{
}

bool plat_pci_present(void)
{
    return true;
}

uint32_t plat_pci_read32(uint16_t bdf, uint16_t off)
{
    return x86_pci_cfg_read32(bdf, off);
}

void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t val)
{
    x86_pci_cfg_write32(bdf, off, val);
}

void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size)
{
    x86_pci_cfg_write_sized(bdf, off, val, size);
}

/* Where BARs that firmware left unassigned go (qboot leaves some): ports
 * above the legacy range, and memory in q35's 32-bit PCI hole below the
 * IOAPIC/LAPIC at 0xfec00000. Firmware-assigned BARs stay where they are. */
size_t plat_pci_windows(struct plat_pci_window *out, size_t max)
{
    static const struct plat_pci_window q35[] = {
        {.pci_base = 0xc000, .cpu_base = 0xc000, .size = 0x4000, .io = true},
        {.pci_base = 0xe0000000, .cpu_base = 0xe0000000, .size = 0x1e000000},
    };
    size_t n = 0;
    for (; n < sizeof q35 / sizeof q35[0] && n < max; n++)
        out[n] = q35[n];
    return n;
}

/* q35 routes INTx of bus-0 slots through PIRQ E-H, which QEMU's ACPI
 * tables (and we) take as GSI 20-23, swizzled by slot. */
int plat_pci_intx_irq(unsigned slot, unsigned pin)
{
    if (pin < 1 || pin > 4)
        return -1;
    return 20 + (int)((slot + pin - 1) % 4);
}

size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max)
{
    (void)out;
    (void)max;
    return 0;
}
