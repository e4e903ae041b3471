/* PS/2 mouse packets (see ps2.h). */
#include "ps2.h"

#define B0_ALWAYS 0x08
#define B0_XSIGN 0x10
#define B0_YSIGN 0x20
#define B0_XOVER 0x40
#define B0_YOVER 0x80

void ps2_mouse_init(struct ps2_mouse_decoder *d, bool wheel)
{
    d->n = 0;
    d->size = wheel ? 4 : 3;
    d->resyncs = d->overflows = 0;
}

void ps2_mouse_resync(struct ps2_mouse_decoder *d)
{
    d->n = 0;
}

/* A 9-bit two's complement value: the byte and its sign bit from byte 0. */
static int32_t nine_bit(uint8_t low, bool negative)
{
    return negative ? (int32_t)low - 256 : (int32_t)low;
}

bool ps2_mouse_feed(struct ps2_mouse_decoder *d, uint8_t byte, struct ps2_mouse_report *r)
{
    /* A first byte always has bit 3 set: skipping bytes until one does
     * finds the packet boundary again after a lost byte. */
    if (d->n == 0 && !(byte & B0_ALWAYS)) {
        d->resyncs++;
        return false;
    }
    d->buf[d->n++] = byte;
    if (d->n < d->size)
        return false;
    d->n = 0;
    uint8_t b0 = d->buf[0];
    if (b0 & (B0_XOVER | B0_YOVER)) {   /* the counts wrapped: the motion is meaningless */
        d->overflows++;
        return false;
    }
    r->buttons = b0 & 7;
    r->dx = nine_bit(d->buf[1], b0 & B0_XSIGN);
    r->dy = -nine_bit(d->buf[2], b0 & B0_YSIGN);
    r->wheel = d->size == 4 ? -(int32_t)(int8_t)d->buf[3] : 0;
    return true;
}
