/* The input registry (core/input.c) and its keymaps (core/keymap.c): the
 * characters of every printable US key and the German specials, Caps Lock,
 * AltGr and Ctrl; registration; the input thread's modifier tracking and
 * events; the pointer's clamping and absolute scaling with and without a
 * display; queue overflow counted per device. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "input"
#include "unit.h"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

static void setup(void)
{
    struct plat_mem_region r = { (uintptr_t)aligned_alloc_host(4096, 8u << 20), 8u << 20 };
    anx_pmem_init(&r, 1);
    anx_heap_init();
    anx_time_init(unit_time_ns);
    anx_threads_init();
}

/* ---- keymaps ------------------------------------------------------------- */

/* The US layout written out as its rows, starting at the evdev code of the
 * row's first key: each key's plain and shifted character. */
struct row {
    uint16_t first;
    const char *plain, *shift;
};
static const struct row us_rows[] = {
    { 2, "1234567890-=", "!@#$%^&*()_+" },
    { 16, "qwertyuiop[]", "QWERTYUIOP{}" },
    { 30, "asdfghjkl;'`", "ASDFGHJKL:\"~" },
    { 43, "\\zxcvbnm,./", "|ZXCVBNM<>?" },
    { 57, " ", " " },
};

TEST(us_every_printable_key)
{
    CHECK_STR(anx_input_keymap(), "us");            /* no CONFIG_DISPLAY_KEYMAP in a unit build */
    unsigned keys = 0;
    for (unsigned r = 0; r < sizeof us_rows / sizeof us_rows[0]; r++) {
        for (unsigned i = 0; us_rows[r].plain[i]; i++) {
            uint16_t code = (uint16_t)(us_rows[r].first + i);
            CHECK_EQ(anx_input_key_char(code, 0), us_rows[r].plain[i]);
            CHECK_EQ(anx_input_key_char(code, ANX_MOD_SHIFT), us_rows[r].shift[i]);
            keys++;
        }
    }
    CHECK_EQ(keys, 48);                             /* 47 printable keys and Space */
    CHECK_EQ(anx_input_key_char(ANX_KEY_ENTER, 0), '\r');
    CHECK_EQ(anx_input_key_char(ANX_KEY_BACKSPACE, 0), '\b');
    CHECK_EQ(anx_input_key_char(ANX_KEY_TAB, 0), '\t');
    CHECK_EQ(anx_input_key_char(ANX_KEY_ESC, 0), 0x1b);
    /* keys without a character */
    CHECK_EQ(anx_input_key_char(ANX_KEY_LEFTSHIFT, 0), 0);
    CHECK_EQ(anx_input_key_char(ANX_KEY_UP, 0), 0);
    CHECK_EQ(anx_input_key_char(ANX_KEY_DELETE, 0), 0);
    CHECK_EQ(anx_input_key_char(ANX_KEY_F1, 0), 0);
    CHECK_EQ(anx_input_key_char(ANX_KEY_MAX, 0), 0);
    CHECK_EQ(anx_input_key_char(0x110, 0), 0);      /* a button code */
}

TEST(us_keypad_numlock)
{
    CHECK_EQ(anx_input_key_char(ANX_KEY_KP7, ANX_MOD_NUMLOCK), '7');
    CHECK_EQ(anx_input_key_char(82, ANX_MOD_NUMLOCK), '0');         /* KP0 */
    CHECK_EQ(anx_input_key_char(ANX_KEY_KPDOT, ANX_MOD_NUMLOCK), '.');
    CHECK_EQ(anx_input_key_char(ANX_KEY_KP7, 0), 0);                /* Home without Num Lock */
    CHECK_EQ(anx_input_key_char(74, 0), '-');                       /* KPMINUS either way */
    CHECK_EQ(anx_input_key_char(78, ANX_MOD_NUMLOCK), '+');
    CHECK_EQ(anx_input_key_char(ANX_KEY_KPSLASH, 0), '/');
    CHECK_EQ(anx_input_key_char(ANX_KEY_KPASTERISK, 0), '*');
    CHECK_EQ(anx_input_key_char(ANX_KEY_KPENTER, 0), '\r');
}

