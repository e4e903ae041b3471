/*
 * Boot entry of the x86_64 kernel. One ELF, linked at 1 MiB physical,
 * entered two ways, both in 32-bit protected mode with paging off:
 *
 *   PVH direct boot (QEMU -kernel with qboot / microvm): the Xen ELF note
 *   PHYS32_ENTRY (type 18) names pvh_start; %ebx = hvm_start_info.
 *   multiboot2 (GRUB): the header below, entry at the ELF e_entry
 *   (_start); %eax = 0x36d76289, %ebx = multiboot2 information.
 *
 * Both paths load our GDT, clear .bss, identity-map the first 4 GiB with
 * 2 MiB pages, enter long mode, enable SSE (and AVX through XSAVE when the
 * CPU has it) and call kmain(boot_info). The final page tables with
 * permissions are built later by plat_init (paging.c).
 */
#define CR0_PE  (1 << 0)
#define CR0_MP  (1 << 1)
#define CR0_EM  (1 << 2)
#define CR0_TS  (1 << 3)
#define CR0_NE  (1 << 5)
#define CR0_WP  (1 << 16)
#define CR0_PG  (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_OSFXSR (1 << 9)
#define CR4_OSXMMEXCPT (1 << 10)
#define CR4_OSXSAVE (1 << 18)

/* ---- multiboot2 header: must lie in the first 32 KiB, 8-aligned ------- */
        .section .multiboot2, "a"
        .balign 8
mb2_header:
        .long 0xE85250D6                 /* magic */
        .long 0                          /* architecture: i386 protected mode */
        .long mb2_header_end - mb2_header
        .long 0x100000000 - (0xE85250D6 + (mb2_header_end - mb2_header))
        .short 0, 0                      /* end tag */
        .long 8
mb2_header_end:

/* ---- PVH: Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY ---------------------- */
        .section .note.Xen, "a", @note
        .balign 4
        .long 4                          /* namesz */
        .long 8                          /* descsz: QEMU reads 8 bytes for ELF64 */
        .long 18                         /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .balign 4
        .quad pvh_start

/* ---- 32-bit entry ---------------------------------------------------- */
        .section .text.entry, "ax"
        .code32
        .global _start
_start:                                  /* multiboot2 */
        cli
        cld
        movl %eax, x86_boot_magic
        movl %ebx, x86_boot_info
        jmp common32

        .global pvh_start
pvh_start:
        cli
        cld
        movl $0x336ec578, x86_boot_magic
        movl %ebx, x86_boot_info

common32:
        rdtsc
        movl %eax, x86_boot_tsc
        movl %edx, x86_boot_tsc + 4

        lgdt gdt_ptr32
        movl $0x10, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        ljmp $0x18, $1f
1:      movl $boot_stack_top, %esp

        /* clear .bss (small: stacks and page tables live in .noinit) */
        movl $__bss_start, %edi
        movl $__bss_end, %ecx
        subl %edi, %ecx
        shrl $2, %ecx
        xorl %eax, %eax
        rep stosl
        movl $early_pml4, %edi           /* PML4 + PDPT: 2 pages of zeros */
        movl $2048, %ecx
        rep stosl

        /* long mode available? */
        movl $0x80000000, %eax
        cpuid
        cmpl $0x80000001, %eax
        jb no_long_mode
        movl $0x80000001, %eax
        cpuid
        testl $(1 << 29), %edx
        jz no_long_mode
        movl %edx, %esi                  /* bit 20 = NX, bit 26 = 1 GiB pages */

        /* early identity map of 0..4 GiB: four 1 GiB pages, or 2048 2 MiB pages */
        movl $early_pdpt, %eax
        orl $3, %eax
        movl %eax, early_pml4
        testl $(1 << 26), %esi
        jz 1f
        movl $0x83, early_pdpt           /* present, writable, 1 GiB */
        movl $0x40000083, early_pdpt + 8
        movl $0x80000083, early_pdpt + 16
        movl $0xC0000083, early_pdpt + 24
        jmp 3f
1:      movl $early_pd, %eax
        orl $3, %eax
        movl %eax, early_pdpt
        addl $0x1000, %eax
        movl %eax, early_pdpt + 8
        addl $0x1000, %eax
        movl %eax, early_pdpt + 16
        addl $0x1000, %eax
        movl %eax, early_pdpt + 24
        movl $early_pd, %edi
        xorl %ecx, %ecx                  /* ecx = 2 MiB page index, 0..2047 */
