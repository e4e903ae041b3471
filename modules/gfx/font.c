/*
 * TrueType text (gfx.h): fonts checked by fontcheck.c, then rasterized by
 * stb_truetype (Debian's libstb source, compiled into this file with every
 * function static, so none of its names leave the module), a glyph cache
 * per face with a byte bound, UTF-8 decoding, drawing and measurement.
 */
#define LOG_TAG "gfx"
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/math.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/printf.h>
#include "fontcheck.h"
#include "gfx.h"

/* stb_truetype in this unit: the core's allocator, assert and <anx/math.h>.
 * fmod and acos are only used by stbtt_GetGlyphSDF, which gfx does not call
 * (the static function is dropped), so they are left undefined on purpose:
 * a use would fail the link instead of silently computing nothing. */
#define STBTT_STATIC
#define STB_TRUETYPE_IMPLEMENTATION
#define STBTT_ifloor(x) ((int)floorf((float)(x)))
#define STBTT_iceil(x) (-(int)floorf(-(float)(x)))
#define STBTT_sqrt(x) sqrtf((float)(x))
#define STBTT_pow(x, y) powf((float)(x), (float)(y))
#define STBTT_cos(x) cosf((float)(x))
#define STBTT_fabs(x) fabsf((float)(x))
#define STBTT_fmod(x, y) gfx_stbtt_fmod_unused(x, y)
#define STBTT_acos(x) gfx_stbtt_acos_unused(x)
#define STBTT_malloc(x, u) ((void)(u), anx_malloc(x))
#define STBTT_free(x, u) ((void)(u), anx_free(x))
#define STBTT_assert(x) ANX_ASSERT(x)
#define STBTT_strlen(x) strlen(x)
#define STBTT_memcpy memcpy
#define STBTT_memset memset
double gfx_stbtt_fmod_unused(double x, double y);
double gfx_stbtt_acos_unused(double x);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#include "stb_truetype.h"
#pragma GCC diagnostic pop

struct gfx_font {
    stbtt_fontinfo info;
    struct gfx_font_tables t;
    char name[48];
};

/* A cached glyph: the record, then its w x h coverage bytes. */
struct cglyph {
    struct gfx_glyph g;
    uint64_t used;                     /* face->clock at the last use (LRU) */
    struct cglyph *next;               /* hash chain */
    size_t bytes;                      /* what it counts against the bound */
};

#define CACHE_BUCKETS 128
#define CACHE_MIN (16u * 1024u)
#define GLYPH_MAX_SIDE(px) (4 * (px) + 16)     /* bigger boxes are damaged outlines: drawn blank */

struct gfx_face {
    struct gfx_font *font;
    float scale;
    struct gfx_metrics m;
    struct cglyph *bucket[CACHE_BUCKETS];
    struct cglyph *oversize;           /* a glyph bigger than the whole bound: kept until the next miss */
    uint64_t clock;
    struct gfx_cache_stats st;
};

static unsigned be16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

/* The font's full name (name ID 4, "DejaVu Sans Mono") in ASCII from the
 * optional 'name' table, checked like everything else; false when absent. */
static bool full_name(const uint8_t *d, size_t size, char *out, size_t n)
{
    unsigned tables = be16(d + 4);
    for (unsigned i = 0; i < tables; i++) {
        const uint8_t *r = d + 12 + 16 * i;            /* the directory was checked */
        if (memcmp(r, "name", 4))
            continue;
        uint32_t base = be32(r + 8), len = be32(r + 12);
        if (len < 6)
            return false;
        unsigned count = be16(d + base + 2), strings = be16(d + base + 4);
        if (6 + 12ull * count > len)
            return false;
        for (unsigned k = 0; k < count; k++) {
            const uint8_t *e = d + base + 6 + 12 * k;
            unsigned plat = be16(e), id = be16(e + 6), slen = be16(e + 8), soff = be16(e + 10);
            if (id != 4 || (plat != 3 && plat != 1) || (uint64_t)strings + soff + slen > len)
                continue;
            const uint8_t *str = d + base + strings + soff;
            unsigned step = plat == 3 ? 2 : 1;           /* Windows: UTF-16BE; Mac: one byte each */
            size_t o = 0;
            for (unsigned j = 0; j + step <= slen && o + 1 < n; j += step) {
                unsigned c = step == 2 ? be16(str + j) : str[j];
                out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
            }
            out[o] = 0;
            return o > 0;
        }
    }
    (void)size;
    return false;
}

struct gfx_font *gfx_font_load(const void *data, size_t size, const char *name, char *err, size_t errlen)
{
    char why[160];
    struct gfx_font *f = NULL;
    if (!name)
        name = "font";
    if (size > INT32_MAX) {                             /* stb keeps offsets in int */
        snprintf(why, sizeof why, "too large (%zu bytes)", size);
        goto bad;
    }
    f = anx_calloc(1, sizeof *f);
    if (!f) {
        snprintf(why, sizeof why, "out of memory");
        goto bad;
    }
    if (gfx_font_check(data, size, &f->t, why, sizeof why))
        goto bad;
    if (!stbtt_InitFont(&f->info, (const unsigned char *)data, 0) || (uint32_t)f->info.index_map != f->t.index_map) {
        snprintf(why, sizeof why, "rejected by the rasterizer");
        goto bad;
    }
    if (!full_name(data, size, f->name, sizeof f->name))
        strlcpy(f->name, name, sizeof f->name);
    return f;
bad:
    anx_free(f);
    if (err)
        snprintf(err, errlen, "%s: %s", name, why);
    log_error("%s: %s", name, why);
    return NULL;
}