TEST(capslock_letters_only)
{
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_CAPSLOCK), 'A');
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_CAPSLOCK | ANX_MOD_SHIFT), 'a');
    CHECK_EQ(anx_input_key_char(ANX_KEY_1, ANX_MOD_CAPSLOCK), '1');
    CHECK_EQ(anx_input_key_char(ANX_KEY_1, ANX_MOD_CAPSLOCK | ANX_MOD_SHIFT), '!');
    CHECK_EQ(anx_input_key_char(ANX_KEY_LEFTBRACE, ANX_MOD_CAPSLOCK), '[');
    CHECK_EQ(anx_input_key_char(ANX_KEY_SEMICOLON, ANX_MOD_CAPSLOCK), ';');
}

TEST(ctrl_alt_altgr_us)
{
    CHECK_EQ(anx_input_key_char(46, ANX_MOD_CTRL), 0x03);                    /* Ctrl-C */
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_CTRL | ANX_MOD_SHIFT), 0x01);
    CHECK_EQ(anx_input_key_char(ANX_KEY_LEFTBRACE, ANX_MOD_CTRL), 0x1b);     /* Ctrl-[ */
    CHECK_EQ(anx_input_key_char(ANX_KEY_1, ANX_MOD_CTRL), '1');              /* no control code */
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_ALT), 'a');               /* Alt: read from mods */
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_META), 'a');
    CHECK_EQ(anx_input_key_char(ANX_KEY_Q, ANX_MOD_ALTGR), 0);               /* us has no AltGr level */
}

TEST(set_keymap)
{
    CHECK_EQ(anx_input_set_keymap("fr"), ANX_ENOENT);
    CHECK_EQ(anx_input_set_keymap(NULL), ANX_ENOENT);
    CHECK_STR(anx_input_keymap(), "us");
    CHECK_EQ(anx_input_set_keymap("de"), 0);
    CHECK_STR(anx_input_keymap(), "de");
}

