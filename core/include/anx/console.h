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
 *
 * Terminals: a thread bound to a struct anx_term (an SSH session's
 * channel) has its own console. Its anx_console_write/anx_printf output
 * and anx_console_getc input go through that terminal instead of the
 * machine's, so the shell and every command it runs serve a remote
 * operator without knowing it. The log is the machine's record and always
 * goes to the machine's console (log lines never reach a terminal).
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
/* Next input byte; blocks the calling thread. On a terminal also
 * ANX_CONSOLE_EOF, once it is closed. */
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

/* A terminal other than the machine's console (see above). The owner
 * (the ssh module) fills in the functions and binds a thread to it with
 * anx_term_bind; the console calls them from that thread only. */
#define ANX_CONSOLE_EOF (-2)     /* getc: the terminal was closed (hang-up) */
#define ANX_TERM_FOREVER (~0ull) /* getc timeout: wait until a byte or hang-up */
struct anx_term {
    /* the bytes as written ("\n" translation is the terminal's business) */
    void (*write)(struct anx_term *t, const char *s, size_t n);
    /* the next input byte; -1 when none came in timeout_ns (0: do not
     * wait), ANX_CONSOLE_EOF after a hang-up */
    int (*getc)(struct anx_term *t, unsigned long long timeout_ns);
    bool echo;               /* line editors echo (an interactive pty) */
    bool exit_requested;     /* the `exit` command was run on it */
    int exit_status;
    const char *scopes;      /* the commands it may run (<anx/command.h>); NULL: all */
};
/* Bind the calling thread to t (NULL: back to the machine's console). */
void anx_term_bind(struct anx_term *t);
/* The calling thread's terminal, or NULL for the machine's console. */
struct anx_term *anx_term_current(void);
/* Write to the machine's console whatever thread calls (the log). */
void anx_console_write_machine(const char *s, size_t n);

/* Bytes dropped because the input buffer was full. */
unsigned long anx_console_dropped(void);

#endif
