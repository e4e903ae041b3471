/* Only the two layouts the display registry knows are taken as they are:
 * converting another (24 bpp, BGR order) on every flush would need a
 * shadow buffer, and no firmware QEMU runs hands one over. */
#include <anx/printf.h>
#include "boot_fb_format.h"

static bool fields(const struct plat_framebuffer *fb, unsigned rp, unsigned rs, unsigned gp, unsigned gs,
                   unsigned bp, unsigned bs)
{
    return fb->red_pos == rp && fb->red_size == rs && fb->green_pos == gp && fb->green_size == gs &&
           fb->blue_pos == bp && fb->blue_size == bs;
}

enum anx_pixel_format boot_fb_format(const struct plat_framebuffer *fb, char *why, size_t whylen)
{
    if (!fb->phys || !fb->width || !fb->height || !fb->bpp ||
        (uint64_t)fb->width * fb->bpp > (uint64_t)fb->pitch * 8) {
        snprintf(why, whylen, "nonsense geometry: %ux%u, %u bpp, pitch %u at %#llx", (unsigned)fb->width,
                 (unsigned)fb->height, (unsigned)fb->bpp, (unsigned)fb->pitch, (unsigned long long)fb->phys);
        return 0;
    }
    if (fb->bpp == 32 && fields(fb, 16, 8, 8, 8, 0, 8))
        return ANX_PIXEL_XRGB8888;
    if (fb->bpp == 16 && fields(fb, 11, 5, 5, 6, 0, 5))
        return ANX_PIXEL_RGB565;
    snprintf(why, whylen,
             "unsupported pixel layout: %u bpp, red %u:%u green %u:%u blue %u:%u (position:size); "
             "need 32 bpp XRGB8888 (16:8 8:8 0:8) or 16 bpp RGB565 (11:5 5:6 0:5)",
             (unsigned)fb->bpp, fb->red_pos, fb->red_size, fb->green_pos, fb->green_size, fb->blue_pos,
             fb->blue_size);
    return 0;
}
