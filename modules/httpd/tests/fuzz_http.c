/*
 * fuzz_http.c - libFuzzer target for the HTTP request parser.
 *
 *   clang -fsanitize=fuzzer,address,undefined fuzz_http.c ../http_parser.c
 *   (or link with replay.c under gcc to run a corpus / random mutations)
 *
 * For every input and for two limit sets (defaults, and tiny limits that
 * make 413/414/431 reachable) the input is parsed whole, one byte at a time,
 * in random pieces and with a pause after every request; all runs must give
 * the same verdict, offsets, request count and event trace.  ASan/UBSan catch
 * memory errors; abort() reports a property violation.
 */
#include "http_trace.h"

static void fail(const char *what, const uint8_t *data, size_t len, const struct run_result *a,
                 const struct run_result *b)
{
    fprintf(
        stderr,
        "fuzz_http: %s: %s@%zu consumed=%zu msgs=%u vs %s@%zu consumed=%zu msgs=%u (input %zu bytes)\n",
        what, http_error_name(a->error), a->error_offset, a->consumed, a->messages,
        http_error_name(b->error), b->error_offset, b->consumed, b->messages, len);
    (void)data;
    abort();
}

static void check_run(const struct http_limits *lim, const uint8_t *data, size_t len)
{
    struct trace tw = { 0 }, tb = { 0 }, tr = { 0 }, tp = { 0 };
    struct run_result w, b, r, pz;
    struct rnd_steps rs = { 0x9e3779b97f4a7c15ULL, 7 };
    size_t i;

    for (i = 0; i < len; i++)
        rs.state = (rs.state ^ data[i]) * 0x100000001b3ULL;
    rs.max = 1 + (size_t)(rs.state % 16);
    tp.pause_on_done = 1;

    w = run_split(lim, data, len, NULL, NULL, &tw);
    b = run_split(lim, data, len, step_one, NULL, &tb);
    r = run_split(lim, data, len, step_random, &rs, &tr);
    pz = run_split(lim, data, len, NULL, NULL, &tp);

    if (w.short_consume || b.short_consume || r.short_consume || pz.short_consume)
        fail("http_parse returned early without error/pause/upgrade", data, len, &w, &b);
    if (w.error == HTTP_OK && w.consumed != len)
        fail("OK but input not consumed", data, len, &w, &w);
    if (w.consumed > len || (w.error >= HTTP_ERR_FIRST && w.error_offset >= len))
        fail("offset out of range", data, len, &w, &w);
    if (w.error >= HTTP_ERR_FIRST && !http_error_status(w.error))
        fail("error without status", data, len, &w, &w);
    if (w.error != b.error || w.error_offset != b.error_offset || w.consumed != b.consumed ||
        w.messages != b.messages)
        fail("whole vs byte-wise", data, len, &w, &b);
    if (w.error != r.error || w.error_offset != r.error_offset || w.consumed != r.consumed ||
        w.messages != r.messages)
        fail("whole vs random pieces", data, len, &w, &r);
    if (w.error != pz.error || w.error_offset != pz.error_offset || w.consumed != pz.consumed ||
        w.messages != pz.messages)
        fail("whole vs pausing", data, len, &w, &pz);
    if (tw.len != tb.len || (tw.len && memcmp(tw.s, tb.s, tw.len)))
        fail("trace whole vs byte-wise", data, len, &w, &b);
    if (tw.len != tr.len || (tw.len && memcmp(tw.s, tr.s, tw.len)))
        fail("trace whole vs random pieces", data, len, &w, &r);
    if (tw.len != tp.len || (tw.len && memcmp(tw.s, tp.s, tw.len)))
        fail("trace whole vs pausing", data, len, &w, &pz);
    if (tw.messages_seen != w.messages)
        fail("message callbacks != messages", data, len, &w, &w);
    free(tw.s);
    free(tb.s);
    free(tr.s);
    free(tp.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    static const struct http_limits tiny = {
        .max_request_line = 40,
        .max_header_bytes = 120,
        .max_headers = 4,
        .max_body = 64,
        .max_chunk_ext = 16,
        .options = HTTP_OPT_ONLY_CHUNKED,
    };
    static const struct http_limits huge = { .max_body = UINT64_MAX };

    if (len > 1 << 16)
        return 0;
    check_run(NULL, data, len);
    check_run(&tiny, data, len);
    check_run(&huge, data, len);
    return 0;
}
