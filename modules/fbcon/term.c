/* The framebuffer console's terminal (term.h): a byte-at-a-time parser
 * updating a cell grid, marking changed rows and counting scrolls. */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include "term.h"

enum { S_TEXT, S_ESC, S_CSI, S_SKIP_ONE };

static void clear_cells(struct fbcon_term *t, int x0, int y, int x1)
{
    for (int x = x0; x < x1; x++)
        *fbcon_term_cell(t, x, y) = (struct fbcon_cell){' ', t->fg, t->bg, 0};
    t->dirty[y] = 1;
}

int fbcon_term_init(struct fbcon_term *t, int cols, int rows)
{
    memset(t, 0, sizeof *t);
    if (cols < 1 || rows < 1 || cols > 4096 || rows > 4096)
        return ANX_EINVAL;
    t->cols = cols;
    t->rows = rows;
    t->cells = anx_calloc((size_t)cols * (size_t)rows, sizeof *t->cells);
    t->dirty = anx_calloc((size_t)rows, 1);
    t->wrapped = anx_calloc((size_t)rows, 1);
    if (!t->cells || !t->dirty || !t->wrapped) {
        fbcon_term_free(t);
        return ANX_ENOMEM;
    }
    t->fg = FBCON_FG_DEFAULT;
    t->bg = FBCON_BG_DEFAULT;
    t->cursor_visible = true;
    for (int y = 0; y < rows; y++)
        clear_cells(t, 0, y, cols);
    return 0;
}

void fbcon_term_free(struct fbcon_term *t)
{
    anx_free(t->cells);
    anx_free(t->dirty);
    anx_free(t->wrapped);
    t->cells = NULL;
    t->dirty = t->wrapped = NULL;
}

/* Scroll the whole screen up one row; the rows keep their dirty marks,
 * so the renderer can move the pixels with one copy and redraw only what
 * changed besides. */
static void scroll_up(struct fbcon_term *t)
{
    size_t row = (size_t)t->cols * sizeof *t->cells;
    memmove(t->cells, t->cells + t->cols, row * (size_t)(t->rows - 1));
    memmove(t->dirty, t->dirty + 1, (size_t)t->rows - 1);
    memmove(t->wrapped, t->wrapped + 1, (size_t)t->rows - 1);
    t->wrapped[t->rows - 1] = 0;
    clear_cells(t, 0, t->rows - 1, t->cols);
    t->scrolled++;
}

static void line_feed(struct fbcon_term *t)
{
    if (t->cy == t->rows - 1)
        scroll_up(t);
    else
        t->cy++;
}

static void put_char(struct fbcon_term *t, uint32_t ch)
{
    if (t->wrap_pending) {
        t->wrapped[t->cy] = 1;
        t->cx = 0;
        line_feed(t);
        t->wrap_pending = false;
    }
    *fbcon_term_cell(t, t->cx, t->cy) = (struct fbcon_cell){ch, t->fg, t->bg, t->attr};
    t->dirty[t->cy] = 1;
    if (t->cx == t->cols - 1)
        t->wrap_pending = true;
    else
        t->cx++;
}

static void move_to(struct fbcon_term *t, int x, int y)
{
    t->cx = ANX_MAX(0, ANX_MIN(x, t->cols - 1));
    t->cy = ANX_MAX(0, ANX_MIN(y, t->rows - 1));
    t->wrap_pending = false;
}

static void backspace(struct fbcon_term *t)
{
    if (t->wrap_pending)                 /* the cursor is logically just past the last column */
        t->wrap_pending = false;
    else if (t->cx > 0)
        t->cx--;
    else if (t->cy > 0 && t->wrapped[t->cy - 1]) {   /* back onto the line this one continues */
        t->cy--;
        t->cx = t->cols - 1;
    }
}

static void control(struct fbcon_term *t, char c)
{
    switch (c) {
    case '\r': t->cx = 0; t->wrap_pending = false; break;
    case '\n': t->cx = 0; t->wrap_pending = false; t->wrapped[t->cy] = 0; line_feed(t); break;
    case '\b': backspace(t); break;
    case '\t': {
        int to = (t->cx / 8 + 1) * 8;
        while (t->cx < to && t->cx < t->cols - 1)
            put_char(t, ' ');
        break;
    }
    case 0x1b: t->state = S_ESC; break;
    default: break;                       /* BEL and the other controls: nothing to show */
    }
}

