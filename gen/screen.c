/*
 * The screen and input checks of anx test (docs/anx.md "Screen checks"):
 * screen:, screenshot: and pixels: read the screen with QMP screendump;
 * key:, type: and click: inject input with send-key and input-send-event.
 * The first half is pure logic the unit tests call (regions, image
 * comparison, key names); the second runs the checks against QEMU over
 * qmp.c. Parsing is in checks.c.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- pure logic ---------------------------------------------------------- */

int region_resolve(const struct region *r, int w, int h, struct region *out, char *why, size_t whylen)
{
    if (!r->set) {
        *out = (struct region){0, 0, w, h, false};
        return 0;
    }
    /* 64-bit sums: x + w cannot overflow for manifest values */
    if ((int64_t)r->x + r->w > w || (int64_t)r->y + r->h > h) {
        snprintf(why, whylen, "the region {x: %d, y: %d, w: %d, h: %d} does not fit the %dx%d screen", r->x, r->y,
                 r->w, r->h, w, h);
        return -1;
    }
    *out = *r;
    return 0;
}

static const unsigned char *pixel(const struct image *a, int x, int y)
{
    return a->px + ((size_t)y * (size_t)a->w + (size_t)x) * 3;
}

static bool close_enough(const unsigned char *p, const unsigned char *q)
{
    for (int i = 0; i < 3; i++)
        if (abs((int)p[i] - (int)q[i]) > SCREEN_CHANNEL_SLACK)
            return false;
    return true;
}

size_t image_diff(const struct image *a, const struct region *rect, const struct image *b, struct image *diff)
{
    /* b is the rect's size (compared from its origin) or a's (the same rect) */
    int bx = b->w == rect->w && b->h == rect->h ? 0 : rect->x;
    int by = b->w == rect->w && b->h == rect->h ? 0 : rect->y;
    if (diff)
        image_alloc(diff, rect->w, rect->h);
    size_t n = 0;
    for (int y = 0; y < rect->h; y++)
        for (int x = 0; x < rect->w; x++) {
            const unsigned char *p = pixel(a, rect->x + x, rect->y + y), *q = pixel(b, bx + x, by + y);
            bool same = close_enough(p, q);
            n += !same;
            if (!diff)
                continue;
            unsigned char *d = diff->px + ((size_t)y * (size_t)rect->w + (size_t)x) * 3;
            if (same) {   /* dimmed to a third, so the red stands out */
                for (int i = 0; i < 3; i++)
                    d[i] = (unsigned char)(p[i] / 3);
            } else {
                d[0] = 255;
                d[1] = d[2] = 0;
            }
        }
    return n;
}

size_t image_count_color(const struct image *a, const struct region *rect, const unsigned char rgb[3])
{
    size_t n = 0;
    for (int y = rect->y; y < rect->y + rect->h; y++)
        for (int x = rect->x; x < rect->x + rect->w; x++)
            n += !memcmp(pixel(a, x, y), rgb, 3);
    return n;
}

void image_crop(const struct image *a, const struct region *rect, struct image *out)
{
    image_alloc(out, rect->w, rect->h);
    for (int y = 0; y < rect->h; y++)
        memcpy(out->px + (size_t)y * (size_t)rect->w * 3, pixel(a, rect->x, rect->y + y), (size_t)rect->w * 3);
}

size_t tolerance_allows(double tolerance, size_t n)
{
    /* floor, with a little room so 0.5% of 1000 is 5 despite binary fractions */
    return (size_t)floor(tolerance * (double)n + 1e-9);
}

int parse_percent(const char *s, double *out)
{
    /* digits with at most one '.', then '%': no signs, exponents or spaces */
    size_t len = strlen(s), digits = strspn(s, "0123456789.");
    if (len < 2 || s[len - 1] != '%' || digits != len - 1 || strchr(s, '.') != strrchr(s, '.') ||
        !strpbrk(s, "0123456789"))
        return -1;
    double v = strtod(s, NULL);
    if (!(v >= 0 && v <= 100))
        return -1;
    *out = v / 100;
    return 0;
}

