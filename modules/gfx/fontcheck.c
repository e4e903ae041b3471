/*
 * The TrueType checker (fontcheck.h). stb_truetype reads a font with no
 * bounds checks at all: every offset it follows comes from the file. So
 * before a file reaches it, this walks everything stb_truetype will read,
 * with bounds: the table directory, head/hhea/maxp/hmtx/loca, the cmap
 * subtable stb will pick (the same choice it makes), and every glyph's
 * outline (contours, flags, coordinates, composite components and their
 * nesting). A file that passes cannot make the rasterizer read outside it.
 * Pure code on bytes, so it runs in host tests and under libFuzzer.
 */
#include <anx/lib.h>
#include <anx/math.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include "fontcheck.h"

#define COMPOSITE_DEPTH 8      /* deeper nesting is refused (stb recurses once per level) */

struct fc {
    const uint8_t *d;
    size_t size;
    char *err;
    size_t errlen;
    struct gfx_font_tables *t;
    uint8_t *depth;            /* per glyph: 0 unchecked, nesting height once checked, 0xff being checked */
    /* per checked glyph: x0 y0 x1 y1 of every coordinate stb will produce,
     * (0,0) included (the unused control point of a line) */
    int16_t (*box)[4];
};

static uint16_t u16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t u32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static int fail(struct fc *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct fc *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* [off, off + len) inside the file */
static bool in_file(const struct fc *c, uint64_t off, uint64_t len)
{
    return off <= c->size && len <= c->size - off;
}

static int directory(struct fc *c)
{
    const uint8_t *d = c->d;
    if (c->size < 12)
        return fail(c, "too short to be a font (%zu bytes)", c->size);
    uint32_t tag = u32(d);
    if (tag == 0x4f54544f)                                  /* 'OTTO' */
        return fail(c, "an OpenType font with CFF outlines: only TrueType (glyf) outlines are supported");
    if (tag == 0x74746366)                                  /* 'ttcf' */
        return fail(c, "a font collection (.ttc): give a single .ttf");
    if (tag == 0x774f4646 || tag == 0x774f4632)             /* 'wOFF', 'wOF2' */
        return fail(c, "a compressed WOFF web font: give the .ttf");
    if (tag != 0x00010000 && tag != 0x74727565)             /* 1.0, 'true' */
        return fail(c, "not a TrueType font (starts with %02x %02x %02x %02x)", d[0], d[1], d[2], d[3]);
    unsigned n = u16(d + 4);
    if (n == 0 || !in_file(c, 12, (uint64_t)n * 16))
        return fail(c, "truncated table directory (%u tables, file %zu bytes)", n, c->size);
    static const char *const want[] = {"cmap", "head", "hhea", "hmtx", "loca", "glyf", "maxp"};
    uint32_t *slot[] = {&c->t->cmap, &c->t->head, &c->t->hhea, &c->t->hmtx, &c->t->loca, &c->t->glyf,
                        &c->t->maxp};
    uint32_t *lens[] = {&c->t->cmap_len, &c->t->head_len, &c->t->hhea_len, &c->t->hmtx_len, &c->t->loca_len,
                        &c->t->glyf_len, &c->t->maxp_len};
    bool found[ANX_ARRAY_SIZE(want)] = {false};
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *r = d + 12 + 16 * i;
        uint32_t off = u32(r + 8), len = u32(r + 12);
        if (!in_file(c, off, len))
            return fail(c, "table '%c%c%c%c' (offset %u, length %u) runs past the end of the file (%zu bytes)",
                        r[0], r[1], r[2], r[3], off, len, c->size);
        for (unsigned k = 0; k < ANX_ARRAY_SIZE(want); k++)
            if (!found[k] && memcmp(r, want[k], 4) == 0) {  /* stb uses the first of a tag too */
                found[k] = true;
                *slot[k] = off;
                *lens[k] = len;
            }
    }
    for (unsigned k = 0; k < ANX_ARRAY_SIZE(want); k++)
        if (!found[k])
            return fail(c, "no '%s' table (not a complete TrueType font)", want[k]);
    return 0;
}

