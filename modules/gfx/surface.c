/* Surfaces (gfx.h): fills, rectangles, copies, blits and coverage masks,
 * each clipped first so the pixel loops never check bounds. */
#include <anx/errno.h>
#include <anx/lib.h>
#include "gfx.h"

int gfx_surface_init(struct gfx_surface *s, void *px, int width, int height, int stride,
                     enum anx_pixel_format format)
{
    unsigned bpp = anx_pixel_bytes(format);
    if (!s || !px || !bpp || width <= 0 || height <= 0 || width > (int)ANX_DISPLAY_MAX ||
        height > (int)ANX_DISPLAY_MAX || stride < width * (int)bpp)
        return ANX_EINVAL;
    s->px = px;
    s->width = width;
    s->height = height;
    s->stride = stride;
    s->format = format;
    s->clip = (struct gfx_rect){0, 0, width, height};
    return 0;
}

int gfx_surface_display(struct gfx_surface *s, struct anx_display *d)
{
    if (!d)
        return ANX_EINVAL;
    return gfx_surface_init(s, d->fb, (int)d->mode.width, (int)d->mode.height, (int)d->mode.stride,
                            d->mode.format);
}

bool gfx_rect_intersect(const struct gfx_rect *r, const struct gfx_rect *b, struct gfx_rect *out)
{
    /* 64-bit edges: x + w cannot overflow */
    int64_t x0 = ANX_MAX((int64_t)r->x, (int64_t)b->x), y0 = ANX_MAX((int64_t)r->y, (int64_t)b->y);
    int64_t x1 = ANX_MIN((int64_t)r->x + r->w, (int64_t)b->x + b->w);
    int64_t y1 = ANX_MIN((int64_t)r->y + r->h, (int64_t)b->y + b->h);
    if (r->w <= 0 || r->h <= 0 || b->w <= 0 || b->h <= 0 || x1 <= x0 || y1 <= y0) {
        *out = (struct gfx_rect){0, 0, 0, 0};
        return false;
    }
    *out = (struct gfx_rect){(int)x0, (int)y0, (int)(x1 - x0), (int)(y1 - y0)};
    return true;
}

void gfx_rect_union(struct gfx_rect *acc, const struct gfx_rect *r)
{
    if (r->w <= 0 || r->h <= 0)
        return;
    if (acc->w <= 0 || acc->h <= 0) {
        *acc = *r;
        return;
    }
    int x0 = ANX_MIN(acc->x, r->x), y0 = ANX_MIN(acc->y, r->y);
    int x1 = ANX_MAX(acc->x + acc->w, r->x + r->w), y1 = ANX_MAX(acc->y + acc->h, r->y + r->h);
    *acc = (struct gfx_rect){x0, y0, x1 - x0, y1 - y0};
}

void gfx_set_clip(struct gfx_surface *s, const struct gfx_rect *r)
{
    struct gfx_rect all = {0, 0, s->width, s->height};
    if (!r)
        s->clip = all;
    else
        gfx_rect_intersect(r, &all, &s->clip);
}

uint32_t gfx_pixel(enum anx_pixel_format f, gfx_color c)
{
    if (f == ANX_PIXEL_RGB565)
        return ((c >> 8) & 0xf800) | ((c >> 5) & 0x07e0) | ((c >> 3) & 0x001f);
    return c & 0xffffff;
}

gfx_color gfx_color_of(enum anx_pixel_format f, uint32_t p)
{
    if (f == ANX_PIXEL_RGB565) {
        /* widen 5 and 6 bits by repeating the top bits, so white stays white */
        uint32_t r = (p >> 11) & 31, g = (p >> 5) & 63, b = p & 31;
        return ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
    }
    return p & 0xffffff;
}

static inline uint8_t *at(const struct gfx_surface *s, int x, int y)
{
    return s->px + (size_t)y * (size_t)s->stride + (size_t)x * anx_pixel_bytes(s->format);
}

static inline uint32_t load(const struct gfx_surface *s, const uint8_t *p)
{
    if (s->format == ANX_PIXEL_RGB565)
        return *(const uint16_t *)p;
    return *(const uint32_t *)p;
}

static inline void store(const struct gfx_surface *s, uint8_t *p, uint32_t v)
{
    if (s->format == ANX_PIXEL_RGB565)
        *(uint16_t *)p = (uint16_t)v;
    else
        *(uint32_t *)p = v;
}

gfx_color gfx_get(const struct gfx_surface *s, int x, int y)
{
    if (x < 0 || y < 0 || x >= s->width || y >= s->height)
        return 0;
    return gfx_color_of(s->format, load(s, at(s, x, y)));
}

void gfx_put(struct gfx_surface *s, int x, int y, gfx_color c)
{
    gfx_fill_rect(s, x, y, 1, 1, c);
}

void gfx_fill_rect(struct gfx_surface *s, int x, int y, int w, int h, gfx_color c)
{
    struct gfx_rect r;
    if (!gfx_rect_intersect(&(struct gfx_rect){x, y, w, h}, &s->clip, &r))
        return;
    uint32_t v = gfx_pixel(s->format, c);
    for (int j = 0; j < r.h; j++) {
        uint8_t *row = at(s, r.x, r.y + j);
        if (s->format == ANX_PIXEL_RGB565) {
            uint16_t *p = (uint16_t *)row;
            for (int i = 0; i < r.w; i++)
                p[i] = (uint16_t)v;
        } else {
            uint32_t *p = (uint32_t *)row;
            for (int i = 0; i < r.w; i++)
                p[i] = v;
        }
    }
}

