/*
 * Host tests of the browser's glue to NetSurf's framebuffer front end:
 *   - nsfb_anunix.c: the key, button, wheel and pointer translation (US and
 *     German keymaps), then the surface itself on a fake display and a fake
 *     keyboard through the real input registry: geometry, drawing straight
 *     into the display or through a converting RAM buffer, flushes, the
 *     event ring (order, polling without blocking, overflow counted, quit);
 *   - font_anunix.c on the real DejaVu fonts (fonts-dejavu-core): sizes,
 *     faces, width additivity, position at half a glyph, split at spaces,
 *     and the text plotter's pen positions; named families (/fonts/NAME.ttf,
 *     any case, else the generic family) and, given the CSS tests' Ahem
 *     font as argv[1], its glyphs measured and drawn as em squares.
 * libnsfb's own routines are not linked: the few the glue calls are
 * recorded by the stand-ins below.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#define FB_USE_ANUNIX 1                /* font.h's Anunix branch, as the front end builds it */
#define UNIT_FILE "browser/glue"
#include "unit.h"
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/screen.h>
#include <libnsfb.h>
#include <libnsfb_event.h>
#include <libnsfb_plot.h>
#include <../src/nsfb.h>
#include <../src/surface.h>
#include <../src/cursor.h>
#include "nsfb_anunix.h"
#include "gfx.h"
#include "utils/errors.h"
#include "netsurf/plot_style.h"
#include "netsurf/layout.h"
#include "framebuffer/font.h"
#include "font_anunix.h"
#include <anx/files.h>
#include <libwapcaplet/libwapcaplet.h>

/* ---- stand-ins for libnsfb, NetSurf and navigate.c ----------------------------- */

/* navigate.c's: each event the front end takes is input for a kiosk's idle_reset: */
static int kiosk_inputs;
void browser_kiosk_input(void) { kiosk_inputs++; }

static const nsfb_surface_rtns_t *rtns;
static const char *rtns_name;
static enum nsfb_type_e rtns_type;

void _nsfb_register_surface(const enum nsfb_type_e type, const nsfb_surface_rtns_t *r, const char *name)
{
    rtns_type = type;
    rtns = r;
    rtns_name = name;
}

bool select_plotters(nsfb_t *nsfb)
{
    nsfb->bpp = nsfb->format == NSFB_FMT_RGB565 ? 16 : 32;
    return true;
}

bool nsfb_cursor_plot(nsfb_t *nsfb, struct nsfb_cursor_s *c) { (void)nsfb; c->plotted = true; c->savloc = c->loc; return true; }
bool nsfb_cursor_clear(nsfb_t *nsfb, struct nsfb_cursor_s *c) { (void)nsfb; c->plotted = false; return true; }

bool nsfb_plot_clip(const nsfb_bbox_t *restrict clip, nsfb_bbox_t *restrict r)
{
    if (r->x0 < clip->x0) r->x0 = clip->x0;
    if (r->y0 < clip->y0) r->y0 = clip->y0;
    if (r->x1 > clip->x1) r->x1 = clip->x1;
    if (r->y1 > clip->y1) r->y1 = clip->y1;
    return r->x0 < r->x1 && r->y0 < r->y1;
}

bool nsfb_plot_add_rect(const nsfb_bbox_t *a, const nsfb_bbox_t *b, nsfb_bbox_t *out)
{
    nsfb_bbox_t r = {a->x0 < b->x0 ? a->x0 : b->x0, a->y0 < b->y0 ? a->y0 : b->y0,
                     a->x1 > b->x1 ? a->x1 : b->x1, a->y1 > b->y1 ? a->y1 : b->y1};
    *out = r;
    return true;
}

bool nsfb_plot_bbox_intersect(const nsfb_bbox_t *a, const nsfb_bbox_t *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

#define MAX_GLYPHS 64
static struct { nsfb_bbox_t loc; int pitch; nsfb_colour_t c; unsigned ink; } plotted[MAX_GLYPHS];
static int nplotted;

/* What the glyphs cover of a small screen (0 none .. 255 full), each
 * pixel the most any glyph gave it, as a glyph in black on white. */
#define CANVAS 100
static uint8_t canvas[CANVAS][CANVAS];

bool nsfb_plot_glyph8(nsfb_t *nsfb, nsfb_bbox_t *loc, const uint8_t *pixel, int pitch, nsfb_colour_t c)
{
    (void)nsfb;
    if (nplotted < MAX_GLYPHS) {
        unsigned ink = 0;
        for (int y = 0; y < loc->y1 - loc->y0; y++)
            for (int x = 0; x < loc->x1 - loc->x0; x++)
                ink += pixel[y * pitch + x];
        plotted[nplotted].loc = *loc;
        plotted[nplotted].pitch = pitch;
        plotted[nplotted].c = c;
        plotted[nplotted].ink = ink;
        nplotted++;
    }
    for (int y = loc->y0; y < loc->y1; y++)
        for (int x = loc->x0; x < loc->x1; x++) {
            uint8_t a = pixel[(y - loc->y0) * pitch + (x - loc->x0)];
            if (x >= 0 && y >= 0 && x < CANVAS && y < CANVAS && a > canvas[y][x])
                canvas[y][x] = a;
        }
    return true;
}

/* the image's: a CSS px is a pixel (patch 0021) */
int browser_get_dpi(void) { return 96; }

/* ---- translation ---------------------------------------------------------------- */

static struct browser_nsfb_xlate xs;
static nsfb_event_t out[BROWSER_NSFB_XLATE_MAX];

static size_t key(uint16_t code, int value, uint16_t mods, uint32_t ch)
{
    struct anx_input_event ev = {.type = ANX_EV_KEY, .code = code, .value = (int8_t)value, .mods = mods, .ch = ch};
    return browser_nsfb_translate(&xs, &ev, out);
}

#define UCS(c) (BROWSER_NSFB_UCS4 | (c))

TEST(special_keys)
{
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_ENTER), NSFB_KEY_RETURN);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_KPENTER), NSFB_KEY_RETURN);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_BACKSPACE), NSFB_KEY_BACKSPACE);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_DELETE), NSFB_KEY_DELETE);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_ESC), NSFB_KEY_ESCAPE);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_TAB), NSFB_KEY_TAB);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_UP), NSFB_KEY_UP);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_DOWN), NSFB_KEY_DOWN);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_LEFT), NSFB_KEY_LEFT);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_RIGHT), NSFB_KEY_RIGHT);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_PAGEUP), NSFB_KEY_PAGEUP);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_PAGEDOWN), NSFB_KEY_PAGEDOWN);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_HOME), NSFB_KEY_HOME);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_END), NSFB_KEY_END);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_LEFTSHIFT), NSFB_KEY_LSHIFT);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_RIGHTSHIFT), NSFB_KEY_RSHIFT);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_LEFTCTRL), NSFB_KEY_LCTRL);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_RIGHTCTRL), NSFB_KEY_RCTRL);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_F1), NSFB_KEY_F1);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_F10), NSFB_KEY_F10);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_F11), NSFB_KEY_F11);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_F12), NSFB_KEY_F12);
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_A), NSFB_KEY_UNKNOWN);   /* a character key */
    CHECK_EQ(browser_nsfb_special_key(ANX_KEY_SPACE), NSFB_KEY_UNKNOWN);
}

