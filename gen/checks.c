/*
 * The kinds of test checks a manifest's `test:` list may hold, as a table:
 * the key that selects the kind, the keys it accepts, how to parse it and
 * how test_runner.c runs it. A new kind (ssh:, screenshot:) is one row,
 * one parse function and one run function.
 */
#include "anx.h"

#include <regex.h>
#include <string.h>

#define DEFAULT_TIMEOUT_NS 10000000000ULL

static const char *const serial_keys[] = {"serial", "timeout", "name"};
static const char *const shell_keys[] = {"shell", "expect", "timeout", "name"};
static const char *const exit_keys[] = {"exit", "timeout", "name"};
static const char *const http_keys[] = {"http", "method", "body", "headers", "port", "status", "expect", "timeout", "name"};
static const char *const screen_keys[] = {"screen", "tolerance", "region", "timeout", "name"};
static const char *const screenshot_keys[] = {"screenshot", "timeout", "name"};
static const char *const pixels_keys[] = {"pixels", "timeout", "name"};
static const char *const key_keys[] = {"key", "timeout", "name"};
static const char *const type_keys[] = {"type", "timeout", "name"};
static const char *const click_keys[] = {"click", "timeout", "name"};

/* A regex must compile now, so a typo fails at `anx check`, not mid-boot. */
static int regex_field(const struct ynode *map, const char *key, bool required, char **out)
{
    const struct ynode *v = ymap_get(map, key);
    if (!v) {
        if (required) {
            diag_error(&map->mark, "check is missing '%s' (the regular expression expected)", key);
            return -1;
        }
        return 0;
    }
    if (yget_string(v, xasprintf("'%s'", key), out))
        return -1;
    const char *why;
    double size = regex_size(*out, &why);
    if (size < 0 || size > REGEX_SIZE_MAX) {
        diag_error(&v->mark, "regular expression for '%s' is too costly to compile: %s", key,
                   why ? why : xasprintf("its repetitions expand to about %.0f atoms (at most %.0f)",
                                         size, REGEX_SIZE_MAX));
        return -1;
    }
    regex_t re;
    int rc = regcomp(&re, *out, REG_EXTENDED | REG_NEWLINE);
    if (rc) {
        char msg[200];
        regerror(rc, &re, msg, sizeof msg);
        diag_error(&v->mark, "invalid regular expression for '%s': %s", key, msg);
        return -1;
    }
    regfree(&re);
    return 0;
}

static int parse_serial(const struct ynode *map, struct check *c)
{
    if (regex_field(map, "serial", true, &c->arg))
        return -1;
    c->label = xasprintf("serial \"%s\"", yshow(c->arg, strlen(c->arg)));
    return 0;
}

static int parse_shell(const struct ynode *map, struct check *c)
{
    const struct ynode *v = ymap_get(map, "shell");
    if (yget_string(v, "'shell'", &c->arg))
        return -1;
    if (strchr(c->arg, '\n') || strchr(c->arg, '\r')) {
        diag_error(&v->mark, "'shell' must be one command line, without line breaks");
        return -1;
    }
    if (regex_field(map, "expect", true, &c->expect))
        return -1;
    c->label = xasprintf("shell \"%s\"", yshow(c->arg, strlen(c->arg)));
    return 0;
}

static int parse_exit(const struct ynode *map, struct check *c)
{
    if (yget_int(ymap_get(map, "exit"), "'exit'", 0, 255, &c->status))
        return -1;
    c->label = xasprintf("exit %lld", (long long)c->status);
    return 0;
}

static int parse_http(const struct ynode *map, struct check *c)
{
    const struct ynode *v = ymap_get(map, "http");
    if (yget_string(v, "'http' (the request path)", &c->arg))
        return -1;
    if (c->arg[0] != '/') {
        diag_error(&v->mark, "expected a request path starting with '/' for 'http', found %s", ykind_name(v));
        return -1;
    }
    c->method = "GET";
    c->status = -1;
    if ((v = ymap_get(map, "method"))) {
        static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        if (yget_string(v, "'method'", &c->method))
            return -1;
        bool ok = false;
        for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
            ok |= !strcmp(c->method, methods[i]);
        if (!ok) {
            diag_error(&v->mark, "unknown HTTP method %s (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)%s",
                       ykind_name(v), suggest(c->method, methods, 7));
            return -1;
        }
    }
    if ((v = ymap_get(map, "body")) && yget_string(v, "'body'", &c->body))
        return -1;
    if ((v = ymap_get(map, "headers"))) {
        if (v->kind != Y_MAP) {
            diag_error(&v->mark, "expected 'headers' to be a mapping of header names to values, found %s",
                       ykind_name(v));
            return -1;
        }
        for (size_t i = 0; i < v->n; i++) {
            const struct ynode *k = v->pairs[i].key, *val = v->pairs[i].val;
            char *value;
            bool token = k->len > 0;
            for (size_t j = 0; j < k->len; j++)
                token &= k->str[j] > 32 && k->str[j] < 127 && !strchr("()<>@,;:\\\"/[]?={}", k->str[j]);
            if (!token) {
                diag_error(&k->mark, "invalid HTTP header name %s", ykind_name(k));
                return -1;
            }
            if (yget_string(val, xasprintf("header '%s'", k->str), &value))
                return -1;
            if (strchr(value, '\n') || strchr(value, '\r')) {
                diag_error(&val->mark, "header '%s' must be one line", k->str);
                return -1;
            }
            strlist_push(&c->headers, xasprintf("%s: %s", k->str, value));
        }
    }
    if ((v = ymap_get(map, "port")) && yget_int(v, "'port'", 1, 65535, &c->port))
        return -1;
    if ((v = ymap_get(map, "status")) && yget_int(v, "'status'", 100, 599, &c->status))
        return -1;
    if (regex_field(map, "expect", false, &c->expect))
        return -1;
    c->label = xasprintf("http %s %s", c->method, yshow(c->arg, strlen(c->arg)));
    return 0;
}

