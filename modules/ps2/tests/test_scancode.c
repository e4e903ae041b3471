/* Host tests of the scancode set 1 decoder (scancode.c): main-block keys,
 * break codes, the 0xE0 extended keys, the fake shifts, the Pause
 * sequence, controller replies and a broken Pause. */
#include <stdio.h>
#include <stdlib.h>
#include "ps2.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define MAX_EV 64
static uint16_t codes[MAX_EV];
static int values[MAX_EV];
static unsigned nev;

/* Feed bytes to a fresh decoder, collecting the events. */
static struct ps2_kbd_decoder feed(const uint8_t *bytes, unsigned n)
{
    struct ps2_kbd_decoder d;
    ps2_kbd_init(&d);
    nev = 0;
    for (unsigned i = 0; i < n; i++) {
        uint16_t c;
        int v;
        if (ps2_kbd_feed(&d, bytes[i], &c, &v) && nev < MAX_EV) {
            codes[nev] = c;
            values[nev++] = v;
        }
    }
    return d;
}
#define FEED(...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; feed(b_, sizeof b_); })

static void main_block(void)
{
    FEED(0x1e, 0x9e);                   /* A down, up */
    CHECK(nev == 2 && codes[0] == 30 && values[0] == 1 && codes[1] == 30 && values[1] == 0);
    FEED(0x01, 0x1c, 0x2a, 0x39, 0x3a, 0x45, 0x57, 0x58, 0x56);
    CHECK(nev == 9);
    CHECK(codes[0] == 1 && codes[1] == 28 && codes[2] == 42 && codes[3] == 57);   /* Esc Enter LShift Space */
    CHECK(codes[4] == 58 && codes[5] == 69);                                      /* CapsLock NumLock */
    CHECK(codes[6] == 87 && codes[7] == 88 && codes[8] == 86);                    /* F11 F12 102nd */
    FEED(0x47, 0xc7, 0x53);             /* keypad 7 and . without E0 */
    CHECK(nev == 3 && codes[0] == 71 && values[1] == 0 && codes[2] == 83);
    FEED(0x54);                         /* Alt-PrintScreen */
    CHECK(nev == 1 && codes[0] == 99);
    struct ps2_kbd_decoder d = FEED(0x55, 0x59, 0x7f);
    CHECK(nev == 0 && d.unknown == 3);
}

static void extended(void)
{
    FEED(0xe0, 0x48, 0xe0, 0xc8);       /* Up */
    CHECK(nev == 2 && codes[0] == 103 && values[0] == 1 && codes[1] == 103 && values[1] == 0);
    FEED(0xe0, 0x1d, 0xe0, 0x38, 0xe0, 0x1c, 0xe0, 0x35, 0xe0, 0x5b, 0xe0, 0x53, 0xe0, 0x4b, 0xe0, 0x47);
    CHECK(nev == 8);
    CHECK(codes[0] == 97 && codes[1] == 100);           /* RightCtrl RightAlt */
    CHECK(codes[2] == 96 && codes[3] == 98);            /* KPEnter KPSlash */
    CHECK(codes[4] == 125 && codes[5] == 111);          /* LeftMeta Delete */
    CHECK(codes[6] == 105 && codes[7] == 102);          /* Left Home */
    /* E0 only changes the next byte: then it is the plain key again */
    FEED(0xe0, 0x1d, 0x1d);
    CHECK(nev == 2 && codes[0] == 97 && codes[1] == 29);
    /* Print Screen with its fake shift: E0 2A E0 37 ... E0 B7 E0 AA */
    struct ps2_kbd_decoder d = FEED(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
    CHECK(nev == 2 && codes[0] == 99 && values[0] == 1 && codes[1] == 99 && values[1] == 0);
    CHECK(d.unknown == 0);
    /* Ctrl-Break */
    FEED(0xe0, 0x46, 0xe0, 0xc6);
    CHECK(nev == 2 && codes[0] == 119);
}

static void pause_key(void)
{
    FEED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
    CHECK(nev == 2 && codes[0] == 119 && values[0] == 1 && codes[1] == 119 && values[1] == 0);
    /* the sequence does not leak a Ctrl or NumLock */
    FEED(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5, 0x1e);
    CHECK(nev == 3 && codes[2] == 30);
    /* a broken sequence: the byte that broke it counts as itself */
    struct ps2_kbd_decoder d = FEED(0xe1, 0x1d, 0x1e);
    CHECK(nev == 1 && codes[0] == 30 && values[0] == 1 && d.unknown == 1);
}

static void autorepeat(void)
{
    FEED(0x1e, 0x1e, 0x1e, 0x9e, 0x1e);         /* A held: repeats, released, pressed again */
    CHECK(nev == 5 && values[0] == 1 && values[1] == 2 && values[2] == 2 && values[3] == 0 && values[4] == 1);
    FEED(0xe0, 0x48, 0xe0, 0x48, 0x48);         /* Up repeats; keypad 8 is another key */
    CHECK(nev == 3 && values[0] == 1 && values[1] == 2 && codes[2] == 72 && values[2] == 1);
}

static void replies(void)
{
    struct ps2_kbd_decoder d = FEED(0xfa, 0xfe, 0xee, 0x00, 0xff, 0xe0, 0xfa, 0x1e);
    CHECK(nev == 1 && codes[0] == 30);  /* and a reply cancels a pending E0 */
    CHECK(d.unknown == 0);
}

int main(void)
{
    main_block();
    extended();
    pause_key();
    autorepeat();
    replies();
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
