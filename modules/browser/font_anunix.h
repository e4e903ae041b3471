/*
 * NetSurf's framebuffer front end's font interface (frontends/framebuffer/
 * font.h) on the gfx module's TrueType renderer: font.h includes this
 * header when FB_USE_ANUNIX is defined (scripts/third_party/netsurf/
 * 0002-framebuffer-anunix-font.patch), and framebuffer.c's text plotter
 * calls browser_font_plot_text().
 *
 * Faces: DejaVu Sans, Serif and Sans Mono, each regular and bold, from the
 * image's /fonts/ (module.yaml `files:`); an italic or oblique face is used
 * when the image carries one (/fonts/DejaVuSans-Oblique.ttf ...: Debian's
 * fonts-dejavu-extra, not in the default image), else the upright face.
 * A family the page names (font-family: Ahem) uses /fonts/NAME.ttf when
 * the image has it (NAME compared without regard to case), else the
 * generic family's face. Sizes are NetSurf's: points at the browser's dpi
 * (96 in the image, patch 0021: a CSS px is a pixel), as the FreeType
 * build scales them. Advances are whole
 * pixels, so a string's width is the sum of its pieces' widths.
 */
#ifndef BROWSER_FONT_ANUNIX_H
#define BROWSER_FONT_ANUNIX_H

#include <stddef.h>
#include <stdint.h>
#include "utils/errors.h"

struct nsfb_s;
struct plot_font_style;

/* Draw length bytes of UTF-8 with the pen at x on baseline y, blending the
 * glyphs' coverage in fstyle's foreground colour into nsfb (clipped to
 * its clip rectangle). */
nserror browser_font_plot_text(struct nsfb_s *nsfb, const struct plot_font_style *fstyle, int x, int y,
                               const char *text, size_t length);

/* The baseline's offset from the top of a line box height pixels high
 * (html/redraw.c's text, patch 0021): half the leading above the font's
 * ascent, as CSS 2.1 10.8.1 places it. */
int browser_font_baseline(const struct plot_font_style *fstyle, int height);

/* A style's ascent, descent and x-height in pixels (html/layout.c's line
 * boxes, patch 0034); all 0 for a zero font size. */
void browser_font_metrics(const struct plot_font_style *fstyle, int *ascent, int *descent,
                          int *x_height);

/* The pixel size (pixels per em) a style's point size gives at the
 * browser's dpi, clamped to what gfx renders (4 .. 512); 0 for a size of
 * zero (font-size: 0: no text drawn, nothing measured). */
int browser_font_px(const struct plot_font_style *fstyle);

/* Where fb_font_init() reads the font files from (default: anx_file_find,
 * the image's files archive); host tests set their own. */
extern int (*browser_font_find)(const char *path, const void **data, size_t *size);

/* How fb_font_init() lists the files a named font family can use,
 * /fonts/NAME.ttf (default: anx_file_at, the image's files archive). */
struct anx_file;
extern int (*browser_font_entry)(size_t i, struct anx_file *out);

/* Counters for the `browser` command and tests. */
struct browser_font_stats {
    unsigned faces;                    /* sizes open now */
    uint64_t face_opens, face_evictions;
    uint64_t glyphs_drawn;
    uint64_t cache_hits, cache_misses; /* of the open faces */
};
void browser_font_stats(struct browser_font_stats *st);

#endif
