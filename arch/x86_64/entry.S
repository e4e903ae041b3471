/*
 * Boot entry of the x86_64 kernel. One ELF, linked at 1 MiB physical,
 * entered two ways, both in 32-bit protected mode with paging off:
 *
 *   PVH direct boot (QEMU -kernel with qboot / microvm): the Xen ELF note
 *   PHYS32_ENTRY (type 18) names pvh_start; %ebx = hvm_start_info.
 *   multiboot2 (GRUB): the header below, entry at the ELF e_entry
 *   (_start); %eax = 0x36d76289, %ebx = multiboot2 information.
 *
 * Both paths load our GDT, check that the RAM holds the image (below),
 * clear .bss, identity-map the first 4 GiB with 2 MiB pages, enter long
 * mode, enable SSE (and AVX through XSAVE when the CPU has it) and call
 * kmain(boot_info). The final page tables with permissions are built later
 * by plat_init (paging.c).
 *
 * The RAM check comes first because everything after it uses memory at
 * the image's end (.data, .bss, the boot stack and page tables in .noinit):
 * with too little RAM those writes vanish and the CPU triple-faults without
 * a word. It reads the loader's memory map (PVH or multiboot2) and, when
 * the RAM region holding the load address ends before __image_end +
 * ANX_BOOT_RESERVE (<anx/bootram.h>), says so on COM1 and exits with
 * status 1. It runs on a small stack inside the image's text, which is
 * loaded whenever this code is.
 */
#include <anx/bootram.h>

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
#ifdef CONFIG_DISPLAY
        /* Framebuffer request (type 5, flag 1 = optional: boot without one
         * rather than refuse): GRUB sets this mode (its closest) before the
         * jump and describes it in the information's tag 8 (boot.c), under
         * BIOS (VBE) and UEFI (GOP) alike. Only images with a display:
         * section ask; the others stay in text mode under BIOS. */
        .short 5, 1
        .long 20
        .long CONFIG_DISPLAY_WIDTH, CONFIG_DISPLAY_HEIGHT, CONFIG_DISPLAY_DEPTH
        .balign 8
#endif
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
        movl %eax, %ebp                  /* the magic, for the RAM check */
        movl %eax, x86_boot_magic
        movl %ebx, x86_boot_info
        jmp common32

        .global pvh_start
pvh_start:
        cli
        cld
        movl $0x336ec578, %ebp
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
1:      movl $ram_check_stack_top, %esp
        call ram_check                   /* returns only when the RAM holds the image */
        movl $boot_stack_top, %esp

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

/* ---- the RAM check (32-bit; %ebp = boot magic, %ebx = loader info) ----- */
ram_check:
        pushal
        xorl %esi, %esi                  /* end of the RAM holding the load address; 0 = unknown */
        cmpl $0x336ec578, %ebp
        jne 20f
        /* PVH: hvm_start_info version (4), memmap_paddr (40), memmap_entries (48) */
        cmpl $1, 4(%ebx)
        jb 40f
        movl 40(%ebx), %edi
        movl 48(%ebx), %ecx
        testl %edi, %edi
        jz 40f
11:     testl %ecx, %ecx
        jz 40f
        call ram_entry
        addl $24, %edi                   /* {u64 addr, u64 size, u32 type, u32 reserved} */
        decl %ecx
        jmp 11b
20:     cmpl $0x36d76289, %ebp           /* multiboot2: tags from info + 8 */
        jne 40f
        movl (%ebx), %edx
        addl %ebx, %edx                  /* end of the information */
        leal 8(%ebx), %edi
21:     leal 8(%edi), %eax
        cmpl %edx, %eax
        ja 40f
        movl (%edi), %eax                /* tag type; 0 ends the list */
        testl %eax, %eax
        jz 40f
        cmpl $6, %eax                    /* memory map: entry size at +8, entries from +16 */
        jne 24f
        pushl %edi
        pushl %edx
        movl 8(%edi), %ecx
        movl 4(%edi), %edx
        addl %edi, %edx                  /* end of this tag */
        addl $16, %edi
        cmpl $24, %ecx
        jb 23f
