/*
 * PNG and JPEG content handler for NetSurf over stb_image (image_stb.h).
 *
 * Two parts: the decode core (browser_image_probe / browser_image_decode,
 * no NetSurf types, tested on the host on files made by libpng and
 * libjpeg), and the content handler around it, shaped like NetSurf's own
 * png.c and jpeg.c: data_complete probes the whole file (a broken file is a
 * content error, so the page shows a broken image), the image cache calls
 * stbimg_cache_convert to decode into a bitmap when the image is shown (or
 * at once when image_cache_speculate says it is small), and destroy,
 * redraw, get_internal, type and is_opaque are the image cache's.
 *
 * stb_image (Debian's libstb source, module.yaml's libstb entry, the
 * tree gfx takes stb_truetype from) is compiled into this file with every
 * function static and only its PNG and JPEG decoders; its memory comes
 * from stbimg_alloc, which keeps one decode inside browser_image_budget().
 */
#define LOG_TAG "browser"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/errno.h>
#include <anx/log.h>

#include "utils/messages.h"
#include "utils/nsurl.h"
#include "netsurf/bitmap.h"
#include "content/llcache.h"
#include "content/content_protected.h"
#include "content/content_factory.h"
#include "desktop/gui_internal.h"
#include "desktop/bitmap.h"
#include "image/image_cache.h"

#include "image_stb.h"

/* ---- stb_image, static, PNG and JPEG only ---------------------------------------- */

/* The decode in progress: stb_image's live bytes and how many it may have.
 * Threads are cooperative and a decode never yields, so one is enough. */
static size_t stbimg_live, stbimg_budget;
static bool stbimg_over_budget;

/* Each block carries its size in front (16 bytes keep malloc's alignment),
 * so frees and reallocs can keep the count. */
#define STBIMG_HDR 16

static void *stbimg_alloc(size_t n)
{
    if (n > stbimg_budget - stbimg_live || n > SIZE_MAX - STBIMG_HDR) {
        stbimg_over_budget = true;
        return NULL;
    }
    unsigned char *p = malloc(n + STBIMG_HDR);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    stbimg_live += n;
    return p + STBIMG_HDR;
}

static void stbimg_free(void *q)
{
    if (!q)
        return;
    unsigned char *p = (unsigned char *)q - STBIMG_HDR;
    size_t n;
    memcpy(&n, p, sizeof n);
    stbimg_live -= n;
    free(p);
}

static void *stbimg_realloc(void *q, size_t n)
{
    if (!q)
        return stbimg_alloc(n);
    unsigned char *p = (unsigned char *)q - STBIMG_HDR;
    size_t old;
    memcpy(&old, p, sizeof old);
    if (n > old && (n - old > stbimg_budget - stbimg_live || n > SIZE_MAX - STBIMG_HDR)) {
        stbimg_over_budget = true;
        return NULL;
    }
    unsigned char *np = realloc(p, n + STBIMG_HDR);
    if (!np)
        return NULL;
    memcpy(np, &n, sizeof n);
    stbimg_live = stbimg_live - old + n;
    return np + STBIMG_HDR;
}

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_NO_THREAD_LOCALS          /* the image has no TLS; decodes never overlap */
#define STBI_MAX_DIMENSIONS BROWSER_IMAGE_MAX_SIDE
/* STBI_ASSERT stays libc's assert (a panic in the image): its asserts
 * guard stb_image's own invariants; the inputs known to reach one in 2.27
 * are refused by jpeg_walk, and the fuzz target runs with them on. */
