/*
 * The libnsfb surface "anunix" (nsfb_anunix.c): NetSurf's framebuffer
 * front end draws on the first display of the core's display registry and
 * reads the input registry through it (`netsurf -f anunix -w W -h H URL`).
 *
 * Drawing: nsfb's framebuffer is the display's own memory when the
 * formats agree (XRGB8888 or RGB565: what libnsfb and the displays both
 * call them), else a buffer in RAM converted on each update; an update
 * flushes the damaged rectangle. The front end's geometry is applied as a
 * display mode when the display can switch to it, else the display's own
 * mode is used. The pointer is libnsfb's software cursor, shown once a
 * pointer device has reported something (as the framebuffer console does).
 *
 * Input: a listener translates each registry event into libnsfb events
 * (browser_nsfb_translate) and queues them in a bounded ring; the surface's
 * input routine waits on it with the front end's timeout, never spinning.
 * Printable keys carry the keymap's character (FBTK_KEY_UCS4 | character,
 * scripts/third_party/netsurf/0003-fbtk-keymap-characters.patch), so the
 * manifest's `keymap: de` types ä, ß, € and AltGr characters; Ctrl
 * shortcuts send the key's unshifted letter of the keymap.
 */
#ifndef BROWSER_NSFB_ANUNIX_H
#define BROWSER_NSFB_ANUNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/input.h>
#include <libnsfb.h>
#include <libnsfb_event.h>

/* The key code bit of 0003-fbtk-keymap-characters.patch (fbtk.h's
 * FBTK_KEY_UCS4): the low bits are a Unicode character. */
#define BROWSER_NSFB_UCS4 0x1000000

/* Translation state: what each held key was sent as (its release sends
 * the same code), and the pointer position last sent. */
struct browser_nsfb_xlate {
    int32_t down[ANX_KEY_MAX + 1];
    int32_t x, y;
    bool have_pos;
    bool pointer_seen;
};

/* Most libnsfb events one registry event turns into (a wheel of several
 * steps is capped at this many presses and releases, after a move). */
#define BROWSER_NSFB_XLATE_MAX 17

/* Translate ev into up to BROWSER_NSFB_XLATE_MAX events in out; returns
 * how many (0: nothing for the browser, e.g. a key without a code). */
size_t browser_nsfb_translate(struct browser_nsfb_xlate *st, const struct anx_input_event *ev, nsfb_event_t *out);

/* The libnsfb code of a key that is not a character (Enter, arrows,
 * modifiers, F1 ...), NSFB_KEY_UNKNOWN for the others. */
enum nsfb_key_code_e browser_nsfb_special_key(uint16_t code);

struct browser_nsfb_stats {
    uint64_t queued, delivered;        /* libnsfb events */
    uint64_t dropped;                  /* lost because the ring was full */
    uint64_t folded;                   /* pointer moves merged into the one waiting */
    uint64_t latency_max_ns, latency_sum_ns;   /* report -> front end, of delivered events */
    uint64_t waits, timeouts;          /* input calls that blocked; of them, ran out */
    uint64_t updates, flushed_pixels;
    uint64_t converted_pixels;         /* RAM buffer -> display (formats differ) */
    unsigned ring_peak;                /* most events waiting at once */
};
void browser_nsfb_stats(struct browser_nsfb_stats *st);

/* Ask the front end to quit: its next input call returns a
 * NSFB_CONTROL_QUIT event (any thread). */
void browser_nsfb_quit(void);
/* Makes a waiting input call return with no event, so the front end's loop
 * runs its scheduler again: for work another thread scheduled for it. */
void browser_nsfb_wake(void);

#endif
