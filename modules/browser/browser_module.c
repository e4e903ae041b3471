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
#include <stdbool.h>
#include <stdio.h>

#include "utils/errors.h"      /* NetSurf's nserror */

#include "browser_kiosk.h"
#include "fetch_http.h"
#include "image_stb.h"

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

/* `browse URL`: the window goes to URL (navigate.c schedules it on
 * NetSurf's scheduler: the shell runs in its own thread). */
static int cmd_browse(int argc, char **argv)
{
    if (argc != 2) {
        anx_printf("usage: browse URL\n");
        return 1;
    }
    int rc = browser_go(argv[1]);
    if (rc == ANX_EAGAIN) {
        anx_printf("browse: the browser has no window yet\n");
        return 1;
    }
    if (rc < 0) {
        anx_printf("browse: %s\n", anx_strerror(rc));
        return 1;
    }
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
    static char w[16], h[16], scale[24], url[1024];
    snprintf(w, sizeof w, "%u", d->mode.width);
    snprintf(h, sizeof h, "%u", d->mode.height);
    snprintf(scale, sizeof scale, "--scale=%u", browser_kiosk_zoom());
    snprintf(url, sizeof url, "%s", browser_kiosk_start_url(CONFIG_BROWSER_URL));
    char *argv[] = {"netsurf", scale, "-f", "anunix", "-w", w, "-h", h, "-b", "32", url, NULL};
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
