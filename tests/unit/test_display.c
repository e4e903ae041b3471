/* The display registry (core/display.c): refusal of nonsense sizes,
 * names and lookup, flush clipping and counters, mode changes through a
 * fake driver, and the `displays bench` command, over a RAM framebuffer. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "display"
#include "unit.h"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#define FB_BYTES (640u * 480u * 4u)
static uint32_t fb[FB_BYTES / 4];
static unsigned flushes, mode_calls;
static uint32_t last_x, last_y, last_w, last_h;
static int fail_flush;

static int fake_flush(struct anx_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    (void)d;
    flushes++;
    last_x = x, last_y = y, last_w = w, last_h = h;
    return fail_flush ? -1 : 0;
}

/* Accepts any mode that fits the RAM framebuffer, as a real device's VRAM. */
static int fake_set_mode(struct anx_display *d, uint32_t w, uint32_t h, enum anx_pixel_format f)
{
    uint32_t stride = w * anx_pixel_bytes(f);
    if ((uint64_t)stride * h > FB_BYTES)
        return ANX_ENOTSUP;
    mode_calls++;
    d->mode = (struct anx_display_mode){ w, h, stride, f };
    return 0;
}

/* A driver bug: claims a mode its framebuffer cannot hold. */
static int lying_set_mode(struct anx_display *d, uint32_t w, uint32_t h, enum anx_pixel_format f)
{
    d->mode = (struct anx_display_mode){ w, h, w * anx_pixel_bytes(f) * 4, f };
    return 0;
}

static const struct anx_display_ops ops = { fake_flush, fake_set_mode };
static const struct anx_display_ops ops_fixed = { NULL, NULL };
static const struct anx_display_ops ops_lying = { fake_flush, lying_set_mode };

static struct anx_display mk(const struct anx_display_ops *o, uint32_t w, uint32_t h, uint32_t stride)
{
    return (struct anx_display){ .driver = "fake", .mode = { w, h, stride, ANX_PIXEL_XRGB8888 },
                                 .fb = fb, .fb_size = FB_BYTES, .ops = o };
}

static void setup(void)
{
    unit_threads_init(4u << 20);
}

static struct anx_display d0, d1;

TEST(nonsense_refused)
{
    struct anx_display bad = mk(&ops, 0, 480, 2560);
    CHECK_EQ(anx_display_register(NULL), ANX_EINVAL);
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);                 /* zero width */
    bad = mk(&ops, 640, 480, 640);
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);                 /* stride shorter than a row */
    bad = mk(&ops, 640, 481, 2560);
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);                 /* framebuffer too small */
    bad = mk(&ops, 100000, 1, 400000);
    bad.fb_size = 400000;
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);                 /* wider than ANX_DISPLAY_MAX */
    bad = mk(&ops, 640, 480, 2560);
    bad.mode.format = (enum anx_pixel_format)7;
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);                 /* unknown format */
    bad = mk(&ops, 640, 480, 2560);
    bad.fb = NULL;
    CHECK_EQ(anx_display_register(&bad), ANX_EINVAL);
    CHECK(anx_display_first() == NULL);
    CHECK(anx_command_find("displays") == NULL);
}

TEST(register_clears_and_names)
{
    for (unsigned i = 0; i < FB_BYTES / 4; i++)
        fb[i] = 0xdeadbeef;
    d0 = mk(&ops, 640, 480, 2560);
    flushes = 0;
    CHECK(anx_display_register(&d0) == 0);
    CHECK_STR(d0.name, "fb0");
    CHECK(fb[0] == 0 && fb[640 * 480 - 1] == 0);                     /* cleared to black */
    CHECK(flushes == 1 && last_w == 640 && last_h == 480);            /* and shown */
    CHECK_EQ(anx_display_register(&d0), ANX_EEXIST);
    d1 = mk(&ops_fixed, 320, 200, 1280);
    CHECK(anx_display_register(&d1) == 0);
    CHECK_STR(d1.name, "fb1");
    CHECK(anx_display_first() == &d0 && anx_display_next(&d0) == &d1 && anx_display_next(&d1) == NULL);
    CHECK(anx_display_find("fb1") == &d1 && anx_display_find("fb2") == NULL && anx_display_find(NULL) == NULL);
    CHECK(anx_display_wait(0) == &d0);
    CHECK(anx_command_find("displays") != NULL);
}

