/*
 * The browser window's navigation: where it goes (browser_go, the `browse`
 * command, a kiosk's own pages), what it may (a kiosk's allow: list), and
 * what happened to each page (NetSurf's load events, failed loads, HTTP
 * statuses), logged and handed to the kiosk (browser_kiosk.h).
 *
 * NetSurf is not thread-safe: other threads only schedule work on NetSurf's
 * scheduler and wake the browser thread's input wait; everything else here
 * runs in the browser thread.
 */
#define LOG_TAG "browser"
#include <anx/errno.h>
#include <anx/log.h>
#include <anx/time.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils/errors.h"
#include "utils/messages.h"
#include "utils/nsurl.h"
#include "netsurf/browser_window.h"
#include "framebuffer/schedule.h"

#include "browser_kiosk.h"
#include "nsfb_anunix.h"

static const struct browser_kiosk *kiosk;
static struct browser_window *current_bw;      /* the kiosk's one window */
static uint64_t load_start_ns;
/* Set while the window goes to a page the kiosk made, so the allow: check
 * lets it through and the kiosk does not hear it as its page loading. */
static bool own_nav;
static char own_name[32];
static bool showing_own;

void browser_kiosk_set(const struct browser_kiosk *k)
{
    kiosk = k;
}

const char *browser_kiosk_start_url(const char *fallback)
{
    return kiosk && kiosk->url && *kiosk->url ? kiosk->url : fallback;
}

unsigned browser_kiosk_zoom(void)
{
    return kiosk && kiosk->zoom ? kiosk->zoom : 100;
}

/* ---- HTTP statuses: NetSurf keeps a 404's body as the page, with no
 * status; the fetcher reports each answer here and page_done looks the
 * page's up. A few are enough: the page and the resources loading with it. */

#define STATUS_SLOTS 8
static struct {
    char *url;
    long code;
} statuses[STATUS_SLOTS];
static unsigned status_next;

void browser_kiosk_http_status(const char *url, long code)
{
    if (!kiosk)
        return;
    unsigned i = status_next++ % STATUS_SLOTS;
    free(statuses[i].url);
    statuses[i].url = strdup(url);
    statuses[i].code = code;
}

static long status_of(const char *url)
{
    for (unsigned n = 0; n < STATUS_SLOTS; n++) {
        unsigned i = (status_next - 1 - n) % STATUS_SLOTS;
        if (statuses[i].url && !strncmp(statuses[i].url, url, strcspn(url, "#")) &&
            statuses[i].url[strcspn(url, "#")] == '\0')          /* the page's URL may add a #fragment */
            return statuses[i].code;
    }
    return 0;
}

/* ---- the hooks of patch 0015-desktop-kiosk-policy-hooks ---- */

bool browser_navigation_allowed(struct browser_window *bw, nsurl *url)
{
    (void)bw;
    showing_own = own_nav;     /* a link on a kiosk page leads back out */
    if (!kiosk || own_nav)
        return true;
    const char *u = nsurl_access(url);
    if (kiosk->allow(u))
        return true;
    log_warn("refused: %s is outside the kiosk's allow: list", u);
    kiosk->refused(u);
    return false;
}

bool browser_load_failed(struct browser_window *bw, nsurl *url, const char *reason)
{
    (void)bw;
    const char *u = url ? nsurl_access(url) : "?";
    if (showing_own) {
        log_error("page failed: kiosk:%s: %s", own_name, reason);
        return false;
    }
    log_warn("page failed: %s: %s", u, reason);
    load_start_ns = 0;
    if (!kiosk)
        return false;
    kiosk->failed(u, reason);
    return true;
}

/* ---- load events (patch 0013-framebuffer-anunix-load-events) ---- */

void browser_load_started(struct browser_window *bw)
{
    current_bw = bw;
    load_start_ns = anx_time_ns();
}

/* Each page is logged with its load time and the time since boot, so a
 * boot test and an operator see what the screen shows and how fast. */
