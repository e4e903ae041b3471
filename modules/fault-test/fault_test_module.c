/*
 * Test-only module: `fault KIND` triggers a CPU exception through the
 * platform (pagefault, ud, div0, write-text, exec-data ...) or a software panic, so boot
 * tests can check the fault report and the exit status 3.
 */
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/module.h>
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/printf.h>

static int cmd_fault(int argc, char **argv)
{
    if (argc != 2) {
        anx_printf("usage: fault pagefault|ud|div0|write-text|exec-data|panic\n");
        return 1;
    }
    anx_printf("triggering %s\n", argv[1]);
    if (strcmp(argv[1], "panic") == 0)
        anx_panic("requested by the fault command");
    plat_trigger_fault(argv[1]);
    anx_printf("fault '%s' did not trap (unknown kind on this platform?)\n", argv[1]);
    return 1;
}

static struct anx_command fault_cmd = {
    .name = "fault",
    .summary = "Crash on purpose (test only): pagefault, ud, div0, write-text, exec-data, panic",
    .usage = "fault pagefault|ud|div0|write-text|exec-data|panic",
    .fn = cmd_fault,
};

static int fault_init(void)
{
    return anx_command_register(&fault_cmd);
}

ANX_MODULE(fault_test, .init = fault_init);
