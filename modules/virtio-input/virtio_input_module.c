/* virtio-input: keyboards, mice and tablets (QEMU's virtio-keyboard,
 * virtio-mouse and virtio-tablet, PCI or mmio), one input registry device
 * (<anx/input.h>) each.
 *
 * virtio 1.2 §5.8: the device describes itself in its configuration space
 * (a select/subsel window: its name, which event types and codes it has,
 * each absolute axis's range) and sends Linux evdev events on the eventq
 * (queue 0) into buffers the driver posts; the statusq (queue 1) carries
 * LED changes the other way and is not set up. The interrupt handler takes
 * the events, translates them (vinput_event.c) into the registry's
 * interrupt-safe reports and posts the buffers again; no thread is needed. */
#define LOG_TAG "virtio-input"
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "vinput_event.h"
#include "virtio.h"

#define VIRTIO_ID_INPUT 18
#define QUEUE_MAX 64

/* §5.8.4: struct virtio_input_config */
#define CFG_SELECT 0
#define CFG_SUBSEL 1
#define CFG_SIZE 2
#define CFG_DATA 8
#define CFG_DATA_MAX 128
#define SEL_ID_NAME 0x01
#define SEL_EV_BITS 0x11
#define SEL_ABS_INFO 0x12

/* §5.8.6: struct virtio_input_event */
struct vin_event {
    uint16_t type, code;
    uint32_t value;
};

struct vin {
    struct virtio_dev *vd;
    struct virtq *eventq;
    struct vin_event *events;
    struct anx_input_dev dev;
    struct vinput_state state;
    char name[64];
};

/* §5.8.5: select and subsel pick what the window shows, size says how many
 * bytes of it are valid (0: the device has nothing for that pair). */
static unsigned cfg_select(struct virtio_dev *vd, uint8_t select, uint8_t subsel)
{
    virtio_cfg_write8(vd, CFG_SELECT, select);
    virtio_cfg_write8(vd, CFG_SUBSEL, subsel);
    unsigned size = virtio_cfg8(vd, CFG_SIZE);
    return size > CFG_DATA_MAX ? CFG_DATA_MAX : size;
}

/* Bit `bit` of the EV_BITS bitmap of event type `type`. */
static bool has_code(struct virtio_dev *vd, uint8_t type, unsigned bit)
{
    unsigned size = cfg_select(vd, SEL_EV_BITS, type);
    return bit / 8 < size && (virtio_cfg8(vd, CFG_DATA + bit / 8) >> (bit % 8) & 1);
}

/* Any key code below BTN_MISC (0x100): a keyboard, not only buttons. */
static bool has_keys(struct virtio_dev *vd)
{
    unsigned size = cfg_select(vd, SEL_EV_BITS, VINPUT_EV_KEY);
    for (unsigned i = 0; i < size && i < 0x100 / 8; i++)
        if (virtio_cfg8(vd, CFG_DATA + i))
            return true;
    return false;
}

