/*
 * Screens: what takes turns on the display, as Linux's virtual terminals
 * do. A screen (the framebuffer console, a browser's page) registers with
 * the function key that brings it forward: Ctrl-Alt-Fn shows the screen
 * of key n and sends the one in front back. Only the screen in front draws
 * on the display and reads the keyboard and pointer; one behind keeps its
 * picture off screen (the console its grid, the page a RAM copy) and puts
 * it all back when it comes forward.
 *
 * Which is in front: until an operator pressed a chord, the screen of the
 * lowest key (a page on F1 takes over from the boot console on F2, as a
 * graphical session takes over from the boot log); after a chord, the
 * chosen one, until it goes away. When the screen in front unregisters,
 * the one of the lowest key left comes forward.
 *
 * The input thread calls anx_screen_chord() before any listener sees a
 * key: a chord for a registered key switches and is not delivered, so the
 * screen going back never sees it and the one coming forward starts clean.
 *
 * switched() is called in thread context (the input thread, or the thread
 * registering or unregistering a screen), first for the screen going back,
 * then for the one coming forward, each with s->front already set. It
 * must not wait: threads are cooperative, so by the time it returns the
 * screen going back must have stopped writing to the display (point its
 * drawing elsewhere); slow work (a flush) is for its own thread, woken.
 */
#ifndef ANX_SCREEN_H
#define ANX_SCREEN_H

#include <stdbool.h>

struct anx_input_event;

#define ANX_SCREEN_KEYS 12          /* Ctrl-Alt-F1 .. F12 */

struct anx_screen {
    /* filled by the owner */
    const char *name;               /* "console", "page" */
    unsigned key;                   /* n of Ctrl-Alt-Fn, 1..ANX_SCREEN_KEYS */
    void (*switched)(struct anx_screen *s, bool front);
    void *arg;

    /* set by the registry */
    bool front;                     /* in front: may draw and read input */
    struct anx_screen *next;        /* private */
};

/* Registers s; it may come forward at once (switched() is then called,
 * also for the screen it replaces). 0, ANX_EINVAL (no name or switched,
 * key outside 1..12), ANX_EEXIST (s is registered, or its key is taken). */
int anx_screen_register(struct anx_screen *s);
/* Removes s (its switched() is not called); if it was in front, the
 * screen of the lowest key left comes forward. */
void anx_screen_unregister(struct anx_screen *s);
/* Bring the screen of key n forward, as Ctrl-Alt-Fn does: 0, or
 * ANX_ENOENT when no screen has that key. */
int anx_screen_show(unsigned key);
/* The screen in front, or NULL. */
struct anx_screen *anx_screen_front(void);

/* The input thread's: true when ev is a Ctrl-Alt-Fn press (or its
 * autorepeat) for a registered key, which it has handled. */
bool anx_screen_chord(const struct anx_input_event *ev);

#endif
