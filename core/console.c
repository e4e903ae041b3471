/*
 * The console: the output path of the log and the shell ("\n" -> "\r\n"
 * on plat_console_putc), and an input ring filled by anx_console_input()
 * from interrupt handlers or poll hooks, read by blocking threads.
 */
#include <anx/console.h>
#include <anx/lib.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

#define INBUF 256u    /* power of two */

static char inbuf[INBUF];
static unsigned in_head, in_tail;      /* free-running counters */
static unsigned long dropped;
static struct anx_waitq readers = ANX_WAITQ_INIT;
static bool echo_on = true;

static struct anx_console_output *outputs;

void anx_console_add_output(struct anx_console_output *o)
{
    unsigned long f = plat_irq_save();
    o->next = outputs;
    outputs = o;
    plat_irq_restore(f);
}

static void serial_write(const char *s, size_t n)
{
    for (; n; n--, s++) {
        if (*s == '\n')
            plat_console_putc('\r');
        plat_console_putc(*s);
    }
}

void anx_console_write_machine(const char *s, size_t n)
{
    serial_write(s, n);
    for (struct anx_console_output *o = outputs; o; o = o->next)
        o->write(s, n, o->arg);
}

void anx_console_write(const char *s, size_t n)
{
    struct anx_term *t = anx_term_current();
    if (t)
        t->write(t, s, n);
    else
        anx_console_write_machine(s, n);
}

void anx_console_putc(char c)
{
    anx_console_write(&c, 1);
}

void anx_console_puts(const char *s)
{
    anx_console_write(s, strlen(s));
}

static void printf_out(char c, void *ctx)
{
    (void)ctx;
    anx_console_putc(c);
}

int anx_vprintf(const char *fmt, va_list ap)
{
    return anx_vformat(printf_out, NULL, fmt, ap);
}

int anx_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = anx_vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void anx_console_input(char c)
{
    unsigned long f = plat_irq_save();
    if (in_head - in_tail >= INBUF)
        dropped++;
    else
        inbuf[in_head++ % INBUF] = c;
    anx_waitq_wake_one(&readers);
    plat_irq_restore(f);
}

/* With interrupts off: the next byte, or -1. */
static int take(void)
{
    if (in_head == in_tail)
        return -1;
    return (unsigned char)inbuf[in_tail++ % INBUF];
}

int anx_console_trygetc(void)
{
    struct anx_term *t = anx_term_current();
    if (t)
        return t->getc(t, 0);
    unsigned long f = plat_irq_save();
    int c = take();
    plat_irq_restore(f);
    return c;
}

int anx_console_getc(void)
{
    struct anx_term *t = anx_term_current();
    if (t)
        return t->getc(t, ANX_TERM_FOREVER);
    unsigned long f = plat_irq_save();
    int c;
    while ((c = take()) < 0)
        anx_wait(&readers);
    /* more input may be queued for another reader */
    if (in_head != in_tail)
        anx_waitq_wake_one(&readers);
    plat_irq_restore(f);
    return c;
}

int anx_console_getc_timeout(unsigned long long timeout_ns)
{
    struct anx_term *t = anx_term_current();
    if (t)
        return t->getc(t, timeout_ns);
    uint64_t deadline = anx_time_ns() + timeout_ns;
    unsigned long f = plat_irq_save();
    int c;
    while ((c = take()) < 0) {
        uint64_t now = anx_time_ns();
        if (now >= deadline || anx_wait_timeout(&readers, deadline - now) < 0) {
            c = take();
            break;
        }
    }
    plat_irq_restore(f);
    return c;
}

void anx_console_set_echo(bool on)
{
    echo_on = on;
}

bool anx_console_echo(void)
{
    struct anx_term *t = anx_term_current();
    return t ? t->echo : echo_on;
}

unsigned long anx_console_dropped(void)
{
    return dropped;
}
