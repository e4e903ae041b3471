/* Host tests of the multiboot2 framebuffer tag decoder (arch/x86_64/mb2fb.c):
 * the tags GRUB sends under OVMF (GOP, 32 bpp) and SeaBIOS (VBE), and
 * malformed ones: short, palette and text modes, nonsense sizes. */
#include <stdio.h>
#include <string.h>
#include "mb2fb.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* A type-8 tag: header, address, pitch, width, height, bpp, type, and the
 * RGB field positions and sizes. */
static uint32_t tag(uint8_t *t, uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h, uint8_t bpp, uint8_t type,
                    const uint8_t rgb[6])
{
    memset(t, 0, 64);
    put32(t, 8);
    put32(t + 4, 38);
    put32(t + 8, (uint32_t)addr);
    put32(t + 12, (uint32_t)(addr >> 32));
    put32(t + 16, pitch);
    put32(t + 20, w);
    put32(t + 24, h);
    t[28] = bpp;
    t[29] = type;
    memcpy(t + 32, rgb, 6);
    return 38;
}

int main(void)
{
    static const uint8_t xrgb[6] = {16, 8, 8, 8, 0, 8}, rgb565[6] = {11, 5, 5, 6, 0, 5};
    uint8_t t[64];
    struct plat_framebuffer fb;

    /* OVMF GOP: 1280x800x32 at 0x80000000 */
    uint32_t n = tag(t, 0x80000000ull, 5120, 1280, 800, 32, 1, xrgb);
    memset(&fb, 0, sizeof fb);
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_OK);
    CHECK(fb.phys == 0x80000000ull && fb.width == 1280 && fb.height == 800 && fb.pitch == 5120 && fb.bpp == 32);
    CHECK(fb.red_pos == 16 && fb.red_size == 8 && fb.green_pos == 8 && fb.green_size == 8 && fb.blue_pos == 0 &&
          fb.blue_size == 8);
    /* an address above 4 GiB keeps its high half */
    n = tag(t, 0x80fd000000ull, 2048, 1024, 768, 16, 1, rgb565);
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_OK && fb.phys == 0x80fd000000ull && fb.bpp == 16 &&
          fb.red_pos == 11 && fb.green_size == 6);
    /* a tag that is not 8-aligned in memory decodes the same */
    uint8_t odd[72];
    n = tag(t, 0xfd000000ull, 5120, 1280, 800, 32, 1, xrgb);
    memcpy(odd + 3, t, n);
    CHECK(x86_mb2_framebuffer(odd + 3, n, &fb) == X86_MB2FB_OK && fb.phys == 0xfd000000ull);

    /* malformed */
    CHECK(x86_mb2_framebuffer(t, 37, &fb) == X86_MB2FB_SHORT);    /* color fields cut off */
    CHECK(x86_mb2_framebuffer(t, 16, &fb) == X86_MB2FB_SHORT);
    CHECK(x86_mb2_framebuffer(NULL, 38, &fb) == X86_MB2FB_SHORT);
    n = tag(t, 0xb8000, 160, 80, 25, 16, 2, xrgb);                  /* BIOS text mode */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_TEXT);
    n = tag(t, 0xfd000000ull, 1024, 1024, 768, 8, 0, xrgb);         /* palette */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_INDEXED);
    n = tag(t, 0xfd000000ull, 5120, 1280, 800, 32, 7, xrgb);        /* unknown type */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_TYPE);
    n = tag(t, 0xfd000000ull, 4000, 1280, 800, 32, 1, xrgb);        /* pitch shorter than a row */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_SIZE);
    n = tag(t, 0, 5120, 1280, 800, 32, 1, xrgb);                    /* no address */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_SIZE);
    n = tag(t, 0xfd000000ull, 5120, 0, 800, 32, 1, xrgb);           /* zero width */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_SIZE);
    n = tag(t, 0xfd000000ull, 0xffffffffu, 0xffffffffu, 800, 32, 1, xrgb);   /* width * bpp wraps 32 bits */
    CHECK(x86_mb2_framebuffer(t, n, &fb) == X86_MB2FB_SIZE);
    /* a refused tag leaves *out alone */
    memset(&fb, 0x5a, sizeof fb);
    n = tag(t, 0xb8000, 160, 80, 25, 16, 2, xrgb);
    x86_mb2_framebuffer(t, n, &fb);
    CHECK(fb.width == 0x5a5a5a5au);
    CHECK(strcmp(x86_mb2fb_reason(X86_MB2FB_TEXT), "EGA text mode") == 0);

    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
