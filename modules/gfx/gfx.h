/*
 * gfx: drawing into framebuffers and memory images, and TrueType text.
 *
 * A surface is a rectangle of pixels in memory (a display's framebuffer
 * or an image of one's own) in one of the display formats of
 * <anx/display.h> (XRGB8888, RGB565), with a clip rectangle: every
 * drawing call clips to it, so nothing ever writes outside the surface
 * whatever coordinates it gets. Colors are 0xRRGGBB; they are converted
 * to the surface's format when drawn.
 *
 * Text: a font is a TrueType file in memory (gfx_font_load checks it
 * before the rasterizer, stb_truetype, ever sees it: a file that is not a
 * font, or whose tables point outside it, is refused with a message); a
 * face is a font at one pixel size with its glyph cache. Glyphs are
 * anti-aliased coverage masks blended into the surface in gamma-naive
 * (linear in the stored values) space.
 *
 * Nothing here locks: a surface is drawn by one thread at a time.
 */
#ifndef GFX_H
#define GFX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/display.h>

typedef uint32_t gfx_color;            /* 0xRRGGBB */

struct gfx_rect {
    int x, y, w, h;
};

struct gfx_surface {
    uint8_t *px;                       /* first pixel of row 0 */
    int width, height;                 /* pixels */
    int stride;                        /* bytes from one row to the next */
    enum anx_pixel_format format;
    struct gfx_rect clip;              /* always inside 0,0,width,height */
};

/* ---- surfaces --------------------------------------------------------------- */

/* 0, or ANX_EINVAL (no pixels, a size <= 0 or above ANX_DISPLAY_MAX, an
 * unknown format, a stride shorter than a row). The clip is the whole
 * surface. */
int gfx_surface_init(struct gfx_surface *s, void *px, int width, int height, int stride,
                     enum anx_pixel_format format);
/* The display's framebuffer in its current mode. */
int gfx_surface_display(struct gfx_surface *s, struct anx_display *d);
/* Clip to r intersected with the surface (NULL: the whole surface). */
void gfx_set_clip(struct gfx_surface *s, const struct gfx_rect *r);

/* r intersected with b; false when the result is empty. Overflow-safe. */
bool gfx_rect_intersect(const struct gfx_rect *r, const struct gfx_rect *b, struct gfx_rect *out);
/* The smallest rectangle holding both (an empty one is ignored). */
void gfx_rect_union(struct gfx_rect *acc, const struct gfx_rect *r);

/* Color <-> stored pixel value. */
uint32_t gfx_pixel(enum anx_pixel_format f, gfx_color c);
gfx_color gfx_color_of(enum anx_pixel_format f, uint32_t pixel);
/* The color at x, y (0 outside the surface; the clip does not apply). */
gfx_color gfx_get(const struct gfx_surface *s, int x, int y);
void gfx_put(struct gfx_surface *s, int x, int y, gfx_color c);

/* The clip rectangle, filled. */
void gfx_clear(struct gfx_surface *s, gfx_color c);
void gfx_fill_rect(struct gfx_surface *s, int x, int y, int w, int h, gfx_color c);
/* A one-pixel outline of the rectangle (its inside untouched). */
void gfx_rect(struct gfx_surface *s, int x, int y, int w, int h, gfx_color c);
/* Copy w x h pixels from sx, sy to dx, dy in the same surface; the areas
 * may overlap (scrolling is one call). The source is clipped to the
 * surface, the destination to the clip. */
void gfx_copy(struct gfx_surface *s, int dx, int dy, int sx, int sy, int w, int h);
/* Copy the source rectangle sr of another surface (a memory image) to
 * dx, dy, converting the format when they differ. sr NULL: all of src. */
void gfx_blit(struct gfx_surface *dst, int dx, int dy, const struct gfx_surface *src,
              const struct gfx_rect *sr);
/* Blend color c into the surface through a coverage mask (0 transparent,
 * 255 opaque), w x h bytes with rows mstride apart, placed at x, y. */
void gfx_mask(struct gfx_surface *s, int x, int y, const uint8_t *mask, int w, int h, int mstride,
              gfx_color c);

/* ---- fonts and text ----------------------------------------------------------- */

struct gfx_font;                       /* a loaded TrueType file */
struct gfx_face;                       /* a font at one size, with its glyph cache */

/* Check data (size bytes, kept by the caller for the font's lifetime) and
 * open it as a TrueType font; name is for messages. NULL with err set
 * ("/fonts/x.ttf: not a TrueType font (starts with 3c 68 74 6d)") when it
 * is not one or is damaged; the error is also logged. */
struct gfx_font *gfx_font_load(const void *data, size_t size, const char *name, char *err, size_t errlen);
/* The same for a file of the image's files archive. */
struct gfx_font *gfx_font_open(const char *path, char *err, size_t errlen);
void gfx_font_free(struct gfx_font *f);
/* The font's full name from its name table ("DejaVu Sans Mono"), or the name it was loaded as. */
const char *gfx_font_name(const struct gfx_font *f);

/* Default bound of a face's glyph cache, bytes (entries + bitmaps). */
#define GFX_GLYPH_CACHE_DEFAULT (256u * 1024u)

/* The font at px pixels per em (4 .. 512); the cache holds at most
 * cache_bytes (0: GFX_GLYPH_CACHE_DEFAULT; at least 16 KiB). NULL when out
 * of memory or px is out of range. */
struct gfx_face *gfx_face_new(struct gfx_font *f, int px, size_t cache_bytes);
void gfx_face_free(struct gfx_face *face);

struct gfx_metrics {
    int px;                            /* pixels per em */
    int ascent, descent;               /* pixels above / below the baseline (descent >= 0) */
    int line_height;                   /* ascent + descent + line gap, pixels */
    int advance;                       /* widest advance (the cell width of a monospaced font) */
};
void gfx_face_metrics(const struct gfx_face *face, struct gfx_metrics *m);

struct gfx_glyph {
    uint32_t cp;                       /* code point */
    int w, h;                          /* coverage bitmap size (0 x 0 for a blank) */
    int xoff, yoff;                    /* bitmap's top left from the pen on the baseline */
    int advance;                       /* pen advance, 1/64 pixel */
    const uint8_t *bitmap;             /* w x h bytes, row stride w */
};
/* The glyph of a code point (the font's missing-glyph box when it has
 * none), rasterized on first use and cached. Valid until the next call on
 * this face. NULL only when out of memory. */
const struct gfx_glyph *gfx_face_glyph(struct gfx_face *face, uint32_t cp);

struct gfx_cache_stats {
    size_t bytes, limit;               /* now held / bound */
    unsigned entries;
    uint64_t hits, misses, evictions;
};
void gfx_face_cache_stats(const struct gfx_face *face, struct gfx_cache_stats *st);

/* Decode one UTF-8 character from *s (before end) and advance *s; invalid
 * or truncated sequences give U+FFFD and consume one byte. */
uint32_t gfx_utf8_next(const char **s, const char *end);

/* Draw n bytes of UTF-8 text with the pen starting at x on baseline y;
 * returns the pen's x after the text. */
int gfx_text(struct gfx_surface *s, struct gfx_face *face, int x, int y, const char *text, size_t n, gfx_color c);
/* Width in pixels the text advances the pen. */
int gfx_text_width(struct gfx_face *face, const char *text, size_t n);

#endif