#define STBI_MALLOC(n) stbimg_alloc(n)
#define STBI_REALLOC(p, n) stbimg_realloc(p, n)
#define STBI_FREE(p) stbimg_free(p)
/* stb_image declares functions it defines only in the decoders left out
 * (GIF, the _thread setters): GCC reports those at the end of the file. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-qual"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#include "stb_image.h"
#pragma GCC diagnostic pop

/* ---- the file's structure ---------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t stbimg_crc_table[256];

/* PNG's CRC-32 (ISO 3309, the one zlib computes) over the chunk type and data */
static uint32_t png_crc(const uint8_t *p, size_t n)
{
    if (!stbimg_crc_table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            stbimg_crc_table[i] = c;
        }
    }
    uint32_t c = 0xffffffffu;
    while (n--)
        c = stbimg_crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

/* Walk the chunks from the signature to IEND: each one inside the data,
 * IHDR first, at least one IDAT, critical chunks with a right CRC (like
 * libpng, a bad CRC on an ancillary chunk is ignored). */
static int png_walk(const uint8_t *d, size_t size, struct browser_image_info *info, char *err, size_t errlen)
{
    size_t pos = 8;
    int idats = 0;
    for (;;) {
        if (size - pos < 12) {
            snprintf(err, errlen, "PNG truncated: %s (data ends at byte %zu)",
                     idats ? "no IEND chunk" : "no image data", size);
            return ANX_ECORRUPT;
        }
        uint32_t len = be32(d + pos);
        const uint8_t *type = d + pos + 4;
        char name[5] = {0};
        for (int i = 0; i < 4; i++) {
            if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z'))) {
                snprintf(err, errlen, "PNG damaged: the chunk at byte %zu has no type (bytes %02x %02x %02x %02x)",
                         pos, type[0], type[1], type[2], type[3]);
                return ANX_ECORRUPT;
            }
            name[i] = (char)type[i];
        }
        if (len > size - pos - 12) {
            snprintf(err, errlen, "PNG truncated: chunk %s at byte %zu needs %u bytes, %zu are left",
                     name, pos, len + 12, size - pos);
            return ANX_ECORRUPT;
        }
        bool critical = type[0] <= 'Z';
        uint32_t crc = be32(type + 4 + len);
        if (critical && png_crc(type, (size_t)len + 4) != crc) {
            snprintf(err, errlen, "PNG damaged: chunk %s at byte %zu fails its CRC", name, pos);
            return ANX_ECORRUPT;
        }
        bool ihdr = memcmp(name, "IHDR", 4) == 0;
        if ((pos == 8) != ihdr) {
            snprintf(err, errlen, "PNG damaged: %s at byte %zu (IHDR must come first, once)",
                     ihdr ? "a second IHDR" : "no IHDR chunk", pos);
            return ANX_ECORRUPT;
        }
        if (ihdr) {
            if (len != 13) {
                snprintf(err, errlen, "PNG damaged: IHDR is %u bytes long, not 13", len);
                return ANX_ECORRUPT;
            }
            uint32_t w = be32(type + 4), h = be32(type + 8);
            if (w == 0 || h == 0 || w > INT_MAX || h > INT_MAX) {
                snprintf(err, errlen, "PNG damaged: IHDR says %ux%u pixels", w, h);
                return ANX_ECORRUPT;
            }
            info->width = (int)w;
            info->height = (int)h;
        }
        if (memcmp(name, "IDAT", 4) == 0)
            idats++;
        if (memcmp(name, "IEND", 4) == 0) {
            if (!idats) {
                snprintf(err, errlen, "PNG damaged: IEND at byte %zu before any IDAT chunk", pos);
                return ANX_ECORRUPT;
            }
            return 0;
        }
        pos += (size_t)len + 12;
    }
}

/* A frame header the baseline, extended or progressive decoder reads
 * (SOF0/1/2); the others (lossless, arithmetic coding) stb_image lacks. */