static int fixed_tables(struct fc *c)
{
    struct gfx_font_tables *t = c->t;
    const uint8_t *d = c->d;
    if (t->head_len < 54 || u32(d + t->head + 12) != 0x5f0f3cf5)
        return fail(c, "damaged 'head' table (length %u, bad magic number)", t->head_len);
    t->units_per_em = u16(d + t->head + 18);
    if (t->units_per_em < 16 || t->units_per_em > 16384)
        return fail(c, "'head' gives %u units per em (expected 16 to 16384)", t->units_per_em);
    t->long_loca = u16(d + t->head + 50);
    if (t->long_loca > 1)
        return fail(c, "'head' gives an unknown loca format %u", t->long_loca);
    if (t->maxp_len < 6 || !(t->num_glyphs = u16(d + t->maxp + 4)))
        return fail(c, "damaged 'maxp' table (no glyph count)");
    if (t->hhea_len < 36)
        return fail(c, "damaged 'hhea' table (%u bytes, expected 36)", t->hhea_len);
    t->num_hmetrics = u16(d + t->hhea + 34);
    if (!t->num_hmetrics || t->num_hmetrics > t->num_glyphs)
        return fail(c, "'hhea' gives %u metrics for %u glyphs", t->num_hmetrics, t->num_glyphs);
    if ((uint64_t)t->hmtx_len < 4ull * t->num_hmetrics + 2ull * (t->num_glyphs - t->num_hmetrics))
        return fail(c, "'hmtx' table too short for %u glyphs", t->num_glyphs);
    uint64_t entry = t->long_loca ? 4 : 2;
    if (t->loca_len < entry * (t->num_glyphs + 1ull))
        return fail(c, "'loca' table too short for %u glyphs", t->num_glyphs);
    return 0;
}

/* Where glyph g's outline lies in glyf: [*start, *end) relative to glyf. */
static void glyph_range(const struct fc *c, unsigned g, uint32_t *start, uint32_t *end)
{
    const uint8_t *l = c->d + c->t->loca;
    if (c->t->long_loca) {
        *start = u32(l + 4 * g);
        *end = u32(l + 4 * g + 4);
    } else {
        *start = 2u * u16(l + 2 * g);
        *end = 2u * u16(l + 2 * g + 2);
    }
}

/* A simple glyph of nc contours in p[0..len): every byte stb reads is in range. */
static int simple_glyph(struct fc *c, unsigned g, const uint8_t *p, uint32_t len, unsigned nc)
{
    uint64_t at = 10 + 2ull * nc;
    if (at + 2 > len)
        return fail(c, "glyph %u: contour table runs past its data", g);
    unsigned prev = 0;
    for (unsigned k = 0; k < nc; k++) {
        unsigned e = u16(p + 10 + 2 * k);
        if ((k && e <= prev) || (!k && e > 0xfffe))   /* each contour at least one point */
            return fail(c, "glyph %u: contour ends out of order", g);
        prev = e;
    }
    unsigned npts = prev + 1;
    at += 2 + u16(p + at);                              /* instructions */
    uint64_t flags_at = at;
    /* flags: one per point, with repeats; remember which points start a
     * contour off the curve (stb mishandles a one-point off-curve contour) */
    uint64_t xbytes = 0, ybytes = 0;
    unsigned next_start = 0, contour = 0;
    for (unsigned i = 0; i < npts;) {
        if (at >= len)
            return fail(c, "glyph %u: flags run past its data", g);
        uint8_t f = p[at++];
        unsigned rep = 1;
        if (f & 8) {
            if (at >= len)
                return fail(c, "glyph %u: flags run past its data", g);
            rep += p[at++];
        }
        for (; rep && i < npts; rep--, i++) {
            if (i == next_start) {
                unsigned end = u16(p + 10 + 2 * contour);
                if (end == i && !(f & 1))
                    return fail(c, "glyph %u: contour of a single off-curve point", g);
                next_start = end + 1;
                contour++;
            }
            xbytes += (f & 2) ? 1 : (f & 16) ? 0 : 2;
            ybytes += (f & 4) ? 1 : (f & 32) ? 0 : 2;
        }
    }
    if (at + xbytes + ybytes > len)
        return fail(c, "glyph %u: coordinates run past its data", g);
    /* the coordinates as stb computes them (a 32-bit sum of the deltas,
     * stored as 16 bits), for the composites that transform this glyph */
    int16_t *b = c->box[g];
    b[0] = b[1] = b[2] = b[3] = 0;
    uint64_t xa = at, ya = at + xbytes;
    for (int axis = 0; axis < 2; axis++) {
        uint64_t fa = flags_at, ca = axis ? ya : xa;
        uint8_t shortbit = axis ? 4 : 2, samebit = axis ? 32 : 16, f = 0;
        unsigned rep = 0;
        int32_t v = 0;
        for (unsigned i = 0; i < npts; i++) {
            if (rep == 0) {
                f = p[fa++];
                if (f & 8)
                    rep = p[fa++];
            } else {
                rep--;
            }
            if (f & shortbit) {
                int32_t dv = p[ca++];
                v += (f & samebit) ? dv : -dv;
            } else if (!(f & samebit)) {
                v += (int16_t)u16(p + ca);
                ca += 2;
            }
            int16_t sv = (int16_t)v;
            b[axis] = ANX_MIN(b[axis], sv);
            b[axis + 2] = ANX_MAX(b[axis + 2], sv);
        }
    }
    return 0;
}

