/*
 * The start code of the other CPUs (x86 "application processors").
 *
 * A CPU woken by INIT-SIPI-SIPI starts in 16-bit real mode at the 4 KiB
 * page the SIPI names. smp.c copies this blob to TRAMPOLINE (below 1 MiB,
 * kept out of the page allocator) with a mailbox at its end, then sends the
 * SIPI. The code goes real mode -> protected mode -> long mode on the boot
 * page tables (entry.S's identity map, executable, unlike the final map's
 * low memory) and jumps to x86_ap_entry64 in the kernel, which switches to
 * the final page tables. Everything here addresses itself as
 * TRAMPOLINE + offset, since it runs away from where it was linked.
 */
#define TRAMPOLINE 0x8000
#define T(sym) ((sym) - x86_smp_trampoline + TRAMPOLINE)

        .section .rodata.smp_trampoline, "a"
        .balign 16
        .global x86_smp_trampoline, x86_smp_trampoline_end, x86_smp_mailbox
        .code16
x86_smp_trampoline:
        cli
        cld
        xorw %ax, %ax
        movw %ax, %ds
        lgdtl T(tr_gdtr)
        movl %cr0, %eax
        orl $1, %eax                        /* PE */
        movl %eax, %cr0
        ljmpl $0x08, $T(tr_32)

        .code32
tr_32:
        movl $0x10, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %cr4, %eax
        orl $(1 << 5), %eax                 /* PAE */
        movl %eax, %cr4
        movl T(mb_cr3_boot), %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx              /* EFER: the boot CPU's LME/NXE */
        movl T(mb_efer), %eax
        xorl %edx, %edx
        wrmsr
        movl %cr0, %eax
        orl $((1 << 31) | (1 << 16)), %eax  /* PG, WP */
        movl %eax, %cr0
        ljmpl $0x18, $T(tr_64)

        .code64
tr_64:
        movl $0x10, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movq T(mb_stack), %rsp
        movq T(mb_entry), %rax
        jmp *%rax

        .balign 8
tr_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff            /* 0x08 code32 */
        .quad 0x00cf92000000ffff            /* 0x10 data */
        .quad 0x00af9a000000ffff            /* 0x18 code64 */
tr_gdtr:
        .word tr_gdtr - tr_gdt - 1
        .long T(tr_gdt)

        .balign 8
x86_smp_mailbox:                            /* struct x86_smp_mailbox (smp.c) */
mb_cr3_boot:    .quad 0
mb_efer:        .quad 0
mb_stack:       .quad 0
mb_entry:       .quad 0
x86_smp_trampoline_end:

        .text
        .code64
/* On the started CPU's stack (mb_stack), still on the boot page tables. */
        .global x86_ap_entry64
x86_ap_entry64:
        xorl %ebp, %ebp
        call x86_ap_main
1:      hlt
        jmp 1b
        .section .note.GNU-stack, "", @progbits
