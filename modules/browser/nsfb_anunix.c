/*
 * The libnsfb surface "anunix" over the core's display and input
 * registries (nsfb_anunix.h says what it does). It registers itself with
 * NSFB_SURFACE_DEF, a constructor the image runs before module init, under
 * NSFB_SURFACE_ANUNIX (scripts/third_party/netsurf/
 * 0001-libnsfb-anunix-surface-type.patch).
 *
 * Threads: the surface routines run on the browser thread; the listener
 * and the screen switch on the input thread. Threads are cooperative and
 * neither side blocks between reading and writing the ring or the
 * drawing pointer, so they need no lock.
 */
#define LOG_TAG "browser"
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/screen.h>
#include <anx/thread.h>
#include <anx/time.h>

#include <libnsfb.h>
#include <libnsfb_event.h>
#include <libnsfb_plot.h>
#include <libnsfb_plot_util.h>
/* libnsfb's internal surface interface: a surface outside the library
 * needs it (the tree's include folder is on the path; src is beside it). */
#include "../src/nsfb.h"
#include "../src/surface.h"
#include "../src/plot.h"
#include "../src/cursor.h"
#include "nsfb_anunix.h"
#include "browser_kiosk.h"

#define RING_SIZE 256                  /* libnsfb events waiting for the front end */
#define DISPLAY_WAIT_NS (10 * ANX_NS_PER_S)
#define WHEEL_STEPS_MAX 8

/* ---- key translation ------------------------------------------------------- */

/* Keys that are not characters, by evdev code. */
static const uint16_t special_keys[][2] = {
    {ANX_KEY_ESC, NSFB_KEY_ESCAPE}, {ANX_KEY_BACKSPACE, NSFB_KEY_BACKSPACE}, {ANX_KEY_TAB, NSFB_KEY_TAB},
    {ANX_KEY_ENTER, NSFB_KEY_RETURN}, {ANX_KEY_KPENTER, NSFB_KEY_RETURN},
    {ANX_KEY_LEFTCTRL, NSFB_KEY_LCTRL}, {ANX_KEY_RIGHTCTRL, NSFB_KEY_RCTRL},
    {ANX_KEY_LEFTSHIFT, NSFB_KEY_LSHIFT}, {ANX_KEY_RIGHTSHIFT, NSFB_KEY_RSHIFT},
    {ANX_KEY_LEFTALT, NSFB_KEY_LALT}, {ANX_KEY_RIGHTALT, NSFB_KEY_RALT},
    {ANX_KEY_LEFTMETA, NSFB_KEY_LSUPER}, {ANX_KEY_RIGHTMETA, NSFB_KEY_RSUPER},
    {ANX_KEY_CAPSLOCK, NSFB_KEY_CAPSLOCK}, {ANX_KEY_NUMLOCK, NSFB_KEY_NUMLOCK},
    {ANX_KEY_SCROLLLOCK, NSFB_KEY_SCROLLOCK},
    {ANX_KEY_F11, NSFB_KEY_F11}, {ANX_KEY_F12, NSFB_KEY_F12},
    {ANX_KEY_HOME, NSFB_KEY_HOME}, {ANX_KEY_END, NSFB_KEY_END}, {ANX_KEY_UP, NSFB_KEY_UP},
    {ANX_KEY_DOWN, NSFB_KEY_DOWN}, {ANX_KEY_LEFT, NSFB_KEY_LEFT}, {ANX_KEY_RIGHT, NSFB_KEY_RIGHT},
    {ANX_KEY_PAGEUP, NSFB_KEY_PAGEUP}, {ANX_KEY_PAGEDOWN, NSFB_KEY_PAGEDOWN},
    {ANX_KEY_INSERT, NSFB_KEY_INSERT}, {ANX_KEY_DELETE, NSFB_KEY_DELETE},
    {ANX_KEY_PAUSE, NSFB_KEY_PAUSE}, {ANX_KEY_SYSRQ, NSFB_KEY_PRINT}, {ANX_KEY_COMPOSE, NSFB_KEY_MENU},
};

