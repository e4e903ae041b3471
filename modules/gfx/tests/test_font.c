/*
 * Host tests of gfx's fonts: the real DejaVu Sans Mono (skipped cleanly
 * when fonts-dejavu-core is not installed), tests/corpus/tiny.ttf (made by
 * tests/mkfont.py), broken files of every kind refused with their message,
 * the glyph cache's bound, UTF-8 decoding and text measurement.
 *
 *   test_font TINY.TTF   (the runner passes {dir}/tests/corpus/tiny.ttf)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gfx.h"
#define TEST_FILE "test_font"
#include "check.h"

#define MONO "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define SANS "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *d = malloc((size_t)n + 1);
    if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    fclose(f);
    *size = (size_t)n;
    return d;
}

static uint8_t *tiny;
static size_t tiny_size;
static uint32_t fb[200 * 60];

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

/* offset of a table's directory record in a font */
static uint8_t *record(uint8_t *d, const char *tag)
{
    unsigned n = be16(d + 4);
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(d + 12 + 16 * i, tag, 4))
            return d + 12 + 16 * i;
    return NULL;
}

/* Load a copy of the tiny font changed by fix(); the error it gives ("" when accepted). */
static const char *load_changed(void (*fix)(uint8_t *d, size_t *size))
{
    static char err[200];
    uint8_t *d = malloc(tiny_size + 64);
    memcpy(d, tiny, tiny_size);
    size_t size = tiny_size;
    fix(d, &size);
    err[0] = 0;
    struct gfx_font *f = gfx_font_load(d, size, "t.ttf", err, sizeof err);
    if (f) {
        /* accepted: it must also draw */
        struct gfx_face *face = gfx_face_new(f, 20, 0);
        struct gfx_surface s;
        gfx_surface_init(&s, fb, 200, 60, 800, ANX_PIXEL_XRGB8888);
        gfx_text(&s, face, 0, 30, "AB A", 4, 0xffffff);
        gfx_face_free(face);
        gfx_font_free(f);
    }
    free(d);
    return err;
}

static int has(const char *s, const char *part)
{
    if (!strstr(s, part)) {
        fprintf(stderr, "  got \"%s\", expected it to contain \"%s\"\n", s, part);
        return 0;
    }
    return 1;
}