TEST(de_layout)
{
    CHECK_EQ(anx_input_set_keymap("de"), 0);
    /* QWERTZ */
    CHECK_EQ(anx_input_key_char(21, 0), 'z');                 /* KEY_Y position */
    CHECK_EQ(anx_input_key_char(44, 0), 'y');                 /* KEY_Z position */
    CHECK_EQ(anx_input_key_char(44, ANX_MOD_SHIFT), 'Y');
    /* the specials */
    CHECK_EQ(anx_input_key_char(ANX_KEY_MINUS, 0), 0xdf);           /* ß */
    CHECK_EQ(anx_input_key_char(ANX_KEY_MINUS, ANX_MOD_SHIFT), '?');
    CHECK_EQ(anx_input_key_char(ANX_KEY_MINUS, ANX_MOD_ALTGR), '\\');
    CHECK_EQ(anx_input_key_char(ANX_KEY_LEFTBRACE, 0), 0xfc);       /* ü */
    CHECK_EQ(anx_input_key_char(ANX_KEY_SEMICOLON, 0), 0xf6);       /* ö */
    CHECK_EQ(anx_input_key_char(ANX_KEY_APOSTROPHE, 0), 0xe4);      /* ä */
    CHECK_EQ(anx_input_key_char(ANX_KEY_APOSTROPHE, ANX_MOD_SHIFT), 0xc4);
    CHECK_EQ(anx_input_key_char(ANX_KEY_GRAVE, 0), '^');
    CHECK_EQ(anx_input_key_char(ANX_KEY_GRAVE, ANX_MOD_SHIFT), 0xb0); /* ° */
    CHECK_EQ(anx_input_key_char(4, ANX_MOD_SHIFT), 0xa7);           /* § on Shift-3 */
    CHECK_EQ(anx_input_key_char(3, ANX_MOD_SHIFT), '"');
    CHECK_EQ(anx_input_key_char(8, ANX_MOD_SHIFT), '/');
    CHECK_EQ(anx_input_key_char(11, ANX_MOD_SHIFT), '=');
    CHECK_EQ(anx_input_key_char(ANX_KEY_RIGHTBRACE, 0), '+');
    CHECK_EQ(anx_input_key_char(ANX_KEY_RIGHTBRACE, ANX_MOD_SHIFT), '*');
    CHECK_EQ(anx_input_key_char(ANX_KEY_BACKSLASH, 0), '#');
    CHECK_EQ(anx_input_key_char(ANX_KEY_SLASH, ANX_MOD_SHIFT), '_');
    CHECK_EQ(anx_input_key_char(ANX_KEY_102ND, 0), '<');
    /* AltGr */
    CHECK_EQ(anx_input_key_char(ANX_KEY_Q, ANX_MOD_ALTGR), '@');
    CHECK_EQ(anx_input_key_char(18, ANX_MOD_ALTGR), 0x20ac);        /* € on E */
    CHECK_EQ(anx_input_key_char(8, ANX_MOD_ALTGR), '{');
    CHECK_EQ(anx_input_key_char(9, ANX_MOD_ALTGR), '[');
    CHECK_EQ(anx_input_key_char(10, ANX_MOD_ALTGR), ']');
    CHECK_EQ(anx_input_key_char(11, ANX_MOD_ALTGR), '}');
    CHECK_EQ(anx_input_key_char(ANX_KEY_RIGHTBRACE, ANX_MOD_ALTGR), '~');
    CHECK_EQ(anx_input_key_char(ANX_KEY_102ND, ANX_MOD_ALTGR), '|');
    CHECK_EQ(anx_input_key_char(ANX_KEY_M, ANX_MOD_ALTGR), 0xb5);   /* µ */
    CHECK_EQ(anx_input_key_char(ANX_KEY_A, ANX_MOD_ALTGR), 0);      /* no AltGr character */
    CHECK_EQ(anx_input_key_char(ANX_KEY_Q, ANX_MOD_ALTGR | ANX_MOD_CTRL), '@');
    /* Caps Lock: umlauts are letters, ß and digits are not */
    CHECK_EQ(anx_input_key_char(ANX_KEY_LEFTBRACE, ANX_MOD_CAPSLOCK), 0xdc);   /* Ü */
    CHECK_EQ(anx_input_key_char(ANX_KEY_SEMICOLON, ANX_MOD_CAPSLOCK | ANX_MOD_SHIFT), 0xf6);
    CHECK_EQ(anx_input_key_char(ANX_KEY_MINUS, ANX_MOD_CAPSLOCK), 0xdf);
    CHECK_EQ(anx_input_key_char(ANX_KEY_1, ANX_MOD_CAPSLOCK), '1');
    CHECK_EQ(anx_input_key_char(44, ANX_MOD_CAPSLOCK), 'Y');
    /* Ctrl follows the character, not the key position */
    CHECK_EQ(anx_input_key_char(21, ANX_MOD_CTRL), 0x1a);           /* Ctrl-Z on the Y key */
    CHECK_EQ(anx_input_key_char(ANX_KEY_KPDOT, ANX_MOD_NUMLOCK), ',');
    CHECK_EQ(anx_input_set_keymap("us"), 0);
    CHECK_EQ(anx_input_key_char(21, 0), 'y');
}

/* ---- the registry and the input thread ------------------------------------ */

#define MAX_EVENTS 512
static struct anx_input_event seen[MAX_EVENTS];
static unsigned nseen;

static void collect(const struct anx_input_event *ev, void *arg)
{
    (void)arg;
    if (nseen < MAX_EVENTS)
        seen[nseen++] = *ev;
}

static struct anx_input_listener listener = { .event = collect };
static struct anx_input_dev kbd = { .driver = "test-keyboard", .caps = ANX_INPUT_CAP_KEYS };
static struct anx_input_dev mouse = { .driver = "test-mouse", .caps = ANX_INPUT_CAP_REL };
static struct anx_input_dev tablet = { .driver = "test-tablet", .caps = ANX_INPUT_CAP_ABS };

/* Let the input thread drain the queue (it yields after every 32 events). */
static void drain(void)
{
    for (int i = 0; i < 20; i++)
        anx_yield();
}

static void reset_seen(void)
{
    drain();
    nseen = 0;
}

