/*
 * Fuzz harness of image_stb.c's decode core (libFuzzer): the path a
 * downloaded image takes in the browser, browser_image_probe and, when it
 * accepts the bytes, browser_image_decode into a bitmap-like buffer
 * (images past 1 Mpixel are only probed, to keep runs fast).
 *
 * A mutated PNG almost never keeps its chunks' CRCs, which the probe
 * checks; so the CRCs of a PNG input are recomputed first (on a copy),
 * letting the mutations reach stb_image's inflate and PNG decoder. The
 * seeds are tests/image_stb/corpus (libpng and libjpeg files).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "image_stb.h"

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void fix_png_crcs(uint8_t *d, size_t size)
{
    if (size < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)
        return;
    size_t pos = 8;
    while (size - pos >= 12) {
        uint32_t len = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 | (uint32_t)d[pos + 2] << 8 | d[pos + 3];
        if (len > size - pos - 12)
            return;
        uint32_t c = crc32_png(d + pos + 4, (size_t)len + 4);
        uint8_t *q = d + pos + 8 + len;
        q[0] = (uint8_t)(c >> 24);
        q[1] = (uint8_t)(c >> 16);
        q[2] = (uint8_t)(c >> 8);
        q[3] = (uint8_t)c;
        pos += (size_t)len + 12;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    fix_png_crcs(copy, size);
    struct browser_image_info info;
    char err[200];
    if (browser_image_probe(copy, size, &info, err, sizeof err) == 0 &&
        (size_t)info.width * (size_t)info.height <= (1u << 20)) {
        static const struct browser_image_layout layout = {2, 1, 0, 3};
        size_t stride = (size_t)info.width * 4 + 4;
        uint8_t *px = malloc(stride * (size_t)info.height);
        bool opaque;
        if (px)
            (void)browser_image_decode(copy, size, &info, px, stride, &layout, &opaque, err, sizeof err);
        free(px);
    }
    free(copy);
    return 0;
}