static void nothing(uint8_t *d, size_t *n) { (void)d; (void)n; }
static void html(uint8_t *d, size_t *n) { memcpy(d, "<html><body>", 12); (void)n; }
static void otto(uint8_t *d, size_t *n) { memcpy(d, "OTTO", 4); (void)n; }
static void ttc(uint8_t *d, size_t *n) { memcpy(d, "ttcf", 4); (void)n; }
static void woff(uint8_t *d, size_t *n) { memcpy(d, "wOFF", 4); (void)n; }
static void short8(uint8_t *d, size_t *n) { (void)d; *n = 8; }
static void many_tables(uint8_t *d, size_t *n) { put16(d + 4, 500); (void)n; }
static void truncated(uint8_t *d, size_t *n) { (void)d; *n -= 40; }
static void glyf_past_end(uint8_t *d, size_t *n) { put32(record(d, "glyf") + 12, 0xfffffff0u); (void)n; }
static void no_loca(uint8_t *d, size_t *n) { memcpy(record(d, "loca"), "LOCA", 4); (void)n; }
static void bad_magic(uint8_t *d, size_t *n) { put32(d + be32(record(d, "head") + 8) + 12, 0); (void)n; }
static void zero_upem(uint8_t *d, size_t *n) { put16(d + be32(record(d, "head") + 8) + 18, 0); (void)n; }
static void many_glyphs(uint8_t *d, size_t *n) { put16(d + be32(record(d, "maxp") + 8) + 4, 4000); (void)n; }
static void loca_out(uint8_t *d, size_t *n) { put32(d + be32(record(d, "loca") + 8) + 8, 0x10000); (void)n; }
static void cmap_fmt(uint8_t *d, size_t *n) { put16(d + be32(record(d, "cmap") + 8) + 12, 2); (void)n; }
static void cmap_record(uint8_t *d, size_t *n) { put32(d + be32(record(d, "cmap") + 8) + 8, 0x80000000u); (void)n; }
static void cmap_search(uint8_t *d, size_t *n) { put16(d + be32(record(d, "cmap") + 8) + 12 + 8, 0x4000); (void)n; }
/* segment 0's idRangeOffset far outside */
static void cmap_range(uint8_t *d, size_t *n)
{
    uint8_t *sub = d + be32(record(d, "cmap") + 8) + 12;
    unsigned seg = be16(sub + 6) / 2;
    put16(sub + 14 + 6 * seg + 2, 0xfff0);
    (void)n;
}
static void composite_self(uint8_t *d, size_t *n)
{
    uint8_t *glyf = d + be32(record(d, "glyf") + 8), *loca = d + be32(record(d, "loca") + 8);
    put16(glyf + be32(loca + 8) + 12, 2);      /* glyph 2's component: glyph 2 */
    (void)n;
}
static void composite_far(uint8_t *d, size_t *n)
{
    uint8_t *glyf = d + be32(record(d, "glyf") + 8), *loca = d + be32(record(d, "loca") + 8);
    put16(glyf + be32(loca + 8) + 14, 0x7fff); /* glyph 2 moves glyph 1 (x up to 550) by 32767 */
    (void)n;
}
static void box_too_small(uint8_t *d, size_t *n)
{
    uint8_t *glyf = d + be32(record(d, "glyf") + 8), *loca = d + be32(record(d, "loca") + 8);
    /* glyph 1 says y -500..0 (its top on the baseline); its points reach 1400 */
    put16(glyf + be32(loca + 4) + 4, 0xfe0c);
    put16(glyf + be32(loca + 4) + 8, 0);
    (void)n;
}
static void points_past(uint8_t *d, size_t *n)
{
    uint8_t *glyf = d + be32(record(d, "glyf") + 8), *loca = d + be32(record(d, "loca") + 8);
    put16(glyf + be32(loca + 4) + 10, 300);    /* glyph 1: its contour ends at point 300 */
    (void)n;
}
static void lone_off_point(uint8_t *d, size_t *n)
{
    /* glyph 1 rewritten in its 32 bytes: contour 0 is one off-curve point */
    uint8_t *glyf = d + be32(record(d, "glyf") + 8), *loca = d + be32(record(d, "loca") + 8);
    uint8_t *g = glyf + be32(loca + 4);
    put16(g, 2);
    put16(g + 10, 0);                          /* contour ends: 0, 2 */
    put16(g + 12, 2);
    put16(g + 14, 0);                          /* no instructions */
    g[16] = 0, g[17] = 1, g[18] = 1;           /* flags: off, on, on; coordinates as words */
    for (int i = 0; i < 6; i++)
        put16(g + 19 + 2 * i, 10);
    (void)n;
}

