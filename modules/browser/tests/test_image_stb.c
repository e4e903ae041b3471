/*
 * Host tests of image_stb.c's decode core (browser_image_probe and
 * browser_image_decode), under ASan and UBSan:
 *   - every PNG colour type and bit depth (palette, tRNS, 16 bits,
 *     interlaced) and JPEG kind (4:2:0, 4:2:2 with restarts, 4:4:4,
 *     progressive, grayscale, Adobe CMYK, 1x1) made by libpng and libjpeg
 *     (tests/test_image_stb_mkcorpus.c), against those libraries' own
 *     decodes: PNG exactly, JPEG within a small rounding difference;
 *   - the destination's component order and row stride;
 *   - hostile files: every truncation of a PNG and a JPEG, a bad CRC, a
 *     damaged deflate stream, sizes past the limits, a deflate bomb,
 *     unsupported JPEG kinds, not an image at all;
 *   - the content handler over stand-ins of NetSurf (test_image_stb_stubs.c):
 *     the MIME types, size and title at data_complete, decode at once or
 *     when the image cache asks, premultiplied alpha, broken files as
 *     content errors, clones, nothing leaked.
 *
 *   test_image_stb DIR   (the runner passes {dir}/tests/image_stb)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/errno.h>
#include "image_stb.h"
#include "test_image_stb_stubs.h"

/* The harness: CHECK records a failure and goes on; RUN prints
 * "ok   browser/image_stb: NAME" or "FAIL ..." (tests/modules.sh counts them). */
static int failures, failed_tests;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
    failures++; } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); failures++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (!a_ || strcmp(a_, b_) != 0) { \
    fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_); \
    failures++; } } while (0)
#define TEST(name) static void name(void)
#define RUN(t) do { int f0_ = failures; t(); if (failures == f0_) printf("ok   browser/image_stb: %s\n", #t); \
    else { printf("FAIL browser/image_stb: %s\n", #t); failed_tests++; } fflush(stdout); } while (0)

static const char *dir;

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "  cannot read %s\n", path);
        return NULL;
    }
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