static int glyph_height(struct fc *c, unsigned g);

/* stb moves a component's points by the matrix and stores them in 16
 * bits: a float outside that range is undefined behaviour, so every point
 * must land inside it. The points lie in the component's box and the map
 * is linear, so checking the corners (as stb computes them) covers all;
 * the composite's box grows by the result. */
static int transform(struct fc *c, unsigned g, unsigned sub, const float *mtx)
{
    float m = sqrtf(mtx[0] * mtx[0] + mtx[1] * mtx[1]), n = sqrtf(mtx[2] * mtx[2] + mtx[3] * mtx[3]);
    const int16_t *sb = c->box[sub];
    int16_t *b = c->box[g];
    for (int k = 0; k < 4; k++) {
        float x = sb[(k & 1) ? 2 : 0], y = sb[(k & 2) ? 3 : 1];
        float vx = m * (mtx[0] * x + mtx[2] * y + mtx[4]), vy = n * (mtx[1] * x + mtx[3] * y + mtx[5]);
        if (!(vx >= -32767.0f && vx <= 32767.0f && vy >= -32767.0f && vy <= 32767.0f))
            return fail(c, "glyph %u: component glyph %u is moved outside the coordinate range", g, sub);
        int16_t ix = (int16_t)vx, iy = (int16_t)vy;
        b[0] = ANX_MIN(b[0], ix);
        b[1] = ANX_MIN(b[1], iy);
        b[2] = ANX_MAX(b[2], ix);
        b[3] = ANX_MAX(b[3], iy);
    }
    return 0;
}

/* A composite's components: each exists and is itself sound. Returns
 * the tallest component's nesting height, or -1. */