static int param(const struct fbcon_term *t, int i, int def)
{
    return i < t->nparams && t->params[i] > 0 ? t->params[i] : def;
}

static void sgr(struct fbcon_term *t)
{
    if (t->nparams == 0)
        t->nparams = 1, t->params[0] = 0;
    for (int i = 0; i < t->nparams; i++) {
        int p = t->params[i];
        if (p == 0) {
            t->fg = FBCON_FG_DEFAULT;
            t->bg = FBCON_BG_DEFAULT;
            t->attr = 0;
        } else if (p == 1) {
            t->attr |= FBCON_BOLD;
        } else if (p == 22) {
            t->attr &= (uint8_t)~FBCON_BOLD;
        } else if (p == 7) {
            t->attr |= FBCON_REVERSE;
        } else if (p == 27) {
            t->attr &= (uint8_t)~FBCON_REVERSE;
        } else if (p >= 30 && p <= 37) {
            t->fg = (uint8_t)(p - 30);
        } else if (p == 39) {
            t->fg = FBCON_FG_DEFAULT;
        } else if (p >= 40 && p <= 47) {
            t->bg = (uint8_t)(p - 40);
        } else if (p == 49) {
            t->bg = FBCON_BG_DEFAULT;
        } else if (p >= 90 && p <= 97) {
            t->fg = (uint8_t)(p - 90 + 8);
        } else if (p >= 100 && p <= 107) {
            t->bg = (uint8_t)(p - 100 + 8);
        } else if (p == 38 || p == 48) {
            return;                       /* 256-color / RGB forms: their arguments are not colors of ours */
        }
    }
}

static void erase_display(struct fbcon_term *t, int mode)
{
    if (mode == 0) {
        clear_cells(t, t->cx, t->cy, t->cols);
        for (int y = t->cy + 1; y < t->rows; y++)
            clear_cells(t, 0, y, t->cols);
    } else if (mode == 1) {
        for (int y = 0; y < t->cy; y++)
            clear_cells(t, 0, y, t->cols);
        clear_cells(t, 0, t->cy, t->cx + 1);
    } else if (mode == 2 || mode == 3) {
        for (int y = 0; y < t->rows; y++) {
            clear_cells(t, 0, y, t->cols);
            t->wrapped[y] = 0;
        }
    }
}

static void erase_line(struct fbcon_term *t, int mode)
{
    if (mode == 0)
        clear_cells(t, t->cx, t->cy, t->cols);
    else if (mode == 1)
        clear_cells(t, 0, t->cy, t->cx + 1);
    else if (mode == 2)
        clear_cells(t, 0, t->cy, t->cols);
}

static void csi_final(struct fbcon_term *t, char c)
{
    if (t->private_mode) {
        if ((c == 'h' || c == 'l') && param(t, 0, 0) == 25)
            t->cursor_visible = c == 'h';
        return;
    }
    switch (c) {
    case 'A': move_to(t, t->cx, t->cy - param(t, 0, 1)); break;
    case 'B': move_to(t, t->cx, t->cy + param(t, 0, 1)); break;
    case 'C': move_to(t, t->cx + param(t, 0, 1), t->cy); break;
    case 'D': move_to(t, t->cx - param(t, 0, 1), t->cy); break;
    case 'G': move_to(t, param(t, 0, 1) - 1, t->cy); break;
    case 'H': case 'f': move_to(t, param(t, 1, 1) - 1, param(t, 0, 1) - 1); break;
    case 'J': erase_display(t, t->nparams ? t->params[0] : 0); break;
    case 'K': erase_line(t, t->nparams ? t->params[0] : 0); break;
    case 'm': sgr(t); break;
    default: break;
    }
}

static void csi_byte(struct fbcon_term *t, char c)
{
    if (c >= '0' && c <= '9') {
        if (t->nparams == 0)
            t->nparams = 1;
        int *p = &t->params[t->nparams - 1];
        if (*p < 10000)
            *p = *p * 10 + (c - '0');
    } else if (c == ';') {
        if (t->nparams == 0)
            t->nparams = 1;               /* an empty first parameter */
        if (t->nparams < FBCON_MAX_PARAMS)
            t->params[t->nparams++] = 0;
    } else if (c == '?' && t->nparams == 0) {
        t->private_mode = true;
    } else if (c >= 0x40 && c <= 0x7e) {
        t->state = S_TEXT;
        csi_final(t, c);
    } else if (c == 0x18 || c == 0x1a) {
        t->state = S_TEXT;                /* CAN, SUB cancel */
    } else if ((unsigned char)c < 0x20) {
        control(t, c);                    /* controls act inside a sequence too */
    }
    /* intermediate bytes (0x20-0x2f) and others: ignored */
}

