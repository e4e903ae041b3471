/*
 * Thread contexts of the host platforms (host/plat.c and tests/unit's
 * simulated one): one ucontext per core thread, on the stack the core
 * allocated for it. The core never gives a thread less than 8 KiB, and a
 * context's stack grows down from stack_top, so telling ucontext about the
 * last 8 KiB is enough. The thread that first switches away (the program's
 * own main) gets a context of its own.
 */
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#include <anx/panic.h>
#include <anx/platform.h>

struct host_ctx {
    ucontext_t uc;
    void (*entry)(void *);
    void *arg;
};

static struct host_ctx main_ctx;

/* makecontext passes int arguments only: the pointer goes in two halves. */
static void trampoline(unsigned hi, unsigned lo)
{
    struct host_ctx *c = (struct host_ctx *)(((uintptr_t)hi << 32) | lo);
    c->entry(c->arg);
    anx_panic("a thread's entry function returned");
}

void plat_context_init(struct plat_context *ctx, void *stack_top, void (*entry)(void *), void *arg)
{
    struct host_ctx *c = calloc(1, sizeof *c);
    if (!c)
        anx_panic("out of memory for a thread context");
    getcontext(&c->uc);
    c->uc.uc_stack.ss_sp = (char *)stack_top - 8192;
    c->uc.uc_stack.ss_size = 8192;
    c->uc.uc_link = NULL;
    c->entry = entry;
    c->arg = arg;
    uintptr_t p = (uintptr_t)c;
    makecontext(&c->uc, (void (*)(void))trampoline, 2, (unsigned)(p >> 32), (unsigned)p);
    ctx->sp = c;
}

void plat_context_switch(struct plat_context *from, struct plat_context *to)
{
    if (!from->sp)
        from->sp = &main_ctx;
    swapcontext(&((struct host_ctx *)from->sp)->uc, &((struct host_ctx *)to->sp)->uc);
}
