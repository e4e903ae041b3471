/*
 * Makes the PNG and JPEG files of test_image_stb.c and fuzz_image_stb.c
 * with the host's libpng and libjpeg (libpng-dev, libjpeg-dev), and their
 * reference decodes by the same libraries. Not run by the tests (the files
 * are checked in); run it again after changing it:
 *
 *   cc -O2 -o /tmp/mkcorpus modules/browser/tests/test_image_stb_mkcorpus.c -lpng -ljpeg -lz
 *   /tmp/mkcorpus modules/browser/tests/image_stb
 *
 * corpus/NAME.png|jpg: the images (also the fuzz seeds); ref/NAME.rgba: the
 * reference pixels, "RGBA" + width and height (big-endian 32 bits) + the
 * rows as 8-bit R, G, B, A; bomb.png: 16x16 pixels whose image data
 * inflates to 32 MiB (the decode budget must stop it); big16i.png:
 * 1024x1024 pixels of 16-bit interlaced RGBA, flat rows so it stays small
 * (the decode budget must hold it).
 *
 * With a second folder (tests/boot/browser-images), also the images of the
 * boot test: halves.png, 240x120 pixels, #cc2233 left, #22aa44 right;
 * broken.png, the same cut 30 bytes short; huge.png, 9000x4 pixels (past
 * the size limit); halves.jpg, 240x120, 4:4:4, quality 95, #2050c0 left
 * of x = 128, #808080 right (a block boundary, so both halves stay flat).
 */
#include <png.h>
#include <jpeglib.h>
#include <zlib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *dir;

static FILE *out(const char *sub, const char *name, const char *ext)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s.%s", dir, sub, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    return f;
}

static void put32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {v >> 24, v >> 16, v >> 8, v};
    fwrite(b, 1, 4, f);
}

static void write_ref(const char *name, int w, int h, const uint8_t *rgba)
{
    FILE *f = out("ref", name, "rgba");
    fwrite("RGBA", 1, 4, f);
    put32(f, (uint32_t)w);
    put32(f, (uint32_t)h);
    fwrite(rgba, 4, (size_t)w * h, f);
    fclose(f);
}

/* A test pattern: gradients, a hard edge and varying alpha, per channel. */
static unsigned pattern(int x, int y, int w, int h, int ch)
{
    switch (ch) {
    case 0: return (unsigned)(x * 65535 / (w > 1 ? w - 1 : 1));
    case 1: return (unsigned)(y * 65535 / (h > 1 ? h - 1 : 1));
    case 2: return (x / 5 + y / 3) % 2 ? 60000u : 3000u;
    default: return (unsigned)(((x + y) * 40000 / (w + h)) + 20000);
    }
}

/* ---- PNG -------------------------------------------------------------------------- */

