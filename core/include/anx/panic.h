/*
 * Fatal errors (core/panic.c). anx_panic and anx_fault_report print a
 * report with a backtrace and power off with ANX_EXIT_PANIC (3). A fault or
 * panic while reporting one powers off at once.
 *
 * Exception: with the supervisor module in the image, a CPU fault the arch
 * marks containable, or anx_fail(), in a service's thread prints the same
 * report, then "contained: ..." and ends that thread alone; the supervisor
 * cleans up and restarts it (<anx/service.h>). anx_panic never does: it is
 * for broken invariants of the whole image.
 *
 * For the arch engineers: a CPU exception handler that cannot recover
 * prints the registers of the trapped context (it may use anx_printf),
 * fills a struct anx_fault and calls anx_fault_report(). The core prints
 *
 *     FAULT: <name> (vector <v>, error <e>) at pc 0x... [addr 0x...]
 *     backtrace:
 *       #0 0x...
 *
 * walking plat_backtrace() from the trapped frame pointer, then powers off.
 */
#ifndef ANX_PANIC_H
#define ANX_PANIC_H

#include <stdint.h>

#define ANX_EXIT_OK 0
#define ANX_EXIT_FAILURE 1
#define ANX_EXIT_PANIC 3

struct anx_fault {
    const char *name;      /* "page fault", "invalid opcode", "Data Abort" */
    unsigned long vector;  /* exception vector / ESR class */
    unsigned long error;   /* error code / ESR */
    uintptr_t pc;          /* trapped instruction */
    uintptr_t sp;          /* trapped stack pointer */
    uintptr_t fp;          /* trapped frame pointer (start of backtrace) */
    uintptr_t addr;        /* faulting data address (CR2 / FAR) */
    int has_addr;          /* addr is meaningful */
    int containable;       /* a thread's own fault on its own stack with interrupts on:
                              the core may end that thread alone (<anx/service.h>) */
};

_Noreturn void anx_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void anx_fault_report(const struct anx_fault *f);

/* Print "backtrace:" and the return addresses from frame (0 = caller). */
void anx_backtrace_print(uintptr_t frame);

/* A module's own check failed: ends only the calling thread when it is a
 * supervised service (<anx/service.h>), else as anx_panic. */
_Noreturn void anx_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define ANX_FAIL_MAX 256   /* a longer message is cut (a service keeps 96 bytes of it) */

#define ANX_ASSERT(cond) \
    do { if (!(cond)) anx_fail("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__); } while (0)

#endif
