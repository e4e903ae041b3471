/*
 * virtio-input's event translation, free of I/O so host tests can drive it
 * (modules/virtio-input/tests): the device sends Linux evdev events
 * (virtio 1.2 §5.8.6.2: struct virtio_input_event {le16 type; le16 code;
 * le32 value}) and vinput_event() turns them into the input registry's
 * reports (<anx/input.h>).
 *
 * Keys go out as they arrive. Pointer state is batched the way evdev means
 * it: REL_X/REL_Y/REL_WHEEL add up and ABS_X/ABS_Y update a position until
 * SYN_REPORT, which reports the motion first and then the buttons that
 * changed in the same batch, so a click lands where the pointer moved.
 * SYN_DROPPED (the device lost events) discards the batch.
 */
#ifndef VINPUT_EVENT_H
#define VINPUT_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <anx/input.h>

#define VINPUT_EV_SYN 0x00
#define VINPUT_EV_KEY 0x01
#define VINPUT_EV_REL 0x02
#define VINPUT_EV_ABS 0x03
#define VINPUT_SYN_REPORT 0
#define VINPUT_SYN_DROPPED 3
#define VINPUT_REL_X 0x00
#define VINPUT_REL_Y 0x01
#define VINPUT_REL_WHEEL 0x08
#define VINPUT_ABS_X 0x00
#define VINPUT_ABS_Y 0x01
#define VINPUT_BTN_MOUSE 0x110      /* BTN_LEFT .. BTN_TASK: 0x110..0x117 */
#define VINPUT_BTN_TOUCH 0x14a      /* a touch screen's contact: a left click */

#define VINPUT_MAX_BUTTONS 8        /* button changes kept in one batch */

struct vinput_axis {
    int32_t min, max;               /* the device's ABS_INFO range */
    int32_t value;                  /* the last position reported */
};

struct vinput_state {
    struct anx_input_dev *dev;
    struct vinput_axis x, y;        /* set min/max from ABS_INFO before events */
    /* the batch until SYN_REPORT */
    int32_t dx, dy, wheel;
    bool moved, placed;
    uint16_t button_code[VINPUT_MAX_BUTTONS];
    uint8_t button_value[VINPUT_MAX_BUTTONS];
    unsigned nbuttons;
    uint32_t ignored;               /* events of types and codes not translated */
};

void vinput_state_init(struct vinput_state *s, struct anx_input_dev *dev);
void vinput_event(struct vinput_state *s, uint16_t type, uint16_t code, uint32_t value);

#endif
