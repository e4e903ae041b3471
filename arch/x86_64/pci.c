/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC). */
#include <anx/platform.h>
#include "x86.h"

static uint32_t addr(uint16_t bdf, uint16_t off)
{
    return 0x80000000u | (uint32_t)bdf << 8 | (off & 0xFC);
}

uint32_t x86_pci_cfg_read32(uint16_t bdf, uint16_t off)
{
    if (off >= 256)
        return 0xFFFFFFFFu;
    unsigned long f = plat_irq_save();
    outl(0xCF8, addr(bdf, off));
    uint32_t v = inl(0xCFC);
    plat_irq_restore(f);
    return v;
}

void x86_pci_cfg_write32(uint16_t bdf, uint16_t off, uint32_t val)
{
    if (off >= 256)
        return;
    unsigned long f = plat_irq_save();
    outl(0xCF8, addr(bdf, off));
    outl(0xCFC, val);
    plat_irq_restore(f);
}
