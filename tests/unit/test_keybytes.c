/* Key events as terminal bytes (core/input_keys.c): each key gives the
 * bytes the shell's line editor expects from a serial terminal. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "keybytes"
#include "unit.h"
#include <anx/input.h>

static void expect(const char *what, uint16_t code, uint32_t ch, uint16_t mods, int value, const char *want,
                   size_t wn)
{
    struct anx_input_event ev = {.type = ANX_EV_KEY, .code = code, .ch = ch, .mods = mods, .value = (int8_t)value};
    char out[ANX_INPUT_KEY_BYTES_MAX];
    size_t n = anx_input_key_bytes(&ev, out);
    if (n != wn || memcmp(out, want, wn)) {
        fprintf(stderr, "  %s: got %zu bytes", what, n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02x", (unsigned char)out[i]);
        fprintf(stderr, "\n");
        unit_fail_count++;
    }
}

#define E(what, code, ch, mods, value, want) expect(what, code, ch, mods, value, want, sizeof want - 1)

TEST(keys)
{
    E("letter", ANX_KEY_A, 'a', 0, 1, "a");
    E("autorepeat", ANX_KEY_A, 'a', 0, 2, "a");
    E("release sends nothing", ANX_KEY_A, 'a', 0, 0, "");
    E("shifted", ANX_KEY_A, 'A', ANX_MOD_SHIFT, 1, "A");
    E("enter is CR", ANX_KEY_ENTER, '\n', 0, 1, "\r");
    E("keypad enter", ANX_KEY_KPENTER, 0, 0, 1, "\r");
    E("backspace is DEL", ANX_KEY_BACKSPACE, 8, 0, 1, "\x7f");
    E("tab", ANX_KEY_TAB, '\t', 0, 1, "\t");
    E("up", ANX_KEY_UP, 0, 0, 1, "\x1b[A");
    E("down", ANX_KEY_DOWN, 0, 0, 1, "\x1b[B");
    E("right", ANX_KEY_RIGHT, 0, 0, 1, "\x1b[C");
    E("left", ANX_KEY_LEFT, 0, 0, 1, "\x1b[D");
    E("home", ANX_KEY_HOME, 0, 0, 1, "\x1b[H");
    E("end", ANX_KEY_END, 0, 0, 1, "\x1b[F");
    E("delete", ANX_KEY_DELETE, 0, 0, 1, "\x1b[3~");
    E("ctrl-c", ANX_KEY_A + 16, 'c', ANX_MOD_CTRL, 1, "\x03");
    E("ctrl-shift-a", ANX_KEY_A, 'A', ANX_MOD_CTRL | ANX_MOD_SHIFT, 1, "\x01");
    E("ctrl-[ is ESC", ANX_KEY_LEFTBRACE, '[', ANX_MOD_CTRL, 1, "\x1b");
    E("ctrl-1 is 1", ANX_KEY_1, '1', ANX_MOD_CTRL, 1, "1");
    E("ctrl-c as the keymap gives it", ANX_KEY_A + 16, 0x03, ANX_MOD_CTRL, 1, "\x03");
    E("ctrl-a as the keymap gives it", ANX_KEY_A, 0x01, ANX_MOD_CTRL, 1, "\x01");
    E("alt-x is ESC x", ANX_KEY_A, 'x', ANX_MOD_ALT, 1, "\x1bx");
    E("altgr character (de: @)", ANX_KEY_Q, '@', ANX_MOD_ALTGR | ANX_MOD_ALT, 1, "@");
    E("non-ASCII as UTF-8 (de: o umlaut)", ANX_KEY_SEMICOLON, 0xf6, 0, 1, "\xc3\xb6");
    E("euro sign", ANX_KEY_A + 4, 0x20ac, ANX_MOD_ALTGR, 1, "\xe2\x82\xac");
    E("modifier alone", ANX_KEY_LEFTSHIFT, 0, ANX_MOD_SHIFT, 1, "");
    E("F5 without a character", ANX_KEY_F1 + 4, 0, 0, 1, "");
    E("four UTF-8 bytes", 0, 0x1f600, 0, 1, "\xf0\x9f\x98\x80");
    E("not a character", 0, 0x110000, 0, 1, "");
}

TEST(not_a_key)
{
    struct anx_input_event ptr = {.type = ANX_EV_POINTER, .x = 5, .y = 5};
    char out[ANX_INPUT_KEY_BYTES_MAX];
    CHECK(anx_input_key_bytes(&ptr, out) == 0);
}

int main(void)
{
    RUN(keys);
    RUN(not_a_key);
    return unit_done();
}
