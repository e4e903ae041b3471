/*
 * The framebuffer console: the console's output on the first display, in
 * DejaVu Sans Mono, and the keyboard as the console's input.
 *
 * Output: a console output (anx_console_add_output) copies every byte into
 * a ring, from any context; a poll hook wakes the "fbcon" thread, which
 * feeds the ring to the terminal (term.c) and draws what changed: a
 * scroll is one copy of the pixels, then only the rows marked dirty are
 * drawn and flushed. The boot log written before the module started is
 * replayed from the log buffer.
 *
 * Input: an input listener turns key presses into the bytes a terminal
 * sends (anx_console_input), so the shell reads the keyboard as it reads
 * the serial line, and moves a pointer sprite (drawn by the fbcon thread,
 * with what was under it saved and put back).
 *
 * The console is the screen of Ctrl-Alt-F2 (<anx/screen.h>): a page on F1
 * (the browser) takes the display from it, and the chord brings it back.
 * While behind, keys do not reach the console and nothing is drawn (the
 * registry's s->front, set before the page draws, is checked before every
 * frame); output still goes into the grid, so coming forward shows the
 * present.
 *
 * All drawing happens in the fbcon thread: threads are cooperative, but a
 * flush may sleep, so one drawer keeps the screen consistent.
 */
#define LOG_TAG "fbcon"
#include <anx/command.h>
#include <anx/console.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/screen.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "gfx.h"
#include "term.h"

#define RING_SIZE (64 * 1024)          /* output bytes waiting for the thread */
#define FEED_CHUNK 4096                /* bytes fed per frame, so a flood still shows progress */
#define BLINK_NS (500 * ANX_NS_PER_MS)
#define THREAD_STACK (32 * 1024)