static bool jpeg_sof(uint8_t m)
{
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Past the entropy-coded data of a scan that starts at pos: to the next
 * marker that is not a stuffed 00 or a restart. size when it runs out. */
static size_t jpeg_skip_scan(const uint8_t *d, size_t size, size_t pos)
{
    while (pos < size) {
        const uint8_t *ff = memchr(d + pos, 0xff, size - pos);
        if (!ff || (size_t)(ff - d) + 1 >= size)
            return size;
        pos = (size_t)(ff - d);
        uint8_t m = d[pos + 1];
        if (m != 0 && !(m >= 0xd0 && m <= 0xd7) && m != 0xff)
            return pos;
        pos += m == 0xff ? 1 : 2;           /* 0xff: fill, the marker may follow */
    }
    return size;
}

/* What the walk has seen of a JPEG: the Huffman tables defined so far
 * ([0] DC, [1] AC, by id) and whether the frame is progressive. */
struct jpeg_state {
    bool huff[2][4];
    bool progressive;
    int frames, scans;
};

/* A DHT segment's tables, checked where stb_image 2.27 trusts them (both
 * fixed upstream in 2.28): it writes each table's symbols into 256-entry
 * arrays, so more than 256 would overrun its decoder state; and its fast
 * lookup keeps a symbol's index in a byte where 255 means "not here", so
 * a 256th code of 9 bits or fewer would be decoded through the slow path
 * as another symbol and trip its consistency assert. */
static int jpeg_check_dht(struct jpeg_state *st, const uint8_t *seg, size_t len, size_t at, char *err,
                          size_t errlen)
{
    size_t pos = 2;
    while (pos < len) {
        if (len - pos < 17) {
            snprintf(err, errlen, "JPEG damaged: Huffman table segment at byte %zu ends inside a table", at);
            return ANX_ECORRUPT;
        }
        size_t n = 0, short_codes = 0;
        for (int i = 1; i <= 16; i++) {
            n += seg[pos + (size_t)i];
            if (i <= 9)
                short_codes += seg[pos + (size_t)i];
        }
        if (n > 256 || short_codes > 255 || n > len - pos - 17) {
            snprintf(err, errlen, "JPEG damaged: a Huffman table at byte %zu has %zu codes (%s)", at + 2 + pos, n,
                     n > 256 ? "at most 256" : short_codes > 255 ? "more than 255 of 9 bits or fewer"
                                                                 : "more than its segment holds");
            return ANX_ECORRUPT;
        }
        uint8_t tc = seg[pos] >> 4, th = seg[pos] & 15;
        if (tc <= 1 && th <= 3)               /* other ids: stb_image refuses them */
            st->huff[tc][th] = true;
        pos += 17 + n;
    }
    return 0;
}

/* A scan header's Huffman tables must have been defined: stb_image's
 * tables live in memory it does not clear, so an undefined one would be
 * decoded through whatever was there. A progressive scan uses only the
 * DC table (first DC scan) or only the AC table (AC scans). */
static int jpeg_check_sos(const struct jpeg_state *st, const uint8_t *seg, size_t len, size_t at, char *err,
                          size_t errlen)
{
    if (len < 3)
        return 0;                             /* stb_image refuses the length itself */
    size_t ns = seg[2];
    if (len < 3 + 2 * ns + 3)
        return 0;
    uint8_t ss = seg[3 + 2 * ns], ah = seg[5 + 2 * ns] >> 4;
    bool dc = !st->progressive || (ss == 0 && ah == 0), ac = !st->progressive || ss != 0;
    for (size_t i = 0; i < ns; i++) {
        uint8_t td = seg[4 + 2 * i] >> 4, ta = seg[4 + 2 * i] & 15;
        if ((dc && (td > 3 || !st->huff[0][td])) || (ac && (ta > 3 || !st->huff[1][ta]))) {
            snprintf(err, errlen, "JPEG damaged: the scan at byte %zu uses Huffman table %s %u, never defined", at,
                     dc && (td > 3 || !st->huff[0][td]) ? "DC" : "AC",
                     dc && (td > 3 || !st->huff[0][td]) ? td : ta);
            return ANX_ECORRUPT;
        }
    }
    return 0;
}

/* Walk the marker segments from SOI to EOI: each segment inside the data, a
 * frame header before the first scan, Huffman tables stb_image can use
 * safely, every scan's data ended by a marker. Bytes after EOI are allowed
 * (cameras append some). */
static int jpeg_walk(const uint8_t *d, size_t size, struct browser_image_info *info, char *err, size_t errlen)
{
    size_t pos = 2;
    struct jpeg_state st = {0};
    for (;;) {
        if (pos >= size) {
            snprintf(err, errlen, "JPEG truncated: no end-of-image marker (FF D9) in its %zu bytes", size);
            return ANX_ECORRUPT;
        }
        if (d[pos] != 0xff) {
            snprintf(err, errlen, "JPEG damaged: byte %zu is %02x where a marker (FF) should start", pos, d[pos]);
            return ANX_ECORRUPT;
        }
        while (pos < size && d[pos] == 0xff)            /* fill bytes */
            pos++;
        if (pos >= size)
            continue;
        uint8_t m = d[pos++];
        if (m == 0xd9) {
            if (!st.scans) {
                snprintf(err, errlen, "JPEG damaged: end-of-image marker at byte %zu before any scan", pos - 2);
                return ANX_ECORRUPT;
            }
            return 0;
        }
        if ((m >= 0xd0 && m <= 0xd7) || m == 0x01)     /* no length */
            continue;
        if (m == 0xd8 || m == 0x00) {
            snprintf(err, errlen, "JPEG damaged: marker FF %02X at byte %zu", m, pos - 2);
            return ANX_ECORRUPT;
        }
        if (size - pos < 2) {
            pos = size;
            continue;
        }
        size_t len = (size_t)d[pos] << 8 | d[pos + 1];
        if (len < 2 || len > size - pos) {
            if (len >= 2) {
                snprintf(err, errlen, "JPEG truncated: segment FF %02X at byte %zu needs %zu bytes, %zu are left",
                         m, pos - 2, len + 2, size - pos + 2);
                return ANX_ECORRUPT;
            }
            snprintf(err, errlen, "JPEG damaged: segment FF %02X at byte %zu has length %zu", m, pos - 2, len);
            return ANX_ECORRUPT;
        }
        int rc = 0;
        if (m == 0xc4)
            rc = jpeg_check_dht(&st, d + pos, len, pos - 2, err, errlen);
        if (jpeg_sof(m)) {
            if (m != 0xc0 && m != 0xc1 && m != 0xc2) {
                snprintf(err, errlen, "JPEG not supported: frame type FF %02X (only baseline and progressive "
                         "Huffman-coded JPEG: FF C0, C1, C2)", m);
                return ANX_EINVAL;
            }
            if (len < 8) {
                snprintf(err, errlen, "JPEG damaged: frame header at byte %zu is %zu bytes long", pos - 2, len);
                return ANX_ECORRUPT;
            }
            info->height = d[pos + 3] << 8 | d[pos + 4];
            info->width = d[pos + 5] << 8 | d[pos + 6];
            if (info->width == 0 || info->height == 0) {
                snprintf(err, errlen, "JPEG damaged: frame header says %dx%d pixels", info->width, info->height);
                return ANX_ECORRUPT;
            }
            st.progressive = m == 0xc2;
            st.frames++;
        }
        if (m == 0xda) {
            if (!st.frames) {
                snprintf(err, errlen, "JPEG damaged: a scan at byte %zu before any frame header", pos - 2);
                return ANX_ECORRUPT;
            }
            rc = jpeg_check_sos(&st, d + pos, len, pos - 2, err, errlen);
            st.scans++;
        }
        if (rc)
            return rc;
        pos += len;
        if (m == 0xda)
            pos = jpeg_skip_scan(d, size, pos);
    }
}

/* ---- the decode core ---------------------------------------------------------------- */

size_t browser_image_budget(const struct browser_image_info *info, size_t size)
{
    /* stb_image's peak for the worst legitimate image, a 16-bit interlaced
     * RGBA PNG: its inflated rows (8 bytes a pixel, and the buffer doubles
     * when the passes' filter bytes overflow the first guess: 16), the
     * 16-bit result (8) and one pass (up to 4); a progressive CMYK JPEG
     * holds less (coefficients 8, planes 4, result 4). Sides padded to
     * whole 32-pixel MCUs, the compressed data twice (stb gathers IDAT
     * chunks in a doubling buffer), 1 MiB for tables. */
    size_t padded = (size_t)(info->width + 32) * (size_t)(info->height + 32);
    return 32 * padded + 2 * size + (1u << 20);
}

int browser_image_probe(const uint8_t *data, size_t size, struct browser_image_info *info,
                        char *err, size_t errlen)
{
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memset(info, 0, sizeof *info);
    if (size > INT_MAX) {                       /* stb_image counts bytes in an int */
        snprintf(err, errlen, "image too large: %zu bytes of data (at most %d)", size, INT_MAX);
        return ANX_ERANGE;
    }
    int rc;
    if (size >= 8 && memcmp(data, png_sig, 8) == 0) {
        info->type = BROWSER_IMAGE_PNG;
        rc = png_walk(data, size, info, err, errlen);
    } else if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) {
        info->type = BROWSER_IMAGE_JPEG;
        rc = jpeg_walk(data, size, info, err, errlen);
    } else {
        uint8_t b[4] = {0};
        memcpy(b, data, size < 4 ? size : 4);
        snprintf(err, errlen, "not a PNG or JPEG image (%zu bytes, starting %02x %02x %02x %02x)",
                 size, b[0], b[1], b[2], b[3]);
        return ANX_EINVAL;
    }
    if (rc)
        return rc;
    const char *kind = info->type == BROWSER_IMAGE_PNG ? "PNG" : "JPEG";
    if (info->width > BROWSER_IMAGE_MAX_SIDE || info->height > BROWSER_IMAGE_MAX_SIDE ||
        (uint64_t)info->width * (uint64_t)info->height > BROWSER_IMAGE_MAX_PIXELS) {
        snprintf(err, errlen, "%s too large: %dx%d pixels (at most %d a side and %u pixels, 64 MiB decoded)",
                 kind, info->width, info->height, BROWSER_IMAGE_MAX_SIDE, BROWSER_IMAGE_MAX_PIXELS);
        return ANX_ERANGE;
    }
    /* stb_image's own reading of the header: bit depth and colour type
     * combinations, component counts and sampling factors it can decode. */
    int w, h, n;
    stbimg_budget = browser_image_budget(info, size);
    stbimg_live = 0;
    stbimg_over_budget = false;
    if (!stbi_info_from_memory(data, (int)size, &w, &h, &n)) {
        snprintf(err, errlen, "%s damaged: %s", kind, stbi_failure_reason());
        return ANX_ECORRUPT;
    }
    if (w != info->width || h != info->height) {
        snprintf(err, errlen, "%s damaged: its header says %dx%d pixels, the decoder reads %dx%d",
                 kind, info->width, info->height, w, h);
        return ANX_ECORRUPT;
    }
    return 0;
}