22:     leal 24(%edi), %eax
        cmpl %edx, %eax
        ja 23f
        call ram_entry
        addl %ecx, %edi
        jmp 22b
23:     popl %edx
        popl %edi
24:     movl 4(%edi), %eax               /* tag size, padded to 8 */
        cmpl $8, %eax
        jb 40f
        addl $7, %eax
        andl $~7, %eax
        addl %eax, %edi
        jmp 21b
40:     testl %esi, %esi
        jz 90f                           /* no map: nothing to check against */
        cmpl $(__image_end + ANX_BOOT_RESERVE), %esi
        jae 90f
        movl %esi, %edi
        movl $msg_ram1, %esi
        call put_str
        movl %edi, %eax
        shrl $10, %eax
        call put_dec                     /* RAM, KiB */
        movl $msg_ram2, %esi
        call put_str
        movl $(__image_end + ANX_BOOT_RESERVE + 1023), %eax
        shrl $10, %eax
        call put_dec                     /* needed, KiB */
        movl $msg_ram3, %esi
        call put_str
        movl $(__image_end + ANX_BOOT_RESERVE + 0xfffff), %eax
        shrl $20, %eax
        call put_dec                     /* needed, MiB rounded up */
        movl $msg_ram4, %esi
        call put_str
        movw $0xf4, %dx                  /* isa-debug-exit: status 1 */
        movl $1, %eax
        outl %eax, %dx
89:     hlt
        jmp 89b
90:     popal
        ret

/* One memory-map entry at %edi ({u64 base, u64 size, u32 type}): if it is
 * RAM (type 1) holding the load address (1 MiB), %esi = max(%esi, its end,
 * capped below 4 GiB). Clobbers %eax, %edx. */
ram_entry:
        cmpl $1, 16(%edi)
        jne 9f
        cmpl $0, 4(%edi)                 /* base above 4 GiB */
        jne 9f
        movl (%edi), %eax
        cmpl $0x100000, %eax
        ja 9f                            /* starts above the load address */
        cmpl $0, 12(%edi)
        jne 8f                           /* 4 GiB or more */
        addl 8(%edi), %eax
        jnc 7f
8:      movl $0xfffff000, %eax
7:      cmpl $0x100000, %eax
        jbe 9f                           /* ends at or below the load address */
        cmpl %esi, %eax
        jbe 9f
        movl %eax, %esi
9:      ret

/* COM1 output without a UART set-up (as no_long_mode does): the string at
 * %esi; the byte in %al; the unsigned number in %eax in decimal. */
put_str:
        pushl %eax
        pushl %esi
1:      movb (%esi), %al
        testb %al, %al
        jz 2f
        call put_chr
        incl %esi
        jmp 1b
2:      popl %esi
        popl %eax
        ret
put_chr:
        pushl %ecx
        pushl %edx
        pushl %eax
        movw $0x3fd, %dx
        movl $100000, %ecx
3:      inb %dx, %al                     /* wait for THR empty (bounded) */
        testb $0x20, %al
        loopz 3b
        popl %eax
        movw $0x3f8, %dx
        outb %al, %dx
        popl %edx
        popl %ecx
        ret
put_dec:
        pushal
        xorl %ecx, %ecx
        movl $10, %ebx
4:      xorl %edx, %edx
        divl %ebx
        pushl %edx                       /* digits, lowest first */
        incl %ecx
        testl %eax, %eax
        jnz 4b
5:      popl %eax
        addb $'0', %al
        call put_chr
        loop 5b
        popal
        ret

msg_ram1: .asciz "anunix: only "
msg_ram2: .asciz " KiB of RAM; this image needs at least "
msg_ram3: .asciz " KiB (memory: "
msg_ram4: .asciz "M or more)\r\n"
        .balign 16
ram_check_stack:
        .skip 512                        /* text, but written only with paging off */
ram_check_stack_top:

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
