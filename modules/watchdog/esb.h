/* The Intel 6300ESB watchdog's registers and the pure arithmetic on them
 * (esb.c), apart from the driver (watchdog_module.c) so host tests can
 * check it.
 *
 * The device (PCI 8086:25ab; QEMU's -device i6300esb) has two registers in
 * PCI configuration space and four in a 16-byte memory BAR 0:
 *
 *   config 0x60 (word)  bit 5 set: no reset on timeout ("output disabled");
 *                       bit 2: clock scale (0: the 1 kHz-class prescaler of
 *                       2^15 PCI clocks, 1: 2^5); bits 0-1: what the first
 *                       stage's end raises (0 IRQ, 2 SMI, 3 nothing)
 *   config 0x68 (byte)  bit 0 lock (until reset), bit 1 enable, bit 2 free
 *                       running
 *   BAR+0x00, +0x04     the preload of stage 1 and stage 2 (20 bits)
 *   BAR+0x0c (word)     reload: bit 8 restarts stage 1 (the feed), bit 9
 *                       reads 1 after a reset the watchdog caused and is
 *                       cleared by writing 1 (QEMU keeps it across the
 *                       reset; it sets bit 12 too for an old Linux bug)
 *
 * Every write to the BAR registers but the unlock bytes must follow the
 * unlock sequence: the bytes 0x80 then 0x86 written to the reload register.
 * QEMU acts on the config registers only for a write of their own width
 * (a word at 0x60, a byte at 0x68), hence anx_pci_write_sized.
 *
 * The counter runs stage 1 from its preload; at zero it raises the
 * stage-1 event and runs stage 2; at zero again it resets the machine.
 * A feed goes back to stage 1. With both preloads P the machine resets
 * 2 * P ticks after the last feed. */
#ifndef WATCHDOG_ESB_H
#define WATCHDOG_ESB_H

#include <stdbool.h>
#include <stdint.h>

#define ESB_PCI_VENDOR 0x8086u
#define ESB_PCI_DEVICE 0x25abu

#define ESB_CONFIG_REG 0x60
#define ESB_CONFIG_NO_REBOOT 0x0020u
#define ESB_CONFIG_SCALE_FAST 0x0004u
#define ESB_CONFIG_INT_NONE 0x0003u
#define ESB_LOCK_REG 0x68
#define ESB_LOCK_LOCK 0x01u
#define ESB_LOCK_ENABLE 0x02u
#define ESB_LOCK_FREE_RUN 0x04u

#define ESB_TIMER1 0x00
#define ESB_TIMER2 0x04
#define ESB_RELOAD 0x0c
#define ESB_RELOAD_FEED 0x0100u
#define ESB_RELOAD_TIMED_OUT 0x0200u
#define ESB_UNLOCK1 0x80u
#define ESB_UNLOCK2 0x86u

/* One tick of the slow scale: 2^15 PCI clocks of 30 ns (QEMU's figure; a
 * real 33 MHz bus gives 0.993 ms, 1 % longer). */
#define ESB_TICK_NS (32768ull * 30ull)
#define ESB_PRELOAD_MAX 0xfffffu

/* The preload of each stage for a reset timeout_ns after the last feed:
 * half the timeout in ticks, rounded to nearest, clamped to 1..0xfffff. */
uint32_t watchdog_esb_preload(uint64_t timeout_ns);

/* The time from the last feed to the reset with both stages at preload. */
uint64_t watchdog_esb_timeout_ns(uint32_t preload);

/* Whether a value read from the reload register says the watchdog reset
 * the machine (bit 9). */
bool watchdog_esb_timed_out(uint16_t reload);

/* How often to feed for this timeout: a quarter of it, so three feeds may
 * be late before the reset. */
uint64_t watchdog_feed_interval_ns(uint64_t timeout_ns);

#endif
