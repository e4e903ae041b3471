/* The PS/2 module: the i8042 keyboard controller of a PC (data port 0x60,
 * status and command port 0x64) with a keyboard on its first port and a
 * mouse on its second (AUX). Both register with the input registry
 * (<anx/input.h>): "ps2-keyboard" (keys) and "ps2-mouse" (relative).
 *
 * Bring-up, with the controller's interrupts off and every wait bounded
 * (a board without an i8042 - microvm - reads 0xff from the ports or never
 * answers; init then logs that and fails instead of hanging):
 *   disable both ports, flush, self-test (0xAA -> 0x55), find the second
 *   port, test the ports, enable them;
 *   keyboard: reset (ACK, 0xAA), scanning off, scancode set 2, scanning on;
 *   mouse: reset (ACK, 0xAA, id), defaults, the IntelliMouse knock (sample
 *   rates 200, 100, 80; a wheel mouse then answers id 3), reporting on;
 *   configuration byte: both interrupts on and translation on, so the
 *   controller turns the keyboard's set 2 into set 1, which maps almost one
 *   to one onto evdev codes (scancode.c) - the configuration every PC
 *   firmware leaves and so the one keyboards are tested with.
 * Then IRQ 1 (keyboard) and IRQ 12 (mouse) drain the controller: the
 * status byte's AUX bit says which device each byte came from. */
#define LOG_TAG "ps2"
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "ps2.h"

#define PORT_DATA 0x60
#define PORT_CMD 0x64               /* write: command; read: status */

#define ST_OUT_FULL 0x01            /* a byte waits in the data port */
#define ST_IN_FULL 0x02             /* the controller has not taken our last byte */
#define ST_AUX 0x20                 /* the waiting byte is the mouse's */
#define ST_ERRORS 0xc0              /* timeout, parity error */

#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_DISABLE_AUX 0xa7
#define CMD_ENABLE_AUX 0xa8
#define CMD_TEST_AUX 0xa9
#define CMD_SELF_TEST 0xaa
#define CMD_TEST_KBD 0xab
#define CMD_DISABLE_KBD 0xad
#define CMD_ENABLE_KBD 0xae
#define CMD_TO_AUX 0xd4             /* the next data byte goes to the mouse */

#define CFG_KBD_IRQ 0x01
#define CFG_AUX_IRQ 0x02
#define CFG_KBD_CLOCK_OFF 0x10
#define CFG_AUX_CLOCK_OFF 0x20
#define CFG_TRANSLATE 0x40

#define DEV_RESET 0xff
#define DEV_RESEND 0xfe
#define DEV_ACK 0xfa
#define DEV_SELFTEST_OK 0xaa
#define DEV_ENABLE 0xf4
#define DEV_DISABLE 0xf5
#define DEV_DEFAULTS 0xf6
#define KBD_SCANCODE_SET 0xf0
#define MOUSE_SAMPLE_RATE 0xf3
#define MOUSE_GET_ID 0xf2

#define CTL_TIMEOUT_NS (20 * ANX_NS_PER_MS)     /* the controller itself */
#define REPLY_TIMEOUT_NS (100 * ANX_NS_PER_MS)  /* a device's ACK */
#define RESET_TIMEOUT_NS (750 * ANX_NS_PER_MS)  /* a device's power-on self-test */
#define MOUSE_GAP_NS (50 * ANX_NS_PER_MS)       /* a packet's bytes come back to back */
#define DRAIN_MAX 32                            /* bytes per interrupt */

enum port { KBD, AUX };

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1,%0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0,%1" : : "a"(v), "Nd"(port));
}

static struct anx_input_dev kbd_dev = { .driver = "ps2-keyboard", .caps = ANX_INPUT_CAP_KEYS };
static struct anx_input_dev mouse_dev = { .driver = "ps2-mouse", .caps = ANX_INPUT_CAP_REL };
static struct ps2_kbd_decoder kbd_dec;
static struct ps2_mouse_decoder mouse_dec;
static bool have_kbd, have_mouse;
static uint8_t mouse_buttons;
static uint64_t mouse_last_ns;

/* ---- the controller, every wait bounded ---------------------------------- */

static bool wait_status(uint8_t mask, uint8_t want, uint64_t timeout_ns)
{
    uint64_t deadline = anx_time_ns() + timeout_ns;
    do {
        if ((inb(PORT_CMD) & mask) == want)
            return true;
        anx_delay_ns(10 * ANX_NS_PER_US);
    } while (anx_time_ns() < deadline);
    return false;
}

static bool ctl_command(uint8_t cmd)
{
    if (!wait_status(ST_IN_FULL, 0, CTL_TIMEOUT_NS))
        return false;
    outb(PORT_CMD, cmd);
    return true;
}

static bool ctl_data(uint8_t v)
{
    if (!wait_status(ST_IN_FULL, 0, CTL_TIMEOUT_NS))
        return false;
    outb(PORT_DATA, v);
    return true;
}

