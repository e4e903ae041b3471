/* Test only: commands that put known pixels on the first display through
 * the registry (<anx/display.h>), so boot tests can check a driver with a
 * screendump (a color count in a region) and change modes without any
 * drawing module. (Frame timing is the core's `displays bench`.) */
#define LOG_TAG "fb-test"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

static struct anx_display *display(void)
{
    struct anx_display *d = anx_display_first();
    if (!d)
        anx_printf("fb-test: no display\n");
    return d;
}

/* 0xRRGGBB as the display's pixel */
static uint32_t pixel(const struct anx_display *d, uint32_t rgb)
{
    if (d->mode.format == ANX_PIXEL_RGB565)
        return (rgb >> 8 & 0xf800) | (rgb >> 5 & 0x07e0) | (rgb >> 3 & 0x001f);
    return rgb & 0xffffff;
}

static void fill(struct anx_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
    uint32_t px = pixel(d, rgb);
    for (uint32_t r = y; r < y + h; r++) {
        uint8_t *row = (uint8_t *)d->fb + (size_t)r * d->mode.stride;
        if (d->mode.format == ANX_PIXEL_RGB565)
            for (uint32_t c = x; c < x + w; c++)
                ((volatile uint16_t *)row)[c] = (uint16_t)px;
        else
            for (uint32_t c = x; c < x + w; c++)
                ((volatile uint32_t *)row)[c] = px;
    }
}

static bool arg_u32(const char *s, uint32_t *v)
{
    char *end;
    unsigned long long x = strtoull(s, &end, 0);
    if (*end || x > 0xffffffffull)
        return false;
    *v = (uint32_t)x;
    return true;
}

static int cmd_fbfill(int argc, char **argv)
{
    struct anx_display *d = display();
    uint32_t rgb, x = 0, y = 0, w, h;
    if (!d)
        return 1;
    w = d->mode.width, h = d->mode.height;
    if ((argc != 2 && argc != 6) || !arg_u32(argv[1], &rgb) ||
        (argc == 6 && (!arg_u32(argv[2], &x) || !arg_u32(argv[3], &y) || !arg_u32(argv[4], &w) ||
                       !arg_u32(argv[5], &h)))) {
        anx_printf("usage: fbfill 0xRRGGBB [X Y W H]\n");
        return 1;
    }
    if (x >= d->mode.width || y >= d->mode.height) {
        anx_printf("fbfill: %u,%u is outside %ux%u\n", (unsigned)x, (unsigned)y, (unsigned)d->mode.width,
                   (unsigned)d->mode.height);
        return 1;
    }
    w = ANX_MIN(w, d->mode.width - x);
    h = ANX_MIN(h, d->mode.height - y);
    uint64_t t0 = anx_time_ns();
    fill(d, x, y, w, h, rgb);
    uint64_t t1 = anx_time_ns();
    int err = anx_display_flush(d, (int)x, (int)y, (int)w, (int)h);
    uint64_t t2 = anx_time_ns();
    anx_printf("fbfill: %s %ux%u at %u,%u: draw %llu us, flush %llu us%s%s\n", d->name, (unsigned)w, (unsigned)h,
               (unsigned)x, (unsigned)y, (unsigned long long)(t1 - t0) / 1000, (unsigned long long)(t2 - t1) / 1000,
               err ? ": " : "", err ? anx_strerror(err) : "");
    return err ? 1 : 0;
}

static int cmd_fbmode(int argc, char **argv)
{
    struct anx_display *d = display();
    uint32_t w, h, depth = 32;
    if (!d)
        return 1;
    if ((argc != 3 && argc != 4) || !arg_u32(argv[1], &w) || !arg_u32(argv[2], &h) ||
        (argc == 4 && (!arg_u32(argv[3], &depth) || (depth != 16 && depth != 32)))) {
        anx_printf("usage: fbmode WIDTH HEIGHT [16|32]\n");
        return 1;
    }
    int err = anx_display_set_mode(d, w, h, depth == 16 ? ANX_PIXEL_RGB565 : ANX_PIXEL_XRGB8888);
    if (err) {
        anx_printf("fbmode: %ux%u %u bpp refused: %s; still %ux%u %s\n", (unsigned)w, (unsigned)h,
                   (unsigned)depth, anx_strerror(err), (unsigned)d->mode.width, (unsigned)d->mode.height,
                   anx_pixel_format_name(d->mode.format));
        return 1;
    }
    anx_printf("fbmode: %s %ux%u %s, stride %u\n", d->name, (unsigned)d->mode.width, (unsigned)d->mode.height,
               anx_pixel_format_name(d->mode.format), (unsigned)d->mode.stride);
    return 0;
}

static struct anx_command cmds[] = {
    {.name = "fbfill", .summary = "Fill a rectangle of the first display and flush it",
     .usage = "fbfill 0xRRGGBB [X Y W H]", .fn = cmd_fbfill},
    {.name = "fbmode", .summary = "Change the first display's mode", .usage = "fbmode WIDTH HEIGHT [16|32]",
     .fn = cmd_fbmode},
};

static int fb_test_init(void)
{
    for (size_t i = 0; i < ANX_ARRAY_SIZE(cmds); i++) {
        int err = anx_command_register(&cmds[i]);
        if (err)
            return err;
    }
    return 0;
}

ANX_MODULE(fb_test, .init = fb_test_init);