TEST(register_devices)
{
    struct anx_input_dev nameless = { .caps = ANX_INPUT_CAP_KEYS };
    struct anx_input_dev capless = { .driver = "x" };
    CHECK_EQ(anx_input_register(NULL), ANX_EINVAL);
    CHECK_EQ(anx_input_register(&nameless), ANX_EINVAL);
    CHECK_EQ(anx_input_register(&capless), ANX_EINVAL);
    CHECK(anx_input_first() == NULL);
    CHECK(anx_command_find("input") == NULL);
    CHECK_EQ(anx_input_register(&kbd), 0);
    CHECK_EQ(anx_input_register(&mouse), 0);
    CHECK_EQ(anx_input_register(&tablet), 0);
    CHECK_EQ(anx_input_register(&kbd), ANX_EEXIST);
    CHECK_STR(kbd.name, "input0");
    CHECK_STR(tablet.name, "input2");
    CHECK(anx_input_first() == &kbd);
    CHECK(anx_input_next(&kbd) == &mouse);
    CHECK(anx_input_next(&tablet) == NULL);
    CHECK(anx_command_find("input") != NULL);
    anx_input_listen(&listener);
    anx_input_listen(&listener);                    /* twice: still called once per event */
    anx_input_key(&kbd, ANX_KEY_A, 1);
    anx_input_key(&kbd, ANX_KEY_A, 0);
    drain();
    CHECK_EQ(nseen, 2);
    CHECK_EQ(kbd.events, 2);
}

/* Press and release with the registry, returning the press's character. */
static uint32_t type_key(uint16_t code)
{
    reset_seen();
    anx_input_key(&kbd, code, 1);
    anx_input_key(&kbd, code, 0);
    drain();
    CHECK_EQ(nseen, 2);
    CHECK_EQ(seen[1].ch, 0);                        /* a release has no character */
    return seen[0].ch;
}

TEST(modifiers_tracked)
{
    reset_seen();
    anx_input_key(&kbd, ANX_KEY_LEFTSHIFT, 1);
    anx_input_key(&kbd, ANX_KEY_A, 1);
    anx_input_key(&kbd, ANX_KEY_A, 2);              /* autorepeat has a character too */
    drain();
    CHECK_EQ(nseen, 3);
    CHECK_EQ(seen[0].type, ANX_EV_KEY);
    CHECK(seen[0].mods & ANX_MOD_SHIFT);
    CHECK_EQ(seen[1].ch, 'A');
    CHECK_EQ(seen[1].code, ANX_KEY_A);
    CHECK_EQ(seen[1].value, 1);
    CHECK(seen[1].dev == &kbd);
    CHECK_EQ(seen[2].value, 2);
    CHECK_EQ(seen[2].ch, 'A');
    /* the other Shift down, the first up: still shifted */
    anx_input_key(&kbd, ANX_KEY_A, 0);
    anx_input_key(&kbd, ANX_KEY_RIGHTSHIFT, 1);
    anx_input_key(&kbd, ANX_KEY_LEFTSHIFT, 0);
    drain();
    CHECK_EQ(type_key(ANX_KEY_1), '!');
    anx_input_key(&kbd, ANX_KEY_RIGHTSHIFT, 0);
    drain();
    CHECK_EQ(type_key(ANX_KEY_1), '1');
    /* Ctrl, Alt, AltGr, Meta are separate bits */
    reset_seen();
    anx_input_key(&kbd, ANX_KEY_RIGHTCTRL, 1);
    anx_input_key(&kbd, ANX_KEY_LEFTALT, 1);
    anx_input_key(&kbd, ANX_KEY_RIGHTALT, 1);
    anx_input_key(&kbd, ANX_KEY_LEFTMETA, 1);
    drain();
    CHECK_EQ(seen[3].mods & 0x1f, ANX_MOD_CTRL | ANX_MOD_ALT | ANX_MOD_ALTGR | ANX_MOD_META);
    anx_input_key(&kbd, ANX_KEY_RIGHTCTRL, 0);
    anx_input_key(&kbd, ANX_KEY_LEFTALT, 0);
    anx_input_key(&kbd, ANX_KEY_RIGHTALT, 0);
    anx_input_key(&kbd, ANX_KEY_LEFTMETA, 0);
    drain();
    CHECK_EQ(seen[nseen - 1].mods & 0x1f, 0);
}