void gfx_clear(struct gfx_surface *s, gfx_color c)
{
    gfx_fill_rect(s, s->clip.x, s->clip.y, s->clip.w, s->clip.h, c);
}

void gfx_rect(struct gfx_surface *s, int x, int y, int w, int h, gfx_color c)
{
    if (w <= 0 || h <= 0)
        return;
    gfx_fill_rect(s, x, y, w, 1, c);
    if (h > 1)
        gfx_fill_rect(s, x, y + h - 1, w, 1, c);
    if (h > 2) {
        gfx_fill_rect(s, x, y + 1, 1, h - 2, c);
        if (w > 1)
            gfx_fill_rect(s, x + w - 1, y + 1, 1, h - 2, c);
    }
}

/* Clip a copy of w x h from source (sx, sy) in sbounds to (dx, dy) in
 * dclip, moving both corners together. False when nothing is left. */
static bool clip_copy(const struct gfx_rect *sbounds, const struct gfx_rect *dclip, int *dx, int *dy, int *sx,
                      int *sy, int *w, int *h)
{
    struct gfx_rect s, d;
    if (!gfx_rect_intersect(&(struct gfx_rect){*sx, *sy, *w, *h}, sbounds, &s))
        return false;
    /* the same cut applied to the destination */
    int64_t ddx = (int64_t)*dx + (s.x - *sx), ddy = (int64_t)*dy + (s.y - *sy);
    if (ddx < INT32_MIN || ddx > INT32_MAX || ddy < INT32_MIN || ddy > INT32_MAX)
        return false;
    if (!gfx_rect_intersect(&(struct gfx_rect){(int)ddx, (int)ddy, s.w, s.h}, dclip, &d))
        return false;
    *sx = s.x + (d.x - (int)ddx);
    *sy = s.y + (d.y - (int)ddy);
    *dx = d.x;
    *dy = d.y;
    *w = d.w;
    *h = d.h;
    return true;
}

void gfx_copy(struct gfx_surface *s, int dx, int dy, int sx, int sy, int w, int h)
{
    struct gfx_rect all = {0, 0, s->width, s->height};
    if (!clip_copy(&all, &s->clip, &dx, &dy, &sx, &sy, &w, &h) || (dx == sx && dy == sy))
        return;
    size_t bytes = (size_t)w * anx_pixel_bytes(s->format);
    if (dy > sy) {              /* moving down: bottom row first, so no row is overwritten before it is read */
        for (int j = h - 1; j >= 0; j--)
            memmove(at(s, dx, dy + j), at(s, sx, sy + j), bytes);
    } else {                    /* up, or sideways in the same rows (memmove handles that overlap) */
        for (int j = 0; j < h; j++)
            memmove(at(s, dx, dy + j), at(s, sx, sy + j), bytes);
    }
}

void gfx_blit(struct gfx_surface *dst, int dx, int dy, const struct gfx_surface *src, const struct gfx_rect *sr)
{
    struct gfx_rect all = {0, 0, src->width, src->height};
    struct gfx_rect r = sr ? *sr : all;
    int sx = r.x, sy = r.y, w = r.w, h = r.h;
    if (!clip_copy(&all, &dst->clip, &dx, &dy, &sx, &sy, &w, &h))
        return;
    if (src->format == dst->format) {
        size_t bytes = (size_t)w * anx_pixel_bytes(dst->format);
        for (int j = 0; j < h; j++)
            memmove(at(dst, dx, dy + j), at(src, sx, sy + j), bytes);
        return;
    }
    unsigned sb = anx_pixel_bytes(src->format), db = anx_pixel_bytes(dst->format);
    for (int j = 0; j < h; j++) {
        const uint8_t *sp = at(src, sx, sy + j);
        uint8_t *dp = at(dst, dx, dy + j);
        for (int i = 0; i < w; i++, sp += sb, dp += db)
            store(dst, dp, gfx_pixel(dst->format, gfx_color_of(src->format, load(src, sp))));
    }
}

/* a + (b - a) * t / 255 per channel, rounded; gamma-naive */
static inline gfx_color blend(gfx_color a, gfx_color b, unsigned t)
{
    gfx_color out = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        int ca = (int)(a >> sh & 255), cb = (int)(b >> sh & 255);
        int v = ca + ((cb - ca) * (int)t + (cb >= ca ? 127 : -127)) / 255;
        out |= (gfx_color)v << sh;
    }
    return out;
}

void gfx_mask(struct gfx_surface *s, int x, int y, const uint8_t *mask, int w, int h, int mstride, gfx_color c)
{
    struct gfx_rect r;
    if (!mask || !gfx_rect_intersect(&(struct gfx_rect){x, y, w, h}, &s->clip, &r))
        return;
    uint32_t solid = gfx_pixel(s->format, c);
    bool wide = s->format == ANX_PIXEL_XRGB8888;
    for (int j = 0; j < r.h; j++) {
        const uint8_t *m = mask + (size_t)(r.y - y + j) * (size_t)mstride + (size_t)(r.x - x);
        uint8_t *row = at(s, r.x, r.y + j);
        for (int i = 0; i < r.w; i++) {
            unsigned t = m[i];
            if (t == 0)
                continue;
            if (wide) {                 /* the common case, without per-pixel format checks */
                uint32_t *p = (uint32_t *)row + i;
                *p = t == 255 ? solid : blend(*p & 0xffffff, c, t);
                continue;
            }
            uint16_t *p = (uint16_t *)row + i;
            *p = (uint16_t)(t == 255 ? solid : gfx_pixel(s->format, blend(gfx_color_of(s->format, *p), c, t)));
        }
    }
}
