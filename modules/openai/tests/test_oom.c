/*
 * Out of memory is the server's state, never the request's fault: on the
 * core's own heap (platform: unit), kept small, a request too large for the
 * memory left must come back 503 "out_of_memory" (it used to be a 400 "could
 * not parse the JSON body" or a 500), and a prompt whose tokenizing runs out
 * of memory must say ANX_ENOMEM, not "does not fit the context" (-1), which
 * the API answers with 400 context_length_exceeded.
 */
#define UNIT_FILE "openai-oom"
#include "unit.h"
#include <stdio.h>
#include <string.h>
#include "api.h"
#include "json.h"

#define HEAP (2u << 20)

/* tests/unit's simulated platform has no CPU features; the tensor engine
 * linked here (never run) asks for them: the scalar kernels are enough. */
bool plat_cpu_has(const char *feature)
{
    (void)feature;
    return false;
}

/* The test's own big buffers, outside the heap under test (malloc here is
 * the core's, on that heap). */
static char body[HEAP + 8192], text[HEAP / 4 + 1];

/* A completion body whose prompt is `n` bytes of 'a' (n <= HEAP + 4096). */
static char *body_with_prompt(size_t n, size_t *len)
{
    static const char head[] = "{\"prompt\": \"", tail[] = "\", \"max_tokens\": 4}";
    char *b = body;
    memcpy(b, head, sizeof(head) - 1);
    memset(b + sizeof(head) - 1, 'a', n);
    memcpy(b + sizeof(head) - 1 + n, tail, sizeof(tail));
    *len = strlen(b);
    return b;
}

TEST(a_request_larger_than_the_heap_is_503)
{
    size_t len;
    char *b = body_with_prompt(HEAP + 4096, &len);
    struct oa_request rq;
    struct oa_error e;
    CHECK(oa_parse_request(OA_COMPLETION, b, len, &rq, &e) < 0);
    CHECK_EQ(e.status, 503);
    CHECK_STR(e.type, "server_error");
    CHECK(e.code && !strcmp(e.code, "out_of_memory"));
    CHECK(strstr(e.message, "out of memory") != NULL);
    oa_request_free(&rq);
    /* the same request, smaller, parses: the heap is whole again */
    b = body_with_prompt(1000, &len);
    CHECK(oa_parse_request(OA_COMPLETION, b, len, &rq, &e) == 0);
    CHECK(rq.prompt && strlen(rq.prompt) == 1000);
    oa_request_free(&rq);
}

TEST(a_json_parse_out_of_memory_says_so)
{
    size_t len;
    char *b = body_with_prompt(HEAP + 4096, &len);
    struct json_doc d;
    struct json_error je;
    CHECK(oa_json_parse(&d, b, len, &je) < 0);
    CHECK(je.oom);
    oa_json_free(&d);
    CHECK(oa_json_parse(&d, "{\"a\": [1, 2", 11, &je) < 0);
    CHECK(!je.oom);                   /* a bad input is not memory */
    oa_json_free(&d);
}

TEST(tokenizing_out_of_memory_is_not_too_long)
{
    /* a GPT-2 vocabulary of the byte symbols for 'a' and ' ' */
    const char *toks[] = {"a", "\xc4\xa0"};
    int lens[] = {1, 2};
    float scores[] = {0, 0};
    struct inf_tokenizer t;
    char err[INF_ERR_MAX];
    CHECK(inf_tokenizer_init(&t, INF_TOK_GPT2, 2, toks, lens, scores, 0, NULL, NULL, -1, -1,
                             err) == 0);
    int ids[16];
    CHECK_EQ(inf_encode(&t, "aaa", false, false, ids, 16), 3);
    CHECK_EQ(inf_encode(&t, "aaaaa", false, false, ids, 4), -1);      /* too many */
    /* its symbol buffers take about ten bytes per byte of text */
    size_t n = HEAP / 4;
    memset(text, 'a', n);
    text[n] = 0;
    CHECK_EQ(inf_encode(&t, text, false, false, ids, 16), ANX_ENOMEM);
    inf_tokenizer_free(&t);
}

int main(void)
{
    unit_heap_init(HEAP);
    RUN(a_request_larger_than_the_heap_is_503);
    RUN(a_json_parse_out_of_memory_says_so);
    RUN(tokenizing_out_of_memory_is_not_too_long);
    return unit_done();
}
