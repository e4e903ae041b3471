/* Checking a TrueType file before stb_truetype reads it (fontcheck.c). */
#ifndef GFX_FONTCHECK_H
#define GFX_FONTCHECK_H

#include <stddef.h>
#include <stdint.h>

/* What the check found: table offsets and lengths (bytes from the start
 * of the file) and the numbers stb_truetype will use. */
struct gfx_font_tables {
    uint32_t cmap, cmap_len, head, head_len, hhea, hhea_len, hmtx, hmtx_len;
    uint32_t loca, loca_len, glyf, glyf_len, maxp, maxp_len;
    uint32_t index_map;            /* the cmap subtable stb_truetype picks */
    unsigned units_per_em, long_loca, num_glyphs, num_hmetrics;
};

/* 0 when every byte stb_truetype will read for any glyph and code point
 * lies inside the file; -1 with a message in err otherwise. */
int gfx_font_check(const void *data, size_t size, struct gfx_font_tables *t, char *err, size_t errlen);

#endif
