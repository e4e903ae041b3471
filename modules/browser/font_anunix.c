/*
 * NetSurf's framebuffer font interface (font_anunix.h) on the gfx module's
 * TrueType renderer: the layout table (width, position, split), the UTF-8
 * table (UTF-8 is the local encoding: both directions copy) and the text
 * plotter.
 *
 * A style selects one of the faces below and a pixel size; each (face,
 * size) pair is a gfx face with its own glyph cache, kept in a small table
 * with least-recently-used replacement so a page with many sizes does not
 * grow without bound (FACES_MAX x FACE_CACHE bytes at most).
 *
 * Advances are rounded to whole pixels per glyph, as the FreeType build's
 * are (its advance.x >> 16): NetSurf measures words and runs separately
 * and plots them at the sums, so width(ab) must be width(a) + width(b).
 *
 * A family the page names (font-family: Ahem) is drawn with the image's
 * /fonts/NAME.ttf when there is one; otherwise the generic family picks
 * the face. Measuring and drawing both go through face_for(), so the text
 * is drawn with the face its layout was measured with.
 */
#define LOG_TAG "browser"
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include "gfx.h"

#include <libnsfb.h>
#include <libnsfb_plot.h>
#include "utils/errors.h"
#include "netsurf/browser.h"
#include "netsurf/plot_style.h"
#include <libwapcaplet/libwapcaplet.h>
#include "netsurf/layout.h"
#include "netsurf/utf8.h"
/* font.h's Anunix branch (0002-framebuffer-anunix-font.patch), which the
 * front end's sources select with module.yaml's -DFB_USE_ANUNIX */
#ifndef FB_USE_ANUNIX
#define FB_USE_ANUNIX 1
#endif
#include "framebuffer/font.h"
#include "font_anunix.h"

#define FACES_MAX 16                   /* (face, size) pairs open at once */
#define FACE_CACHE (96u * 1024u)       /* glyph cache bound of each */
#define BOLD_WEIGHT 700                /* CSS: bold and bolder */

enum slot {
    SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC,
    SERIF, SERIF_BOLD, SERIF_ITALIC, SERIF_BOLD_ITALIC,
    MONO, MONO_BOLD, MONO_ITALIC, MONO_BOLD_ITALIC,
    SLOTS
};

/* The files, and the slot to use when one is not in the image: bold and
 * italic fall back to the family's regular face, a family to Sans. */
static const struct {
    const char *path;
    enum slot fallback;
} slot_files[SLOTS] = {
    [SANS] = {"/fonts/DejaVuSans.ttf", SANS},
    [SANS_BOLD] = {"/fonts/DejaVuSans-Bold.ttf", SANS},
    [SANS_ITALIC] = {"/fonts/DejaVuSans-Oblique.ttf", SANS},
    [SANS_BOLD_ITALIC] = {"/fonts/DejaVuSans-BoldOblique.ttf", SANS_BOLD},
    [SERIF] = {"/fonts/DejaVuSerif.ttf", SANS},
    [SERIF_BOLD] = {"/fonts/DejaVuSerif-Bold.ttf", SERIF},
    [SERIF_ITALIC] = {"/fonts/DejaVuSerif-Italic.ttf", SERIF},
    [SERIF_BOLD_ITALIC] = {"/fonts/DejaVuSerif-BoldItalic.ttf", SERIF_BOLD},
    [MONO] = {"/fonts/DejaVuSansMono.ttf", SANS},
    [MONO_BOLD] = {"/fonts/DejaVuSansMono-Bold.ttf", MONO},
    [MONO_ITALIC] = {"/fonts/DejaVuSansMono-Oblique.ttf", MONO},
    [MONO_BOLD_ITALIC] = {"/fonts/DejaVuSansMono-BoldOblique.ttf", MONO_BOLD},
};

/* Where fb_font_init finds a font file: the image's files archive (host
 * tests point it at the host's fonts). */
int (*browser_font_find)(const char *path, const void **data, size_t *size) = anx_file_find;

/* How fb_font_init lists the files for named families: entry i of the
 * image's files archive (host tests list their own). */
int (*browser_font_entry)(size_t i, struct anx_file *out) = anx_file_at;

static struct gfx_font *fonts[SLOTS];  /* NULL: not in the image (use the fallback) */
static struct gfx_font *slot_font[SLOTS];  /* after fallbacks: never NULL once initialised */

