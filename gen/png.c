/*
 * Images for the screen checks of anx test: PNG files (references and what
 * a check saw) through libpng's simplified API, which converts any PNG
 * (palette, gray, 16-bit, alpha) to 8-bit RGB on reading; and the PPM
 * (P6) files QEMU's screendump writes. Pixels live in plain malloc'd
 * memory, not the generator's tracked allocations: a screen check reads a
 * screen every 200 ms and frees each one.
 */
#include "anx.h"

#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

/* Larger images are refused: a corrupt header must not ask for gigabytes. */
#define IMAGE_MAX_SIDE 16384

int image_alloc(struct image *img, int w, int h)
{
    img->w = w;
    img->h = h;
    img->px = calloc((size_t)w * (size_t)h, 3);
    if (!img->px) {
        fputs("anx: out of memory\n", stderr);
        abort();
    }
    return 0;
}

void image_free(struct image *img)
{
    free(img->px);
    img->px = NULL;
    img->w = img->h = 0;
}

int image_read_png(const char *path, struct image *img, char *why, size_t whylen)
{
    memset(img, 0, sizeof *img);
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) {
        /* libpng says "Not a PNG file", "IHDR: CRC error", or the fopen error */
        snprintf(why, whylen, "%s: not a readable PNG image (libpng: %s)", path_display(path), pi.message);
        png_image_free(&pi);
        return -1;
    }
    if (pi.width == 0 || pi.height == 0 || pi.width > IMAGE_MAX_SIDE || pi.height > IMAGE_MAX_SIDE) {
        snprintf(why, whylen, "%s: a PNG image of %ux%u pixels (at most %dx%d)", path_display(path), pi.width,
                 pi.height, IMAGE_MAX_SIDE, IMAGE_MAX_SIDE);
        png_image_free(&pi);
        return -1;
    }
    pi.format = PNG_FORMAT_RGB;   /* alpha, if any, is composited on black */
    image_alloc(img, (int)pi.width, (int)pi.height);
    if (!png_image_finish_read(&pi, NULL, img->px, 0, NULL)) {
        snprintf(why, whylen, "%s: corrupt PNG image (libpng: %s)", path_display(path), pi.message);
        png_image_free(&pi);
        image_free(img);
        return -1;
    }
    return 0;
}

int image_write_png(const char *path, const struct image *img, char *why, size_t whylen)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)img->w;
    pi.height = (png_uint_32)img->h;
    pi.format = PNG_FORMAT_RGB;
    /* Through a temporary file and rename: a reader never sees half a PNG. */
    char *tmp = xasprintf("%s.tmp", path);
    if (!png_image_write_to_file(&pi, tmp, 0, img->px, 0, NULL)) {
        snprintf(why, whylen, "cannot write %s: %s", path_display(path), pi.message);
        png_image_free(&pi);
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        snprintf(why, whylen, "cannot write %s: %s", path_display(path), strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

/* The next header number of a PPM, skipping white space and # comments. */
static int ppm_number(const unsigned char *d, size_t len, size_t *at, long *out)
{
    size_t i = *at;
    for (;;) {
        while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r'))
            i++;
        if (i < len && d[i] == '#') {
            while (i < len && d[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    if (i >= len || d[i] < '0' || d[i] > '9')
        return -1;
    long v = 0;
    while (i < len && d[i] >= '0' && d[i] <= '9' && v < 1000000)
        v = v * 10 + (d[i++] - '0');
    *at = i;
    *out = v;
    return 0;
}

int image_from_ppm(const void *data, size_t len, struct image *img, char *why, size_t whylen)
{
    const unsigned char *d = data;
    memset(img, 0, sizeof *img);
    long w, h, maxval;
    size_t at = 2;
    if (len < 2 || d[0] != 'P' || d[1] != '6' || ppm_number(d, len, &at, &w) || ppm_number(d, len, &at, &h) ||
        ppm_number(d, len, &at, &maxval) || at >= len) {
        snprintf(why, whylen, "not a binary PPM (P6) image");
        return -1;
    }
    if (maxval != 255 || w <= 0 || h <= 0 || w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE) {
        snprintf(why, whylen, "unsupported PPM image: %ldx%ld, maximum value %ld (expected 8-bit RGB)", w, h, maxval);
        return -1;
    }
    at++;   /* the one white space byte after the maximum value */
    size_t need = (size_t)w * (size_t)h * 3;
    if (len - at < need) {
        snprintf(why, whylen, "truncated PPM image: %zu bytes of pixels, %ldx%ld needs %zu", len - at, w, h, need);
        return -1;
    }
    image_alloc(img, (int)w, (int)h);
    memcpy(img->px, d + at, need);
    return 0;
}

int image_read_ppm(const char *path, struct image *img, char *why, size_t whylen)
{
    memset(img, 0, sizeof *img);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot read %s: %s", path_display(path), strerror(errno));
        return -1;
    }
    size_t cap = 1 << 20, len = 0;
    unsigned char *d = malloc(cap);
    for (size_t k; d && (k = fread(d + len, 1, cap - len, f)) > 0;) {
        len += k;
        if (len == cap && cap < (size_t)IMAGE_MAX_SIDE * IMAGE_MAX_SIDE * 3 + 64) {
            unsigned char *nd = realloc(d, cap * 2);
            if (!nd) {
                free(d);
                d = NULL;
                break;
            }
            d = nd;
            cap *= 2;
        } else if (len == cap) {
            break;
        }
    }
    fclose(f);
    if (!d) {
        fputs("anx: out of memory\n", stderr);
        abort();
    }
    char inner[256];
    int rc = image_from_ppm(d, len, img, inner, sizeof inner);
    free(d);
    if (rc)
        snprintf(why, whylen, "%s: %s", path_display(path), inner);
    return rc;
}