/* The keypad without Num Lock: KP7 (71) .. KPDOT (83); KPMINUS (74) and
 * KPPLUS (78) are characters either way. */
static const uint16_t keypad_nav[13] = {
    NSFB_KEY_HOME, NSFB_KEY_UP, NSFB_KEY_PAGEUP, 0, NSFB_KEY_LEFT, 0, NSFB_KEY_RIGHT, 0,
    NSFB_KEY_END, NSFB_KEY_DOWN, NSFB_KEY_PAGEDOWN, NSFB_KEY_INSERT, NSFB_KEY_DELETE,
};

enum nsfb_key_code_e browser_nsfb_special_key(uint16_t code)
{
    if (code >= ANX_KEY_F1 && code <= ANX_KEY_F10)
        return (enum nsfb_key_code_e)(NSFB_KEY_F1 + (code - ANX_KEY_F1));
    for (size_t i = 0; i < ANX_ARRAY_SIZE(special_keys); i++)
        if (special_keys[i][0] == code)
            return (enum nsfb_key_code_e)special_keys[i][1];
    return NSFB_KEY_UNKNOWN;
}

static bool printable(uint32_t ch)
{
    return ch >= 0x20 && ch != 0x7f && !(ch >= 0x80 && ch < 0xa0);
}

/* The code a key press sends; 0 for none. */
static int32_t press_code(const struct anx_input_event *ev)
{
    uint16_t code = ev->code;
    bool keypad = code >= ANX_KEY_KP7 && code <= ANX_KEY_KPDOT;
    if (keypad && !(ev->mods & ANX_MOD_CTRL) && printable(ev->ch))
        return BROWSER_NSFB_UCS4 | (int32_t)ev->ch;     /* Num Lock's digits, + and - */
    if (keypad)
        return keypad_nav[code - ANX_KEY_KP7];
    enum nsfb_key_code_e k = browser_nsfb_special_key(code);
    if (k != NSFB_KEY_UNKNOWN)
        return (int32_t)k;
    if (ev->mods & ANX_MOD_CTRL) {
        /* a shortcut: the key's own letter in the keymap (Ctrl+Z is the key
         * labelled Z on a German keyboard too), as the front end expects */
        uint32_t c = anx_input_key_char(code, 0);
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        return c > 0x20 && c < 0x7f ? (int32_t)c : 0;
    }
    if (ev->mods & ANX_MOD_ALT)
        return 0;                      /* Alt+key types nothing in a browser */
    return printable(ev->ch) ? BROWSER_NSFB_UCS4 | (int32_t)ev->ch : 0;
}

static size_t put_key(nsfb_event_t *out, bool down, int32_t code)
{
    out->type = down ? NSFB_EVENT_KEY_DOWN : NSFB_EVENT_KEY_UP;
    out->value.keycode = (enum nsfb_key_code_e)code;
    return 1;
}

/* A move to x, y unless the front end already has that position. */
static size_t put_move(struct browser_nsfb_xlate *st, nsfb_event_t *out, int32_t x, int32_t y)
{
    if (st->have_pos && st->x == x && st->y == y)
        return 0;
    st->have_pos = true;
    st->x = x;
    st->y = y;
    out->type = NSFB_EVENT_MOVE_ABSOLUTE;
    out->value.vector.x = x;
    out->value.vector.y = y;
    out->value.vector.z = 0;
    return 1;
}