void browser_load_done(struct browser_window *bw)
{
    static bool first_seen;
    current_bw = bw;
    /* The window's first page (about:blank) has no start event; after it, a
     * stop without a start is NetSurf stopping the old page as a new
     * navigation begins: not a page done. */
    if (!load_start_ns && first_seen)
        return;
    first_seen = true;
    nsurl *url = browser_window_access_url(bw);
    const char *u = url ? nsurl_access(url) : "?";
    uint64_t now = anx_time_ns();
    unsigned long long boot_ms = anx_uptime_ns() / 1000000;
    char shown[48];
    if (showing_own) {     /* a data: URL as long as the page: log its name */
        snprintf(shown, sizeof shown, "kiosk:%s", own_name);
        u = shown;
    }
    if (load_start_ns)
        log_info("page done: %s (%llu ms, %llu ms since boot)", u,
                 (unsigned long long)((now - load_start_ns) / 1000000), boot_ms);
    else
        log_info("page done: %s (%llu ms since boot)", u, boot_ms);
    load_start_ns = 0;
    if (!kiosk || showing_own || !url)
        return;
    long code = status_of(u);
    if (code >= 400) {
        char reason[64];
        snprintf(reason, sizeof reason, "the server answered HTTP %ld", code);
        log_warn("page failed: %s: %s", u, reason);
        kiosk->failed(u, reason);
    } else {
        kiosk->done(u);
    }
}

void browser_kiosk_input(void)
{
    if (kiosk && kiosk->input)
        kiosk->input();
}

/* ---- going somewhere ---- */

struct nav {
    bool own;
    char name[32];
    char url[];
};

static void navigate_cb(void *p)
{
    struct nav *n = p;
    nsurl *url;
    nserror e = nsurl_create(n->url, &url);
    if (e != NSERROR_OK) {
        log_error("browse: '%.80s' is not a URL (%s)", n->url, messages_get_errorcode(e));
    } else {
        own_nav = n->own;
        if (n->own)
            memcpy(own_name, n->name, sizeof own_name);
        e = browser_window_navigate(current_bw, url, NULL, BW_NAVIGATE_HISTORY, NULL, NULL, NULL);
        own_nav = false;
        if (e != NSERROR_OK)
            log_error("browse: %.80s: %s", n->url, messages_get_errorcode(e));
        nsurl_unref(url);
    }
    free(n);
}

static int schedule_nav(const char *url, size_t len, bool own, const char *name)
{
    if (!current_bw)
        return ANX_EAGAIN;
    struct nav *n = malloc(sizeof *n + len + 1);
    if (!n)
        return ANX_ENOMEM;
    n->own = own;
    snprintf(n->name, sizeof n->name, "%s", name ? name : "");
    memcpy(n->url, url, len);
    n->url[len] = '\0';
    if (framebuffer_schedule(0, navigate_cb, n) != NSERROR_OK) {
        free(n);
        return ANX_ENOMEM;
    }
    browser_nsfb_wake();
    return 0;
}

int browser_go(const char *url)
{
    if (!url || !*url)
        return ANX_EINVAL;
    return schedule_nav(url, strlen(url), false, NULL);
}

static void reload_cb(void *p)
{
    (void)p;
    if (showing_own)       /* a kiosk page: nothing to fetch again */
        return;
    nserror e = browser_window_reload(current_bw, true);
    if (e != NSERROR_OK)
        log_error("reload: %s", messages_get_errorcode(e));
}

int browser_reload(void)
{
    if (!current_bw)
        return ANX_EAGAIN;
    if (framebuffer_schedule(0, reload_cb, NULL) != NSERROR_OK)
        return ANX_ENOMEM;
    browser_nsfb_wake();
    return 0;
}

/* The page as a data: URL, percent-encoded where a URL may not hold it. */
int browser_show_page(const char *name, const char *html)
{
    static const char head[] = "data:text/html;charset=utf-8,";
    size_t n = strlen(html), len = sizeof head - 1;
    char *url = malloc(len + 3 * n + 1);
    if (!url)
        return ANX_ENOMEM;
    memcpy(url, head, len);
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)html[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~=/:;!'()*,", c)) {
            url[len++] = (char)c;
        } else {
            url[len++] = '%';
            url[len++] = hex[c >> 4];
            url[len++] = hex[c & 15];
        }
    }
    int rc = schedule_nav(url, len, true, name);
    free(url);
    return rc;
}
