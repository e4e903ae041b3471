/*
 * Power-off with a status: QEMU's isa-debug-exit (port 0xf4; QEMU exits
 * with (status << 1) | 1), then ACPI S5 for machines without that device,
 * then halt with interrupts off. Never a triple fault.
 */
#include <anx/platform.h>
#include "x86.h"

_Noreturn void plat_poweroff(int status)
{
    __asm__ volatile("cli");
    outl(0xf4, (uint32_t)status);
    x86_acpi_poweroff();
    x86_puts("\nanunix: power-off failed; halted\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

/* Reset: the PCI reset control register (0xcf9, PIIX/ICH: pc and q35),
 * then the keyboard controller's reset line, then a triple fault (an empty
 * IDT and a breakpoint), which resets any PC. */
_Noreturn void plat_reboot(void)
{
    static const struct { uint16_t limit; uint64_t base; } __attribute__((packed)) none = { 0, 0 };
    __asm__ volatile("cli");
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x06);
    for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
        ;
    outb(0x64, 0xfe);
    __asm__ volatile("lidt %0; int3" ::"m"(none));
    for (;;)
        __asm__ volatile("cli; hlt");
}