int browser_image_decode(const uint8_t *data, size_t size, const struct browser_image_info *info,
                         uint8_t *dst, size_t rowstride, const struct browser_image_layout *layout,
                         bool *opaque, char *err, size_t errlen)
{
    const char *kind = info->type == BROWSER_IMAGE_PNG ? "PNG" : "JPEG";
    if (size > INT_MAX) {
        snprintf(err, errlen, "image too large: %zu bytes of data (at most %d)", size, INT_MAX);
        return ANX_ERANGE;
    }
    stbimg_budget = browser_image_budget(info, size);
    stbimg_live = 0;
    stbimg_over_budget = false;
    int w, h, n;
    uint8_t *px = stbi_load_from_memory(data, (int)size, &w, &h, &n, 4);
    if (!px) {
        if (stbimg_over_budget) {
            snprintf(err, errlen, "%s refused: decoding it would take more than %zu bytes", kind, stbimg_budget);
            return ANX_ENOMEM;
        }
        const char *why = stbi_failure_reason();
        if (why && strcmp(why, "outofmem") == 0) {
            snprintf(err, errlen, "%s not decoded: out of memory", kind);
            return ANX_ENOMEM;
        }
        snprintf(err, errlen, "%s damaged: %s", kind, why ? why : "the decoder gave up");
        return ANX_ECORRUPT;
    }
    if (w != info->width || h != info->height) {
        stbi_image_free(px);
        snprintf(err, errlen, "%s damaged: decoded %dx%d pixels, its header says %dx%d",
                 kind, w, h, info->width, info->height);
        return ANX_ECORRUPT;
    }
    uint8_t alpha = 0xff;
    const uint8_t *s = px;
    for (int y = 0; y < h; y++) {
        uint8_t *row = dst + (size_t)y * rowstride;
        for (int x = 0; x < w; x++, s += 4) {
            uint8_t *p = row + (size_t)x * 4;
            p[layout->r] = s[0];
            p[layout->g] = s[1];
            p[layout->b] = s[2];
            p[layout->a] = s[3];
            alpha &= s[3];
        }
    }
    stbi_image_free(px);
    *opaque = alpha == 0xff;
    return 0;
}

