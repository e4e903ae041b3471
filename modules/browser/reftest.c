/*
 * `browse-digest URL`: show URL and print a SHA-256 of the picture on the
 * screen once the page is loaded and painted. The CSS 2.1 reftest runner
 * (tests/css/run.sh) drives an image over its serial console with it: a
 * test and its reference match when their digests are equal.
 *
 *     > browse-digest http://10.0.2.2:8000/css1/c11-import-000.xht
 *     browse-digest: http://10.0.2.2:8000/css1/c11-import-000.xht sha256=3f0c... 800x600 (412 ms)
 *
 * When is the picture final? "page done" (the throbber stops) comes before
 * the front end has plotted the page: NetSurf schedules a reformat, the
 * reformat asks fbtk for a redraw, and fbtk plots it at the end of the
 * front end's loop (gui.c framebuffer_run: schedule_run, events, then
 * fbtk_redraw). So the digest is taken from a callback on the front end's
 * scheduler, on the browser thread, only when the window is not loading,
 * its content is the page asked for and DONE, and fbtk has no redraw
 * pending; and it is only reported when a second such poll, one loop
 * later, sees the same pixels (a redraw scheduled late, an image's
 * decode, would change them).
 *
 * Threads: the shell thread schedules the work on NetSurf's scheduler and
 * wakes the browser thread (NetSurf is not thread-safe), then waits for
 * the result with a timeout; threads are cooperative, so the shared
 * request needs no lock. A request the shell gave up on is recognised by
 * its generation number and dropped by the browser thread.
 */
#define LOG_TAG "browser"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/printf.h>
#include <anx/sha256.h>
#include <anx/thread.h>
#include <anx/time.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utils/errors.h"
#include "utils/messages.h"
#include "utils/nsurl.h"
#include <libnsfb.h>
#include <libnsfb_event.h>
#include "content/content.h"
#include "content/hlcache.h"
#include "content/content_protected.h"   /* the content's HTTP status */
#include "netsurf/content.h"
#include "netsurf/browser_window.h"
#include "desktop/browser_private.h"
#include "framebuffer/gui.h"
#include "framebuffer/fbtk.h"
#include "framebuffer/schedule.h"

#include "nsfb_anunix.h"

#define POLL_MS 20                     /* between checks while the page loads */
#define SETTLE_MS 40                   /* between the two digests that must agree */
#define WRONG_PAGE_MS 3000             /* idle on another page this long: the load failed */
#define DEFAULT_TIMEOUT_S 60

extern fbtk_widget_t *fbtk;            /* gui.c: the root of the front end's widgets */

enum req_state { REQ_RUNNING, REQ_OK, REQ_FAILED };

static struct {
    unsigned gen;                      /* which command the callbacks work for */
    enum req_state state;
    nsurl *url;
    uint64_t start_ns;
    uint64_t idle_since_ns;            /* first poll that saw another page, not loading; 0: none */
    bool have_prev;
    uint8_t prev[ANX_SHA256_SIZE];
    char hex[65];
    unsigned width, height;
    char why[160];                     /* REQ_FAILED: what the screen shows instead */
} req;
static struct anx_waitq req_wait = ANX_WAITQ_INIT;
static bool busy;

/* SHA-256 of the visible pixels of the first display (the one the browser
 * draws on), row by row within the stride. XRGB8888 pixels are hashed as
 * their R, G, B bytes: the unused X byte is whatever a plotter left there. */
static void screen_digest(struct anx_display *d, uint8_t out[ANX_SHA256_SIZE])
{
    struct anx_sha256 s;
    anx_sha256_init(&s);
    const uint8_t *fb = d->fb;
    uint32_t w = d->mode.width, h = d->mode.height;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *row = fb + (size_t)y * d->mode.stride;
        if (d->mode.format != ANX_PIXEL_XRGB8888) {
            anx_sha256_update(&s, row, (size_t)w * 2);
            continue;
        }
        uint8_t rgb[3 * 256];
        for (uint32_t x = 0; x < w;) {
            uint32_t n = w - x < 256 ? w - x : 256;
            for (uint32_t i = 0; i < n; i++, x++) {
                const uint8_t *px = row + (size_t)x * 4;       /* B, G, R, X */
                rgb[3 * i] = px[2];
                rgb[3 * i + 1] = px[1];
                rgb[3 * i + 2] = px[0];
            }
            anx_sha256_update(&s, rgb, (size_t)n * 3);
        }
    }
    anx_sha256_final(&s, out);
}

static void finish(enum req_state st)
{
    req.state = st;
    anx_waitq_wake_all(&req_wait);
}

static void fail(const char *fmt, const char *arg)
{
    snprintf(req.why, sizeof req.why, fmt, arg);
    finish(REQ_FAILED);
}

static void poll_cb(void *p);

static void poll_again(unsigned gen, int ms)
{
    if (framebuffer_schedule(ms, poll_cb, (void *)(uintptr_t)gen) != NSERROR_OK)
        fail("%s", "cannot schedule the next check (out of memory)");
}

/* The window has finished with the page: not fetching, not throbbing, its
 * content complete, nothing waiting to be plotted. */
static bool window_settled(struct browser_window *bw)
{
    return !bw->loading_content && !bw->throbbing && bw->current_content &&
           content_get_status(bw->current_content) == CONTENT_STATUS_DONE && !fbtk_get_redraw_pending(fbtk);
}

