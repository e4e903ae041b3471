/*
 * libFuzzer harness of the template expander and the JSON finder: the
 * first line of the input is a template, the rest a step's answer. Any
 * input must expand or fail cleanly (ASan/UBSan watch), and what a
 * template without |raw makes of JSON pieces must itself be JSON when the
 * template's text around them is (here: the template is one placeholder).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <anx/errno.h>
#include "pipelines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t tl = nl ? (size_t)(nl - s) : size;
    const char *body = nl ? nl + 1 : s + size;
    size_t bl = size - (size_t)(body - s);
    struct pl_value v[] = { { "input", body, bl }, { "step", body, bl } };
    struct anx_buf out = { 0 };
    char err[160];
    int e = pl_template_expand(s, tl, v, 2, &out, err, sizeof err);
    if (e && !err[0] && e != ANX_ENOMEM)
        abort();
    /* one placeholder without |raw always gives one JSON value */
    size_t pos = 0;
    struct pl_ref r;
    if (!e && pl_template_next(s, tl, &pos, &r, err, sizeof err) == 1 && r.start == 0 &&
        r.end == tl && !r.raw) {
        const char *f;
        size_t fl;
        if (pl_json_find(out.p ? out.p : "", out.len, "", 0, &f, &fl) != 0 || fl != out.len)
            abort();
    }
    anx_buf_free(&out);
    const char *f;
    size_t fl;
    if (pl_json_find(body, bl, s, tl, &f, &fl) == 0 && (f < body || f + fl > body + bl))
        abort();
    return 0;
}
