/*
 * The console (core/console.c): the one output path of the log and the
 * shell, and a line of input fed by the console module.
 *
 * Output goes to plat_console_putc with "\n" turned into "\r\n", and to
 * every output added with anx_console_add_output (as written).
 * Input: the console module (or any driver) calls anx_console_input(c)
 * from its interrupt handler or poll hook; readers block in
 * anx_console_getc() until a byte arrives. The buffer holds 256 bytes;
 * bytes that arrive while it is full are dropped (and counted).
 */
#ifndef ANX_CONSOLE_H
#define ANX_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

void anx_console_putc(char c);
void anx_console_write(const char *s, size_t n);
void anx_console_puts(const char *s);

/* IRQ safe: queue one received byte and wake a reader. */
void anx_console_input(char c);
/* Next input byte; blocks the calling thread. */
int anx_console_getc(void);
/* Next input byte or -1 at once. */
int anx_console_trygetc(void);
/* As getc with a timeout: -1 when none arrived in timeout_ns. */
int anx_console_getc_timeout(unsigned long long timeout_ns);

/* Whether line editors should echo typed characters (console module's
 * `echo` config; default true). */
void anx_console_set_echo(bool on);
bool anx_console_echo(void);

/* More places the console's output goes, besides the serial line (the
 * framebuffer console). write gets the bytes as written (no "\r\n"
 * translation), from any context, interrupt handlers and a panic
 * included: it must only copy them somewhere and return. */
struct anx_console_output {
    void (*write)(const char *s, size_t n, void *arg);
    void *arg;
    struct anx_console_output *next;    /* private */
};
void anx_console_add_output(struct anx_console_output *o);

/* Bytes dropped because the input buffer was full. */
unsigned long anx_console_dropped(void);

#endif
