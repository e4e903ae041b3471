/*
 * setjmp/longjmp for x86_64 (System V ABI). jmp_buf: rbx rbp r12 r13 r14
 * r15, the caller's rsp (after the return), the return address. MXCSR
 * and the x87 control word are not saved: nothing here changes them.
 * Plain assembler (no preprocessor), so the host test can .include it.
 */
    .text
    .globl libc_setjmp
    .type libc_setjmp, @function
libc_setjmp:
    mov %rbx, 0(%rdi)
    mov %rbp, 8(%rdi)
    mov %r12, 16(%rdi)
    mov %r13, 24(%rdi)
    mov %r14, 32(%rdi)
    mov %r15, 40(%rdi)
    lea 8(%rsp), %rdx          /* rsp as it is after setjmp returns */
    mov %rdx, 48(%rdi)
    mov (%rsp), %rdx           /* the return address */
    mov %rdx, 56(%rdi)
    xor %eax, %eax
    ret
    .size libc_setjmp, . - libc_setjmp

    .globl libc_longjmp
    .type libc_longjmp, @function
libc_longjmp:
    mov %esi, %eax
    test %eax, %eax            /* longjmp(env, 0) makes setjmp return 1 */
    jnz 1f
    inc %eax
1:  mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    jmp *56(%rdi)
    .size libc_longjmp, . - libc_longjmp
    .section .note.GNU-stack, "", @progbits
