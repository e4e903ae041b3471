/* Host tests of the framebuffer console's terminal: byte strings in, the
 * cell grid compared (text per row, colors, cursor, dirty rows, scrolls),
 * including what the shell's line editor emits. */
#include <stdio.h>
#include <string.h>
#include "term.h"

static int failures, failed_tests;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
    failures++; } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_); failures++; } } while (0)
#define RUN(t) do { int f0_ = failures; t(); if (failures == f0_) printf("ok   test_term: %s\n", #t); \
    else { printf("FAIL test_term: %s\n", #t); failed_tests++; } fflush(stdout); } while (0)

static struct fbcon_term t;

static void feed(const char *s)
{
    fbcon_term_feed(&t, s, strlen(s));
}

static int row_is(int y, const char *want)
{
    char buf[512];
    fbcon_term_row_text(&t, y, buf, sizeof buf);
    if (strcmp(buf, want)) {
        fprintf(stderr, "  row %d: \"%s\", expected \"%s\"\n", y, buf, want);
        return 0;
    }
    return 1;
}

static void fresh(int cols, int rows)
{
    fbcon_term_free(&t);
    CHECK_EQ(fbcon_term_init(&t, cols, rows), 0);
    memset(t.dirty, 0, (size_t)rows);
}

static void test_text_and_controls(void)
{
    fresh(20, 4);
    feed("hello\r\nworld");
    CHECK(row_is(0, "hello"));
    CHECK(row_is(1, "world"));
    CHECK_EQ(t.cx, 5);
    CHECK_EQ(t.cy, 1);
    feed("\rW");                        /* \r: column 0 */
    CHECK(row_is(1, "World"));
    feed("\n");                         /* \n alone is a new line too (no \r\n on this path) */
    CHECK_EQ(t.cx, 0);
    CHECK_EQ(t.cy, 2);
    feed("a\tb\tc");
    CHECK(row_is(2, "a       b       c"));
    feed("\b\bX");                      /* back two, overwrite */
    CHECK(row_is(2, "a       b      Xc"));
    CHECK_EQ(t.dirty[0] + t.dirty[1] + t.dirty[2] + t.dirty[3], 3);
}

static void test_wrap_and_backspace(void)
{
    fresh(10, 4);
    feed("0123456789");                 /* fills row 0: the cursor waits in the last column */
    CHECK_EQ(t.cy, 0);
    CHECK_EQ(t.cx, 9);
    CHECK(t.wrap_pending);
    feed("A");
    CHECK(row_is(0, "0123456789"));
    CHECK(row_is(1, "A"));
    CHECK_EQ(t.cx, 1);
    /* the line editor moves back over the wrap with plain \b */
    feed("\b\b\bZ");
    CHECK(row_is(0, "01234567Z9"));
    CHECK_EQ(t.cy, 0);
    /* exactly full then \b: back onto the last column */
    fresh(10, 4);
    feed("0123456789\bX");
    CHECK(row_is(0, "012345678X"));
    CHECK(t.wrap_pending && t.cx == 9 && t.cy == 0);   /* X went into the last column again */
    /* \b at column 0 of a line that is not a continuation stays put */
    feed("\r\nq\b\b\b");
    CHECK_EQ(t.cx, 0);
    CHECK_EQ(t.cy, 1);
}

static void test_lineedit_redraw(void)
{
    /* what modules/shell/lineedit.c writes for: type "abd", Left, "c"
     * (insert: the tail redrawn, then \b back), Backspace at the end */
    fresh(40, 3);
    feed("anx> ");
    feed("a");
    feed("b");
    feed("d");
    feed("\b");                         /* Left: one \b */
    feed("c" "d" "\b");                 /* insert c: c, then the tail "d", then back 1 */
    CHECK(row_is(0, "anx> abcd"));
    CHECK_EQ(t.cx, 8);
    feed("d");                          /* Right: re-emit the character under the cursor */
    feed("\b" "" " " "\b");             /* Backspace at the end: back, blank, back */
    CHECK(row_is(0, "anx> abc"));
    CHECK_EQ(t.cx, 8);
    feed("\n");
    CHECK_EQ(t.cy, 1);
    CHECK_EQ(t.cx, 0);
}

static void test_sgr(void)
{
    fresh(20, 2);
    feed("a\x1b[31mb\x1b[1;44mc\x1b[0md\x1b[92;7me\x1b[39;49;27;22mf\x1b[mg");
    const struct fbcon_cell *c = fbcon_term_cell(&t, 0, 0);
    CHECK_EQ(c[0].fg, 7);
    CHECK_EQ(c[0].bg, 0);
    CHECK_EQ(c[1].fg, 1);
    CHECK_EQ(c[2].fg, 1);
    CHECK_EQ(c[2].bg, 4);
    CHECK_EQ(c[2].attr, FBCON_BOLD);
    CHECK_EQ(c[3].fg, 7);
    CHECK_EQ(c[3].attr, 0);
    CHECK_EQ(c[4].fg, 10);
    CHECK_EQ(c[4].attr, FBCON_REVERSE);
    CHECK_EQ(c[5].fg, 7);
    CHECK_EQ(c[5].bg, 0);
    CHECK_EQ(c[5].attr, 0);
    CHECK_EQ(c[6].fg, 7);
    feed("\x1b[38;5;196mh");           /* 256 colors: ignored, not misread as 5 = magenta bg... */
    CHECK_EQ(c[7].fg, 7);
    CHECK(row_is(0, "abcdefgh"));
}

static void test_cursor_moves_and_erase(void)
{
    fresh(10, 5);
    feed("line0\r\nline1\r\nline2\r\nline3");
    feed("\x1b[2A");                    /* CUU 2 */
    CHECK_EQ(t.cy, 1);
    CHECK_EQ(t.cx, 5);
    feed("\x1b[B\x1b[3D");              /* CUD 1, CUB 3 */
    CHECK_EQ(t.cy, 2);
    CHECK_EQ(t.cx, 2);
    feed("\x1b[K");                     /* erase to end of line */
    CHECK(row_is(2, "li"));
    feed("\x1b[100C");                  /* clamped at the right edge */
    CHECK_EQ(t.cx, 9);
    feed("\x1b[4G");                    /* CHA: column 4 */
    CHECK_EQ(t.cx, 3);
    feed("\x1b[1K");                    /* erase to start, cursor cell included */
    CHECK(row_is(2, ""));
    feed("\x1b[2;3H*");                 /* CUP row 2 col 3 */
    CHECK(row_is(1, "li*e1"));
    feed("\x1b[2K");
    CHECK(row_is(1, ""));
    feed("\x1b[H\x1b[J");               /* home, erase below: everything */
    for (int y = 0; y < 5; y++)
        CHECK(row_is(y, ""));
    feed("abc\x1b[?25l");
    CHECK(!t.cursor_visible);
    feed("\x1b[?25h\x1b" "7\x1b[3;3Hx\x1b" "8y");   /* save, move, write, restore */
    CHECK(t.cursor_visible);
    CHECK(row_is(0, "abcy"));
    CHECK(row_is(2, "  x"));
    feed("\x1b[1;1H\x1b[2J");
    CHECK(row_is(2, ""));
    feed("\x1b[0K\x1b[?1049h\x1b(Bq");  /* unknown private modes and charset picks are consumed */
    CHECK(row_is(0, "q"));
}

static void test_scroll(void)
{
    fresh(8, 3);
    feed("a\r\nb\r\nc");
    memset(t.dirty, 0, 3);
    CHECK_EQ(t.scrolled, 0);
    feed("\r\nd");
    CHECK_EQ(t.scrolled, 1);
    CHECK(row_is(0, "b"));
    CHECK(row_is(1, "c"));
    CHECK(row_is(2, "d"));
    /* only the new row needs drawing: the others move with one copy */
    CHECK_EQ(t.dirty[0], 0);
    CHECK_EQ(t.dirty[1], 0);
    CHECK_EQ(t.dirty[2], 1);
    feed("\r\ne\r\nf\r\ng\r\nh");
    CHECK_EQ(t.scrolled, 5);
    CHECK(row_is(0, "f"));
    CHECK(row_is(2, "h"));
    /* colors of a cleared row are the current background */
    feed("\x1b[44m\r\n");
    CHECK_EQ(fbcon_term_cell(&t, 5, 2)->bg, 4);
}

static void test_utf8(void)
{
    fresh(10, 2);
    feed("\xc3\xa9\xe2\x94\x80\xf0\x9f\x98\x80");
    CHECK_EQ(fbcon_term_cell(&t, 0, 0)->ch, 0xe9);
    CHECK_EQ(fbcon_term_cell(&t, 1, 0)->ch, 0x2500);
    CHECK_EQ(fbcon_term_cell(&t, 2, 0)->ch, 0x1f600);
    CHECK_EQ(t.cx, 3);
    /* split across two writes */
    fbcon_term_feed(&t, "\xe2\x94", 2);
    CHECK_EQ(t.cx, 3);
    fbcon_term_feed(&t, "\x82", 1);
    CHECK_EQ(fbcon_term_cell(&t, 3, 0)->ch, 0x2502);
    /* broken: a replacement character, then the byte that broke it */
    feed("\xc3" "A" "\xff" "\xed\xa0\x80");
    CHECK_EQ(fbcon_term_cell(&t, 4, 0)->ch, 0xfffd);
    CHECK_EQ(fbcon_term_cell(&t, 5, 0)->ch, 'A');
    CHECK_EQ(fbcon_term_cell(&t, 6, 0)->ch, 0xfffd);
    CHECK_EQ(fbcon_term_cell(&t, 7, 0)->ch, 0xfffd);   /* a surrogate */
    char buf[64];
    fbcon_term_row_text(&t, 0, buf, sizeof buf);
    CHECK(!strncmp(buf, "\xc3\xa9\xe2\x94\x80", 5));
}

static void test_garbage(void)
{
    /* any bytes: the cursor stays on the grid */
    fresh(7, 3);
    unsigned x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        char c = (char)(x >> 16);
        if ((x >> 8 & 7) == 0)
            c = 0x1b;
        else if ((x >> 8 & 7) == 1)
            c = '[';
        fbcon_term_feed(&t, &c, 1);
        if (t.cx < 0 || t.cx >= t.cols || t.cy < 0 || t.cy >= t.rows) {
            CHECK(0);
            break;
        }
    }
    CHECK(fbcon_term_init(&(struct fbcon_term){0}, 0, 5) < 0);
    CHECK(fbcon_term_init(&(struct fbcon_term){0}, 5, 5000) < 0);
}

int main(void)
{
    RUN(test_text_and_controls);
    RUN(test_wrap_and_backspace);
    RUN(test_lineedit_redraw);
    RUN(test_sgr);
    RUN(test_cursor_moves_and_erase);
    RUN(test_scroll);
    RUN(test_utf8);
    RUN(test_garbage);
    fbcon_term_free(&t);
    return failed_tests ? 1 : 0;
}
