/* The screen registry (core/screen.c): registration checks, which screen
 * is in front (the lowest key until a choice, the choice after), the order
 * of the switched() calls, unregistering the screen in front, and the
 * Ctrl-Alt-Fn chord as the input thread sees it (F1..F12, autorepeat,
 * releases, other modifiers, keys no screen has). */
#include <stdint.h>
#define UNIT_FILE "screen"
#include "unit.h"
#include <anx/errno.h>
#include <anx/input.h>
#include <anx/screen.h>

static char calls[64];                 /* "+a -b ..." in order */
static void note(struct anx_screen *s, bool front)
{
    size_t n = strlen(calls);
    if (n + 3 < sizeof calls) {
        calls[n] = front ? '+' : '-';
        calls[n + 1] = s->name[0];
        calls[n + 2] = 0;
    }
    CHECK_EQ(s->front, front);         /* set before the call */
}

static struct anx_screen page = {.name = "page", .key = 1, .switched = note};
static struct anx_screen con = {.name = "console", .key = 2, .switched = note};
static struct anx_screen tty = {.name = "tty", .key = 12, .switched = note};

static bool chord(uint16_t code, int value, uint16_t mods)
{
    struct anx_input_event ev = {.type = ANX_EV_KEY, .code = code, .value = (int8_t)value,
                                 .mods = mods};
    return anx_screen_chord(&ev);
}
#define CA (ANX_MOD_CTRL | ANX_MOD_ALT)

TEST(register_checks)
{
    struct anx_screen bad = {.name = "bad", .key = 0, .switched = note};
    CHECK_EQ(anx_screen_register(&bad), ANX_EINVAL);
    bad.key = 13;
    CHECK_EQ(anx_screen_register(&bad), ANX_EINVAL);
    bad.key = 3;
    bad.switched = NULL;
    CHECK_EQ(anx_screen_register(&bad), ANX_EINVAL);
    CHECK_EQ(anx_screen_register(NULL), ANX_EINVAL);
    CHECK(anx_screen_front() == NULL);
    CHECK_EQ(anx_screen_show(1), ANX_ENOENT);
}

TEST(lowest_key_until_chosen)
{
    calls[0] = 0;
    CHECK_EQ(anx_screen_register(&con), 0);
    CHECK_STR(calls, "+c");
    CHECK_EQ(anx_screen_register(&con), ANX_EEXIST);
    struct anx_screen twin = {.name = "twin", .key = 2, .switched = note};
    CHECK_EQ(anx_screen_register(&twin), ANX_EEXIST);
    CHECK_EQ(anx_screen_register(&page), 0);              /* F1 takes over from F2 */
    CHECK_STR(calls, "+c-c+p");
    CHECK(page.front && !con.front);
    CHECK_EQ(anx_screen_register(&tty), 0);               /* F12 stays behind */
    CHECK(!tty.front);
    CHECK_STR(calls, "+c-c+p");
    /* the operator chooses the console: a page registered again stays behind */
    CHECK(chord(ANX_KEY_F1 + 1, 1, CA));
    CHECK_STR(calls, "+c-c+p-p+c");
    anx_screen_unregister(&page);
    CHECK_STR(calls, "+c-c+p-p+c");                       /* not in front: nothing moves */
    CHECK_EQ(anx_screen_register(&page), 0);
    CHECK(con.front && !page.front);
    /* the chosen one going away: the lowest key left comes forward */
    anx_screen_unregister(&con);
    CHECK(page.front);
    CHECK_STR(calls, "+c-c+p-p+c+p");                     /* con is told nothing: it is gone */
    CHECK(anx_screen_front() == &page);
    CHECK_EQ(anx_screen_register(&con), 0);               /* no choice now: F1 keeps the front */
    CHECK(page.front);
}

TEST(the_chord)
{
    calls[0] = 0;
    CHECK(chord(ANX_KEY_F12, 1, CA));                     /* F12 is not F1 + 11 */
    CHECK(tty.front);
    CHECK_STR(calls, "-p+t");
    CHECK(chord(ANX_KEY_F12, 2, CA));                     /* autorepeat: taken, nothing switches */
    CHECK_STR(calls, "-p+t");
    CHECK(!chord(ANX_KEY_F12, 0, CA));                    /* the release goes to the listeners */
    CHECK(!chord(ANX_KEY_F1 + 1, 1, ANX_MOD_CTRL));       /* Ctrl or Alt alone: a key */
    CHECK(!chord(ANX_KEY_F1 + 1, 1, ANX_MOD_ALT));
    CHECK(!chord(ANX_KEY_F1 + 4, 1, CA));                 /* F5: no screen there */
    CHECK(!chord(ANX_KEY_A, 1, CA));
    CHECK(tty.front);
    CHECK(chord(ANX_KEY_F1, 1, CA | ANX_MOD_SHIFT));      /* Shift does not matter */
    CHECK(page.front && !tty.front);
    struct anx_input_event ptr = {.type = ANX_EV_POINTER, .mods = CA, .code = ANX_KEY_F1};
    CHECK(!anx_screen_chord(&ptr));
    CHECK_EQ(anx_screen_show(12), 0);
    CHECK(tty.front);
    anx_screen_unregister(&tty);
    anx_screen_unregister(&page);
    CHECK(con.front);
    anx_screen_unregister(&con);
    CHECK(anx_screen_front() == NULL);
    CHECK(!chord(ANX_KEY_F1, 1, CA));                     /* no screens: the chord is a key */
}

int main(void)
{
    unit_threads_init(8u << 20);
    RUN(register_checks);
    RUN(lowest_key_until_chosen);
    RUN(the_chord);
    return unit_done();
}
