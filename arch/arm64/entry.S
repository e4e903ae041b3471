/*
 * arm64 boot entry. The image starts with a Linux arm64 Image header so
 * that QEMU's -kernel loads it at RAM base + text_offset (0x40200000 on
 * virt) and enters it at EL1 (or EL2 with virtualization=on) with the
 * device tree address in x0, the MMU and caches off.
 *
 * Steps: FP/SIMD on (C code may use NEON), drop EL2 -> EL1 when needed,
 * CPU index 0 in TPIDR_EL1 (plat_cpu_id), vectors, the RAM check, boot
 * stack, zero .bss, record the counter, arm64_boot() (page tables, MMU on),
 * then kmain(dtb).
 *
 * The same header makes the raw Image a PE/COFF EFI application, the way
 * Linux's EFI stub does: code0 starts with "MZ" (an harmless ccmp), the
 * reserved word at 0x3c points at a PE header, and the EFI entry
 * (arm64_efi_entry, efi.c) finds the device tree, exits boot services and
 * enters arm64_entry like a direct boot. UEFI loads the image at its
 * ImageBase, the link address (relocations stripped), so no copy is needed.
 *
 * The RAM check (arm64_ram_check in boot.c) runs first on a stack just
 * below the image, in the 2 MiB of RAM under its load address: the boot
 * stack and .bss lie at the image's end, which too little RAM leaves
 * without memory (the check then says so and powers off).
 */
#define SCTLR_EL1_RES1  0x30d00800      /* RES1 bits; MMU, caches off */

        .section .text.head, "ax"
        .globl _start
_start:
        ccmp    x18, #0, #0xd, pl       /* code0: "MZ", the PE/COFF DOS signature */
        b       arm64_entry             /* code1 */
        .quad   0x200000                /* text_offset: 2 MiB above the RAM base */
        .quad   __image_size            /* image_size incl. .bss and page tables */
        .quad   0x2                     /* flags: little endian, 4 KiB pages */
        .quad   0, 0, 0                 /* reserved */
        .ascii  "ARM\x64"               /* magic at offset 56 */
        .long   pe_header - _start      /* PE header offset */

/* PE32+ headers (Microsoft PE/COFF; UEFI spec 2.1.1): one section from
 * 4 KiB to the image end (.bss included: the loader zeroes it), its file
 * offsets equal to its addresses. */
        .balign 8
pe_header:
        .ascii  "PE\0\0"
        .short  0xaa64                  /* Machine: arm64 */
        .short  1                       /* NumberOfSections */
        .long   0, 0, 0                 /* TimeDateStamp, symbol table */
        .short  section_table - optional_header
        .short  0x0207                  /* relocs stripped, executable, no line numbers, no debug */
optional_header:
        .short  0x20b                   /* PE32+ */
        .byte   2, 20                   /* linker version */
        .long   __efi_raw_size          /* SizeOfCode */
        .long   0, 0                    /* SizeOfInitializedData, SizeOfUninitializedData */
        .long   __efi_entry_rva         /* AddressOfEntryPoint */
        .long   __efi_headers_size      /* BaseOfCode */
        .quad   __image_start           /* ImageBase: the link address */
        .long   0x1000                  /* SectionAlignment */
        .long   0x200                   /* FileAlignment */
        .short  0, 0, 0, 0, 0, 0        /* OS, image, subsystem versions */
        .long   0                       /* Win32VersionValue */
        .long   __image_size            /* SizeOfImage */
        .long   __efi_headers_size      /* SizeOfHeaders */
        .long   0                       /* CheckSum */
        .short  10                      /* Subsystem: EFI application */
        .short  0                       /* DllCharacteristics */
        .quad   0, 0, 0, 0              /* stack and heap reserve/commit */
        .long   0                       /* LoaderFlags */
        .long   6                       /* NumberOfRvaAndSizes */
        .quad   0, 0, 0, 0, 0, 0        /* no exports, imports, resources, exceptions, certificates, relocations */
section_table:
        .ascii  ".text\0\0\0"
        .long   __efi_virt_size         /* VirtualSize */
        .long   __efi_headers_size      /* VirtualAddress */
        .long   __efi_raw_size          /* SizeOfRawData */
        .long   __efi_headers_size      /* PointerToRawData */
        .long   0, 0                    /* relocations, line numbers */
        .short  0, 0
        /* code, execute, read: not write, which would make the firmware's
         * image protection map it non-executable; the EFI entry writes
         * nothing in the image */
        .long   0x60000020

arm64_entry:
        mov     x19, x0                 /* device tree */
        mrs     x20, cntvct_el0         /* boot counter (virtual = physical here) */
        mov     x0, #(3 << 20)          /* CPACR_EL1.FPEN: no FP/SIMD traps */
        msr     cpacr_el1, x0
        mrs     x21, CurrentEL
        lsr     x21, x21, #2
        and     x21, x21, #3
        cmp     x21, #1
        b.eq    el1_entry
        cmp     x21, #2
        b.eq    el2_entry
1:      wfe                             /* EL3 (secure=on): not supported */
        b       1b

el2_entry:
        bl      arm64_el2_to_el1        /* returns at EL1 */
        b       el1_entry

/*
 * EL2 -> EL1 for the boot CPU and the CPUs PSCI starts (smp_entry.S), which
 * come up at EL2 too when the machine has it: AArch64 EL1, counter and
 * timer for EL1 (CNTHCTL_EL2, CNTVOFF_EL2 = 0, so every CPU's virtual
 * counter is the same), no FP/SIMD traps, the GICv3 system registers for
 * EL1, SCTLR_EL1 in a known state; then eret to x30 at EL1 with DAIF
 * masked. Uses x0 and x1 only, no stack.
 */
        .globl arm64_el2_to_el1
