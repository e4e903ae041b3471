/*
 * libFuzzer harness of the tool-call parser and the JSON constraint: any
 * model text must parse or be left as content cleanly (ASan/UBSan watch);
 * every call found has a valid name and arguments that parse as a JSON
 * object; and the state machine, fed the input byte by byte (refused bytes
 * skipped), then closed, always gives a document the strict parser takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "json_constrain.h"
#include "tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct oa_tool_calls tc;
    int n = oa_tool_calls_parse((const char *)data, size, &tc);
    if (n < 0 || n > OA_MAX_CALLS)
        abort();
    for (int i = 0; i < n; i++) {
        struct json_doc d;
        struct json_error e;
        if (!oa_tool_name_ok(tc.c[i].name, strlen(tc.c[i].name)) ||
            oa_json_parse(&d, tc.c[i].arguments, strlen(tc.c[i].arguments), &e) != 0 ||
            d.v[0].type != JSON_OBJECT)
            abort();
        oa_json_free(&d);
    }
    if (tc.content && (!tc.content[0] || strlen(tc.content) > size))
        abort();
    oa_tool_calls_free(&tc);

    struct oa_jsm m;
    oa_jsm_init(&m);
    char doc[4096 + OA_JSM_CLOSE_MAX + 1];
    size_t len = 0;
    for (size_t i = 0; i < size && !oa_jsm_done(&m); i++)
        if (oa_jsm_feed(&m, data[i]))
            doc[len++] = (char)data[i];
    len += oa_jsm_close(&m, doc + len, sizeof(doc) - len);
    struct json_doc d;
    struct json_error e;
    if (oa_json_parse(&d, doc, len, &e) != 0 || d.v[0].type != JSON_OBJECT) {
        fprintf(stderr, "not JSON: %.*s (%s)\n", (int)len, doc, e.msg);
        abort();
    }
    oa_json_free(&d);
    return 0;
}
