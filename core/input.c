/* The input registry (<anx/input.h>): drivers register devices and report
 * keys, buttons and motion from their interrupt handlers into one queue;
 * the "input" thread (started with the first device) takes reports out in
 * order, tracks the modifiers and the pointer, and calls the listeners with
 * finished events. The `input` command lists the devices (registered with
 * the first one, as `disks` is with the first disk).
 *
 * The queue is a ring of QUEUE_SIZE reports guarded by plat_irq_save(),
 * the one lock an interrupt handler and a thread can share on a single
 * CPU. Motion queued right behind motion of the same device is folded into
 * it; any other report that finds the queue full is dropped and counted on
 * its device, so a listener that stalls loses input rather than memory. */
#define LOG_TAG "input"
#include <anx/command.h>
#include <anx/display.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/screen.h>
#include <anx/thread.h>
#include <anx/time.h>

#define QUEUE_SIZE 256
/* The thread runs the listeners, which draw (fbcon rasterizes glyphs), so
 * it gets more than the default 16 KiB. */
#define THREAD_STACK (64 * 1024)
/* The pointer's screen when no display is registered. */
#define DEFAULT_WIDTH 1024
#define DEFAULT_HEIGHT 768

enum report_kind { R_KEY, R_BUTTON, R_REL, R_ABS };

/* What a driver reported, as it reported it; turned into an event later. */
struct report {
    struct anx_input_dev *dev;
    uint64_t time_ns;
    enum report_kind kind;
    uint16_t code;
    int32_t value;                  /* key, button */
    int32_t dx, dy, wheel;          /* rel */
    uint32_t x, y, max_x, max_y;    /* abs */
};

static struct anx_input_dev *devices, **devices_tail = &devices;
static unsigned ndevices;
static struct anx_input_listener *listeners, **listeners_tail = &listeners;

static struct report queue[QUEUE_SIZE];
static unsigned q_head, q_count;        /* under plat_irq_save */
static struct anx_waitq q_wait = ANX_WAITQ_INIT;

/* Modifier keys held (one bit per key, so releasing one Shift while the
 * other is down keeps Shift) and the Lock toggles. Num Lock starts on, as
 * PC firmware leaves it, so the keypad types digits. */
enum {
    H_LSHIFT = 1 << 0, H_RSHIFT = 1 << 1, H_LCTRL = 1 << 2, H_RCTRL = 1 << 3,
    H_LALT = 1 << 4, H_RALT = 1 << 5, H_LMETA = 1 << 6, H_RMETA = 1 << 7,
};
static unsigned held;
static uint16_t locks = ANX_MOD_NUMLOCK;

/* The pointer, in screen pixels; placed at the screen's centre on first use. */
static bool pointer_placed;
static int32_t ptr_x, ptr_y;
static uint32_t buttons;

static int cmd_input(int argc, char **argv);
static struct anx_command input_cmd = {
    .name = "input", .summary = "List the input devices with their counters; set the keymap",
    .usage = "input [keymap us|de]", .fn = cmd_input,
};

/* ---- reports (interrupt-safe) --------------------------------------------- */

