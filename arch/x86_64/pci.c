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

/* A byte or word cycle: the data port's offset 0xCFC + (off & 3) selects
 * the bytes, as the device sees a write of that width. */
void x86_pci_cfg_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size)
{
    if (off >= 256 || (size != 1 && size != 2 && size != 4) || off % size)
        return;
    unsigned long f = plat_irq_save();
    outl(0xCF8, addr(bdf, off));
    if (size == 1)
        outb((uint16_t)(0xCFC + (off & 3)), (uint8_t)val);
    else if (size == 2)
        outw((uint16_t)(0xCFC + (off & 2)), (uint16_t)val);
    else
        outl(0xCFC, val);
    plat_irq_restore(f);
}
