/*
 * Image-wide facts and power (core/kmain.c, core/power.c).
 */
#ifndef ANX_KERNEL_H
#define ANX_KERNEL_H

#include <stdint.h>

/* Power off after logging the status (0 = success). */
_Noreturn void anx_poweroff(int status);

/* Guest time from the image's entry to "anunix: ready", for `uptime`/benches. */
uint64_t anx_boot_ready_ns(void);

/* Block the calling thread until the boot has printed "anunix: ready". */
void anx_boot_wait_ready(void);

/* The kernel command line (the boot loader's, else the manifest's). */
const char *anx_cmdline(void);

#endif
