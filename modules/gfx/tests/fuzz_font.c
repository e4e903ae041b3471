/*
 * Fuzz harness of the font loader (libFuzzer): any bytes go to
 * gfx_font_load; when it accepts them, every glyph the cmap reaches for a
 * spread of code points is rasterized and drawn at two sizes, so a file
 * the checker lets through must also be safe for stb_truetype to render.
 *
 * An input starting with 0xFA is instead a list of patches to the real
 * DejaVu Sans Mono (when fonts-dejavu-core is installed): 4 bytes of
 * offset (modulo the file size) and 1 byte of value each, so the fuzzer
 * also reaches the glyph and cmap checks of a large, real font.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gfx.h"

static uint8_t *real, *patched;
static size_t real_size;

static void load_real(void)
{
    static int tried;
    if (tried++)
        return;
    FILE *f = fopen("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    real = malloc((size_t)n);
    patched = malloc((size_t)n);
    if (real && patched && fread(real, 1, (size_t)n, f) == (size_t)n)
        real_size = (size_t)n;
    fclose(f);
}

static uint32_t pixels[64 * 48];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200];
    load_real();
    if (size >= 1 && data[0] == 0xfa && real_size) {
        memcpy(patched, real, real_size);
        for (size_t i = 1; i + 5 <= size; i += 5) {
            uint32_t off = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 | (uint32_t)data[i + 2] << 8 | data[i + 3];
            patched[off % real_size] = data[i + 4];
        }
        data = patched;
        size = real_size;
    }
    bool big = data == patched;        /* the real font: fewer glyphs a run, more runs */
    struct gfx_font *f = gfx_font_load(data, size, "fuzz", err, sizeof err);
    if (!f)
        return 0;
    struct gfx_surface s;
    gfx_surface_init(&s, pixels, 64, 48, 64 * 4, ANX_PIXEL_XRGB8888);
    static const int sizes[] = {9, 40};
    for (unsigned k = 0; k < (big ? 1u : 2u); k++) {
        struct gfx_face *face = gfx_face_new(f, sizes[k], 16 * 1024);
        if (!face)
            continue;
        for (uint32_t cp = big ? 0x20 : 0; cp < (big ? 0x80u : 0x250u); cp++) {
            const struct gfx_glyph *g = gfx_face_glyph(face, cp);
            if (g && g->bitmap)
                gfx_mask(&s, 3, 30, g->bitmap, g->w, g->h, g->w, 0xffffff);
        }
        static const uint32_t far[] = {0x2500, 0xfffd, 0xffff, 0x1f600, 0x10ffff};
        for (unsigned i = 0; i < 5; i++)
            gfx_face_glyph(face, far[i]);
        gfx_text(&s, face, 0, 20, "Ag\xc3\xa9\xe2\x94\x80", 8, 0x00ff00);
        gfx_face_free(face);
    }
    gfx_font_free(f);
    return 0;
}