TEST(flush_clips)
{
    flushes = 0;
    memset(&d0.stats, 0, sizeof d0.stats);
    CHECK(anx_display_flush(&d0, -10, -10, 20, 30) == 0);
    CHECK(last_x == 0 && last_y == 0 && last_w == 10 && last_h == 20);
    CHECK(anx_display_flush(&d0, 630, 470, 100, 100) == 0);
    CHECK(last_x == 630 && last_y == 470 && last_w == 10 && last_h == 10);
    CHECK(anx_display_flush(&d0, 640, 0, 5, 5) == 0);                 /* off screen: nothing to do */
    CHECK(anx_display_flush(&d0, 0, 0, 0, 5) == 0);
    CHECK(anx_display_flush(&d0, 0, 0, -5, 5) == 0);
    CHECK(anx_display_flush(&d0, 0x7fffffff, 0, 0x7fffffff, 5) == 0); /* no overflow */
    CHECK(flushes == 2);
    CHECK_EQ(d0.stats.flushes, 2);
    CHECK_EQ(d0.stats.flushed_pixels, 300);
    fail_flush = 1;
    CHECK_EQ(anx_display_flush(&d0, 0, 0, 1, 1), ANX_EIO);
    fail_flush = 0;
    CHECK_EQ(d0.stats.errors, 1);
    CHECK_EQ(anx_display_flush(NULL, 0, 0, 1, 1), ANX_EINVAL);
    d1.stats.flushes = 0;
    CHECK(anx_display_flush(&d1, 0, 0, 320, 200) == 0);               /* no flush op: counted, fine */
    CHECK_EQ(d1.stats.flushes, 1);
}

TEST(modes)
{
    d0.max_width = 640, d0.max_height = 480;
    mode_calls = 0;
    CHECK(anx_display_set_mode(&d0, 320, 240, ANX_PIXEL_RGB565) == 0);
    CHECK(d0.mode.width == 320 && d0.mode.stride == 640 && d0.mode.format == ANX_PIXEL_RGB565);
    CHECK_EQ(anx_display_set_mode(&d0, 641, 480, ANX_PIXEL_XRGB8888), ANX_EINVAL);   /* above the maximum */
    CHECK_EQ(anx_display_set_mode(&d0, 0, 480, ANX_PIXEL_XRGB8888), ANX_EINVAL);
    CHECK_EQ(anx_display_set_mode(&d0, 640, 480, (enum anx_pixel_format)0), ANX_EINVAL);
    CHECK_EQ(anx_display_set_mode(&d1, 320, 200, ANX_PIXEL_XRGB8888), ANX_ENOTSUP);  /* fixed mode */
    CHECK(anx_display_set_mode(&d0, 640, 480, ANX_PIXEL_XRGB8888) == 0);
    CHECK(mode_calls == 2);
    CHECK_EQ(d0.stats.mode_changes, 2);
    static struct anx_display liar;
    liar = mk(&ops_lying, 320, 200, 1280);
    liar.max_width = 640, liar.max_height = 480;
    CHECK(anx_display_register(&liar) == 0);
    CHECK_EQ(anx_display_set_mode(&liar, 640, 480, ANX_PIXEL_XRGB8888), ANX_EIO);
    CHECK(liar.mode.width == 320 && liar.mode.stride == 1280);        /* back to the old mode */
}

TEST(bench_command)
{
    const struct anx_command *c = anx_command_find("displays");
    char *bench[] = { "displays", "bench", "2", NULL };
    char *zero[] = { "displays", "bench", "0", NULL };
    char *bad[] = { "displays", "frob", NULL };
    flushes = 0;
    CHECK(c && c->fn(3, bench) == 0);
    CHECK(flushes >= 4);                      /* 2 frames on fb0 and on the liar; fb1 has no flush op */
    CHECK(fb[0] != 0);                        /* the pattern was drawn */
    CHECK(c->fn(3, zero) == 2);
    CHECK(c->fn(2, bad) == 2);
}

int main(void)
{
    setup();
    RUN(nonsense_refused);
    RUN(register_clears_and_names);
    RUN(flush_clips);
    RUN(modes);
    RUN(bench_command);
    return unit_done();
}