TEST(keys_us)
{
    CHECK_STR(anx_input_keymap(), "us");
    /* a, press and release: the same code both ways */
    CHECK_EQ(key(ANX_KEY_A, 1, 0, 'a'), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_DOWN);
    CHECK_EQ(out[0].value.keycode, UCS('a'));
    CHECK_EQ(key(ANX_KEY_A, 0, 0, 0), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_UP);
    CHECK_EQ(out[0].value.keycode, UCS('a'));
    /* Shift: the modifier itself, then the keymap's character (the
     * front end's own table would give '"' for Shift+2) */
    CHECK_EQ(key(ANX_KEY_LEFTSHIFT, 1, ANX_MOD_SHIFT, 0), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_LSHIFT);
    CHECK_EQ(key(ANX_KEY_1 + 1, 1, ANX_MOD_SHIFT, '@'), 1);
    CHECK_EQ(out[0].value.keycode, UCS('@'));
    CHECK_EQ(key(ANX_KEY_SEMICOLON, 1, ANX_MOD_SHIFT, ':'), 1);
    CHECK_EQ(out[0].value.keycode, UCS(':'));
    CHECK_EQ(key(ANX_KEY_1 + 1, 0, ANX_MOD_SHIFT, 0), 1);
    CHECK_EQ(out[0].value.keycode, UCS('@'));
    CHECK_EQ(key(ANX_KEY_LEFTSHIFT, 0, 0, 0), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_UP);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_LSHIFT);
    /* autorepeat: another press */
    CHECK_EQ(key(ANX_KEY_Q, 2, 0, 'q'), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_DOWN);
    CHECK_EQ(out[0].value.keycode, UCS('q'));
    /* Enter's '\r' and Backspace's '\b' are keys, not characters */
    CHECK_EQ(key(ANX_KEY_ENTER, 1, 0, '\r'), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_RETURN);
    CHECK_EQ(key(ANX_KEY_BACKSPACE, 1, 0, '\b'), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_BACKSPACE);
    /* Ctrl shortcuts: the plain letter (what gui.c's Ctrl+Z, Ctrl+C ... expect) */
    CHECK_EQ(key(ANX_KEY_Z, 1, ANX_MOD_CTRL, 0x1a), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_z);
    CHECK_EQ(key(ANX_KEY_Z, 1, ANX_MOD_CTRL | ANX_MOD_SHIFT, 0x1a), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_z);
    CHECK_EQ(key(ANX_KEY_EQUAL, 1, ANX_MOD_CTRL, 0), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_EQUALS);
    /* Alt+letter types nothing; the Alt key itself is passed on */
    CHECK_EQ(key(ANX_KEY_A, 1, ANX_MOD_ALT, 'a'), 0);
    CHECK_EQ(key(ANX_KEY_A, 0, ANX_MOD_ALT, 0), 0);             /* nor its release */
    CHECK_EQ(key(ANX_KEY_LEFTALT, 1, ANX_MOD_ALT, 0), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_LALT);
    /* keypad: Num Lock's digit, else the navigation key */
    CHECK_EQ(key(ANX_KEY_KP7 + 1, 1, ANX_MOD_NUMLOCK, '8'), 1);
    CHECK_EQ(out[0].value.keycode, UCS('8'));
    CHECK_EQ(key(ANX_KEY_KP7 + 1, 1, 0, 0), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_UP);
    CHECK_EQ(key(ANX_KEY_KPDOT, 1, 0, 0), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_DELETE);
    /* a key without any character or code, and a release never pressed */
    CHECK_EQ(key(ANX_KEY_102ND, 1, 0, 0), 0);
    CHECK_EQ(key(ANX_KEY_M, 0, 0, 0), 0);
    CHECK_EQ(key(300, 1, 0, 0), 0);                             /* beyond the key table */
}

TEST(keys_de)
{
    CHECK_EQ(anx_input_set_keymap("de"), 0);
    /* the registry gives the character; it reaches the page as it is */
    CHECK_EQ(key(ANX_KEY_SEMICOLON, 1, 0, anx_input_key_char(ANX_KEY_SEMICOLON, 0)), 1);
    CHECK_EQ(out[0].value.keycode, UCS(0xf6));                  /* ö */
    CHECK_EQ(key(ANX_KEY_MINUS, 1, 0, anx_input_key_char(ANX_KEY_MINUS, 0)), 1);
    CHECK_EQ(out[0].value.keycode, UCS(0xdf));                  /* ß */
    CHECK_EQ(key(ANX_KEY_Q, 1, ANX_MOD_ALTGR, anx_input_key_char(ANX_KEY_Q, ANX_MOD_ALTGR)), 1);
    CHECK_EQ(out[0].value.keycode, UCS('@'));
    CHECK_EQ(key(ANX_KEY_1 + 1, 1, ANX_MOD_SHIFT, anx_input_key_char(ANX_KEY_1 + 1, ANX_MOD_SHIFT)), 1);
    CHECK_EQ(out[0].value.keycode, UCS('"'));
    /* Ctrl+Z is the key labelled Z, which is where US has Y */
    CHECK_EQ(key(ANX_KEY_Q + 5, 1, ANX_MOD_CTRL, 0x1a), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_z);
    CHECK_EQ(anx_input_set_keymap("us"), 0);
}

