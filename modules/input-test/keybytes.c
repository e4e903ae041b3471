/* Key presses as terminal bytes (see keybytes.h). */
#include <anx/input.h>
#include <anx/lib.h>

#include "keybytes.h"

static size_t utf8(uint32_t c, char out[4])
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

static const char *escape(uint16_t code)
{
    switch (code) {
    case ANX_KEY_UP: return "\x1b[A";
    case ANX_KEY_DOWN: return "\x1b[B";
    case ANX_KEY_RIGHT: return "\x1b[C";
    case ANX_KEY_LEFT: return "\x1b[D";
    case ANX_KEY_HOME: return "\x1b[H";
    case ANX_KEY_END: return "\x1b[F";
    case ANX_KEY_DELETE: return "\x1b[3~";
    }
    return NULL;
}

size_t input_test_key_bytes(uint16_t code, uint32_t ch, char out[4])
{
    if (ch && ch <= 0x10ffff)
        return utf8(ch, out);
    const char *e = escape(code);
    if (!e)
        return 0;
    size_t n = strlen(e);
    memcpy(out, e, n);
    return n;
}
