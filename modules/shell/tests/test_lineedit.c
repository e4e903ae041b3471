/* The shell's line editor (modules/shell/lineedit.c), fed key by key. */
#include <stdint.h>
#define UNIT_FILE "shell/lineedit"
#include "unit.h"
#include "lineedit.h"

static char screen[4096];
static void out(const char *s, size_t n, void *ctx)
{
    (void)ctx;
    size_t l = strlen(screen);
    if (l + n < sizeof screen) {
        memcpy(screen + l, s, n);
        screen[l + n] = 0;
    }
}

static struct lineedit e;
static char hist[4 * LE_LINE_MAX];

/* Type keys; returns the result of the last one. */
static enum le_result type(const char *keys)
{
    enum le_result r = LE_MORE;
    for (const char *k = keys; *k; k++)
        r = shell_line_feed(&e, (unsigned char)*k);
    return r;
}

static void start(void)
{
    shell_line_init(&e, hist, 4, out, NULL);
    shell_line_reset(&e);
    screen[0] = 0;
}

/* What a terminal would show: apply \b and overwrite on one line. */
static const char *render(void)
{
    static char line[512];
    size_t cur = 0, end = 0;
    for (const char *s = screen; *s; s++) {
        if (*s == '\b') { if (cur) cur--; }
        else if (*s == '\n') { cur = end = 0; line[0] = 0; }
        else { line[cur++] = *s; if (cur > end) end = cur; }
    }
    line[end] = 0;
    while (end && line[end - 1] == ' ')
        line[--end] = 0;
    return line;
}

TEST(typing_and_enter)
{
    start();
    CHECK_EQ(type("help"), LE_MORE);
    CHECK_STR(render(), "help");
    CHECK_EQ(type("\r"), LE_DONE);
    CHECK_STR(e.buf, "help");
    shell_line_reset(&e);
    CHECK_EQ(type("\n"), LE_MORE);      /* the \n of \r\n is swallowed */
    CHECK_EQ(type("x\n"), LE_DONE);
    CHECK_STR(e.buf, "x");
}

TEST(editing_keys)
{
    start();
    type("helo\x1b[Dl");                 /* left, insert */
    CHECK_STR(e.buf, "hello");
    CHECK_STR(render(), "hello");
    type("\x01X\x05Y");                  /* Ctrl-A, Ctrl-E */
    CHECK_STR(e.buf, "XhelloY");
    type("\x7f\x7f");                    /* backspace x2 */
    CHECK_STR(e.buf, "Xhell");
    type("\x01\x1b[3~");                 /* home, delete */
    CHECK_STR(e.buf, "hell");
    CHECK_STR(render(), "hell");
    type("\x1b[C\x1b[C\x0b");            /* right right, Ctrl-K */
    CHECK_STR(e.buf, "he");
    type(" big word\x17");               /* Ctrl-W */
    CHECK_STR(e.buf, "he big ");
    CHECK_STR(render(), "he big");
    type("\x15");                        /* Ctrl-U: kill to start */
    CHECK_STR(e.buf, "");
    CHECK_STR(render(), "");
    type("ab\x1b[H\x1b[F!");             /* Home/End escape forms */
    CHECK_STR(e.buf, "ab!");
    type("\x08");                        /* ^H backspace */
    CHECK_STR(e.buf, "ab");
    CHECK_EQ(type("\x03"), LE_CANCEL);   /* Ctrl-C */
    CHECK_STR(e.buf, "");
}

TEST(history)
{
    start();
    const char *lines[] = { "one", "two", "two", "", "three", "four", "five" };
    for (int i = 0; i < 7; i++) {
        shell_line_reset(&e);
        type(lines[i]);
        type("\r");
        shell_line_history_add(&e, e.buf);
    }
    /* 4 slots, repeats and empty lines skipped: two three four five */
    CHECK_STR(shell_line_history_get(&e, 0), "two");
    CHECK_STR(shell_line_history_get(&e, 3), "five");
    CHECK(shell_line_history_get(&e, 4) == NULL);
    shell_line_reset(&e);
    screen[0] = 0;
    type("draft");
    type("\x1b[A");
    CHECK_STR(e.buf, "five");
    CHECK_STR(render(), "five");
    type("\x1b[A\x1b[A\x1b[A\x1b[A");    /* past the oldest stays there */
    CHECK_STR(e.buf, "two");
    type("\x1b[B");
    CHECK_STR(e.buf, "three");
    type("\x1b[B\x1b[B\x1b[B");
    CHECK_STR(e.buf, "draft");           /* back to what was typed */
    CHECK_STR(render(), "draft");
    type("\x10");                        /* Ctrl-P */
    CHECK_STR(e.buf, "five");
}