size_t browser_nsfb_translate(struct browser_nsfb_xlate *st, const struct anx_input_event *ev, nsfb_event_t *out)
{
    size_t n = 0;
    switch (ev->type) {
    case ANX_EV_KEY: {
        if (ev->code > ANX_KEY_MAX)
            return 0;
        if (ev->value == 0) {          /* release what the press sent */
            int32_t code = st->down[ev->code];
            st->down[ev->code] = 0;
            return code ? put_key(out, false, code) : 0;
        }
        int32_t code = press_code(ev);
        if (!code)
            return 0;
        st->down[ev->code] = code;
        return put_key(out, true, code);      /* autorepeat: another press */
    }
    case ANX_EV_POINTER:
        st->pointer_seen = true;
        return put_move(st, out, ev->x, ev->y);
    case ANX_EV_BUTTON: {
        int32_t code = ev->code == ANX_BTN_LEFT ? NSFB_KEY_MOUSE_1
                     : ev->code == ANX_BTN_MIDDLE ? NSFB_KEY_MOUSE_2
                     : ev->code == ANX_BTN_RIGHT ? NSFB_KEY_MOUSE_3 : 0;
        if (!code)
            return 0;
        st->pointer_seen = true;
        n = put_move(st, out, ev->x, ev->y);  /* the front end clicks where its cursor is */
        return n + put_key(out + n, ev->value != 0, code);
    }
    case ANX_EV_WHEEL: {
        if (ev->dy == 0)
            return 0;
        st->pointer_seen = true;
        n = put_move(st, out, ev->x, ev->y);
        int32_t code = ev->dy > 0 ? NSFB_KEY_MOUSE_4 : NSFB_KEY_MOUSE_5;   /* away from the user: up */
        int32_t steps = ev->dy > 0 ? ev->dy : -ev->dy;
        for (int32_t i = 0; i < steps && i < WHEEL_STEPS_MAX; i++) {
            n += put_key(out + n, true, code);
            n += put_key(out + n, false, code);
        }
        return n;
    }
    }
    return 0;
}

/* ---- the event ring (filled on the input thread) ------------------------------- */

struct queued {
    nsfb_event_t ev;
    uint64_t time_ns;                  /* when the registry saw it */
};
static struct queued ring[RING_SIZE];
static unsigned ring_head, ring_tail;  /* free-running: head - tail are waiting */
static struct anx_waitq ring_wait = ANX_WAITQ_INIT;
static bool quit_pending;
static bool wake_pending;     /* browser_nsfb_wake: return to the front end's loop */
static bool active;                    /* a surface is initialised: queue events */
static bool listening;
static struct browser_nsfb_xlate xlate;
static struct browser_nsfb_stats stats;

/* The page is the screen of Ctrl-Alt-F1 (<anx/screen.h>); the console of
 * F2 may take the display from it. */
static void page_switched(struct anx_screen *s, bool front);
static struct anx_screen page = {.name = "page", .key = 1, .switched = page_switched};
static bool page_registered;
static nsfb_t *page_nsfb;              /* the surface initialised */
static uint8_t *behind;                /* the page while behind, if it draws on the display */
static bool repaint_pending;           /* came forward: the browser thread flushes it all */

/* May the page draw on the display and read input? (Without a registry
 * entry, there is nothing to share it with.) */
static bool in_front(void)
{
    return page.front || !page_registered;
}

static void ring_push(const nsfb_event_t *ev, uint64_t time_ns)
{
    unsigned waiting = ring_head - ring_tail;
    if (ev->type == NSFB_EVENT_MOVE_ABSOLUTE && waiting &&
        ring[(ring_head - 1) % RING_SIZE].ev.type == NSFB_EVENT_MOVE_ABSOLUTE) {
        ring[(ring_head - 1) % RING_SIZE].ev = *ev;     /* only the latest position matters */
        stats.folded++;
        return;
    }
    if (waiting >= RING_SIZE) {
        stats.dropped++;
        return;
    }
    ring[ring_head % RING_SIZE] = (struct queued){*ev, time_ns};
    ring_head++;
    stats.queued++;
    if (waiting + 1 > stats.ring_peak)
        stats.ring_peak = waiting + 1;
}

