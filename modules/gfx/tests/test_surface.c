/* Host tests of gfx's surfaces: every drawing call against a slow,
 * obviously-right model of the same operation, clipping at each edge,
 * overlapping copies in all directions, RGB565. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gfx.h"
#define TEST_FILE "test_surface"
#include "check.h"

#define W 37
#define H 23
#define GUARD 0xdeadbeefu

/* A surface of W x H with a stride of W + 3 pixels; the padding and a
 * guard area after the last row must never be written. */
static uint32_t mem32[(W + 3) * H + 64];
static uint16_t mem16[(W + 5) * H + 64];

static void init32(struct gfx_surface *s)
{
    for (size_t i = 0; i < sizeof mem32 / 4; i++)
        mem32[i] = GUARD;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            mem32[y * (W + 3) + x] = (uint32_t)(y * 256 + x);     /* distinct per pixel */
    CHECK_EQ(gfx_surface_init(s, mem32, W, H, (W + 3) * 4, ANX_PIXEL_XRGB8888), 0);
}

static int guards_intact32(void)
{
    for (int y = 0; y < H; y++)
        for (int x = W; x < W + 3; x++)
            if (mem32[y * (W + 3) + x] != GUARD)
                return 0;
    for (size_t i = (W + 3) * H; i < sizeof mem32 / 4; i++)
        if (mem32[i] != GUARD)
            return 0;
    return 1;
}

static void test_init_refuses(void)
{
    struct gfx_surface s;
    CHECK(gfx_surface_init(&s, NULL, 4, 4, 16, ANX_PIXEL_XRGB8888) < 0);
    CHECK(gfx_surface_init(&s, mem32, 0, 4, 16, ANX_PIXEL_XRGB8888) < 0);
    CHECK(gfx_surface_init(&s, mem32, 4, -1, 16, ANX_PIXEL_XRGB8888) < 0);
    CHECK(gfx_surface_init(&s, mem32, 4, 4, 15, ANX_PIXEL_XRGB8888) < 0);     /* stride < row */
    CHECK(gfx_surface_init(&s, mem32, 4, 4, 16, (enum anx_pixel_format)7) < 0);
    CHECK(gfx_surface_init(&s, mem32, 20000, 4, 80000, ANX_PIXEL_XRGB8888) < 0);
    CHECK_EQ(gfx_surface_init(&s, mem32, 4, 4, 16, ANX_PIXEL_XRGB8888), 0);
    CHECK_EQ(s.clip.w, 4);
}

/* fill_rect at and across every edge, against a per-pixel model */
static void test_fill_clipping(void)
{
    static const int rects[][4] = {
        {-5, -5, 10, 10}, {W - 4, -3, 10, 6}, {-7, H - 2, 9, 10}, {W - 1, H - 1, 5, 5}, {-100, 3, 1000, 2},
        {5, -100, 2, 1000}, {W, 0, 3, 3}, {0, H, 3, 3}, {-3, 0, 3, 3}, {3, 3, 0, 5}, {3, 3, 5, -2},
        {0x7ffffff0, 0x7ffffff0, 0x7fffffff, 0x7fffffff}, {-0x7fffffff, -0x7fffffff, 0x7fffffff, 0x7fffffff},
    };
    for (size_t k = 0; k < sizeof rects / sizeof rects[0]; k++) {
        struct gfx_surface s;
        init32(&s);
        const int *r = rects[k];
        gfx_fill_rect(&s, r[0], r[1], r[2], r[3], 0x123456);
        int bad = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int in = r[2] > 0 && r[3] > 0 && (long long)x >= r[0] && (long long)x < (long long)r[0] + r[2] &&
                         (long long)y >= r[1] && (long long)y < (long long)r[1] + r[3];
                uint32_t want = in ? 0x123456u : (uint32_t)(y * 256 + x);
                bad += mem32[y * (W + 3) + x] != want;
            }
        CHECK_EQ(bad, 0);
        CHECK(guards_intact32());
    }
}

static void test_clip_rect(void)
{
    struct gfx_surface s;
    init32(&s);
    gfx_set_clip(&s, &(struct gfx_rect){10, 5, 8, 4});
    gfx_clear(&s, 0xff0000);
    gfx_fill_rect(&s, 0, 0, W, H, 0x00ff00);     /* only the clip changes */
    int inside = 0, outside_changed = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint32_t v = mem32[y * (W + 3) + x];
            if (x >= 10 && x < 18 && y >= 5 && y < 9)
                inside += v == 0x00ff00;
            else
                outside_changed += v != (uint32_t)(y * 256 + x);
        }
    CHECK_EQ(inside, 32);
    CHECK_EQ(outside_changed, 0);
    gfx_set_clip(&s, &(struct gfx_rect){W - 2, H - 2, 100, 100});    /* clipped to the surface */
    CHECK_EQ(s.clip.w, 2);
    CHECK_EQ(s.clip.h, 2);
    gfx_set_clip(&s, &(struct gfx_rect){W + 5, 0, 3, 3});           /* entirely outside: empty */
    gfx_clear(&s, 0x0000ff);
    CHECK(guards_intact32());
    CHECK_EQ(gfx_get(&s, W - 1, 0), (W - 1));
    gfx_set_clip(&s, NULL);
    CHECK_EQ(s.clip.w, W);
}

