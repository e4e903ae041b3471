/*
 * A kiosk's say over the browser window (browser_kiosk.c). The kiosk
 * module (modules/kiosk) registers one at init; without it the browser goes
 * wherever pages lead and shows NetSurf's own error pages.
 *
 * With a kiosk:
 *  - every navigation (a link, a form, `browse`) and every redirect of the
 *    page being loaded asks allow(); a refused URL goes nowhere and
 *    refused() shows why (patch 0015-desktop-kiosk-policy-hooks);
 *  - a page that fails (no connection, a timeout, a certificate error, an
 *    HTTP status of 400 or more) calls failed() instead of NetSurf's error
 *    page, so the kiosk can show its offline page and retry;
 *  - done() hears each page that loaded, input() each key or pointer event
 *    that reached the page (for idle_reset:).
 * The callbacks run in the browser thread and must not block: they record
 * what happened, show a page with browser_show_page() or wake the kiosk's
 * own thread.
 */
#ifndef BROWSER_KIOSK_H
#define BROWSER_KIOSK_H

#include <stdbool.h>

struct browser_kiosk {
    const char *url;        /* the page at start; NULL or "": browser: url: */
    unsigned zoom;          /* the page's scale in percent; 0: 100 */
    bool (*allow)(const char *url);
    void (*refused)(const char *url);
    void (*failed)(const char *url, const char *reason);
    void (*done)(const char *url);
    void (*input)(void);
};

/* From the kiosk module's init (before the browser starts); k must live for
 * the image's life. */
void browser_kiosk_set(const struct browser_kiosk *k);

/* Any thread: the window goes to url, as `browse URL` does (the allow:
 * check applies). 0, or ANX_EINVAL / ANX_ENOMEM / ANX_EAGAIN (no window yet). */
int browser_go(const char *url);

/* Any thread: the window fetches its page again (the cache is bypassed).
 * 0, or ANX_ENOMEM / ANX_EAGAIN (no window yet). */
int browser_reload(void);

/* Any thread: the window shows a page the kiosk made (html, UTF-8), named
 * name in the log ("page done: kiosk:NAME"). The allow: check does not
 * apply to it, and done()/failed() do not hear it. */
int browser_show_page(const char *name, const char *html);

/* The browser thread's side (browser_module.c, nsfb_anunix.c,
 * fetch_http.c): hand events to the kiosk. */
void browser_kiosk_page_done(const char *url);
void browser_kiosk_input(void);
void browser_kiosk_http_status(const char *url, long code);
const char *browser_kiosk_start_url(const char *fallback);
unsigned browser_kiosk_zoom(void);

#endif