TEST(pointer_buttons_wheel)
{
    struct anx_input_event ev = {.type = ANX_EV_POINTER, .x = 10, .y = 20};
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_MOVE_ABSOLUTE);
    CHECK_EQ(out[0].value.vector.x, 10);
    CHECK_EQ(out[0].value.vector.y, 20);
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 0);        /* no move: nothing */
    /* a button where the pointer already is: just the button */
    ev = (struct anx_input_event){.type = ANX_EV_BUTTON, .code = ANX_BTN_LEFT, .value = 1, .x = 10, .y = 20};
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 1);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_DOWN);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_MOUSE_1);
    /* elsewhere: the move first, so the front end clicks at the right place */
    ev = (struct anx_input_event){.type = ANX_EV_BUTTON, .code = ANX_BTN_LEFT, .value = 0, .x = 30, .y = 40};
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 2);
    CHECK_EQ(out[0].type, NSFB_EVENT_MOVE_ABSOLUTE);
    CHECK_EQ(out[0].value.vector.x, 30);
    CHECK_EQ(out[1].type, NSFB_EVENT_KEY_UP);
    CHECK_EQ(out[1].value.keycode, NSFB_KEY_MOUSE_1);
    ev.code = ANX_BTN_MIDDLE;
    ev.value = 1;
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_MOUSE_2);
    ev.code = ANX_BTN_RIGHT;
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 1);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_MOUSE_3);
    ev.code = 0x113;                                            /* a side button: nothing */
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 0);
    /* wheel: away from the user is MOUSE_4 (up), a press and a release a step */
    ev = (struct anx_input_event){.type = ANX_EV_WHEEL, .dy = 2, .x = 30, .y = 40};
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 4);
    CHECK_EQ(out[0].value.keycode, NSFB_KEY_MOUSE_4);
    CHECK_EQ(out[0].type, NSFB_EVENT_KEY_DOWN);
    CHECK_EQ(out[1].type, NSFB_EVENT_KEY_UP);
    ev.dy = -1000;                                              /* capped */
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), 16);
    CHECK_EQ(out[15].value.keycode, NSFB_KEY_MOUSE_5);
    ev.x = 31;
    CHECK_EQ(browser_nsfb_translate(&xs, &ev, out), BROWSER_NSFB_XLATE_MAX);
    CHECK(xs.pointer_seen);
}

/* ---- the surface on a fake display and keyboard ----------------------------------- */

#define DW 64
#define DH 32
static uint32_t fake_fb[DW * DH];
static unsigned fake_flushes;
static uint32_t last_flush[4];

static int fake_flush(struct anx_display *d, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    (void)d;
    fake_flushes++;
    last_flush[0] = x, last_flush[1] = y, last_flush[2] = w, last_flush[3] = h;
    return 0;
}
static const struct anx_display_ops fake_ops = {.flush = fake_flush};   /* a fixed mode */
static struct anx_display fake = {
    .driver = "fake", .mode = {DW, DH, DW * 4, ANX_PIXEL_XRGB8888}, .fb = fake_fb, .fb_size = sizeof fake_fb,
    .ops = &fake_ops,
};
static struct anx_input_dev kbd = {.driver = "test-keyboard", .caps = ANX_INPUT_CAP_KEYS};

static nsfb_t *new_surface(int w, int h, enum nsfb_format_e f)
{
    nsfb_t *fb = calloc(1, sizeof *fb);
    fb->surface_rtns = (nsfb_surface_rtns_t *)rtns;
    rtns->defaults(fb);
    CHECK_EQ(rtns->geometry(fb, w, h, f), 0);
    return fb;
}

static void drain(void)
{
    for (int i = 0; i < 20; i++)
        anx_yield();
}

TEST(registered)
{
    CHECK(rtns != NULL);
    CHECK_STR(rtns_name, "anunix");
    CHECK_EQ(rtns_type, NSFB_SURFACE_ANUNIX);
    CHECK(rtns->initialise && rtns->finalise && rtns->input && rtns->update && rtns->claim && rtns->cursor);
}

TEST(surface_direct)
{
    CHECK_EQ(anx_display_register(&fake), 0);
    nsfb_t *fb = new_surface(800, 600, NSFB_FMT_XRGB8888);     /* the display cannot change mode */
    CHECK_EQ(rtns->initialise(fb), 0);
    CHECK_EQ(fb->width, DW);
    CHECK_EQ(fb->height, DH);
    CHECK(fb->ptr == (uint8_t *)fake_fb);                       /* same format: the display's memory */
    CHECK_EQ(fb->linelen, DW * 4);
    unsigned before = fake_flushes;
    nsfb_bbox_t box = {-5, 2, 10, 100};                         /* clipped to the screen */
    CHECK_EQ(rtns->update(fb, &box), 0);
    CHECK_EQ(fake_flushes, before + 1);
    CHECK_EQ(last_flush[0], 0);
    CHECK_EQ(last_flush[1], 2);
    CHECK_EQ(last_flush[2], 10);
    CHECK_EQ(last_flush[3], DH - 2);
    box = (nsfb_bbox_t){DW, 0, DW + 5, 5};                      /* off the screen: nothing */
    rtns->update(fb, &box);
    CHECK_EQ(fake_flushes, before + 1);
    CHECK_EQ(rtns->finalise(fb), 0);
    free(fb);
}

TEST(surface_converts)
{
    nsfb_t *fb = new_surface(0, 0, NSFB_FMT_RGB565);            /* 16 bpp asked, 32 bpp display */
    CHECK_EQ(rtns->initialise(fb), 0);
    CHECK_EQ(fb->bpp, 16);
    CHECK(fb->ptr != (uint8_t *)fake_fb);
    CHECK_EQ(fb->linelen, DW * 2);
    ((uint16_t *)(fb->ptr + 2 * fb->linelen))[3] = 0xf800;     /* red at 3,2 */
    ((uint16_t *)(fb->ptr + 2 * fb->linelen))[4] = 0x07e0;     /* green at 4,2 */
    ((uint16_t *)(fb->ptr + 2 * fb->linelen))[50] = 0x001f;    /* blue outside the box */
    nsfb_bbox_t box = {0, 0, 10, 10};
    rtns->update(fb, &box);
    CHECK_EQ(fake_fb[2 * DW + 3], 0xff0000);
    CHECK_EQ(fake_fb[2 * DW + 4], 0x00ff00);
    CHECK_EQ(fake_fb[2 * DW + 50], 0);                          /* not converted: not damaged */
    struct browser_nsfb_stats st;
    browser_nsfb_stats(&st);
    CHECK(st.converted_pixels >= 100);
    rtns->finalise(fb);
    free(fb);
}