static void test_tiny_and_broken(void)
{
    if (!tiny) {
        printf("skip  test_font: broken fonts: tests/corpus/tiny.ttf not given\n");
        return;
    }
    CHECK(has(load_changed(nothing), ""));
    CHECK_EQ(load_changed(nothing)[0], 0);
    CHECK(has(load_changed(html), "t.ttf: not a TrueType font (starts with 3c 68 74 6d)"));
    CHECK(has(load_changed(otto), "CFF outlines"));
    CHECK(has(load_changed(ttc), "font collection"));
    CHECK(has(load_changed(woff), "WOFF"));
    CHECK(has(load_changed(short8), "too short to be a font (8 bytes)"));
    CHECK(has(load_changed(many_tables), "truncated table directory (500 tables"));
    CHECK(has(load_changed(truncated), "runs past the end of the file"));
    CHECK(has(load_changed(glyf_past_end), "table 'glyf'"));
    CHECK(has(load_changed(no_loca), "no 'loca' table"));
    CHECK(has(load_changed(bad_magic), "damaged 'head' table"));
    CHECK(has(load_changed(zero_upem), "0 units per em"));
    CHECK(has(load_changed(many_glyphs), "too short for 4000 glyphs"));
    CHECK(has(load_changed(loca_out), "glyph 1: outline at"));
    CHECK(has(load_changed(cmap_fmt), "character map format 2 is not supported"));
    CHECK(has(load_changed(cmap_search), "inconsistent search header"));
    CHECK(has(load_changed(cmap_record), "'cmap' encoding 0 points outside the table"));
    CHECK(has(load_changed(cmap_range), "segment 0 points outside the file"));
    CHECK(has(load_changed(composite_self), "glyph 2: composite glyph contains itself"));
    CHECK(has(load_changed(points_past), "glyph 1:"));
    /* a header box smaller than the outline: accepted, and drawn without
     * tripping stb's rasterizer (the bitmap is sized from the points) */
    CHECK_EQ(load_changed(box_too_small)[0], 0);
    CHECK(has(load_changed(composite_far), "glyph 2: component glyph 1 is moved outside the coordinate range"));
    CHECK(has(load_changed(lone_off_point), "glyph 1: contour of a single off-curve point"));
    /* every truncation of the file is refused, none crashes */
    size_t used = 0;                           /* where the last table ends (padding follows) */
    for (unsigned i = 0; i < be16(tiny + 4); i++) {
        size_t e = be32(tiny + 12 + 16 * i + 8) + (size_t)be32(tiny + 12 + 16 * i + 12);
        used = e > used ? e : used;
    }
    int refused = 0;
    for (size_t n = 0; n < used; n++) {
        char err[200];
        struct gfx_font *f = gfx_font_load(tiny, n, "cut", err, sizeof err);
        refused += !f;
        gfx_font_free(f);
    }
    CHECK_EQ(refused, (long long)used);
}

static void test_open_missing(void)
{
    char err[200];
    CHECK(gfx_font_open("/fonts/none.ttf", err, sizeof err) == NULL);
    CHECK(has(err, "/fonts/none.ttf: no such file in the image (add it under files: in the manifest)"));
}

static void test_tiny_glyphs(void)
{
    if (!tiny)
        return;
    char err[200];
    struct gfx_font *f = gfx_font_load(tiny, tiny_size, "tiny.ttf", err, sizeof err);
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK(!strcmp(gfx_font_name(f), "tiny.ttf"));     /* no name table: the name it was loaded as */
    struct gfx_face *face = gfx_face_new(f, 100, 0);   /* 1000 units per em: 1 px = 10 units */
    struct gfx_metrics m;
    gfx_face_metrics(face, &m);
    CHECK_EQ(m.ascent, 80);
    CHECK_EQ(m.descent, 20);
    CHECK_EQ(m.line_height, 100);
    CHECK_EQ(m.advance, 60);
    const struct gfx_glyph *a = gfx_face_glyph(face, 'A');
    CHECK(a && a->w == 52 && a->xoff == 4 && a->advance == 60 * 64);   /* x 50..550 units, a pixel of margin */
    /* the box holds the points (up to the off-curve one at y=1400) and a
     * pixel of margin, but the curve peaks at 700 units: ink up to 70 px
     * above the baseline */
    CHECK(a && a->h == 142 && a->yoff == -141);
    int ink_above = 0, ink_below = 0;
    for (int x = 0; a && x < a->w; x++) {
        ink_above += a->bitmap[(-72 - a->yoff) * a->w + x];
        ink_below += a->bitmap[(-60 - a->yoff) * a->w + x];
    }
    CHECK_EQ(ink_above, 0);
    CHECK(ink_below > 255);
    const struct gfx_glyph *sp = gfx_face_glyph(face, ' ');
    CHECK(sp && sp->w == 0 && sp->bitmap == NULL && sp->advance == 60 * 64);
    const struct gfx_glyph *b = gfx_face_glyph(face, 'B');   /* composite: A moved 300 units */
    CHECK(b && b->xoff >= a->xoff + 29 && b->xoff <= a->xoff + 31);
    const struct gfx_glyph *none = gfx_face_glyph(face, 0x4e2d);  /* not in the font: the box */
    CHECK(none && none->w == 42 && none->h == 72);
    CHECK_EQ(gfx_text_width(face, "AB A", 4), 240);
    gfx_face_free(face);
    gfx_font_free(f);
}

