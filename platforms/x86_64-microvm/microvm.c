/*
 * x86_64-microvm: QEMU's minimal machine (-M microvm). No PCI; devices
 * are virtio-mmio, described by QEMU on the kernel command line as
 * virtio_mmio.device=SIZE@BASE:IRQ (auto-kernel-cmdline). Their
 * interrupt lines are level-triggered, active high.
 */
#include <anx/platform.h>
#include "x86.h"   /* arch/x86_64: anx gives platforms -Iarch/ARCH */

const char *plat_name(void)
{
    return "x86_64-microvm";
}

void x86_plat_gsi_mode(int gsi, bool *level, bool *active_low)
{
    (void)gsi;
    *level = true;
    *active_low = false;
}

void x86_plat_early(void)
{
}

void x86_plat_init(void)
{
}

bool plat_pci_present(void)
{
    return false;
}

uint32_t plat_pci_read32(uint16_t bdf, uint16_t off)
{
    (void)bdf;
    (void)off;
    return 0xFFFFFFFFu;
}

void plat_pci_write32(uint16_t bdf, uint16_t off, uint32_t val)
{
    (void)bdf;
    (void)off;
    (void)val;
}

void plat_pci_write_sized(uint16_t bdf, uint16_t off, uint32_t val, unsigned size)
{
    (void)bdf;
    (void)off;
    (void)val;
    (void)size;
}

size_t plat_pci_windows(struct plat_pci_window *out, size_t max)
{
    (void)out;
    (void)max;
    return 0;
}

int plat_pci_intx_irq(unsigned slot, unsigned pin)
{
    (void)slot;
    (void)pin;
    return -1;
}

/* Number at *s in C syntax (0x.. hex or decimal) with an optional K/M/G
 * suffix when `suffix`; advances *s. Returns false if there is none. */
static bool parse_num(const char **s, uint64_t *v, bool suffix)
{
    const char *p = *s;
    uint64_t n = 0;
    int base = 10, digits = 0;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    for (;; p++, digits++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (base == 16 && *p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (base == 16 && *p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            break;
        n = n * base + d;
    }
    if (!digits)
        return false;
    if (suffix) {
        if (*p == 'K' || *p == 'k') n <<= 10, p++;
        else if (*p == 'M' || *p == 'm') n <<= 20, p++;
        else if (*p == 'G' || *p == 'g') n <<= 30, p++;
    }
    *v = n;
    *s = p;
    return true;
}

size_t plat_virtio_mmio_devices(struct plat_mmio_device *out, size_t max)
{
    static const char key[] = "virtio_mmio.device=";
    const char *s = plat_cmdline();
    size_t n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t k = 0;
        while (key[k] && s[k] == key[k])
            k++;
        if (!key[k]) {
            const char *p = s + k;
            uint64_t size, base, irq;
            if (parse_num(&p, &size, true) && *p++ == '@' && parse_num(&p, &base, false) &&
                *p++ == ':' && parse_num(&p, &irq, false) && (*p == ' ' || *p == 0 || *p == ':')) {
                if (n < max)
                    out[n] = (struct plat_mmio_device){ base, size, (int)irq };
                n++;
            }
        }
        while (*s && *s != ' ')
            s++;
    }
    return n < max ? n : max;
}