TEST(surface_input)
{
    nsfb_t *fb = new_surface(0, 0, NSFB_FMT_XRGB8888);
    CHECK_EQ(rtns->initialise(fb), 0);
    nsfb_event_t ev;
    CHECK(!rtns->input(fb, &ev, 0));                            /* nothing waiting: at once */
    CHECK_EQ(kiosk_inputs, 0);
    CHECK_EQ(anx_input_register(&kbd), 0);
    anx_input_key(&kbd, ANX_KEY_LEFTSHIFT, 1);
    anx_input_key(&kbd, ANX_KEY_A, 1);
    anx_input_key(&kbd, ANX_KEY_A, 0);
    anx_input_key(&kbd, ANX_KEY_LEFTSHIFT, 0);
    drain();
    static const int want[][2] = {{NSFB_EVENT_KEY_DOWN, NSFB_KEY_LSHIFT}, {NSFB_EVENT_KEY_DOWN, UCS('A')},
                                  {NSFB_EVENT_KEY_UP, UCS('A')}, {NSFB_EVENT_KEY_UP, NSFB_KEY_LSHIFT}};
    for (int i = 0; i < 4; i++) {
        CHECK(rtns->input(fb, &ev, 0));
        CHECK_EQ(ev.type, want[i][0]);
        CHECK_EQ(ev.value.keycode, want[i][1]);
    }
    CHECK_EQ(kiosk_inputs, 4);                                   /* each one the page took */
    CHECK(!rtns->input(fb, &ev, 0));
    /* the queue fills in steps of the input thread's bursts; beyond 256 events, counted */
    struct browser_nsfb_stats st0, st;
    browser_nsfb_stats(&st0);
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 60; i++) {
            anx_input_key(&kbd, ANX_KEY_M, 1);
            anx_input_key(&kbd, ANX_KEY_M, 0);
        }
        drain();
    }
    browser_nsfb_stats(&st);
    CHECK_EQ(st.queued - st0.queued, 256);
    CHECK_EQ(st.dropped - st0.dropped, 720 - 256);
    CHECK(st.ring_peak == 256);
    int got = 0;
    while (rtns->input(fb, &ev, 0))
        got++;
    CHECK_EQ(got, 256);
    /* quit comes first */
    anx_input_key(&kbd, ANX_KEY_M, 1);
    drain();
    browser_nsfb_quit();
    CHECK(rtns->input(fb, &ev, -1));                            /* waits forever: but there is one */
    CHECK_EQ(ev.type, NSFB_EVENT_CONTROL);
    CHECK_EQ(ev.value.controlcode, NSFB_CONTROL_QUIT);
    CHECK(rtns->input(fb, &ev, 10));
    CHECK_EQ(ev.value.keycode, UCS('m'));
    /* after finalise nothing is queued */
    rtns->finalise(fb);
    anx_input_key(&kbd, ANX_KEY_M, 0);
    drain();
    browser_nsfb_stats(&st0);
    CHECK_EQ(st0.queued, st.queued + 1);
    free(fb);
}

/* The page shares the display with a console (<anx/screen.h>): Ctrl-Alt-F2
 * sends it back, and then it draws into RAM, flushes nothing and reads no
 * keys; Ctrl-Alt-F1 puts it all back on the display and flushes it. */
static int console_shown, console_hidden;
static void console_switched(struct anx_screen *s, bool front)
{
    (void)s;
    if (front)
        console_shown++;
    else
        console_hidden++;
}
static struct anx_screen console = {.name = "console", .key = 2, .switched = console_switched};

static void chord(uint16_t fkey)
{
    anx_input_key(&kbd, ANX_KEY_LEFTCTRL, 1);
    anx_input_key(&kbd, ANX_KEY_LEFTALT, 1);
    anx_input_key(&kbd, fkey, 1);
    anx_input_key(&kbd, fkey, 0);
    anx_input_key(&kbd, ANX_KEY_LEFTALT, 0);
    anx_input_key(&kbd, ANX_KEY_LEFTCTRL, 0);
    drain();
}

TEST(surface_screens)
{
    anx_input_register(&kbd);                                   /* (surface_input did) */
    CHECK_EQ(anx_screen_register(&console), 0);
    CHECK(console.front);
    CHECK_EQ(console_shown, 1);
    nsfb_t *fb = new_surface(0, 0, NSFB_FMT_XRGB8888);
    CHECK_EQ(rtns->initialise(fb), 0);
    CHECK(anx_screen_front() != &console);                      /* F1 comes in front of F2 */
    CHECK_EQ(console_hidden, 1);
    CHECK(fb->ptr == (uint8_t *)fake_fb);
    ((uint32_t *)fb->ptr)[5] = 0x123456;
    nsfb_event_t ev;
    while (rtns->input(fb, &ev, 0))
        ;
    /* to the console: the page keeps its picture in RAM, lets go of Ctrl and
     * Alt, and never sees F2 */
    chord(ANX_KEY_F1 + 1);
    CHECK(console.front);
    CHECK_EQ(console_shown, 2);
    CHECK(fb->ptr != (uint8_t *)fake_fb);
    CHECK_EQ(((uint32_t *)fb->ptr)[5], 0x123456);
    static const int want[][2] = {{NSFB_EVENT_KEY_DOWN, NSFB_KEY_LCTRL}, {NSFB_EVENT_KEY_DOWN, NSFB_KEY_LALT},
                                  {NSFB_EVENT_KEY_UP, NSFB_KEY_LCTRL}, {NSFB_EVENT_KEY_UP, NSFB_KEY_LALT}};
    for (int i = 0; i < 4; i++) {
        CHECK(rtns->input(fb, &ev, 0));
        CHECK_EQ(ev.type, want[i][0]);
        CHECK_EQ(ev.value.keycode, want[i][1]);
    }
    CHECK(!rtns->input(fb, &ev, 0));
    /* behind: the console draws; the page draws and updates, off the display */
    fake_fb[5] = 0xabcdef;
    ((uint32_t *)fb->ptr)[5] = 0x00ff00;
    unsigned flushes = fake_flushes;
    nsfb_bbox_t box = {0, 0, DW, DH};
    CHECK_EQ(rtns->update(fb, &box), 0);
    CHECK_EQ(fake_flushes, flushes);
    CHECK_EQ(fake_fb[5], 0xabcdef);
    CHECK(rtns->geometry(fb, DW, DH, NSFB_FMT_XRGB8888) != 0);  /* no mode change under the console */
    anx_input_key(&kbd, ANX_KEY_A, 1);                          /* the console's key */
    anx_input_key(&kbd, ANX_KEY_A, 0);
    drain();
    CHECK(!rtns->input(fb, &ev, 0));
    /* back to the page: the whole of it on the display, flushed by the browser thread */
    chord(ANX_KEY_F1);
    CHECK(!console.front);
    CHECK_EQ(console_hidden, 2);
    CHECK(fb->ptr == (uint8_t *)fake_fb);
    CHECK_EQ(fake_fb[5], 0x00ff00);
    CHECK(!rtns->input(fb, &ev, 0));                            /* the releases of keys it never saw: none */
    CHECK_EQ(fake_flushes, flushes + 1);
    CHECK_EQ(last_flush[0], 0);
    CHECK_EQ(last_flush[1], 0);
    CHECK_EQ(last_flush[2], DW);
    CHECK_EQ(last_flush[3], DH);
    /* an operator's choice holds across a restart of the page ... */
    CHECK_EQ(anx_screen_show(2), 0);
    CHECK(console.front);
    rtns->finalise(fb);
    CHECK(console.front);
    CHECK_EQ(rtns->initialise(fb), 0);
    CHECK(console.front);
    CHECK(fb->ptr != (uint8_t *)fake_fb);
    CHECK_EQ(anx_screen_show(1), 0);
    CHECK(fb->ptr == (uint8_t *)fake_fb);
    /* ... and a page that goes away in front gives the display to the console */
    int shown = console_shown;
    rtns->finalise(fb);
    CHECK(console.front);
    CHECK_EQ(console_shown, shown + 1);
    CHECK_EQ(anx_screen_show(7), ANX_ENOENT);
    anx_screen_unregister(&console);
    CHECK(anx_screen_front() == NULL);
    free(fb);
}