struct face_entry {
    struct gfx_font *font;
    int px;
    struct gfx_face *face;
    uint64_t used;
    int x_height;                      /* pixels; -1 until browser_font_metrics asks */
};
static struct face_entry faces[FACES_MAX];
static uint64_t face_clock;
static struct browser_font_stats stats;
static uint64_t evicted_hits, evicted_misses;

#define FONT_DIR "/fonts/"
#define FONT_EXT ".ttf"

/* The image's /fonts/NAME.ttf files, listed by fb_font_init, each opened
 * the first time a page names it. */
struct named_font {
    const char *path;                  /* in the archive: not NUL-terminated */
    size_t path_len;
    const char *name;                  /* NAME, inside path */
    size_t name_len;
    const void *data;
    size_t size;
    struct gfx_font *font;             /* NULL: not opened yet, or not a font */
    bool tried;                        /* opened (or found not to be a font: logged once) */
    bool owned;                        /* font is this entry's, not one of fonts[] */
};
static struct named_font *named;
static size_t nnamed;

/* ---- named families ---------------------------------------------------------- */

/* NAME of a path /fonts/NAME.ttf (one level, a non-empty name), else NULL. */
static const char *font_file_name(const char *path, size_t len, size_t *name_len)
{
    size_t dir = sizeof FONT_DIR - 1, ext = sizeof FONT_EXT - 1;
    if (len <= dir + ext || memcmp(path, FONT_DIR, dir) || strncasecmp(path + len - ext, FONT_EXT, ext))
        return NULL;
    for (size_t i = dir; i < len - ext; i++)
        if (path[i] == '/')
            return NULL;
    *name_len = len - dir - ext;
    return path + dir;
}

/* List the font files the image carries (the archive is read once here;
 * a family is then looked up among a few names, not thousands of files). */
static void named_list(void)
{
    size_t n = 0;
    struct anx_file f;
    for (size_t i = 0; browser_font_entry(i, &f) == 0; i++) {
        size_t nl;
        n += font_file_name(f.path, f.path_len, &nl) != NULL;
    }
    named = n ? anx_calloc(n, sizeof *named) : NULL;
    if (n && !named) {
        log_error("fonts: out of memory listing %zu font files: named font families use the generic faces", n);
        return;
    }
    for (size_t i = 0; nnamed < n && browser_font_entry(i, &f) == 0; i++) {
        struct named_font *e = &named[nnamed];
        e->name = font_file_name(f.path, f.path_len, &e->name_len);
        if (!e->name)
            continue;
        e->path = f.path;
        e->path_len = f.path_len;
        e->data = f.data;
        e->size = f.size;
        nnamed++;
    }
}

/* The font of an entry, opened on first use. One of the faces fb_font_init
 * opened (font-family: DejaVuSans) is that one, not a second copy. */
static struct gfx_font *named_open(struct named_font *e)
{
    if (e->tried)
        return e->font;
    e->tried = true;
    for (unsigned s = 0; s < SLOTS; s++)
        if (fonts[s] && strlen(slot_files[s].path) == e->path_len &&
            !memcmp(slot_files[s].path, e->path, e->path_len))
            return e->font = fonts[s];
    char path[160], err[160];
    size_t n = e->path_len < sizeof path - 1 ? e->path_len : sizeof path - 1;
    memcpy(path, e->path, n);
    path[n] = '\0';
    e->font = gfx_font_load(e->data, e->size, path, err, sizeof err);   /* logs why not */
    e->owned = e->font != NULL;
    return e->font;
}

/* The font of a family name: CSS compares family names without regard to
 * (ASCII) case, so "ahem" and "AHEM" find /fonts/Ahem.ttf. */
static struct gfx_font *named_font(const char *name, size_t len)
{
    for (size_t i = 0; i < nnamed; i++)
        if (named[i].name_len == len && !strncasecmp(named[i].name, name, len))
            return named_open(&named[i]);
    return NULL;
}

/* The first family of the style's list the image has a file for. libcss
 * lists only the names before the first generic family, so
 * "serif, Ahem" is serif, as CSS says. */