static int composite_glyph(struct fc *c, unsigned g, const uint8_t *p, uint32_t len)
{
    uint64_t at = 10;
    int tallest = 0;
    for (;;) {
        if (at + 4 > len)
            return fail(c, "glyph %u: component runs past its data", g);
        unsigned flags = u16(p + at), sub = u16(p + at + 2);
        uint64_t args = at + 4;
        at = args + ((flags & 1) ? 4 : 2);              /* arguments: words or bytes */
        uint64_t scales = at;
        if (flags & 8)
            at += 2;                                    /* one scale */
        else if (flags & 64)
            at += 4;                                    /* x and y scale */
        else if (flags & 128)
            at += 8;                                    /* 2x2 matrix */
        if (at > len)
            return fail(c, "glyph %u: component runs past its data", g);
        float mtx[6] = {1, 0, 0, 1, 0, 0};
        if (flags & 1) {
            mtx[4] = (int16_t)u16(p + args);
            mtx[5] = (int16_t)u16(p + args + 2);
        } else {
            mtx[4] = (int8_t)p[args];
            mtx[5] = (int8_t)p[args + 1];
        }
        if (flags & 8) {
            mtx[0] = mtx[3] = (int16_t)u16(p + scales) / 16384.0f;
        } else if (flags & 64) {
            mtx[0] = (int16_t)u16(p + scales) / 16384.0f;
            mtx[3] = (int16_t)u16(p + scales + 2) / 16384.0f;
        } else if (flags & 128) {
            for (int k = 0; k < 4; k++)
                mtx[k] = (int16_t)u16(p + scales + 2 * k) / 16384.0f;
        }
        if (!(flags & 2))                               /* stb cannot place by point numbers */
            return fail(c, "glyph %u: component placed by point numbers (not supported)", g);
        if (sub >= c->t->num_glyphs)
            return fail(c, "glyph %u: component glyph %u does not exist (%u glyphs)", g, sub, c->t->num_glyphs);
        int h = glyph_height(c, sub);
        if (h < 0)
            return -1;
        tallest = ANX_MAX(tallest, h);
        if (transform(c, g, sub, mtx))
            return -1;
        if (!(flags & 32))                              /* MORE_COMPONENTS */
            return tallest;
    }
}

/* Check glyph g once (memoized): its nesting height (1 for a simple or
 * empty glyph, 1 + the tallest component for a composite), or -1.
 * stb_truetype recurses once per level, so the height is bounded, and a
 * glyph that contains itself is refused. */
static int glyph_height(struct fc *c, unsigned g)
{
    if (c->depth[g] == 0xff)
        return fail(c, "glyph %u: composite glyph contains itself", g);
    if (c->depth[g])
        return c->depth[g];
    uint32_t start, end;
    glyph_range(c, g, &start, &end);
    if (start > end || end > c->t->glyf_len)
        return fail(c, "glyph %u: outline at %u..%u lies outside the 'glyf' table (%u bytes)", g, start, end,
                    c->t->glyf_len);
    int h = 1;
    int16_t *b = c->box[g];
    b[0] = b[1] = b[2] = b[3] = 0;
    if (start < end) {                                  /* empty: a space */
        uint32_t len = end - start;
        const uint8_t *p = c->d + c->t->glyf + start;
        if (len < 10)
            return fail(c, "glyph %u: outline header truncated", g);
        int16_t nc = (int16_t)u16(p);
        c->depth[g] = 0xff;
        if (nc > 0 && simple_glyph(c, g, p, len, (unsigned)nc))
            return -1;
        if (nc < 0) {
            int below = composite_glyph(c, g, p, len);
            if (below < 0)
                return -1;
            h = below + 1;
            if (h > COMPOSITE_DEPTH)
                return fail(c, "glyph %u: composite glyphs nested deeper than %d", g, COMPOSITE_DEPTH);
        }
    }
    c->depth[g] = (uint8_t)h;
    return h;
}

static int glyphs(struct fc *c)
{
    c->depth = anx_calloc(c->t->num_glyphs, 1);
    c->box = anx_calloc(c->t->num_glyphs, sizeof *c->box);
    if (!c->depth || !c->box) {
        anx_free(c->depth);
        anx_free(c->box);
        return fail(c, "out of memory checking %u glyphs", c->t->num_glyphs);
    }
    int r = 0;
    for (unsigned g = 0; g < c->t->num_glyphs && !r; g++)
        r = glyph_height(c, g) < 0;
    anx_free(c->depth);
    anx_free(c->box);
    c->depth = NULL;
    c->box = NULL;
    return r;
}

/* The cmap subtable stb_truetype will use: the last Microsoft Unicode
 * (BMP or full) or Unicode-platform record, as stbtt_InitFont picks. */