/* ---- fonts ---------------------------------------------------------------------- */

#define FONTDIR "/usr/share/fonts/truetype/dejavu/"

/* The faces an image has (gfx's two and the browser module's files:),
 * read from the host once and kept for the program's life. */
static const char *const image_fonts[] = {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
                                          "DejaVuSerif-Bold.ttf", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"};
static struct { uint8_t *data; size_t size; } loaded[6];

static int host_font_find(const char *path, const void **data, size_t *size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (unsigned i = 0; i < 6; i++) {
        if (host_strcmp(base, image_fonts[i]))
            continue;
        if (!loaded[i].data) {
            char host[256];
            snprintf(host, sizeof host, FONTDIR "%s", base);
            FILE *f = fopen(host, "rb");
            if (!f)
                return ANX_ENOENT;
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            uint8_t *d = malloc_host((size_t)n);
            size_t got = d ? fread(d, 1, (size_t)n, f) : 0;
            fclose(f);
            if (got != (size_t)n) {
                free_host(d);
                return ANX_EIO;
            }
            loaded[i].data = d;
            loaded[i].size = (size_t)n;
        }
        *data = loaded[i].data;
        *size = loaded[i].size;
        return 0;
    }
    return ANX_ENOENT;                 /* not in the image (the italic faces) */
}

static plot_font_style_t style(plot_font_generic_family_t fam, int pt, int weight, int flags)
{
    return (plot_font_style_t){.family = fam, .size = pt * PLOT_STYLE_SCALE, .weight = weight,
                               .flags = (plot_font_flags_t)flags, .foreground = 0x123456};
}

static int width(const plot_font_style_t *fs, const char *s)
{
    int w = -1;
    CHECK_EQ(framebuffer_layout_table->width(fs, s, strlen(s), &w), NSERROR_OK);
    return w;
}

static bool have_fonts;

/* An archive without font files for named families. */
static int no_entries(size_t i, struct anx_file *out)
{
    (void)i;
    (void)out;
    return -1;
}

TEST(font_init)
{
    FILE *probe = fopen(FONTDIR "DejaVuSans.ttf", "rb");
    if (!probe) {
        printf("skip  browser/glue: fonts: " FONTDIR "DejaVuSans.ttf is not installed "
               "(scripts/setup.sh installs fonts-dejavu-core)\n");
        return;
    }
    fclose(probe);
    browser_font_find = host_font_find;
    browser_font_entry = no_entries;
    have_fonts = fb_font_init();
    CHECK(have_fonts);
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    CHECK_EQ(browser_font_px(&fs), 16);                         /* 12 pt at 96 dpi */
    fs.size = 10 * PLOT_STYLE_SCALE;
    CHECK_EQ(browser_font_px(&fs), 13);                         /* 13.33 */
    fs.size = 9600;                                             /* 9.375 pt: 12.5 rounds up */
    CHECK_EQ(browser_font_px(&fs), 13);
    fs.size = 1;
    CHECK_EQ(browser_font_px(&fs), 4);                          /* clamped */
    fs.size = 2000 * PLOT_STYLE_SCALE;
    CHECK_EQ(browser_font_px(&fs), 512);
    /* font-size: 0 is no text: nothing measured, drawn or tall */
    fs.size = 0;
    CHECK_EQ(browser_font_px(&fs), 0);
    int w = -1;
    CHECK_EQ(fb_font_width(&fs, "Hello", 5, &w), NSERROR_OK);
    CHECK_EQ(w, 0);
    int a = -1, d = -1, xh = -1;
    browser_font_metrics(&fs, &a, &d, &xh);
    CHECK_EQ(a, 0);
    CHECK_EQ(d, 0);
    CHECK_EQ(xh, 0);
}

TEST(font_width)
{
    if (!have_fonts)
        return;
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    const char *texts[] = {"Hello, world!", "The quick brown fox jumps over the lazy dog", "iiii WWWW 0123"};
    for (unsigned t = 0; t < 3; t++) {
        int sum = 0;
        char one[2] = {0, 0};
        for (const char *p = texts[t]; *p; p++) {
            one[0] = *p;
            sum += width(&fs, one);
        }
        CHECK_EQ(width(&fs, texts[t]), sum);                   /* additive */
    }
    CHECK(width(&fs, "Hello") > 20 && width(&fs, "Hello") < 60);
    /* whole-pixel advances stay close to the font's exact ones over a line
     * (rounded, not truncated: truncating loses ~half a pixel a glyph) */
    const void *d;
    size_t n;
    CHECK_EQ(host_font_find("/fonts/DejaVuSans.ttf", &d, &n), 0);
    struct gfx_font *f = gfx_font_load(d, n, "sans", NULL, 0);
    struct gfx_face *face = f ? gfx_face_new(f, browser_font_px(&fs), 0) : NULL;
    CHECK(face != NULL);
    if (face) {
        int exact = gfx_text_width(face, texts[1], strlen(texts[1]));
        int ours = width(&fs, texts[1]);
        CHECK(ours - exact <= 5 && exact - ours <= 5);
        gfx_face_free(face);
    }
    gfx_font_free(f);
    CHECK_EQ(width(&fs, ""), 0);
    /* faces: bold is wider, monospace is monospaced, serif differs */
    plot_font_style_t bold = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 700, 0);
    CHECK(width(&bold, "Hello world") > width(&fs, "Hello world"));
    plot_font_style_t mono = style(PLOT_FONT_FAMILY_MONOSPACE, 12, 400, 0);
    CHECK_EQ(width(&mono, "iiii"), width(&mono, "MMMM"));
    CHECK(width(&fs, "iiii") < width(&fs, "MMMM"));
    plot_font_style_t serif = style(PLOT_FONT_FAMILY_SERIF, 12, 400, 0);
    CHECK(width(&serif, "Hello world") != width(&fs, "Hello world"));
    /* italic: no oblique file in the image, so the upright face */
    plot_font_style_t it = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, FONTF_ITALIC);
    CHECK(width(&it, "Hello world") > 0);
    /* cursive and fantasy use sans */
    plot_font_style_t cur = style(PLOT_FONT_FAMILY_CURSIVE, 12, 400, 0);
    CHECK_EQ(width(&cur, "Hello world"), width(&fs, "Hello world"));
    /* bigger is wider; zero-width characters measure nothing */
    plot_font_style_t big = style(PLOT_FONT_FAMILY_SANS_SERIF, 24, 400, 0);
    CHECK(width(&big, "Hello") > width(&fs, "Hello") * 3 / 2);
    CHECK_EQ(width(&fs, "a\xe2\x80\x8b" "b"), width(&fs, "ab"));
    /* broken UTF-8 measures as replacement characters, one a byte */
    CHECK_EQ(width(&fs, "\xc3"), width(&fs, "\xef\xbf\xbd"));
}

