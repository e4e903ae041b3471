/*
 * The shell's line editor: a byte-at-a-time state machine with no I/O of
 * its own (it writes through a callback), so it is tested on the host
 * (modules/shell/tests). Keys: printable characters insert; Backspace/DEL,
 * Ctrl-D and Delete remove; Left/Right, Ctrl-B/F, Home/End, Ctrl-A/E move;
 * Ctrl-U kills to the start, Ctrl-K to the end, Ctrl-W a word; Up/Down and
 * Ctrl-P/N walk the history; Ctrl-C cancels the line; Enter finishes it;
 * Ctrl-D on an empty line is the end of input (LE_EOF).
 */
#ifndef SHELL_LINEEDIT_H
#define SHELL_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LE_LINE_MAX 256

enum le_result { LE_MORE, LE_DONE, LE_CANCEL, LE_EOF };

struct lineedit {
    char buf[LE_LINE_MAX];
    size_t len, pos;
    bool echo;
    void (*out)(const char *s, size_t n, void *ctx);
    void *ctx;
    /* history: slots of LE_LINE_MAX bytes, a ring of hist_max lines */
    char *hist;
    int hist_max, hist_count, hist_start, hist_idx;
    char saved[LE_LINE_MAX];     /* the line being typed while browsing */
    /* Tab: the one completion of word[0..len) or NULL (none or several) */
    const char *(*complete)(const char *word, size_t len, void *ctx);
    int esc;                     /* escape sequence state */
    int esc_param;
    bool last_cr;
};

void shell_line_init(struct lineedit *e, char *hist_storage, int hist_max,
             void (*out)(const char *, size_t, void *), void *ctx);
/* Start a new, empty line. */
void shell_line_reset(struct lineedit *e);
/* Feed one input byte. On LE_DONE, e->buf holds the line (NUL-terminated). */
enum le_result shell_line_feed(struct lineedit *e, int c);
/* Remember a finished line (empty lines and repeats are skipped). */
void shell_line_history_add(struct lineedit *e, const char *line);
/* Line i of the history, 0 = oldest; NULL if out of range. */
const char *shell_line_history_get(const struct lineedit *e, int i);

#endif
