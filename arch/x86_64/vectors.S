/*
 * Interrupt and exception entry: 256 stubs of 8 bytes (X86_ISR_STUB; 16
 * would be 2 KiB more) that push the vector as a signed byte (the common
 * path masks it back to 0..255) and jump, with a 32-bit displacement so
 * that every stub has the same size, to the common path; where the CPU
 * pushes no error code they go through two instructions that slide a 0 in
 * as one. The common path saves every general register and the full FP/SIMD
 * state (XSAVE of x87|SSE|AVX, FXSAVE where the CPU has no XSAVE), because the C
 * handlers are compiled with SSE allowed. The frame layout is
 * struct x86_frame in x86.h.
 */
        .section .text.x86_isr, "ax"
        .code64
        .balign 16
        .global x86_isr_stubs
x86_isr_stubs:
        .set vec, 0
        .rept 256
        pushq $(vec - ((vec >> 7) << 8))        /* 2 bytes: 128..255 as -128..-1 */
        .if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        {disp32} jmp x86_isr_common             /* 5 bytes */
        .else
        {disp32} jmp x86_isr_noerr
        .endif
        .org x86_isr_stubs + (vec + 1) * 8, 0x90  /* the assembler fails if a stub is longer */
        .set vec, vec + 1
        .endr

x86_isr_noerr:                           /* [vector][rip...] -> [vector][0][rip...] */
        pushq (%rsp)
        movq $0, 8(%rsp)
x86_isr_common:
        andq $0xff, (%rsp)
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        cld
        movq %rsp, %r12                  /* r12 = frame (callee-saved) */
        movl x86_fpu_size(%rip), %eax
        subq %rax, %rsp
        andq $-64, %rsp
        cmpb $0, x86_use_xsave(%rip)
        je 1f
        xorl %eax, %eax                  /* XSAVE leaves the header bytes 8..63 alone */
        movq %rax, 512(%rsp)
        movq %rax, 520(%rsp)
        movq %rax, 528(%rsp)
        movq %rax, 536(%rsp)
        movq %rax, 544(%rsp)
        movq %rax, 552(%rsp)
        movq %rax, 560(%rsp)
        movq %rax, 568(%rsp)
        movl $-1, %eax
        movl $-1, %edx
        xsave64 (%rsp)
        jmp 2f
1:      fxsave64 (%rsp)
2:      movq %r12, %rdi
        call x86_trap
        cmpb $0, x86_use_xsave(%rip)
        je 3f
        movl $-1, %eax
        movl $-1, %edx
        xrstor64 (%rsp)
        jmp 4f
3:      fxrstor64 (%rsp)
4:      movq %r12, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp                   /* vector, error code */
        iretq

        .section .note.GNU-stack, "", @progbits