struct gfx_font *gfx_font_open(const char *path, char *err, size_t errlen)
{
    const void *data;
    size_t size;
    if (anx_file_find(path, &data, &size) < 0) {
        if (err)
            snprintf(err, errlen, "%s: no such file in the image (add it under files: in the manifest)", path);
        log_error("%s: no such file in the image (add it under files: in the manifest)", path);
        return NULL;
    }
    return gfx_font_load(data, size, path, err, errlen);
}

void gfx_font_free(struct gfx_font *f)
{
    anx_free(f);
}

const char *gfx_font_name(const struct gfx_font *f)
{
    return f->name;
}

struct gfx_face *gfx_face_new(struct gfx_font *f, int px, size_t cache_bytes)
{
    if (!f || px < 4 || px > 512)
        return NULL;
    struct gfx_face *face = anx_calloc(1, sizeof *face);
    if (!face)
        return NULL;
    face->font = f;
    face->scale = stbtt_ScaleForMappingEmToPixels(&f->info, (float)px);
    int asc, desc, gap;
    stbtt_GetFontVMetrics(&f->info, &asc, &desc, &gap);
    face->m.px = px;
    face->m.ascent = STBTT_iceil(asc * face->scale);
    face->m.descent = STBTT_iceil(-desc * face->scale);
    if (face->m.ascent < 0)
        face->m.ascent = 0;
    if (face->m.descent < 0)
        face->m.descent = 0;
    face->m.line_height = face->m.ascent + face->m.descent + (gap > 0 ? (int)roundf(gap * face->scale) : 0);
    if (face->m.line_height < 1)
        face->m.line_height = 1;
    /* hhea's advanceWidthMax: the cell width of a monospaced font */
    const uint8_t *d = f->info.data;
    unsigned adv = (unsigned)(d[f->t.hhea + 10] << 8 | d[f->t.hhea + 11]);
    face->m.advance = STBTT_iceil(adv * face->scale);
    face->st.limit = cache_bytes ? ANX_MAX(cache_bytes, (size_t)CACHE_MIN) : GFX_GLYPH_CACHE_DEFAULT;
    return face;
}

static void drop(struct gfx_face *face, struct cglyph *c)
{
    face->st.bytes -= c->bytes;
    face->st.entries--;
    anx_free(c);
}

void gfx_face_free(struct gfx_face *face)
{
    if (!face)
        return;
    for (unsigned b = 0; b < CACHE_BUCKETS; b++)
        while (face->bucket[b]) {
            struct cglyph *c = face->bucket[b];
            face->bucket[b] = c->next;
            drop(face, c);
        }
    anx_free(face->oversize);
    anx_free(face);
}

void gfx_face_metrics(const struct gfx_face *face, struct gfx_metrics *m)
{
    *m = face->m;
}

void gfx_face_cache_stats(const struct gfx_face *face, struct gfx_cache_stats *st)
{
    *st = face->st;
}

/* Remove the least recently used glyph. A scan: misses are rare once the
 * text's characters are in, and the cache holds a few hundred glyphs. */
static void evict_one(struct gfx_face *face)
{
    struct cglyph **victim = NULL;
    for (unsigned b = 0; b < CACHE_BUCKETS; b++)
        for (struct cglyph **pp = &face->bucket[b]; *pp; pp = &(*pp)->next)
            if (!victim || (*pp)->used < (*victim)->used)
                victim = pp;
    if (!victim)
        return;
    struct cglyph *c = *victim;
    *victim = c->next;
    drop(face, c);
    face->st.evictions++;
}

/* The pixel box of an outline: from its points (curve control points
 * included: a curve stays inside them), not from the box its header
 * declares, which stb_truetype would use and which a damaged font can make
 * too small for the outline (stb's rasterizer then asserts). A pixel of
 * margin keeps float rounding inside too. */
static void outline_box(const stbtt_vertex *v, int n, float scale, int *x0, int *y0, int *x1, int *y1)
{
    int minx = 0, miny = 0, maxx = 0, maxy = 0;
    for (int i = 0; i < n; i++) {
        int xs[2] = {v[i].x, v[i].cx}, ys[2] = {v[i].y, v[i].cy};
        for (int k = 0; k < (v[i].type == STBTT_vcurve ? 2 : 1); k++) {
            if (i == 0 && k == 0) {
                minx = maxx = xs[0];
                miny = maxy = ys[0];
            }
            minx = ANX_MIN(minx, xs[k]);
            maxx = ANX_MAX(maxx, xs[k]);
            miny = ANX_MIN(miny, ys[k]);
            maxy = ANX_MAX(maxy, ys[k]);
        }
    }
    *x0 = STBTT_ifloor(minx * scale) - 1;
    *x1 = STBTT_iceil(maxx * scale) + 1;
    *y0 = STBTT_ifloor(-maxy * scale) - 1;           /* y grows downwards in the bitmap */
    *y1 = STBTT_iceil(-miny * scale) + 1;
}

