/* The display registry (<anx/display.h>): framebuffer drivers register a
 * display, drawing code finds one and flushes what it changed through the
 * checked, counted wrapper. The `displays` command lists them (registered
 * with the first display, as `disks` is with the first disk). */
#define LOG_TAG "display"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>


static struct anx_display *displays, **displays_tail = &displays;
static unsigned ndisplays;
static struct anx_waitq registered = ANX_WAITQ_INIT;

static int cmd_displays(int argc, char **argv);
static struct anx_command displays_cmd = {
    .name = "displays", .summary = "List the displays with their mode and counters",
    .usage = "displays [bench [FRAMES]]", .fn = cmd_displays,
};

unsigned anx_pixel_bytes(enum anx_pixel_format f)
{
    switch (f) {
    case ANX_PIXEL_XRGB8888: return 4;
    case ANX_PIXEL_RGB565: return 2;
    }
    return 0;
}

const char *anx_pixel_format_name(enum anx_pixel_format f)
{
    switch (f) {
    case ANX_PIXEL_XRGB8888: return "XRGB8888";
    case ANX_PIXEL_RGB565: return "RGB565";
    }
    return "?";
}

/* The mode's numbers are sane and the framebuffer holds it. */
static bool mode_fits(const struct anx_display_mode *m, size_t fb_size)
{
    unsigned bpp = anx_pixel_bytes(m->format);
    return bpp && m->width && m->height && m->width <= ANX_DISPLAY_MAX && m->height <= ANX_DISPLAY_MAX &&
           m->stride >= m->width * bpp && (uint64_t)m->stride * m->height <= fb_size;
}

bool anx_display_manifest_mode(uint32_t *w, uint32_t *h, enum anx_pixel_format *f)
{
#ifdef CONFIG_DISPLAY_WIDTH
    *w = CONFIG_DISPLAY_WIDTH;
    *h = CONFIG_DISPLAY_HEIGHT;
    *f = CONFIG_DISPLAY_DEPTH == 16 ? ANX_PIXEL_RGB565 : ANX_PIXEL_XRGB8888;
    return true;
#else
    *w = *h = 0;
    *f = ANX_PIXEL_XRGB8888;
    return false;
#endif
}

static void apply_wanted_mode(struct anx_display *d)
{
    uint32_t w, h;
    enum anx_pixel_format f;
    if (!anx_display_manifest_mode(&w, &h, &f) || (d->mode.width == w && d->mode.height == h && d->mode.format == f))
        return;
    if (!d->ops->set_mode) {
        log_warn("%s: fixed mode %ux%u %s, not the manifest's %ux%u %s", d->driver, (unsigned)d->mode.width,
                 (unsigned)d->mode.height, anx_pixel_format_name(d->mode.format), (unsigned)w, (unsigned)h,
                 anx_pixel_format_name(f));
        return;
    }
    int err = anx_display_set_mode(d, w, h, f);
    if (err)
        log_warn("%s: keeps %ux%u %s: the manifest's %ux%u %s: %s", d->driver, (unsigned)d->mode.width,
                 (unsigned)d->mode.height, anx_pixel_format_name(d->mode.format), (unsigned)w, (unsigned)h,
                 anx_pixel_format_name(f), anx_strerror(err));
}

int anx_display_register(struct anx_display *d)
{
    if (!d || !d->fb || !d->ops)
        return ANX_EINVAL;
    if (!mode_fits(&d->mode, d->fb_size)) {
        log_error("%s: refused: mode %ux%u %s, stride %u, framebuffer %zu bytes do not add up",
                  d->driver ? d->driver : "?", (unsigned)d->mode.width, (unsigned)d->mode.height,
                  anx_pixel_format_name(d->mode.format), (unsigned)d->mode.stride, d->fb_size);
        return ANX_EINVAL;
    }
    for (struct anx_display *o = displays; o; o = o->next)
        if (o == d)
            return ANX_EEXIST;
    snprintf(d->name, sizeof d->name, "fb%u", ndisplays++);
    memset(&d->stats, 0, sizeof d->stats);
    apply_wanted_mode(d);
    memset(d->fb, 0, (size_t)d->mode.stride * d->mode.height);
    anx_display_flush(d, 0, 0, (int)d->mode.width, (int)d->mode.height);
    if (!displays)
        anx_command_register(&displays_cmd);
    d->next = NULL;
    *displays_tail = d;
    displays_tail = &d->next;
    log_info("%s: %s, %ux%u %s, stride %u%s", d->name, d->driver ? d->driver : "?", (unsigned)d->mode.width,
             (unsigned)d->mode.height, anx_pixel_format_name(d->mode.format), (unsigned)d->mode.stride,
             d->ops->set_mode ? "" : ", fixed mode");
    anx_waitq_wake_all(&registered);
    return 0;
}

struct anx_display *anx_display_first(void)
{
    return displays;
}

struct anx_display *anx_display_next(struct anx_display *d)
{
    return d ? d->next : NULL;
}