static void png_make(const char *name, int w, int h, int color, int depth, int interlace, int trns)
{
    char path[512];
    snprintf(path, sizeof path, "%s/corpus/%s.png", dir, name);
    FILE *f = fopen(path, "wb");
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    png_init_io(p, f);
    png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, depth, color,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    int maxv = (1 << depth) - 1;
    if (color == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        png_byte alpha[256];
        for (int i = 0; i <= maxv; i++) {
            pal[i].red = (png_byte)(i * 255 / maxv);
            pal[i].green = (png_byte)(255 - i * 255 / maxv);
            pal[i].blue = (png_byte)((i * 37) & 255);
            alpha[i] = (png_byte)(i % 3 == 0 ? 0 : i % 3 == 1 ? 128 : 255);
        }
        png_set_PLTE(p, info, pal, maxv + 1);
        if (trns)
            png_set_tRNS(p, info, alpha, maxv + 1, NULL);
    } else if (trns) {
        png_color_16 t = {0};
        t.gray = (png_uint_16)(maxv / 2);
        t.red = (png_uint_16)(maxv / 2);
        t.green = 0;
        t.blue = (png_uint_16)(depth == 16 ? 3000 : 11);
        png_set_tRNS(p, info, NULL, 0, &t);
    }
    png_write_info(p, info);
    if (depth == 16)
        png_set_swap(p);                         /* rows below are host (little) endian */
    png_set_packing(p);
    int nch = color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_PALETTE ? 1
            : color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2 : color == PNG_COLOR_TYPE_RGB ? 3 : 4;
    int bps = depth == 16 ? 2 : 1;
    size_t rowbytes = (size_t)w * nch * bps;
    uint8_t *img = calloc(rowbytes, (size_t)h);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            for (int c = 0; c < nch; c++) {
                int ch = nch == 2 && c == 1 ? 3 : c;
                unsigned v = pattern(x, y, w, h, ch) >> (16 - depth);
                if (color == PNG_COLOR_TYPE_PALETTE)
                    v = (unsigned)((x + 2 * y) % (maxv + 1));
                if (trns && color == PNG_COLOR_TYPE_GRAY && (x + y) % 4 == 0)
                    v = (unsigned)(maxv / 2);    /* some pixels hit the transparent gray */
                if (trns && color == PNG_COLOR_TYPE_RGB && (x + y) % 4 == 0)
                    v = c == 0 ? (unsigned)(maxv / 2) : c == 1 ? 0 : (depth == 16 ? 3000u : 11u);
                uint8_t *q = img + (size_t)y * rowbytes + ((size_t)x * nch + c) * bps;
                if (bps == 2) {
                    q[0] = (uint8_t)v;
                    q[1] = (uint8_t)(v >> 8);
                } else {
                    q[0] = (uint8_t)v;
                }
            }
        }
    }
    int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < h; y++)
            png_write_row(p, img + (size_t)y * rowbytes);
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    fclose(f);
    free(img);

    /* the reference: libpng's decode to 8-bit RGBA (16 bits stripped to
     * the high byte, gray expanded, tRNS to alpha) */
    f = fopen(path, "rb");
    p = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png_create_info_struct(p);
    png_init_io(p, f);
    png_read_info(p, info);
    png_set_expand(p);
    png_set_strip_16(p);
    png_set_gray_to_rgb(p);
    png_set_add_alpha(p, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(p);
    png_read_update_info(p, info);
    uint8_t *rgba = malloc((size_t)w * h * 4);
    png_bytep *rows = malloc(sizeof *rows * (size_t)h);
    for (int y = 0; y < h; y++)
        rows[y] = rgba + (size_t)y * w * 4;
    png_read_image(p, rows);
    png_destroy_read_struct(&p, &info, NULL);
    fclose(f);
    write_ref(name, w, h, rgba);
    free(rows);
    free(rgba);
}

/* ---- JPEG ------------------------------------------------------------------------- */