static int32_t add_sat(int32_t a, int32_t b)
{
    int64_t v = (int64_t)a + b;
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* Fold a motion report into the last queued one when that is motion of
 * the same kind from the same device: while the thread is behind, a mouse
 * or tablet then takes one slot, not the whole queue, and keys (a Shift
 * release above all) are not dropped for it. */
static bool coalesce(const struct report *r)
{
    if (!q_count || (r->kind != R_REL && r->kind != R_ABS))
        return false;
    struct report *last = &queue[(q_head + q_count - 1) % QUEUE_SIZE];
    if (last->dev != r->dev || last->kind != r->kind)
        return false;
    if (r->kind == R_REL) {
        last->dx = add_sat(last->dx, r->dx);
        last->dy = add_sat(last->dy, r->dy);
        last->wheel = add_sat(last->wheel, r->wheel);
    } else {
        last->x = r->x;
        last->y = r->y;
        last->max_x = r->max_x;
        last->max_y = r->max_y;
    }
    last->time_ns = r->time_ns;
    return true;
}

static void enqueue(struct anx_input_dev *dev, struct report *r)
{
    if (!dev)
        return;
    r->dev = dev;
    r->time_ns = anx_time_ns();
    unsigned long f = plat_irq_save();
    if (coalesce(r)) {
        dev->events++;
    } else if (q_count == QUEUE_SIZE) {
        dev->dropped++;
    } else {
        queue[(q_head + q_count) % QUEUE_SIZE] = *r;
        q_count++;
        dev->events++;
        anx_waitq_wake_one(&q_wait);
    }
    plat_irq_restore(f);
}

void anx_input_key(struct anx_input_dev *dev, uint16_t code, int value)
{
    struct report r = { .kind = R_KEY, .code = code, .value = value };
    enqueue(dev, &r);
}

void anx_input_button(struct anx_input_dev *dev, uint16_t code, int value)
{
    struct report r = { .kind = R_BUTTON, .code = code, .value = value };
    enqueue(dev, &r);
}

void anx_input_rel(struct anx_input_dev *dev, int32_t dx, int32_t dy, int32_t wheel)
{
    struct report r = { .kind = R_REL, .dx = dx, .dy = dy, .wheel = wheel };
    enqueue(dev, &r);
}

void anx_input_abs(struct anx_input_dev *dev, uint32_t x, uint32_t y, uint32_t max_x, uint32_t max_y)
{
    struct report r = { .kind = R_ABS, .x = x, .y = y, .max_x = max_x, .max_y = max_y };
    enqueue(dev, &r);
}

/* ---- modifiers ---------------------------------------------------------- */

static unsigned held_bit(uint16_t code)
{
    switch (code) {
    case ANX_KEY_LEFTSHIFT: return H_LSHIFT;
    case ANX_KEY_RIGHTSHIFT: return H_RSHIFT;
    case ANX_KEY_LEFTCTRL: return H_LCTRL;
    case ANX_KEY_RIGHTCTRL: return H_RCTRL;
    case ANX_KEY_LEFTALT: return H_LALT;
    case ANX_KEY_RIGHTALT: return H_RALT;
    case ANX_KEY_LEFTMETA: return H_LMETA;
    case ANX_KEY_RIGHTMETA: return H_RMETA;
    }
    return 0;
}

static uint16_t mods_now(void)
{
    uint16_t m = locks;
    if (held & (H_LSHIFT | H_RSHIFT))
        m |= ANX_MOD_SHIFT;
    if (held & (H_LCTRL | H_RCTRL))
        m |= ANX_MOD_CTRL;
    if (held & H_LALT)
        m |= ANX_MOD_ALT;
    if (held & H_RALT)
        m |= ANX_MOD_ALTGR;
    if (held & (H_LMETA | H_RMETA))
        m |= ANX_MOD_META;
    return m;
}

/* Update the state with a key; a Lock key toggles on its press only (not
 * on autorepeat). */
static void track_modifiers(uint16_t code, int value)
{
    unsigned bit = held_bit(code);
    if (bit) {
        if (value)
            held |= bit;
        else
            held &= ~bit;
    } else if (value == 1 && code == ANX_KEY_CAPSLOCK) {
        locks ^= ANX_MOD_CAPSLOCK;
    } else if (value == 1 && code == ANX_KEY_NUMLOCK) {
        locks ^= ANX_MOD_NUMLOCK;
    }
}

/* ---- pointer ------------------------------------------------------------ */

static void screen_size(int32_t *w, int32_t *h)
{
    struct anx_display *d = anx_display_first();
    *w = d ? (int32_t)d->mode.width : DEFAULT_WIDTH;
    *h = d ? (int32_t)d->mode.height : DEFAULT_HEIGHT;
}

static int32_t clamp(int64_t v, int32_t size)
{
    return v < 0 ? 0 : v >= size ? size - 1 : (int32_t)v;
}

/* The pointer position, placed at the centre before the first report and
 * kept on the screen when the display changes size. */
static void pointer_now(int32_t *x, int32_t *y)
{
    int32_t w, h;
    screen_size(&w, &h);
    if (!pointer_placed) {
        ptr_x = w / 2;
        ptr_y = h / 2;
        pointer_placed = true;
    }
    ptr_x = clamp(ptr_x, w);
    ptr_y = clamp(ptr_y, h);
    *x = ptr_x;
    *y = ptr_y;
}

void anx_input_pointer(int32_t *x, int32_t *y)
{
    int32_t px, py;
    pointer_now(&px, &py);
    if (x)
        *x = px;
    if (y)
        *y = py;
}

/* Device coordinate v of [0, max] to [0, size): the device's range covers
 * the whole screen, size pixels of size/max units each, rounded to the
 * nearest. This inverts what QEMU's own windows send (pixel p becomes
 * p * max / size, rounded down), so a pixel survives the round trip. */
static int32_t scale_axis(uint32_t v, uint32_t max, int32_t size)
{
    if (!max)
        return 0;
    if (v > max)
        v = max;
    return clamp(((uint64_t)v * (uint32_t)size + max / 2) / max, size);
}

/* ---- the input thread ------------------------------------------------------ */

static void deliver(const struct anx_input_event *ev)
{
    for (struct anx_input_listener *l = listeners; l; l = l->next)
        l->event(ev, l->arg);
}

static void process_key(const struct report *r, struct anx_input_event *ev)
{
    track_modifiers(r->code, r->value);
    ev->type = ANX_EV_KEY;
    ev->code = r->code;
    ev->value = (int8_t)r->value;
    ev->mods = mods_now();
    ev->ch = r->value && r->code <= ANX_KEY_MAX ? anx_input_key_char(r->code, ev->mods) : 0;
    log_debug("%s: key %u %s, char U+%04x, mods %#x", r->dev->name, (unsigned)r->code,
              r->value == 0 ? "up" : r->value == 2 ? "repeat" : "down", (unsigned)ev->ch,
              (unsigned)ev->mods);
    if (anx_screen_chord(ev))
        return;                        /* Ctrl-Alt-Fn switched screens: no listener sees it */
    deliver(ev);
}

static void process_button(const struct report *r, struct anx_input_event *ev)
{
    if (r->code >= ANX_BTN_LEFT && r->code < ANX_BTN_LEFT + 16) {
        uint32_t bit = 1u << (r->code - ANX_BTN_LEFT);
        buttons = r->value ? buttons | bit : buttons & ~bit;
    }
    ev->type = ANX_EV_BUTTON;
    ev->code = r->code;
    ev->value = (int8_t)(r->value != 0);
    ev->buttons = buttons;
    log_debug("%s: button %#x %s at %d,%d", r->dev->name, (unsigned)r->code, r->value ? "down" : "up",
              (int)ev->x, (int)ev->y);
    deliver(ev);
}

/* Motion, then the wheel, as separate events. dx/dy of a pointer event are
 * what the device moved (a mouse at the screen's edge still reports). */
static void process_rel(const struct report *r, struct anx_input_event *ev)
{
    if (r->dx || r->dy) {
        int32_t w, h;
        screen_size(&w, &h);
        ptr_x = clamp((int64_t)ev->x + r->dx, w);
        ptr_y = clamp((int64_t)ev->y + r->dy, h);
        ev->type = ANX_EV_POINTER;
        ev->dx = r->dx;
        ev->dy = r->dy;
        ev->x = ptr_x;
        ev->y = ptr_y;
        log_debug("%s: move %d,%d to %d,%d", r->dev->name, (int)r->dx, (int)r->dy, (int)ptr_x, (int)ptr_y);
        deliver(ev);
    }
    if (r->wheel) {
        ev->type = ANX_EV_WHEEL;
        ev->dx = 0;
        ev->dy = r->wheel;
        log_debug("%s: wheel %d", r->dev->name, (int)r->wheel);
        deliver(ev);
    }
}

static void process_abs(const struct report *r, struct anx_input_event *ev)
{
    int32_t w, h;
    screen_size(&w, &h);
    ptr_x = scale_axis(r->x, r->max_x, w);
    ptr_y = scale_axis(r->y, r->max_y, h);
    ev->type = ANX_EV_POINTER;
    ev->dx = ptr_x - ev->x;
    ev->dy = ptr_y - ev->y;
    ev->x = ptr_x;
    ev->y = ptr_y;
    log_debug("%s: position %u,%u of %u,%u: %d,%d", r->dev->name, (unsigned)r->x, (unsigned)r->y,
              (unsigned)r->max_x, (unsigned)r->max_y, (int)ptr_x, (int)ptr_y);
    deliver(ev);
}

static void process(const struct report *r)
{
    struct anx_input_event ev = { .dev = r->dev, .time_ns = r->time_ns, .buttons = buttons };
    pointer_now(&ev.x, &ev.y);
    ev.mods = mods_now();
    switch (r->kind) {
    case R_KEY: process_key(r, &ev); break;
    case R_BUTTON: process_button(r, &ev); break;
    case R_REL: process_rel(r, &ev); break;
    case R_ABS: process_abs(r, &ev); break;
    }
}

/* Threads are cooperative: after a burst of BURST events the thread lets
 * the others run before it goes on. */
#define BURST 32

static void input_thread(void *arg)
{
    (void)arg;
    unsigned burst = 0;
    for (;;) {
        unsigned long f = plat_irq_save();
        while (!q_count) {
            burst = 0;
            anx_wait(&q_wait);
        }
        struct report r = queue[q_head];
        q_head = (q_head + 1) % QUEUE_SIZE;
        q_count--;
        plat_irq_restore(f);
        process(&r);
        if (++burst == BURST) {
            burst = 0;
            anx_yield();
        }
    }
}

/* ---- registry ----------------------------------------------------------- */

static const char *caps_name(unsigned caps)
{
    static const char *const names[] = {
        "none", "keys", "relative", "keys, relative", "absolute", "keys, absolute",
        "relative, absolute", "keys, relative, absolute",
    };
    return names[caps & 7];
}

int anx_input_register(struct anx_input_dev *dev)
{
    if (!dev || !dev->driver || !(dev->caps & (ANX_INPUT_CAP_KEYS | ANX_INPUT_CAP_REL | ANX_INPUT_CAP_ABS)))
        return ANX_EINVAL;
    for (struct anx_input_dev *d = devices; d; d = d->next)
        if (d == dev)
            return ANX_EEXIST;
    if (!devices) {
        if (!anx_thread_create("input", input_thread, NULL, THREAD_STACK))
            return ANX_ENOMEM;
        anx_command_register(&input_cmd);
    }
    snprintf(dev->name, sizeof dev->name, "input%u", ndevices++);
    dev->events = dev->dropped = 0;
    dev->next = NULL;
    *devices_tail = dev;
    devices_tail = &dev->next;
    log_info("%s: %s (%s), keymap %s", dev->name, dev->driver, caps_name(dev->caps), anx_input_keymap());
    return 0;
}

struct anx_input_dev *anx_input_first(void)
{
    return devices;
}

struct anx_input_dev *anx_input_next(struct anx_input_dev *dev)
{
    return dev ? dev->next : NULL;
}

void anx_input_listen(struct anx_input_listener *l)
{
    if (!l || !l->event)
        return;
    for (struct anx_input_listener *o = listeners; o; o = o->next)
        if (o == l)
            return;
    l->next = NULL;
    *listeners_tail = l;
    listeners_tail = &l->next;
}

static int cmd_input(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "keymap") == 0) {
        if (anx_input_set_keymap(argv[2]) != 0) {
            anx_printf("input: no keymap '%s' (there are us and de)\n", argv[2]);
            return 1;
        }
        anx_printf("keymap %s\n", anx_input_keymap());
        return 0;
    }
    if (argc != 1) {
        anx_printf("usage: %s\n", input_cmd.usage);
        return 1;
    }
    for (struct anx_input_dev *d = devices; d; d = d->next)
        anx_printf("%s: %s (%s), events %llu, dropped %llu\n", d->name, d->driver, caps_name(d->caps),
                   (unsigned long long)d->events, (unsigned long long)d->dropped);
    int32_t x, y;
    anx_input_pointer(&x, &y);
    anx_printf("keymap %s, pointer at %d,%d\n", anx_input_keymap(), (int)x, (int)y);
    return 0;
}