static void poll_cb(void *p)
{
    unsigned gen = (unsigned)(uintptr_t)p;
    if (gen != req.gen || req.state != REQ_RUNNING)
        return;                        /* the shell gave up on this one */
    struct browser_window *bw = window_list ? window_list->bw : NULL;
    if (!bw) {
        fail("%s", "the browser has no window");
        return;
    }
    if (!window_settled(bw)) {
        req.have_prev = false;
        req.idle_since_ns = 0;
        poll_again(gen, POLL_MS);
        return;
    }
    nsurl *shown = hlcache_handle_get_url(bw->current_content);
    if (!shown || !nsurl_compare(shown, req.url, NSURL_COMPLETE)) {
        /* An error page, or the old page after a refused navigation. */
        uint64_t now = anx_time_ns();
        if (!req.idle_since_ns)
            req.idle_since_ns = now;
        if (now - req.idle_since_ns >= (uint64_t)WRONG_PAGE_MS * 1000000) {
            fail("the page did not load: the window shows %s", shown ? nsurl_access(shown) : "nothing");
            return;
        }
        poll_again(gen, POLL_MS);
        return;
    }
    struct content *c = hlcache_handle_get_content(bw->current_content);
    if (c && c->http_code >= 400) {
        /* the fetcher's error page (file: gives 404 for a missing file) */
        char code[16];
        snprintf(code, sizeof code, "%ld", c->http_code);
        fail("the page did not load: status %s", code);
        return;
    }
    struct anx_display *d = anx_display_first();
    if (!d || !d->fb) {
        fail("%s", "no display to read");
        return;
    }
    uint8_t now[ANX_SHA256_SIZE];
    screen_digest(d, now);
    if (req.have_prev && memcmp(now, req.prev, sizeof now) == 0) {
        anx_sha256_hex(now, req.hex);
        req.width = d->mode.width;
        req.height = d->mode.height;
        finish(REQ_OK);
        return;
    }
    memcpy(req.prev, now, sizeof now);  /* first digest, or the picture changed: once more */
    req.have_prev = true;
    poll_again(gen, SETTLE_MS);
}

static void navigate_cb(void *p)
{
    unsigned gen = (unsigned)(uintptr_t)p;
    if (gen != req.gen || req.state != REQ_RUNNING)
        return;
    struct browser_window *bw = window_list ? window_list->bw : NULL;
    if (!bw) {
        fail("%s", "the browser has no window yet");
        return;
    }
    nserror e = browser_window_navigate(bw, req.url, NULL, BW_NAVIGATE_HISTORY, NULL, NULL, NULL);
    if (e != NSERROR_OK) {
        fail("navigation refused: %s", messages_get_errorcode(e));
        return;
    }
    poll_again(gen, POLL_MS);
}

static int usage(void)
{
    anx_printf("usage: browse-digest URL [TIMEOUT_S]\n");
    return 1;
}

static int cmd_browse_digest(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return usage();
    long timeout_s = DEFAULT_TIMEOUT_S;
    if (argc == 3) {
        char *end;
        timeout_s = strtol(argv[2], &end, 10);
        if (*end || timeout_s < 1 || timeout_s > 3600) {
            anx_printf("browse-digest: TIMEOUT_S '%s' is not a number of seconds from 1 to 3600\n", argv[2]);
            return 1;
        }
    }
    if (busy) {
        anx_printf("browse-digest: another browse-digest is running\n");
        return 1;
    }
    nsurl *url;
    nserror e = nsurl_create(argv[1], &url);
    if (e != NSERROR_OK) {
        anx_printf("browse-digest: '%s' is not a URL (%s)\n", argv[1], messages_get_errorcode(e));
        return 1;
    }
    busy = true;
    req.gen++;
    req.state = REQ_RUNNING;
    req.url = url;
    req.start_ns = anx_time_ns();
    req.idle_since_ns = 0;
    req.have_prev = false;
    req.why[0] = 0;
    unsigned gen = req.gen;
    if (framebuffer_schedule(0, navigate_cb, (void *)(uintptr_t)gen) != NSERROR_OK) {
        req.gen++;
        nsurl_unref(url);
        busy = false;
        anx_printf("browse-digest: out of memory\n");
        return 1;
    }
    browser_nsfb_wake();
    uint64_t deadline = req.start_ns + (uint64_t)timeout_s * ANX_NS_PER_S;
    while (req.state == REQ_RUNNING) {
        uint64_t t = anx_time_ns();
        if (t >= deadline || anx_wait_timeout(&req_wait, deadline - t) < 0)
            if (req.state == REQ_RUNNING)
                break;
    }
    enum req_state st = req.state;
    req.gen++;                         /* later callbacks of this request do nothing */
    unsigned long long ms = (anx_time_ns() - req.start_ns) / 1000000;
    int rc = 1;
    if (st == REQ_OK) {
        anx_printf("browse-digest: %s sha256=%s %ux%u (%llu ms)\n", argv[1], req.hex, req.width, req.height, ms);
        rc = 0;
    } else if (st == REQ_FAILED) {
        anx_printf("browse-digest: %s: %s (%llu ms)\n", argv[1], req.why, ms);
    } else {
        anx_printf("browse-digest: %s: timed out after %ld s (the page is still loading or repainting)\n", argv[1],
                   timeout_s);
    }
    /* navigate_cb may not have run yet (a timeout): it only reads req.url
     * while the generation matches, which it no longer does */
    nsurl_unref(url);
    req.url = NULL;
    busy = false;
    return rc;
}

static struct anx_command browse_digest_cmd = {
    .name = "browse-digest",
    .summary = "Show a page in the browser and print a SHA-256 of the painted screen",
    .usage = "browse-digest URL [TIMEOUT_S]",
    .fn = cmd_browse_digest,
};

/* The browser module's init (browser_module.c) registers its own command;
 * this file's is registered by a constructor, which the image runs before
 * module init (core/kmain.c), so the module needs no hook for it. */
__attribute__((constructor)) static void browser_reftest_register(void)
{
    anx_command_register(&browse_digest_cmd);
}