static uint8_t *load(const char *sub, const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    return slurp(path, size);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* PNG's CRC, written again here so a mistake in image_stb.c's is not copied */
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

static const struct browser_image_layout rgba = {0, 1, 2, 3};

/* ---- the corpus against libpng's and libjpeg's decodes ------------------------------ */

static const char *const pngs[] = {
    "gray1", "gray2_i", "gray4", "gray8_trns", "gray16", "graya8", "graya16_i", "rgb8", "rgb8_trns", "rgb16",
    "rgba8", "rgba8_i", "rgba16_i", "pal1", "pal2_trns", "pal4_i", "pal8_trns", "rgb8_1x1",
};
static const char *const jpegs[] = {
    "rgb420", "rgb444", "rgb422_restart", "rgb420_prog", "gray", "gray_prog", "cmyk", "rgb_1x1",
};

/* Decode corpus/file with a padded stride and compare with ref/NAME.rgba:
 * at most maxdiff per component and meandiff on average. */
static void check_one(const char *name, const char *ext, enum browser_image_type type, int maxdiff, double meandiff)
{
    char file[128], reff[128], err[200] = "";
    snprintf(file, sizeof file, "%s.%s", name, ext);
    snprintf(reff, sizeof reff, "%s.rgba", name);
    size_t size, rsize;
    uint8_t *data = load("corpus", file, &size), *ref = load("ref", reff, &rsize);
    CHECK(data && ref);
    if (!data || !ref) {
        free(data);
        free(ref);
        return;
    }
    int w = (int)rd32(ref + 4), h = (int)rd32(ref + 8);
    const uint8_t *rp = ref + 12;
    CHECK_EQ(rsize, 12 + (size_t)w * (size_t)h * 4);

    struct browser_image_info info;
    int rc = browser_image_probe(data, size, &info, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s: %s\n", file, err);
    CHECK_EQ(rc, 0);
    CHECK_EQ(info.type, type);
    CHECK_EQ(info.width, w);
    CHECK_EQ(info.height, h);

    size_t stride = (size_t)w * 4 + 12;     /* a bitmap's rows may be wider than the image */
    uint8_t *dst = malloc(stride * (size_t)h);
    memset(dst, 0xa5, stride * (size_t)h);
    bool opaque = false;
    rc = browser_image_decode(data, size, &info, dst, stride, &rgba, &opaque, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s: %s\n", file, err);
    CHECK_EQ(rc, 0);
    int worst = 0;
    long total = 0;
    bool ref_opaque = true, pad_ok = true;
    for (int y = 0; y < h && !rc; y++) {
        for (int i = 0; i < w * 4; i++) {
            int d = abs(dst[(size_t)y * stride + (size_t)i] - rp[(size_t)y * (size_t)w * 4 + (size_t)i]);
            worst = d > worst ? d : worst;
            total += d;
            if (i % 4 == 3 && rp[(size_t)y * (size_t)w * 4 + (size_t)i] != 255)
                ref_opaque = false;
        }
        for (size_t i = (size_t)w * 4; i < stride; i++)
            pad_ok &= dst[(size_t)y * stride + i] == 0xa5;
    }
    double mean = (double)total / ((double)w * h * 4);
    if (worst > maxdiff || mean > meandiff)
        fprintf(stderr, "  %s: differs from the reference by up to %d, %.3f on average\n", file, worst, mean);
    CHECK(worst <= maxdiff);
    CHECK(mean <= meandiff);
    CHECK(pad_ok);
    CHECK_EQ(opaque, ref_opaque);
    free(dst);
    free(data);
    free(ref);
}

TEST(png_corpus_matches_libpng)
{
    for (size_t i = 0; i < sizeof pngs / sizeof pngs[0]; i++)
        check_one(pngs[i], "png", BROWSER_IMAGE_PNG, 0, 0.0);
}

/* stb_image's IDCT, upsampling and colour conversion round differently
 * from libjpeg's (its 4:2:2 chroma upsampling most, at the pattern's hard
 * edges): up to 32 steps on a component, under one on average. */
TEST(jpeg_corpus_near_libjpeg)
{
    for (size_t i = 0; i < sizeof jpegs / sizeof jpegs[0]; i++)
        check_one(jpegs[i], "jpg", BROWSER_IMAGE_JPEG, 32, 1.0);
}

/* The components land where the layout says (NetSurf's bitmap_layout). */
TEST(component_order_follows_layout)
{
    size_t size;
    uint8_t *data = load("corpus", "rgba8.png", &size);
    char err[200];
    struct browser_image_info info;
    CHECK(data && browser_image_probe(data, size, &info, err, sizeof err) == 0);
    if (!data)
        return;
    size_t n = (size_t)info.width * (size_t)info.height * 4;
    uint8_t *a = malloc(n), *b = malloc(n);
    bool oa, ob;
    const struct browser_image_layout argb = {1, 2, 3, 0};
    CHECK_EQ(browser_image_decode(data, size, &info, a, (size_t)info.width * 4, &rgba, &oa, err, sizeof err), 0);
    CHECK_EQ(browser_image_decode(data, size, &info, b, (size_t)info.width * 4, &argb, &ob, err, sizeof err), 0);
    bool same = true;
    for (size_t i = 0; i < n; i += 4)
        same &= b[i + 1] == a[i] && b[i + 2] == a[i + 1] && b[i + 3] == a[i + 2] && b[i] == a[i + 3];
    CHECK(same);
    CHECK(!oa && !ob);                      /* rgba8 has varying alpha */
    free(a);
    free(b);
    free(data);
}

/* ---- hostile files ------------------------------------------------------------------ */

/* Every prefix of a file: refused by the probe with the reason's start,
 * and the decoder itself, handed the cut data anyway, survives. */
static void check_truncations(const char *file, const char *reason, size_t magic)
{
    size_t size;
    uint8_t *data = load("corpus", file, &size);
    CHECK(data);
    if (!data)
        return;
    struct browser_image_info whole;
    char err[200];
    CHECK_EQ(browser_image_probe(data, size, &whole, err, sizeof err), 0);
    int wrong = 0;
    uint8_t *px = malloc((size_t)whole.width * (size_t)whole.height * 4);
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);   /* its own block: ASan sees any read past n */
        memcpy(cut, data, n);
        struct browser_image_info info;
        int rc = browser_image_probe(cut, n, &info, err, sizeof err);
        const char *want = n < magic ? "not a PNG or JPEG image" : reason;
        if (rc == 0 || strncmp(err, want, strlen(want)) != 0) {
            if (wrong++ < 3)
                fprintf(stderr, "  %s cut to %zu bytes: %d \"%s\", expected \"%s...\"\n", file, n, rc,
                        rc ? err : "", want);
        }
        bool opaque;
        (void)browser_image_decode(cut, n, &whole, px, (size_t)whole.width * 4, &rgba, &opaque, err, sizeof err);
        free(cut);
    }
    CHECK_EQ(wrong, 0);
    free(px);
    free(data);
}

TEST(every_truncated_png_refused)
{
    check_truncations("rgba16_i.png", "PNG truncated", 8);   /* 8 bytes of signature */
    check_truncations("pal4_i.png", "PNG truncated", 8);
}

TEST(every_truncated_jpeg_refused)
{
    check_truncations("rgb420_prog.jpg", "JPEG truncated", 3);   /* FF D8 FF */
    check_truncations("rgb422_restart.jpg", "JPEG truncated", 3);
}

/* offset of the first chunk of that type in a PNG */
static size_t find_chunk(const uint8_t *d, size_t size, const char *type)
{
    for (size_t pos = 8; pos + 12 <= size; pos += rd32(d + pos) + 12)
        if (memcmp(d + pos + 4, type, 4) == 0)
            return pos;
    return 0;
}

static void fix_crc(uint8_t *d, size_t pos)
{
    uint32_t len = rd32(d + pos);
    wr32(d + pos + 8 + len, crc32_png(d + pos + 4, len + 4));
}

TEST(bad_crc_refused)
{
    size_t size;
    uint8_t *d = load("corpus", "rgb8.png", &size);
    CHECK(d);
    if (!d)
        return;
    size_t idat = find_chunk(d, size, "IDAT");
    CHECK(idat > 0);
    d[idat + 10] ^= 0x10;
    struct browser_image_info info;
    char err[200], want[100];
    CHECK_EQ(browser_image_probe(d, size, &info, err, sizeof err), ANX_ECORRUPT);
    snprintf(want, sizeof want, "PNG damaged: chunk IDAT at byte %zu fails its CRC", idat);
    CHECK_STR(err, want);
    free(d);
}

/* A damaged deflate stream behind a right CRC: the probe cannot see it,
 * the decode refuses it with stb_image's reason. */
TEST(damaged_deflate_refused_at_decode)
{
    size_t size;
    uint8_t *d = load("corpus", "rgb8.png", &size);
    CHECK(d);
    if (!d)
        return;
    size_t idat = find_chunk(d, size, "IDAT");
    d[idat + 8] = 0x7f;                      /* CMF: not deflate */
    fix_crc(d, idat);
    struct browser_image_info info;
    char err[200];
    CHECK_EQ(browser_image_probe(d, size, &info, err, sizeof err), 0);
    uint8_t px[37 * 23 * 4];
    bool opaque;
    CHECK_EQ(browser_image_decode(d, size, &info, px, 37 * 4, &rgba, &opaque, err, sizeof err), ANX_ECORRUPT);
    CHECK_STR(err, "PNG damaged: bad zlib header");
    free(d);
}

/* A PNG of w x h pixels (RGB, 8 bits) whose image data is a deflate
 * stream of nothing: enough for the probe, which reads no pixels. */
static size_t make_png(uint8_t *d, uint32_t w, uint32_t h)
{
    static const uint8_t head[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
        0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 0, 0, 0, 0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 8, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
        0, 0, 0, 0, 'I', 'E', 'N', 'D', 0, 0, 0, 0};
    memcpy(d, head, sizeof head);
    wr32(d + 16, w);
    wr32(d + 20, h);
    fix_crc(d, 8);
    fix_crc(d, 33);
    fix_crc(d, 53);
    return sizeof head;
}

static int probe_png(uint32_t w, uint32_t h, char *err, size_t errlen)
{
    uint8_t d[80];
    size_t n = make_png(d, w, h);
    struct browser_image_info info;
    return browser_image_probe(d, n, &info, err, errlen);
}

TEST(size_limits)
{
    char err[200];
    CHECK_EQ(probe_png(8193, 1, err, sizeof err), ANX_ERANGE);
    CHECK_STR(err, "PNG too large: 8193x1 pixels (at most 8192 a side and 16777216 pixels, 64 MiB decoded)");
    CHECK_EQ(probe_png(4097, 4096, err, sizeof err), ANX_ERANGE);
    CHECK_STR(err, "PNG too large: 4097x4096 pixels (at most 8192 a side and 16777216 pixels, 64 MiB decoded)");
    CHECK_EQ(probe_png(0xffffffffu, 0xffffffffu, err, sizeof err), ANX_ECORRUPT);
    CHECK_STR(err, "PNG damaged: IHDR says 4294967295x4294967295 pixels");
    CHECK_EQ(probe_png(0, 5, err, sizeof err), ANX_ECORRUPT);
    /* at the limits: accepted */
    CHECK_EQ(probe_png(4096, 4096, err, sizeof err), 0);
    CHECK_EQ(probe_png(8192, 2048, err, sizeof err), 0);
    CHECK_EQ(probe_png(1, 8192, err, sizeof err), 0);

    /* a JPEG frame header saying 9000 pixels wide */
    size_t size;
    uint8_t *d = load("corpus", "rgb444.jpg", &size);
    CHECK(d);
    if (!d)
        return;
    size_t sof = 2;
    while (sof + 4 < size && !(d[sof] == 0xff && d[sof + 1] == 0xc0))
        sof += 2 + (size_t)(d[sof + 2] << 8 | d[sof + 3]);
    CHECK(d[sof + 1] == 0xc0);
    d[sof + 7] = 9000 >> 8;
    d[sof + 8] = 9000 & 0xff;
    struct browser_image_info info;
    CHECK_EQ(browser_image_probe(d, size, &info, err, sizeof err), ANX_ERANGE);
    CHECK_STR(err, "JPEG too large: 9000x23 pixels (at most 8192 a side and 16777216 pixels, 64 MiB decoded)");
    /* lossless (SOF3): stb_image has no decoder for it */
    d[sof + 7] = 0;
    d[sof + 8] = 37;
    d[sof + 1] = 0xc3;
    CHECK_EQ(browser_image_probe(d, size, &info, err, sizeof err), ANX_EINVAL);
    CHECK_STR(err, "JPEG not supported: frame type FF C3 (only baseline and progressive Huffman-coded JPEG: "
                   "FF C0, C1, C2)");
    free(d);
}

/* offset of the first marker segment m in a JPEG (its FF) */
static size_t find_segment(const uint8_t *d, size_t size, uint8_t m)
{
    for (size_t pos = 2; pos + 4 <= size && d[pos] == 0xff; pos += 2 + (size_t)(d[pos + 2] << 8 | d[pos + 3]))
        if (d[pos + 1] == m)
            return pos;
    return 0;
}

/* Huffman tables stb_image 2.27 would misuse: more than 256 codes, 255
 * short ones, a scan naming a table never defined. */
TEST(jpeg_huffman_tables_checked)
{
    size_t size;
    uint8_t *d = load("corpus", "rgb444.jpg", &size);
    CHECK(d);
    if (!d)
        return;
    struct browser_image_info info;
    char err[200], want[160];
    size_t dht = find_segment(d, size, 0xc4), sos = find_segment(d, size, 0xda);
    CHECK(dht > 0 && sos > 0);
    uint8_t *copy = malloc(size);
    memcpy(copy, d, size);
    copy[dht + 4 + 16] = 250;                /* 16-bit codes: the first table's count past 256 */
    CHECK_EQ(browser_image_probe(copy, size, &info, err, sizeof err), ANX_ECORRUPT);
    snprintf(want, sizeof want, "JPEG damaged: a Huffman table at byte %zu has %d codes (at most 256)", dht + 4,
             250 + d[dht + 5] + d[dht + 6] + d[dht + 7] + d[dht + 8] + d[dht + 9] + d[dht + 10] + d[dht + 11] +
             d[dht + 12] + d[dht + 13] + d[dht + 14] + d[dht + 15] + d[dht + 16] + d[dht + 17] + d[dht + 18] +
             d[dht + 19]);
    CHECK_STR(err, want);

    memcpy(copy, d, size);
    copy[sos + 6] = (uint8_t)(0x30 | (copy[sos + 6] & 15));   /* first component: DC table 3 */
    CHECK_EQ(browser_image_probe(copy, size, &info, err, sizeof err), ANX_ECORRUPT);
    snprintf(want, sizeof want, "JPEG damaged: the scan at byte %zu uses Huffman table DC 3, never defined", sos);
    CHECK_STR(err, want);
    free(copy);

    /* 255 codes of 8 bits and one of 9: a DHT segment of its own before the scan */
    size_t n = size + 4 + 17 + 256;
    copy = malloc(n);
    memcpy(copy, d, sos);
    uint8_t *t = copy + sos;
    t[0] = 0xff, t[1] = 0xc4, t[2] = (uint8_t)((2 + 17 + 256) >> 8), t[3] = (uint8_t)(2 + 17 + 256);
    t[4] = 0x11;                              /* AC table 1 */
    memset(t + 5, 0, 16);
    t[4 + 8] = 255;
    t[4 + 9] = 1;
    for (int i = 0; i < 256; i++)
        t[21 + i] = (uint8_t)i;
    memcpy(t + 4 + 17 + 256, d + sos, size - sos);
    CHECK_EQ(browser_image_probe(copy, n, &info, err, sizeof err), ANX_ECORRUPT);
    snprintf(want, sizeof want, "JPEG damaged: a Huffman table at byte %zu has 256 codes (more than 255 of 9 bits "
             "or fewer)", sos + 4);
    CHECK_STR(err, want);
    free(copy);
    free(d);
}

/* The decode budget holds the worst legitimate image, 16-bit interlaced
 * RGBA (tests/image_stb/big16i.png, 1024x1024, flat rows: the high bytes
 * of row y are R = 3y, G = 3y + 80, B = 3y + 160, A = 3y + 240, mod 256). */
TEST(budget_fits_a_big_16bit_interlaced_png)
{
    char path[512];
    snprintf(path, sizeof path, "%s/big16i.png", dir);
    size_t size;
    uint8_t *d = slurp(path, &size);
    CHECK(d);
    if (!d)
        return;
    struct browser_image_info info;
    char err[200];
    int rc = browser_image_probe(d, size, &info, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    CHECK_EQ(rc, 0);
    CHECK(info.width == 1024 && info.height == 1024);
    uint8_t *px = malloc(1024 * 1024 * 4);
    bool opaque;
    rc = browser_image_decode(d, size, &info, px, 1024 * 4, &rgba, &opaque, err, sizeof err);
    if (rc)
        fprintf(stderr, "  %s\n", err);
    CHECK_EQ(rc, 0);
    int bad = 0;
    for (int y = 0; y < 1024 && !rc; y++)
        for (int x = 0; x < 1024; x++)
            for (int k = 0; k < 4; k++)
                bad += px[((size_t)y * 1024 + (size_t)x) * 4 + (size_t)k] != (uint8_t)(y * 3 + k * 80);
    CHECK_EQ(bad, 0);
    free(px);
    free(d);
}

/* 16x16 pixels whose image data inflates to 32 MiB: the decode stops at
 * its budget instead of growing stb_image's buffer to that. */
TEST(deflate_bomb_stopped_by_budget)
{
    size_t size;
    char path[512];
    snprintf(path, sizeof path, "%s/bomb.png", dir);
    uint8_t *d = slurp(path, &size);
    CHECK(d);
    if (!d)
        return;
    struct browser_image_info info;
    char err[200], want[120];
    int rc = browser_image_probe(d, size, &info, err, sizeof err);
    if (rc)
        fprintf(stderr, "  bomb.png: %s\n", err);
    CHECK_EQ(rc, 0);
    CHECK_EQ(info.width, 16);
    size_t budget = browser_image_budget(&info, size);
    CHECK(budget < (8u << 20));
    uint8_t px[16 * 16 * 4];
    bool opaque;
    CHECK_EQ(browser_image_decode(d, size, &info, px, 64, &rgba, &opaque, err, sizeof err), ANX_ENOMEM);
    snprintf(want, sizeof want, "PNG refused: decoding it would take more than %zu bytes", budget);
    CHECK_STR(err, want);
    free(d);
}

TEST(not_an_image)
{
    struct browser_image_info info;
    char err[200];
    CHECK_EQ(browser_image_probe((const uint8_t *)"<html>", 6, &info, err, sizeof err), ANX_EINVAL);
    CHECK_STR(err, "not a PNG or JPEG image (6 bytes, starting 3c 68 74 6d)");
    CHECK_EQ(browser_image_probe((const uint8_t *)"GIF89a\1\0\1\0", 10, &info, err, sizeof err), ANX_EINVAL);
    CHECK_STR(err, "not a PNG or JPEG image (10 bytes, starting 47 49 46 38)");
    CHECK_EQ(browser_image_probe((const uint8_t *)"", 0, &info, err, sizeof err), ANX_EINVAL);
    CHECK_STR(err, "not a PNG or JPEG image (0 bytes, starting 00 00 00 00)");
    /* a PNG whose first chunk is not IHDR */
    uint8_t d[80];
    size_t n = make_png(d, 4, 4);
    memcpy(d + 12, "IHDX", 4);
    fix_crc(d, 8);
    CHECK_EQ(browser_image_probe(d, n, &info, err, sizeof err), ANX_ECORRUPT);
    CHECK_STR(err, "PNG damaged: no IHDR chunk at byte 8 (IHDR must come first, once)");
    /* JPEG: bytes that are not a marker where one must be */
    static const uint8_t j[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0x12, 0x34};
    CHECK_EQ(browser_image_probe(j, sizeof j, &info, err, sizeof err), ANX_ECORRUPT);
    CHECK_STR(err, "JPEG damaged: byte 8 is 12 where a marker (FF) should start");
}


/* ---- the content handler (NetSurf stand-ins: test_image_stb_stubs.c) ---------------- */

static const struct content_handler *handler;

TEST(registers_png_and_jpeg_types)
{
    stub_nregistered = 0;
    CHECK_EQ(browser_image_register(), NSERROR_OK);
    static const char *const want[] = {"image/png", "image/x-png", "image/jpeg", "image/jpg", "image/pjpeg"};
    CHECK_EQ(stub_nregistered, 5);
    for (int i = 0; i < 5 && i < stub_nregistered; i++) {
        CHECK_STR(stub_registered[i].mime, want[i]);
        CHECK(stub_registered[i].handler == stub_registered[0].handler);
    }
    handler = stub_registered[0].handler;
    CHECK(handler && handler->create && handler->data_complete && handler->clone && handler->destroy);
}

/* A content of the handler over data, as the fetch of url gives it. */
static struct content *fetched(struct llcache_handle *h)
{
    struct content *c = NULL;
    CHECK_EQ(handler->create(handler, NULL, NULL, h, NULL, false, &c), NSERROR_OK);
    return c;
}

/* The bitmap's pixels against ref/NAME.rgba (exactly, for PNG). */
static void check_bitmap(const struct stub_bitmap *b, const char *name)
{
    char reff[64];
    snprintf(reff, sizeof reff, "%s.rgba", name);
    size_t rsize;
    uint8_t *ref = load("ref", reff, &rsize);
    CHECK(ref && b);
    if (!ref || !b) {
        free(ref);
        return;
    }
    int w = (int)rd32(ref + 4), h = (int)rd32(ref + 8);
    CHECK_EQ(b->width, w);
    CHECK_EQ(b->height, h);
    int bad = 0;
    for (int y = 0; y < h && b->width == w && b->height == h; y++)
        bad += memcmp(b->buf + (size_t)y * b->stride, ref + 12 + (size_t)y * (size_t)w * 4, (size_t)w * 4) != 0;
    CHECK_EQ(bad, 0);
    free(ref);
}

TEST(small_png_decoded_at_data_complete)
{
    size_t size;
    uint8_t *data = load("corpus", "rgba8.png", &size);
    struct llcache_handle h = {data, size, "file:///pics/rgba8.png"};
    stub_speculate = true;
    stub_error.count = 0;
    struct content *c = fetched(&h);
    CHECK(handler->data_complete(c));
    CHECK_EQ(c->status, CONTENT_STATUS_DONE);
    CHECK_EQ(c->width, 64);
    CHECK_EQ(c->height, 48);
    CHECK_EQ(c->size, sizeof *c + 64 * 48 * 4);
    CHECK_STR(c->title, "PNGTitle rgba8.png 64x48");
    CHECK_EQ(stub_error.count, 0);
    struct stub_cache_entry *e = stub_cache_find(c);
    CHECK(e && e->bitmap && e->convert);
    if (e && e->bitmap) {
        struct stub_bitmap *b = (struct stub_bitmap *)e->bitmap;
        check_bitmap(b, "rgba8");
        CHECK(!b->opaque);
        CHECK_EQ(b->modified, 1);
    }
    CHECK_EQ(stub_convert.count, 0);        /* NetSurf's default format: as decoded */
    content_destroy(c);
    CHECK_EQ(stub_bitmaps_live, 0);
    CHECK(stub_cache_find(c) == NULL);
    free(data);
}

/* A big image (the cache would not speculate): only its size at
 * data_complete, the pixels when the cache converts it. */
TEST(jpeg_decoded_when_the_cache_asks)
{
    size_t size;
    uint8_t *data = load("corpus", "rgb420.jpg", &size);
    struct llcache_handle h = {data, size, "http://example.com/a/rgb420.jpg"};
    stub_speculate = false;
    struct content *c = fetched(&h);
    CHECK(handler->data_complete(c));
    CHECK_EQ(c->status, CONTENT_STATUS_DONE);
    CHECK_STR(c->title, "JPEGTitle rgb420.jpg 37x23");
    struct stub_cache_entry *e = stub_cache_find(c);
    CHECK(e && !e->bitmap && e->convert);
    CHECK_EQ(stub_bitmaps_live, 0);
    if (e && e->convert) {
        struct stub_bitmap *b = (struct stub_bitmap *)e->convert(c);
        CHECK(b && b->opaque && b->width == 37 && b->height == 23);
        if (b)
            guit->bitmap->destroy(b);
    }
    content_destroy(c);
    CHECK_EQ(stub_bitmaps_live, 0);
    free(data);
}

/* A front end wanting premultiplied alpha gets a translucent image
 * converted to it; an opaque one needs nothing. */
TEST(premultiplied_front_end)
{
    bitmap_fmt.pma = true;
    size_t size;
    uint8_t *data = load("corpus", "rgba8_i.png", &size);
    struct llcache_handle h = {data, size, "file:///rgba8_i.png"};
    stub_speculate = true;
    stub_convert.count = 0;
    struct content *c = fetched(&h);
    CHECK(handler->data_complete(c));
    CHECK_EQ(stub_convert.count, 1);
    CHECK(!stub_convert.from.pma && stub_convert.to.pma);
    content_destroy(c);
    free(data);
    data = load("corpus", "rgb444.jpg", &size);
    h = (struct llcache_handle){data, size, "file:///rgb444.jpg"};
    stub_convert.count = 0;
    c = fetched(&h);
    CHECK(handler->data_complete(c));
    CHECK_EQ(stub_convert.count, 0);
    content_destroy(c);
    free(data);
    bitmap_fmt.pma = false;
}

/* Broken files are content errors with the reason, whichever way the
 * cache would decode; nothing is left allocated. */
TEST(broken_images_are_content_errors)
{
    size_t size;
    uint8_t *data = load("corpus", "rgb8.png", &size);
    struct llcache_handle h = {data, size - 5, "file:///cut.png"};
    stub_speculate = false;
    stub_error.count = 0;
    struct content *c = fetched(&h);
    CHECK(!handler->data_complete(c));
    CHECK_EQ(stub_error.count, 1);
    CHECK_EQ(stub_error.code, NSERROR_INVALID);
    CHECK_STR(stub_error.msg, "PNG truncated: no IEND chunk (data ends at byte 151)");
    content_destroy(c);

    /* damaged deflate data: found by the decode at data_complete */
    size_t idat = find_chunk(data, size, "IDAT");
    data[idat + 8] = 0x7f;
    fix_crc(data, idat);
    h.size = size;
    stub_speculate = true;
    stub_error.count = 0;
    c = fetched(&h);
    CHECK(!handler->data_complete(c));
    CHECK_EQ(stub_error.count, 1);
    CHECK_STR(stub_error.msg, "PNG damaged: bad zlib header");
    content_destroy(c);
    /* ... or by the cache's conversion later: no bitmap, no error */
    stub_speculate = false;
    c = fetched(&h);
    CHECK(handler->data_complete(c));
    struct stub_cache_entry *e = stub_cache_find(c);
    CHECK(e && e->convert && e->convert(c) == NULL);
    content_destroy(c);
    CHECK_EQ(stub_bitmaps_live, 0);

    /* too large: NSERROR_BAD_SIZE, before any allocation */
    uint8_t big[80];
    size_t n = make_png(big, 10000, 10);
    h = (struct llcache_handle){big, n, "file:///big.png"};
    stub_error.count = 0;
    c = fetched(&h);
    CHECK(!handler->data_complete(c));
    CHECK_EQ(stub_error.code, NSERROR_BAD_SIZE);
    CHECK_STR(stub_error.msg, "PNG too large: 10000x10 pixels (at most 8192 a side and 16777216 pixels, 64 MiB decoded)");
    content_destroy(c);

    /* no memory for the bitmap */
    h = (struct llcache_handle){data, size, "file:///x.png"};
    data[idat + 8] = 0x78;
    fix_crc(data, idat);
    stub_bitmap_fail = true;
    stub_speculate = true;
    stub_error.count = 0;
    c = fetched(&h);
    CHECK(!handler->data_complete(c));
    CHECK_STR(stub_error.msg, "no memory for a 37x23 bitmap");
    content_destroy(c);
    stub_bitmap_fail = false;
    CHECK_EQ(stub_bitmaps_live, 0);
    free(data);
}

TEST(clone_of_a_done_image)
{
    size_t size;
    uint8_t *data = load("corpus", "pal4_i.png", &size);
    struct llcache_handle h = {data, size, "file:///pal4_i.png"};
    stub_speculate = true;
    struct content *c = fetched(&h), *copy = NULL;
    CHECK(handler->data_complete(c));
    CHECK_EQ(handler->clone(c, &copy), NSERROR_OK);
    CHECK(copy && copy != c);
    if (copy) {
        CHECK_EQ(copy->status, CONTENT_STATUS_DONE);
        CHECK_EQ(copy->width, 37);
        struct stub_cache_entry *e = stub_cache_find(copy);
        CHECK(e && e->bitmap);
        if (e && e->bitmap)
            check_bitmap((struct stub_bitmap *)e->bitmap, "pal4_i");
        content_destroy(copy);
    }
    content_destroy(c);
    CHECK_EQ(stub_bitmaps_live, 0);
    free(data);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR (modules/browser/tests/image_stb)\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    RUN(png_corpus_matches_libpng);
    RUN(jpeg_corpus_near_libjpeg);
    RUN(component_order_follows_layout);
    RUN(every_truncated_png_refused);
    RUN(every_truncated_jpeg_refused);
    RUN(bad_crc_refused);
    RUN(damaged_deflate_refused_at_decode);
    RUN(size_limits);
    RUN(jpeg_huffman_tables_checked);
    RUN(deflate_bomb_stopped_by_budget);
    RUN(budget_fits_a_big_16bit_interlaced_png);
    RUN(not_an_image);
    RUN(registers_png_and_jpeg_types);
    if (!handler)
        return 1;
    RUN(small_png_decoded_at_data_complete);
    RUN(jpeg_decoded_when_the_cache_asks);
    RUN(premultiplied_front_end);
    RUN(broken_images_are_content_errors);
    RUN(clone_of_a_done_image);
    return failed_tests ? 1 : 0;
}
