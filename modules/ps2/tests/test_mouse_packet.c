/* Host tests of the PS/2 mouse packet decoder (mouse_packet.c): signs,
 * buttons, the screen's y axis, overflow, resynchronising on bit 3 and
 * after a gap, and the IntelliMouse wheel byte. */
#include <stdio.h>
#include <stdlib.h>
#include "ps2.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

#define MAX_REP 16
static struct ps2_mouse_report reps[MAX_REP];
static unsigned nrep;

static void feed(struct ps2_mouse_decoder *d, const uint8_t *bytes, unsigned n)
{
    nrep = 0;
    for (unsigned i = 0; i < n; i++) {
        struct ps2_mouse_report r;
        if (ps2_mouse_feed(d, bytes[i], &r) && nrep < MAX_REP)
            reps[nrep++] = r;
    }
}
#define FEED(d, ...) do { static const uint8_t b_[] = { __VA_ARGS__ }; feed(d, b_, sizeof b_); } while (0)

static void three_byte(void)
{
    struct ps2_mouse_decoder d;
    ps2_mouse_init(&d, false);
    FEED(&d, 0x08, 5, 3);                   /* right 5, up 3 */
    CHECK(nrep == 1 && reps[0].dx == 5 && reps[0].dy == -3 && reps[0].buttons == 0 && reps[0].wheel == 0);
    FEED(&d, 0x08 | 0x10 | 0x20, 0xfb, 0xfe);   /* left 5, down 2 */
    CHECK(nrep == 1 && reps[0].dx == -5 && reps[0].dy == 2);
    FEED(&d, 0x08 | 0x10, 0x00, 0x00);      /* the extreme: -256 */
    CHECK(nrep == 1 && reps[0].dx == -256 && reps[0].dy == 0);
    FEED(&d, 0x08, 0xff, 0xff);             /* 255 right, 255 up */
    CHECK(nrep == 1 && reps[0].dx == 255 && reps[0].dy == -255);
    FEED(&d, 0x08 | 1, 0, 0, 0x08 | 3, 0, 0, 0x08 | 4, 0, 0);
    CHECK(nrep == 3 && reps[0].buttons == 1 && reps[1].buttons == 3 && reps[2].buttons == 4);
    /* in a 3-byte stream a fourth byte is the next packet's first */
    FEED(&d, 0x08, 1, 1, 0x08, 2, 2);
    CHECK(nrep == 2 && reps[1].dx == 2);
}

static void overflow_and_sync(void)
{
    struct ps2_mouse_decoder d;
    ps2_mouse_init(&d, false);
    FEED(&d, 0x08 | 0x40, 10, 10, 0x08 | 0x80, 10, 10, 0x08, 1, 0);
    CHECK(nrep == 1 && reps[0].dx == 1 && d.overflows == 2);
    /* bytes without bit 3 where a packet starts are skipped */
    FEED(&d, 0x00, 0x37, 0x08, 7, 0);
    CHECK(nrep == 1 && reps[0].dx == 7 && d.resyncs == 2);
    /* a partial packet dropped after a gap */
    FEED(&d, 0x08, 9);
    CHECK(nrep == 0);
    ps2_mouse_resync(&d);
    FEED(&d, 0x09, 4, 4);
    CHECK(nrep == 1 && reps[0].dx == 4 && reps[0].buttons == 1);
}

static void wheel(void)
{
    struct ps2_mouse_decoder d;
    ps2_mouse_init(&d, true);
    FEED(&d, 0x08, 0, 0, 0xff);             /* z -1: away from the user, +1 step */
    CHECK(nrep == 1 && reps[0].wheel == 1);
    FEED(&d, 0x08, 3, 0, 0x02);             /* z 2: towards the user */
    CHECK(nrep == 1 && reps[0].wheel == -2 && reps[0].dx == 3);
    FEED(&d, 0x08, 1, 1);                   /* three bytes are not a packet yet */
    CHECK(nrep == 0);
    FEED(&d, 0x00);
    CHECK(nrep == 1 && reps[0].wheel == 0);
}

int main(void)
{
    three_byte();
    overflow_and_sync();
    wheel();
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