TEST(font_position)
{
    if (!have_fonts)
        return;
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    const char *s = "Wab";
    int ww = width(&fs, "W"), wa = width(&fs, "a");
    size_t off;
    int ax;
    CHECK_EQ(framebuffer_layout_table->position(&fs, s, 3, 0, &off, &ax), NSERROR_OK);
    CHECK_EQ(off, 0);
    CHECK_EQ(ax, 0);
    framebuffer_layout_table->position(&fs, s, 3, ww / 2 - 1, &off, &ax);   /* left half of W */
    CHECK_EQ(off, 0);
    CHECK_EQ(ax, 0);
    framebuffer_layout_table->position(&fs, s, 3, ww / 2 + 1, &off, &ax);   /* right half */
    CHECK_EQ(off, 1);
    CHECK_EQ(ax, ww);
    framebuffer_layout_table->position(&fs, s, 3, ww + wa / 2 + 1, &off, &ax);
    CHECK_EQ(off, 2);
    CHECK_EQ(ax, ww + wa);
    framebuffer_layout_table->position(&fs, s, 3, 1000, &off, &ax);          /* past the end */
    CHECK_EQ(off, 3);
    CHECK_EQ(ax, width(&fs, s));
    /* a two-byte character: offsets are bytes */
    const char *u = "\xc3\xa4x";                                /* äx */
    int wu = width(&fs, "\xc3\xa4");
    framebuffer_layout_table->position(&fs, u, 3, wu + 1, &off, &ax);
    CHECK_EQ(off, 2);
    CHECK_EQ(ax, wu);
}

TEST(font_split)
{
    if (!have_fonts)
        return;
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    const char *s = "hello world foo";
    size_t len = strlen(s), off;
    int ax;
    /* room for "hello wor": break at the space after hello */
    CHECK_EQ(framebuffer_layout_table->split(&fs, s, len, width(&fs, "hello wor"), &off, &ax), NSERROR_OK);
    CHECK_EQ(off, 5);
    CHECK_EQ(ax, width(&fs, "hello"));
    /* room for "hello world f": at the second space */
    framebuffer_layout_table->split(&fs, s, len, width(&fs, "hello world f"), &off, &ax);
    CHECK_EQ(off, 11);
    CHECK_EQ(ax, width(&fs, "hello world"));
    /* room for less than the first word: the first space after it */
    framebuffer_layout_table->split(&fs, s, len, 3, &off, &ax);
    CHECK_EQ(off, 5);
    CHECK_EQ(ax, width(&fs, "hello"));
    /* everything fits, or no space at all: no split (length) */
    framebuffer_layout_table->split(&fs, s, len, 10000, &off, &ax);
    CHECK_EQ(off, len);
    CHECK_EQ(ax, width(&fs, s));
    framebuffer_layout_table->split(&fs, "helloworld", 10, 5, &off, &ax);
    CHECK_EQ(off, 10);
    /* a leading space is no break: never offset 0 */
    framebuffer_layout_table->split(&fs, " ab cd", 6, 2, &off, &ax);
    CHECK_EQ(off, 3);
    CHECK_EQ(ax, width(&fs, " ab"));
}

TEST(font_plot)
{
    if (!have_fonts)
        return;
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    nplotted = 0;
    CHECK_EQ(browser_font_plot_text(NULL, &fs, 10, 50, "ab c", 4), NSERROR_OK);
    CHECK_EQ(nplotted, 3);                                      /* the space has no bitmap */
    CHECK_EQ(plotted[0].c, 0x123456);
    for (int i = 0; i < nplotted; i++) {
        CHECK(plotted[i].ink > 0);
        CHECK(plotted[i].loc.y1 <= 50 + 4);                     /* on the baseline (no descenders here) */
        CHECK(plotted[i].loc.y0 < 50 - 5);
        CHECK_EQ(plotted[i].pitch, plotted[i].loc.x1 - plotted[i].loc.x0);
    }
    int b_x0 = plotted[1].loc.x0, c_x0 = plotted[2].loc.x0;
    /* each glyph where the measured width of what precedes it puts it */
    nplotted = 0;
    browser_font_plot_text(NULL, &fs, 10 + width(&fs, "a"), 50, "b", 1);
    CHECK_EQ(plotted[0].loc.x0, b_x0);
    nplotted = 0;
    browser_font_plot_text(NULL, &fs, 10 + width(&fs, "ab "), 50, "c", 1);
    CHECK_EQ(plotted[0].loc.x0, c_x0);
    struct browser_font_stats st;
    browser_font_stats(&st);
    CHECK(st.glyphs_drawn >= 5);
    CHECK(st.cache_hits > 0);
    CHECK(st.faces >= 1);
    CHECK(fb_font_finalise());
}