TEST(lock_toggles)
{
    reset_seen();
    anx_input_key(&kbd, ANX_KEY_CAPSLOCK, 1);
    anx_input_key(&kbd, ANX_KEY_CAPSLOCK, 2);       /* held: autorepeat does not toggle back */
    anx_input_key(&kbd, ANX_KEY_CAPSLOCK, 0);
    drain();
    CHECK(seen[2].mods & ANX_MOD_CAPSLOCK);
    CHECK_EQ(type_key(ANX_KEY_A), 'A');
    CHECK_EQ(type_key(ANX_KEY_1), '1');
    anx_input_key(&kbd, ANX_KEY_CAPSLOCK, 1);
    anx_input_key(&kbd, ANX_KEY_CAPSLOCK, 0);
    drain();
    CHECK_EQ(type_key(ANX_KEY_A), 'a');
    /* Num Lock starts on */
    CHECK_EQ(type_key(ANX_KEY_KP7), '7');
    anx_input_key(&kbd, ANX_KEY_NUMLOCK, 1);
    anx_input_key(&kbd, ANX_KEY_NUMLOCK, 0);
    drain();
    CHECK_EQ(type_key(ANX_KEY_KP7), 0);
    anx_input_key(&kbd, ANX_KEY_NUMLOCK, 1);
    anx_input_key(&kbd, ANX_KEY_NUMLOCK, 0);
    drain();
    CHECK_EQ(type_key(ANX_KEY_KP7), '7');
    /* a code past the keymaps is passed on without a character */
    reset_seen();
    anx_input_key(&kbd, 0x161, 1);
    drain();
    CHECK_EQ(nseen, 1);
    CHECK_EQ(seen[0].code, 0x161);
    CHECK_EQ(seen[0].ch, 0);
}

TEST(pointer_relative_clamped)
{
    int32_t x, y;
    anx_input_pointer(&x, &y);
    CHECK_EQ(x, 512);                               /* 1024x768 without a display, centred */
    CHECK_EQ(y, 384);
    reset_seen();
    anx_input_rel(&mouse, 10, -4, 0);
    drain();
    anx_input_rel(&mouse, 5, 0, 0);
    drain();
    CHECK_EQ(nseen, 2);
    CHECK_EQ(seen[0].type, ANX_EV_POINTER);
    CHECK_EQ(seen[0].x, 522);
    CHECK_EQ(seen[0].y, 380);
    CHECK_EQ(seen[0].dx, 10);
    CHECK_EQ(seen[0].dy, -4);
    CHECK_EQ(seen[1].x, 527);
    reset_seen();
    anx_input_rel(&mouse, -100000, -100000, 0);
    drain();
    anx_input_rel(&mouse, INT32_MIN, INT32_MIN, 0);  /* no overflow */
    drain();
    CHECK_EQ(seen[0].x, 0);
    CHECK_EQ(seen[0].y, 0);
    CHECK_EQ(seen[1].x, 0);
    reset_seen();
    anx_input_rel(&mouse, INT32_MAX, INT32_MAX, 0);
    drain();
    CHECK_EQ(seen[0].x, 1023);
    CHECK_EQ(seen[0].y, 767);
    anx_input_pointer(&x, &y);
    CHECK_EQ(x, 1023);
    CHECK_EQ(y, 767);
    /* the wheel alone is a wheel event, not a move */
    reset_seen();
    anx_input_rel(&mouse, 0, 0, -2);
    drain();
    CHECK_EQ(nseen, 1);
    CHECK_EQ(seen[0].type, ANX_EV_WHEEL);
    CHECK_EQ(seen[0].dy, -2);
    CHECK_EQ(seen[0].x, 1023);
    /* motion and wheel in one report: two events, the move first */
    reset_seen();
    anx_input_rel(&mouse, -23, 0, 1);
    drain();
    CHECK_EQ(nseen, 2);
    CHECK_EQ(seen[0].type, ANX_EV_POINTER);
    CHECK_EQ(seen[1].type, ANX_EV_WHEEL);
    CHECK_EQ(seen[1].x, 1000);
}