/* ---- the NetSurf content handler ----------------------------------------------- */

struct stbimg_content {
    struct content base;
    struct browser_image_info info;
    char error[200];          /* the reason of a content error (broadcast by pointer) */
};

static nserror stbimg_create(const content_handler *handler, lwc_string *imime_type,
                             const struct http_parameter *params, llcache_handle *llcache,
                             const char *fallback_charset, bool quirks, struct content **c)
{
    struct stbimg_content *img = calloc(1, sizeof *img);
    if (!img)
        return NSERROR_NOMEM;
    nserror e = content__init(&img->base, handler, imime_type, params, llcache, fallback_charset, quirks);
    if (e != NSERROR_OK) {
        free(img);
        return e;
    }
    *c = &img->base;
    return NSERROR_OK;
}

/* The image cache's conversion: a new bitmap holding the decoded pixels,
 * in the front end's layout, or NULL (logged) when that fails. */
static struct bitmap *stbimg_cache_convert(struct content *c)
{
    struct stbimg_content *img = (struct stbimg_content *)c;
    size_t size;
    const uint8_t *data = content__get_source_data(c, &size);
    if (!data)
        return NULL;
    void *bitmap = guit->bitmap->create(img->info.width, img->info.height, BITMAP_NONE);
    uint8_t *buf = bitmap ? guit->bitmap->get_buffer(bitmap) : NULL;
    if (!buf) {
        if (bitmap)
            guit->bitmap->destroy(bitmap);
        snprintf(img->error, sizeof img->error, "no memory for a %dx%d bitmap", img->info.width, img->info.height);
        log_warn("%s: %s", nsurl_access(llcache_handle_get_url(c->llcache)), img->error);
        return NULL;
    }
    const struct browser_image_layout layout = {
        bitmap_layout.r, bitmap_layout.g, bitmap_layout.b, bitmap_layout.a,
    };
    bool opaque = false;
    if (browser_image_decode(data, size, &img->info, buf, guit->bitmap->get_rowstride(bitmap), &layout,
                             &opaque, img->error, sizeof img->error)) {
        log_warn("%s: %s", nsurl_access(llcache_handle_get_url(c->llcache)), img->error);
        guit->bitmap->destroy(bitmap);
        return NULL;
    }
    guit->bitmap->set_opaque(bitmap, opaque);
    /* decoded with straight alpha: the front end may want it premultiplied */
    bitmap_format_to_client(bitmap, &(bitmap_fmt_t){
        .layout = bitmap_fmt.layout,
        .pma = opaque ? bitmap_fmt.pma : false,
    });
    guit->bitmap->modified(bitmap);
    return bitmap;
}

