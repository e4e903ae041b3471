/*
 * x86_64-pc: QEMU q35 (or a real PC). PCI through configuration
 * mechanism #1; device lines >= 16 are PCI INTx (level, active low).
 * Booted by PVH (qboot) or multiboot2 (GRUB ISO, SeaBIOS or OVMF).
 */
#include <anx/platform.h>
#include "../../arch/x86_64/x86.h"

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

size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max)
{
    (void)out;
    (void)max;
    return 0;
}