static void jpeg_make(const char *name, int w, int h, J_COLOR_SPACE cs, int hs, int vs,
                      int progressive, int restart, int quality)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    FILE *f = out("corpus", name, "jpg");
    jpeg_stdio_dest(&c, f);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = cs == JCS_GRAYSCALE ? 1 : cs == JCS_CMYK ? 4 : 3;
    c.in_color_space = cs;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    if (cs == JCS_RGB) {
        c.comp_info[0].h_samp_factor = hs;
        c.comp_info[0].v_samp_factor = vs;
        c.comp_info[1].h_samp_factor = c.comp_info[1].v_samp_factor = 1;
        c.comp_info[2].h_samp_factor = c.comp_info[2].v_samp_factor = 1;
    }
    if (cs == JCS_CMYK)
        c.write_Adobe_marker = TRUE;
    if (progressive)
        jpeg_simple_progression(&c);
    c.restart_interval = (unsigned)restart;
    jpeg_start_compress(&c, TRUE);
    int n = c.input_components;
    uint8_t *row = malloc((size_t)w * n);
    while (c.next_scanline < c.image_height) {
        int y = (int)c.next_scanline;
        for (int x = 0; x < w; x++)
            for (int k = 0; k < n; k++)
                row[x * n + k] = (uint8_t)(pattern(x, y, w, h, k) >> 8);
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
    free(row);

    /* the reference: libjpeg's decode (ISLOW, fancy upsampling); Adobe
     * CMYK is stored inverted, so R = C*K/255 as NetSurf's jpeg.c does */
    char path[512];
    snprintf(path, sizeof path, "%s/corpus/%s.jpg", dir, name);
    struct jpeg_decompress_struct d;
    d.err = jpeg_std_error(&jerr);
    jpeg_create_decompress(&d);
    f = fopen(path, "rb");
    jpeg_stdio_src(&d, f);
    jpeg_read_header(&d, TRUE);
    d.dct_method = JDCT_ISLOW;
    if (d.jpeg_color_space != JCS_GRAYSCALE && d.jpeg_color_space != JCS_CMYK)
        d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    int on = d.output_components;
    uint8_t *line = malloc((size_t)w * on), *rgba = malloc((size_t)w * h * 4);
    while (d.output_scanline < d.output_height) {
        int y = (int)d.output_scanline;
        JSAMPROW r = line;
        jpeg_read_scanlines(&d, &r, 1);
        for (int x = 0; x < w; x++) {
            uint8_t *q = rgba + ((size_t)y * w + x) * 4;
            const uint8_t *s = line + x * on;
            if (on == 1) {
                q[0] = q[1] = q[2] = s[0];
            } else if (on == 4) {
                q[0] = (uint8_t)((s[0] * s[3] + 127) / 255);
                q[1] = (uint8_t)((s[1] * s[3] + 127) / 255);
                q[2] = (uint8_t)((s[2] * s[3] + 127) / 255);
            } else {
                memcpy(q, s, 3);
            }
            q[3] = 255;
        }
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    fclose(f);
    write_ref(name, w, h, rgba);
    free(line);
    free(rgba);
}

/* ---- a deflate bomb ------------------------------------------------------------ */

static void chunk(FILE *f, const char *type, const uint8_t *data, uint32_t len)
{
    put32(f, len);
    fwrite(type, 1, 4, f);
    fwrite(data, 1, len, f);
    uLong crc = crc32(0, (const Bytef *)type, 4);
    crc = crc32(crc, data, len);
    put32(f, (uint32_t)crc);
}

static void bomb(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bomb.png", dir);
    FILE *f = fopen(path, "wb");
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
    uint8_t ihdr[13] = {0, 0, 0, 16, 0, 0, 0, 16, 8, 6, 0, 0, 0};
    chunk(f, "IHDR", ihdr, 13);
    uLong n = 32u << 20;
    uint8_t *zeros = calloc(1, n);
    uLongf zn = compressBound(n);
    uint8_t *z = malloc(zn);
    compress2(z, &zn, zeros, n, 9);
    chunk(f, "IDAT", z, (uint32_t)zn);
    chunk(f, "IEND", (const uint8_t *)"", 0);     /* not NULL: crc32(c, NULL, 0) is 0 */
    fclose(f);
    free(zeros);
    free(z);
}

/* An 8-bit RGB PNG of two flat halves, written with zlib; cut bytes short. */
static void boot_png(const char *bootdir, const char *name, uint32_t w, uint32_t h, size_t cut)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", bootdir, name);
    size_t rowlen = 1 + (size_t)w * 3, rawlen = rowlen * h;
    uint8_t *raw = calloc(1, rawlen);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            static const uint8_t red[3] = {0xcc, 0x22, 0x33}, green[3] = {0x22, 0xaa, 0x44};
            memcpy(raw + y * rowlen + 1 + x * 3, x < w / 2 ? red : green, 3);
        }
    uLongf zn = compressBound(rawlen);
    uint8_t *z = malloc(zn);
    compress2(z, &zn, raw, rawlen, 9);
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
    uint8_t ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h, 8, 2, 0, 0, 0};
    chunk(f, "IHDR", ihdr, 13);
    chunk(f, "IDAT", z, (uint32_t)zn);
    chunk(f, "IEND", (const uint8_t *)"", 0);
    long n = ftell(f);
    fclose(f);
    truncate(tmp, n - (long)cut);
    rename(tmp, path);
    free(raw);
    free(z);
}

static void boot_jpeg(const char *bootdir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/halves.jpg", bootdir);
    FILE *f = fopen(path, "wb");
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr jerr;
    c.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&c);
    jpeg_stdio_dest(&c, f);
    c.image_width = 240;
    c.image_height = 120;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    for (int i = 0; i < 3; i++)
        c.comp_info[i].h_samp_factor = c.comp_info[i].v_samp_factor = 1;
    jpeg_start_compress(&c, TRUE);
    uint8_t row[240 * 3];
    for (int x = 0; x < 240; x++) {
        static const uint8_t blue[3] = {0x20, 0x50, 0xc0}, gray[3] = {0x80, 0x80, 0x80};
        memcpy(row + x * 3, x < 128 ? blue : gray, 3);
    }
    while (c.next_scanline < c.image_height) {
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    fclose(f);
}

