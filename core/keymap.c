/* The keymaps of the input registry (<anx/input.h>): which character a key
 * gives with the modifiers held. Each map is a table indexed by the evdev
 * key code with three columns, plain, with Shift and with AltGr (the right
 * Alt key); 0 means no character.
 *
 * The rules on top of the table, as a PC console does them:
 *  - Caps Lock swaps plain and Shift for letters only (Shift with Caps Lock
 *    gives a small letter again); a letter is a key whose Shift column is
 *    the capital of its plain column.
 *  - AltGr uses its own column and nothing else: a key without an AltGr
 *    character gives none (the US map has no AltGr column at all).
 *  - Ctrl turns the character into its control code the way terminals do
 *    (Ctrl-C is 0x03, Ctrl-[ is ESC), so a console fed from these
 *    characters behaves like one fed from a serial line. Ctrl with a
 *    character that has no control code leaves it unchanged.
 *  - Alt and Meta do not change the character; a listener that wants
 *    chords reads them from the event's mods.
 *  - The keypad gives digits and '.' (',' on the German map) only with Num
 *    Lock on; with it off those keys are navigation keys without a
 *    character. Its operators and Enter always give theirs.
 *  - Enter gives '\r' and Backspace '\b', which the shell's line editor
 *    reads as a serial terminal's; arrows, Home, Delete, F-keys give none.
 *
 * The German map is the "nodeadkeys" variant: ^, ´ and ` are plain
 * characters instead of dead keys composing with the next letter. */
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>

struct keydef {
    uint16_t plain, shift, altgr;
};

struct keymap {
    const char *name;
    const struct keydef *keys;
    unsigned nkeys;
};

/* Rows every map shares: control keys and the keypad's operators. */
#define COMMON_KEYS \
    [ANX_KEY_ESC] = { 0x1b, 0x1b, 0 }, \
    [ANX_KEY_BACKSPACE] = { '\b', '\b', 0 }, \
    [ANX_KEY_TAB] = { '\t', '\t', 0 }, \
    [ANX_KEY_ENTER] = { '\r', '\r', 0 }, \
    [ANX_KEY_SPACE] = { ' ', ' ', ' ' }, \
    [ANX_KEY_KPASTERISK] = { '*', '*', 0 }, \
    [74] = { '-', '-', 0 },                  /* KEY_KPMINUS */ \
    [78] = { '+', '+', 0 },                  /* KEY_KPPLUS */ \
    [ANX_KEY_KPENTER] = { '\r', '\r', 0 }, \
    [ANX_KEY_KPSLASH] = { '/', '/', 0 }

static const struct keydef us_keys[128] = {
    COMMON_KEYS,
    [2] = { '1', '!', 0 }, [3] = { '2', '@', 0 }, [4] = { '3', '#', 0 }, [5] = { '4', '$', 0 },
    [6] = { '5', '%', 0 }, [7] = { '6', '^', 0 }, [8] = { '7', '&', 0 }, [9] = { '8', '*', 0 },
    [10] = { '9', '(', 0 }, [11] = { '0', ')', 0 }, [12] = { '-', '_', 0 }, [13] = { '=', '+', 0 },
    [16] = { 'q', 'Q', 0 }, [17] = { 'w', 'W', 0 }, [18] = { 'e', 'E', 0 }, [19] = { 'r', 'R', 0 },
    [20] = { 't', 'T', 0 }, [21] = { 'y', 'Y', 0 }, [22] = { 'u', 'U', 0 }, [23] = { 'i', 'I', 0 },
    [24] = { 'o', 'O', 0 }, [25] = { 'p', 'P', 0 }, [26] = { '[', '{', 0 }, [27] = { ']', '}', 0 },
    [30] = { 'a', 'A', 0 }, [31] = { 's', 'S', 0 }, [32] = { 'd', 'D', 0 }, [33] = { 'f', 'F', 0 },
    [34] = { 'g', 'G', 0 }, [35] = { 'h', 'H', 0 }, [36] = { 'j', 'J', 0 }, [37] = { 'k', 'K', 0 },
    [38] = { 'l', 'L', 0 }, [39] = { ';', ':', 0 }, [40] = { '\'', '"', 0 }, [41] = { '`', '~', 0 },
    [43] = { '\\', '|', 0 },
    [44] = { 'z', 'Z', 0 }, [45] = { 'x', 'X', 0 }, [46] = { 'c', 'C', 0 }, [47] = { 'v', 'V', 0 },
    [48] = { 'b', 'B', 0 }, [49] = { 'n', 'N', 0 }, [50] = { 'm', 'M', 0 }, [51] = { ',', '<', 0 },
    [52] = { '.', '>', 0 }, [53] = { '/', '?', 0 },
    [ANX_KEY_102ND] = { '<', '>', 0 },       /* the extra key of 102-key boards */
};

