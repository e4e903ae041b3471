/*
 * COM1 16550 UART at I/O port 0x3f8: 115200 8N1, FIFOs on, polled output,
 * polled input, receive interrupt on ISA IRQ 4 (routed by the IOAPIC when
 * the core registers a handler for plat_console_irq()).
 */
#include <anx/platform.h>
#include "x86.h"

#define COM1 0x3f8
#define THR 0
#define RBR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

static bool uart_absent;

void x86_uart_init(void)
{
    outb(COM1 + IER, 0x00);
    outb(COM1 + LCR, 0x80);             /* DLAB */
    outb(COM1 + 0, 1);                  /* divisor 1 = 115200 baud */
    outb(COM1 + 1, 0);
    outb(COM1 + LCR, 0x03);             /* 8N1 */
    outb(COM1 + FCR, 0xC7);             /* FIFO on, clear, 14-byte trigger */
    outb(COM1 + MCR, 0x0B);             /* DTR, RTS, OUT2 (IRQ gate) */
    uart_absent = inb(COM1 + LSR) == 0xFF;
}

void x86_uart_enable_rx_irq(void)
{
    if (!uart_absent)
        outb(COM1 + IER, 0x01);         /* received data available */
}

static void uart_tx(char c)
{
    if (uart_absent)
        return;
    for (int i = 0; i < 100000; i++)   /* bounded: a wedged UART must not hang us */
        if (inb(COM1 + LSR) & LSR_THRE)
            break;
    outb(COM1 + THR, (uint8_t)c);
}

/* Raw byte out; the core's console turns "\n" into "\r\n". */
void plat_console_putc(char c)
{
    uart_tx(c);
}

int plat_console_getc(void)
{
    if (uart_absent)
        return -1;
    uint8_t lsr = inb(COM1 + LSR);
    if (lsr == 0xFF || !(lsr & LSR_DR))
        return -1;
    return inb(COM1 + RBR);
}

int plat_console_irq(void)
{
    return uart_absent ? -1 : 4;
}
