/*
 * The pure parts of ramfb (QEMU hw/display/ramfb.c) and of the fw_cfg
 * interface it is configured through (QEMU docs/specs/fw_cfg.rst): the
 * file directory, the DMA descriptor and the "etc/ramfb" record. All
 * fw_cfg structures are big-endian. No I/O here, for the host tests.
 */
#ifndef RAMFB_CFG_H
#define RAMFB_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <anx/display.h>

#define RAMFB_FW_CFG_SIGNATURE 0x0000  /* "QEMU" */
#define RAMFB_FW_CFG_FILE_DIR 0x0019

/* DMA control bits (the descriptor's first word; the device clears it
 * when done, leaving ERROR on failure). */
#define RAMFB_DMA_ERROR 0x01
#define RAMFB_DMA_READ 0x02
#define RAMFB_DMA_SKIP 0x04
#define RAMFB_DMA_SELECT 0x08
#define RAMFB_DMA_WRITE 0x10

#define RAMFB_FILE_ENTRY 64            /* be32 size, be16 select, be16 reserved, char name[56] */
#define RAMFB_FILE_NAME 56
#define RAMFB_CFG_SIZE 28              /* be64 addr, be32 fourcc, flags, width, height, stride */

/* QEMU refuses (silently: the screen stays as it was) sizes outside these. */
#define RAMFB_MIN 16u
#define RAMFB_MAX_WIDTH 16000u
#define RAMFB_MAX_HEIGHT 12000u

/* The DMA descriptor as the device reads it from RAM. */
struct ramfb_dma {
    uint32_t control;                  /* big-endian */
    uint32_t length;
    uint64_t address;
};

uint32_t ramfb_be32(const uint8_t *p);
void ramfb_put_be32(uint8_t *p, uint32_t v);
void ramfb_put_be64(uint8_t *p, uint64_t v);

/* A descriptor for one transfer: control bits, and the selector in the
 * top 16 bits when RAMFB_DMA_SELECT is among them. */
void ramfb_dma_encode(struct ramfb_dma *d, uint16_t select, uint32_t control, uint64_t addr, uint32_t len);

/* Look name up in a file directory of len bytes as read from
 * FW_CFG_FILE_DIR (be32 count, then the entries). 0 with *select and
 * *size; ANX_ENOENT when no entry has the name; ANX_ECORRUPT when the
 * count claims more entries than len holds. */
int ramfb_fw_cfg_find(const uint8_t *dir, size_t len, const char *name, uint16_t *select, uint32_t *size);

/* Check a mode against QEMU's limits; the stride and bytes it needs. 0,
 * ANX_EINVAL (unknown format), ANX_ENOTSUP (outside 16..16000 x 16..12000). */
int ramfb_mode(uint32_t width, uint32_t height, enum anx_pixel_format format, uint32_t *stride, size_t *bytes);

/* The DRM fourcc of a format: 'XR24' or 'RG16'; 0 for another. */
uint32_t ramfb_fourcc(enum anx_pixel_format format);

/* The "etc/ramfb" record for a framebuffer at addr. */
void ramfb_cfg_encode(uint8_t out[RAMFB_CFG_SIZE], uint64_t addr, enum anx_pixel_format format, uint32_t width,
                      uint32_t height, uint32_t stride);

#endif
