/*
 * The kiosk: the browser shows one page full screen and keeps showing it.
 * The module gives the browser a policy (browser_kiosk.h) and runs a thread
 * that keeps time for it:
 *  - allow:       the window goes only under these URL prefixes (default:
 *                 the start page's origin or folder); others get a page
 *                 that says so;
 *  - failed page: an offline page that says what failed and when the next
 *                 try is; retries 1 s, 2 s, 4 s ... up to retry_max, and
 *                 the page comes back when the server does;
 *  - reload:      the page is fetched again every interval;
 *  - idle_reset:  back to the start page after that long without input;
 *  - zoom:        the page's scale;
 *  - watch:       object names whose new versions reload the page (the
 *                 change feed, <anx/feed.h>), 0.3 s after a burst ends.
 * The policy's callbacks run in the browser thread and only record and
 * wake; this thread decides (threads are cooperative: no locks needed).
 */
#define LOG_TAG "kiosk"
#include <anx/errno.h>
#include <anx/feed.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/thread.h>
#include <anx/time.h>
#include <stdbool.h>
#include <stdint.h>
#include <anx/lib.h>       /* the core's string functions */
#include <anx/mem.h>       /* malloc, realloc, free */
#include <anx/printf.h>    /* snprintf */

#include "browser_kiosk.h"
#include "kiosk_policy.h"

static const char *const allow_list[] = CONFIG_KIOSK_ALLOW;
static const char *const watch_list[] = CONFIG_KIOSK_WATCH;
/* a burst of writes (a page and its stylesheet) reloads once */
#define WATCH_SETTLE_NS (300 * ANX_NS_PER_MS)
static const char *start_url;
static const char *prefixes[CONFIG_KIOSK_ALLOW_COUNT + 1];
static size_t nprefixes;
static char default_prefix[512];

static struct anx_waitq wake = ANX_WAITQ_INIT;
static struct {
    bool failing;            /* the offline page is up */
    char *fail_url;          /* the page to try again */
    unsigned attempt;        /* tries so far since it failed */
    uint64_t retry_at;       /* UINT64_MAX: a try is under way */
    char *page;              /* the last page that loaded */
    uint64_t page_at;        /* when it loaded (or was last reloaded) */
    uint64_t input_at;       /* the last key or pointer event */
    uint64_t failed_at;      /* when the first failure of this outage came */
    uint64_t changed_at;     /* a watched object changed (0: none pending) */
    char changed[ANX_FEED_NAME_MAX + 1];
} st;

static void set_str(char **dst, const char *src)
{
    char *copy = strdup(src);
    if (!copy)
        return;      /* out of memory: keep the old one (the heap has logged the failure) */
    free(*dst);
    *dst = copy;
}

static void show(const char *name, char *html)
{
    if (!html) {
        log_error("out of memory making the %s page", name);
        return;
    }
    int rc = browser_show_page(name, html);
    if (rc < 0)
        log_error("cannot show the %s page: %s", name, anx_strerror(rc));
    free(html);
}

/* ---- the policy (browser thread) ---- */

static bool k_allow(const char *url)
{
    return kiosk_allowed(url, start_url, prefixes, nprefixes);
}

static void k_refused(const char *url)
{
    show("refused", kiosk_refused_html(url, start_url));
}

static void k_failed(const char *url, const char *reason)
{
    uint64_t now = anx_time_ns();
    if (!st.failing)
        st.failed_at = now;
    st.failing = true;
    set_str(&st.fail_url, url);
    st.attempt++;
    uint64_t wait = kiosk_backoff_ns(st.attempt, CONFIG_KIOSK_RETRY_MAX);
    st.retry_at = now + wait;
    log_warn("offline: %s: %s; try %u in %llu s", url, reason, st.attempt + 1,
             (unsigned long long)(wait / ANX_NS_PER_S));
    show("offline", kiosk_offline_html(url, reason, wait, st.attempt + 1));
    anx_waitq_wake_all(&wake);
}

static void k_done(const char *url)
{
    uint64_t now = anx_time_ns();
    if (st.failing)
        log_info("back: %s after %u tries (%llu s offline)", url, st.attempt + 1,
                 (unsigned long long)((now - st.failed_at) / ANX_NS_PER_S));
    st.failing = false;
    st.attempt = 0;
    set_str(&st.page, url);
    st.page_at = now;
    anx_waitq_wake_all(&wake);
}

static void k_input(void)
{
    st.input_at = anx_time_ns();
}

static const struct browser_kiosk policy = {
    .url = CONFIG_KIOSK_URL,
    .zoom = CONFIG_KIOSK_ZOOM,
    .allow = k_allow,
    .refused = k_refused,
    .failed = k_failed,
    .done = k_done,
    .input = k_input,
};

/* ---- the kiosk's clock (its own thread) ---- */

enum action { NONE, RETRY, RELOAD, RESET, CHANGED };

/* The next thing to do and when (UINT64_MAX: nothing until woken). */
static enum action next_action(uint64_t *when)
{
    enum action a = NONE;
    *when = UINT64_MAX;
    bool away = st.failing ? strcmp(st.fail_url, start_url) != 0 : st.page && strcmp(st.page, start_url) != 0;
    if (CONFIG_KIOSK_IDLE_RESET && away) {
        uint64_t last = st.input_at > st.page_at ? st.input_at : st.page_at;
        *when = last + CONFIG_KIOSK_IDLE_RESET;
        a = RESET;
    }
    if (st.failing) {
        if (st.retry_at < *when) {
            *when = st.retry_at;
            a = RETRY;
        }
    } else if (CONFIG_KIOSK_RELOAD && st.page && st.page_at + CONFIG_KIOSK_RELOAD < *when) {
        *when = st.page_at + CONFIG_KIOSK_RELOAD;
        a = RELOAD;
    }
    if (st.changed_at && st.changed_at + WATCH_SETTLE_NS < *when) {
        *when = st.changed_at + WATCH_SETTLE_NS;
        a = CHANGED;
    }
    return a;
}