static bool stbimg_fail(struct stbimg_content *img, nserror code)
{
    log_warn("%s: %s", nsurl_access(llcache_handle_get_url(img->base.llcache)), img->error);
    content_broadcast_error(&img->base, code, img->error);
    return false;
}

/* data_complete: the whole file is here. Probe it; decode now if the
 * image cache would (a small image), so damaged pixel data is also a
 * content error; otherwise leave the decode to the first redraw. */
static bool stbimg_convert(struct content *c)
{
    struct stbimg_content *img = (struct stbimg_content *)c;
    size_t size;
    const uint8_t *data = content__get_source_data(c, &size);
    int rc = browser_image_probe(data ? data : (const uint8_t *)"", data ? size : 0, &img->info,
                                 img->error, sizeof img->error);
    if (rc)
        return stbimg_fail(img, rc == ANX_ERANGE ? NSERROR_BAD_SIZE : NSERROR_INVALID);

    c->width = img->info.width;
    c->height = img->info.height;
    c->size += (unsigned int)img->info.width * (unsigned int)img->info.height * 4;   /* <= 64 MiB */

    struct bitmap *bitmap = NULL;
    if (image_cache_speculate(c)) {
        bitmap = stbimg_cache_convert(c);           /* sets img->error when it fails */
        if (!bitmap) {
            content_broadcast_error(c, NSERROR_INVALID, img->error);   /* logged already */
            return false;
        }
    }
    if (image_cache_add(c, bitmap, stbimg_cache_convert) != NSERROR_OK) {
        if (bitmap)
            guit->bitmap->destroy(bitmap);
        snprintf(img->error, sizeof img->error, "out of memory adding the image to the cache");
        return stbimg_fail(img, NSERROR_NOMEM);
    }

    char *title = messages_get_buff(img->info.type == BROWSER_IMAGE_PNG ? "PNGTitle" : "JPEGTitle",
                                    nsurl_access_leaf(llcache_handle_get_url(c->llcache)),
                                    (unsigned long)c->width, (unsigned long)c->height);
    if (title) {
        content__set_title(c, title);
        free(title);
    }
    content_set_ready(c);
    content_set_done(c);
    content_set_status(c, "");
    return true;
}

