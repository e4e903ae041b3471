/*
 * New thread stacks for plat_context_switch (context.S): a 160-byte frame
 * of callee-saved registers whose x30 is arm64_thread_start, which calls
 * entry(arg) from x19/x20 with a zero frame pointer (end of backtraces).
 */
#include <anx/platform.h>
#include "arm64.h"

void arm64_thread_start(void);

void plat_context_init(struct plat_context *ctx, void *stack_top,
                       void (*entry)(void *), void *arg)
{
    uintptr_t top = (uintptr_t)stack_top & ~(uintptr_t)15;
    uint64_t *f = (uint64_t *)(top - 160 - 16);   /* 16 bytes of slack above */
    for (int i = 0; i < 22; i++)
        f[i] = 0;
    f[0] = (uintptr_t)entry;                      /* x19 */
    f[1] = (uintptr_t)arg;                        /* x20 */
    f[10] = 0;                                    /* x29 */
    f[11] = (uintptr_t)arm64_thread_start;        /* x30 */
    ctx->sp = f;
}
