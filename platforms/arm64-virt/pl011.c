/*
 * PL011 UART console of the virt board (base and SPI from the device tree,
 * default 0x09000000 / INTID 33). Output is polled. Input: when the core
 * registers a handler for plat_console_irq(), the receive interrupt first
 * drains the FIFO into a ring here (so the level-triggered line drops even
 * if the handler only wakes a thread), then calls that handler, which
 * reads the bytes with plat_console_getc().
 */
#include <anx/platform.h>
#include "arm64.h"   /* arch/arm64: anx gives platforms -Iarch/ARCH */
#include "virt.h"

#define UART_DR     0x00
#define UART_FR     0x18
#define UART_LCR_H  0x2c
#define UART_CR     0x30
#define UART_IMSC   0x38
#define UART_ICR    0x44
#define FR_RXFE     (1u << 4)
#define FR_TXFF     (1u << 5)
#define INT_RX      (1u << 4)
#define INT_RT      (1u << 6)

static uintptr_t uart = 0x09000000;
static int uart_irq = -1;
static uint8_t ring[256];
static volatile unsigned ring_head, ring_tail;     /* head: next write */
static plat_irq_handler user_handler;
static void *user_arg;

void pl011_init(uint64_t base, int irq)
{
    if (base) {
        void *va = arm64_map_device(base, 0x1000);
        if (va)
            uart = (uintptr_t)va;
    }
    uart_irq = irq;
    arm64_fault_uart = uart + UART_DR;
    mmio_write32(uart + UART_IMSC, 0);
    mmio_write32(uart + UART_ICR, 0x7ff);
    /* Turning the FIFOs on empties them: keep what was typed already */
    if ((mmio_read32(uart + UART_LCR_H) & 0x70) != 0x70) {
        for (int i = 0; i < 32 && !(mmio_read32(uart + UART_FR) & FR_RXFE); i++)
            ring[ring_head++ % sizeof ring] = (uint8_t)mmio_read32(uart + UART_DR);
        mmio_write32(uart + UART_LCR_H, 0x70);       /* 8N1, FIFOs on */
    }
    mmio_write32(uart + UART_CR, 0x301);             /* UARTEN | TXE | RXE */
}

void plat_console_putc(char c)
{
    for (int i = 0; i < 100000 && (mmio_read32(uart + UART_FR) & FR_TXFF); i++)
        ;
    mmio_write32(uart + UART_DR, (uint8_t)c);
}

int plat_console_getc(void)
{
    unsigned long f = plat_irq_save();
    int c = -1;
    if (ring_tail != ring_head) {
        c = ring[ring_tail % sizeof ring];
        ring_tail++;
    } else if (!(mmio_read32(uart + UART_FR) & FR_RXFE)) {
        c = (int)(mmio_read32(uart + UART_DR) & 0xff);
    }
    plat_irq_restore(f);
    return c;
}

int plat_console_irq(void)
{
    return gic_version() ? uart_irq : -1;
}

static void pl011_irq(void *arg)
{
    (void)arg;
    for (int i = 0; i < 64 && !(mmio_read32(uart + UART_FR) & FR_RXFE); i++) {
        uint8_t c = (uint8_t)mmio_read32(uart + UART_DR);
        if (ring_head - ring_tail < sizeof ring) {
            ring[ring_head % sizeof ring] = c;
            ring_head++;
        }
    }
    mmio_write32(uart + UART_ICR, INT_RX | INT_RT);
    if (user_handler)
        user_handler(user_arg);
}

int pl011_irq_register(plat_irq_handler handler, void *arg)
{
    if (uart_irq < 0)
        return -1;
    user_handler = handler;
    user_arg = arg;
    if (arm64_irq_set_handler(uart_irq, pl011_irq, 0) != 0)
        return -1;
    gic_enable(uart_irq, false);
    mmio_write32(uart + UART_IMSC, INT_RX | INT_RT);
    return 0;
}
