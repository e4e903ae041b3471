/*
 * The terminal of the framebuffer console (term.c): bytes in, a grid of
 * character cells out. No drawing here: the renderer (fbcon_module.c)
 * looks at which rows changed and how far the screen scrolled.
 *
 * Understood: UTF-8; \r, \n (as a new line: the console's output reaches
 * us without the serial line's \n -> \r\n), \b (back over a wrapped line
 * too, so the shell's line editor can redraw long lines), \t (to the next
 * multiple of 8); ESC [ ... sequences SGR (0 reset, 1 bold, 22, 7
 * reverse, 27, 30-37 39 90-97 foreground, 40-47 49 100-107 background),
 * CUU CUD CUF CUB (A B C D), CHA (G), CUP (H, f), ED (J 0-2), EL (K 0-2),
 * DECTCEM (?25h / ?25l); ESC 7 / ESC 8 save and restore the cursor. Other
 * sequences are consumed and ignored. Writing in the last column wraps
 * on the next character (as xterm does).
 */
#ifndef FBCON_TERM_H
#define FBCON_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FBCON_BOLD = 1, FBCON_REVERSE = 2 };
#define FBCON_FG_DEFAULT 7          /* palette indices 0..15 (the 16 ANSI colors) */
#define FBCON_BG_DEFAULT 0
#define FBCON_MAX_PARAMS 8

struct fbcon_cell {
    uint32_t ch;                    /* code point; ' ' when blank */
    uint8_t fg, bg, attr;           /* as set by SGR (bold does not change fg here) */
};

struct fbcon_term {
    int cols, rows;
    struct fbcon_cell *cells;       /* rows x cols */
    uint8_t *dirty;                 /* per row: changed since the renderer cleared it */
    uint8_t *wrapped;               /* per row: its text continues on the next row */
    int cx, cy;                     /* cursor */
    bool wrap_pending;              /* a character went into the last column */
    bool cursor_visible;
    uint8_t fg, bg, attr;
    int scrolled;                   /* rows scrolled up since the renderer cleared it */
    int saved_cx, saved_cy;
    /* parser */
    int state;
    int params[FBCON_MAX_PARAMS], nparams;
    bool private_mode;              /* ESC [ ? */
    uint32_t utf8;
    int utf8_need;
};

/* 0, or ANX_EINVAL / ANX_ENOMEM. */
int fbcon_term_init(struct fbcon_term *t, int cols, int rows);
void fbcon_term_free(struct fbcon_term *t);
void fbcon_term_feed(struct fbcon_term *t, const char *s, size_t n);
/* The cell at column x, row y. */
static inline struct fbcon_cell *fbcon_term_cell(struct fbcon_term *t, int x, int y)
{
    return &t->cells[(size_t)y * (size_t)t->cols + (size_t)x];
}
/* Row y as UTF-8 text without trailing blanks (for tests and the log). */
size_t fbcon_term_row_text(struct fbcon_term *t, int y, char *buf, size_t n);

#endif
