/* The shell's line editor (see lineedit.h). Redraws with plain '\b' and
 * spaces only, so it works on any terminal. */
#include <anx/lib.h>
#include "lineedit.h"

enum { ESC_NONE, ESC_GOT, ESC_CSI };

static void out(struct lineedit *e, const char *s, size_t n)
{
    if (e->echo && n)
        e->out(s, n, e->ctx);
}

static void back(struct lineedit *e, size_t n)
{
    while (n--)
        out(e, "\b", 1);
}

static void spaces(struct lineedit *e, size_t n)
{
    while (n--)
        out(e, " ", 1);
}

void shell_line_init(struct lineedit *e, char *hist, int hist_max,
             void (*outfn)(const char *, size_t, void *), void *ctx)
{
    memset(e, 0, sizeof *e);
    e->echo = true;
    e->out = outfn;
    e->ctx = ctx;
    e->hist = hist;
    e->hist_max = hist ? hist_max : 0;
}

void shell_line_reset(struct lineedit *e)
{
    e->len = e->pos = 0;
    e->buf[0] = 0;
    e->esc = ESC_NONE;
    e->hist_idx = e->hist_count;
}

const char *shell_line_history_get(const struct lineedit *e, int i)
{
    if (i < 0 || i >= e->hist_count)
        return NULL;
    return e->hist + (size_t)((e->hist_start + i) % e->hist_max) * LE_LINE_MAX;
}

void shell_line_history_add(struct lineedit *e, const char *line)
{
    if (!e->hist_max || !line[0])
        return;
    const char *last = shell_line_history_get(e, e->hist_count - 1);
    if (last && strcmp(last, line) == 0)
        return;
    if (e->hist_count == e->hist_max)
        e->hist_start = (e->hist_start + 1) % e->hist_max;
    else
        e->hist_count++;
    char *slot = e->hist + (size_t)((e->hist_start + e->hist_count - 1) % e->hist_max) * LE_LINE_MAX;
    strlcpy(slot, line, LE_LINE_MAX);
}

/* Replace the whole line with s, cursor at its end. */
static void replace(struct lineedit *e, const char *s)
{
    size_t old = e->len, n = strnlen(s, LE_LINE_MAX - 1);
    back(e, e->pos);
    memmove(e->buf, s, n);
    e->buf[n] = 0;
    e->len = e->pos = n;
    out(e, e->buf, n);
    if (old > n) {
        spaces(e, old - n);
        back(e, old - n);
    }
}

/* Redraw from the cursor to the end after the tail changed; `erase`
 * characters beyond the new end are blanked. */
static void redraw_tail(struct lineedit *e, size_t erase)
{
    out(e, e->buf + e->pos, e->len - e->pos);
    spaces(e, erase);
    back(e, e->len - e->pos + erase);
}

/* Delete n characters before the cursor. */
static void delete_back(struct lineedit *e, size_t n)
{
    if (n > e->pos)
        n = e->pos;
    if (!n)
        return;
    memmove(e->buf + e->pos - n, e->buf + e->pos, e->len - e->pos + 1);
    back(e, n);
    e->pos -= n;
    e->len -= n;
    redraw_tail(e, n);
}

static void delete_at(struct lineedit *e)
{
    if (e->pos == e->len)
        return;
    memmove(e->buf + e->pos, e->buf + e->pos + 1, e->len - e->pos);
    e->len--;
    redraw_tail(e, 1);
}

static void move_to(struct lineedit *e, size_t to)
{
    if (to < e->pos)
        back(e, e->pos - to);
    else
        out(e, e->buf + e->pos, to - e->pos);
    e->pos = to;
}

static void history(struct lineedit *e, int dir)
{
    int idx = e->hist_idx + dir;
    if (idx < 0 || idx > e->hist_count)
        return;
    if (e->hist_idx == e->hist_count)
        memcpy(e->saved, e->buf, e->len + 1);
    e->hist_idx = idx;
    replace(e, idx == e->hist_count ? e->saved : shell_line_history_get(e, idx));
}

static void insert(struct lineedit *e, char c)
{
    if (e->len + 1 >= LE_LINE_MAX)
        return;
    memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos + 1);
    e->buf[e->pos] = c;
    e->len++;
    out(e, e->buf + e->pos, 1);
    e->pos++;
    redraw_tail(e, 0);
}