/* QEMU's QKeyCode names (qapi/ui.json) a manifest may use; the modifiers first. */
static const char *const modifiers[] = {"shift", "shift_r", "ctrl", "ctrl_r", "alt", "alt_r", "meta_l", "meta_r"};
static const char *const qcodes[] = {
    "shift", "shift_r", "ctrl", "ctrl_r", "alt", "alt_r", "meta_l", "meta_r",
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u",
    "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
    "ret", "esc", "tab", "backspace", "spc", "delete", "insert", "home", "end", "pgup", "pgdn",
    "up", "down", "left", "right", "minus", "equal", "bracket_left", "bracket_right", "backslash",
    "semicolon", "apostrophe", "grave_accent", "comma", "dot", "slash", "caps_lock", "num_lock",
    "scroll_lock", "print", "sysrq", "pause", "menu",
    "kp_0", "kp_1", "kp_2", "kp_3", "kp_4", "kp_5", "kp_6", "kp_7", "kp_8", "kp_9",
    "kp_add", "kp_subtract", "kp_multiply", "kp_divide", "kp_enter", "kp_decimal",
};
/* Other spellings people write, and the qcode each stands for. */
static const char *const aliases[][2] = {
    {"enter", "ret"}, {"return", "ret"}, {"escape", "esc"}, {"space", "spc"}, {"del", "delete"},
    {"pageup", "pgup"}, {"pagedown", "pgdn"}, {"control", "ctrl"}, {"meta", "meta_l"}, {"super", "meta_l"},
    {"win", "meta_l"}, {"altgr", "alt_r"}, {"ins", "insert"},
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *qcode_of(const char *name)
{
    for (size_t i = 0; i < NELEM(qcodes); i++)
        if (!strcmp(name, qcodes[i]))
            return qcodes[i];
    for (size_t i = 0; i < NELEM(aliases); i++)
        if (!strcmp(name, aliases[i][0]))
            return aliases[i][1];
    return NULL;
}

static bool is_modifier(const char *q)
{
    for (size_t i = 0; i < NELEM(modifiers); i++)
        if (!strcmp(q, modifiers[i]))
            return true;
    return false;
}

int key_chord_parse(const char *s, struct keypress *k, char *why, size_t whylen)
{
    memset(k, 0, sizeof *k);
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, '-');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char name[32];
        if (len == 0 || len >= sizeof name) {
            snprintf(why, whylen, "expected key names joined by '-' (like ctrl-alt-f2; the - key is 'minus'), found '%s'",
                     s);
            return -1;
        }
        for (size_t i = 0; i < len; i++)   /* Ctrl-Alt-F2 is ctrl-alt-f2 */
            name[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] - 'A' + 'a' : p[i]);
        name[len] = 0;
        const char *q = qcode_of(name);
        if (!q) {
            const char *all[NELEM(qcodes) + NELEM(aliases)];
            for (size_t i = 0; i < NELEM(qcodes); i++)
                all[i] = qcodes[i];
            for (size_t i = 0; i < NELEM(aliases); i++)
                all[NELEM(qcodes) + i] = aliases[i][0];
            snprintf(why, whylen,
                     "unknown key name '%s' (keys are QEMU's qcodes: ctrl, alt, shift, meta_l, f1..f12, ret, esc, tab, "
                     "backspace, spc, up, down, left, right, a..z, 0..9, minus, slash...)%s",
                     name, suggest(name, all, NELEM(all)));
            return -1;
        }
        for (int i = 0; i < k->n; i++)
            if (!strcmp(k->q[i], q)) {
                snprintf(why, whylen, "key '%s' appears twice in '%s'", name, s);
                return -1;
            }
        if (k->n == (int)NELEM(k->q)) {
            snprintf(why, whylen, "at most %zu keys at once, found more in '%s'", NELEM(k->q), s);
            return -1;
        }
        if (k->n > 0 && !is_modifier(k->q[k->n - 1])) {
            snprintf(why, whylen, "'%s' in '%s' is not a modifier: only the last key of a chord may be another "
                                  "key (ctrl, alt, shift, meta come first)", k->q[k->n - 1], s);
            return -1;
        }
        k->q[k->n++] = q;
        if (!e)
            return 0;
        p = e + 1;
    }
}