TEST(ctrl_d_ends_input_only_on_an_empty_line)
{
    start();
    CHECK_EQ(shell_line_feed(&e, 0x04), LE_EOF);
    type("ab");
    CHECK_EQ(shell_line_feed(&e, 0x04), LE_MORE);   /* at the end of "ab": nothing to delete */
    CHECK_EQ(shell_line_feed(&e, 0x01), LE_MORE);   /* Ctrl-A */
    CHECK_EQ(shell_line_feed(&e, 0x04), LE_MORE);   /* deletes the a */
    CHECK_STR(e.buf, "b");
    CHECK_EQ(shell_line_feed(&e, 0x04), LE_MORE);   /* and the b */
    CHECK_EQ(shell_line_feed(&e, 0x04), LE_EOF);    /* now the line is empty */
}

TEST(limits_and_noise)
{
    start();
    for (int i = 0; i < LE_LINE_MAX + 50; i++)
        shell_line_feed(&e, 'a');
    CHECK_EQ(e.len, LE_LINE_MAX - 1);
    shell_line_reset(&e);
    type("\x1b[99999999~\x1b[1;5Cx\x1bOHy\x02\x06\x04");
    CHECK_STR(e.buf, "y");                /* ... Ctrl-D deleted the x */
    for (int c = 0; c < 256; c++)        /* no key may break the invariants */
        if (c != '\r' && c != '\n' && c != 3 && c != 4)
            shell_line_feed(&e, c);
    CHECK(e.len < LE_LINE_MAX && e.pos <= e.len && e.buf[e.len] == 0);
    /* without echo nothing is written */
    start();
    e.echo = false;
    type("abc\x1b[D\x7f\r");
    CHECK_STR(e.buf, "ac");
    CHECK_STR(screen, "");
    /* no history storage */
    shell_line_init(&e, NULL, 0, out, NULL);
    shell_line_reset(&e);
    shell_line_history_add(&e, "x");
    type("\x1b[A");
    CHECK_STR(e.buf, "");
}

static const char *complete_fn(const char *w, size_t n, void *ctx)
{
    (void)ctx;
    static const char *const names[] = { "help", "history", "modules" };
    const char *found = NULL;
    for (int i = 0; i < 3; i++)
        if (strncmp(names[i], w, n) == 0) {
            if (found)
                return NULL;
            found = names[i];
        }
    return found;
}

TEST(tab_completion)
{
    start();
    e.complete = complete_fn;
    type("mo\t");
    CHECK_STR(e.buf, "modules ");
    CHECK_STR(render(), "modules");
    shell_line_reset(&e);
    type("h\t");                         /* help or history: nothing */
    CHECK_STR(e.buf, "h");
    type("e\t");
    CHECK_STR(e.buf, "help ");
    shell_line_reset(&e);
    type("  hi\t");
    CHECK_STR(e.buf, "  history ");
    shell_line_reset(&e);
    type("help mo\t");                   /* only the first word */
    CHECK_STR(e.buf, "help mo");
    shell_line_reset(&e);
    type("mo x\x01\x06\x06\t");         /* cursor mid-line, at the word's end */
    CHECK_STR(e.buf, "modules x");
    shell_line_reset(&e);
    type("zz\t");
    CHECK_STR(e.buf, "zz");
}

int main(void)
{
    RUN(typing_and_enter);
    RUN(editing_keys);
    RUN(history);
    RUN(ctrl_d_ends_input_only_on_an_empty_line);
    RUN(limits_and_noise);
    RUN(tab_completion);
    return unit_done();
}
