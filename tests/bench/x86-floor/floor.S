/*
 * The boot-time floor for x86_64: the least a PVH kernel can do. QEMU
 * enters it in 32-bit protected mode; it prints one line on COM1 and
 * exits through isa-debug-exit with status 0. Benchmarks compare the
 * hello image against it, booted on the same QEMU line.
 */
        .section .note.Xen, "a"
        .balign 4
        .long 4                 /* name size: "Xen\0" */
        .long 4                 /* descriptor size */
        .long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
        .asciz "Xen"
        .balign 4
        .long _start

        .text
        .code32
        .globl _start
_start:
        mov     $message, %esi
1:      movb    (%esi), %al
        test    %al, %al
        jz      2f
        mov     $0x3f8, %dx
        outb    %al, %dx
        inc     %esi
        jmp     1b
2:      mov     $0xf4, %dx
        xor     %eax, %eax
        outl    %eax, %dx       /* QEMU exits with (0 << 1) | 1 */
3:      hlt
        jmp     3b

        .section .rodata
message:
        .asciz "floor: ready\r\n"