static int cmap(struct fc *c)
{
    const uint8_t *d = c->d;
    uint32_t base = c->t->cmap, len = c->t->cmap_len;
    if (len < 4)
        return fail(c, "damaged 'cmap' table");
    unsigned n = u16(d + base + 2);
    if (4 + 8ull * n > len)
        return fail(c, "'cmap' lists %u encodings but holds fewer", n);
    uint64_t pick = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *r = d + base + 4 + 8 * i;
        unsigned plat = u16(r), enc = u16(r + 2);
        if ((plat == 3 && (enc == 1 || enc == 10)) || plat == 0) {
            /* stb reads the offset of every such record, not only the one it keeps */
            if (u32(r + 4) >= len)
                return fail(c, "'cmap' encoding %u points outside the table", i);
            pick = (uint64_t)base + u32(r + 4);
        }
    }
    if (!pick)
        return fail(c, "no Unicode character map");
    if (!in_file(c, pick, 4))
        return fail(c, "the Unicode character map lies outside the file");
    const uint8_t *s = d + pick;
    unsigned fmt = u16(s);
    c->t->index_map = (uint32_t)pick;
    switch (fmt) {
    case 0:
        if (u16(s + 2) > 262 || !in_file(c, pick, u16(s + 2)))
            return fail(c, "character map (format 0) runs past the end of the file");
        return 0;
    case 6:
        if (!in_file(c, pick, 10) || !in_file(c, pick, 10 + 2ull * u16(s + 8)))
            return fail(c, "character map (format 6) runs past the end of the file");
        return 0;
    case 12:
    case 13:
        if (!in_file(c, pick, 16) || !in_file(c, pick, 16 + 12ull * u32(s + 12)))
            return fail(c, "character map (format %u) runs past the end of the file", fmt);
        /* stb reads these as 32-bit values through a signed shift: keep them
         * to what Unicode and a glyph index can be */
        for (uint32_t i = 0; i < u32(s + 12); i++) {
            const uint8_t *grp = s + 16 + 12 * (size_t)i;
            if (u32(grp) > 0x10ffff || u32(grp + 4) > 0x10ffff || u32(grp + 8) > 0xffff)
                return fail(c, "character map (format %u) group %u is out of range", fmt, i);
        }
        return 0;
    case 4:
        break;
    default:
        return fail(c, "character map format %u is not supported (need 0, 4, 6, 12 or 13)", fmt);
    }
    if (!in_file(c, pick, 14))
        return fail(c, "character map (format 4) truncated");
    unsigned seg = u16(s + 6) / 2, range = u16(s + 8), sel = u16(s + 10), shift = u16(s + 12);
    if (!seg || !in_file(c, pick, 16 + 8ull * seg))
        return fail(c, "character map (format 4) runs past the end of the file");
    /* stb's binary search trusts these three; they are determined by seg */
    unsigned p2 = 1, log2 = 0;
    while (p2 * 2 <= seg) {
        p2 *= 2;
        log2++;
    }
    if (range != 2 * p2 || sel != log2 || shift != 2 * seg - 2 * p2)
        return fail(c, "character map (format 4) has an inconsistent search header");
    uint64_t ends = pick + 14, starts = ends + 2ull * seg + 2, ro = starts + 4ull * seg;
    for (unsigned i = 0; i < seg; i++) {
        unsigned end = u16(d + ends + 2 * i), start = u16(d + starts + 2 * i), off = u16(d + ro + 2 * i);
        if (!off || start > end)
            continue;
        /* the glyph id array entries this segment reaches */
        uint64_t first = ro + 2ull * i + off;
        if (!in_file(c, first, 2ull * (end - start) + 2))
            return fail(c, "character map (format 4) segment %u points outside the file", i);
    }
    return 0;
}

int gfx_font_check(const void *data, size_t size, struct gfx_font_tables *t, char *err, size_t errlen)
{
    struct fc c = {.d = data, .size = size, .err = err, .errlen = errlen, .t = t};
    memset(t, 0, sizeof *t);
    if (!data)
        return fail(&c, "no data");
    if (directory(&c) || fixed_tables(&c) || cmap(&c) || glyphs(&c))
        return -1;
    return 0;
}