/* ---- screen and input checks (run in screen.c) ----------------------------- */

/* Screens larger than this are no screen QEMU shows. */
#define SCREEN_MAX 16384

/* region: {x, y, w, h}, all four, in screen pixels. */
static int parse_region(const struct ynode *map, struct region *r)
{
    static const char *const keys[] = {"x", "y", "w", "h"};
    const struct ynode *v = ymap_get(map, "region");
    if (!v)
        return 0;
    if (v->kind != Y_MAP) {
        diag_error(&v->mark, "expected 'region' to be a mapping like {x: 0, y: 0, w: 320, h: 200}, found %s",
                   ykind_name(v));
        return -1;
    }
    if (ymap_check_keys(v, keys, 4, "in 'region'"))
        return -1;
    int64_t val[4];
    for (int i = 0; i < 4; i++) {
        const struct ynode *f = ymap_get(v, keys[i]);
        if (!f) {
            diag_error(&v->mark, "'region' is missing '%s' (it needs x, y, w and h, in pixels)", keys[i]);
            return -1;
        }
        if (yget_int(f, xasprintf("region '%s'", keys[i]), i < 2 ? 0 : 1, SCREEN_MAX, &val[i]))
            return -1;
    }
    *r = (struct region){(int)val[0], (int)val[1], (int)val[2], (int)val[3], true};
    return 0;
}

static struct screen_check *new_screen(struct check *c)
{
    c->screen = xcalloc(1, sizeof *c->screen);
    c->screen->max = -1;
    return c->screen;
}

static int parse_screen(const struct ynode *map, struct check *c)
{
    struct screen_check *sc = new_screen(c);
    const struct ynode *v = ymap_get(map, "screen");
    if (yget_string(v, "'screen' (a PNG file, relative to the manifest)", &sc->file))
        return -1;
    size_t len = strlen(sc->file);
    if (len < 5 || strcmp(sc->file + len - 4, ".png")) {
        diag_error(&v->mark, "expected a PNG file name ending in .png for 'screen', found %s", ykind_name(v));
        return -1;
    }
    if ((v = ymap_get(map, "tolerance"))) {
        char *s;
        if (yget_string(v, "'tolerance'", &s))
            return -1;
        if (parse_percent(s, &sc->tolerance)) {
            diag_error(&v->mark, "expected a percentage of the pixels from 0%% to 100%% for 'tolerance' (like "
                                 "0.5%%), found %s", ykind_name(v));
            return -1;
        }
    }
    if (parse_region(map, &sc->region))
        return -1;
    c->label = xasprintf("screen %s", yshow(sc->file, len));
    return 0;
}

static int parse_screenshot(const struct ynode *map, struct check *c)
{
    struct screen_check *sc = new_screen(c);
    const struct ynode *v = ymap_get(map, "screenshot");
    if (yget_string(v, "'screenshot' (a name for the PNG file)", &sc->name))
        return -1;
    bool ok = sc->name[0] && sc->name[0] != '.' && strlen(sc->name) <= 100;
    for (const char *p = sc->name; *p; p++)
        ok &= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._-", *p);
    if (!ok) {
        diag_error(&v->mark, "expected a file name (letters, digits, '.', '_', '-'; saved as NAME.png in the build "
                             "folder) for 'screenshot', found %s", ykind_name(v));
        return -1;
    }
    c->label = xasprintf("screenshot %s", sc->name);
    return 0;
}

