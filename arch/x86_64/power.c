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
