/* Host tests of the boot framebuffer's format check. */
#include <stdio.h>
#include <string.h>
#include "boot_fb_format.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static struct plat_framebuffer xrgb(void)
{
    return (struct plat_framebuffer){.phys = 0x80000000, .width = 1280, .height = 800, .pitch = 5120, .bpp = 32,
                                     .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8,
                                     .blue_pos = 0, .blue_size = 8};
}

int main(void)
{
    char why[200];
    struct plat_framebuffer fb = xrgb();
    CHECK(boot_fb_format(&fb, why, sizeof why) == ANX_PIXEL_XRGB8888);
    /* a pitch wider than the row (GOP often pads) is fine */
    fb.pitch = 8192;
    CHECK(boot_fb_format(&fb, why, sizeof why) == ANX_PIXEL_XRGB8888);

    fb = (struct plat_framebuffer){.phys = 0xfd000000, .width = 1024, .height = 768, .pitch = 2048, .bpp = 16,
                                   .red_pos = 11, .red_size = 5, .green_pos = 5, .green_size = 6,
                                   .blue_pos = 0, .blue_size = 5};
    CHECK(boot_fb_format(&fb, why, sizeof why) == ANX_PIXEL_RGB565);
    /* 15 bpp (5-5-5) is not RGB565 */
    fb.bpp = 16, fb.red_pos = 10, fb.green_size = 5;
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    CHECK(strstr(why, "16 bpp, red 10:5 green 5:5 blue 0:5") != NULL);

    /* BGR order at 32 bpp: refused, naming what it got */
    fb = xrgb();
    fb.red_pos = 0, fb.blue_pos = 16;
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    CHECK(strstr(why, "32 bpp, red 0:8 green 8:8 blue 16:8") != NULL);
    CHECK(strstr(why, "need 32 bpp XRGB8888") != NULL);
    /* 24 bpp */
    fb = xrgb();
    fb.bpp = 24, fb.pitch = 3840;
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    CHECK(strstr(why, "24 bpp") != NULL);

    /* nonsense geometry */
    fb = xrgb();
    fb.pitch = 4000;                          /* shorter than 1280 * 4 */
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    CHECK(strstr(why, "nonsense geometry") != NULL);
    fb = xrgb();
    fb.phys = 0;
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    fb = xrgb();
    fb.height = 0;
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);
    fb = xrgb();
    fb.width = 0xffffffffu, fb.pitch = 0xffffffffu;   /* width * bpp would wrap in 32 bits */
    CHECK(boot_fb_format(&fb, why, sizeof why) == 0);

    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
