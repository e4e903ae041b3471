/* Host tests of the Bochs VBE mode checks: what the device would silently
 * adjust is refused, what fits gets the register values QEMU expects. */
#include <stdio.h>
#include <anx/errno.h>
#include "bochs_vbe.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define MiB (1024u * 1024u)

int main(void)
{
    /* ids: 0xB0C2 (first with LFB and 32 bpp) .. 0xB0C5 */
    CHECK(!bochs_display_id_ok(0xB0C0));
    CHECK(!bochs_display_id_ok(0xB0C1));
    CHECK(bochs_display_id_ok(0xB0C2));
    CHECK(bochs_display_id_ok(0xB0C5));
    CHECK(!bochs_display_id_ok(0xB0C6));
    CHECK(!bochs_display_id_ok(0xffff));   /* nothing decoding the BAR */
    CHECK(!bochs_display_id_ok(0));

    /* video memory: the register in 64 KiB units, bounded by the BAR */
    CHECK(bochs_display_vram(256, 16 * MiB) == 16 * MiB);
    CHECK(bochs_display_vram(128, 16 * MiB) == 8 * MiB);
    CHECK(bochs_display_vram(0, 16 * MiB) == 16 * MiB);           /* before 0xB0C4: the BAR */
    CHECK(bochs_display_vram(0xffff, 16 * MiB) == 16 * MiB);      /* a register beyond the BAR */

    /* maxima: GETCAPS' answer when it gave one, else the interface's */
    uint16_t mx = 0, my = 0;
    bochs_display_caps(2560, 1600, &mx, &my);
    CHECK(mx == 2560 && my == 1600);
    bochs_display_caps(16000, 12000, &mx, &my);
    CHECK(mx == 16000 && my == 12000);
    bochs_display_caps(0, 0, &mx, &my);                  /* bochs-display: no GETCAPS */
    CHECK(mx == 16000 && my == 12000);
    bochs_display_caps(0xffff, 0xffff, &mx, &my);        /* nonsense: capped */
    CHECK(mx == 16000 && my == 12000);

    struct bochs_display_regs r = {0};
    /* 1280x800 XRGB8888 in 16 MiB */
    CHECK(bochs_display_mode(1280, 800, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == 0);
    CHECK(r.xres == 1280 && r.yres == 800 && r.bpp == 32 && r.virt_width == 1280 && r.virt_height == 800);
    CHECK(r.stride == 5120);
    /* RGB565: 16 bpp, half the stride */
    CHECK(bochs_display_mode(1024, 768, ANX_PIXEL_RGB565, 16 * MiB, 16000, 12000, &r) == 0);
    CHECK(r.bpp == 16 && r.stride == 2048);
    /* exactly the video memory fits; one row more does not */
    CHECK(bochs_display_mode(2048, 2048, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == 0);
    CHECK(bochs_display_mode(2048, 2049, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_ENOTSUP);
    /* 1920x1080x32 needs 7.9 MiB: not in 4 MiB, but as RGB565 it fits */
    CHECK(bochs_display_mode(1920, 1080, ANX_PIXEL_XRGB8888, 4 * MiB, 16000, 12000, &r) == ANX_ENOTSUP);
    CHECK(bochs_display_mode(1920, 1080, ANX_PIXEL_RGB565, 4 * MiB, 16000, 12000, &r) == 0);
    /* the device rounds widths down to 8: refused instead */
    CHECK(bochs_display_mode(1366, 768, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_ENOTSUP);
    /* beyond GETCAPS' maxima */
    CHECK(bochs_display_mode(1600, 800, ANX_PIXEL_XRGB8888, 16 * MiB, 1280, 1024, &r) == ANX_ENOTSUP);
    CHECK(bochs_display_mode(1280, 1200, ANX_PIXEL_XRGB8888, 16 * MiB, 1280, 1024, &r) == ANX_ENOTSUP);
    /* below 64x64 */
    CHECK(bochs_display_mode(56, 600, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_ENOTSUP);
    CHECK(bochs_display_mode(800, 63, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_ENOTSUP);
    CHECK(bochs_display_mode(64, 64, ANX_PIXEL_RGB565, 16 * MiB, 16000, 12000, &r) == 0);
    /* nonsense arguments */
    CHECK(bochs_display_mode(0, 800, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_EINVAL);
    CHECK(bochs_display_mode(1280, 0, ANX_PIXEL_XRGB8888, 16 * MiB, 16000, 12000, &r) == ANX_EINVAL);
    CHECK(bochs_display_mode(1280, 800, (enum anx_pixel_format)7, 16 * MiB, 16000, 12000, &r) == ANX_EINVAL);
    /* huge sizes do not wrap the size computation (a 16-bit maximum cannot
     * reach them, but a stride * height overflow in 32 bits would pass) */
    CHECK(bochs_display_mode(65528, 65535, ANX_PIXEL_XRGB8888, 16 * MiB, 0xffff, 0xffff, &r) == ANX_ENOTSUP);

    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