/* US layout: the characters on a key with and without shift. */
static const struct {
    char plain, shifted;
    const char *q;
} us_keys[] = {
    {'1', '!', "1"}, {'2', '@', "2"}, {'3', '#', "3"}, {'4', '$', "4"}, {'5', '%', "5"},
    {'6', '^', "6"}, {'7', '&', "7"}, {'8', '*', "8"}, {'9', '(', "9"}, {'0', ')', "0"},
    {'-', '_', "minus"}, {'=', '+', "equal"}, {'[', '{', "bracket_left"}, {']', '}', "bracket_right"},
    {'\\', '|', "backslash"}, {';', ':', "semicolon"}, {'\'', '"', "apostrophe"}, {'`', '~', "grave_accent"},
    {',', '<', "comma"}, {'.', '>', "dot"}, {'/', '?', "slash"}, {' ', 0, "spc"}, {'\n', 0, "ret"},
    {'\t', 0, "tab"},
};

int key_for_char(unsigned char ch, struct keypress *k)
{
    memset(k, 0, sizeof *k);
    if (ch >= 'a' && ch <= 'z') {
        k->q[k->n++] = qcodes[8 + (ch - 'a')];
        return 0;
    }
    if (ch >= 'A' && ch <= 'Z') {
        k->q[k->n++] = "shift";
        k->q[k->n++] = qcodes[8 + (ch - 'A')];
        return 0;
    }
    for (size_t i = 0; i < NELEM(us_keys); i++) {
        if (ch == (unsigned char)us_keys[i].plain) {
            k->q[k->n++] = us_keys[i].q;
            return 0;
        }
        if (us_keys[i].shifted && ch == (unsigned char)us_keys[i].shifted) {
            k->q[k->n++] = "shift";
            k->q[k->n++] = us_keys[i].q;
            return 0;
        }
    }
    return -1;
}

int abs_axis_value(int64_t p, int size)
{
    /* As QEMU's own windows send a click (ui/input.c scales pixel p of a
     * screen `size` wide to p * 0x7fff / size), so a test clicks where a
     * person would; a guest scaling back with round(v * size / 0x7fff), as
     * core/input.c does, lands on p (the error is below size / 0x7fff). */
    if (size <= 1 || p <= 0)
        return 0;
    if (p >= size - 1)
        p = size - 1;
    return (int)(p * 0x7fff / size);
}

/* ---- running the checks against QEMU -------------------------------------- */

/* How long one QMP command of screen: and pixels: may take (a screendump
 * of a big screen under TCG on a loaded machine included), apart from the
 * check's timeout; for the other kinds the check's timeout is this bound. */
#define QMP_COMMAND_MS 10000
/* How often screen: and pixels: look again. */
#define POLL_MS 200
/* type: holds each key this long and leaves this gap, about 12 characters
 * a second: slow enough for a guest under TCG to drain the PS/2 queue. */
#define TYPE_HOLD_MS 30
#define TYPE_GAP_MS 50
#define KEY_HOLD_MS 100

static void idle_pump(void *arg)
{
    session_wait(arg, now_ms());
}

static struct qmp *qmp_of(struct test_session *t, char *why, size_t whylen)
{
    if (t->qmp)
        return t->qmp;
    if (!t->qmp_path) {
        snprintf(why, whylen, "QEMU was started without a QMP socket");
        return NULL;
    }
    if (session_gone(t, "the QMP socket answered", why, whylen))
        return NULL;
    /* QEMU opens the socket before the guest runs; allow for a slow start. */
    t->qmp = qmp_open(t->qmp_path, now_ms() + QMP_COMMAND_MS, idle_pump, t, why, whylen);
    if (!t->qmp)
        session_gone(t, "the QMP socket answered", why, whylen);
    return t->qmp;
}