/* German QWERTZ (T1 layout as xkb "de(nodeadkeys)" has it). */
static const struct keydef de_keys[128] = {
    COMMON_KEYS,
    [2] = { '1', '!', 0x00b9 }, [3] = { '2', '"', 0x00b2 }, [4] = { '3', 0x00a7, 0x00b3 },
    [5] = { '4', '$', 0x00bc }, [6] = { '5', '%', 0x00bd }, [7] = { '6', '&', 0x00ac },
    [8] = { '7', '/', '{' }, [9] = { '8', '(', '[' }, [10] = { '9', ')', ']' }, [11] = { '0', '=', '}' },
    [12] = { 0x00df, '?', '\\' },            /* ß ? \ */
    [13] = { 0x00b4, '`', 0 },               /* ´ ` (dead keys on a real de layout) */
    [16] = { 'q', 'Q', '@' }, [17] = { 'w', 'W', 0 }, [18] = { 'e', 'E', 0x20ac },   /* € */
    [19] = { 'r', 'R', 0 }, [20] = { 't', 'T', 0 }, [21] = { 'z', 'Z', 0 }, [22] = { 'u', 'U', 0 },
    [23] = { 'i', 'I', 0 }, [24] = { 'o', 'O', 0 }, [25] = { 'p', 'P', 0 },
    [26] = { 0x00fc, 0x00dc, 0 },            /* ü Ü */
    [27] = { '+', '*', '~' },
    [30] = { 'a', 'A', 0 }, [31] = { 's', 'S', 0 }, [32] = { 'd', 'D', 0 }, [33] = { 'f', 'F', 0 },
    [34] = { 'g', 'G', 0 }, [35] = { 'h', 'H', 0 }, [36] = { 'j', 'J', 0 }, [37] = { 'k', 'K', 0 },
    [38] = { 'l', 'L', 0 },
    [39] = { 0x00f6, 0x00d6, 0 },            /* ö Ö */
    [40] = { 0x00e4, 0x00c4, 0 },            /* ä Ä */
    [41] = { '^', 0x00b0, 0 },               /* ^ ° */
    [43] = { '#', '\'', 0 },
    [44] = { 'y', 'Y', 0 }, [45] = { 'x', 'X', 0 }, [46] = { 'c', 'C', 0 }, [47] = { 'v', 'V', 0 },
    [48] = { 'b', 'B', 0 }, [49] = { 'n', 'N', 0 }, [50] = { 'm', 'M', 0x00b5 },   /* µ */
    [51] = { ',', ';', 0 }, [52] = { '.', ':', 0 }, [53] = { '-', '_', 0 },
    [ANX_KEY_102ND] = { '<', '>', '|' },
};

static const struct keymap keymaps[] = {
    { "us", us_keys, ANX_ARRAY_SIZE(us_keys) },
    { "de", de_keys, ANX_ARRAY_SIZE(de_keys) },
};

/* The keypad's keys KP7..KPDOT (evdev 71..83) with Num Lock on; KPMINUS
 * (74) and KPPLUS (78) among them are in the tables, Num Lock or not. */
static const char keypad_digits[] = "789-456+1230.";

static const struct keymap *find_keymap(const char *name)
{
    for (unsigned i = 0; i < ANX_ARRAY_SIZE(keymaps); i++)
        if (name && strcmp(keymaps[i].name, name) == 0)
            return &keymaps[i];
    return NULL;
}

static const struct keymap *current;

/* The map in use: the one set, else the manifest's `display: {keymap:}`
 * (CONFIG_DISPLAY_KEYMAP), else us. */
static const struct keymap *keymap(void)
{
    if (!current) {
#ifdef CONFIG_DISPLAY_KEYMAP
        current = find_keymap(CONFIG_DISPLAY_KEYMAP);
#endif
        if (!current)
            current = &keymaps[0];
    }
    return current;
}

const char *anx_input_keymap(void)
{
    return keymap()->name;
}

int anx_input_set_keymap(const char *name)
{
    const struct keymap *m = find_keymap(name);
    if (!m)
        return ANX_ENOENT;
    current = m;
    return 0;
}

/* A letter: Shift gives a different character that is the capital of the
 * plain one (a-z, and Latin-1's à..þ whose capitals are 0x20 lower). */
static bool is_letter(const struct keydef *k)
{
    if (k->plain >= 'a' && k->plain <= 'z')
        return k->shift == k->plain - 32;
    if (k->plain >= 0xe0 && k->plain <= 0xfe && k->plain != 0xf7)
        return k->shift == k->plain - 32;
    return false;
}

/* Ctrl's effect on a character (ASCII control codes), c unchanged when it
 * has none. */
static uint32_t control(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 1;
    if (c > '@' && c <= '_')                 /* A-Z [ \ ] ^ _ */
        return c - '@';
    if (c == '?')
        return 0x7f;
    return c;
}

static uint32_t keypad_char(uint16_t code, const struct keymap *m, uint16_t mods)
{
    if (!(mods & ANX_MOD_NUMLOCK))
        return 0;
    if (code == ANX_KEY_KPDOT && m->keys == de_keys)
        return ',';
    return (uint32_t)keypad_digits[code - ANX_KEY_KP7];
}

uint32_t anx_input_key_char(uint16_t code, uint16_t mods)
{
    const struct keymap *m = keymap();
    if (code >= ANX_KEY_KP7 && code <= ANX_KEY_KPDOT && code != 74 && code != 78)
        return keypad_char(code, m, mods);
    if (code >= m->nkeys)
        return 0;
    const struct keydef *k = &m->keys[code];
    if (mods & ANX_MOD_ALTGR)
        return k->altgr;
    bool shift = mods & ANX_MOD_SHIFT;
    if ((mods & ANX_MOD_CAPSLOCK) && is_letter(k))
        shift = !shift;
    uint32_t c = shift ? k->shift : k->plain;
    if (mods & ANX_MOD_CTRL)
        c = control(c);
    return c;
}