static void big16i(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/big16i.png", dir);
    FILE *f = fopen(path, "wb");
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    png_init_io(p, f);
    png_set_compression_level(p, 9);
    png_set_IHDR(p, info, 1024, 1024, 16, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_ADAM7,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    uint8_t row[1024 * 8];
    int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++)
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024 * 8; x++)
                row[x] = (uint8_t)(y * 3 + (x & 7) * 40);    /* each row flat: R G B A of the row */
            png_write_row(p, row);
        }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc == 3) {
        boot_png(argv[2], "halves.png", 240, 120, 0);
        boot_png(argv[2], "broken.png", 240, 120, 30);
        boot_png(argv[2], "huge.png", 9000, 4, 0);
        boot_jpeg(argv[2]);
    }
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s DIR [BOOTDIR] (modules/browser/tests/image_stb, tests/boot/browser-images)\n",
                argv[0]);
        return 2;
    }
    dir = argv[1];
    png_make("gray1", 37, 23, PNG_COLOR_TYPE_GRAY, 1, 0, 0);
    png_make("gray2_i", 37, 23, PNG_COLOR_TYPE_GRAY, 2, 1, 0);
    png_make("gray4", 37, 23, PNG_COLOR_TYPE_GRAY, 4, 0, 0);
    png_make("gray8_trns", 37, 23, PNG_COLOR_TYPE_GRAY, 8, 0, 1);
    png_make("gray16", 37, 23, PNG_COLOR_TYPE_GRAY, 16, 0, 0);
    png_make("graya8", 37, 23, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 0);
    png_make("graya16_i", 37, 23, PNG_COLOR_TYPE_GRAY_ALPHA, 16, 1, 0);
    png_make("rgb8", 37, 23, PNG_COLOR_TYPE_RGB, 8, 0, 0);
    png_make("rgb8_trns", 37, 23, PNG_COLOR_TYPE_RGB, 8, 0, 1);
    png_make("rgb16", 37, 23, PNG_COLOR_TYPE_RGB, 16, 0, 0);
    png_make("rgba8", 64, 48, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0);
    png_make("rgba8_i", 37, 23, PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 0);
    png_make("rgba16_i", 37, 23, PNG_COLOR_TYPE_RGB_ALPHA, 16, 1, 0);
    png_make("pal1", 37, 23, PNG_COLOR_TYPE_PALETTE, 1, 0, 0);
    png_make("pal2_trns", 37, 23, PNG_COLOR_TYPE_PALETTE, 2, 0, 1);
    png_make("pal4_i", 37, 23, PNG_COLOR_TYPE_PALETTE, 4, 1, 1);
    png_make("pal8_trns", 37, 23, PNG_COLOR_TYPE_PALETTE, 8, 0, 1);
    png_make("rgb8_1x1", 1, 1, PNG_COLOR_TYPE_RGB, 8, 0, 0);
    jpeg_make("rgb420", 37, 23, JCS_RGB, 2, 2, 0, 0, 90);
    jpeg_make("rgb444", 37, 23, JCS_RGB, 1, 1, 0, 0, 95);
    jpeg_make("rgb422_restart", 64, 48, JCS_RGB, 2, 1, 0, 2, 85);
    jpeg_make("rgb420_prog", 37, 23, JCS_RGB, 2, 2, 1, 0, 90);
    jpeg_make("gray", 37, 23, JCS_GRAYSCALE, 1, 1, 0, 0, 90);
    jpeg_make("gray_prog", 37, 23, JCS_GRAYSCALE, 1, 1, 1, 0, 90);
    jpeg_make("cmyk", 37, 23, JCS_CMYK, 1, 1, 0, 0, 95);
    jpeg_make("rgb_1x1", 1, 1, JCS_RGB, 2, 2, 0, 0, 90);
    bomb();
    big16i();
    return 0;
}
