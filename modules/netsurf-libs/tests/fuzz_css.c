/*
 * libFuzzer target of libcss's stylesheet parser, as this image compiles
 * it (netsurf-libs' third_party: entry): what NetSurf runs on every
 * stylesheet and style="" attribute a page brings. The first byte picks
 * the chunk size, inline-style or sheet, quirks and the charset; the rest
 * is the CSS. Beyond ASan/UBSan it checks that a finished sheet reports a
 * size and that every import it says is pending can be registered.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libcss/libcss.h>
#include <libwapcaplet/libwapcaplet.h>

/* url() values resolve to themselves, as a base-less page's would */
static css_error resolve(void *pw, const char *base, lwc_string *rel, lwc_string **abs)
{
    (void)pw, (void)base;
    *abs = lwc_string_ref(rel);
    return CSS_OK;
}

static const char *const charsets[] = {NULL, "UTF-8", "ISO-8859-1", "UTF-16"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    data++, size--;
    size_t chunk = (mode & 3) ? (size_t)1 << ((mode & 3) * 3) : size;   /* 8, 64, 512 or whole */
    css_stylesheet_params params = {
        .params_version = CSS_STYLESHEET_PARAMS_VERSION_1,
        .level = CSS_LEVEL_DEFAULT,
        .charset = charsets[(mode >> 4) & 3],
        .url = "http://fuzz.example/style.css",
        .title = NULL,
        .allow_quirks = (mode & 4) != 0,
        .inline_style = (mode & 8) != 0,
        .resolve = resolve,
    };
    css_stylesheet *sheet;
    if (css_stylesheet_create(&params, &sheet) != CSS_OK)
        return 0;
    css_error e = CSS_OK;
    for (size_t off = 0; off < size && (e == CSS_OK || e == CSS_NEEDDATA); off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        e = css_stylesheet_append_data(sheet, data + off, n);
    }
    if (e == CSS_OK || e == CSS_NEEDDATA)
        e = css_stylesheet_data_done(sheet);
    /* each @import gets an empty sheet, as a fetch that found nothing would
     * give; the parent does not own them */
    css_stylesheet *imports[64];
    int nimports = 0;
    if (e == CSS_IMPORTS_PENDING) {
        lwc_string *url;
        while (nimports < 64 && css_stylesheet_next_pending_import(sheet, &url) == CSS_OK) {
            if (!url)
                abort();
            lwc_string_unref(url);
            css_stylesheet_params child = params;
            child.inline_style = false;
            css_stylesheet *c;
            if (css_stylesheet_create(&child, &c) != CSS_OK)
                break;
            imports[nimports++] = c;
            css_stylesheet_data_done(c);
            if (css_stylesheet_register_import(sheet, c) != CSS_OK)
                abort();                 /* it just said this import was pending */
        }
    }
    size_t bytes = 0;
    if ((e == CSS_OK || e == CSS_IMPORTS_PENDING) && css_stylesheet_size(sheet, &bytes) != CSS_OK)
        abort();
    css_stylesheet_destroy(sheet);
    while (nimports)
        css_stylesheet_destroy(imports[--nimports]);
    return 0;
}