static void test_outline(void)
{
    struct gfx_surface s;
    init32(&s);
    gfx_rect(&s, 2, 3, 6, 4, 0xabcdef);
    int n = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            n += mem32[y * (W + 3) + x] == 0xabcdef;
    CHECK_EQ(n, 2 * 6 + 2 * 2);                  /* the perimeter, corners once */
    CHECK_EQ(gfx_get(&s, 4, 4), 4 * 256 + 4);    /* inside untouched */
    CHECK_EQ(gfx_get(&s, 7, 6), 0xabcdef);
    init32(&s);
    gfx_rect(&s, -2, -2, W + 4, H + 4, 0xabcdef);   /* every side off screen: nothing drawn */
    CHECK_EQ(gfx_get(&s, 0, 0), 0);
    init32(&s);
    gfx_rect(&s, -2, -2, W + 2, H + 2, 0xabcdef);   /* right and bottom sides on the last pixels */
    CHECK_EQ(gfx_get(&s, W - 1, 5), 0xabcdef);
    CHECK_EQ(gfx_get(&s, 5, H - 1), 0xabcdef);
    CHECK_EQ(gfx_get(&s, 5, 5), 5 * 256 + 5);
    CHECK(guards_intact32());
}

/* gfx_copy against a model: read every source pixel first, then write. */
static void test_copy_overlap(void)
{
    static const int moves[][6] = {
        {0, 0, 0, 1, W, H - 1},      /* scroll up one row */
        {0, 1, 0, 0, W, H - 1},      /* scroll down */
        {1, 0, 0, 0, W - 1, H},      /* right, overlapping in every row */
        {0, 0, 1, 0, W - 1, H},      /* left */
        {3, 2, 5, 7, 20, 10},        /* diagonal */
        {5, 7, 3, 2, 20, 10},
        {-4, -4, 0, 0, 10, 10},      /* destination off the top left */
        {W - 3, H - 3, 0, 0, 10, 10},
        {0, 0, -5, -5, 10, 10},      /* source off the top left: the cut moves the destination too */
        {0, 0, W - 4, H - 4, 10, 10},
        {2, 2, 2, 2, 5, 5},          /* onto itself */
    };
    for (size_t k = 0; k < sizeof moves / sizeof moves[0]; k++) {
        struct gfx_surface s;
        init32(&s);
        const int *m = moves[k];
        uint32_t before[H][W], want[H][W];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                before[y][x] = want[y][x] = mem32[y * (W + 3) + x];
        for (int j = 0; j < m[5]; j++)
            for (int i = 0; i < m[4]; i++) {
                int sx = m[2] + i, sy = m[3] + j, dx = m[0] + i, dy = m[1] + j;
                if (sx >= 0 && sy >= 0 && sx < W && sy < H && dx >= 0 && dy >= 0 && dx < W && dy < H)
                    want[dy][dx] = before[sy][sx];
            }
        gfx_copy(&s, m[0], m[1], m[2], m[3], m[4], m[5]);
        int bad = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                bad += mem32[y * (W + 3) + x] != want[y][x];
        if (bad)
            fprintf(stderr, "  move %zu: %d pixels differ\n", k, bad);
        CHECK_EQ(bad, 0);
        CHECK(guards_intact32());
    }
}

