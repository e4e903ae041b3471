/*
 * The display registry: framebuffer drivers (bochs-display, virtio-gpu,
 * ramfb, the boot framebuffer) register a display; what draws (gfx, the
 * framebuffer console, a browser) finds one and writes pixels into its
 * linear framebuffer, then says which rectangle changed. Neither side knows
 * the other's headers.
 *
 * The framebuffer is ordinary memory the CPU writes: for a device that
 * scans out of its own memory (Bochs VBE, the boot framebuffer, ramfb) it
 * is what the screen shows; for one that keeps its own copy (virtio-gpu),
 * anx_display_flush() copies the damaged rectangle to the device. Either
 * way a writer calls flush after drawing, and only then is the change
 * guaranteed visible.
 *
 * Pixel formats are named by their layout in memory as one little-endian
 * word, as Linux's DRM fourccs are: XRGB8888 is bytes B, G, R, X (what
 * every device here scans out at 32 bits per pixel); RGB565 is 16 bits,
 * red in the top five.
 *
 * The mode the manifest asks for (`display: {width, height, depth}`,
 * CONFIG_DISPLAY_WIDTH/HEIGHT/DEPTH in config.h) is applied at
 * registration when the driver can change modes; a driver with a fixed
 * mode (the boot framebuffer) keeps its own and the registry logs the
 * difference. Sizes are checked: a device that reports nonsense (0 or
 * more than ANX_DISPLAY_MAX pixels across, a stride shorter than a row, a
 * framebuffer smaller than stride x height) is refused with ANX_EINVAL.
 *
 * Calls come from thread context (flush may sleep while the device works),
 * except where a function says otherwise. Errors are <anx/errno.h> codes.
 */
#ifndef ANX_DISPLAY_H
#define ANX_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANX_DISPLAY_MAX 16384u      /* widest / tallest mode the registry accepts */

enum anx_pixel_format {
    ANX_PIXEL_XRGB8888 = 1,         /* 32 bpp: B, G, R, X in memory */
    ANX_PIXEL_RGB565 = 2,           /* 16 bpp: rrrrrggg gggbbbbb as a little-endian word */
};

/* Bytes per pixel of a format; 0 for an unknown one. */
unsigned anx_pixel_bytes(enum anx_pixel_format f);
/* "XRGB8888", "RGB565", or "?" */
const char *anx_pixel_format_name(enum anx_pixel_format f);

struct anx_display_mode {
    uint32_t width, height;         /* pixels */
    uint32_t stride;                /* bytes from one row to the next (>= width * bytes per pixel) */
    enum anx_pixel_format format;
};

struct anx_display;

struct anx_display_ops {
    /* Make the rectangle (already clipped to the mode, non-empty) visible.
     * NULL for a device that scans out of the framebuffer itself. 0, or
     * nonzero when the device failed (the registry reports ANX_EIO). */
    int (*flush)(struct anx_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
    /* Switch to width x height in format: on success the driver has updated
     * d->mode, d->fb and d->fb_size (the framebuffer may move) and the
     * screen content is undefined until the next flush. NULL when the mode
     * is fixed. 0, ANX_ENOTSUP (the device cannot do that mode), ANX_ENOMEM. */
    int (*set_mode)(struct anx_display *d, uint32_t width, uint32_t height, enum anx_pixel_format format);
};

struct anx_display_stats {
    uint64_t flushes, flushed_pixels, mode_changes, errors;
};

struct anx_display {
    /* filled by the driver before anx_display_register() */
    const char *driver;             /* "virtio-gpu" */
    struct anx_display_mode mode;   /* the current mode */
    void *fb;                       /* the linear framebuffer, mapped for the CPU */
    size_t fb_size;                 /* bytes */
    uint32_t max_width, max_height; /* largest mode set_mode accepts (0: the current mode's) */
    const struct anx_display_ops *ops;
    void *priv;

    /* set by the registry */
    char name[8];                   /* "fb0", "fb1" ... */
    struct anx_display_stats stats;
    struct anx_display *next;       /* private */
};

/* Checks the driver's numbers, applies the manifest's mode where the driver
 * can, clears the screen to black and logs the display. 0, ANX_EINVAL (see
 * above), ANX_EEXIST (registered twice). */
int anx_display_register(struct anx_display *d);
struct anx_display *anx_display_first(void);
struct anx_display *anx_display_next(struct anx_display *d);
struct anx_display *anx_display_find(const char *name);

/* Clips the rectangle to the mode (an empty result is a successful no-op),
 * calls the driver and counts. 0, ANX_EINVAL (no display), ANX_EIO. */
int anx_display_flush(struct anx_display *d, int x, int y, int w, int h);

/* Checked mode change: ANX_EINVAL (zero or too large a size, unknown
 * format), ANX_ENOTSUP (fixed mode, or the driver refused), ANX_ENOMEM. */
int anx_display_set_mode(struct anx_display *d, uint32_t width, uint32_t height, enum anx_pixel_format format);

/* The mode the manifest's `display:` section asks for (CONFIG_DISPLAY_*):
 * true with it filled in, or false (and 0 x 0 XRGB8888) when the image has
 * no display section. Drivers that allocate their framebuffer start in it,
 * so the registry need not switch modes right after registration. */
bool anx_display_manifest_mode(uint32_t *width, uint32_t *height, enum anx_pixel_format *format);

/* Waiters: block until a display is registered or timeout_ns passes
 * (drivers probe in threads); the first display, or NULL. */
struct anx_display *anx_display_wait(uint64_t timeout_ns);

#endif
