/* The console module (modules/console/console_module.c) on the host platform:
 * without a receive interrupt it polls, and polled bytes reach readers. */
#include <stdint.h>
#define UNIT_FILE "console/serial"
#include "unit.h"
#include <anx/console.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>

extern const struct anx_module_ops anx_module_console;
extern int (*unit_console_getc_hook)(void);

static const char *uart = "ls\n";
static int fake_uart(void) { return *uart ? (unsigned char)*uart++ : -1; }

TEST(polls_without_irq)
{
    unit_heap_init(1u << 20);
    anx_threads_init();
    unit_console_getc_hook = fake_uart;
    CHECK_EQ(anx_module_console.init(), 0);
    CHECK(anx_console_echo());            /* CONFIG_CONSOLE_ECHO 1 */
    anx_yield();                          /* poll hooks run on yield */
    CHECK_EQ(anx_console_trygetc(), 'l');
    CHECK_EQ(anx_console_trygetc(), 's');
    CHECK_EQ(anx_console_trygetc(), '\n');
    CHECK_EQ(anx_console_trygetc(), -1);
}

int main(void)
{
    RUN(polls_without_irq);
    return unit_done();
}