/* One QMP command, answered within ms; NULL with a reason (QEMU's exit,
 * when that is why). */
static char *command(struct test_session *t, const char *cmd, json_t *args, double ms, char *why, size_t whylen)
{
    struct qmp *q = qmp_of(t, why, whylen);
    if (!q) {
        json_decref(args);
        return NULL;
    }
    char *text = args ? json_dumps(args, JSON_COMPACT) : NULL;
    json_decref(args);
    char *r = qmp_execute(q, cmd, text, now_ms() + ms, why, whylen);
    free(text);
    if (!r) {
        char inner[1024];
        snprintf(inner, sizeof inner, "%s", why);
        /* A closed connection is QEMU exiting: give it a second to be
         * reaped, so the reason is its exit status. */
        double grace = strstr(inner, "closed the QMP connection") ? now_ms() + 1000 : now_ms();
        for (;;) {
            if (session_gone(t, xasprintf("%s answered", cmd), why, whylen))
                return NULL;
            if (now_ms() >= grace)
                break;
            session_wait(t, now_ms() + 50);
        }
        snprintf(why, whylen, "%s", inner);
    }
    return r;
}

/* The screen now, through a PPM file QEMU writes in the build folder. */
static int grab(struct test_session *t, struct image *img, double ms, char *why, size_t whylen)
{
    char *path = path_join(t->outdir, "screendump.ppm");
    remove(path);
    char *r = command(t, "screendump", json_pack("{s:s}", "filename", path), ms, why, whylen);
    if (!r)
        return -1;
    free(r);
    if (image_read_ppm(path, img, why, whylen))
        return -1;
    t->screen_w = img->w;
    t->screen_h = img->h;
    return 0;
}

static char *saved_path(struct test_session *t, const char *suffix)
{
    return path_join(t->outdir, xasprintf("screen-%zu%s.png", t->check_no, suffix));
}

/* Waits until the screen has not changed for a second (or the deadline),
 * for a first look at a screen without a reference. */
static int grab_stable(struct test_session *t, double deadline, struct image *img, bool *stable,
                       char *why, size_t whylen)
{
    *stable = false;
    struct image prev = {0};
    double since = now_ms();
    for (;;) {
        struct image cur;
        if (grab(t, &cur, QMP_COMMAND_MS, why, whylen)) {
            image_free(&prev);
            return -1;
        }
        bool same = prev.px && prev.w == cur.w && prev.h == cur.h &&
                    !memcmp(prev.px, cur.px, (size_t)cur.w * (size_t)cur.h * 3);
        if (!same)
            since = now_ms();
        image_free(&prev);
        prev = cur;
        if (now_ms() - since >= 1000 || now_ms() >= deadline) {
            *stable = now_ms() - since >= 1000;
            *img = prev;
            return 0;
        }
        session_wait(t, now_ms() + POLL_MS);
    }
}

static int screen_without_reference(struct test_session *t, const struct check *c, const char *ref, double deadline,
                                    char *why, size_t whylen)
{
    struct image img, part;
    bool stable;
    if (grab_stable(t, deadline, &img, &stable, why, whylen))
        return 1;
    struct region rect;
    int rc = 1;
    if (region_resolve(&c->screen->region, img.w, img.h, &rect, why, whylen))
        goto out;
    image_crop(&img, &rect, &part);
    char *saved = saved_path(t, "");
    if (image_write_png(saved, &part, why, whylen) == 0)
        snprintf(why, whylen,
                 "no reference image %s; the screen%s (%dx%d, %s) is saved as %s: look at it, and if it is "
                 "right, adopt it with: cp %s %s",
                 path_display(ref), c->screen->region.set ? "'s region" : "", part.w, part.h,
                 stable ? "unchanged for 1 s" : "still changing at the timeout", path_display(saved),
                 path_display(saved), path_display(ref));
    image_free(&part);
out:
    image_free(&img);
    return rc;
}