static void act(enum action a)
{
    uint64_t now = anx_time_ns();
    int rc = 0;
    switch (a) {
    case RETRY:
        st.retry_at = UINT64_MAX;      /* until the try succeeds or fails */
        log_info("trying %s again", st.fail_url);
        rc = browser_go(st.fail_url);
        break;
    case RELOAD:
        st.page_at = now;
        rc = browser_reload();
        break;
    case RESET:
        log_info("idle for %llu s: back to %s", (unsigned long long)(CONFIG_KIOSK_IDLE_RESET / ANX_NS_PER_S),
                 start_url);
        st.failing = false;
        st.attempt = 0;
        st.input_at = now;
        set_str(&st.page, start_url);
        st.page_at = now;
        rc = browser_go(start_url);
        break;
    case CHANGED:
        st.changed_at = 0;
        if (st.failing) {      /* the page that failed may be there now */
            log_info("%s changed: trying %s again", st.changed, st.fail_url);
            st.retry_at = UINT64_MAX;
            rc = browser_go(st.fail_url);
        } else if (st.page) {
            log_info("%s changed: reloading %s", st.changed, st.page);
            st.page_at = now;
            rc = browser_reload();
        }
        break;
    case NONE:
        break;
    }
    if (rc < 0) {
        log_error("cannot navigate: %s", anx_strerror(rc));
        if (a == RETRY || (a == CHANGED && st.failing))   /* no try is under way: plan the next */
            st.retry_at = now + kiosk_backoff_ns(st.attempt, CONFIG_KIOSK_RETRY_MAX);
    }
}

static void kiosk_thread(void *arg)
{
    (void)arg;
    for (;;) {
        uint64_t when;
        enum action a = next_action(&when);
        uint64_t now = anx_time_ns();
        if (a != NONE && now >= when) {
            act(a);
            continue;
        }
        if (when == UINT64_MAX)
            anx_wait(&wake);
        else
            anx_wait_timeout(&wake, when - now);
    }
}

/* watch: the change feed's events for the watched names mark the page
 * changed; the kiosk thread reloads once they settle. */
static void watch_thread(void *arg)
{
    struct anx_feed_sub *sub = arg;
    for (;;) {
        struct anx_feed_event ev;
        if (anx_feed_next(sub, &ev, 3600 * ANX_NS_PER_S) != 0)
            continue;
        bool ours = ev.kind == ANX_FEED_LOST;   /* events were dropped: reload to be sure */
        for (const char *const *w = watch_list; *w && !ours; w++)
            ours = anx_grant_covers(*w[0] == '/' ? *w + 1 : *w, ev.name);
        if (!ours)
            continue;
        if (ev.kind == ANX_FEED_LOST)
            strlcpy(st.changed, "(events lost)", sizeof st.changed);
        else
            snprintf(st.changed, sizeof st.changed, "%s%s", ev.name,
                     ev.kind == ANX_FEED_DELETE ? " (deleted)" : "");
        st.changed_at = anx_time_ns();
        anx_waitq_wake_all(&wake);
    }
}

static void watch_start(void)
{
    if (!watch_list[0])
        return;
#ifndef CONFIG_MODULE_OBJSTORE
    log_warn("watch: no object store in the image, so no object will ever change");
#endif
    struct anx_feed_sub *sub;
    int rc = anx_feed_subscribe("kiosk", "", 0, &sub);
    if (rc < 0) {
        log_error("watch: cannot subscribe to the change feed: %s", anx_strerror(rc));
        return;
    }
    if (!anx_thread_create("kiosk-watch", watch_thread, sub, 0)) {
        anx_feed_unsubscribe(sub);
        log_error("watch: cannot create its thread (out of memory)");
        return;
    }
    log_info("watching %s%s for changes", watch_list[0], watch_list[1] ? " ..." : "");
}

static int kiosk_init(void)
{
    start_url = policy.url[0] ? policy.url : CONFIG_BROWSER_URL;
    for (const char *const *a = allow_list; *a; a++)     /* the list ends in a null pointer */
        prefixes[nprefixes++] = *a;
    if (!nprefixes) {
        if (!kiosk_default_prefix(start_url, default_prefix, sizeof default_prefix)) {
            log_error("url: '%s' is too long (at most %zu bytes)", start_url, sizeof default_prefix - 1);
            return ANX_EINVAL;
        }
        prefixes[nprefixes++] = default_prefix;
    }
    browser_kiosk_set(&policy);
    char when[96] = "";
    if (CONFIG_KIOSK_RELOAD)
        snprintf(when + strlen(when), sizeof when - strlen(when), ", reload every %llu s",
                 (unsigned long long)(CONFIG_KIOSK_RELOAD / ANX_NS_PER_S));
    if (CONFIG_KIOSK_IDLE_RESET)
        snprintf(when + strlen(when), sizeof when - strlen(when), ", idle reset after %llu s",
                 (unsigned long long)(CONFIG_KIOSK_IDLE_RESET / ANX_NS_PER_S));
    log_info("%s, allow %s%s%s", start_url, prefixes[0], nprefixes > 1 ? " ..." : "", when);
    return 0;
}

static void kiosk_start(void)
{
    if (!anx_thread_create("kiosk", kiosk_thread, NULL, 0))
        anx_module_fail("kiosk", ANX_ENOMEM, "cannot create the kiosk thread");
    watch_start();
}

ANX_MODULE(kiosk, .init = kiosk_init, .start = kiosk_start);