static struct gfx_font *families_font(const plot_font_style_t *fs)
{
    for (lwc_string *const *f = fs->families; f && *f; f++) {
        struct gfx_font *font = named_font(lwc_string_data(*f), lwc_string_length(*f));
        if (font)
            return font;
    }
    return NULL;
}

/* ---- faces ------------------------------------------------------------------ */

static enum slot style_slot(const plot_font_style_t *fs)
{
    enum slot base;
    switch (fs->family) {
    case PLOT_FONT_FAMILY_SERIF:
        base = SERIF;
        break;
    case PLOT_FONT_FAMILY_MONOSPACE:
        base = MONO;
        break;
    default:                           /* sans-serif; cursive and fantasy have no face of their own */
        base = SANS;
        break;
    }
    int v = (fs->weight >= BOLD_WEIGHT ? 1 : 0) + ((fs->flags & (FONTF_ITALIC | FONTF_OBLIQUE)) ? 2 : 0);
    return (enum slot)(base + v);
}

int browser_font_px(const plot_font_style_t *fs)
{
    /* font-size: 0 is no text (CSS 2.1 allows it, and NetSurf's minimum
     * font size leaves it alone), not the smallest size drawn */
    if (fs->size <= 0)
        return 0;
    /* size is points x PLOT_STYLE_SCALE; pixels per em = points x dpi / 72 */
    int64_t dpi = browser_get_dpi();
    int64_t num = (int64_t)fs->size * dpi;
    int64_t den = 72 * (int64_t)PLOT_STYLE_SCALE;
    int64_t px = num > 0 ? (num + den / 2) / den : 0;
    return (int)(px < 4 ? 4 : px > 512 ? 512 : px);
}

static void face_drop(struct face_entry *e)
{
    struct gfx_cache_stats cs;
    gfx_face_cache_stats(e->face, &cs);
    evicted_hits += cs.hits;
    evicted_misses += cs.misses;
    gfx_face_free(e->face);
    e->face = NULL;
    stats.faces--;
}

/* The face of a style: from the table, or opened in the least recently
 * used entry. NULL for a zero font size, or when out of memory (the text
 * is then not drawn and measures 0, rather than stopping the page). */
static struct face_entry *face_entry_for(const plot_font_style_t *fs)
{
    struct gfx_font *font = families_font(fs);
    if (!font)
        font = slot_font[style_slot(fs)];
    if (!font)
        return NULL;                   /* fb_font_init failed or was not called */
    int px = browser_font_px(fs);
    if (px == 0)
        return NULL;
    struct face_entry *victim = &faces[0];
    face_clock++;
    for (unsigned i = 0; i < FACES_MAX; i++) {
        struct face_entry *e = &faces[i];
        if (e->face && e->font == font && e->px == px) {
            e->used = face_clock;
            return e;
        }
        if (!e->face || (victim->face && e->used < victim->used))
            victim = e;
    }
    struct gfx_face *face = gfx_face_new(font, px, FACE_CACHE);
    if (!face)
        return NULL;
    if (victim->face) {
        face_drop(victim);
        stats.face_evictions++;
    }
    *victim = (struct face_entry){.font = font, .px = px, .face = face, .used = face_clock,
                                  .x_height = -1};
    stats.faces++;
    stats.face_opens++;
    return victim;
}

static struct gfx_face *face_for(const plot_font_style_t *fs)
{
    struct face_entry *e = face_entry_for(fs);
    return e ? e->face : NULL;
}

/* Zero-width space, joiners and direction marks: DejaVu draws some of
 * them as the missing-glyph box; they are neither drawn nor measured. */
static bool zero_width(uint32_t cp)
{
    return cp >= 0x200b && cp <= 0x200f;
}

/* The pen advance of one glyph in whole pixels. */
static int advance_px(const struct gfx_glyph *g)
{
    return (g->advance + 32) >> 6;
}

/* The advance of a code point in whole pixels; -1 when out of memory. */
static int cp_advance(struct gfx_face *face, uint32_t cp)
{
    if (zero_width(cp))
        return 0;
    const struct gfx_glyph *g = gfx_face_glyph(face, cp);
    return g ? advance_px(g) : -1;
}

/* ---- init ------------------------------------------------------------------- */

/* Open every face the image carries; the files that are absent are not an
 * error (bold, serif, mono and italic fall back) except Sans. */
