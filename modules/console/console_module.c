/*
 * The console module: feeds bytes from the platform's console UART into
 * the core console (<anx/console.h>). With a receive interrupt the handler
 * drains the UART; without one a poll hook drains it from the idle loop
 * every POLL_NS. The poll hook stays registered in interrupt mode too, as
 * a cheap safety net for a lost interrupt.
 */
#define LOG_TAG "console"
#include <anx/console.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#define POLL_NS (2 * ANX_NS_PER_MS)
#define DRAIN_MAX 64        /* bytes per call, so a stuck UART cannot hang us */

static void drain(void *arg)
{
    (void)arg;
    for (int i = 0; i < DRAIN_MAX; i++) {
        int c = plat_console_getc();
        if (c < 0)
            break;
        anx_console_input((char)c);
    }
}

static struct anx_poll_hook hook = { .fn = drain };

static int console_init(void)
{
    anx_console_set_echo(CONFIG_CONSOLE_ECHO);
    int irq = plat_console_irq();
    if (irq >= 0 && plat_irq_register(irq, drain, NULL) == 0) {
        log_debug("input on irq %d", irq);
    } else {
        hook.interval_ns = POLL_NS;
        log_debug("input polled every %llu us", (unsigned long long)(POLL_NS / ANX_NS_PER_US));
    }
    anx_poll_register(&hook);
    return 0;
}

ANX_MODULE(console, .init = console_init);
