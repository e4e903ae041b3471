/* Which <anx/display.h> pixel format a boot loader's framebuffer is, from
 * the bpp and color fields it reported (<anx/platform.h> struct
 * plat_framebuffer). Pure, for the host tests. */
#ifndef BOOT_FB_FORMAT_H
#define BOOT_FB_FORMAT_H

#include <stddef.h>
#include <anx/display.h>
#include <anx/platform.h>

/* The format (XRGB8888: 32 bpp, red 16:8, green 8:8, blue 0:8; RGB565:
 * 16 bpp, red 11:5, green 5:6, blue 0:5), or 0 with why[] saying what the
 * loader gave instead, or what else is wrong (no address, a pitch shorter
 * than a row). */
enum anx_pixel_format boot_fb_format(const struct plat_framebuffer *fb, char *why, size_t whylen);

#endif