struct anx_display *anx_display_find(const char *name)
{
    for (struct anx_display *d = displays; d; d = d->next)
        if (name && strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

struct anx_display *anx_display_wait(uint64_t timeout_ns)
{
    uint64_t deadline = anx_time_ns() + timeout_ns;
    while (!displays) {
        uint64_t now = anx_time_ns();
        if (now >= deadline)
            break;
        anx_wait_timeout(&registered, deadline - now);
    }
    return displays;
}

int anx_display_flush(struct anx_display *d, int x, int y, int w, int h)
{
    if (!d)
        return ANX_EINVAL;
    /* clip in 64 bits so x + w cannot overflow */
    int64_t x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int64_t x1 = (int64_t)x + w, y1 = (int64_t)y + h;
    if (x1 > d->mode.width)
        x1 = d->mode.width;
    if (y1 > d->mode.height)
        y1 = d->mode.height;
    if (x0 >= x1 || y0 >= y1)
        return 0;
    d->stats.flushes++;
    d->stats.flushed_pixels += (uint64_t)(x1 - x0) * (uint64_t)(y1 - y0);
    if (!d->ops->flush)
        return 0;
    if (d->ops->flush(d, (uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0))) {
        d->stats.errors++;
        return ANX_EIO;
    }
    return 0;
}

int anx_display_set_mode(struct anx_display *d, uint32_t width, uint32_t height, enum anx_pixel_format format)
{
    if (!d || !width || !height || !anx_pixel_bytes(format))
        return ANX_EINVAL;
    uint32_t maxw = d->max_width ? d->max_width : d->mode.width;
    uint32_t maxh = d->max_height ? d->max_height : d->mode.height;
    if (width > ANX_DISPLAY_MAX || height > ANX_DISPLAY_MAX || width > maxw || height > maxh)
        return ANX_EINVAL;
    if (!d->ops->set_mode)
        return ANX_ENOTSUP;
    struct anx_display_mode old = d->mode;
    int err = d->ops->set_mode(d, width, height, format);
    if (err) {
        d->stats.errors++;
        return err == ANX_ENOMEM ? err : ANX_ENOTSUP;
    }
    if (!mode_fits(&d->mode, d->fb_size)) {
        /* a driver bug: say so rather than let writers run off the end */
        log_error("%s: driver set a mode that does not fit its framebuffer; back to %ux%u", d->driver,
                  (unsigned)old.width, (unsigned)old.height);
        d->mode = old;
        d->stats.errors++;
        return ANX_EIO;
    }
    d->stats.mode_changes++;
    return 0;
}

/* `displays bench [FRAMES]`: full-screen frames drawn and flushed, per
 * display, as tests/bench/display reads it. The pattern changes every frame
 * so no device can skip an unchanged one. */
static int bench(int frames)
{
    for (struct anx_display *d = displays; d; d = d->next) {
        unsigned bpp = anx_pixel_bytes(d->mode.format);
        uint64_t fill_ns = 0, flush_ns = 0;
        for (int f = 0; f < frames; f++) {
            uint64_t t0 = anx_time_ns();
            for (uint32_t y = 0; y < d->mode.height; y++) {
                uint8_t *row = (uint8_t *)d->fb + (size_t)y * d->mode.stride;
                uint32_t v = (uint32_t)(f * 0x10203u + y * 0x01u) | 0xff000000u;
                if (bpp == 4)
                    for (uint32_t x = 0; x < d->mode.width; x++)
                        ((uint32_t *)row)[x] = v;
                else
                    for (uint32_t x = 0; x < d->mode.width; x++)
                        ((uint16_t *)row)[x] = (uint16_t)v;
            }
            uint64_t t1 = anx_time_ns();
            int err = anx_display_flush(d, 0, 0, (int)d->mode.width, (int)d->mode.height);
            uint64_t t2 = anx_time_ns();
            if (err) {
                anx_printf("%s: flush failed: %s\n", d->name, anx_strerror(err));
                return 1;
            }
            fill_ns += t1 - t0;
            flush_ns += t2 - t1;
        }
        anx_printf("%s: %s %ux%u %s: %d frames, fill %llu us/frame, flush %llu us/frame\n", d->name, d->driver,
                   (unsigned)d->mode.width, (unsigned)d->mode.height, anx_pixel_format_name(d->mode.format), frames,
                   (unsigned long long)(fill_ns / 1000 / (uint64_t)frames),
                   (unsigned long long)(flush_ns / 1000 / (uint64_t)frames));
    }
    return 0;
}

static int cmd_displays(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "bench")) {
        int frames = argc >= 3 ? atoi(argv[2]) : 10;
        if (frames < 1 || frames > 10000) {
            anx_printf("displays bench: FRAMES must be 1..10000\n");
            return 2;
        }
        return bench(frames);
    }
    if (argc >= 2) {
        anx_printf("usage: %s\n", displays_cmd.usage);
        return 2;
    }
    for (struct anx_display *d = displays; d; d = d->next)
        anx_printf("%-5s %-14s %5ux%-5u %-8s stride %-6u flushes %llu (%llu px) modes %llu errors %llu\n", d->name,
                   d->driver ? d->driver : "?", (unsigned)d->mode.width, (unsigned)d->mode.height,
                   anx_pixel_format_name(d->mode.format), (unsigned)d->mode.stride,
                   (unsigned long long)d->stats.flushes, (unsigned long long)d->stats.flushed_pixels,
                   (unsigned long long)d->stats.mode_changes, (unsigned long long)d->stats.errors);
    return 0;
}