static void on_input(const struct anx_input_event *ev, void *arg)
{
    (void)arg;
    if (!active || !in_front())
        return;
    nsfb_event_t out[BROWSER_NSFB_XLATE_MAX];
    size_t n = browser_nsfb_translate(&xlate, ev, out);
    for (size_t i = 0; i < n; i++)
        ring_push(&out[i], ev->time_ns);
    if (n)
        anx_waitq_wake_all(&ring_wait);
}

static struct anx_input_listener listener = {.event = on_input};

void browser_nsfb_quit(void)
{
    quit_pending = true;
    anx_waitq_wake_all(&ring_wait);
}

void browser_nsfb_wake(void)
{
    wake_pending = true;
    anx_waitq_wake_all(&ring_wait);
}

void browser_nsfb_stats(struct browser_nsfb_stats *st)
{
    *st = stats;
}

/* ---- the surface ------------------------------------------------------------- */

struct anunix_priv {
    struct anx_display *d;
    uint8_t *ram;                      /* the RAM buffer when the formats differ, else NULL */
};

static enum anx_pixel_format display_format_of(enum nsfb_format_e f)
{
    return f == NSFB_FMT_RGB565 ? ANX_PIXEL_RGB565 : f == NSFB_FMT_XRGB8888 ? ANX_PIXEL_XRGB8888 : 0;
}

static enum nsfb_format_e nsfb_format_of(enum anx_pixel_format f)
{
    return f == ANX_PIXEL_RGB565 ? NSFB_FMT_RGB565 : NSFB_FMT_XRGB8888;
}

static int anunix_defaults(nsfb_t *nsfb)
{
    nsfb->width = 0;                   /* 0: the display's own size */
    nsfb->height = 0;
    nsfb->format = NSFB_FMT_XRGB8888;
    select_plotters(nsfb);
    return 0;
}

/* Apply the geometry nsfb asks for to the display where it can, then point
 * nsfb at the display's memory or at a RAM buffer of the asked format. */
static int setup(nsfb_t *nsfb, struct anunix_priv *p)
{
    struct anx_display *d = p->d;
    uint32_t w = nsfb->width > 0 ? (uint32_t)nsfb->width : d->mode.width;
    uint32_t h = nsfb->height > 0 ? (uint32_t)nsfb->height : d->mode.height;
    enum anx_pixel_format want = display_format_of(nsfb->format);
    if (!want) {                       /* a format no display has (8 bpp ...): the display's */
        want = d->mode.format;
        nsfb->format = nsfb_format_of(want);
    }
    if (w != d->mode.width || h != d->mode.height || want != d->mode.format) {
        int e = anx_display_set_mode(d, w, h, want);
        if (e && want != d->mode.format && (w != d->mode.width || h != d->mode.height))
            e = anx_display_set_mode(d, w, h, d->mode.format);   /* the size at least */
        if (e)
            log_info("%s stays %ux%u %s (asked %ux%u %s: %s)", d->name, d->mode.width, d->mode.height,
                     anx_pixel_format_name(d->mode.format), w, h, anx_pixel_format_name(want), anx_strerror(e));
    }
    anx_free(p->ram);
    p->ram = NULL;
    nsfb->width = (int)d->mode.width;
    nsfb->height = (int)d->mode.height;
    select_plotters(nsfb);             /* sets bpp for the format */
    if (display_format_of(nsfb->format) == d->mode.format) {
        nsfb->ptr = d->fb;
        nsfb->linelen = (int)d->mode.stride;
    } else {
        nsfb->linelen = nsfb->width * nsfb->bpp / 8;
        p->ram = anx_calloc((size_t)nsfb->linelen, (size_t)nsfb->height);
        if (!p->ram) {
            log_error("no memory for a %dx%d drawing buffer", nsfb->width, nsfb->height);
            return -1;
        }
        nsfb->ptr = p->ram;
        log_info("drawing in %d bpp, converted to %s on update", nsfb->bpp, anx_pixel_format_name(d->mode.format));
    }
    log_info("surface %dx%d on %s (%s)%s", nsfb->width, nsfb->height, d->name, anx_pixel_format_name(d->mode.format),
             p->ram ? " through a RAM buffer" : "");
    return 0;
}