static int parse_pixels(const struct ynode *map, struct check *c)
{
    static const char *const keys[] = {"color", "min", "max", "region"};
    struct screen_check *sc = new_screen(c);
    const struct ynode *p = ymap_get(map, "pixels"), *v;
    if (p->kind != Y_MAP) {
        diag_error(&p->mark, "expected 'pixels' to be a mapping like {color: \"#ffffff\", min: 100}, found %s",
                   ykind_name(p));
        return -1;
    }
    if (ymap_check_keys(p, keys, 4, "in 'pixels'"))
        return -1;
    char *color;
    if (!(v = ymap_get(p, "color"))) {
        diag_error(&p->mark, "'pixels' is missing 'color' (the exact color counted, like \"#ffffff\")");
        return -1;
    }
    if (v->kind == Y_NULL) {   /* color: #ffffff unquoted is a comment */
        diag_error(&v->mark, "'color' is empty: quote the color, \"#rrggbb\" (# starts a YAML comment)");
        return -1;
    }
    if (yget_string(v, "'color'", &color))
        return -1;
    unsigned int rgb[3];
    char tail;
    if (strlen(color) != 7 || color[0] != '#' || strspn(color + 1, "0123456789abcdefABCDEF") != 6 ||
        sscanf(color + 1, "%2x%2x%2x%c", &rgb[0], &rgb[1], &rgb[2], &tail) != 3) {
        diag_error(&v->mark, "expected a color \"#rrggbb\" (six hex digits; quote it: # starts a YAML comment) "
                             "for 'color', found %s", ykind_name(v));
        return -1;
    }
    for (int i = 0; i < 3; i++)
        sc->color[i] = (unsigned char)rgb[i];
    sc->min = 0;
    if ((v = ymap_get(p, "min")) && yget_int(v, "'min'", 0, (int64_t)SCREEN_MAX * SCREEN_MAX, &sc->min))
        return -1;
    if ((v = ymap_get(p, "max")) && yget_int(v, "'max'", 0, (int64_t)SCREEN_MAX * SCREEN_MAX, &sc->max))
        return -1;
    if (!ymap_get(p, "min") && !ymap_get(p, "max")) {
        diag_error(&p->mark, "'pixels' needs 'min', 'max' or both: the number of pixels of that color expected");
        return -1;
    }
    if (sc->max >= 0 && sc->max < sc->min) {
        diag_error(&ymap_get(p, "max")->mark, "'max' (%lld) is below 'min' (%lld)", (long long)sc->max,
                   (long long)sc->min);
        return -1;
    }
    if (parse_region(p, &sc->region))
        return -1;
    c->label = xasprintf("pixels %s", color);
    return 0;
}

static int parse_key(const struct ynode *map, struct check *c)
{
    struct screen_check *sc = new_screen(c);
    const struct ynode *v = ymap_get(map, "key");
    char *s, why[512];
    if (yget_string(v, "'key' (keys joined by '-', like ctrl-alt-f2)", &s))
        return -1;
    sc->keys = xcalloc(1, sizeof *sc->keys);
    sc->nkeys = 1;
    if (key_chord_parse(s, &sc->keys[0], why, sizeof why)) {
        diag_error(&v->mark, "%s", why);
        return -1;
    }
    c->label = xasprintf("key %s", yshow(s, strlen(s)));
    return 0;
}

static int parse_type(const struct ynode *map, struct check *c)
{
    struct screen_check *sc = new_screen(c);
    const struct ynode *v = ymap_get(map, "type");
    char *s;
    if (yget_string(v, "'type' (the text to type)", &s))
        return -1;
    size_t len = v->len;   /* may hide a NUL, which no key types */
    if (len == 0) {
        diag_error(&v->mark, "'type' is empty: give the text to type");
        return -1;
    }
    sc->keys = xcalloc(len, sizeof *sc->keys);
    size_t chars = 0;   /* counted in UTF-8 characters, as a person counts */
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)v->str[i];
        chars += (ch & 0xc0) != 0x80;
        if (key_for_char(ch, &sc->keys[i])) {
            size_t n = 1;   /* the whole UTF-8 sequence, to show it */
            while (ch >= 0xc0 && i + n < len && ((unsigned char)v->str[i + n] & 0xc0) == 0x80 && n < 4)
                n++;
            diag_error(&v->mark, "'type' cannot type '%s' (character %zu): it presses US-layout keys for printable "
                                 "ASCII, \\n (ret) and \\t (tab) only; use key: for other keys",
                       ch >= 0x80 ? xstrndup(v->str + i, n) : yshow(v->str + i, 1), chars);
            return -1;
        }
    }
    sc->nkeys = len;
    c->label = xasprintf("type \"%s\"", yshow_n(s, len, 30));
    return 0;
}