/* The next byte from the controller, -1 after timeout_ns. */
static int ctl_read(uint64_t timeout_ns)
{
    if (!wait_status(ST_OUT_FULL, ST_OUT_FULL, timeout_ns))
        return -1;
    return inb(PORT_DATA);
}

/* The next byte from one device; bytes from the other are dropped. */
static int dev_read(enum port p, uint64_t timeout_ns)
{
    uint64_t deadline = anx_time_ns() + timeout_ns;
    while (wait_status(ST_OUT_FULL, ST_OUT_FULL, deadline - ANX_MIN(deadline, anx_time_ns()))) {
        bool aux = inb(PORT_CMD) & ST_AUX;
        uint8_t b = inb(PORT_DATA);
        if (aux == (p == AUX))
            return b;
    }
    return -1;
}

static void flush_output(void)
{
    for (int i = 0; i < 64 && (inb(PORT_CMD) & ST_OUT_FULL); i++)
        (void)inb(PORT_DATA);
}

static int ctl_command_reply(uint8_t cmd)
{
    return ctl_command(cmd) ? ctl_read(CTL_TIMEOUT_NS * 5) : -1;
}

static bool write_config(uint8_t cfg)
{
    return ctl_command(CMD_WRITE_CONFIG) && ctl_data(cfg);
}

/* Send a byte to a device and wait for its ACK, resending on request. */
static bool dev_send(enum port p, uint8_t v)
{
    for (int tries = 0; tries < 3; tries++) {
        if (p == AUX && !ctl_command(CMD_TO_AUX))
            return false;
        if (!ctl_data(v))
            return false;
        int r = dev_read(p, REPLY_TIMEOUT_NS);
        if (r == DEV_ACK)
            return true;
        if (r != DEV_RESEND)
            return false;
    }
    return false;
}

/* A device command with one argument byte (sample rate, scancode set). */
static bool dev_send2(enum port p, uint8_t cmd, uint8_t arg)
{
    return dev_send(p, cmd) && dev_send(p, arg);
}

static bool dev_reset(enum port p)
{
    if (!dev_send(p, DEV_RESET))
        return false;
    return dev_read(p, RESET_TIMEOUT_NS) == DEV_SELFTEST_OK;
}

/* ---- bring-up ------------------------------------------------------------ */

/* Controller self-test and port discovery; *aux says whether it has a
 * second port. ANX_ENOENT when there is no working controller. */
static int controller_init(uint8_t *cfg, bool *aux)
{
    uint8_t st = inb(PORT_CMD);
    if (st == 0xff) {
        log_error("no i8042 controller: its status port 0x64 reads 0xff");
        return ANX_ENOENT;
    }
    if (!ctl_command(CMD_DISABLE_KBD) || !ctl_command(CMD_DISABLE_AUX)) {
        log_error("the i8042 controller does not take commands (status 0x%02x)", st);
        return ANX_ENOENT;
    }
    flush_output();
    int c = ctl_command_reply(CMD_READ_CONFIG);
    if (c < 0) {
        log_error("the i8042 controller does not answer (configuration byte)");
        return ANX_ENOENT;
    }
    *cfg = (uint8_t)c & ~(CFG_KBD_IRQ | CFG_AUX_IRQ | CFG_TRANSLATE);
    int t = ctl_command_reply(CMD_SELF_TEST);
    if (t != 0x55) {
        log_error("i8042 self-test failed: answered %d, expected 0x55", t);
        return ANX_EIO;
    }
    /* the self-test may reset the controller: write the configuration after it */
    if (!write_config(*cfg))
        return ANX_EIO;
    /* a second port's clock follows its enable bit */
    *aux = false;
    if (ctl_command(CMD_ENABLE_AUX)) {
        c = ctl_command_reply(CMD_READ_CONFIG);
        *aux = c >= 0 && !(c & CFG_AUX_CLOCK_OFF);
        ctl_command(CMD_DISABLE_AUX);
    }
    return 0;
}

static bool keyboard_init(void)
{
    int t = ctl_command_reply(CMD_TEST_KBD);
    if (t != 0) {
        log_warn("keyboard port test failed (answered %d)", t);
        return false;
    }
    ctl_command(CMD_ENABLE_KBD);
    if (!dev_reset(KBD)) {
        log_warn("no keyboard: it did not answer a reset");
        return false;
    }
    dev_send(KBD, DEV_DISABLE);
    if (!dev_send2(KBD, KBD_SCANCODE_SET, 2))
        log_debug("keyboard refused scancode set 2; keeping its own");
    ps2_kbd_init(&kbd_dec);
    return dev_send(KBD, DEV_ENABLE);
}

