/*
 * The browser: NetSurf's framebuffer front end (module.yaml third_party:)
 * run in a thread of its own. Its main() (gui.c, renamed
 * browser_netsurf_main) parses an argv like the command line of the Linux
 * build: the surface (-f anunix, nsfb_anunix.c), the display size and the
 * page, then polls its scheduler and the surface's input until it exits.
 */
#define LOG_TAG "browser"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>
#include <stdbool.h>

#include <stdlib.h>
#include <string.h>

#include "utils/errors.h"      /* NetSurf's nserror */
#include "utils/messages.h"
#include "utils/nsurl.h"
#include "netsurf/browser_window.h"
#include "framebuffer/schedule.h"

#include "fetch_http.h"
#include "image_stb.h"
#include "nsfb_anunix.h"

int browser_netsurf_main(int argc, char **argv);

/* Called by the front end's main() right after netsurf_init() (patch
 * 0011-framebuffer-gui-anunix-core-ready-hook): the image's own fetchers
 * and content handlers join NetSurf's built-in ones here. */
nserror browser_core_ready(void)
{
    nserror e = browser_image_register();       /* PNG and JPEG (image_stb.c) */
    if (e != NSERROR_OK)
        return e;
    return browser_http_register();             /* http: over lwIP (fetch_http.c) */
}

/* Patch 0012-framebuffer-kiosk-window: the page alone, full screen, unless
 * the manifest asks for NetSurf's toolbar, status bar and scrollbars. */
bool browser_kiosk_window(void)
{
    return !CONFIG_BROWSER_TOOLBAR;
}

/* Patch 0013-framebuffer-anunix-load-events: a navigation starts and ends
 * (the page and its resources are in, or the load failed). Each page is
 * logged with its load time and the time since boot, so a boot test and an
 * operator see what the screen shows and how fast. */
static uint64_t load_start_ns;
static struct browser_window *current_bw;      /* the kiosk's one window */

void browser_load_started(struct browser_window *bw)
{
    current_bw = bw;
    load_start_ns = anx_time_ns();
}

void browser_load_done(struct browser_window *bw)
{
    current_bw = bw;
    nsurl *url = browser_window_access_url(bw);
    uint64_t now = anx_time_ns();
    const char *u = url ? nsurl_access(url) : "?";
    unsigned long long boot_ms = anx_uptime_ns() / 1000000;
    if (load_start_ns)
        log_info("page done: %s (%llu ms, %llu ms since boot)", u,
                 (unsigned long long)((now - load_start_ns) / 1000000), boot_ms);
    else    /* the window's first page, about:blank, has no start event */
        log_info("page done: %s (%llu ms since boot)", u, boot_ms);
    load_start_ns = 0;
}

/* `browse URL`: the window goes to URL. The shell runs in its own thread
 * and NetSurf is not thread-safe, so the command only schedules the
 * navigation on NetSurf's scheduler and wakes the browser thread's input
 * wait; the browser thread navigates (threads are cooperative: the
 * browser thread is parked in that wait, never inside the scheduler list,
 * while the shell runs). */
static void navigate_cb(void *p)
{
    char *text = p;
    nsurl *url;
    nserror e = nsurl_create(text, &url);
    if (e != NSERROR_OK) {
        log_error("browse: '%s' is not a URL (%s)", text, messages_get_errorcode(e));
    } else {
        e = browser_window_navigate(current_bw, url, NULL, BW_NAVIGATE_HISTORY, NULL, NULL, NULL);
        if (e != NSERROR_OK)
            log_error("browse: %s: %s", text, messages_get_errorcode(e));
        nsurl_unref(url);
    }
    free(text);
}

static int cmd_browse(int argc, char **argv)
{
    if (argc != 2) {
        anx_printf("usage: browse URL\n");
        return 1;
    }
    if (!current_bw) {
        anx_printf("browse: the browser has no window yet\n");
        return 1;
    }
    char *text = strdup(argv[1]);
    if (!text || framebuffer_schedule(0, navigate_cb, text) != NSERROR_OK) {
        free(text);
        anx_printf("browse: out of memory\n");
        return 1;
    }
    browser_nsfb_wake();
    anx_printf("browse: going to %s\n", argv[1]);
    return 0;
}

static struct anx_command browse_cmd = {
    .name = "browse", .summary = "Show a page in the browser", .usage = "browse URL", .fn = cmd_browse,
};

static void browser_thread(void *arg)
{
    (void)arg;
    /* Display drivers may register from their own threads after start. */
    struct anx_display *d = anx_display_wait(10ull * 1000 * 1000 * 1000);
    if (!d) {
        anx_module_fail("browser", ANX_ENOENT, "no display within 10 s: the browser needs a display module "
                        "(manifest display: device:)");
        return;
    }
    static char w[16], h[16];
    snprintf(w, sizeof w, "%u", d->mode.width);
    snprintf(h, sizeof h, "%u", d->mode.height);
    char *argv[] = {"netsurf", "-f", "anunix", "-w", w, "-h", h, "-b", "32", CONFIG_BROWSER_URL, NULL};
    int rc = browser_netsurf_main((int)(sizeof argv / sizeof argv[0]) - 1, argv);
    anx_module_fail("browser", ANX_EFAIL, "NetSurf exited with status %d", rc);
}

/* After every module's init: start the browser's thread. */
static void browser_start(void)
{
    /* NetSurf walks the box tree recursively (construction, layout, redraw),
     * at most ~512 deep (patch 0014 caps the document tree): a deep stack. */
    if (!anx_thread_create("browser", browser_thread, NULL, 1024 * 1024))
        anx_module_fail("browser", ANX_ENOMEM, "cannot create the browser thread");
}

static int browser_init(void)
{
    return anx_command_register(&browse_cmd);
}

ANX_MODULE(browser, .init = browser_init, .start = browser_start);