static int anunix_initialise(nsfb_t *nsfb)
{
    if (nsfb->surface_priv)
        return -1;
    struct anx_display *d = anx_display_wait(DISPLAY_WAIT_NS);
    if (!d) {
        log_error("no display within %llu s: the browser has nothing to draw on (the manifest needs a display: section)",
                  (unsigned long long)(DISPLAY_WAIT_NS / ANX_NS_PER_S));
        return -1;
    }
    struct anunix_priv *p = anx_calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->d = d;
    if (setup(nsfb, p)) {
        anx_free(p);
        return -1;
    }
    nsfb->surface_priv = p;
    /* events from now on, none left from an earlier surface */
    ring_tail = ring_head;
    quit_pending = false;
    bool seen = xlate.pointer_seen;
    memset(&xlate, 0, sizeof xlate);
    xlate.pointer_seen = seen;
    active = true;
    if (!listening) {
        anx_input_listen(&listener);   /* the registry has no unlisten: `active` gates it */
        listening = true;
    }
    if (nsfb->cursor && seen) {        /* start the cursor where the pointer is */
        int32_t x, y;
        anx_input_pointer(&x, &y);
        nsfb->cursor->loc.x0 = x;
        nsfb->cursor->loc.y0 = y;
    }
    page_nsfb = nsfb;
    int e = anx_screen_register(&page);
    page_registered = e == 0;
    if (e)
        log_error("cannot register the page's screen: %s (Ctrl-Alt-F1/F2 will not switch)",
                  anx_strerror(e));
    else if (!page.front)
        page_switched(&page, false);   /* an operator keeps the console in front */
    return 0;
}

static int anunix_geometry(nsfb_t *nsfb, int width, int height, enum nsfb_format_e format)
{
    struct anunix_priv *p = nsfb->surface_priv;
    int ow = nsfb->width, oh = nsfb->height;
    enum nsfb_format_e of = nsfb->format;
    if (p && !in_front()) {
        log_warn("the page is behind the console: its size stays %dx%d", ow, oh);
        return -1;
    }
    nsfb->width = width;
    nsfb->height = height;
    nsfb->format = format;
    if (!p) {                          /* before initialise: remembered for it */
        select_plotters(nsfb);
        return 0;
    }
    if (setup(nsfb, p)) {
        nsfb->width = ow;
        nsfb->height = oh;
        nsfb->format = of;
        setup(nsfb, p);                /* back to what was there */
        return -1;
    }
    return 0;
}

static int anunix_finalise(nsfb_t *nsfb)
{
    struct anunix_priv *p = nsfb->surface_priv;
    active = false;
    if (page_registered && page_nsfb == nsfb) {
        anx_screen_unregister(&page);  /* the console comes forward */
        page_registered = false;
    }
    page_nsfb = NULL;
    anx_free(behind);
    behind = NULL;
    repaint_pending = false;
    if (p) {
        anx_free(p->ram);
        anx_free(p);
        nsfb->surface_priv = NULL;
    }
    return 0;
}

/* Back in front: flush the page the switch put back on the display. */
static void repaint(nsfb_t *nsfb)
{
    if (!repaint_pending || !in_front())
        return;
    repaint_pending = false;
    struct anunix_priv *p = nsfb->surface_priv;
    if (p)
        anx_display_flush(p->d, 0, 0, nsfb->width, nsfb->height);
}

