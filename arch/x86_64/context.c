/* Thread context creation; the switch itself is in context.S. */
#include <anx/platform.h>

extern char x86_thread_start[];

void plat_context_init(struct plat_context *ctx, void *stack_top,
                       void (*entry)(void *), void *arg)
{
    uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~(uintptr_t)15);
    *--sp = (uint64_t)(uintptr_t)x86_thread_start;  /* ret target; rsp then 16-aligned */
    *--sp = 0;                                      /* rbp */
    *--sp = 0;                                      /* rbx */
    *--sp = (uint64_t)(uintptr_t)arg;               /* r12 */
    *--sp = (uint64_t)(uintptr_t)entry;             /* r13 */
    *--sp = 0;                                      /* r14 */
    *--sp = 0;                                      /* r15 */
    *--sp = 0x037FULL << 32 | 0x1F80;               /* MXCSR default, x87 CW default */
    ctx->sp = sp;
}