/* The IntelliMouse knock: sample rates 200, 100, 80, then the id. */
static bool mouse_has_wheel(void)
{
    if (!dev_send2(AUX, MOUSE_SAMPLE_RATE, 200) || !dev_send2(AUX, MOUSE_SAMPLE_RATE, 100) ||
        !dev_send2(AUX, MOUSE_SAMPLE_RATE, 80) || !dev_send(AUX, MOUSE_GET_ID))
        return false;
    return dev_read(AUX, REPLY_TIMEOUT_NS) == 3;
}

static bool mouse_init(bool *wheel)
{
    int t = ctl_command_reply(CMD_TEST_AUX);
    if (t != 0) {
        log_warn("mouse port test failed (answered %d)", t);
        return false;
    }
    ctl_command(CMD_ENABLE_AUX);
    if (!dev_reset(AUX)) {
        log_warn("no mouse: it did not answer a reset");
        return false;
    }
    (void)dev_read(AUX, REPLY_TIMEOUT_NS);      /* the id after the self-test, 0 */
    dev_send(AUX, DEV_DEFAULTS);
    *wheel = mouse_has_wheel();
    ps2_mouse_init(&mouse_dec, *wheel);
    return dev_send(AUX, DEV_ENABLE);
}

/* ---- interrupts ---------------------------------------------------------- */

static void kbd_byte(uint8_t b)
{
    uint16_t code;
    int value;
    if (have_kbd && ps2_kbd_feed(&kbd_dec, b, &code, &value))
        anx_input_key(&kbd_dev, code, value);
}

static void mouse_byte(uint8_t b)
{
    if (!have_mouse)
        return;
    uint64_t now = anx_time_ns();
    if (now - mouse_last_ns > MOUSE_GAP_NS)     /* a stale partial packet */
        ps2_mouse_resync(&mouse_dec);
    mouse_last_ns = now;
    struct ps2_mouse_report r;
    if (!ps2_mouse_feed(&mouse_dec, b, &r))
        return;
    if (r.dx || r.dy || r.wheel)
        anx_input_rel(&mouse_dev, r.dx, r.dy, r.wheel);
    static const uint16_t codes[3] = { ANX_BTN_LEFT, ANX_BTN_RIGHT, ANX_BTN_MIDDLE };
    for (int i = 0; i < 3; i++)
        if ((r.buttons ^ mouse_buttons) & (1u << i))
            anx_input_button(&mouse_dev, codes[i], (r.buttons >> i) & 1);
    mouse_buttons = r.buttons;
}

/* Both interrupts, and the poll hook: take what the controller holds. */
static void drain(void *arg)
{
    (void)arg;
    for (int i = 0; i < DRAIN_MAX; i++) {
        uint8_t st = inb(PORT_CMD);
        if (!(st & ST_OUT_FULL))
            break;
        uint8_t b = inb(PORT_DATA);
        if (st & ST_ERRORS)
            continue;
        if (st & ST_AUX)
            mouse_byte(b);
        else
            kbd_byte(b);
    }
}

static struct anx_poll_hook hook = { .fn = drain };

/* Route an interrupt; without it the poll hook reads the controller every
 * 10 ms instead. */
static bool route_irq(int irq)
{
    if (plat_irq_register(irq, drain, NULL) == 0)
        return true;
    log_warn("cannot route irq %d: polling instead", irq);
    hook.interval_ns = 10 * ANX_NS_PER_MS;
    return false;
}

static int ps2_init(void)
{
    uint8_t cfg;
    bool aux, wheel = false;
    int err = controller_init(&cfg, &aux);
    if (err)
        return err;
    have_kbd = keyboard_init();
    have_mouse = aux && mouse_init(&wheel);
    if (!have_kbd && !have_mouse) {
        log_error("i8042 found, but neither a keyboard nor a mouse answered");
        return ANX_ENOENT;
    }
    cfg |= CFG_TRANSLATE;
    if (have_kbd)
        cfg = (cfg | CFG_KBD_IRQ) & ~CFG_KBD_CLOCK_OFF;
    if (have_mouse)
        cfg = (cfg | CFG_AUX_IRQ) & ~CFG_AUX_CLOCK_OFF;
    flush_output();
    if (!write_config(cfg)) {
        log_error("the i8042 controller stopped answering (configuration byte)");
        return ANX_EIO;
    }
    bool irqs = (!have_kbd || route_irq(1)) & (!have_mouse || route_irq(12));
    anx_poll_register(&hook);           /* with interrupts: a cheap net for a lost one */
    if (have_kbd)
        anx_input_register(&kbd_dev);
    if (have_mouse)
        anx_input_register(&mouse_dev);
    log_info("i8042: %s%s%s, %s", have_kbd ? "keyboard" : "", have_kbd && have_mouse ? " and " : "",
             have_mouse ? (wheel ? "wheel mouse" : "mouse") : "", irqs ? "irq 1/12" : "polled");
    return 0;
}

ANX_MODULE(ps2, .init = ps2_init);