static bool anunix_input(nsfb_t *nsfb, nsfb_event_t *event, int timeout)
{
    repaint(nsfb);
    if (ring_head == ring_tail && !quit_pending && !wake_pending) {
        if (timeout == 0) {
            anx_yield();               /* a polling front end must still let the others run */
        } else {
            stats.waits++;
            uint64_t deadline = timeout > 0 ? anx_time_ns() + (uint64_t)timeout * ANX_NS_PER_MS : 0;
            while (ring_head == ring_tail && !quit_pending && !wake_pending) {
                if (timeout < 0) {
                    anx_wait(&ring_wait);
                    continue;
                }
                uint64_t now = anx_time_ns();
                if (now >= deadline || anx_wait_timeout(&ring_wait, deadline - now) < 0) {
                    if (ring_head == ring_tail && !quit_pending && !wake_pending)
                        stats.timeouts++;
                    break;
                }
            }
        }
    }
    wake_pending = false;
    repaint(nsfb);
    if (quit_pending) {
        quit_pending = false;
        event->type = NSFB_EVENT_CONTROL;
        event->value.controlcode = NSFB_CONTROL_QUIT;
        return true;
    }
    if (ring_head == ring_tail)
        return false;
    struct queued *q = &ring[ring_tail % RING_SIZE];
    ring_tail++;
    *event = q->ev;
    uint64_t lat = anx_time_ns() - q->time_ns;
    stats.delivered++;
    stats.latency_sum_ns += lat;
    if (lat > stats.latency_max_ns)
        stats.latency_max_ns = lat;
    browser_kiosk_input();           /* for a kiosk's idle_reset: */
    return true;
}

static int anunix_claim(nsfb_t *nsfb, nsfb_bbox_t *box)
{
    struct nsfb_cursor_s *c = nsfb->cursor;
    if (c && c->plotted && nsfb_plot_bbox_intersect(box, &c->loc))
        nsfb_cursor_clear(nsfb, c);
    return 0;
}