static void test_rgb565(void)
{
    CHECK_EQ(gfx_pixel(ANX_PIXEL_RGB565, 0xffffff), 0xffff);
    CHECK_EQ(gfx_pixel(ANX_PIXEL_RGB565, 0xff0000), 0xf800);
    CHECK_EQ(gfx_pixel(ANX_PIXEL_RGB565, 0x00ff00), 0x07e0);
    CHECK_EQ(gfx_pixel(ANX_PIXEL_RGB565, 0x0000ff), 0x001f);
    CHECK_EQ(gfx_color_of(ANX_PIXEL_RGB565, 0xffff), 0xffffff);
    CHECK_EQ(gfx_color_of(ANX_PIXEL_RGB565, 0x0000), 0);
    CHECK_EQ(gfx_color_of(ANX_PIXEL_RGB565, 0x8410), 0x848284);   /* mid grey widened */
    struct gfx_surface s;
    for (size_t i = 0; i < sizeof mem16 / 2; i++)
        mem16[i] = 0xbeef;
    CHECK_EQ(gfx_surface_init(&s, mem16, W, H, (W + 5) * 2, ANX_PIXEL_RGB565), 0);
    gfx_clear(&s, 0);
    gfx_fill_rect(&s, W - 3, H - 3, 10, 10, 0xff0000);
    CHECK_EQ(mem16[(H - 1) * (W + 5) + W - 1], 0xf800);
    CHECK_EQ(mem16[(H - 1) * (W + 5) + W], 0xbeef);             /* padding untouched */
    CHECK_EQ(mem16[(W + 5) * H], 0xbeef);
    gfx_put(&s, 0, 0, 0x0000ff);
    gfx_copy(&s, 1, 0, 0, 0, W - 1, H);                           /* overlapping, 2-byte pixels */
    CHECK_EQ(gfx_get(&s, 1, 0), 0x0000ff);
    CHECK_EQ(gfx_get(&s, 2, 0), 0);
    /* blit between formats: 32 -> 16 -> 32 keeps the representable colors */
    struct gfx_surface s32;
    init32(&s32);
    gfx_fill_rect(&s32, 0, 0, 4, 4, 0xff00ff);
    gfx_blit(&s, 10, 10, &s32, &(struct gfx_rect){0, 0, 4, 4});
    CHECK_EQ(mem16[10 * (W + 5) + 10], 0xf81f);
    CHECK_EQ(mem16[13 * (W + 5) + 13], 0xf81f);
    CHECK_EQ(mem16[14 * (W + 5) + 14], 0);
    gfx_blit(&s32, 20, 0, &s, &(struct gfx_rect){10, 10, 2, 2});
    CHECK_EQ(gfx_get(&s32, 21, 1), 0xff00ff);
    CHECK(guards_intact32());
}

static void test_blit_image(void)
{
    struct gfx_surface s, img;
    uint32_t pix[5 * 4];
    for (int i = 0; i < 20; i++)
        pix[i] = 0x010101u * (uint32_t)i;
    CHECK_EQ(gfx_surface_init(&img, pix, 5, 4, 20, ANX_PIXEL_XRGB8888), 0);
    init32(&s);
    gfx_blit(&s, W - 2, -1, &img, NULL);       /* clipped right and top */
    CHECK_EQ(gfx_get(&s, W - 2, 0), 0x050505);  /* image (0, 1) */
    CHECK_EQ(gfx_get(&s, W - 1, 2), 0x101010);  /* image (1, 3) */
    CHECK_EQ(gfx_get(&s, W - 3, 0), W - 3);
    CHECK(guards_intact32());
    /* a source rectangle partly outside the image is cut, and the
     * destination moves with the cut */
    init32(&s);
    gfx_blit(&s, 0, 0, &img, &(struct gfx_rect){-2, -1, 4, 3});
    CHECK_EQ(gfx_get(&s, 2, 1), 0);             /* image (0, 0) lands at (2, 1) */
    CHECK_EQ(gfx_get(&s, 3, 2), 0x060606);      /* image (1, 1) */
    CHECK_EQ(gfx_get(&s, 0, 0), 0);             /* untouched (pixel value 0 there anyway) */
    CHECK_EQ(gfx_get(&s, 1, 1), 256 + 1);
}

static void test_mask(void)
{
    struct gfx_surface s;
    init32(&s);
    gfx_fill_rect(&s, 0, 0, W, H, 0x000000);
    uint8_t m[3 * 2] = {0, 128, 255, 255, 64, 0};
    gfx_mask(&s, W - 2, H - 1, m, 3, 2, 3, 0xffffff);    /* clipped: only (W-2, H-1), (W-1, H-1) */
    CHECK_EQ(gfx_get(&s, W - 2, H - 1), 0);
    CHECK_EQ(gfx_get(&s, W - 1, H - 1), 0x808080);
    CHECK(guards_intact32());
    gfx_mask(&s, 0, 0, m, 3, 2, 3, 0xff8000);
    CHECK_EQ(gfx_get(&s, 0, 0), 0);
    CHECK_EQ(gfx_get(&s, 1, 0), 0x804000);
    CHECK_EQ(gfx_get(&s, 2, 0), 0xff8000);
    CHECK_EQ(gfx_get(&s, 1, 1), 0x402000);
    /* blending toward a darker color rounds too */
    gfx_fill_rect(&s, 0, 5, 1, 1, 0xffffff);
    gfx_mask(&s, 0, 5, (const uint8_t[]){128}, 1, 1, 1, 0x000000);
    CHECK_EQ(gfx_get(&s, 0, 5), 0x7f7f7f);
}

int main(void)
{
    RUN(test_init_refuses);
    RUN(test_fill_clipping);
    RUN(test_clip_rect);
    RUN(test_outline);
    RUN(test_copy_overlap);
    RUN(test_rgb565);
    RUN(test_blit_image);
    RUN(test_mask);
    return check_failed_tests ? 1 : 0;
}