/* xterm's 16 colors */
static const gfx_color palette[16] = {
    0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x3465e0, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
    0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

/* ---- the ring (any context) ------------------------------------------------ */

static char ring[RING_SIZE];
static size_t ring_head, ring_tail;    /* free-running; head - tail bytes are waiting */
static unsigned long ring_dropped;
static volatile bool gave_up;          /* no display, no font: stop collecting */
static struct anx_waitq wake = ANX_WAITQ_INIT;
static volatile unsigned pending;      /* PEND_* for the thread */
enum { PEND_SHOW = 1, PEND_HIDE = 2, PEND_POINTER = 4, PEND_BENCH = 8 };

static void ring_put(const char *s, size_t n, void *arg)
{
    (void)arg;
    if (gave_up)
        return;
    unsigned long f = plat_irq_save();
    size_t room = RING_SIZE - (ring_head - ring_tail);
    if (n > room) {
        ring_dropped += n - room;
        n = room;
    }
    for (size_t i = 0; i < n; i++)
        ring[(ring_head + i) % RING_SIZE] = s[i];
    ring_head += n;
    plat_irq_restore(f);
}

/* The writer only copies (the console asks that of an output: it may be
 * an interrupt handler or a panic); this hook, called by anx_yield and
 * the idle loop, wakes the thread when bytes wait. */
static void kick(void *arg)
{
    (void)arg;
    if (ring_head != ring_tail)
        anx_waitq_wake_one(&wake);
}

static struct anx_poll_hook kick_hook = {.fn = kick};

/* Take up to n bytes out of the ring. */
static size_t ring_take(char *out, size_t n)
{
    unsigned long f = plat_irq_save();
    size_t have = ANX_MIN(n, ring_head - ring_tail);
    for (size_t i = 0; i < have; i++)
        out[i] = ring[(ring_tail + i) % RING_SIZE];
    ring_tail += have;
    plat_irq_restore(f);
    return have;
}

static struct anx_console_output output = {.write = ring_put};

/* Ask the fbcon thread to do something (PEND_*); any context. */
static void request(unsigned what)
{
    unsigned long f = plat_irq_save();
    pending |= what;
    anx_waitq_wake_one(&wake);
    plat_irq_restore(f);
}


/* ---- the screen (fbcon thread only) ---------------------------------------- */

static struct anx_display *disp;
static struct gfx_surface scr;
static struct gfx_font *font;
static struct gfx_face *face;
static struct gfx_metrics fm;
static struct fbcon_term term;
static int cw, ch;                     /* cell size, pixels */
static bool visible;                   /* drawn: in front, as the thread last saw it */
static void on_switched(struct anx_screen *s, bool front);
static struct anx_screen screen = {.name = "console", .key = 2, .switched = on_switched};
static bool blink_on = true;           /* the blink phase */
static int drawn_cx = -1, drawn_cy = -1;   /* where the cursor is drawn (-1: nowhere) */
static struct gfx_rect damage, ptr_damage;   /* flushed apart: the pointer is usually far from the text */

/* ---- pointer sprite: X outline, . fill, hot spot top left ---- */
static const char *const arrow[] = {
    "X           ", "XX          ", "X.X         ", "X..X        ", "X...X       ", "X....X      ",
    "X.....X     ", "X......X    ", "X.......X   ", "X........X  ", "X.........X ", "X......XXXXX",
    "X...X..X    ", "X..XX..X    ", "X.X  X..X   ", "XX   X..X   ", "X     X..X  ", "      X..X  ",
    "       XX   ",
};
#define ARROW_W 12
#define ARROW_H 19
static uint32_t under_px[ARROW_W * ARROW_H];   /* what the sprite covers, in the display's format */
static struct gfx_surface under;
static bool pointer_seen;              /* a pointer event arrived: draw the sprite */
static bool pointer_drawn;
static int ptr_x, ptr_y;               /* where it is drawn */

static void add_damage(int x, int y, int w, int h)
{
    gfx_rect_union(&damage, &(struct gfx_rect){x, y, w, h});
}

static void pointer_hide(void)
{
    if (!pointer_drawn)
        return;
    gfx_blit(&scr, ptr_x, ptr_y, &under, NULL);
    gfx_rect_union(&ptr_damage, &(struct gfx_rect){ptr_x, ptr_y, ARROW_W, ARROW_H});
    pointer_drawn = false;
}

static void pointer_show(void)
{
    if (!pointer_seen || pointer_drawn)
        return;
    int32_t x, y;
    anx_input_pointer(&x, &y);
    ptr_x = x;
    ptr_y = y;
    gfx_blit(&under, 0, 0, &scr, &(struct gfx_rect){ptr_x, ptr_y, ARROW_W, ARROW_H});
    for (int j = 0; j < ARROW_H; j++)
        for (int i = 0; i < ARROW_W; i++)
            if (arrow[j][i] != ' ')
                gfx_put(&scr, ptr_x + i, ptr_y + j, arrow[j][i] == 'X' ? 0x000000 : 0xffffff);
    gfx_rect_union(&ptr_damage, &(struct gfx_rect){ptr_x, ptr_y, ARROW_W, ARROW_H});
    pointer_drawn = true;
}

static void draw_row(int y)
{
    struct gfx_rect row = {0, y * ch, term.cols * cw, ch};
    gfx_set_clip(&scr, &row);          /* glyphs that overhang their cell stay in the row */
    bool cursor_here = visible && term.cursor_visible && blink_on && y == term.cy;
    for (int x = 0; x < term.cols; x++) {
        const struct fbcon_cell *c = fbcon_term_cell(&term, x, y);
        int fg = c->fg, bg = c->bg;
        if ((c->attr & FBCON_BOLD) && fg < 8)
            fg += 8;
        if ((c->attr & FBCON_REVERSE) != (cursor_here && x == term.cx)) {
            int t = fg;
            fg = bg;
            bg = t;
        }
        gfx_fill_rect(&scr, x * cw, y * ch, cw, ch, palette[bg]);
        if (c->ch != ' ' && c->ch) {
            const struct gfx_glyph *g = gfx_face_glyph(face, c->ch);
            if (g && g->bitmap)
                gfx_mask(&scr, x * cw + g->xoff, y * ch + fm.ascent + g->yoff, g->bitmap, g->w, g->h, g->w,
                         palette[fg]);
        }
    }
    gfx_set_clip(&scr, NULL);
    add_damage(row.x, row.y, row.w, row.h);
    term.dirty[y] = 0;
}

/* Another module changed the display's mode (the framebuffer may have
 * moved): draw into the new one, with a grid of the new size holding the
 * old grid's last rows. */
static void follow_mode(void)
{
    const struct anx_display_mode *m = &disp->mode;
    if (disp->fb == scr.px && (int)m->width == scr.width && (int)m->height == scr.height &&
        (int)m->stride == scr.stride && m->format == scr.format)
        return;
    struct gfx_surface ns, nu;
    struct fbcon_term nt;
    if (gfx_surface_display(&ns, disp) ||
        gfx_surface_init(&nu, under_px, ARROW_W, ARROW_H, ARROW_W * 4, m->format) ||
        fbcon_term_init(&nt, ns.width / cw, ns.height / ch)) {
        log_error("%s: cannot follow the mode change to %ux%u: the console stops drawing", disp->name,
                  (unsigned)m->width, (unsigned)m->height);
        visible = false;
        return;
    }
    int keep = ANX_MIN(nt.rows, term.cy + 1), from = term.cy + 1 - keep;
    for (int y = 0; y < keep; y++)
        for (int x = 0; x < ANX_MIN(nt.cols, term.cols); x++)
            *fbcon_term_cell(&nt, x, y) = *fbcon_term_cell(&term, x, from + y);
    nt.cx = ANX_MIN(term.cx, nt.cols - 1);
    nt.cy = keep - 1;
    nt.fg = term.fg, nt.bg = term.bg, nt.attr = term.attr, nt.cursor_visible = term.cursor_visible;
    fbcon_term_free(&term);
    term = nt;
    scr = ns;
    under = nu;
    pointer_drawn = false;
    drawn_cx = drawn_cy = -1;
    gfx_clear(&scr, 0);
    memset(term.dirty, 1, (size_t)term.rows);
    log_info("%s is now %dx%d: %dx%d cells", disp->name, scr.width, scr.height, term.cols, term.rows);
}

/* Bring the screen up to the grid. */
static void render(void)
{
    follow_mode();
    if (!visible || !screen.front)
        return;
    damage = ptr_damage = (struct gfx_rect){0, 0, 0, 0};
    pointer_hide();
    int n = term.scrolled;
    term.scrolled = 0;
    if (n >= term.rows) {
        memset(term.dirty, 1, (size_t)term.rows);
        drawn_cy = -1;
    } else if (n > 0) {
        gfx_copy(&scr, 0, 0, 0, n * ch, term.cols * cw, (term.rows - n) * ch);
        add_damage(0, 0, term.cols * cw, term.rows * ch);
        drawn_cy = drawn_cy >= n ? drawn_cy - n : -1;
    }
    /* the cursor: its old cell and its new one are redrawn */
    bool on = term.cursor_visible && blink_on;
    int want_x = on ? term.cx : -1, want_y = on ? term.cy : -1;
    if (want_x != drawn_cx || want_y != drawn_cy) {
        if (drawn_cy >= 0)
            term.dirty[drawn_cy] = 1;
        if (want_y >= 0)
            term.dirty[want_y] = 1;
    }
    for (int y = 0; y < term.rows; y++)
        if (term.dirty[y])
            draw_row(y);
    drawn_cx = want_x;
    drawn_cy = want_y;
    pointer_show();
    if (damage.w > 0)
        anx_display_flush(disp, damage.x, damage.y, damage.w, damage.h);
    if (ptr_damage.w > 0)
        anx_display_flush(disp, ptr_damage.x, ptr_damage.y, ptr_damage.w, ptr_damage.h);
    /* boot-to-screen time, as tests/bench/display reads it */
    static bool first_frame_logged;
    if (!first_frame_logged && damage.w > 0) {
        first_frame_logged = true;
        log_info("first frame on %s", disp->name);
    }
}

/* Coming forward: the whole grid on a cleared screen. Going back: the
 * screen is the other one's now, nothing of ours is on it. */
static void set_visible(bool show)
{
    follow_mode();
    if (show == visible)
        return;
    visible = show;
    pointer_drawn = false;
    if (show) {
        gfx_clear(&scr, 0);
        memset(term.dirty, 1, (size_t)term.rows);
        term.scrolled = 0;
        drawn_cx = drawn_cy = -1;
        render();
        /* the margin beyond the last cell held the other screen too */
        anx_display_flush(disp, 0, 0, scr.width, scr.height);
    }
}

/* ---- fbcon bench: the time to draw a full screen of text ---- */

static struct anx_waitq bench_wait = ANX_WAITQ_INIT;
static volatile bool bench_done;
static uint64_t bench_cold_ns, bench_warm_ns, bench_flush_ns;
static unsigned bench_glyphs;
static bool ready;                     /* the thread has a screen and a grid */

static void fill_grid(int shift)
{
    for (int y = 0; y < term.rows; y++) {
        for (int x = 0; x < term.cols; x++)
            *fbcon_term_cell(&term, x, y) = (struct fbcon_cell){(uint32_t)('!' + (x + y + shift) % 94),
                                                                 FBCON_FG_DEFAULT, FBCON_BG_DEFAULT, 0};
        term.dirty[y] = 1;
    }
}

/* Runs in the fbcon thread: a full screen of text drawn with a fresh glyph
 * cache (every glyph rasterized), then again from the cache, then a flush
 * of the whole screen alone. Then the grid as it was is drawn again (or,
 * without the memory to keep it, the screen is cleared). */
static void bench(void)
{
    follow_mode();
    size_t grid = (size_t)term.cols * (size_t)term.rows * sizeof *term.cells;
    struct fbcon_cell *saved = anx_malloc(grid);
    if (saved)
        memcpy(saved, term.cells, grid);
    struct gfx_face *fresh = gfx_face_new(font, CONFIG_FBCON_FONT_SIZE, 0), *old = face;
    if (fresh)
        face = fresh;
    fill_grid(0);
    uint64_t t0 = anx_time_ns();
    render();
    uint64_t t1 = anx_time_ns();
    struct gfx_cache_stats st;
    gfx_face_cache_stats(face, &st);
    bench_glyphs = (unsigned)st.misses;
    fill_grid(1);
    uint64_t t2 = anx_time_ns();
    render();
    uint64_t t3 = anx_time_ns();
    anx_display_flush(disp, 0, 0, scr.width, scr.height);
    uint64_t t4 = anx_time_ns();
    if (fresh) {
        face = old;
        gfx_face_free(fresh);
    }
    bench_cold_ns = t1 - t0;
    bench_warm_ns = t3 - t2;
    bench_flush_ns = t4 - t3;
    if (saved) {
        memcpy(term.cells, saved, grid);
        memset(term.dirty, 1, (size_t)term.rows);
        anx_free(saved);
    } else {
        fbcon_term_feed(&term, "\x1b[2J\x1b[H", 7);
    }
    bench_done = true;
    anx_waitq_wake_all(&bench_wait);
}

static int cmd_fbcon(int argc, char **argv)
{
    if (argc > 2 || (argc == 2 && strcmp(argv[1], "bench"))) {
        anx_printf("usage: fbcon [bench]\n");
        return 1;
    }
    if (!ready) {
        anx_printf("fbcon: no screen (%s)\n", gave_up ? "see the log" : "waiting for a display");
        return 1;
    }
    if (argc == 2 && !visible) {
        anx_printf("fbcon: hidden (Ctrl-Alt-F2 shows it): nothing to time\n");
        return 1;
    }
    if (argc == 1) {
        struct gfx_cache_stats st;
        gfx_face_cache_stats(face, &st);
        anx_printf("fbcon: %dx%d cells of %dx%d px on %s (%s %d px), %s; glyph cache %zu/%zu bytes, %u glyphs, "
                   "%llu hits, %llu misses, %llu evictions; %lu output bytes dropped\n",
                   term.cols, term.rows, cw, ch, disp->name, gfx_font_name(font), CONFIG_FBCON_FONT_SIZE,
                   visible ? "shown" : "hidden (Ctrl-Alt-F2 shows it)", st.bytes, st.limit, st.entries,
                   (unsigned long long)st.hits, (unsigned long long)st.misses, (unsigned long long)st.evictions,
                   ring_dropped);
        return 0;
    }
    bench_done = false;
    request(PEND_BENCH);
    unsigned long f = plat_irq_save();
    while (!bench_done)
        anx_wait(&bench_wait);
    plat_irq_restore(f);
    anx_printf("fbcon: full screen of text, %dx%d cells (%dx%d px): %llu us with %u glyphs rasterized, "
               "%llu us from the glyph cache; flushing the whole screen alone %llu us\n",
               term.cols, term.rows, scr.width, scr.height, (unsigned long long)(bench_cold_ns / 1000), bench_glyphs,
               (unsigned long long)(bench_warm_ns / 1000), (unsigned long long)(bench_flush_ns / 1000));
    return 0;
}

static struct anx_command fbcon_cmd = {
    .name = "fbcon", .summary = "The framebuffer console's state, or time drawing a full screen of text",
    .usage = "fbcon [bench]", .fn = cmd_fbcon,
};

/* Wait for output, an input request or the blink deadline. */
static void wait_for_work(bool until_deadline, uint64_t deadline)
{
    unsigned long f = plat_irq_save();
    while (ring_head == ring_tail && !pending) {
        if (!until_deadline) {
            anx_wait(&wake);
            continue;
        }
        uint64_t now = anx_time_ns();
        if (now >= deadline || anx_wait_timeout(&wake, deadline - now) < 0)
            break;
    }
    plat_irq_restore(f);
}

static unsigned take_pending(void)
{
    unsigned long f = plat_irq_save();
    unsigned p = pending;
    pending = 0;
    plat_irq_restore(f);
    return p;
}

static void fbcon_loop(void)
{
    static char chunk[FEED_CHUNK];
    unsigned long dropped_shown = 0;
    uint64_t next_blink = anx_time_ns() + BLINK_NS;
    for (;;) {
        wait_for_work(CONFIG_FBCON_BLINK, next_blink);
        unsigned p = take_pending();
        if (ring_dropped != dropped_shown) {
            /* say so on screen: the log and the shell are complete on serial */
            char note[128];
            int k = snprintf(note, sizeof note, "\r\n[fbcon: %lu bytes of output dropped: the screen fell behind]\r\n",
                             ring_dropped - dropped_shown);
            dropped_shown = ring_dropped;
            fbcon_term_feed(&term, note, ANX_MIN((size_t)k, sizeof note - 1));
        }
        if (p & PEND_POINTER)
            pointer_seen = true;       /* a pointer exists: show the sprite from now on */
        if (p & (PEND_SHOW | PEND_HIDE))
            set_visible(screen.front);
        if (p & PEND_BENCH) {
            if (visible)
                bench();
            else {
                bench_cold_ns = bench_warm_ns = bench_flush_ns = 0;
                bench_done = true;
                anx_waitq_wake_all(&bench_wait);
            }
        }
        size_t n = ring_take(chunk, sizeof chunk);
        if (n) {
            fbcon_term_feed(&term, chunk, n);
            blink_on = true;           /* the cursor shows while text arrives */
            next_blink = anx_time_ns() + BLINK_NS;
        }
        if (CONFIG_FBCON_BLINK && anx_time_ns() >= next_blink) {
            blink_on = !blink_on;
            next_blink = anx_time_ns() + BLINK_NS;
        }
        if (visible && (n || p || CONFIG_FBCON_BLINK))
            render();
    }
}

/* ---- input (the input thread) ---------------------------------------------- */

/* The screen registry's: s->front is already set; the thread does the
 * drawing (a flush may sleep). */
static void on_switched(struct anx_screen *s, bool front)
{
    (void)s;
    request(front ? PEND_SHOW : PEND_HIDE);
}

static void on_input(const struct anx_input_event *ev, void *arg)
{
    (void)arg;
    if (ev->type == ANX_EV_POINTER || ev->type == ANX_EV_BUTTON) {
        if (screen.front)
            request(PEND_POINTER);
        return;
    }
    if (ev->type != ANX_EV_KEY || ev->value == 0)
        return;
    char bytes[ANX_INPUT_KEY_BYTES_MAX];
    size_t n = screen.front ? anx_input_key_bytes(ev, bytes) : 0;
    for (size_t i = 0; i < n; i++)
        anx_console_input(bytes[i]);
}

static struct anx_input_listener listener = {.event = on_input};

/* ---- start ------------------------------------------------------------------ */

static void fbcon_thread(void *arg)
{
    (void)arg;
    disp = anx_display_wait(CONFIG_FBCON_WAIT);
    if (!disp) {
        gave_up = true;
        anx_module_fail("fbcon", ANX_ENOENT, "no display within %llu ms: the console stays on serial only",
                        (unsigned long long)(CONFIG_FBCON_WAIT / ANX_NS_PER_MS));
        return;
    }
    char err[160];
    font = gfx_font_open(CONFIG_FBCON_FONT, err, sizeof err);
    int e = 0;
    if (!font || !(face = gfx_face_new(font, CONFIG_FBCON_FONT_SIZE, 0)) || (e = gfx_surface_display(&scr, disp)) ||
        (e = gfx_surface_init(&under, under_px, ARROW_W, ARROW_H, ARROW_W * 4, disp->mode.format))) {
        gave_up = true;
        if (font)
            anx_module_fail("fbcon", e ? e : ANX_ENOMEM, "cannot set up the screen of %s", disp->name);
        else
            anx_module_fail("fbcon", ANX_EINVAL, "%s (fbcon.font must name a TrueType file in the image)", err);
        return;
    }
    gfx_face_metrics(face, &fm);
    cw = fm.advance;
    ch = fm.line_height;
    int err2 = fbcon_term_init(&term, scr.width / cw, scr.height / ch);
    if (err2) {
        gave_up = true;
        anx_module_fail("fbcon", err2, "no grid for a %dx%d screen", scr.width, scr.height);
        return;
    }
    log_info("%dx%d cells on %s (%s %d px)", term.cols, term.rows, disp->name, gfx_font_name(font),
             CONFIG_FBCON_FONT_SIZE);
    anx_input_listen(&listener);
    ready = true;
    int e3 = anx_screen_register(&screen);
    if (e3) {
        log_error("cannot register the console's screen: %s (no Ctrl-Alt-F2)", anx_strerror(e3));
        screen.front = true;           /* unregistered, it has the display to itself */
    }
    visible = !screen.front;           /* the first set_visible() below draws or stays back */
    set_visible(screen.front);
    fbcon_loop();
}

static int fbcon_init(void)
{
    /* the boot log so far, then everything written from now on */
    anx_log_dump(ring_put, NULL);
    anx_console_add_output(&output);
    anx_poll_register(&kick_hook);
    if (!anx_thread_create("fbcon", fbcon_thread, NULL, THREAD_STACK)) {
        log_error("cannot start the fbcon thread");
        return ANX_ENOMEM;
    }
    return anx_command_register(&fbcon_cmd);
}

ANX_MODULE(fbcon, .init = fbcon_init);
