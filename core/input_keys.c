/* Key presses as the bytes a VT100-style terminal sends (<anx/input.h>
 * anx_input_key_bytes): what the shell's line editor (modules/shell/
 * lineedit.c) reads from a serial terminal, so a keyboard on the machine
 * types into it the same way (the framebuffer console, input-test). */
#include <anx/input.h>
#include <anx/lib.h>

static size_t put(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return n;
}

static size_t utf8(char *u, uint32_t c)
{
    if (c < 0x80) {
        u[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        u[0] = (char)(0xc0 | c >> 6);
        u[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        u[0] = (char)(0xe0 | c >> 12);
        u[1] = (char)(0x80 | (c >> 6 & 0x3f));
        u[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    if (c > 0x10ffff)
        return 0;
    u[0] = (char)(0xf0 | c >> 18);
    u[1] = (char)(0x80 | (c >> 12 & 0x3f));
    u[2] = (char)(0x80 | (c >> 6 & 0x3f));
    u[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

size_t anx_input_key_bytes(const struct anx_input_event *ev, char out[ANX_INPUT_KEY_BYTES_MAX])
{
    if (ev->type != ANX_EV_KEY || ev->value == 0)
        return 0;
    switch (ev->code) {
    case ANX_KEY_ENTER: case ANX_KEY_KPENTER: return put(out, "\r");
    case ANX_KEY_BACKSPACE: return put(out, "\x7f");     /* lineedit takes 0x7f (and 0x08) */
    case ANX_KEY_TAB: return put(out, "\t");
    case ANX_KEY_ESC: return put(out, "\x1b");
    case ANX_KEY_UP: return put(out, "\x1b[A");
    case ANX_KEY_DOWN: return put(out, "\x1b[B");
    case ANX_KEY_RIGHT: return put(out, "\x1b[C");
    case ANX_KEY_LEFT: return put(out, "\x1b[D");
    case ANX_KEY_HOME: return put(out, "\x1b[H");
    case ANX_KEY_END: return put(out, "\x1b[F");
    case ANX_KEY_INSERT: return put(out, "\x1b[2~");
    case ANX_KEY_DELETE: return put(out, "\x1b[3~");
    case ANX_KEY_PAGEUP: return put(out, "\x1b[5~");
    case ANX_KEY_PAGEDOWN: return put(out, "\x1b[6~");
    default: break;
    }
    uint32_t c = ev->ch;
    if (!c)
        return 0;
    if (ev->mods & ANX_MOD_CTRL) {
        /* The core's keymap already gives control codes (Ctrl-C is 0x03);
         * this covers a character that still arrives as a letter: Ctrl-A..Z
         * and Ctrl-@ [ \ ] ^ _ -> 0x00..0x1f, Ctrl-? -> DEL; anything else
         * goes as it is (Ctrl-1 is '1', as xterm sends it). */
        if ((c >= 'a' && c <= 'z') || (c >= '@' && c <= '_'))
            c &= 0x1f;
        else if (c == '?')
            c = 0x7f;
    }
    size_t n = 0;
    if ((ev->mods & ANX_MOD_ALT) && !(ev->mods & ANX_MOD_ALTGR))
        out[n++] = 0x1b;                 /* Meta: ESC first */
    return n + utf8(out + n, c);
}
