/* PNG and PPM images of the screen checks (gen/png.c): a round trip keeps
 * every pixel, and broken files are refused with a reason naming them. */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include "anx.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static void put(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/anx-unit-png-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *png = path_join(dir, "a.png"), why[512];

    /* round trip: every value of every channel survives */
    struct image a, b;
    image_alloc(&a, 37, 11);   /* odd sizes: no row padding assumptions */
    for (size_t i = 0; i < (size_t)a.w * a.h * 3; i++)
        a.px[i] = (unsigned char)(i * 7 + i / 3);
    CHECK(image_write_png(png, &a, why, sizeof why) == 0);
    CHECK(image_read_png(png, &b, why, sizeof why) == 0);
    CHECK(b.w == 37 && b.h == 11);
    CHECK(b.px && !memcmp(a.px, b.px, (size_t)a.w * a.h * 3));
    image_free(&b);

    /* not a PNG at all */
    char *junk = path_join(dir, "junk.png");
    put(junk, "hello, I am text\n", 17);
    CHECK(image_read_png(junk, &b, why, sizeof why) == -1);
    CHECK(strstr(why, "junk.png: not a readable PNG image (libpng: Not a PNG file)") != NULL);
    CHECK(b.px == NULL);

    /* a real PNG cut in half: the header reads, the pixels do not */
    char *data;
    size_t len;
    CHECK(read_file(png, &data, &len, 1 << 20) == 0);
    char *cut = path_join(dir, "cut.png");
    put(cut, data, len / 2);
    CHECK(image_read_png(cut, &b, why, sizeof why) == -1);
    CHECK(strstr(why, "cut.png: corrupt PNG image (libpng: ") != NULL);

    /* a flipped byte in the header chunk fails its CRC */
    char *crc = path_join(dir, "crc.png");
    data[20] ^= 0x40;
    put(crc, data, len);
    CHECK(image_read_png(crc, &b, why, sizeof why) == -1);
    CHECK(strstr(why, "crc.png: not a readable PNG image (libpng: IHDR: CRC error)") != NULL);

    /* missing file */
    CHECK(image_read_png(path_join(dir, "none.png"), &b, why, sizeof why) == -1);
    CHECK(strstr(why, "none.png: not a readable PNG image") != NULL);

    /* PPM as QEMU's screendump writes it, with a comment as others may */
    const char ppm[] = "P6\n# made by hand\n2 1\n255\n\x01\x02\x03\xfa\xfb\xfc";
    CHECK(image_from_ppm(ppm, sizeof ppm - 1, &b, why, sizeof why) == 0);
    CHECK(b.w == 2 && b.h == 1 && b.px[0] == 1 && b.px[5] == 0xfc);
    image_free(&b);
    CHECK(image_from_ppm(ppm, sizeof ppm - 2, &b, why, sizeof why) == -1);
    CHECK_STR(why, "truncated PPM image: 5 bytes of pixels, 2x1 needs 6");
    CHECK(image_from_ppm("P6 2 1 65535\n", 13, &b, why, sizeof why) == -1);
    CHECK_STR(why, "unsupported PPM image: 2x1, maximum value 65535 (expected 8-bit RGB)");
    CHECK(image_from_ppm("P3 2 1 255\n", 11, &b, why, sizeof why) == -1);
    CHECK_STR(why, "not a binary PPM (P6) image");
    CHECK(image_from_ppm("P6 99999999 1 255\n", 18, &b, why, sizeof why) == -1);
    char *ppmf = path_join(dir, "s.ppm");
    put(ppmf, ppm, sizeof ppm - 1);
    CHECK(image_read_ppm(ppmf, &b, why, sizeof why) == 0 && b.w == 2);
    image_free(&b);

    image_free(&a);
    rm_rf(dir);
    return UNIT_END();
}
