/* virtio-input events to input registry reports (see vinput_event.h). */
#include "vinput_event.h"

void vinput_state_init(struct vinput_state *s, struct anx_input_dev *dev)
{
    struct vinput_axis x = s->x, y = s->y;
    *s = (struct vinput_state){ .dev = dev, .x = x, .y = y };
}

static void clear_batch(struct vinput_state *s)
{
    s->dx = s->dy = s->wheel = 0;
    s->moved = s->placed = false;
    s->nbuttons = 0;
}

/* An axis value as an offset into the device's range [min, max]. */
static uint32_t axis_offset(const struct vinput_axis *a)
{
    int64_t v = a->value < a->min ? a->min : a->value > a->max ? a->max : a->value;
    return (uint32_t)(v - a->min);
}

static uint32_t axis_span(const struct vinput_axis *a)
{
    return a->max > a->min ? (uint32_t)((int64_t)a->max - a->min) : 0;
}

static void report(struct vinput_state *s)
{
    if (s->moved)
        anx_input_rel(s->dev, s->dx, s->dy, s->wheel);
    if (s->placed)
        anx_input_abs(s->dev, axis_offset(&s->x), axis_offset(&s->y), axis_span(&s->x), axis_span(&s->y));
    for (unsigned i = 0; i < s->nbuttons; i++)
        anx_input_button(s->dev, s->button_code[i], s->button_value[i]);
    clear_batch(s);
}

static void key(struct vinput_state *s, uint16_t code, uint32_t value)
{
    if (code == VINPUT_BTN_TOUCH)
        code = ANX_BTN_LEFT;
    if (code >= VINPUT_BTN_MOUSE && code < VINPUT_BTN_MOUSE + 8) {
        if (value > 1 || s->nbuttons == VINPUT_MAX_BUTTONS) {   /* no autorepeat for buttons */
            s->ignored++;
            return;
        }
        s->button_code[s->nbuttons] = code;
        s->button_value[s->nbuttons++] = (uint8_t)value;
        return;
    }
    if (code >= 0x100 && code < 0x160) {    /* joystick, gamepad, digitizer buttons */
        s->ignored++;
        return;
    }
    anx_input_key(s->dev, code, value > 2 ? 1 : (int)value);
}

/* Relative steps are signed 32-bit values; the batch saturates. */
static int32_t add_sat(int32_t a, int32_t b)
{
    int64_t v = (int64_t)a + b;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static void rel(struct vinput_state *s, uint16_t code, int32_t v)
{
    switch (code) {
    case VINPUT_REL_X: s->dx = add_sat(s->dx, v); break;
    case VINPUT_REL_Y: s->dy = add_sat(s->dy, v); break;
    case VINPUT_REL_WHEEL: s->wheel = add_sat(s->wheel, v); break;
    default: s->ignored++; return;
    }
    s->moved = true;
}

static void absolute(struct vinput_state *s, uint16_t code, int32_t v)
{
    if (code == VINPUT_ABS_X)
        s->x.value = v;
    else if (code == VINPUT_ABS_Y)
        s->y.value = v;
    else {
        s->ignored++;
        return;
    }
    s->placed = true;
}

void vinput_event(struct vinput_state *s, uint16_t type, uint16_t code, uint32_t value)
{
    switch (type) {
    case VINPUT_EV_SYN:
        if (code == VINPUT_SYN_REPORT)
            report(s);
        else if (code == VINPUT_SYN_DROPPED)
            clear_batch(s);
        return;
    case VINPUT_EV_KEY: key(s, code, value); return;
    case VINPUT_EV_REL: rel(s, code, (int32_t)value); return;
    case VINPUT_EV_ABS: absolute(s, code, (int32_t)value); return;
    }
    s->ignored++;                           /* EV_MSC (scan codes), EV_LED ... */
}
