/* One CPU on arm64 for now: PSCI CPU_ON comes next. */
#include <anx/platform.h>

unsigned plat_cpu_id(void) { return 0; }
unsigned plat_cpus_present(void) { return 1; }
int plat_cpu_start(unsigned cpu, void *stack_top, void (*entry)(unsigned))
{
    (void)cpu, (void)stack_top, (void)entry;
    return -1;
}
void plat_ipi_send(unsigned cpu) { (void)cpu; }