static void read_name(struct vin *v)
{
    unsigned size = cfg_select(v->vd, SEL_ID_NAME, 0);
    unsigned n = 0;
    while (n < size && n < sizeof v->name - 1) {
        char c = (char)virtio_cfg8(v->vd, CFG_DATA + n);
        if (!c)                         /* QEMU counts the terminating NUL in size */
            break;
        v->name[n++] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    v->name[n] = 0;
}

/* §5.8.2: struct virtio_input_absinfo {min, max, fuzz, flat, res}. false
 * for an axis the device does not describe or whose range is empty. */
static bool read_axis(struct virtio_dev *vd, uint8_t axis, struct vinput_axis *a)
{
    if (cfg_select(vd, SEL_ABS_INFO, axis) < 8)
        return false;
    a->min = (int32_t)virtio_cfg32(vd, CFG_DATA);
    a->max = (int32_t)virtio_cfg32(vd, CFG_DATA + 4);
    return a->max > a->min;
}

/* Which registry capabilities the configuration describes; 0 when none. */
static unsigned read_caps(struct vin *v)
{
    struct virtio_dev *vd = v->vd;
    unsigned caps = 0;
    if (has_keys(vd))
        caps |= ANX_INPUT_CAP_KEYS;
    if (has_code(vd, VINPUT_EV_REL, VINPUT_REL_X) && has_code(vd, VINPUT_EV_REL, VINPUT_REL_Y))
        caps |= ANX_INPUT_CAP_REL;
    if (has_code(vd, VINPUT_EV_ABS, VINPUT_ABS_X) && has_code(vd, VINPUT_EV_ABS, VINPUT_ABS_Y)) {
        if (read_axis(vd, VINPUT_ABS_X, &v->state.x) && read_axis(vd, VINPUT_ABS_Y, &v->state.y))
            caps |= ANX_INPUT_CAP_ABS;
        else
            log_warn("%s: %s: absolute axes without a usable range: ignored", vd->dev->name, v->name);
    }
    return caps;
}

static const char *driver_name(unsigned caps)
{
    if (caps & ANX_INPUT_CAP_ABS)
        return "virtio-tablet";
    if (caps & ANX_INPUT_CAP_REL)
        return "virtio-mouse";
    return "virtio-keyboard";
}

/* §5.8.6.1: the eventq holds device-writable buffers of one event each. */
static void post(struct vin *v, struct vin_event *e)
{
    struct virtq_buf b = { (uintptr_t)e, sizeof *e };
    virtio_queue_add(v->eventq, &b, 0, 1, e);
}

/* Interrupt handler, and the poll hook with interrupts off: translate the
 * used events and post their buffers again. */
static void drain(struct vin *v)
{
    struct vin_event *e;
    uint32_t len;
    unsigned n = 0;
    while ((e = virtio_queue_get(v->eventq, &len))) {
        if (len >= sizeof *e)
            vinput_event(&v->state, e->type, e->code, e->value);
        post(v, e);
        n++;
    }
    if (n)
        virtio_queue_kick(v->eventq);
}

static void vin_irq(void *arg, bool config_changed)
{
    (void)config_changed;
    drain(arg);
}

static void vin_poll(void *arg)
{
    struct vin *v = arg;
    if (virtio_queue_has_used(v->eventq))
        drain(v);
}

static int vin_probe(struct virtio_dev *vd)
{
    struct vin *v = anx_calloc(1, sizeof *v);
    struct anx_poll_hook *hook = anx_calloc(1, sizeof *hook);
    if (!v || !hook)
        return -1;
    v->vd = vd;
    vd->priv = v;
    if (virtio_begin(vd, 0) != 0)
        return -1;
    read_name(v);
    unsigned caps = read_caps(v);
    if (!caps) {
        log_warn("%s: %s: no keys, relative or absolute axes: not used", vd->dev->name, v->name);
        virtio_fail(vd);
        return -1;
    }
    v->eventq = virtio_queue_setup(vd, 0, QUEUE_MAX);
    v->events = v->eventq ? anx_calloc(v->eventq->size, sizeof *v->events) : NULL;
    if (!v->events) {
        log_warn("%s: event queue set-up failed", vd->dev->name);
        virtio_fail(vd);
        return -1;
    }
    for (unsigned i = 0; i < v->eventq->size; i++)
        post(v, &v->events[i]);
    v->dev.driver = driver_name(caps);
    v->dev.caps = caps;
    v->dev.priv = v;
    vinput_state_init(&v->state, &v->dev);
    int err = anx_input_register(&v->dev);
    if (err) {
        log_warn("%s: not registered: %s", vd->dev->name, anx_strerror(err));
        virtio_fail(vd);
        return -1;
    }
    if (virtio_irq(vd, vin_irq, v) != 0) {
        log_warn("%s: cannot route irq %d: polling", vd->dev->name, vd->dev->irq);
        hook->interval_ns = 10 * ANX_NS_PER_MS;
    }
    hook->fn = vin_poll;
    hook->arg = v;
    anx_poll_register(hook);            /* with an interrupt: a cheap net for a lost one */
    virtio_ready(vd);
    virtio_queue_kick(v->eventq);
    log_info("%s: %s \"%s\", %s transport%s, irq %d", v->dev.name, vd->dev->name, v->name,
             vd->dev->bus == ANX_BUS_PCI ? "pci" : "mmio", vd->legacy ? " (legacy)" : "", vd->dev->irq);
    return 0;
}

static struct virtio_driver vin_driver = {
    .name = "virtio-input", .id = VIRTIO_ID_INPUT, .probe = vin_probe,
};

static int vin_init(void)
{
    virtio_driver_register(&vin_driver);
    return 0;
}

ANX_MODULE(virtio_input, .init = vin_init);
