/*
 * The input registry: keyboard and pointer drivers (PS/2, virtio-input)
 * register a device and report what happens on it; whoever reads input
 * (the framebuffer console, a browser) registers a listener. Neither side
 * knows the other's headers.
 *
 * Key codes are Linux's evdev numbers (<linux/input-event-codes.h>:
 * KEY_A = 30, KEY_ENTER = 28 ...), which virtio-input reports as they are
 * and which PS/2 scancode set 1 maps to almost one to one. The registry
 * tracks the modifiers and turns a key press into the character the
 * keymap gives (CONFIG_DISPLAY_KEYMAP from the manifest's `display:
 * {keymap: us|de}`, default us), so a listener sees both the key and the
 * character.
 *
 * The registry keeps one pointer: relative motion (a mouse) moves it and
 * absolute positions (a tablet, scaled from the device's range) place it,
 * both clamped to the first display's size (or 1024x768 when there is
 * none). Pointer events carry the resulting position in screen pixels.
 *
 * The report functions are safe in interrupt handlers: they queue the
 * event; a core thread ("input") applies the keymap and pointer state and
 * calls the listeners in thread context, in the order events arrived.
 * When the queue (256 events) is full, new events are dropped and counted.
 */
#ifndef ANX_INPUT_H
#define ANX_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- key codes (evdev numbering; the ones the keymaps and console use) ---- */
enum {
    ANX_KEY_ESC = 1, ANX_KEY_1 = 2, ANX_KEY_0 = 11, ANX_KEY_MINUS = 12, ANX_KEY_EQUAL = 13,
    ANX_KEY_BACKSPACE = 14, ANX_KEY_TAB = 15, ANX_KEY_Q = 16, ANX_KEY_P = 25, ANX_KEY_LEFTBRACE = 26,
    ANX_KEY_RIGHTBRACE = 27, ANX_KEY_ENTER = 28, ANX_KEY_LEFTCTRL = 29, ANX_KEY_A = 30, ANX_KEY_L = 38,
    ANX_KEY_SEMICOLON = 39, ANX_KEY_APOSTROPHE = 40, ANX_KEY_GRAVE = 41, ANX_KEY_LEFTSHIFT = 42,
    ANX_KEY_BACKSLASH = 43, ANX_KEY_Z = 44, ANX_KEY_M = 50, ANX_KEY_COMMA = 51, ANX_KEY_DOT = 52,
    ANX_KEY_SLASH = 53, ANX_KEY_RIGHTSHIFT = 54, ANX_KEY_KPASTERISK = 55, ANX_KEY_LEFTALT = 56,
    ANX_KEY_SPACE = 57, ANX_KEY_CAPSLOCK = 58, ANX_KEY_F1 = 59, ANX_KEY_F10 = 68, ANX_KEY_NUMLOCK = 69,
    ANX_KEY_SCROLLLOCK = 70, ANX_KEY_KP7 = 71, ANX_KEY_KPDOT = 83, ANX_KEY_102ND = 86, ANX_KEY_F11 = 87,
    ANX_KEY_F12 = 88, ANX_KEY_KPENTER = 96, ANX_KEY_RIGHTCTRL = 97, ANX_KEY_KPSLASH = 98,
    ANX_KEY_SYSRQ = 99, ANX_KEY_RIGHTALT = 100, ANX_KEY_HOME = 102, ANX_KEY_UP = 103,
    ANX_KEY_PAGEUP = 104, ANX_KEY_LEFT = 105, ANX_KEY_RIGHT = 106, ANX_KEY_END = 107,
    ANX_KEY_DOWN = 108, ANX_KEY_PAGEDOWN = 109, ANX_KEY_INSERT = 110, ANX_KEY_DELETE = 111,
    ANX_KEY_PAUSE = 119, ANX_KEY_LEFTMETA = 125, ANX_KEY_RIGHTMETA = 126, ANX_KEY_COMPOSE = 127,
    ANX_KEY_MAX = 255,              /* codes above are passed on without a character */
};
/* pointer buttons (evdev BTN_*) */
enum { ANX_BTN_LEFT = 0x110, ANX_BTN_RIGHT = 0x111, ANX_BTN_MIDDLE = 0x112 };

/* modifier state, in events */
enum {
    ANX_MOD_SHIFT = 1 << 0, ANX_MOD_CTRL = 1 << 1, ANX_MOD_ALT = 1 << 2, ANX_MOD_ALTGR = 1 << 3,
    ANX_MOD_META = 1 << 4, ANX_MOD_CAPSLOCK = 1 << 5, ANX_MOD_NUMLOCK = 1 << 6,
};