bool fb_font_init(void)
{
    for (unsigned s = 0; s < SLOTS; s++) {
        const void *data;
        size_t size;
        fonts[s] = NULL;
        if (browser_font_find(slot_files[s].path, &data, &size) < 0)
            continue;
        char err[160];
        fonts[s] = gfx_font_load(data, size, slot_files[s].path, err, sizeof err);   /* logs why */
    }
    if (!fonts[SANS]) {
        log_error("%s is not in the image (or not a font): the browser has no text font; "
                  "the browser module's files: should bring it", slot_files[SANS].path);
        return false;
    }
    unsigned have = 0;
    for (unsigned s = 0; s < SLOTS; s++) {
        enum slot t = (enum slot)s;
        while (!fonts[t])              /* fallbacks end at SANS, which is there */
            t = slot_files[t].fallback;
        slot_font[s] = fonts[t];
        have += fonts[s] != NULL;
    }
    named_list();
    log_info("fonts: %u of %u DejaVu faces in the image (the others fall back), %zu files for named families",
             have, (unsigned)SLOTS, nnamed);
    return true;
}

bool fb_font_finalise(void)
{
    for (unsigned i = 0; i < FACES_MAX; i++)
        if (faces[i].face)
            face_drop(&faces[i]);
    for (size_t i = 0; i < nnamed; i++)
        if (named[i].owned)
            gfx_font_free(named[i].font);
    anx_free(named);
    named = NULL;
    nnamed = 0;
    for (unsigned s = 0; s < SLOTS; s++) {
        gfx_font_free(fonts[s]);
        fonts[s] = slot_font[s] = NULL;
    }
    return true;
}

void browser_font_stats(struct browser_font_stats *st)
{
    *st = stats;
    st->cache_hits = evicted_hits;
    st->cache_misses = evicted_misses;
    for (unsigned i = 0; i < FACES_MAX; i++)
        if (faces[i].face) {
            struct gfx_cache_stats cs;
            gfx_face_cache_stats(faces[i].face, &cs);
            st->cache_hits += cs.hits;
            st->cache_misses += cs.misses;
        }
}

/* ---- layout ------------------------------------------------------------------ */

nserror fb_font_width(const plot_font_style_t *fs, const char *string, size_t length, int *width)
{
    struct gfx_face *face = face_for(fs);
    const char *p = string, *end = string + length;
    int w = 0;
    while (face && p < end) {
        int a = cp_advance(face, gfx_utf8_next(&p, end));
        if (a < 0)
            break;                     /* out of memory: measure what was measured */
        w += a;
    }
    *width = w;
    return NSERROR_OK;
}

/* The offset of the character boundary nearest x, and its x: a click in
 * the left half of a glyph lands before it, in the right half after it. */
nserror fb_font_position(const plot_font_style_t *fs, const char *string, size_t length, int x,
                         size_t *char_offset, int *actual_x)
{
    struct gfx_face *face = face_for(fs);
    const char *p = string, *end = string + length;
    int pen = 0;
    while (face && p < end) {
        const char *start = p;
        int a = cp_advance(face, gfx_utf8_next(&p, end));
        if (a < 0)
            break;
        int next = pen + a;
        if (next > x) {
            if (x - pen < next - x) {  /* nearer the glyph's left edge */
                p = start;
                next = pen;
            }
            pen = next;
            break;
        }
        pen = next;
    }
    *char_offset = (size_t)(p - string);
    *actual_x = pen;
    return NSERROR_OK;
}

/* Where to break a line of available width x (gui_layout_table.split):
 * at the last space whose left edge fits, else at the first space after
 * x; char_offset is the space's offset (NetSurf drops the space itself)
 * and actual_x the width before it. A space at offset 0 is no break
 * (char_offset 0 is never returned); no space at all gives length. */
static nserror fb_font_split(const plot_font_style_t *fs, const char *string, size_t length, int x,
                             size_t *char_offset, int *actual_x)
{
    struct gfx_face *face = face_for(fs);
    const char *p = string, *end = string + length;
    int pen = 0, space_x = 0;
    size_t space_at = 0;
    while (face && p < end) {
        size_t at = (size_t)(p - string);
        uint32_t cp = gfx_utf8_next(&p, end);
        int a = cp_advance(face, cp);
        if (a < 0)
            break;
        if (cp == ' ' && at > 0) {     /* (offset 0: no break, as space_at 0 means none) */
            space_at = at;
            space_x = pen;
        }
        pen += a;
        if (pen > x && space_at) {
            *char_offset = space_at;
            *actual_x = space_x;
            return NSERROR_OK;
        }
    }
    *char_offset = length;
    *actual_x = pen;
    return NSERROR_OK;
}