TEST(buttons)
{
    reset_seen();
    anx_input_button(&mouse, ANX_BTN_LEFT, 1);
    anx_input_button(&mouse, ANX_BTN_RIGHT, 1);
    anx_input_button(&mouse, ANX_BTN_LEFT, 0);
    anx_input_button(&mouse, ANX_BTN_RIGHT, 0);
    drain();
    CHECK_EQ(nseen, 4);
    CHECK_EQ(seen[0].type, ANX_EV_BUTTON);
    CHECK_EQ(seen[0].code, ANX_BTN_LEFT);
    CHECK_EQ(seen[0].buttons, 1);
    CHECK_EQ(seen[1].buttons, 3);
    CHECK_EQ(seen[2].buttons, 2);
    CHECK_EQ(seen[2].value, 0);
    CHECK_EQ(seen[3].buttons, 0);
    CHECK_EQ(seen[0].x, 1000);                      /* where the pointer is */
}

/* QEMU's windows send pixel p of a w-pixel screen as p * 0x7fff / w. */
static uint32_t qemu_abs(int32_t p, int32_t w)
{
    return (uint32_t)((int64_t)p * 0x7fff / w);
}

static void check_abs_round_trip(int32_t w, int32_t h)
{
    unsigned bad = 0;
    for (int32_t p = 0; p < w; p++) {
        reset_seen();
        anx_input_abs(&tablet, qemu_abs(p, w), qemu_abs(p % h, h), 0x7fff, 0x7fff);
        drain();
        if (nseen != 1 || seen[0].x != p || seen[0].y != p % h)
            bad++;
    }
    CHECK_EQ(bad, 0);
}

TEST(pointer_absolute_no_display)
{
    check_abs_round_trip(1024, 768);
    reset_seen();
    anx_input_abs(&tablet, 0x7fff, 0x7fff, 0x7fff, 0x7fff);
    drain();
    anx_input_abs(&tablet, 0, 0, 0x7fff, 0x7fff);
    drain();
    anx_input_abs(&tablet, 900000, 5, 0x7fff, 0x7fff);      /* past the range: clamped */
    drain();
    anx_input_abs(&tablet, 50, 100, 100, 200);              /* another range: the middle */
    drain();
    anx_input_abs(&tablet, 7, 7, 0, 0);                     /* a range of nothing: the corner */
    drain();
    CHECK_EQ(nseen, 5);
    CHECK_EQ(seen[0].x, 1023);
    CHECK_EQ(seen[0].y, 767);
    CHECK_EQ(seen[1].x, 0);
    CHECK_EQ(seen[1].dx, -1023);                    /* dx of an absolute move: how far it went */
    CHECK_EQ(seen[2].x, 1023);
    CHECK_EQ(seen[3].x, 512);
    CHECK_EQ(seen[3].y, 384);
    CHECK_EQ(seen[4].x, 0);
}

static uint8_t fb[640 * 480 * 4];
static const struct anx_display_ops fixed_ops = { 0 };
static struct anx_display disp = {
    .driver = "test-fb", .mode = { 640, 480, 640 * 4, ANX_PIXEL_XRGB8888 }, .fb = fb,
    .fb_size = sizeof fb, .ops = &fixed_ops,
};

TEST(pointer_follows_display)
{
    int32_t x, y;
    CHECK_EQ(anx_display_register(&disp), 0);
    anx_input_pointer(&x, &y);                      /* it was at 0,0 */
    CHECK_EQ(x, 0);
    anx_input_rel(&mouse, 5000, 5000, 0);
    drain();
    anx_input_pointer(&x, &y);
    CHECK_EQ(x, 639);                               /* clamped to the display, not 1024x768 */
    CHECK_EQ(y, 479);
    check_abs_round_trip(640, 480);
}

TEST(queue_overflow_counted)
{
    reset_seen();
    uint64_t before = kbd.events, mouse_before = mouse.events;
    for (unsigned i = 0; i < 300; i++)              /* no yield: the thread cannot drain */
        anx_input_key(&kbd, ANX_KEY_A, i & 1);
    anx_input_rel(&mouse, 1, 1, 0);                 /* the full queue drops this one too */
    CHECK_EQ(kbd.events - before, 256);
    CHECK_EQ(kbd.dropped, 44);
    CHECK_EQ(mouse.events - mouse_before, 0);
    CHECK_EQ(mouse.dropped, 1);
    drain();
    CHECK_EQ(nseen, 256);
    CHECK_EQ(tablet.dropped, 0);
    /* drained: reports are taken again */
    reset_seen();
    anx_input_key(&kbd, ANX_KEY_A, 1);
    anx_input_key(&kbd, ANX_KEY_A, 0);
    drain();
    CHECK_EQ(nseen, 2);
    CHECK_EQ(kbd.dropped, 44);
    anx_input_key(NULL, ANX_KEY_A, 1);              /* no device: ignored */
    drain();
    CHECK_EQ(nseen, 2);
}

