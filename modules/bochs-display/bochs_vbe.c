/* Mode checks for the Bochs VBE interface: what QEMU's vbe_fixup_regs
 * would silently change (a width rounded down to 8, a height cut to the
 * video memory) is refused here instead, so the mode a caller asked for is
 * the mode it gets. */
#include <anx/errno.h>
#include "bochs_vbe.h"

bool bochs_display_id_ok(uint16_t id)
{
    return id >= BOCHS_DISPI_ID_LFB && id <= BOCHS_DISPI_ID_MAX;
}

uint64_t bochs_display_vram(uint16_t mem_64k, uint64_t bar_size)
{
    uint64_t v = (uint64_t)mem_64k << 16;
    return v && v < bar_size ? v : bar_size;
}

void bochs_display_caps(uint16_t caps_x, uint16_t caps_y, uint16_t *max_x, uint16_t *max_y)
{
    bool told = caps_x >= BOCHS_VBE_MIN && caps_y >= BOCHS_VBE_MIN;
    *max_x = (uint16_t)(told && caps_x < BOCHS_VBE_MAX_X ? caps_x : BOCHS_VBE_MAX_X);
    *max_y = (uint16_t)(told && caps_y < BOCHS_VBE_MAX_Y ? caps_y : BOCHS_VBE_MAX_Y);
}

int bochs_display_mode(uint32_t width, uint32_t height, enum anx_pixel_format format, uint64_t vram,
                       uint16_t max_x, uint16_t max_y, struct bochs_display_regs *out)
{
    unsigned bytes = anx_pixel_bytes(format);
    if (!width || !height || !bytes)
        return ANX_EINVAL;
    if (width % 8 || width < BOCHS_VBE_MIN || height < BOCHS_VBE_MIN || width > max_x || height > max_y)
        return ANX_ENOTSUP;
    uint64_t stride = (uint64_t)width * bytes;
    if (stride * height > vram)
        return ANX_ENOTSUP;
    *out = (struct bochs_display_regs){
        .xres = (uint16_t)width, .yres = (uint16_t)height, .bpp = (uint16_t)(bytes * 8),
        .virt_width = (uint16_t)width, .virt_height = (uint16_t)height, .stride = (uint32_t)stride,
    };
    return 0;
}
