/* Test only: an input listener that prints every event on the console
 * (`input-test: input0 key 30 down 'a' mods 0x40`) and types each key
 * press into the console as a serial terminal would, so QEMU's injected
 * keys reach the shell and boot tests can check the input drivers without
 * a framebuffer console (which does the typing in a real image: the two
 * conflict). */
#define LOG_TAG "input-test"
#include <anx/console.h>
#include <anx/input.h>
#include <anx/module.h>
#include <anx/printf.h>


static void print_event(const struct anx_input_event *ev)
{
    const char *dev = ev->dev ? ev->dev->name : "?";
    switch (ev->type) {
    case ANX_EV_KEY:
        anx_printf("input-test: %s key %u %s", dev, (unsigned)ev->code,
                   ev->value == 0 ? "up" : ev->value == 2 ? "repeat" : "down");
        if (ev->ch >= 0x20 && ev->ch < 0x7f)
            anx_printf(" '%c'", (char)ev->ch);
        else if (ev->ch)
            anx_printf(" U+%04X", (unsigned)ev->ch);
        anx_printf(" mods %#x\n", (unsigned)ev->mods);
        break;
    case ANX_EV_POINTER:
        anx_printf("input-test: %s pointer %d,%d\n", dev, (int)ev->x, (int)ev->y);
        break;
    case ANX_EV_BUTTON:
        anx_printf("input-test: %s button %#x %s at %d,%d buttons %#x\n", dev, (unsigned)ev->code,
                   ev->value ? "down" : "up", (int)ev->x, (int)ev->y, (unsigned)ev->buttons);
        break;
    case ANX_EV_WHEEL:
        anx_printf("input-test: %s wheel %d at %d,%d\n", dev, (int)ev->dy, (int)ev->x, (int)ev->y);
        break;
    }
}

static void on_event(const struct anx_input_event *ev, void *arg)
{
    (void)arg;
    print_event(ev);
    char bytes[ANX_INPUT_KEY_BYTES_MAX];
    size_t n = anx_input_key_bytes(ev, bytes);
    for (size_t i = 0; i < n; i++)
        anx_console_input(bytes[i]);
}

static struct anx_input_listener listener = { .event = on_event };

static int input_test_init(void)
{
    anx_input_listen(&listener);
    return 0;
}

ANX_MODULE(input_test, .init = input_test_init);