TEST(motion_coalesced)
{
    int32_t x0, y0;
    anx_input_pointer(&x0, &y0);
    reset_seen();
    uint64_t before = mouse.events;
    for (unsigned i = 0; i < 300; i++)              /* the thread is behind: one slot */
        anx_input_rel(&mouse, -1, -1, i == 0);
    anx_input_key(&kbd, ANX_KEY_A, 1);              /* a key ends the run */
    anx_input_rel(&mouse, 2, 0, 0);
    anx_input_abs(&tablet, 0, 0, 100, 100);         /* another device: its own slot */
    anx_input_abs(&tablet, 100, 50, 100, 100);      /* folded: only the last position counts */
    anx_input_key(&kbd, ANX_KEY_A, 0);
    CHECK_EQ(mouse.events - before, 301);
    CHECK_EQ(mouse.dropped, 1);                     /* only the earlier test's */
    drain();
    CHECK_EQ(nseen, 6);
    CHECK_EQ(seen[0].type, ANX_EV_POINTER);
    CHECK_EQ(seen[0].dx, -300);
    CHECK_EQ(seen[0].x, x0 - 300);
    CHECK_EQ(seen[1].type, ANX_EV_WHEEL);
    CHECK_EQ(seen[1].dy, 1);
    CHECK_EQ(seen[2].type, ANX_EV_KEY);
    CHECK_EQ(seen[3].dx, 2);
    CHECK_EQ(seen[4].x, 639);                       /* the last tablet position */
    CHECK_EQ(seen[4].y, 240);
    CHECK_EQ(seen[5].type, ANX_EV_KEY);
    CHECK_EQ(seen[5].value, 0);
}

TEST(yields_in_bursts)
{
    reset_seen();
    for (unsigned i = 0; i < 100; i++)
        anx_input_key(&kbd, 48, i & 1);      /* KEY_B */
    anx_yield();                                    /* the thread runs 32, then lets us run */
    CHECK_EQ(nseen, 32);
    drain();
    CHECK_EQ(nseen, 100);
}

TEST(input_command)
{
    unit_console_clear();
    char line[] = "input";
    CHECK_EQ(anx_command_run(line), 0);
    CHECK(strstr(unit_console, "input0: test-keyboard (keys), events ") != NULL);
    CHECK(strstr(unit_console, "dropped 44") != NULL);
    CHECK(strstr(unit_console, "input1: test-mouse (relative), events ") != NULL);
    CHECK(strstr(unit_console, "input2: test-tablet (absolute), events ") != NULL);
    CHECK(strstr(unit_console, "keymap us, pointer at ") != NULL);
    unit_console_clear();
    char set[] = "input keymap de";
    CHECK_EQ(anx_command_run(set), 0);
    CHECK_STR(anx_input_keymap(), "de");
    char bad[] = "input keymap xx";
    CHECK(anx_command_run(bad) != 0);
    CHECK(strstr(unit_console, "input: no keymap 'xx' (there are us and de)") != NULL);
    CHECK_STR(anx_input_keymap(), "de");
    anx_input_set_keymap("us");
}

int main(void)
{
    setup();
    RUN(us_every_printable_key);
    RUN(us_keypad_numlock);
    RUN(capslock_letters_only);
    RUN(ctrl_alt_altgr_us);
    RUN(set_keymap);
    RUN(de_layout);
    RUN(register_devices);
    RUN(modifiers_tracked);
    RUN(lock_toggles);
    RUN(pointer_relative_clamped);
    RUN(buttons);
    RUN(pointer_absolute_no_display);
    RUN(pointer_follows_display);
    RUN(queue_overflow_counted);
    RUN(motion_coalesced);
    RUN(yields_in_bursts);
    RUN(input_command);
    return unit_done();
}