arm64_el2_to_el1:
        mov     x0, #(1 << 31)          /* HCR_EL2.RW: EL1 is AArch64 */
        msr     hcr_el2, x0
        mrs     x0, cnthctl_el2
        orr     x0, x0, #3              /* EL1PCTEN | EL1PCEN: counter+timer at EL1 */
        msr     cnthctl_el2, x0
        msr     cntvoff_el2, xzr
        mov     x0, #0x33ff             /* CPTR_EL2: no FP/SIMD traps */
        msr     cptr_el2, x0
        msr     hstr_el2, xzr
        msr     vttbr_el2, xzr
        mrs     x0, id_aa64pfr0_el1     /* GIC system registers present? */
        ubfx    x0, x0, #24, #4
        cbz     x0, 2f
        mrs     x0, S3_4_C12_C9_5       /* ICC_SRE_EL2: SRE | Enable (EL1 may use SRE) */
        mov     x1, #0x9
        orr     x0, x0, x1
        msr     S3_4_C12_C9_5, x0
        isb
2:      mrs     x0, midr_el1            /* what EL1 reads as MIDR/MPIDR */
        msr     vpidr_el2, x0
        mrs     x0, mpidr_el1
        msr     vmpidr_el2, x0
        ldr     x0, =SCTLR_EL1_RES1
        msr     sctlr_el1, x0
        mov     x0, #0x3c5              /* EL1h, D A I F masked */
        msr     spsr_el2, x0
        msr     elr_el2, x30
        eret

el1_entry:
        ldr     x0, =SCTLR_EL1_RES1     /* known state: MMU, caches, align checks off */
        msr     sctlr_el1, x0
        msr     tpidr_el1, xzr          /* plat_cpu_id(): the boot CPU is CPU 0 */
        mov     x0, #(3 << 20)
        msr     cpacr_el1, x0
        isb
        msr     daifset, #0xf
        adrp    x0, arm64_vectors
        add     x0, x0, :lo12:arm64_vectors
        msr     vbar_el1, x0
        msr     spsel, #1
        adrp    x0, __image_start
        add     x0, x0, :lo12:__image_start
        mov     sp, x0
        mov     x0, x19
        bl      arm64_ram_check         /* returns only when the RAM holds the image */
        adrp    x0, boot_stack_top
        add     x0, x0, :lo12:boot_stack_top
        mov     sp, x0
        adrp    x0, __bss_start         /* zero .bss; 16-byte aligned stores, */
        add     x0, x0, :lo12:__bss_start /* safe with the MMU off (Device memory) */
        adrp    x1, __bss_end
        add     x1, x1, :lo12:__bss_end
3:      cmp     x0, x1
        b.hs    4f
        stp     xzr, xzr, [x0], #16
        b       3b
4:      adrp    x0, arm64_boot_counter
        str     x20, [x0, :lo12:arm64_boot_counter]
        adrp    x0, arm64_entry_el
        str     x21, [x0, :lo12:arm64_entry_el]
        mov     x29, #0
        mov     x30, #0
        mov     x0, x19
        bl      arm64_boot              /* MMU on; returns the checked DTB */
        mov     x29, #0
        mov     x30, #0
        bl      kmain
5:      mov     w0, #3                  /* kmain returned: should not happen */
        bl      plat_poweroff
        b       5b

/*
 * The EFI entry: x0 = image handle, x1 = system table, on the firmware's
 * stack with its MMU (identity map) and caches on. arm64_efi_main (efi.c)
 * returns the device tree's new address after ExitBootServices, or 0 after
 * printing why it cannot boot (returned to the firmware as
 * EFI_LOAD_ERROR). Then MMU and caches off, as a direct boot enters.
 */
        .section .text.efi, "ax"        /* kept: only the PE header names it */
        .globl arm64_efi_entry
arm64_efi_entry:
        stp     x29, x30, [sp, #-16]!
        mov     x29, sp
        bl      arm64_efi_main
        cbnz    x0, 1f
        ldp     x29, x30, [sp], #16
        mov     x0, #1
        orr     x0, x0, #(1 << 63)      /* EFI_LOAD_ERROR */
        ret
1:      mov     x19, x0
        msr     daifset, #0xf
        mrs     x1, CurrentEL
        cmp     x1, #(2 << 2)
        b.eq    2f
        mrs     x1, sctlr_el1
        bic     x1, x1, #1              /* M */
        bic     x1, x1, #(1 << 2)       /* C */
        bic     x1, x1, #(1 << 12)      /* I */
        msr     sctlr_el1, x1
        b       3f
2:      mrs     x1, sctlr_el2
        bic     x1, x1, #1
        bic     x1, x1, #(1 << 2)
        bic     x1, x1, #(1 << 12)
        msr     sctlr_el2, x1
3:      isb
        ic      iallu
        dsb     sy
        isb
        mov     x0, x19
        bl      arm64_efi_move_dtb      /* returns its new address */
        b       arm64_entry

        .section .bss.boot_stack, "aw", %nobits
        .balign 16
boot_stack:
        .space  16384
boot_stack_top:

        .data
        .balign 8
        .globl arm64_boot_counter, arm64_entry_el
arm64_boot_counter:
        .quad   0
arm64_entry_el:
        .quad   0

        .section .note.GNU-stack, "", %progbits
