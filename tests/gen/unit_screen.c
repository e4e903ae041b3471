/* The pure logic of the screen and input checks (gen/screen.c): regions,
 * comparison with the per-channel slack and the tolerance, the diff image,
 * color counts, key names, type: text to US-layout keys, click scaling. */
#include "anx.h"
#include "unit.h"

static void fill(struct image *img, unsigned char r, unsigned char g, unsigned char b)
{
    for (size_t i = 0; i < (size_t)img->w * img->h; i++) {
        img->px[i * 3] = r;
        img->px[i * 3 + 1] = g;
        img->px[i * 3 + 2] = b;
    }
}

static unsigned char *at(struct image *img, int x, int y)
{
    return img->px + ((size_t)y * img->w + x) * 3;
}

static bool chord_is(const struct keypress *k, const char *a, const char *b, const char *c)
{
    const char *want[3] = {a, b, c};
    int n = !!a + !!b + !!c;
    if (k->n != n)
        return false;
    for (int i = 0; i < n; i++)
        if (strcmp(k->q[i], want[i]))
            return false;
    return true;
}

int main(void)
{
    char why[512];
    struct region r;

    /* regions */
    CHECK(region_resolve(&(struct region){0}, 640, 480, &r, why, sizeof why) == 0);
    CHECK(r.x == 0 && r.y == 0 && r.w == 640 && r.h == 480);
    CHECK(region_resolve(&(struct region){600, 400, 40, 80, true}, 640, 480, &r, why, sizeof why) == 0);
    CHECK(region_resolve(&(struct region){601, 400, 40, 80, true}, 640, 480, &r, why, sizeof why) == -1);
    CHECK_STR(why, "the region {x: 601, y: 400, w: 40, h: 80} does not fit the 640x480 screen");

    /* comparison: a channel may be off by SCREEN_CHANNEL_SLACK (8), not 9 */
    struct image a, b, d;
    image_alloc(&a, 4, 3);
    image_alloc(&b, 4, 3);
    fill(&a, 100, 100, 100);
    fill(&b, 100, 100, 100);
    struct region all = {0, 0, 4, 3, false};
    CHECK(image_diff(&a, &all, &b, NULL) == 0);
    at(&b, 1, 1)[2] = 108;
    CHECK(image_diff(&a, &all, &b, NULL) == 0);
    at(&b, 1, 1)[2] = 109;
    at(&b, 3, 2)[0] = 91;
    CHECK(image_diff(&a, &all, &b, &d) == 2);
    /* the diff image: differing pixels red, the rest a dimmed copy of a */
    CHECK(d.w == 4 && d.h == 3);
    CHECK(at(&d, 1, 1)[0] == 255 && at(&d, 1, 1)[1] == 0 && at(&d, 1, 1)[2] == 0);
    CHECK(at(&d, 3, 2)[0] == 255);
    CHECK(at(&d, 0, 0)[0] == 33 && at(&d, 0, 0)[1] == 33);
    image_free(&d);

    /* a region against a reference of the region's size, and of the screen's */
    struct region right = {2, 1, 2, 2, true};
    struct image small;
    image_crop(&b, &right, &small);
    CHECK(small.w == 2 && small.h == 2);
    CHECK(image_diff(&b, &right, &small, NULL) == 0);   /* b against its own crop */
    CHECK(image_diff(&a, &right, &small, NULL) == 1);   /* (3,2) differs; (1,1) is outside */
    CHECK(image_diff(&a, &right, &b, NULL) == 1);       /* the same region of a screen-sized reference */
    image_free(&small);

    /* tolerance: a fraction of the pixels, rounded down */
    CHECK(tolerance_allows(0, 1000000) == 0);
    CHECK(tolerance_allows(0.005, 1000) == 5);
    CHECK(tolerance_allows(0.005, 999) == 4);
    CHECK(tolerance_allows(1, 12) == 12);
    double t;
    CHECK(parse_percent("0.5%", &t) == 0 && t > 0.00499 && t < 0.00501);
    CHECK(parse_percent("100%", &t) == 0 && t == 1);
    CHECK(parse_percent("0%", &t) == 0 && t == 0);
    CHECK(parse_percent("0.5", &t) == -1);
    CHECK(parse_percent("101%", &t) == -1);
    CHECK(parse_percent("-1%", &t) == -1);
    CHECK(parse_percent("%", &t) == -1);
    CHECK(parse_percent("1e1%", &t) == -1);
    CHECK(parse_percent("1.2.3%", &t) == -1);
    CHECK(parse_percent(".5%", &t) == 0 && t > 0.00499 && t < 0.00501);
    CHECK(parse_percent("nan%", &t) == -1);
    CHECK(parse_percent("5 %", &t) == -1);

    /* exact color counts, in a region */
    const unsigned char grey[3] = {100, 100, 100};
    CHECK(image_count_color(&a, &all, grey) == 12);
    CHECK(image_count_color(&b, &all, grey) == 10);
    CHECK(image_count_color(&b, &right, grey) == 3);

    /* key chords */
    struct keypress k;
    CHECK(key_chord_parse("ctrl-alt-f2", &k, why, sizeof why) == 0 && chord_is(&k, "ctrl", "alt", "f2"));
    CHECK(key_chord_parse("Ctrl-Alt-Delete", &k, why, sizeof why) == 0 && chord_is(&k, "ctrl", "alt", "delete"));
    CHECK(key_chord_parse("enter", &k, why, sizeof why) == 0 && chord_is(&k, "ret", NULL, NULL));
    CHECK(key_chord_parse("shift-tab", &k, why, sizeof why) == 0 && chord_is(&k, "shift", "tab", NULL));
    CHECK(key_chord_parse("esc", &k, why, sizeof why) == 0 && chord_is(&k, "esc", NULL, NULL));
    CHECK(key_chord_parse("ctrl-alt-f13", &k, why, sizeof why) == -1);
    CHECK(strstr(why, "unknown key name 'f13' (keys are QEMU's qcodes") && strstr(why, "(did you mean 'f1'?)"));
    CHECK(key_chord_parse("f2-ctrl", &k, why, sizeof why) == -1);
    CHECK(strstr(why, "'f2' in 'f2-ctrl' is not a modifier") != NULL);
    CHECK(key_chord_parse("ctrl--x", &k, why, sizeof why) == -1);
    CHECK(strstr(why, "the - key is 'minus'") != NULL);
    CHECK(key_chord_parse("ctrl-ctrl", &k, why, sizeof why) == -1);
    CHECK_STR(why, "key 'ctrl' appears twice in 'ctrl-ctrl'");
    CHECK(key_chord_parse("ctrl-alt-shift-meta-x", &k, why, sizeof why) == -1);
    CHECK(key_chord_parse("", &k, why, sizeof why) == -1);

    /* type: text to US-layout keys */
    CHECK(key_for_char('a', &k) == 0 && chord_is(&k, "a", NULL, NULL));
    CHECK(key_for_char('Z', &k) == 0 && chord_is(&k, "shift", "z", NULL));
    CHECK(key_for_char('7', &k) == 0 && chord_is(&k, "7", NULL, NULL));
    CHECK(key_for_char('!', &k) == 0 && chord_is(&k, "shift", "1", NULL));
    CHECK(key_for_char(')', &k) == 0 && chord_is(&k, "shift", "0", NULL));
    CHECK(key_for_char('_', &k) == 0 && chord_is(&k, "shift", "minus", NULL));
    CHECK(key_for_char('"', &k) == 0 && chord_is(&k, "shift", "apostrophe", NULL));
    CHECK(key_for_char('~', &k) == 0 && chord_is(&k, "shift", "grave_accent", NULL));
    CHECK(key_for_char('|', &k) == 0 && chord_is(&k, "shift", "backslash", NULL));
    CHECK(key_for_char('/', &k) == 0 && chord_is(&k, "slash", NULL, NULL));
    CHECK(key_for_char(' ', &k) == 0 && chord_is(&k, "spc", NULL, NULL));
    CHECK(key_for_char('\n', &k) == 0 && chord_is(&k, "ret", NULL, NULL));
    CHECK(key_for_char('\t', &k) == 0 && chord_is(&k, "tab", NULL, NULL));
    CHECK(key_for_char(0xe9, &k) == -1);   /* é */
    CHECK(key_for_char('\r', &k) == -1);
    CHECK(key_for_char(0x7f, &k) == -1);
    CHECK(key_for_char(0, &k) == -1);
    /* every printable ASCII character has a key, and each key's qcode is a
     * name key: accepts */
    for (int c = 32; c < 127; c++) {
        CHECK(key_for_char((unsigned char)c, &k) == 0);
        struct keypress again;
        CHECK(key_chord_parse(k.q[k.n - 1], &again, why, sizeof why) == 0);
    }

    /* click scaling: as QEMU's windows, p * 0x7fff / size; a guest scaling
     * back with round(v * size / 0x7fff) (core/input.c) lands on the same pixel */
    CHECK(abs_axis_value(0, 1280) == 0);
    CHECK(abs_axis_value(640, 1280) == 0x3fff);
    CHECK(abs_axis_value(1279, 1280) == 1279 * 0x7fff / 1280);
    CHECK(abs_axis_value(5000, 1280) == 1279 * 0x7fff / 1280);   /* clamped to the last pixel */
    for (int size = 2; size <= 2048; size += 7)
        for (int p = 0; p < size; p++) {
            int v = abs_axis_value(p, size);
            if (v < 0 || v > 0x7fff || (int)(((long)v * size + 0x7fff / 2) / 0x7fff) != p) {
                CHECK(!"abs_axis_value inverse");
                fprintf(stderr, "size %d pixel %d -> %d\n", size, p, v);
                size = 4096;
                break;
            }
        }

    image_free(&a);
    image_free(&b);
    return UNIT_END();
}