static void esc_byte(struct fbcon_term *t, char c)
{
    t->state = S_TEXT;
    switch (c) {
    case '[':
        t->state = S_CSI;
        t->nparams = 0;
        t->private_mode = false;
        memset(t->params, 0, sizeof t->params);
        break;
    case '7': t->saved_cx = t->cx; t->saved_cy = t->cy; break;
    case '8': move_to(t, t->saved_cx, t->saved_cy); break;
    case 'c':                             /* full reset */
        t->fg = FBCON_FG_DEFAULT;
        t->bg = FBCON_BG_DEFAULT;
        t->attr = 0;
        erase_display(t, 2);
        move_to(t, 0, 0);
        break;
    case '(': case ')': t->state = S_SKIP_ONE; break;   /* character set designation */
    default: break;
    }
}

/* UTF-8 in the text state: a finished code point (an ASCII byte that
 * breaks a sequence shows U+FFFD, then itself), or 0 while inside one. */
static uint32_t utf8_byte(struct fbcon_term *t, uint8_t b)
{
    if (t->utf8_need) {
        if ((b & 0xc0) == 0x80) {
            t->utf8 = t->utf8 << 6 | (b & 0x3f);
            if (--t->utf8_need)
                return 0;
            uint32_t c = t->utf8;
            return (c < 0x80 || (c >= 0xd800 && c < 0xe000) || c > 0x10ffff) ? 0xfffd : c;
        }
        t->utf8_need = 0;                 /* broken sequence: show it, then this byte afresh */
        put_char(t, 0xfffd);
    }
    if (b < 0x80)
        return b;
    if (b >= 0xc2 && b < 0xe0)
        t->utf8_need = 1, t->utf8 = b & 0x1f;
    else if (b >= 0xe0 && b < 0xf0)
        t->utf8_need = 2, t->utf8 = b & 0x0f;
    else if (b >= 0xf0 && b < 0xf5)
        t->utf8_need = 3, t->utf8 = b & 0x07;
    else
        return 0xfffd;
    return 0;
}

void fbcon_term_feed(struct fbcon_term *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)s[i];
        switch (t->state) {
        case S_ESC: esc_byte(t, (char)b); continue;
        case S_CSI: csi_byte(t, (char)b); continue;
        case S_SKIP_ONE: t->state = S_TEXT; continue;
        default: break;
        }
        if (b < 0x20 || b == 0x7f) {
            if (t->utf8_need) {
                t->utf8_need = 0;
                put_char(t, 0xfffd);
            }
            if (b != 0x7f)
                control(t, (char)b);
        } else if (b < 0x80 && !t->utf8_need) {
            put_char(t, b);
        } else {
            uint32_t c = utf8_byte(t, b);
            if (c)
                put_char(t, c);
        }
    }
}

size_t fbcon_term_row_text(struct fbcon_term *t, int y, char *buf, size_t n)
{
    size_t len = 0;
    int last = t->cols - 1;
    while (last >= 0 && fbcon_term_cell(t, last, y)->ch == ' ')
        last--;
    for (int x = 0; x <= last; x++) {
        uint32_t c = fbcon_term_cell(t, x, y)->ch;
        char u[4];
        size_t k;
        if (c < 0x80)
            u[0] = (char)c, k = 1;
        else if (c < 0x800)
            u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f)), k = 2;
        else if (c < 0x10000)
            u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | (c >> 6 & 0x3f)), u[2] = (char)(0x80 | (c & 0x3f)), k = 3;
        else
            u[0] = (char)(0xf0 | c >> 18), u[1] = (char)(0x80 | (c >> 12 & 0x3f)),
            u[2] = (char)(0x80 | (c >> 6 & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f)), k = 4;
        if (len + k + 1 > n)
            break;
        memcpy(buf + len, u, k);
        len += k;
    }
    if (n)
        buf[len] = 0;
    return len;
}
