/* Host tests of virtio-input's event translation (vinput_event.c): keys
 * pass at once, relative and absolute motion batch until SYN_REPORT and go
 * out before the batch's buttons, absolute ranges with a non-zero minimum,
 * SYN_DROPPED, and events that are not translated. The registry's report
 * functions are replaced by ones that record the calls. */
#include <stdio.h>
#include <stdlib.h>
#include "vinput_event.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

struct call {
    char kind;                      /* k key, b button, r rel, a abs */
    struct anx_input_dev *dev;
    int32_t a, b, c;
    uint32_t d, e;
};
static struct call calls[32];
static unsigned ncalls;

static void record(struct call c)
{
    if (ncalls < 32)
        calls[ncalls++] = c;
}

void anx_input_key(struct anx_input_dev *dev, uint16_t code, int value)
{
    record((struct call){ 'k', dev, code, value, 0, 0, 0 });
}
void anx_input_button(struct anx_input_dev *dev, uint16_t code, int value)
{
    record((struct call){ 'b', dev, code, value, 0, 0, 0 });
}
void anx_input_rel(struct anx_input_dev *dev, int32_t dx, int32_t dy, int32_t wheel)
{
    record((struct call){ 'r', dev, dx, dy, wheel, 0, 0 });
}
void anx_input_abs(struct anx_input_dev *dev, uint32_t x, uint32_t y, uint32_t max_x, uint32_t max_y)
{
    record((struct call){ 'a', dev, (int32_t)x, (int32_t)y, 0, max_x, max_y });
}

static struct anx_input_dev dev = { .driver = "test" };
#define SYN() vinput_event(&s, VINPUT_EV_SYN, VINPUT_SYN_REPORT, 0)

static void keys(void)
{
    struct vinput_state s = { 0 };
    vinput_state_init(&s, &dev);
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_KEY, 30, 1);         /* KEY_A down: at once */
    CHECK(ncalls == 1 && calls[0].kind == 'k' && calls[0].a == 30 && calls[0].b == 1 && calls[0].dev == &dev);
    vinput_event(&s, VINPUT_EV_KEY, 30, 2);
    vinput_event(&s, VINPUT_EV_KEY, 30, 0);
    vinput_event(&s, VINPUT_EV_KEY, 0x161, 1);      /* a key code past 255 passes too */
    SYN();
    CHECK(ncalls == 4 && calls[1].b == 2 && calls[2].b == 0 && calls[3].a == 0x161);
    ncalls = 0;
    vinput_event(&s, 4, 4, 0x1e);                   /* EV_MSC MSC_SCAN */
    vinput_event(&s, VINPUT_EV_KEY, 0x130, 1);      /* BTN_A of a gamepad */
    CHECK(ncalls == 0 && s.ignored == 2);
}

static void mouse(void)
{
    struct vinput_state s = { 0 };
    vinput_state_init(&s, &dev);
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 5);
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_Y, (uint32_t)-3);
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 2);
    CHECK(ncalls == 0);                             /* nothing before SYN_REPORT */
    SYN();
    CHECK(ncalls == 1 && calls[0].kind == 'r' && calls[0].a == 7 && calls[0].b == -3 && calls[0].c == 0);
    /* a button in the same batch as a move goes out after it */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_KEY, ANX_BTN_LEFT, 1);
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 1);
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_WHEEL, (uint32_t)-1);
    SYN();
    CHECK(ncalls == 2 && calls[0].kind == 'r' && calls[0].a == 1 && calls[0].c == -1);
    CHECK(calls[1].kind == 'b' && calls[1].a == ANX_BTN_LEFT && calls[1].b == 1);
    /* an empty batch reports nothing; the previous one is not repeated */
    ncalls = 0;
    SYN();
    CHECK(ncalls == 0);
    /* saturating sums */
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 0x7fffffff);
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 0x7fffffff);
    SYN();
    CHECK(ncalls == 1 && calls[0].a == 0x7fffffff);
    /* SYN_DROPPED throws the batch away */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_REL, VINPUT_REL_X, 9);
    vinput_event(&s, VINPUT_EV_KEY, ANX_BTN_RIGHT, 1);
    vinput_event(&s, VINPUT_EV_SYN, VINPUT_SYN_DROPPED, 0);
    SYN();
    CHECK(ncalls == 0);
    vinput_event(&s, VINPUT_EV_REL, 6, 1);          /* REL_HWHEEL: not translated */
    SYN();
    CHECK(ncalls == 0 && s.ignored == 1);
}

static void tablet(void)
{
    struct vinput_state s = { 0 };
    s.x = (struct vinput_axis){ .min = 0, .max = 0x7fff };
    s.y = (struct vinput_axis){ .min = -100, .max = 100 };
    vinput_state_init(&s, &dev);
    CHECK(s.x.max == 0x7fff && s.y.min == -100);    /* init keeps the ranges */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_ABS, VINPUT_ABS_X, 0x4000);
    vinput_event(&s, VINPUT_EV_ABS, VINPUT_ABS_Y, 0);
    vinput_event(&s, VINPUT_EV_KEY, ANX_BTN_LEFT, 1);
    SYN();
    CHECK(ncalls == 2 && calls[0].kind == 'a');
    CHECK(calls[0].a == 0x4000 && calls[0].b == 100 && calls[0].d == 0x7fff && calls[0].e == 200);
    CHECK(calls[1].kind == 'b' && calls[1].b == 1);
    /* only x changes: y stays where it was */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_ABS, VINPUT_ABS_X, 10);
    SYN();
    CHECK(ncalls == 1 && calls[0].a == 10 && calls[0].b == 100);
    /* out of range: clamped into it */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_ABS, VINPUT_ABS_Y, (uint32_t)-500);
    vinput_event(&s, VINPUT_EV_ABS, VINPUT_ABS_X, 0x9000);
    SYN();
    CHECK(ncalls == 1 && calls[0].a == 0x7fff && calls[0].b == 0);
    /* a touch screen's contact is a left click; button autorepeat is dropped */
    ncalls = 0;
    vinput_event(&s, VINPUT_EV_KEY, VINPUT_BTN_TOUCH, 1);
    vinput_event(&s, VINPUT_EV_KEY, ANX_BTN_LEFT, 2);
    SYN();
    CHECK(ncalls == 1 && calls[0].kind == 'b' && calls[0].a == ANX_BTN_LEFT);
    /* more button changes in one batch than it keeps: the rest is counted */
    ncalls = 0;
    unsigned before = s.ignored;
    for (int i = 0; i < VINPUT_MAX_BUTTONS + 2; i++)
        vinput_event(&s, VINPUT_EV_KEY, ANX_BTN_RIGHT, i & 1);
    SYN();
    CHECK(ncalls == VINPUT_MAX_BUTTONS && s.ignored == before + 2);
}

int main(void)
{
    keys();
    mouse();
    tablet();
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
