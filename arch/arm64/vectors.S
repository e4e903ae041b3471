/*
 * EL1 exception vectors (VBAR_EL1). Only "current EL with SP_ELx" is
 * expected: IRQs go to arm64_irq() with every caller-saved register and
 * the whole FP/SIMD state saved (handlers are C and may use NEON).
 * Everything else is fatal: the trapped context goes to
 * arm64_fatal_exception() on a separate fault stack, one per CPU (so a
 * stack overflow still gets a report). A fault while handling a fault on
 * the same CPU powers off at once (status 3) and never loops: depth 2
 * tries semihosting then PSCI, depth 3 only PSCI, deeper parks the CPU.
 *
 * The fatal entry stashes x0-x2 in SP_EL0 (we always run on SP_EL1),
 * TPIDRRO_EL0 and TPIDR_EL0, registers nothing else uses: TPIDR_EL1 holds
 * the CPU index (plat_cpu_id) and must survive.
 */
#define FRAME_SIZE      304     /* struct arm64_frame */
#define FAULT_STACK_SHIFT 13
#define FAULT_STACK     (1 << FAULT_STACK_SHIFT)        /* 8 KiB per CPU */
#define IRQ_FRAME       736     /* 208 GPR area + 512 q0-q31 + frame record */

/* kinds, as in exception.c */
#define K_SYNC          0
#define K_IRQ           1
#define K_FIQ           2
#define K_SERROR        3
#define K_SP0           4
#define K_LOWER         5

.macro fatal kind
        msr     sp_el0, x0
        msr     tpidrro_el0, x1
        mov     x1, #\kind
        b       fatal_common
.endm

.macro slot_to label
        .balign 0x80
        b       \label
.endm

        .text
        .balign 2048
        .globl arm64_vectors
arm64_vectors:
        /* current EL with SP_EL0: we never run on SP_EL0 */
        .balign 0x80
        fatal   K_SP0
        .balign 0x80
        fatal   K_SP0
        .balign 0x80
        fatal   K_SP0
        .balign 0x80
        fatal   K_SP0
        /* current EL with SP_ELx */
        .balign 0x80
        fatal   K_SYNC
        slot_to el1_irq
        .balign 0x80
        fatal   K_FIQ
        .balign 0x80
        fatal   K_SERROR
        /* lower EL, AArch64 and AArch32: there is no lower EL code */
        .rept 8
        .balign 0x80
        fatal   K_LOWER
        .endr
        .balign 0x80

