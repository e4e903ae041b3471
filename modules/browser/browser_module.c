/*
 * The browser: NetSurf's framebuffer front end (module.yaml third_party:)
 * run in a thread of its own. Its main() (gui.c, renamed
 * browser_netsurf_main) parses an argv like the command line of the Linux
 * build: the surface (-f anunix, nsfb_anunix.c), the display size and the
 * page, then polls its scheduler and the surface's input until it exits.
 *
 * The thread is a supervised service (docs/supervision.md) with a heartbeat
 * fed from NetSurf's own scheduler, so with the supervisor module in the
 * image a fault in it ends that thread alone and a browser that stops
 * coming back to its event loop is ended as hung. NetSurf keeps global
 * state that cannot be set up twice in one address space, so the restart
 * the supervisor asks for is a reboot of the image, which shows the page
 * again ~0.4 s after the kernel starts (docs/browser.md, "Restart after a crash
 * or a hang").
 */
#define LOG_TAG "browser"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/panic.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/service.h>
#include <anx/thread.h>
#include <anx/time.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utils/errors.h"      /* NetSurf's nserror */
#include "framebuffer/schedule.h"

#include "browser_kiosk.h"
#include "fetch_http.h"
#include "fetch_object.h"
#include "image_stb.h"
#include "nsfb_anunix.h"

/* The heartbeat is fed four times per hang_timeout, so one late feed is
 * never taken for a hang. */
#define HEARTBEAT_MS ((int)(CONFIG_BROWSER_HANG_TIMEOUT / ANX_NS_PER_MS / 4))

/* A callback of NetSurf's scheduler that schedules itself again: it runs
 * only when the front end's loop (gui.c framebuffer_run) comes back to the
 * scheduler, i.e. when NetSurf is neither stuck in a callback nor blocked. */
static void heartbeat_cb(void *p)
{
    (void)p;
    anx_service_alive();
    framebuffer_schedule(HEARTBEAT_MS, heartbeat_cb, NULL);
}

int browser_netsurf_main(int argc, char **argv);

/* Called by the front end's main() right after netsurf_init() (patch
 * 0011-framebuffer-gui-anunix-core-ready-hook): the image's own fetchers
 * and content handlers join NetSurf's built-in ones here. */
nserror browser_core_ready(void)
{
    heartbeat_cb(NULL);
    nserror e = browser_image_register();       /* PNG and JPEG (image_stb.c) */
    if (e != NSERROR_OK)
        return e;
    if ((e = browser_object_register()) != NSERROR_OK)     /* object: (fetch_object.c) */
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

#if CONFIG_BROWSER_CRASH_TEST
/* Test only (crash_test: true): make the browser thread fault or hang, on
 * the browser thread itself (through NetSurf's scheduler), so boot tests
 * see what the supervisor and the watchdog do with it. */
static char fault_kind[16];
static struct anx_waitq never_wq = ANX_WAITQ_INIT;

static void fault_cb(void *p)
{
    (void)p;
    log_warn("browser-fault: %s in the browser thread", fault_kind);
    if (!strcmp(fault_kind, "assert"))
        ANX_ASSERT(!"browser-fault assert");
    plat_trigger_fault(fault_kind);
    log_error("browser-fault: '%s' did not trap", fault_kind);
}

static void hang_cb(void *p)
{
    if (p) {
        log_warn("browser-hang: spinning in the browser thread, interrupts on");
        for (volatile unsigned long n = 0;; n++)
            ;
    }
    log_warn("browser-hang: blocking the browser thread forever");
    unsigned long f = plat_irq_save();
    for (;;)
        anx_wait(&never_wq);
    plat_irq_restore(f);
}

static int run_on_browser(void (*fn)(void *), void *arg)
{
    if (framebuffer_schedule(0, fn, arg) != NSERROR_OK) {
        anx_printf("no memory\n");
        return 1;
    }
    browser_nsfb_wake();
    return 0;
}

static int cmd_browser_fault(int argc, char **argv)
{
    if (argc > 2) {
        anx_printf("usage: browser-fault [pagefault|ud|div0|assert]\n");
        return 1;
    }
    snprintf(fault_kind, sizeof fault_kind, "%s", argc == 2 ? argv[1] : "pagefault");
    anx_printf("browser-fault: %s scheduled on the browser thread\n", fault_kind);
    return run_on_browser(fault_cb, NULL);
}

static int cmd_browser_hang(int argc, char **argv)
{
    bool spin = argc == 2 && !strcmp(argv[1], "spin");
    if (argc > 2 || (argc == 2 && !spin)) {
        anx_printf("usage: browser-hang [spin]\n");
        return 1;
    }
    anx_printf("browser-hang: %s scheduled on the browser thread\n", spin ? "a spin" : "a block");
    return run_on_browser(hang_cb, spin ? &never_wq : NULL);
}

static struct anx_command fault_cmd = {
    .name = "browser-fault", .summary = "Test only: fault in the browser thread",
    .usage = "browser-fault [pagefault|ud|div0|assert]", .fn = cmd_browser_fault,
};
static struct anx_command hang_cmd = {
    .name = "browser-hang", .summary = "Test only: block (or spin) the browser thread forever",
    .usage = "browser-hang [spin]", .fn = cmd_browser_hang,
};
#endif

/* Waits for a display in slices shorter than the heartbeat, so a slow
 * display driver is not taken for a hung browser. */
static struct anx_display *wait_display(uint64_t timeout_ns)
{
    uint64_t slice = CONFIG_BROWSER_HANG_TIMEOUT / 2, end = anx_time_ns() + timeout_ns;
    for (;;) {
        anx_service_alive();
        uint64_t now = anx_time_ns();
        uint64_t left = now < end ? end - now : 0;
        struct anx_display *d = anx_display_wait(left < slice ? left : slice);
        if (d || anx_time_ns() >= end)
            return d;
    }
}

static void browser_thread(void *arg)
{
    (void)arg;
    /* The supervisor starts run() again after a fault or a hang. NetSurf's
     * globals (the content and fetch caches, the scheduler list, libcss's
     * and libwapcaplet's interned strings, nsoption) were set up once and
     * may be half-changed: only a fresh image starts it again cleanly. */
    static bool ran;
    if (ran) {
        log_warn("NetSurf cannot start twice in one boot: rebooting the image to show the page "
                 "again");
        plat_reboot();
    }
    ran = true;
    /* Display drivers may register from their own threads after start. */
    struct anx_display *d = wait_display(10ull * 1000 * 1000 * 1000);
    if (!d) {
        anx_module_fail("browser", ANX_ENOENT, "no display within 10 s: the browser needs a "
                        "display module (manifest display: device:)");
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

/* NetSurf walks the box tree recursively (construction, layout, redraw),
 * at most ~512 deep (patch 0014 caps the document tree): a deep stack.
 * No cleanup: what the thread held is NetSurf's, and the restart reboots. */
static struct anx_service browser_service = {
    .name = "browser", .run = browser_thread, .stack_size = 1024 * 1024,
    .heartbeat_ns = CONFIG_BROWSER_HANG_TIMEOUT,
};

/* After every module's init: start the browser's thread. */
static void browser_start(void)
{
    if (anx_service_start(&browser_service))
        anx_module_fail("browser", ANX_ENOMEM, "cannot create the browser thread");
}

static int browser_init(void)
{
#if CONFIG_BROWSER_CRASH_TEST
    if (anx_command_register(&fault_cmd) || anx_command_register(&hang_cmd))
        return -1;
#endif
    return anx_command_register(&browse_cmd);
}

ANX_MODULE(browser, .init = browser_init, .start = browser_start);