/* RAM buffer -> display for the rectangle (already clipped to the screen). */
static void convert(nsfb_t *nsfb, struct anunix_priv *p, const nsfb_bbox_t *b)
{
    struct anx_display *d = p->d;
    for (int y = b->y0; y < b->y1; y++) {
        const uint8_t *src = p->ram + (size_t)y * (size_t)nsfb->linelen;
        uint8_t *dst = (uint8_t *)d->fb + (size_t)y * d->mode.stride;
        for (int x = b->x0; x < b->x1; x++) {
            if (d->mode.format == ANX_PIXEL_XRGB8888) {        /* from RGB565 */
                uint16_t v = ((const uint16_t *)src)[x];
                uint32_t r = (v >> 11) & 0x1f, g = (v >> 5) & 0x3f, bl = v & 0x1f;
                ((uint32_t *)dst)[x] = (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 | (bl << 3 | bl >> 2);
            } else {                                           /* from XRGB8888 */
                uint32_t v = ((const uint32_t *)src)[x];
                ((uint16_t *)dst)[x] = (uint16_t)(((v >> 19) & 0x1f) << 11 | ((v >> 10) & 0x3f) << 5 | ((v >> 3) & 0x1f));
            }
        }
    }
    stats.converted_pixels += (uint64_t)(b->x1 - b->x0) * (uint64_t)(b->y1 - b->y0);
}

/* Make the rectangle visible: convert it when drawing in RAM, flush it. */
static void show(nsfb_t *nsfb, nsfb_bbox_t box)
{
    struct anunix_priv *p = nsfb->surface_priv;
    nsfb_bbox_t screen = {0, 0, nsfb->width, nsfb->height};
    if (!p || !in_front() || !nsfb_plot_clip(&screen, &box))
        return;                        /* behind: the console owns the display */
    if (p->ram)
        convert(nsfb, p, &box);
    anx_display_flush(p->d, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
    stats.updates++;
    stats.flushed_pixels += (uint64_t)(box.x1 - box.x0) * (uint64_t)(box.y1 - box.y0);
}

/* The keys the page holds are let go when it goes back: the front end
 * must not see Ctrl and Alt (pressed for the chord) held when it returns. */
static void release_held(void)
{
    bool any = false;
    for (unsigned code = 0; code <= ANX_KEY_MAX; code++) {
        if (!xlate.down[code])
            continue;
        nsfb_event_t up = {.type = NSFB_EVENT_KEY_UP};
        up.value.keycode = (enum nsfb_key_code_e)xlate.down[code];
        xlate.down[code] = 0;
        ring_push(&up, anx_time_ns());
        any = true;
    }
    if (any)
        anx_waitq_wake_all(&ring_wait);
}

/* The screen registry's, on the input thread (or the browser thread at
 * initialise and finalise). Going back: from now on the page draws into a
 * copy of itself in RAM (or, drawing in RAM already, is no longer
 * converted), so NetSurf goes on loading and laying out without touching
 * the display. Coming forward: the whole page goes back on the display, and
 * the browser thread flushes it all. */
static void page_switched(struct anx_screen *s, bool front)
{
    (void)s;
    nsfb_t *nsfb = page_nsfb;
    struct anunix_priv *p = nsfb ? nsfb->surface_priv : NULL;
    if (!p)
        return;
    size_t bytes = (size_t)nsfb->linelen * (size_t)nsfb->height;
    if (!front) {
        release_held();
        if (!p->ram && !behind) {
            behind = anx_malloc(bytes);
            if (!behind) {
                log_error("no memory (%zu KiB) to keep the page off the display: "
                          "it may draw over the console", bytes / 1024);
                return;
            }
            memcpy(behind, nsfb->ptr, bytes);
            nsfb->ptr = behind;
        }
        return;
    }
    if (behind) {
        /* the mode is the page's: the console follows it and does not change it */
        const struct anx_display_mode *m = &p->d->mode;
        if (m->stride == (uint32_t)nsfb->linelen && m->height == (uint32_t)nsfb->height)
            memcpy(p->d->fb, behind, bytes);
        nsfb->ptr = p->d->fb;
        anx_free(behind);
        behind = NULL;
    } else if (p->ram) {
        convert(nsfb, p, &(nsfb_bbox_t){0, 0, nsfb->width, nsfb->height});
    }
    repaint_pending = true;
    browser_nsfb_wake();
}

static int anunix_update(nsfb_t *nsfb, nsfb_bbox_t *box)
{
    struct nsfb_cursor_s *c = nsfb->cursor;
    nsfb_bbox_t area = *box;
    if (c && !c->plotted && xlate.pointer_seen && c->pixel) {
        nsfb_cursor_plot(nsfb, c);
        nsfb_plot_add_rect(&area, &c->savloc, &area);
    }
    show(nsfb, area);
    return 0;
}

/* The cursor moved or changed shape: put back what was under it, draw it
 * at its new place, and flush both places as one rectangle. Before any
 * pointer device reported, there is no cursor on the screen. */
static int anunix_cursor(nsfb_t *nsfb, struct nsfb_cursor_s *c)
{
    if (!c || !c->pixel || !xlate.pointer_seen)
        return true;
    nsfb_bbox_t redraw;
    if (c->plotted) {
        redraw = c->savloc;
        nsfb_cursor_clear(nsfb, c);
    } else {
        redraw = (nsfb_bbox_t){c->loc.x0 - c->hotspot_x, c->loc.y0 - c->hotspot_y,
                               c->loc.x0 - c->hotspot_x, c->loc.y0 - c->hotspot_y};
    }
    nsfb_cursor_plot(nsfb, c);
    nsfb_plot_add_rect(&redraw, &c->savloc, &redraw);
    show(nsfb, redraw);
    return true;
}

static const nsfb_surface_rtns_t anunix_rtns = {
    .defaults = anunix_defaults,
    .initialise = anunix_initialise,
    .finalise = anunix_finalise,
    .geometry = anunix_geometry,
    .input = anunix_input,
    .claim = anunix_claim,
    .update = anunix_update,
    .cursor = anunix_cursor,
};

NSFB_SURFACE_DEF(anunix, NSFB_SURFACE_ANUNIX, &anunix_rtns)