fatal_common:
        msr     tpidr_el0, x2
        mrs     x2, tpidr_el1                   /* this CPU; a wild value counts as CPU 0 */
        cmp     x2, #CONFIG_CPUS
        csel    x2, x2, xzr, lo
        adrp    x0, arm64_fault_depth
        add     x0, x0, :lo12:arm64_fault_depth
        add     x0, x0, x2, lsl #2
        ldr     w2, [x0]
        add     w2, w2, #1
        str     w2, [x0]
        cmp     w2, #1
        b.ne    fatal_recursive
        mrs     x2, tpidr_el1                   /* stack top: fault_stacks + (cpu + 1) * 8 KiB */
        cmp     x2, #CONFIG_CPUS
        csel    x2, x2, xzr, lo
        add     x2, x2, #1
        adrp    x0, fault_stacks
        add     x0, x0, :lo12:fault_stacks
        add     x0, x0, x2, lsl #FAULT_STACK_SHIFT
        mov     x2, sp                          /* trapped SP */
        mov     sp, x0
        sub     sp, sp, #FRAME_SIZE
        str     x2, [sp, #248]                  /* sp */
        str     x1, [sp, #288]                  /* kind */
        mrs     x0, sp_el0
        mrs     x1, tpidrro_el0
        stp     x0, x1, [sp, #0]
        mrs     x2, tpidr_el0
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x19, [sp, #144]
        stp     x20, x21, [sp, #160]
        stp     x22, x23, [sp, #176]
        stp     x24, x25, [sp, #192]
        stp     x26, x27, [sp, #208]
        stp     x28, x29, [sp, #224]
        str     x30, [sp, #240]
        mrs     x0, elr_el1
        mrs     x1, spsr_el1
        stp     x0, x1, [sp, #256]
        mrs     x0, esr_el1
        mrs     x1, far_el1
        stp     x0, x1, [sp, #272]
        mov     x29, #0
        mov     x30, #0
        mov     x0, sp
        bl      arm64_fatal_exception           /* does not return */
        b       fatal_recursive

fatal_recursive:
        /* w2 = depth. No stack, no C: say so on the UART, exit with status 3. */
        cmp     w2, #3
        b.hi    9f
        b.eq    8f
        adrp    x0, arm64_fault_uart
        ldr     x0, [x0, :lo12:arm64_fault_uart]
        cbz     x0, 6f
        adrp    x1, recursive_msg
        add     x1, x1, :lo12:recursive_msg
5:      ldrb    w3, [x1], #1
        cbz     w3, 6f
        str     w3, [x0]                        /* PL011 data register, no waiting */
        b       5b
6:
        adrp    x0, arm64_semihosting
        ldr     w0, [x0, :lo12:arm64_semihosting]
        cbz     w0, 8f
        adrp    x1, exit_block_panic
        add     x1, x1, :lo12:exit_block_panic
        mov     x0, #0x18                       /* SYS_EXIT */
        hlt     #0xf000
8:      movz    x0, #0x0008
        movk    x0, #0x8400, lsl #16            /* PSCI SYSTEM_OFF */
        adrp    x1, arm64_psci_smc
        ldr     w1, [x1, :lo12:arm64_psci_smc]
        cbnz    w1, 7f
        hvc     #0
        b       9f
7:      smc     #0
9:      wfi
        b       9b

/* IRQ from EL1: save what a C call may clobber, incl. q0-q31, FPCR, FPSR. */
el1_irq:
        sub     sp, sp, #IRQ_FRAME
        stp     x0, x1, [sp, #0]
        stp     x2, x3, [sp, #16]
        stp     x4, x5, [sp, #32]
        stp     x6, x7, [sp, #48]
        stp     x8, x9, [sp, #64]
        stp     x10, x11, [sp, #80]
        stp     x12, x13, [sp, #96]
        stp     x14, x15, [sp, #112]
        stp     x16, x17, [sp, #128]
        stp     x18, x29, [sp, #144]
        mrs     x0, elr_el1
        stp     x30, x0, [sp, #160]
        mrs     x0, spsr_el1
        mrs     x1, fpcr
        stp     x0, x1, [sp, #176]
        mrs     x0, fpsr
        str     x0, [sp, #192]
        add     x0, sp, #208
        stp     q0, q1, [x0, #0]
        stp     q2, q3, [x0, #32]
        stp     q4, q5, [x0, #64]
        stp     q6, q7, [x0, #96]
        stp     q8, q9, [x0, #128]
        stp     q10, q11, [x0, #160]
        stp     q12, q13, [x0, #192]
        stp     q14, q15, [x0, #224]
        stp     q16, q17, [x0, #256]
        stp     q18, q19, [x0, #288]
        stp     q20, q21, [x0, #320]
        stp     q22, q23, [x0, #352]
        stp     q24, q25, [x0, #384]
        stp     q26, q27, [x0, #416]
        stp     q28, q29, [x0, #448]
        stp     q30, q31, [x0, #480]
        ldr     x1, [sp, #168]                  /* frame record: interrupted fp, pc */
        add     x0, sp, #720
        stp     x29, x1, [x0]
        mov     x29, x0
        bl      arm64_irq
        add     x0, sp, #208
        ldp     q0, q1, [x0, #0]
        ldp     q2, q3, [x0, #32]
        ldp     q4, q5, [x0, #64]
        ldp     q6, q7, [x0, #96]
        ldp     q8, q9, [x0, #128]
        ldp     q10, q11, [x0, #160]
        ldp     q12, q13, [x0, #192]
        ldp     q14, q15, [x0, #224]
        ldp     q16, q17, [x0, #256]
        ldp     q18, q19, [x0, #288]
        ldp     q20, q21, [x0, #320]
        ldp     q22, q23, [x0, #352]
        ldp     q24, q25, [x0, #384]
        ldp     q26, q27, [x0, #416]
        ldp     q28, q29, [x0, #448]
        ldp     q30, q31, [x0, #480]
        ldp     x0, x1, [sp, #176]
        msr     spsr_el1, x0
        msr     fpcr, x1
        ldr     x0, [sp, #192]
        msr     fpsr, x0
        ldp     x30, x0, [sp, #160]
        msr     elr_el1, x0
        ldp     x0, x1, [sp, #0]
        ldp     x2, x3, [sp, #16]
        ldp     x4, x5, [sp, #32]
        ldp     x6, x7, [sp, #48]
        ldp     x8, x9, [sp, #64]
        ldp     x10, x11, [sp, #80]
        ldp     x12, x13, [sp, #96]
        ldp     x14, x15, [sp, #112]
        ldp     x16, x17, [sp, #128]
        ldp     x18, x29, [sp, #144]
        add     sp, sp, #IRQ_FRAME
        eret

        .section .rodata
        .balign 8
recursive_msg:
        .asciz  "\r\n*** fault while handling a fault; powering off (status 3)\r\n"
        .balign 8
exit_block_panic:                               /* SYS_EXIT parameter block */
        .quad   0x20026                         /* ADP_Stopped_ApplicationExit */
        .quad   3                               /* status: ANX_EXIT_PANIC */

        .section .bss.fault_stack, "aw", %nobits
        .balign 16
fault_stacks:
        .space  FAULT_STACK * CONFIG_CPUS

        .bss
        .balign 4
        .globl arm64_fault_depth
arm64_fault_depth:                              /* per CPU: unsigned[CONFIG_CPUS] */
        .space  4 * CONFIG_CPUS

        .section .note.GNU-stack, "", %progbits
