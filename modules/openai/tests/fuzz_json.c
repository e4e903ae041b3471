/*
 * libFuzzer harness of the JSON parser and the request parsers (completions,
 * chat, embeddings): any input
 * must parse or fail cleanly (ASan/UBSan watch); a parsed document's
 * strings must write back as JSON that parses to the same bytes (modulo
 * U+FFFD, which cannot occur: parsed strings are valid UTF-8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "embeddings.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_doc d;
    struct json_error e;
    if (oa_json_parse(&d, (const char *)data, size, &e) == 0) {
        for (int i = 0; i < d.n; i++) {
            const struct json_value *v = &d.v[i];
            if (v->type != JSON_STRING)
                continue;
            struct anx_buf b = { 0 };
            rt_json_str(&b, v->str, v->len);
            struct json_doc d2;
            struct json_error e2;
            if (oa_json_parse(&d2, b.p, b.len, &e2) != 0 || d2.v[0].type != JSON_STRING ||
                d2.v[0].len != v->len || memcmp(d2.v[0].str, v->str, v->len) != 0)
                abort();
            oa_json_free(&d2);
            anx_buf_free(&b);
        }
    } else if (e.offset > size || !e.msg[0]) {
        abort();
    }
    oa_json_free(&d);
    for (int k = 0; k < 2; k++) {
        struct oa_request rq;
        struct oa_error oe;
        int r = oa_parse_request(k ? OA_CHAT : OA_COMPLETION, (const char *)data, size, &rq, &oe);
        if (r < 0 && (oe.status < 400 || !oe.message[0]))
            abort();
        if (r == 0 && (!rq.prompt || rq.n_stop > OA_MAX_STOP + 1))
            abort();
        oa_request_free(&rq);
    }
    struct oa_embed_request er;
    struct oa_error ee;
    int r = oa_embed_parse((const char *)data, size, &er, &ee);
    if (r < 0 && (ee.status < 400 || !ee.message[0]))
        abort();
    if (r == 0) {
        if (er.n < 1 || er.n > OA_EMBED_MAX_INPUTS)
            abort();
        for (int i = 0; i < er.n; i++)
            if (!er.in[i].text == !er.in[i].ids || (er.in[i].ids && er.in[i].n_ids < 1))
                abort();
    }
    oa_embed_request_free(&er);
    size_t p = oa_utf8_complete_prefix((const char *)data, size);
    if (p > size || size - p > 3)
        abort();
    return 0;
}