/* ---- named families -------------------------------------------------------------- */

/* The CSS tests' Ahem font (argv[1]; ../shared/testdata has it). */
static struct { uint8_t *data; size_t size; } ahem;
static const uint8_t not_a_font[] = "this is not a TrueType file";

/* A files archive as an image would list it (sorted), with names that are
 * not font files for named families: another folder, a deeper one,
 * another extension, a file that is not a font. The Ahem entries are
 * there when argv[1] names the font. */
static const char *const entry_paths[] = {
    "/css21/ahem/ahem.ttf", "/fonts/Ahem.ttf", "/fonts/DejaVuSans.ttf", "/fonts/DejaVuSansMono.ttf",
    "/fonts/NotAFont.ttf", "/fonts/Readme.txt", "/fonts/sub/Deep.ttf", "/netsurf/Messages"};
static struct anx_file entries[8];
static size_t nentries;

static void entries_init(void)
{
    nentries = 0;
    for (size_t i = 0; i < sizeof entry_paths / sizeof entry_paths[0]; i++) {
        const char *p = entry_paths[i];
        struct anx_file f = {.path = p, .path_len = strlen(p), .data = not_a_font, .size = sizeof not_a_font};
        if (strstr(p, "hem.ttf")) {
            if (!ahem.data)
                continue;
            f.data = ahem.data;
            f.size = ahem.size;
        } else if (strstr(p, "DejaVu")) {
            CHECK_EQ(host_font_find(p, &f.data, &f.size), 0);
        }
        entries[nentries++] = f;
    }
}

static int host_font_entry(size_t i, struct anx_file *out)
{
    if (i >= nentries)
        return -1;
    *out = entries[i];
    return 0;
}

/* An interned string as libwapcaplet lays it out (its text follows the
 * header), for a style's families list; the list is freed by the test. */
static lwc_string *fake_lwc(const char *text)
{
    size_t n = strlen(text);
    lwc_string *l = calloc(1, sizeof *l + n + 1);
    l->len = n;
    memcpy((char *)(l + 1), text, n + 1);
    return l;
}

/* A NULL-terminated families list of up to 3 names (calloc'd). */
static lwc_string **families(const char *a, const char *b, const char *c)
{
    lwc_string **l = calloc(4, sizeof *l);
    const char *names[] = {a, b, c};
    for (unsigned i = 0, n = 0; i < 3; i++)
        if (names[i])
            l[n++] = fake_lwc(names[i]);
    return l;
}

static void families_free(lwc_string **l)
{
    for (lwc_string **f = l; *f; f++)
        free(*f);
    free(l);
}

/* The width of s with a style whose families list is a, b, c. */
static int named_width(plot_font_style_t fs, const char *a, const char *b, const char *c, const char *s)
{
    lwc_string **l = families(a, b, c);
    fs.families = l;
    int w = width(&fs, s);
    families_free(l);
    return w;
}

/* font-family names: the first the image has a file for (/fonts/NAME.ttf,
 * any case); names it lacks, or that are not plain font files there, fall
 * back to the generic family */
TEST(font_named_family)
{
    if (!have_fonts)
        return;
    entries_init();
    browser_font_entry = host_font_entry;
    CHECK(fb_font_init());
    plot_font_style_t sans = style(PLOT_FONT_FAMILY_SANS_SERIF, 12, 400, 0);
    plot_font_style_t mono = style(PLOT_FONT_FAMILY_MONOSPACE, 12, 400, 0);
    int w_sans = width(&sans, "iiii"), w_mono = width(&mono, "iiii");
    CHECK(w_sans != w_mono);
    CHECK_EQ(named_width(sans, "Nope", "DejaVuSansMono", NULL, "iiii"), w_mono);   /* the second */
    CHECK_EQ(named_width(sans, "dejavusansmono", NULL, NULL, "iiii"), w_mono);     /* any case */
    CHECK_EQ(named_width(sans, "DEJAVUSANSMONO", NULL, NULL, "iiii"), w_mono);
    CHECK_EQ(named_width(mono, "DejaVuSans", NULL, NULL, "iiii"), w_sans);         /* over the generic */
    CHECK_EQ(named_width(sans, "Nope", NULL, NULL, "iiii"), w_sans);
    CHECK_EQ(named_width(mono, "Nope", NULL, NULL, "iiii"), w_mono);               /* generic fallback */
    CHECK_EQ(named_width(sans, "DejaVuSansMono.ttf", "../fonts/DejaVuSansMono", "DejaVuSansMon", "iiii"), w_sans);
    CHECK_EQ(named_width(sans, "Deep", "sub/Deep", "Readme", "iiii"), w_sans);    /* not /fonts/NAME.ttf */
    CHECK_EQ(named_width(sans, "NotAFont", NULL, NULL, "iiii"), w_sans);          /* logged once, then skipped */
    CHECK_EQ(named_width(sans, "NotAFont", "DejaVuSansMono", NULL, "iiii"), w_mono);
    CHECK_EQ(named_width(sans, "", NULL, NULL, "iiii"), w_sans);
    lwc_string *none[] = {NULL};
    sans.families = none;                                       /* an empty list */
    CHECK_EQ(width(&sans, "iiii"), w_sans);
    /* the face named is drawn, where its own widths put each glyph */
    lwc_string **l = families("DejaVuSansMono", NULL, NULL);
    sans.families = l;
    nplotted = 0;
    browser_font_plot_text(NULL, &sans, 10, 50, "iWi", 3);
    CHECK_EQ(nplotted, 3);
    int x_mono_W = plotted[1].loc.x0;
    nplotted = 0;
    browser_font_plot_text(NULL, &sans, 10 + width(&sans, "i"), 50, "W", 1);
    CHECK_EQ(plotted[0].loc.x0, x_mono_W);
    families_free(l);
    CHECK(fb_font_finalise());
    /* what finalise closed is listed and opened again by the next init */
    CHECK(fb_font_init());
    CHECK_EQ(named_width(sans, "DejaVuSansMono", NULL, NULL, "iiii"), w_mono);
    CHECK(fb_font_finalise());
    browser_font_entry = no_entries;
}

/* Ahem, the CSS tests' font: every glyph but a few is a square of the em
 * box, ascent 0.8 em, so an 'X' of 20 px is a black 20x20 square whose
 * bottom is 4 px below the baseline, and a run of them is 20 px a glyph
 * wide, measured and drawn */
