/* Board-internal declarations of arm64-virt (virt.c, pl011.c). */
#ifndef PLATFORMS_ARM64_VIRT_H
#define PLATFORMS_ARM64_VIRT_H

#include <anx/platform.h>

void pl011_init(uint64_t base, int irq);
int pl011_irq_register(plat_irq_handler handler, void *arg);

#endif
