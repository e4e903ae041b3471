/*
 * Thread context switch. A switched-out thread's stack holds (from sp up)
 * x19..x28, x29 (fp), x30 (lr), d8..d15: the AAPCS64 callee-saved set,
 * 160 bytes. struct plat_context holds only that sp. plat_context_init
 * (context.c) builds the same frame with x19 = entry, x20 = arg and
 * lr = arm64_thread_start.
 */
        .text
        .globl plat_context_switch
plat_context_switch:                    /* x0 = from, x1 = to */
        sub     sp, sp, #160
        stp     x19, x20, [sp, #0]
        stp     x21, x22, [sp, #16]
        stp     x23, x24, [sp, #32]
        stp     x25, x26, [sp, #48]
        stp     x27, x28, [sp, #64]
        stp     x29, x30, [sp, #80]
        stp     d8, d9, [sp, #96]
        stp     d10, d11, [sp, #112]
        stp     d12, d13, [sp, #128]
        stp     d14, d15, [sp, #144]
        mov     x9, sp
        str     x9, [x0]
        ldr     x9, [x1]
        mov     sp, x9
        ldp     x19, x20, [sp, #0]
        ldp     x21, x22, [sp, #16]
        ldp     x23, x24, [sp, #32]
        ldp     x25, x26, [sp, #48]
        ldp     x27, x28, [sp, #64]
        ldp     x29, x30, [sp, #80]
        ldp     d8, d9, [sp, #96]
        ldp     d10, d11, [sp, #112]
        ldp     d12, d13, [sp, #128]
        ldp     d14, d15, [sp, #144]
        add     sp, sp, #160
        ret

        .globl arm64_thread_start
arm64_thread_start:                     /* first switch to a new thread lands here */
        mov     x29, #0                 /* end of the frame-pointer chain */
        mov     x30, #0
        mov     x0, x20
        blr     x19
        bl      arm64_thread_returned   /* entry must not return */
1:      b       1b

        .section .note.GNU-stack, "", %progbits
