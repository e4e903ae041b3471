/* Scancode set 1 to evdev key codes (see ps2.h). */
#include "ps2.h"

enum { S_NORMAL, S_E0, S_PAUSE1, S_PAUSE2, S_PAUSE3, S_PAUSE4, S_PAUSE5 };

/* After 0xE0: the make code (without bit 7) -> evdev code; 0 for none.
 * E0 2A and E0 36 are the "fake shifts" some keys send around themselves
 * when Shift or Num Lock is on: left at 0, they are skipped. */
static const uint16_t extended[0x80] = {
    [0x10] = 165,   /* KEY_PREVIOUSSONG */
    [0x19] = 163,   /* KEY_NEXTSONG */
    [0x1c] = 96,    /* KEY_KPENTER */
    [0x1d] = 97,    /* KEY_RIGHTCTRL */
    [0x20] = 113,   /* KEY_MUTE */
    [0x22] = 164,   /* KEY_PLAYPAUSE */
    [0x24] = 166,   /* KEY_STOPCD */
    [0x2e] = 114,   /* KEY_VOLUMEDOWN */
    [0x30] = 115,   /* KEY_VOLUMEUP */
    [0x35] = 98,    /* KEY_KPSLASH */
    [0x37] = 99,    /* KEY_SYSRQ (Print Screen) */
    [0x38] = 100,   /* KEY_RIGHTALT */
    [0x46] = 119,   /* KEY_PAUSE (Ctrl-Break) */
    [0x47] = 102,   /* KEY_HOME */
    [0x48] = 103,   /* KEY_UP */
    [0x49] = 104,   /* KEY_PAGEUP */
    [0x4b] = 105,   /* KEY_LEFT */
    [0x4d] = 106,   /* KEY_RIGHT */
    [0x4f] = 107,   /* KEY_END */
    [0x50] = 108,   /* KEY_DOWN */
    [0x51] = 109,   /* KEY_PAGEDOWN */
    [0x52] = 110,   /* KEY_INSERT */
    [0x53] = 111,   /* KEY_DELETE */
    [0x5b] = 125,   /* KEY_LEFTMETA */
    [0x5c] = 126,   /* KEY_RIGHTMETA */
    [0x5d] = 127,   /* KEY_COMPOSE (Menu) */
    [0x5e] = 116,   /* KEY_POWER */
    [0x5f] = 142,   /* KEY_SLEEP */
    [0x63] = 143,   /* KEY_WAKEUP */
};

#define KEY_PAUSE 119
#define KEY_SYSRQ 99

void ps2_kbd_init(struct ps2_kbd_decoder *d)
{
    *d = (struct ps2_kbd_decoder){ .state = S_NORMAL };
}

/* Press, repeat or release, from whether the key was already down. */
static int key_value(struct ps2_kbd_decoder *d, uint16_t code, bool make)
{
    uint8_t bit = (uint8_t)(1u << (code % 8));
    uint8_t *held = &d->down[code / 8];
    if (!make) {
        *held &= (uint8_t)~bit;
        return 0;
    }
    int v = *held & bit ? 2 : 1;
    *held |= bit;
    return v;
}

/* A make code of the main block: the evdev code is the scancode itself,
 * but for 0x54 (Print Screen with Alt held: SysRq); 0 for none. */
static uint16_t plain_code(uint8_t make)
{
    if (make == 0x54)
        return KEY_SYSRQ;
    if (make >= 1 && make <= 0x58 && make != 0x55)
        return make;
    return 0;
}

/* The Pause sequence E1 1D 45 E1 9D C5, one state per byte after E1. */
static const uint8_t pause_bytes[] = { 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };

static bool feed_pause(struct ps2_kbd_decoder *d, uint8_t byte, uint16_t *code, int *value, bool *retry)
{
    unsigned i = d->state - S_PAUSE1;
    if (byte != pause_bytes[i]) {       /* not Pause after all: start over with this byte */
        d->state = S_NORMAL;
        d->unknown++;
        *retry = true;
        return false;
    }
    d->state = i + 1 < sizeof pause_bytes ? d->state + 1 : S_NORMAL;
    if (byte == 0x45 || byte == 0xc5) {  /* the make half, then the break half */
        *code = KEY_PAUSE;
        *value = key_value(d, KEY_PAUSE, byte == 0x45);
        return true;
    }
    return false;
}

bool ps2_kbd_feed(struct ps2_kbd_decoder *d, uint8_t byte, uint16_t *code, int *value)
{
    if (d->state >= S_PAUSE1) {
        bool retry = false;
        if (feed_pause(d, byte, code, value, &retry))
            return true;
        if (!retry)
            return false;
    }
    switch (byte) {
    case 0x00: case 0xff:               /* key detection error, buffer overrun */
    case 0xfa: case 0xfe: case 0xee:    /* ACK, resend, echo: replies to commands */
        d->state = S_NORMAL;
        return false;
    case 0xe0:
        d->state = S_E0;
        return false;
    case 0xe1:
        d->state = S_PAUSE1;
        return false;
    }
    uint8_t make = byte & 0x7f;
    uint16_t c = d->state == S_E0 ? extended[make] : plain_code(make);
    bool was_extended = d->state == S_E0;
    d->state = S_NORMAL;
    if (!c) {
        if (!(was_extended && (make == 0x2a || make == 0x36)))
            d->unknown++;
        return false;
    }
    *code = c;
    *value = key_value(d, c, !(byte & 0x80));
    return true;
}