/* Rasterize cp into a new cache record (not yet linked). */
static struct cglyph *rasterize(struct gfx_face *face, uint32_t cp)
{
    const stbtt_fontinfo *info = &face->font->info;
    int gi = stbtt_FindGlyphIndex(info, (int)cp);
    int adv, lsb, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    stbtt_GetGlyphHMetrics(info, gi, &adv, &lsb);
    stbtt_vertex *v = NULL;
    int n = stbtt_GetGlyphShape(info, gi, &v);
    if (n > 0)
        outline_box(v, n, face->scale, &x0, &y0, &x1, &y1);
    int w = x1 - x0, h = y1 - y0;
    if (n <= 0 || w > GLYPH_MAX_SIDE(face->m.px) || h > GLYPH_MAX_SIDE(face->m.px))
        w = h = 0;                     /* blank (a space), or a box no real glyph has */
    size_t bytes = sizeof(struct cglyph) + (size_t)w * (size_t)h;
    struct cglyph *c = anx_malloc(bytes);
    if (!c) {
        stbtt_FreeShape(info, v);
        return NULL;
    }
    uint8_t *bm = (uint8_t *)(c + 1);
    if (w) {
        stbtt__bitmap gbm = {.w = w, .h = h, .stride = w, .pixels = bm};
        memset(bm, 0, (size_t)w * (size_t)h);
        stbtt_Rasterize(&gbm, 0.35f, v, n, face->scale, face->scale, 0, 0, x0, y0, 1, NULL);
    }
    stbtt_FreeShape(info, v);
    c->g = (struct gfx_glyph){.cp = cp, .w = w, .h = h, .xoff = x0, .yoff = y0,
                              .advance = (int)roundf(adv * face->scale * 64.0f), .bitmap = w ? bm : NULL};
    c->bytes = bytes;
    c->next = NULL;
    return c;
}

const struct gfx_glyph *gfx_face_glyph(struct gfx_face *face, uint32_t cp)
{
    if (cp > 0x10ffff)
        cp = 0xfffd;
    unsigned b = (cp * 2654435761u) >> 25;             /* top 7 bits: CACHE_BUCKETS */
    face->clock++;
    for (struct cglyph *c = face->bucket[b]; c; c = c->next)
        if (c->g.cp == cp) {
            c->used = face->clock;
            face->st.hits++;
            return &c->g;
        }
    face->st.misses++;
    struct cglyph *c = rasterize(face, cp);
    if (!c)
        return NULL;
    anx_free(face->oversize);
    face->oversize = NULL;
    if (c->bytes > face->st.limit) {                   /* would not fit even alone */
        face->oversize = c;
        return &c->g;
    }
    while (face->st.bytes + c->bytes > face->st.limit && face->st.entries)
        evict_one(face);
    c->used = face->clock;
    c->next = face->bucket[b];
    face->bucket[b] = c;
    face->st.bytes += c->bytes;
    face->st.entries++;
    return &c->g;
}

uint32_t gfx_utf8_next(const char **sp, const char *end)
{
    const uint8_t *s = (const uint8_t *)*sp;
    size_t avail = (size_t)((const uint8_t *)end - s);
    uint32_t c = s[0];
    unsigned n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : 9;
    *sp += 1;
    if (n == 0)
        return c;
    if (n == 9 || avail < n + 1)
        return 0xfffd;
    c &= 0x3f >> n;
    for (unsigned i = 1; i <= n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0xfffd;
        c = c << 6 | (s[i] & 0x3f);
    }
    /* overlong forms, surrogates and beyond U+10FFFF are invalid */
    if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
        return 0xfffd;
    *sp += n;
    return c;
}

int gfx_text(struct gfx_surface *s, struct gfx_face *face, int x, int y, const char *text, size_t n, gfx_color c)
{
    int64_t pen = (int64_t)x * 64;                     /* 1/64 pixel */
    const char *end = text + n;
    while (text < end) {
        const struct gfx_glyph *g = gfx_face_glyph(face, gfx_utf8_next(&text, end));
        if (!g)
            break;
        if (g->bitmap)
            gfx_mask(s, (int)(pen >> 6) + g->xoff, y + g->yoff, g->bitmap, g->w, g->h, g->w, c);
        pen += g->advance;
    }
    return (int)(pen >> 6);
}

int gfx_text_width(struct gfx_face *face, const char *text, size_t n)
{
    int64_t pen = 0;
    const char *end = text + n;
    while (text < end) {
        const struct gfx_glyph *g = gfx_face_glyph(face, gfx_utf8_next(&text, end));
        if (!g)
            break;
        pen += g->advance;
    }
    return (int)((pen + 63) >> 6);
}
