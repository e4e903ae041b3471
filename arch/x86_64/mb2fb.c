/* Decoding the multiboot2 framebuffer tag (multiboot2 spec 3.6.12):
 *   u32 type = 8, u32 size, u64 addr, u32 pitch, u32 width, u32 height,
 *   u8 bpp, u8 type (0 indexed, 1 RGB, 2 EGA text), u16 reserved,
 *   color info; for RGB: u8 red position, red size, green position,
 *   green size, blue position, blue size.
 * The loader's tags are 8-aligned, but the fields are read byte by byte
 * anyway: the decoder must not trust what it is given. */
#include "mb2fb.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum x86_mb2fb_result x86_mb2_framebuffer(const uint8_t *tag, uint32_t size, struct plat_framebuffer *out)
{
    if (!tag || size < 30)
        return X86_MB2FB_SHORT;
    uint64_t addr = (uint64_t)le32(tag + 8) | (uint64_t)le32(tag + 12) << 32;
    uint32_t pitch = le32(tag + 16), width = le32(tag + 20), height = le32(tag + 24);
    uint8_t bpp = tag[28], type = tag[29];
    if (type == 0)
        return X86_MB2FB_INDEXED;
    if (type == 2)
        return X86_MB2FB_TEXT;
    if (type != 1)
        return X86_MB2FB_TYPE;
    if (size < 38)
        return X86_MB2FB_SHORT;
    /* a row must fit its pitch; 64-bit so width * bpp cannot wrap */
    if (!addr || !width || !height || !bpp || (uint64_t)width * bpp > (uint64_t)pitch * 8)
        return X86_MB2FB_SIZE;
    *out = (struct plat_framebuffer){
        .phys = addr, .width = width, .height = height, .pitch = pitch, .bpp = bpp,
        .red_pos = tag[32], .red_size = tag[33], .green_pos = tag[34], .green_size = tag[35],
        .blue_pos = tag[36], .blue_size = tag[37],
    };
    return X86_MB2FB_OK;
}

const char *x86_mb2fb_reason(enum x86_mb2fb_result r)
{
    switch (r) {
    case X86_MB2FB_OK: return "ok";
    case X86_MB2FB_SHORT: return "tag too short";
    case X86_MB2FB_INDEXED: return "indexed color (palette) mode";
    case X86_MB2FB_TEXT: return "EGA text mode";
    case X86_MB2FB_TYPE: return "unknown framebuffer type";
    case X86_MB2FB_SIZE: return "nonsense address or size";
    }
    return "?";
}