int run_screen(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    const struct screen_check *sc = c->screen;
    double start = now_ms(), deadline = start + (double)c->timeout_ns / 1e6;
    char *ref_path = path_join(t->manifest_dir, sc->file);
    if (!file_exists(ref_path))
        return screen_without_reference(t, c, ref_path, deadline, why, whylen);
    struct image ref;
    if (image_read_png(ref_path, &ref, why, whylen))
        return 1;
    char last[512] = "";
    size_t best = SIZE_MAX;
    for (;;) {
        struct image img;
        if (grab(t, &img, QMP_COMMAND_MS, why, whylen)) {
            image_free(&ref);
            return 1;
        }
        struct region rect;
        bool timeout = now_ms() >= deadline;
        if (region_resolve(&sc->region, img.w, img.h, &rect, last, sizeof last) == 0) {
            bool fits = (ref.w == rect.w && ref.h == rect.h) || (ref.w == img.w && ref.h == img.h);
            if (!fits) {
                snprintf(last, sizeof last, "the screen%s is %dx%d, %s is %dx%d", sc->region.set ? "'s region" : "",
                         rect.w, rect.h, path_display(ref_path), ref.w, ref.h);
            } else {
                size_t npx = (size_t)rect.w * (size_t)rect.h, allowed = tolerance_allows(sc->tolerance, npx);
                size_t n = image_diff(&img, &rect, &ref, NULL);
                best = n < best ? n : best;
                if (n <= allowed) {
                    if (n)
                        snprintf(why, whylen, "%zu of %zu pixels differ (tolerance allows %zu)", n, npx, allowed);
                    image_free(&img);
                    image_free(&ref);
                    return 0;
                }
                if (timeout) {
                    struct image part, diff;
                    image_crop(&img, &rect, &part);
                    image_diff(&img, &rect, &ref, &diff);
                    char *saw = saved_path(t, ""), *dp = saved_path(t, "-diff");
                    if (image_write_png(saw, &part, why, whylen) == 0 && image_write_png(dp, &diff, why, whylen) == 0)
                        snprintf(why, whylen,
                                 "the screen did not match %s within %.1f s: %zu of %zu pixels differ (tolerance "
                                 "allows %zu; the fewest seen: %zu); it showed %s, the differences in red: %s",
                                 path_display(ref_path), (now_ms() - start) / 1e3, n, npx, allowed, best,
                                 path_display(saw), path_display(dp));
                    image_free(&part);
                    image_free(&diff);
                    image_free(&img);
                    image_free(&ref);
                    return 1;
                }
            }
        }
        if (timeout) {   /* the sizes never fitted: show what was there */
            struct region all = {0, 0, img.w, img.h, false};
            struct image part;
            image_crop(&img, &all, &part);
            char *saw = saved_path(t, "");
            if (image_write_png(saw, &part, why, whylen) == 0)
                snprintf(why, whylen, "the screen did not match %s within %.1f s: %s; it showed %s",
                         path_display(ref_path), (now_ms() - start) / 1e3, last, path_display(saw));
            image_free(&part);
            image_free(&img);
            image_free(&ref);
            return 1;
        }
        image_free(&img);
        session_wait(t, now_ms() + POLL_MS < deadline ? now_ms() + POLL_MS : deadline);
        if (session_gone(t, xasprintf("the screen matched %s", sc->file), why, whylen)) {
            image_free(&ref);
            return 1;
        }
    }
}