/* ---- devices (drivers) ---------------------------------------------------- */

enum {
    ANX_INPUT_CAP_KEYS = 1 << 0,        /* a keyboard */
    ANX_INPUT_CAP_REL = 1 << 1,         /* a mouse: relative motion, buttons, wheel */
    ANX_INPUT_CAP_ABS = 1 << 2,         /* a tablet or touch screen: absolute position, buttons */
};

struct anx_input_dev {
    /* filled by the driver before anx_input_register() */
    const char *driver;             /* "ps2-keyboard", "virtio-tablet" */
    unsigned caps;                  /* ANX_INPUT_CAP_* */
    void *priv;

    /* set by the registry */
    char name[8];                   /* "input0" ... */
    uint64_t events, dropped;
    struct anx_input_dev *next;     /* private */
};

/* 0, ANX_EINVAL (no driver name or no caps), ANX_EEXIST. */
int anx_input_register(struct anx_input_dev *dev);
struct anx_input_dev *anx_input_first(void);
struct anx_input_dev *anx_input_next(struct anx_input_dev *dev);

/* Reports; interrupt-safe. value: 1 press, 0 release, 2 autorepeat. */
void anx_input_key(struct anx_input_dev *dev, uint16_t code, int value);
/* code: ANX_BTN_*; value 1 pressed, 0 released */
void anx_input_button(struct anx_input_dev *dev, uint16_t code, int value);
/* relative motion (screen axes: +x right, +y down) and wheel steps (+ away from the user) */
void anx_input_rel(struct anx_input_dev *dev, int32_t dx, int32_t dy, int32_t wheel);
/* absolute position x in [0, max_x], y in [0, max_y] of the device's range */
void anx_input_abs(struct anx_input_dev *dev, uint32_t x, uint32_t y, uint32_t max_x, uint32_t max_y);

/* ---- events (listeners) ------------------------------------------------------ */

enum anx_input_type {
    ANX_EV_KEY = 1,                 /* code, value, mods, ch */
    ANX_EV_POINTER,                 /* x, y (after the move), dx, dy, buttons */
    ANX_EV_BUTTON,                  /* code, value, x, y, buttons (after the change) */
    ANX_EV_WHEEL,                   /* dy = steps, x, y */
};

struct anx_input_event {
    enum anx_input_type type;
    uint16_t code;                  /* ANX_KEY_* or ANX_BTN_* */
    int8_t value;                   /* 1 press, 0 release, 2 autorepeat */
    uint16_t mods;                  /* ANX_MOD_* at the time of the event */
    uint32_t ch;                    /* key press: Unicode character from the keymap, 0 if none */
    int32_t x, y;                   /* pointer position, screen pixels */
    int32_t dx, dy;
    uint32_t buttons;               /* bit 0 left, 1 right, 2 middle */
    uint64_t time_ns;               /* anx_time_ns() when reported */
    struct anx_input_dev *dev;
};

struct anx_input_listener {
    /* Called on the input thread for every event; must not block for long. */
    void (*event)(const struct anx_input_event *ev, void *arg);
    void *arg;
    struct anx_input_listener *next;    /* private */
};
void anx_input_listen(struct anx_input_listener *l);

/* The keymap in use ("us", "de") and the character a key gives with the
 * modifiers (0 when none). Exposed for tests and for drivers that want it. */
const char *anx_input_keymap(void);
uint32_t anx_input_key_char(uint16_t code, uint16_t mods);
/* Switch the keymap; 0, or ANX_ENOENT for a name the core does not have. */
int anx_input_set_keymap(const char *name);

/* The bytes a VT100-style terminal sends for a key event (core/
 * input_keys.c), into out: the character in UTF-8 (Alt sends ESC first),
 * Enter "\r", Backspace 0x7f, Ctrl+letter its control code, the cursor
 * and editing keys their escape sequences (Up ESC [ A, Delete ESC [ 3 ~).
 * Returns the count; 0 for a release, a modifier alone, a key without a
 * character, or an event that is not a key. What the framebuffer console
 * feeds the console input with. */
#define ANX_INPUT_KEY_BYTES_MAX 8
struct anx_input_event;
size_t anx_input_key_bytes(const struct anx_input_event *ev, char out[ANX_INPUT_KEY_BYTES_MAX]);

/* Where the pointer is now, in screen pixels. */
void anx_input_pointer(int32_t *x, int32_t *y);

#endif
