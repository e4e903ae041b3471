/*
 * Power-off with an exit status.
 *
 * PSCI SYSTEM_OFF stops QEMU but always with exit code 0, so the status
 * would be lost. When QEMU runs with -semihosting-config enable=on,
 * target=native, the semihosting call SYS_EXIT (AArch64: hlt #0xf000 with
 * w0 = 0x18 and x1 -> {ADP_Stopped_ApplicationExit, status}) makes QEMU
 * exit with that status: platform.yaml's `exit: direct`.
 *
 * With semihosting off, `hlt` is an undefined instruction, so it is used
 * only when the kernel command line says anx.semihosting=1 (the QEMU line
 * of platform.yaml passes it together with the -semihosting-config
 * option). If hlt traps anyway, the fault path sees arm64_powering_off and
 * falls back to PSCI. The PSCI conduit (hvc on virt,secure=off; smc when
 * QEMU emulates EL2 with virtualization=on) comes from /psci "method";
 * smp.c starts the other CPUs through the same arm64_psci_call.
 */
#include <anx/platform.h>
#include <anx/panic.h>
#include "arm64.h"

int arm64_semihosting;         /* read by vectors.S too */
uintptr_t arm64_fault_uart;    /* UART data register for the recursive-fault line */
int arm64_psci_smc;
volatile int arm64_powering_off;

#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define SYS_EXIT 0x18
#define ADP_Stopped_ApplicationExit 0x20026

void arm64_power_config(bool semihosting, bool psci_smc)
{
    arm64_semihosting = semihosting;
    arm64_psci_smc = psci_smc;
}

/* SMC Calling Convention: arguments in x1-x3, the result in x0; x4-x17
 * may come back changed (SMCCC v1.0), so they are clobbers too. */
int64_t arm64_psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    if (arm64_psci_smc)
        __asm__ volatile("smc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                            "x14", "x15", "x16", "x17", "memory");
    else
        __asm__ volatile("hvc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                            "x14", "x15", "x16", "x17", "memory");
    return (int64_t)x0;
}

static void psci_call(uint64_t fn)
{
    arm64_psci_call(fn, 0, 0, 0);
}

static void psci_off(void) { psci_call(PSCI_SYSTEM_OFF); }
void arm64_psci_off(void) { psci_off(); }

_Noreturn void plat_reboot(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
    psci_call(PSCI_SYSTEM_RESET);
    plat_poweroff(ANX_EXIT_PANIC);   /* no PSCI reset: at least stop */
}

_Noreturn void plat_poweroff(int status)
{
    static uint64_t block[2];
    __asm__ volatile("msr daifset, #2" ::: "memory");
    if (!arm64_powering_off && arm64_semihosting) {
        arm64_powering_off = 1;
        block[0] = ADP_Stopped_ApplicationExit;
        block[1] = (uint64_t)(int64_t)status;
        register uint64_t x0 __asm__("x0") = SYS_EXIT;
        register uint64_t x1 __asm__("x1") = (uintptr_t)block;
        __asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
    }
    arm64_powering_off = 1;
    psci_off();
    for (;;)
        __asm__ volatile("wfi");
}
