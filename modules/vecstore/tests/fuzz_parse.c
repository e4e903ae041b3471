/*
 * libFuzzer harness of the parsers of untrusted bytes (record.h: objects;
 * req.h: HTTP bodies): any input parses or fails with a message, never a
 * crash (ASan/UBSan watch); a parsed record re-encodes to bytes that parse
 * to the same facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index.h"
#include "lexical.h"
#include "record.h"
#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vec_record r;
    char err[120] = "";
    if (vec_record_parse(data, size, &r, err, sizeof(err)) == 0) {
        float *v = malloc((size_t)r.dim * sizeof(float));
        vec_record_vector(&r, v);
        struct anx_buf b = {0};
        vec_record_encode(&b, &r, v, r.text, r.text_len);
        struct vec_record r2;
        if (vec_record_parse(b.p, b.len, &r2, err, sizeof(err)) != 0 || r2.dim != r.dim ||
            r2.text_len != r.text_len || strcmp(r2.source, r.source) || r2.version != r.version)
            abort();
        anx_buf_free(&b);
        free(v);
    } else if (!err[0]) {
        abort();
    }
    struct vec_req q;
    err[0] = 0;
    int rc = vec_req_parse((const char *)data, size, &q, err, sizeof(err));
    if (rc < 0 && !err[0])
        abort();
    if (rc == 0 && q.vector && (q.dim < 1 || q.dim > VEC_DIM_MAX))
        abort();
    vec_req_free(&q);
    /* The input as a document's passage and as a question (BM25): the
     * statistics come back to nothing when it is removed. */
    struct vec_lex lx = {0};
    struct vec_lex_doc *d, *d2;
    if (vec_lex_add(&lx, (const char *)data, size, &d) == 0 &&
        vec_lex_add(&lx, (const char *)data, size / 2, &d2) == 0) {
        char *text = malloc(size + 1);
        memcpy(text, data, size);
        text[size] = 0;
        struct vec_lex_query lq;
        vec_lex_query_init(&lx, text, &lq);
        float s = vec_lex_score(&lx, &lq, d);
        if (s != s || s < 0)
            abort();
        vec_lex_remove(&lx, d);
        vec_lex_remove(&lx, d2);
        if (lx.docs || lx.total_len || lx.nterms)
            abort();
        free(text);
    }
    vec_lex_free(&lx);
    return 0;
}