TEST(font_ahem)
{
    if (!have_fonts)
        return;
    if (!ahem.data) {
        printf("skip  browser/glue: font_ahem: no Ahem font given (argv[1]: ../shared/testdata/"
               "html/csswg-css21/ahem/ahem.ttf)\n");
        return;
    }
    entries_init();
    browser_font_entry = host_font_entry;
    CHECK(fb_font_init());
    plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, 15, 400, 0);   /* font-size: 20px is 15 pt */
    CHECK_EQ(browser_font_px(&fs), 20);
    lwc_string **l = families("ahem", NULL, NULL);                           /* as the tests spell it */
    fs.families = l;
    fs.foreground = 0x000000;
    CHECK_EQ(width(&fs, "X"), 20);
    CHECK_EQ(width(&fs, "X X"), 60);                           /* the space is an em too */
    CHECK_EQ(width(&fs, "XpÉ"), 60);
    plot_font_style_t bold = fs;
    bold.weight = 700;                                          /* no bold Ahem: the same squares */
    CHECK_EQ(width(&bold, "XX"), 40);
    memset(canvas, 0, sizeof canvas);
    nplotted = 0;
    CHECK_EQ(browser_font_plot_text(NULL, &fs, 10, 50, "X", 1), NSERROR_OK);
    CHECK_EQ(nplotted, 1);
    CHECK_EQ(plotted[0].c, 0x000000);
    int inside = 0, outside = 0;
    for (int y = 0; y < CANVAS; y++)
        for (int x = 0; x < CANVAS; x++) {
            bool in = x >= 10 && x < 30 && y >= 50 - 16 && y < 50 + 4;
            if (in)
                inside += canvas[y][x] == 255;
            else
                outside += canvas[y][x] != 0;
        }
    CHECK_EQ(inside, 400);                                      /* every pixel of the square, fully */
    CHECK_EQ(outside, 0);                                       /* and nothing else */
    /* two glyphs side by side: one 40x20 black bar, no seam */
    memset(canvas, 0, sizeof canvas);
    browser_font_plot_text(NULL, &fs, 10, 50, "XX", 2);
    inside = 0;
    for (int y = 34; y < 54; y++)
        for (int x = 10; x < 50; x++)
            inside += canvas[y][x] == 255;
    CHECK_EQ(inside, 800);
    CHECK_EQ(canvas[40][50], 0);
    /* the baseline in a line box: 0.8 em down at line-height 1, half the
     * leading more in a taller line, less in a shorter one */
    CHECK_EQ(browser_font_baseline(&fs, 20), 16);
    CHECK_EQ(browser_font_baseline(&fs, 30), 21);
    CHECK_EQ(browser_font_baseline(&fs, 26), 19);
    CHECK_EQ(browser_font_baseline(&fs, 17), 14);               /* -3 leading: -2 above */
    /* the metrics the line layout aligns with: Ahem's ascent 0.8 em,
     * descent 0.2 em, and its 'x' a full square above the baseline */
    int a = 0, d = 0, xh = 0;
    browser_font_metrics(&fs, &a, &d, &xh);
    CHECK_EQ(a, 16);
    CHECK_EQ(d, 4);
    CHECK_EQ(xh, 16);
    families_free(l);
    CHECK(fb_font_finalise());
    browser_font_entry = no_entries;
}

/* DejaVu text drawn on browser_font_baseline() stays inside its line box,
 * ascenders and descenders, at NetSurf's normal line height (1.3 em) and
 * at line-height 1.2, with the leading shared evenly */
TEST(font_baseline)
{
    if (!have_fonts)
        return;
    CHECK(fb_font_init());
    for (int pt = 9; pt <= 30; pt += 3) {
        plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, pt, 400, 0);
        int px = browser_font_px(&fs);
        for (int tenths = 12; tenths <= 13; tenths++) {
            int h = px * tenths / 10;
            int base = browser_font_baseline(&fs, h);
            memset(canvas, 0, sizeof canvas);
            browser_font_plot_text(NULL, &fs, 0, 20 + base, "Hg", 2);
            int top = CANVAS, bottom = 0;                       /* the rows with ink */
            for (int y = 0; y < CANVAS; y++)
                for (int x = 0; x < CANVAS; x++)
                    if (canvas[y][x]) {
                        top = y < top ? y : top;
                        bottom = y + 1;
                    }
            CHECK(top >= 20);                                   /* H's top below the line's */
            CHECK(bottom <= 20 + h);                            /* g's tail above its end */
            int above = top - 20, below = 20 + h - bottom;
            CHECK(above - below <= px / 4 && below - above <= px / 4);
        }
    }
    CHECK(fb_font_finalise());
}

TEST(font_faces_bounded)
{
    if (!have_fonts)
        return;
    CHECK(fb_font_init());
    /* 40 sizes: the table keeps at most 16 faces open */
    for (int pt = 6; pt < 46; pt++) {
        plot_font_style_t fs = style(PLOT_FONT_FAMILY_SANS_SERIF, pt, 400, 0);
        CHECK(width(&fs, "x") > 0);
    }
    struct browser_font_stats st;
    browser_font_stats(&st);
    CHECK_EQ(st.faces, 16);
    CHECK(st.face_evictions >= 24);
    CHECK(fb_font_finalise());
}

/* argv[1], the Ahem font, is read into memory for the fake archive. */
static void ahem_load(const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    ahem.data = n > 0 ? malloc_host((size_t)n) : NULL;
    if (ahem.data && fread(ahem.data, 1, (size_t)n, f) == (size_t)n)
        ahem.size = (size_t)n;
    else {
        free_host(ahem.data);
        ahem.data = NULL;
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    unit_threads_init(64u << 20);
    ahem_load(argc > 1 ? argv[1] : NULL);
    RUN(special_keys);
    RUN(keys_us);
    RUN(keys_de);
    RUN(pointer_buttons_wheel);
    RUN(registered);
    RUN(surface_direct);
    RUN(surface_converts);
    RUN(surface_input);
    RUN(surface_screens);
    RUN(font_init);
    RUN(font_width);
    RUN(font_position);
    RUN(font_split);
    RUN(font_plot);
    RUN(font_faces_bounded);
    RUN(font_baseline);
    RUN(font_named_family);
    RUN(font_ahem);
    free_host(ahem.data);
    for (unsigned i = 0; i < 6; i++)
        free_host(loaded[i].data);
    return unit_done();
}
