/* Power-off with an exit status. */
#define LOG_TAG "power"
#include <anx/kernel.h>
#include <anx/log.h>
#include <anx/platform.h>

void anx_poweroff(int status)
{
    log_info("power off, status %d", status);
    plat_irq_disable();
    plat_poweroff(status);
}
