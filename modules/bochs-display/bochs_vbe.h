/*
 * The Bochs VBE "DISPI" interface of QEMU's std VGA and bochs-display
 * (QEMU docs/specs/standard-vga.rst; hw/display/vga.c vbe_fixup_regs):
 * the pure part, mode checks and register values, kept free of I/O so the
 * host tests can run it.
 *
 * The registers are 16 bits wide; in the MMIO BAR (BAR 2) register i lives
 * at 0x500 + 2 * i.
 */
#ifndef BOCHS_VBE_H
#define BOCHS_VBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/display.h>

#define BOCHS_DISPI_ID 0x0
#define BOCHS_DISPI_XRES 0x1
#define BOCHS_DISPI_YRES 0x2
#define BOCHS_DISPI_BPP 0x3
#define BOCHS_DISPI_ENABLE 0x4
#define BOCHS_DISPI_BANK 0x5
#define BOCHS_DISPI_VIRT_WIDTH 0x6
#define BOCHS_DISPI_VIRT_HEIGHT 0x7
#define BOCHS_DISPI_X_OFFSET 0x8
#define BOCHS_DISPI_Y_OFFSET 0x9
#define BOCHS_DISPI_VIDEO_MEMORY_64K 0xa

#define BOCHS_DISPI_ENABLED 0x01
#define BOCHS_DISPI_GETCAPS 0x02
#define BOCHS_DISPI_LFB_ENABLED 0x40

#define BOCHS_DISPI_ID_LFB 0xB0C2      /* first version with 32 bpp and a linear framebuffer */
#define BOCHS_DISPI_ID_MAX 0xB0C5      /* newest the interface defines */

#define BOCHS_MMIO_VGA 0x400           /* VGA ports 0x3c0..0x3df */
#define BOCHS_MMIO_DISPI 0x500
#define BOCHS_MMIO_QEXT 0x600          /* QEMU extended registers: size, framebuffer byte order */

/* The interface's own limits (QEMU's VBE_DISPI_MAX_XRES/YRES), and the
 * smallest mode bochs-display shows (it blanks anything under 64x64). */
#define BOCHS_VBE_MAX_X 16000u
#define BOCHS_VBE_MAX_Y 12000u
#define BOCHS_VBE_MIN 64u

/* Register values for one mode. */
struct bochs_display_regs {
    uint16_t xres, yres, bpp, virt_width, virt_height;
    uint32_t stride;                   /* bytes per row */
};

/* Whether the ID register names a version this driver can drive. */
bool bochs_display_id_ok(uint16_t id);

/* Video memory in bytes: the VIDEO_MEMORY_64K register (0 on versions
 * before 0xB0C4, which lack it) bounded by the framebuffer BAR's size. */
uint64_t bochs_display_vram(uint16_t mem_64k, uint64_t bar_size);

/* The maxima from what GETCAPS read back (caps_x, caps_y): the std VGA
 * reports them, bochs-display does not implement GETCAPS and reads 0 (or
 * whatever XRES held), so anything below the minimum means "not told":
 * the interface's limits, which the video memory then bounds. */
void bochs_display_caps(uint16_t caps_x, uint16_t caps_y, uint16_t *max_x, uint16_t *max_y);

/* Registers for width x height in format on a device with vram bytes and
 * the maxima GETCAPS reported. 0; ANX_EINVAL (zero size, unknown format);
 * ANX_ENOTSUP (width not a multiple of 8, which the std VGA rounds down;
 * below 64x64; beyond its maxima; more than its video memory). */
int bochs_display_mode(uint32_t width, uint32_t height, enum anx_pixel_format format, uint64_t vram,
                       uint16_t max_x, uint16_t max_y, struct bochs_display_regs *out);

#endif
