/* Screens taking turns on the display (<anx/screen.h>): the registry, the
 * Ctrl-Alt-Fn chord and the `screens` command. */
#define LOG_TAG "screen"
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/printf.h>
#include <anx/screen.h>

static struct anx_screen *screens;  /* by key */
static struct anx_screen *front;
static struct anx_screen *chosen;   /* the operator's last choice, while it exists */

static int cmd_screens(int argc, char **argv);
static struct anx_command screens_cmd = {
    .name = "screens",
    .summary = "The screens sharing the display (Ctrl-Alt-Fn), or bring one forward",
    .usage = "screens [N]", .fn = cmd_screens,
};

static struct anx_screen *by_key(unsigned key)
{
    for (struct anx_screen *s = screens; s; s = s->next)
        if (s->key == key)
            return s;
    return NULL;
}

/* Send the screen in front back and bring s forward (s may be NULL: none). */
static void switch_to(struct anx_screen *s)
{
    if (s == front)
        return;
    struct anx_screen *old = front;
    front = s;
    if (old) {
        old->front = false;
        old->switched(old, false);
    }
    if (s) {
        s->front = true;
        s->switched(s, true);
        log_info("%s in front (Ctrl-Alt-F%u)", s->name, s->key);
    }
}

int anx_screen_register(struct anx_screen *s)
{
    if (!s || !s->name || !s->switched || s->key < 1 || s->key > ANX_SCREEN_KEYS)
        return ANX_EINVAL;
    for (struct anx_screen *o = screens; o; o = o->next)
        if (o == s || o->key == s->key)
            return ANX_EEXIST;
    if (!screens)
        anx_command_register(&screens_cmd);
    struct anx_screen **at = &screens;
    while (*at && (*at)->key < s->key)
        at = &(*at)->next;
    s->front = false;
    s->next = *at;
    *at = s;
    if (!front || (front != chosen && s->key < front->key))
        switch_to(s);
    return 0;
}

void anx_screen_unregister(struct anx_screen *s)
{
    for (struct anx_screen **at = &screens; *at; at = &(*at)->next) {
        if (*at != s)
            continue;
        *at = s->next;
        s->next = NULL;
        if (chosen == s)
            chosen = NULL;
        if (front == s) {
            s->front = false;
            front = NULL;
            switch_to(screens);        /* the lowest key left */
        }
        return;
    }
}

int anx_screen_show(unsigned key)
{
    struct anx_screen *s = by_key(key);
    if (!s)
        return ANX_ENOENT;
    chosen = s;
    switch_to(s);
    return 0;
}

struct anx_screen *anx_screen_front(void)
{
    return front;
}

/* F1..F10 are consecutive evdev codes; F11 and F12 are elsewhere. */
static unsigned fkey_of(uint16_t code)
{
    if (code >= ANX_KEY_F1 && code <= ANX_KEY_F10)
        return (unsigned)(code - ANX_KEY_F1) + 1;
    return code == ANX_KEY_F11 ? 11 : code == ANX_KEY_F12 ? 12 : 0;
}

bool anx_screen_chord(const struct anx_input_event *ev)
{
    const unsigned ctrl_alt = ANX_MOD_CTRL | ANX_MOD_ALT;
    if (ev->type != ANX_EV_KEY || ev->value == 0 || (ev->mods & ctrl_alt) != ctrl_alt)
        return false;
    unsigned key = fkey_of(ev->code);
    if (!key || !by_key(key))
        return false;
    if (ev->value == 1)
        anx_screen_show(key);
    return true;
}

static int cmd_screens(int argc, char **argv)
{
    if (argc == 2) {
        char *end;
        long n = strtol(argv[1], &end, 10);
        if (*end || n < 1 || n > ANX_SCREEN_KEYS || anx_screen_show((unsigned)n)) {
            anx_printf("screens: no screen on F%s (`screens` lists them)\n", argv[1]);
            return 1;
        }
        return 0;
    }
    if (argc > 2) {
        anx_printf("usage: %s\n", screens_cmd.usage);
        return 2;
    }
    for (struct anx_screen *s = screens; s; s = s->next)
        anx_printf("Ctrl-Alt-F%-2u %-10s %s\n", s->key, s->name, s->front ? "in front" : "behind");
    return 0;
}
