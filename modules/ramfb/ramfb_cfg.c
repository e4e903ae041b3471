/* Encoders and the file-directory lookup for ramfb over fw_cfg: big-endian
 * fields written byte by byte, so the code is the same on either CPU. */
#include <anx/errno.h>
#include <anx/lib.h>
#include "ramfb_cfg.h"

uint32_t ramfb_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void ramfb_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

void ramfb_put_be64(uint8_t *p, uint64_t v)
{
    ramfb_put_be32(p, (uint32_t)(v >> 32));
    ramfb_put_be32(p + 4, (uint32_t)v);
}

void ramfb_dma_encode(struct ramfb_dma *d, uint16_t select, uint32_t control, uint64_t addr, uint32_t len)
{
    if (control & RAMFB_DMA_SELECT)
        control |= (uint32_t)select << 16;
    ramfb_put_be32((uint8_t *)&d->control, control);
    ramfb_put_be32((uint8_t *)&d->length, len);
    ramfb_put_be64((uint8_t *)&d->address, addr);
}

int ramfb_fw_cfg_find(const uint8_t *dir, size_t len, const char *name, uint16_t *select, uint32_t *size)
{
    if (!dir || len < 4)
        return ANX_ECORRUPT;
    uint32_t count = ramfb_be32(dir);
    if (count > (len - 4) / RAMFB_FILE_ENTRY)
        return ANX_ECORRUPT;
    size_t nlen = strlen(name);
    if (nlen >= RAMFB_FILE_NAME)
        return ANX_ENOENT;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = dir + 4 + (size_t)i * RAMFB_FILE_ENTRY;
        const char *n = (const char *)e + 8;
        /* names are NUL-padded; one that fills all 56 bytes has no NUL and
         * cannot equal a shorter name, so compare nlen + 1 bytes */
        if (memcmp(n, name, nlen + 1) == 0) {
            *size = ramfb_be32(e);
            *select = (uint16_t)(e[4] << 8 | e[5]);
            return 0;
        }
    }
    return ANX_ENOENT;
}

uint32_t ramfb_fourcc(enum anx_pixel_format format)
{
    switch (format) {
    case ANX_PIXEL_XRGB8888: return 'X' | 'R' << 8 | '2' << 16 | (uint32_t)'4' << 24;
    case ANX_PIXEL_RGB565: return 'R' | 'G' << 8 | '1' << 16 | (uint32_t)'6' << 24;
    }
    return 0;
}

int ramfb_mode(uint32_t width, uint32_t height, enum anx_pixel_format format, uint32_t *stride, size_t *bytes)
{
    unsigned bpp = anx_pixel_bytes(format);
    if (!bpp || !ramfb_fourcc(format))
        return ANX_EINVAL;
    if (width < RAMFB_MIN || height < RAMFB_MIN || width > RAMFB_MAX_WIDTH || height > RAMFB_MAX_HEIGHT)
        return ANX_ENOTSUP;
    *stride = width * bpp;
    *bytes = (size_t)*stride * height;
    return 0;
}

void ramfb_cfg_encode(uint8_t out[RAMFB_CFG_SIZE], uint64_t addr, enum anx_pixel_format format, uint32_t width,
                      uint32_t height, uint32_t stride)
{
    ramfb_put_be64(out, addr);
    ramfb_put_be32(out + 8, ramfb_fourcc(format));
    ramfb_put_be32(out + 12, 0);                 /* flags: none defined */
    ramfb_put_be32(out + 16, width);
    ramfb_put_be32(out + 20, height);
    ramfb_put_be32(out + 24, stride);
}