static void test_utf8(void)
{
    static const struct { const char *s; uint32_t cp[4]; } cases[] = {
        {"a", {'a'}},
        {"\xc3\xa9", {0xe9}},
        {"\xe2\x94\x80", {0x2500}},
        {"\xf0\x9f\x98\x80", {0x1f600}},
        {"\xc0\xaf", {0xfffd, 0xfffd}},            /* overlong */
        {"\xed\xa0\x80", {0xfffd, 0xfffd, 0xfffd}}, /* surrogate */
        {"\xe2\x94", {0xfffd, 0xfffd}},            /* truncated */
        {"\xf4\x90\x80\x80", {0xfffd, 0xfffd, 0xfffd, 0xfffd}},   /* > U+10FFFF */
        {"\xc3x", {0xfffd, 'x'}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *p = cases[k].s, *end = p + strlen(p);
        for (int i = 0; i < 4 && cases[k].cp[i]; i++)
            CHECK_EQ(gfx_utf8_next(&p, end), cases[k].cp[i]);
        CHECK(p == end);
    }
}

static void test_dejavu(void)
{
    size_t size;
    uint8_t *d = slurp(MONO, &size);
    if (!d) {
        printf("skip  test_font: dejavu: %s is absent (install fonts-dejavu-core: scripts/setup.sh)\n", MONO);
        return;
    }
    char err[200];
    struct gfx_font *f = gfx_font_load(d, size, "DejaVuSansMono.ttf", err, sizeof err);
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "  %s\n", err);
        free(d);
        return;
    }
    CHECK(!strcmp(gfx_font_name(f), "DejaVu Sans Mono"));
    struct gfx_face *face = gfx_face_new(f, 16, 0);
    struct gfx_metrics m;
    gfx_face_metrics(face, &m);
    /* DejaVu Sans Mono: 2048 units per em, advance 1233, ascent 1901, descent 483 */
    CHECK_EQ(m.advance, 10);
    CHECK_EQ(m.ascent, 15);
    CHECK_EQ(m.descent, 4);
    CHECK_EQ(m.line_height, 19);
    /* monospaced: every ASCII character advances the same */
    for (int c = 0x20; c < 0x7f; c++)
        CHECK_EQ(gfx_face_glyph(face, (uint32_t)c)->advance, 617);   /* 1233 * 16/2048 * 64 = 616.5, rounded */
    const struct gfx_glyph *g = gfx_face_glyph(face, 'M');
    CHECK(g->w >= 9 && g->w <= 12 && g->h >= 13 && g->h <= 15 && g->yoff < 0);
    /* anti-aliased: some coverage values are neither 0 nor 255 */
    int partial = 0;
    for (int i = 0; i < g->w * g->h; i++)
        partial += g->bitmap[i] > 0 && g->bitmap[i] < 255;
    CHECK(partial > 0);
    /* box drawing and accents are in the font: not the missing-glyph box */
    const struct gfx_glyph *missing = gfx_face_glyph(face, 0x10fff0);
    int mw = missing->w, mh = missing->h;
    const struct gfx_glyph *e = gfx_face_glyph(face, 0xe9);
    CHECK(e->w != mw || e->h != mh);
    /* text on a surface: white on black leaves white pixels inside the
     * text's box and none outside it */
    struct gfx_surface s;
    gfx_surface_init(&s, fb, 200, 60, 800, ANX_PIXEL_XRGB8888);
    gfx_clear(&s, 0);
    int end = gfx_text(&s, face, 5, 30, "anx> ls", 7, 0xffffff);
    CHECK_EQ(end, 72);                    /* 5 + 7 x 617/64 = 72.5 */
    int lit = 0, outside = 0;
    for (int y = 0; y < 60; y++)
        for (int x = 0; x < 200; x++) {
            uint32_t v = fb[y * 200 + x];
            if (!v)
                continue;
            if (x >= 5 && x < 80 && y >= 30 - m.ascent && y < 30 + m.descent)
                lit++;
            else
                outside++;
        }
    CHECK(lit > 50);
    CHECK_EQ(outside, 0);
    CHECK_EQ(gfx_text_width(face, "anx> ls", 7), 68);
    gfx_face_free(face);
    gfx_font_free(f);
    free(d);

    /* every font of fonts-dejavu-core passes the checker */
    static const char *const all[] = {"DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSerif.ttf",
                                      "DejaVuSerif-Bold.ttf"};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++) {
        char path[200];
        snprintf(path, sizeof path, "/usr/share/fonts/truetype/dejavu/%s", all[k]);
        uint8_t *x = slurp(path, &size);
        if (!x)
            continue;
        struct gfx_font *xf = gfx_font_load(x, size, all[k], err, sizeof err);
        if (!xf)
            fprintf(stderr, "  %s\n", err);
        CHECK(xf != NULL);
        gfx_font_free(xf);
        free(x);
    }
    d = slurp(SANS, &size);
    if (d) {
        f = gfx_font_load(d, size, "DejaVuSans.ttf", err, sizeof err);
        CHECK(f != NULL);
        face = f ? gfx_face_new(f, 16, 0) : NULL;
        if (face)   /* proportional: i narrower than W */
            CHECK(gfx_face_glyph(face, 'i')->advance < gfx_face_glyph(face, 'W')->advance);
        gfx_face_free(face);
        gfx_font_free(f);
        free(d);
    }
}