/* Tab: complete the first word when the cursor is at its end. */
static void complete(struct lineedit *e)
{
    size_t start = 0;
    while (start < e->len && e->buf[start] == ' ')
        start++;
    if (!e->complete || e->pos < start || memchr(e->buf + start, ' ', e->pos - start) ||
        (e->pos < e->len && e->buf[e->pos] != ' '))
        return;
    const char *word = e->complete(e->buf + start, e->pos - start, e->ctx);
    if (!word)
        return;
    for (const char *p = word + (e->pos - start); *p; p++)
        insert(e, *p);
    if (e->pos == e->len)
        insert(e, ' ');
}

static void csi_final(struct lineedit *e, int c)
{
    switch (c) {
    case 'A': history(e, -1); break;
    case 'B': history(e, +1); break;
    case 'C': if (e->pos < e->len) move_to(e, e->pos + 1); break;
    case 'D': if (e->pos > 0) move_to(e, e->pos - 1); break;
    case 'H': move_to(e, 0); break;
    case 'F': move_to(e, e->len); break;
    case '~':
        if (e->esc_param == 1 || e->esc_param == 7)
            move_to(e, 0);
        else if (e->esc_param == 4 || e->esc_param == 8)
            move_to(e, e->len);
        else if (e->esc_param == 3)
            delete_at(e);
        break;
    }
}

enum le_result shell_line_feed(struct lineedit *e, int c)
{
    bool was_cr = e->last_cr;
    e->last_cr = false;
    if (e->esc == ESC_GOT) {
        e->esc = (c == '[' || c == 'O') ? ESC_CSI : ESC_NONE;
        e->esc_param = 0;
        return LE_MORE;
    }
    if (e->esc == ESC_CSI) {
        if (c >= '0' && c <= '9') {
            if (e->esc_param < 1000)
                e->esc_param = e->esc_param * 10 + (c - '0');
            return LE_MORE;
        }
        if (c == ';')
            return LE_MORE;
        e->esc = ESC_NONE;
        csi_final(e, c);
        return LE_MORE;
    }
    switch (c) {
    case '\r':
    case '\n':
        if (c == '\n' && was_cr)
            return LE_MORE;            /* the \n of a \r\n pair */
        e->last_cr = c == '\r';
        move_to(e, e->len);
        out(e, "\n", 1);
        e->buf[e->len] = 0;
        return LE_DONE;
    case 0x1b: e->esc = ESC_GOT; break;
    case 0x03:                         /* Ctrl-C */
        out(e, "^C\n", 3);
        e->len = e->pos = 0;
        e->buf[0] = 0;
        return LE_CANCEL;
    case 0x01: move_to(e, 0); break;                        /* Ctrl-A */
    case 0x05: move_to(e, e->len); break;                   /* Ctrl-E */
    case 0x02: if (e->pos) move_to(e, e->pos - 1); break;   /* Ctrl-B */
    case 0x06: if (e->pos < e->len) move_to(e, e->pos + 1); break; /* Ctrl-F */
    case 0x08: case 0x7f: delete_back(e, 1); break;        /* Backspace */
    case 0x04:                                               /* Ctrl-D */
        if (e->len == 0)
            return LE_EOF;             /* as in a Unix shell: end of input */
        delete_at(e);
        break;
    case 0x15: delete_back(e, e->pos); break;                /* Ctrl-U */
    case 0x0b: {                                             /* Ctrl-K */
        size_t gone = e->len - e->pos;
        e->len = e->pos;
        e->buf[e->len] = 0;
        redraw_tail(e, gone);
        break;
    }
    case 0x17: {                                             /* Ctrl-W */
        size_t p = e->pos;
        while (p && e->buf[p - 1] == ' ')
            p--;
        while (p && e->buf[p - 1] != ' ')
            p--;
        delete_back(e, e->pos - p);
        break;
    }
    case '\t': complete(e); break;
    case 0x10: history(e, -1); break;                        /* Ctrl-P */
    case 0x0e: history(e, +1); break;                        /* Ctrl-N */
    default:
        if (c >= 0x20 && c < 0x7f)
            insert(e, (char)c);
        break;
    }
    return LE_MORE;
}
