/*
 * Where a CPU started by PSCI CPU_ON (smp.c) begins: at EL2 or EL1 (QEMU's
 * PSCI starts it at the highest EL the guest has, as the PSCI spec asks),
 * MMU and caches off, x0 = the context id smp.c passed: its index.
 *
 * It makes itself what the boot CPU is when kmain runs (entry.S, mmu.c):
 * EL1, interrupts masked, FP/SIMD on, its index in TPIDR_EL1, the vectors,
 * then the boot CPU's MAIR_EL1, TCR_EL1, TTBR0_EL1 (the final tables) and
 * SCTLR_EL1 (MMU, caches, alignment and WXN bits) from arm64_smp_boot,
 * which smp.c filled and cleaned to the point of coherency (this CPU reads
 * it uncached), then the stack the core gave it and
 * arm64_secondary_main(cpu). The map is the identity, so nothing moves
 * when the MMU goes on.
 */

/* struct arm64_smp_boot (smp.c checks the offsets) */
#define BOOT_MAIR       0
#define BOOT_TCR        8
#define BOOT_TTBR0      16
#define BOOT_SCTLR      24
#define BOOT_STACK      32              /* uint64_t stack[CONFIG_CPUS] */

        .text
        .balign 8
        .globl arm64_secondary_entry
arm64_secondary_entry:
        mov     x19, x0                 /* this CPU's index */
        mrs     x1, CurrentEL
        lsr     x1, x1, #2
        and     x1, x1, #3
        cmp     x1, #2
        b.ne    1f
        bl      arm64_el2_to_el1        /* entry.S; returns at EL1 */
1:      msr     daifset, #0xf
        mov     x0, #(3 << 20)          /* CPACR_EL1.FPEN: no FP/SIMD traps */
        msr     cpacr_el1, x0
        isb
        msr     fpcr, xzr               /* round to nearest, no traps: the reset value */
        cmp     x19, #CONFIG_CPUS       /* not an index smp.c gives: stay off */
        b.hs    3f
        msr     tpidr_el1, x19
        adrp    x0, arm64_vectors
        add     x0, x0, :lo12:arm64_vectors
        msr     vbar_el1, x0
        msr     spsel, #1
        adrp    x1, arm64_smp_boot
        add     x1, x1, :lo12:arm64_smp_boot
        ldr     x0, [x1, #BOOT_MAIR]
        msr     mair_el1, x0
        ldr     x0, [x1, #BOOT_TCR]
        msr     tcr_el1, x0
        ldr     x0, [x1, #BOOT_TTBR0]
        msr     ttbr0_el1, x0
        isb
        tlbi    vmalle1                 /* nothing stale from before this start */
        ic      iallu
        dsb     nsh
        isb
        ldr     x0, [x1, #BOOT_SCTLR]
        msr     sctlr_el1, x0           /* MMU and caches on */
        isb
        add     x1, x1, #BOOT_STACK
        ldr     x0, [x1, x19, lsl #3]
        mov     sp, x0
        mov     x29, #0
        mov     x30, #0
        mov     x0, x19
        bl      arm64_secondary_main    /* does not return */
3:      wfi
        b       3b

        .section .note.GNU-stack, "", %progbits
