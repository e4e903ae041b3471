/*
 * Cooperative context switch. The switch is a C function call, so only
 * the SysV callee-saved state needs saving: rbx, rbp, r12-r15, and the
 * control words MXCSR and x87 CW (SysV has no callee-saved XMM registers).
 *
 * Saved stack, from the new sp upwards:
 *   [sp+0] MXCSR (4 bytes), x87 CW (2 bytes)   [sp+8] r15  r14  r13  r12
 *   rbx  rbp  return address
 */
        .section .text.plat_context_switch, "ax"
        .code64
        .global plat_context_switch
plat_context_switch:                      /* rdi = from, rsi = to */
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        subq $8, %rsp
        stmxcsr (%rsp)
        fnstcw 4(%rsp)
        movq %rsp, (%rdi)
        movq (%rsi), %rsp
        ldmxcsr (%rsp)
        fldcw 4(%rsp)
        addq $8, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        ret

/* First code of a new thread: r12 = arg, r13 = entry (see context.c). */
        .global x86_thread_start
x86_thread_start:
        movq %r12, %rdi
        xorl %ebp, %ebp                   /* ends the backtrace */
        call *%r13
        ud2                               /* entry must not return */

        .section .note.GNU-stack, "", @progbits
