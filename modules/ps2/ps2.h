/*
 * The PS/2 module's decoders, free of I/O so host tests can drive them
 * (modules/ps2/tests): the keyboard's scancode set 1 (scancode.c) and the
 * mouse's 3- and 4-byte movement packets (mouse_packet.c). ps2_module.c
 * feeds them the bytes the i8042 controller delivers.
 */
#ifndef PS2_H
#define PS2_H

#include <stdbool.h>
#include <stdint.h>

/* ---- keyboard: scancode set 1 ------------------------------------------------
 *
 * The controller translates the keyboard's set 2 into set 1 (translation
 * is on in its configuration byte), whose make codes are the evdev key
 * codes for the main block (1 to 88) and whose break codes add 0x80.
 * Extended keys come after 0xE0 (arrows, right Ctrl and Alt, the keypad's
 * Enter and /, Windows keys); Pause sends E1 1D 45 E1 9D C5 on press and
 * nothing on release, so it decodes as a press and a release. */
struct ps2_kbd_decoder {
    uint8_t state;              /* private */
    uint8_t down[32];           /* private: keys held, by evdev code */
    uint32_t unknown;           /* codes without a key, skipped */
};

void ps2_kbd_init(struct ps2_kbd_decoder *d);
/* Feed one byte; true when it completes a key event: *code (evdev) and
 * *value (1 press, 0 release, 2 autorepeat: the keyboard repeats a held
 * key's make code, and a make code of a key already down is a repeat). Controller replies (ACK 0xFA, resend 0xFE,
 * echo 0xEE, errors 0x00 and 0xFF) give nothing. */
bool ps2_kbd_feed(struct ps2_kbd_decoder *d, uint8_t byte, uint16_t *code, int *value);

/* ---- mouse: movement packets -------------------------------------------------
 *
 * Byte 0: buttons (bit 0 left, 1 right, 2 middle), bit 3 always set, X and
 * Y sign (bits 4, 5), X and Y overflow (bits 6, 7); byte 1: X; byte 2: Y
 * (up is positive); an IntelliMouse (id 3) adds byte 3, the wheel as a
 * signed byte (towards the user is positive). */
struct ps2_mouse_decoder {
    uint8_t buf[4];             /* private */
    uint8_t n, size;            /* private */
    uint32_t resyncs;           /* bytes skipped to find a first byte (bit 3 set) */
    uint32_t overflows;         /* packets discarded for an overflow bit */
};

struct ps2_mouse_report {
    int32_t dx, dy;             /* screen axes: +x right, +y down */
    int32_t wheel;              /* steps, + away from the user */
    uint8_t buttons;            /* bit 0 left, 1 right, 2 middle */
};

/* wheel: the mouse answered id 3 to the IntelliMouse knock (4-byte packets). */
void ps2_mouse_init(struct ps2_mouse_decoder *d, bool wheel);
/* Drop a partial packet (the driver calls this after a gap in the stream). */
void ps2_mouse_resync(struct ps2_mouse_decoder *d);
/* Feed one byte; true when it completes a valid packet, decoded into *r. */
bool ps2_mouse_feed(struct ps2_mouse_decoder *d, uint8_t byte, struct ps2_mouse_report *r);

#endif