static int parse_click(const struct ynode *map, struct check *c)
{
    static const char *const keys[] = {"x", "y", "button"};
    static const char *const buttons[] = {"left", "right", "middle"};
    struct screen_check *sc = new_screen(c);
    const struct ynode *p = ymap_get(map, "click"), *v;
    if (p->kind != Y_MAP) {
        diag_error(&p->mark, "expected 'click' to be a mapping like {x: 100, y: 200}, found %s", ykind_name(p));
        return -1;
    }
    if (ymap_check_keys(p, keys, 3, "in 'click'"))
        return -1;
    for (int i = 0; i < 2; i++) {
        if (!(v = ymap_get(p, keys[i]))) {
            diag_error(&p->mark, "'click' is missing '%s' (the position in screen pixels)", keys[i]);
            return -1;
        }
        if (yget_int(v, xasprintf("click '%s'", keys[i]), 0, SCREEN_MAX - 1, i ? &sc->y : &sc->x))
            return -1;
    }
    sc->button = "left";
    if ((v = ymap_get(p, "button"))) {
        char *b;
        if (yget_string(v, "'button'", &b))
            return -1;
        sc->button = NULL;
        for (int i = 0; i < 3; i++)
            if (!strcmp(b, buttons[i]))
                sc->button = buttons[i];
        if (!sc->button) {
            diag_error(&v->mark, "unknown button %s (expected left, right or middle)%s", ykind_name(v),
                       suggest(b, buttons, 3));
            return -1;
        }
    }
    c->label = xasprintf("click %lld,%lld %s", (long long)sc->x, (long long)sc->y, sc->button);
    return 0;
}

const struct check_type check_types[] = {
    {"serial", serial_keys, 3, parse_serial, run_serial, false},
    {"shell", shell_keys, 4, parse_shell, run_shell, false},
    {"exit", exit_keys, 3, parse_exit, run_exit, false},
    {"http", http_keys, 9, parse_http, run_http, false},
    {"screen", screen_keys, 5, parse_screen, run_screen, true},
    {"screenshot", screenshot_keys, 3, parse_screenshot, run_screenshot, true},
    {"pixels", pixels_keys, 3, parse_pixels, run_pixels, true},
    {"key", key_keys, 3, parse_key, run_key_chord, true},
    {"type", type_keys, 3, parse_type, run_type, true},
    {"click", click_keys, 3, parse_click, run_click, true},
};
const size_t check_type_count = sizeof check_types / sizeof check_types[0];

int check_parse(const struct ynode *n, struct check *c)
{
    int errs0 = diag_errors;
    memset(c, 0, sizeof *c);
    c->mark = n->mark;
    c->timeout_ns = DEFAULT_TIMEOUT_NS;
    if (n->kind != Y_MAP) {
        diag_error(&n->mark, "expected a check (a mapping like 'serial: REGEX'), found %s", ykind_name(n));
        return -1;
    }
    const struct check_type *type = NULL;
    for (size_t i = 0; i < check_type_count; i++) {
        if (!ymap_get(n, check_types[i].key))
            continue;
        if (type) {
            diag_error(&ymap_pair(n, check_types[i].key)->key->mark,
                       "a check has one kind, found both '%s' and '%s'", type->key, check_types[i].key);
            return -1;
        }
        type = &check_types[i];
    }
    if (!type) {
        /* Suggest among every key any check kind accepts. */
        const char *all[32];
        size_t na = 0;
        for (size_t i = 0; i < check_type_count; i++)
            all[na++] = check_types[i].key;
        for (size_t i = 0; i < check_type_count; i++)
            for (size_t j = 1; j < check_types[i].nkeys && na < 32; j++) {
                bool dup = false;
                for (size_t k = 0; k < na; k++)
                    dup |= !strcmp(all[k], check_types[i].keys[j]);
                if (!dup)
                    all[na++] = check_types[i].keys[j];
            }
        if (ymap_check_keys(n, all, na, "in test check") == 0)
            diag_error(&n->mark, "expected a check kind: 'serial', 'shell', 'exit', 'http', 'screen', "
                                 "'screenshot', 'pixels', 'key', 'type' or 'click'");
        return -1;
    }
    c->type = type;
    if (ymap_check_keys(n, type->keys, type->nkeys, xasprintf("in '%s' check", type->key)))
        return -1;
    const struct ynode *v;
    if ((v = ymap_get(n, "timeout"))) {
        if (yget_duration(v, "'timeout'", &c->timeout_ns))
            return -1;
        if (c->timeout_ns == 0 || c->timeout_ns > 3600000000000ULL) {
            diag_error(&v->mark, "'timeout' must be between 1ns and 1h, found %s", ykind_name(v));
            return -1;
        }
    }
    char *name = NULL;
    if ((v = ymap_get(n, "name")) && yget_string(v, "'name'", &name))
        return -1;
    if (type->parse(n, c))
        return -1;
    if (name)
        c->label = name;
    return diag_errors - errs0 ? -1 : 0;
}
