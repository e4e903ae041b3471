/*
 * The boot-time floor for arm64: the least a kernel can do on QEMU virt.
 * A Linux arm64 Image header (so -kernel loads it like the Anunix image,
 * at RAM base + 2 MiB), one line on the PL011 at 0x09000000, then exit
 * status 0 through semihosting SYS_EXIT (QEMU needs
 * -semihosting-config enable=on,target=native). Benchmarks compare the
 * arm64-virt hello image against it, booted on the same QEMU line.
 */
        .text
        .globl _start
_start:
        b       1f                      /* code0 */
        .long   0                       /* code1 */
        .quad   0x200000                /* text_offset */
        .quad   _end - _start           /* image_size */
        .quad   0x2                     /* flags: LE, 4 KiB pages */
        .quad   0, 0, 0
        .ascii  "ARM\x64"
        .long   0
1:      movz    x1, #0x0900, lsl #16    /* PL011 data register */
        adr     x2, message
2:      ldrb    w3, [x2], #1
        cbz     w3, 3f
        strb    w3, [x1]
        b       2b
3:      adr     x1, exit_block
        mov     x0, #0x18               /* SYS_EXIT */
        hlt     #0xf000
4:      wfi
        b       4b

        .balign 8
exit_block:
        .quad   0x20026                 /* ADP_Stopped_ApplicationExit */
        .quad   0                       /* status */
message:
        .asciz  "floor: ready\r\n"
        .balign 8
_end:
        .section .note.GNU-stack, "", %progbits