static struct gui_layout_table layout_table = {
    .width = fb_font_width,
    .position = fb_font_position,
    .split = fb_font_split,
};
struct gui_layout_table *framebuffer_layout_table = &layout_table;

/* The baseline of text in a line box of the given height, from its top:
 * CSS 2.1 (10.8.1) splits the leading, the line height less the font's
 * ascent and descent, half above and half below the glyphs (floored, so
 * a line too small for its font loses the extra pixel at the top).
 * NetSurf put it at 0.75 of the height for every font (patch 0021 asks
 * here): Ahem's ascent is 0.8 em, so its squares stood 0.05 em high. */
int browser_font_baseline(const plot_font_style_t *fs, int height)
{
    struct gfx_face *face = face_for(fs);
    if (!face)
        return height * 3 / 4;
    struct gfx_metrics m;
    gfx_face_metrics(face, &m);
    int leading = height - (m.ascent + m.descent);
    int half = leading >= 0 ? leading / 2 : -((1 - leading) / 2);
    return half + m.ascent;
}

/* The top of the inked rows of a face's 'x' above the baseline (the
 * bitmap may have blank margins); half the em, CSS's fallback, for a blank
 * or missing 'x'. */
static int x_height_of(struct gfx_face *face, int px)
{
    const struct gfx_glyph *g = gfx_face_glyph(face, 'x');
    if (!g || !g->bitmap)
        return px / 2;
    for (int row = 0; row < g->h; row++)
        for (int col = 0; col < g->w; col++)
            if (g->bitmap[row * g->w + col])
                return -(g->yoff + row);
    return px / 2;
}

/* A style's font metrics in pixels for the line layout (patch 0034 asks
 * here): ascent and descent place the baseline in an inline box's
 * line height (CSS 2.1 10.8.1); the x-height (x_height_of) is what
 * vertical-align: middle centres on. All 0 for a zero font size. */
void browser_font_metrics(const plot_font_style_t *fs, int *ascent, int *descent, int *x_height)
{
    struct face_entry *e = face_entry_for(fs);
    *ascent = *descent = *x_height = 0;
    if (!e)
        return;
    struct gfx_metrics m;
    gfx_face_metrics(e->face, &m);
    *ascent = m.ascent;
    *descent = m.descent;
    /* asked for every inline box of every line: the glyph is scanned once
     * per face */
    if (e->x_height < 0)
        e->x_height = x_height_of(e->face, m.px);
    *x_height = e->x_height;
}

/* ---- UTF-8: the local encoding ----------------------------------------------- */

static nserror utf8_copy(const char *string, size_t len, char **result)
{
    char *s = anx_malloc(len + 1);
    if (!s)
        return NSERROR_NOMEM;
    memcpy(s, string, len);
    s[len] = 0;
    *result = s;
    return NSERROR_OK;
}

static struct gui_utf8_table utf8_table = {
    .utf8_to_local = utf8_copy,
    .local_to_utf8 = utf8_copy,
};
struct gui_utf8_table *framebuffer_utf8_table = &utf8_table;

/* ---- drawing ------------------------------------------------------------------- */

nserror browser_font_plot_text(struct nsfb_s *nsfb, const plot_font_style_t *fs, int x, int y, const char *text,
                               size_t length)
{
    struct gfx_face *face = face_for(fs);
    const char *p = text, *end = text + length;
    while (face && p < end) {
        uint32_t cp = gfx_utf8_next(&p, end);
        if (zero_width(cp))
            continue;
        const struct gfx_glyph *g = gfx_face_glyph(face, cp);
        if (!g)
            break;
        if (g->bitmap) {
            nsfb_bbox_t loc = {x + g->xoff, y + g->yoff, x + g->xoff + g->w, y + g->yoff + g->h};
            nsfb_plot_glyph8(nsfb, &loc, g->bitmap, g->w, fs->foreground);
            stats.glyphs_drawn++;
        }
        x += advance_px(g);
    }
    return NSERROR_OK;
}