static nserror stbimg_clone(const struct content *old, struct content **newc)
{
    struct stbimg_content *img = calloc(1, sizeof *img);
    if (!img)
        return NSERROR_NOMEM;
    nserror e = content__clone(old, &img->base);
    if (e != NSERROR_OK) {
        content_destroy(&img->base);
        return e;
    }
    /* the clone shares the source data: probe (and maybe decode) it again */
    if (old->status == CONTENT_STATUS_READY || old->status == CONTENT_STATUS_DONE) {
        if (!stbimg_convert(&img->base)) {
            content_destroy(&img->base);
            return NSERROR_CLONE_FAILED;
        }
    }
    *newc = &img->base;
    return NSERROR_OK;
}

static const content_handler stbimg_handler = {
    .create = stbimg_create,
    .data_complete = stbimg_convert,
    .destroy = image_cache_destroy,
    .redraw = image_cache_redraw,
    .clone = stbimg_clone,
    .get_internal = image_cache_get_internal,
    .type = image_cache_content_type,
    .is_opaque = image_cache_is_opaque,
    .no_share = false,
};

static const char *const stbimg_types[] = {
    "image/png", "image/x-png", "image/jpeg", "image/jpg", "image/pjpeg",
};

nserror browser_image_register(void)
{
    for (size_t i = 0; i < sizeof stbimg_types / sizeof stbimg_types[0]; i++) {
        nserror e = content_factory_register_handler(stbimg_types[i], &stbimg_handler);
        if (e != NSERROR_OK)
            return e;
    }
    return NSERROR_OK;
}