/* The cache never holds more than its bound, evicts the least recently used, and hits after a miss. */
static void test_cache_bound(void)
{
    size_t size;
    uint8_t *d = slurp(MONO, &size);
    const char *which = "DejaVu Sans Mono";
    if (!d) {
        d = tiny ? malloc(tiny_size) : NULL;
        if (d)
            memcpy(d, tiny, size = tiny_size);
        which = "tiny";
    }
    if (!d) {
        printf("skip  test_font: cache: no font\n");
        return;
    }
    char err[200];
    struct gfx_font *f = gfx_font_load(d, size, which, err, sizeof err);
    CHECK(f != NULL);
    struct gfx_face *face = gfx_face_new(f, 40, 20000);
    struct gfx_cache_stats st;
    size_t peak = 0;
    for (uint32_t cp = 0x20; cp < 0x250; cp++) {
        CHECK(gfx_face_glyph(face, cp) != NULL);
        gfx_face_cache_stats(face, &st);
        if (st.bytes > peak)
            peak = st.bytes;
    }
    CHECK_EQ(st.limit, 20000);
    CHECK(peak <= 20000);
    CHECK(st.evictions > 0);
    CHECK_EQ(st.misses, 0x250 - 0x20);
    /* the last one drawn is still cached: a hit */
    uint64_t hits = st.hits;
    gfx_face_glyph(face, 0x24f);
    gfx_face_cache_stats(face, &st);
    CHECK_EQ(st.hits, hits + 1);
    /* the smallest bound is enforced */
    struct gfx_face *small = gfx_face_new(f, 16, 1);
    gfx_face_cache_stats(small, &st);
    CHECK_EQ(st.limit, 16 * 1024);
    /* a glyph bigger than the whole bound is still returned, not cached */
    struct gfx_face *huge = gfx_face_new(f, 512, 16 * 1024);
    const struct gfx_glyph *g = gfx_face_glyph(huge, 'W');
    CHECK(g && g->w > 200);
    gfx_face_cache_stats(huge, &st);
    CHECK_EQ(st.bytes, 0);
    CHECK(gfx_face_new(f, 3, 0) == NULL);
    CHECK(gfx_face_new(f, 513, 0) == NULL);
    gfx_face_free(huge);
    gfx_face_free(small);
    gfx_face_free(face);
    gfx_font_free(f);
    free(d);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        tiny = slurp(argv[1], &tiny_size);
    if (argc > 1 && !tiny) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    RUN(test_tiny_and_broken);
    RUN(test_tiny_glyphs);
    RUN(test_open_missing);
    RUN(test_utf8);
    RUN(test_dejavu);
    RUN(test_cache_bound);
    free(tiny);
    return check_failed_tests ? 1 : 0;
}