int run_screenshot(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    struct image img;
    if (grab(t, &img, (double)c->timeout_ns / 1e6, why, whylen))
        return 1;
    char *path = path_join(t->outdir, xasprintf("%s.png", c->screen->name));
    int rc = image_write_png(path, &img, why, whylen);
    if (rc == 0)
        snprintf(why, whylen, "saved %s (%dx%d)", path_display(path), img.w, img.h);
    image_free(&img);
    return rc ? 1 : 0;
}

static const char *color_text(const unsigned char rgb[3])
{
    return xasprintf("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

static const char *bounds_text(const struct screen_check *sc)
{
    if (sc->max < 0)
        return xasprintf("at least %lld", (long long)sc->min);
    if (sc->min == 0)
        return xasprintf("at most %lld", (long long)sc->max);
    return xasprintf("between %lld and %lld", (long long)sc->min, (long long)sc->max);
}

int run_pixels(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    const struct screen_check *sc = c->screen;
    double start = now_ms(), deadline = start + (double)c->timeout_ns / 1e6;
    for (;;) {
        struct image img;
        if (grab(t, &img, QMP_COMMAND_MS, why, whylen))
            return 1;
        struct region rect;
        char last[512];
        bool timeout = now_ms() >= deadline;
        if (region_resolve(&sc->region, img.w, img.h, &rect, last, sizeof last) == 0) {
            size_t n = image_count_color(&img, &rect, sc->color);
            if ((int64_t)n >= sc->min && (sc->max < 0 || (int64_t)n <= sc->max)) {
                snprintf(why, whylen, "%zu pixels of %s", n, color_text(sc->color));
                image_free(&img);
                return 0;
            }
            snprintf(last, sizeof last, "%zu pixels of %s%s, expected %s", n, color_text(sc->color),
                     sc->region.set ? " in the region" : "", bounds_text(sc));
        }
        if (timeout) {
            char *saw = saved_path(t, "");
            if (image_write_png(saw, &img, why, whylen) == 0)
                snprintf(why, whylen, "%s after %.1f s; the screen (%dx%d) is saved as %s", last,
                         (now_ms() - start) / 1e3, img.w, img.h, path_display(saw));
            image_free(&img);
            return 1;
        }
        image_free(&img);
        session_wait(t, now_ms() + POLL_MS < deadline ? now_ms() + POLL_MS : deadline);
        if (session_gone(t, xasprintf("%s appeared", bounds_text(sc)), why, whylen))
            return 1;
    }
}

/* send-key of one chord, held for hold ms; then waits until it is up. */
static int send_chord(struct test_session *t, const struct keypress *k, int hold, int gap, double ms, char *why,
                      size_t whylen)
{
    json_t *keys = json_array();
    for (int i = 0; i < k->n; i++)
        json_array_append_new(keys, json_pack("{s:s,s:s}", "type", "qcode", "data", k->q[i]));
    char *r = command(t, "send-key", json_pack("{s:o,s:i}", "keys", keys, "hold-time", hold), ms, why, whylen);
    if (!r)
        return -1;
    free(r);
    /* send-key returns at once; QEMU releases the keys after hold ms */
    session_wait(t, now_ms() + hold + gap);
    return 0;
}

int run_key_chord(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    return send_chord(t, &c->screen->keys[0], KEY_HOLD_MS, 50, (double)c->timeout_ns / 1e6, why, whylen) ? 1 : 0;
}

int run_type(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    for (size_t i = 0; i < c->screen->nkeys; i++)
        if (send_chord(t, &c->screen->keys[i], TYPE_HOLD_MS, TYPE_GAP_MS, (double)c->timeout_ns / 1e6, why, whylen))
            return 1;
    return 0;
}

static int send_events(struct test_session *t, json_t *events, double ms, char *why, size_t whylen)
{
    char *r = command(t, "input-send-event", json_pack("{s:o}", "events", events), ms, why, whylen);
    if (!r)
        return -1;
    free(r);
    return 0;
}

static json_t *axis_event(const char *type, const char *axis, int value)
{
    return json_pack("{s:s,s:{s:s,s:i}}", "type", type, "data", "axis", axis, "value", value);
}

/* Relative moves in steps a PS/2 packet holds (-256..255), with a pause
 * between so the guest drains QEMU's small PS/2 queue. */
static int move_rel(struct test_session *t, int64_t dx, int64_t dy, double ms, char *why, size_t whylen)
{
    while (dx || dy) {
        int sx = (int)(dx > 100 ? 100 : dx < -100 ? -100 : dx), sy = (int)(dy > 100 ? 100 : dy < -100 ? -100 : dy);
        json_t *ev = json_array();
        json_array_append_new(ev, axis_event("rel", "x", sx));
        json_array_append_new(ev, axis_event("rel", "y", sy));
        if (send_events(t, ev, ms, why, whylen))
            return -1;
        dx -= sx;
        dy -= sy;
        session_wait(t, now_ms() + 20);
    }
    return 0;
}

static int button(struct test_session *t, const char *b, bool down, double ms, char *why, size_t whylen)
{
    json_t *ev = json_array();
    json_array_append_new(ev, json_pack("{s:s,s:{s:b,s:s}}", "type", "btn", "data", "down", down, "button", b));
    return send_events(t, ev, ms, why, whylen);
}

/* Whether the guest's current mouse takes absolute positions (a tablet). */
static int mouse_is_absolute(struct test_session *t, bool *absolute, double ms, char *why, size_t whylen)
{
    char *r = command(t, "query-mice", NULL, ms, why, whylen);
    if (!r)
        return -1;
    json_t *mice = json_loads(r, 0, NULL);
    free(r);
    size_t i;
    json_t *m;
    bool found = false;
    json_array_foreach(mice, i, m) {
        if (json_is_true(json_object_get(m, "current"))) {
            *absolute = json_is_true(json_object_get(m, "absolute"));
            found = true;
        }
    }
    json_decref(mice);
    if (!found)
        snprintf(why, whylen, "QEMU has no mouse for this machine (query-mice lists no current one)");
    return found ? 0 : -1;
}

int run_click(struct test_session *t, const struct check *c, char *why, size_t whylen)
{
    const struct screen_check *sc = c->screen;
    double ms = (double)c->timeout_ns / 1e6;
    /* The screen's size now scales the position: the guest may have
     * changed mode since the last look. */
    struct image img;
    if (grab(t, &img, ms, why, whylen))
        return 1;
    image_free(&img);
    if (sc->x >= t->screen_w || sc->y >= t->screen_h) {
        snprintf(why, whylen, "(%lld, %lld) is outside the %dx%d screen", (long long)sc->x, (long long)sc->y,
                 t->screen_w, t->screen_h);
        return 1;
    }
    bool absolute;
    if (mouse_is_absolute(t, &absolute, ms, why, whylen))
        return 1;
    if (absolute) {
        json_t *ev = json_array();
        json_array_append_new(ev, axis_event("abs", "x", abs_axis_value(sc->x, t->screen_w)));
        json_array_append_new(ev, axis_event("abs", "y", abs_axis_value(sc->y, t->screen_h)));
        if (send_events(t, ev, ms, why, whylen))
            return 1;
    } else if (move_rel(t, -(t->screen_w + 16), -(t->screen_h + 16), ms, why, whylen) ||   /* to the corner */
               move_rel(t, sc->x, sc->y, ms, why, whylen)) {
        return 1;
    }
    session_wait(t, now_ms() + 50);
    if (button(t, sc->button, true, ms, why, whylen))
        return 1;
    session_wait(t, now_ms() + 80);
    if (button(t, sc->button, false, ms, why, whylen))
        return 1;
    session_wait(t, now_ms() + 50);
    snprintf(why, whylen, "%s pointer on the %dx%d screen",
             absolute ? "absolute (tablet)" : "relative (mouse: to the corner, then the offset)", t->screen_w,
             t->screen_h);
    return 0;
}
