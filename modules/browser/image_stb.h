/*
 * PNG and JPEG images in NetSurf, decoded by stb_image (image_stb.c).
 *
 * The image's NetSurf is built without libpng and libjpeg; this handler
 * takes image/png, image/x-png, image/jpeg, image/jpg and image/pjpeg
 * (browser_core_ready registers it). At data_complete it reads the size
 * from the headers and walks the file's structure (PNG chunks with their
 * CRCs; JPEG marker segments up to the end-of-image marker, with the
 * Huffman tables stb_image 2.27 would misuse refused), so a truncated,
 * damaged or too large file becomes a content error (a broken image, its
 * reason in the log) before any pixel memory is allocated. The pixels are
 * decoded into a NetSurf bitmap through the image cache: at once for a
 * small image, otherwise when it is first shown.
 *
 * Limits: at most BROWSER_IMAGE_MAX_SIDE (8192) pixels a side and
 * BROWSER_IMAGE_MAX_PIXELS (16 Mi) pixels, 64 MiB as NetSurf's 32-bit
 * bitmap; one decode may hold at most browser_image_budget() bytes of
 * stb_image's own memory (32 bytes a pixel, what a 16-bit interlaced RGBA
 * PNG needs, plus twice the file and 1 MiB), so a deflate stream cannot
 * make it allocate more than the declared size needs.
 */
#ifndef BROWSER_IMAGE_STB_H
#define BROWSER_IMAGE_STB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utils/errors.h"      /* NetSurf's nserror */

#define BROWSER_IMAGE_MAX_SIDE 8192
#define BROWSER_IMAGE_MAX_PIXELS (16u * 1024 * 1024)

enum browser_image_type { BROWSER_IMAGE_PNG = 1, BROWSER_IMAGE_JPEG = 2 };

struct browser_image_info {
    enum browser_image_type type;
    int width, height;
};

/* Byte offsets of the red, green, blue and alpha components in a 4-byte
 * pixel of the destination (NetSurf's bitmap_layout). */
struct browser_image_layout {
    uint8_t r, g, b, a;
};

/*
 * Check that data[0..size) is a whole PNG or JPEG file within the limits
 * and give its type and size, without decoding the pixels. 0, or a negative
 * ANX_E* code with a one-line reason in err: ANX_EINVAL (not PNG or
 * JPEG), ANX_ECORRUPT (truncated or damaged), ANX_ERANGE (too large).
 */
int browser_image_probe(const uint8_t *data, size_t size, struct browser_image_info *info,
                        char *err, size_t errlen);

/*
 * Decode the image probe described into dst: info->height rows of
 * info->width 4-byte pixels, rowstride bytes apart, straight (not
 * premultiplied) alpha, components where layout says. *opaque is set when
 * every pixel's alpha is 255. 0, or a negative ANX_E* code with the reason
 * in err (ANX_ECORRUPT: the decoder refused the data; ANX_ENOMEM: out of
 * memory or past the decode budget); dst is then unspecified.
 */
int browser_image_decode(const uint8_t *data, size_t size, const struct browser_image_info *info,
                         uint8_t *dst, size_t rowstride, const struct browser_image_layout *layout,
                         bool *opaque, char *err, size_t errlen);

/* The most bytes stb_image may hold at once while decoding this image. */
size_t browser_image_budget(const struct browser_image_info *info, size_t size);

/* Register the content handler for the PNG and JPEG MIME types with
 * NetSurf's content factory (browser_core_ready calls it). */
nserror browser_image_register(void);

#endif