2:      movl %ecx, %eax
        shll $21, %eax
        orl $0x83, %eax                  /* present, writable, 2 MiB */
        movl %eax, (%edi)
        movl %ecx, %eax
        shrl $11, %eax                   /* bits 32+ of the address */
        movl %eax, 4(%edi)
        addl $8, %edi
        incl %ecx
        cmpl $2048, %ecx
        jb 2b
3:
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4
        movl $early_pml4, %eax
        movl %eax, %cr3
        movl $0xC0000080, %ecx           /* EFER */
        rdmsr
        orl $(1 << 8), %eax              /* LME */
        testl $(1 << 20), %esi
        jz 4f
        orl $(1 << 11), %eax             /* NXE */
4:      wrmsr
        movl %cr0, %eax
        orl $(CR0_PG | CR0_PE | CR0_WP), %eax
        movl %eax, %cr0
        ljmp $0x08, $long64

no_long_mode:
        movl $msg_no_lm, %esi
4:      movb (%esi), %al
        testb %al, %al
        jz 6f
        movw $0x3fd, %dx
        movl $100000, %ecx
5:      inb %dx, %al                     /* wait for THR empty (bounded) */
        testb $0x20, %al
        loopz 5b
        movb (%esi), %al
        movw $0x3f8, %dx
        outb %al, %dx
        incl %esi
        jmp 4b
6:      movw $0xf4, %dx                  /* isa-debug-exit status 3 */
        movl $3, %eax
        outl %eax, %dx
7:      hlt
        jmp 7b

/* ---- 64-bit ------------------------------------------------------------ */
        .code64
long64:
        movl $0x10, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        movabsq $boot_stack_top, %rsp
        xorl %ebp, %ebp

        /* SSE: CR0.EM=0 MP=1 NE=1 TS=0; CR4.OSFXSR|OSXMMEXCPT */
        movq %cr0, %rax
        andq $~(CR0_EM | CR0_TS), %rax
        orq $(CR0_MP | CR0_NE), %rax
        movq %rax, %cr0
        movq %cr4, %rax
        orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
        movq %rax, %cr4

        /* XSAVE + AVX: CR4.OSXSAVE, XCR0 = x87|SSE|AVX */
        movl $1, %eax
        cpuid
        btl $26, %ecx                    /* XSAVE */
        jnc 8f
        movl %ecx, %esi
        movq %cr4, %rax
        orq $CR4_OSXSAVE, %rax
        movq %rax, %cr4
        movl $3, %eax                    /* x87 | SSE */
        btl $28, %esi                    /* AVX */
        jnc 9f
        orl $4, %eax
9:      xorl %edx, %edx
        xorl %ecx, %ecx
        xsetbv
        movl $0xD, %eax                  /* size of the XSAVE area for XCR0 */
        xorl %ecx, %ecx
        cpuid
        cmpl $576, %ebx
        jb 8f
        cmpl $16384, %ebx
        ja 8f
        movl %ebx, x86_fpu_size(%rip)
        movb $1, x86_use_xsave(%rip)
8:      fninit
        ldmxcsr mxcsr_default(%rip)

        movl x86_boot_info(%rip), %edi
        call kmain
        movl $3, %edi                    /* kmain must not return */
        call plat_poweroff
10:     hlt
        jmp 10b

/* ---- data ---------------------------------------------------------------- */
        .section .rodata
msg_no_lm:
        .asciz "anunix: this CPU has no 64-bit long mode\r\n"
        .balign 4
mxcsr_default:
        .long 0x1f80

        .balign 16
gdt:
        .quad 0                          /* null */
        .quad 0x00af9b000000ffff         /* 0x08 code64 (accessed bit preset: GDT is read-only) */
        .quad 0x00cf93000000ffff         /* 0x10 data */
        .quad 0x00cf9b000000ffff         /* 0x18 code32 */
gdt_end:
gdt_ptr32:
        .short gdt_end - gdt - 1
        .long gdt

        .section .data
        .balign 8
        .global x86_boot_magic, x86_boot_info, x86_boot_tsc, x86_fpu_size, x86_use_xsave
x86_boot_tsc:   .quad 0
x86_boot_magic: .long 0
x86_boot_info:  .long 0
x86_fpu_size:   .long 512
x86_use_xsave:  .byte 0

        /* not cleared at boot: written before use */
        .section .noinit.boot, "aw", @nobits
        .balign 4096
        .global early_pml4, early_pdpt, early_pd
early_pml4:     .skip 4096
early_pdpt:     .skip 4096
early_pd:       .skip 4096 * 4
        .global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:  .skip 4096            /* left unmapped by paging.c */
boot_stack_bottom: .skip 16384
boot_stack_top:

        .section .note.GNU-stack, "", @progbits
