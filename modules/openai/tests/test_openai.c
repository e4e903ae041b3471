/*
 * Host tests of the openai module: the JSON parser and writer, request
 * parsing and validation, the chat template, the answers' JSON and SSE,
 * and (with STORIES_BIN/STORIES_TOK set) the generation driver on the real
 * stories260K model. Prints "ok ..." / "FAIL ..." lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "json.h"
#include "oa_test.h"

/* The answers are built in the core's struct anx_buf (core/lib/buf.c, in
 * the core the host build links). */

/* ---- JSON ---------------------------------------------------------------------------------- */

static int parses(const char *s) { struct json_doc d; struct json_error e; int r = oa_json_parse(&d, s, strlen(s), &e); oa_json_free(&d); return r == 0; }

static void bad_json(const char *s, size_t len, size_t off, const char *msg)
{
    struct json_doc d;
    struct json_error e;
    int r = oa_json_parse(&d, s, len, &e);
    oa_json_free(&d);
    check(r < 0 && e.offset == off && strstr(e.msg, msg), "json: refuses %.30s... at %zu (%s) -> %zu %s",
          s, off, msg, e.offset, e.msg);
}

static void test_json(void)
{
    struct json_doc d;
    struct json_error e;
    const char *doc = " {\"a\": [1, -0, 2.5e3, 1E-2, true, false, null], \"b\": {\"c\": \"x\\n\\u00e9\\ud83d\\ude00\\\"\\\\\\/\"},"
                      " \"a\": 7, \"big\": 123456789012345678901234, \"tiny\": 0.000001} ";
    int r = oa_json_parse(&d, doc, strlen(doc), &e);
    check(r == 0 && d.v[0].type == JSON_OBJECT && d.v[0].count == 5, "json: parses a nested document");
    if (r == 0) {
        const struct json_value *a = oa_json_get(&d, &d.v[0], "a");
        check(a && a->type == JSON_NUMBER && a->num == 7, "json: a repeated key gives the last value");
        const struct json_value *arr = oa_json_at(&d, d.v[0].first);
        check(arr->type == JSON_ARRAY && arr->count == 7, "json: array of 7 values");
        const struct json_value *x = oa_json_at(&d, arr->first);
        double want[] = { 1, 0, 2500, 0.01 };
        int ok = 1;
        for (int i = 0; i < 4; i++, x = oa_json_at(&d, x->next))
            ok &= x->type == JSON_NUMBER && x->num == want[i];
        check(ok, "json: numbers 1, -0, 2.5e3, 1E-2");
        ok = x->type == JSON_TRUE && oa_json_at(&d, x->next)->type == JSON_FALSE &&
             oa_json_at(&d, oa_json_at(&d, x->next)->next)->type == JSON_NULL;
        check(ok, "json: true false null");
        const struct json_value *c = oa_json_get(&d, oa_json_get(&d, &d.v[0], "b"), "c");
        const char want_c[] = "x\n\xc3\xa9\xf0\x9f\x98\x80\"\\/";
        check(c && c->len == sizeof(want_c) - 1 && !memcmp(c->str, want_c, c->len) && c->str[c->len] == 0,
              "json: escapes, \\u00e9 and a surrogate pair decode to UTF-8");
        const struct json_value *big = oa_json_get(&d, &d.v[0], "big");
        check(big && big->num > 1.2345678901e23 && big->num < 1.2345678902e23, "json: a 24-digit number");
        const struct json_value *tiny = oa_json_get(&d, &d.v[0], "tiny");
        check(tiny && tiny->num > 0.99e-6 && tiny->num < 1.01e-6, "json: 0.000001");
        check(oa_json_get(&d, &d.v[0], "zz") == NULL, "json: a missing key is NULL");
    }
    oa_json_free(&d);
    const char nul[] = "\"a\\u0000b\"";
    r = oa_json_parse(&d, nul, strlen(nul), &e);
    check(r == 0 && d.v[0].len == 3 && d.v[0].str[1] == 0, "json: \\u0000 is kept inside the length");
    oa_json_free(&d);

    bad_json("", 0, 0, "unexpected end");
    bad_json("{,}", 3, 1, "expected a string key");
    bad_json("[1,]", 4, 3, "expected a JSON value");
    bad_json("{\"a\":1,}", 8, 7, "expected a string key");
    bad_json("01", 2, 1, "leading zero");
    bad_json("1.", 2, 2, "after '.'");
    bad_json("1e", 2, 2, "exponent");
    bad_json("-", 1, 1, "expected a digit");
    bad_json("+1", 2, 0, "unexpected character");
    bad_json("tru", 3, 0, "invalid literal");
    bad_json("NaN", 3, 0, "unexpected character");
    bad_json("{} x", 4, 3, "after the JSON value");
    bad_json("[1 2]", 5, 3, "expected ',' or ']'");
    bad_json("{\"a\" 1}", 7, 5, "expected ':'");
    bad_json("\"abc", 4, 0, "unterminated string");
    bad_json("\"a\tb\"", 5, 2, "control character");
    bad_json("\"\\x\"", 4, 1, "invalid escape");
    bad_json("\"\\u12G4\"", 8, 1, "4 hex digits");
    bad_json("\"\\ud800\"", 8, 1, "high surrogate");
    bad_json("\"\\ud800\\u0041\"", 14, 1, "high surrogate");
    bad_json("\"\\udc00\"", 8, 1, "lone low surrogate");
    bad_json("\"\xff\"", 3, 1, "invalid UTF-8");
    bad_json("\"\xc0\xaf\"", 4, 1, "invalid UTF-8");
    bad_json("\"\xed\xa0\x80\"", 5, 1, "invalid UTF-8");     /* an encoded surrogate */
    bad_json("\"\xe2\x82\"", 4, 1, "invalid UTF-8");         /* truncated */
    bad_json("1e999", 5, 0, "out of range");
    bad_json("// c\n1", 6, 0, "unexpected character");
    bad_json("[1,]", 4, 3, "");
    char deep[200];
    memset(deep, '[', 64);
    memset(deep + 64, ']', 64);
    deep[128] = 0;
    check(parses(deep), "json: 64 levels of nesting parse");
    memset(deep, '[', 65);
    memset(deep + 65, ']', 65);
    deep[130] = 0;
    bad_json(deep, 130, 64, "nesting too deep");
    check(parses("1e-400") && parses("-0.0e+0") && parses("\"\xf4\x8f\xbf\xbf\"") && parses(" [ ] "),
          "json: edge numbers, U+10FFFF, an empty array");

    /* writer */
    struct anx_buf b = { 0 };
    const char in[] = "a\"b\\c\n\t\x01\x7f\xc3\xa9\xff z";
    rt_json_str(&b, in, sizeof(in) - 1);
    check(b.p && !strcmp(b.p, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd z\""),
          "json: writer escapes quotes, controls, keeps UTF-8, invalid byte -> U+FFFD: %s", b.p);
    r = oa_json_parse(&d, b.p, b.len, &e);
    check(r == 0 && d.v[0].type == JSON_STRING && d.v[0].len == sizeof(in) - 1 + 2 &&
          !memcmp(d.v[0].str, "a\"b\\c\n\t\x01\x7f\xc3\xa9", 11), "json: the written string parses back");
    oa_json_free(&d);
    anx_buf_free(&b);

    /* streaming boundaries */
    check(oa_utf8_complete_prefix("ab", 2) == 2, "utf8: ascii complete");
    check(oa_utf8_complete_prefix("a\xc3", 2) == 1, "utf8: a lead byte is held back");
    check(oa_utf8_complete_prefix("a\xe2\x82", 3) == 1, "utf8: two of three bytes held back");
    check(oa_utf8_complete_prefix("a\xe2\x82\xac", 4) == 4, "utf8: a complete euro sign");
    check(oa_utf8_complete_prefix("a\xf0\x9f\x98", 4) == 1, "utf8: three of four held back");
    check(oa_utf8_complete_prefix("a\x80", 2) == 2, "utf8: a stray continuation is not held");
}

/* ---- requests ---------------------------------------------------------------------------- */

static int parse(enum oa_kind k, const char *body, struct oa_request *rq, struct oa_error *e)
{
    return oa_parse_request(k, body, strlen(body), rq, e);
}

static void req_bad(enum oa_kind k, const char *body, const char *param, const char *msg)
{
    struct oa_request rq;
    struct oa_error e;
    int r = parse(k, body, &rq, &e);
    oa_request_free(&rq);
    check(r < 0 && e.status == 400 && ((!param && !e.param) || (param && e.param && !strcmp(param, e.param))) &&
          strstr(e.message, msg), "request: %s -> 400 param %s: %s", body, e.param ? e.param : "null", e.message);
}

static void test_requests(void)
{
    struct oa_request rq;
    struct oa_error e;
    int r = parse(OA_COMPLETION, "{}", &rq, &e);
    check(r == 0 && !strcmp(rq.prompt, "") && rq.max_tokens == 16 && rq.temperature == 1.0f &&
          rq.top_p == 1.0f && !rq.stream && rq.n_stop == 0 && !rq.model && !rq.has_seed,
          "request: completion defaults (empty prompt, 16 tokens, T=1)");
    oa_request_free(&rq);
    r = parse(OA_COMPLETION,
              "{\"model\": \"m.bin\", \"prompt\": \"Once\", \"max_tokens\": 40, \"temperature\": 0, "
              "\"top_p\": 0.5, \"seed\": 42, \"stop\": [\"a\", \"\\n\"], \"stream\": true, \"n\": 1, "
              "\"echo\": false, \"stream_options\": {\"include_usage\": true}, \"user\": \"x\", "
              "\"presence_penalty\": 0, \"logprobs\": null}", &rq, &e);
    check(r == 0 && !strcmp(rq.prompt, "Once") && !strcmp(rq.model, "m.bin") && rq.max_tokens == 40 &&
          rq.temperature == 0 && rq.top_p == 0.5f && rq.has_seed && rq.seed == 42 && rq.n_stop == 2 &&
          !strcmp(rq.stop[1], "\n") && rq.stream && rq.include_usage,
          "request: every completion key, unknown keys ignored");
    oa_request_free(&rq);
    r = parse(OA_COMPLETION, "{\"prompt\": [\"x\"], \"stop\": \"END\", \"top_p\": 0}", &rq, &e);
    check(r == 0 && !strcmp(rq.prompt, "x") && rq.n_stop == 1 && rq.temperature == 0,
          "request: a one-string prompt array, a stop string, top_p 0 is greedy");
    oa_request_free(&rq);
    req_bad(OA_COMPLETION, "{\"prompt\": \"x\"", NULL, "could not parse the JSON body");
    req_bad(OA_COMPLETION, "{\"prompt\": \"x\",}", NULL, "at byte 15");
    req_bad(OA_COMPLETION, "[1]", NULL, "must be a JSON object");
    req_bad(OA_COMPLETION, "{\"n\": 2}", "n", "'n' must be 1");
    req_bad(OA_COMPLETION, "{\"echo\": true}", "echo", "'echo' must be false");
    req_bad(OA_COMPLETION, "{\"best_of\": 3}", "best_of", "best_of");
    req_bad(OA_COMPLETION, "{\"temperature\": \"hot\"}", "temperature", "expected a number, but got string");
    req_bad(OA_COMPLETION, "{\"temperature\": 2.5}", "temperature", "between 0 and 2");
    req_bad(OA_COMPLETION, "{\"top_p\": -0.1}", "top_p", "between 0 and 1");
    req_bad(OA_COMPLETION, "{\"max_tokens\": 0}", "max_tokens", "between 1");
    req_bad(OA_COMPLETION, "{\"max_tokens\": 1.5}", "max_tokens", "integer");
    req_bad(OA_COMPLETION, "{\"max_tokens\": \"9\"}", "max_tokens", "expected an integer");
    req_bad(OA_COMPLETION, "{\"seed\": 1.5}", "seed", "integer");
    req_bad(OA_COMPLETION, "{\"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"]}", "stop", "at most 4");
    req_bad(OA_COMPLETION, "{\"stop\": \"\"}", "stop", "must not be empty");
    req_bad(OA_COMPLETION, "{\"stop\": 5}", "stop", "a string or an array");
    req_bad(OA_COMPLETION, "{\"stop\": [5]}", "stop", "a string or an array");
    req_bad(OA_COMPLETION, "{\"stream\": 1}", "stream", "a boolean");
    req_bad(OA_COMPLETION, "{\"stream_options\": {\"include_usage\": true}}", "stream_options", "only allowed");
    req_bad(OA_COMPLETION, "{\"prompt\": [\"a\", \"b\"]}", "prompt", "only one prompt");
    req_bad(OA_COMPLETION, "{\"prompt\": [1, 2]}", "prompt", "only one prompt");
    req_bad(OA_COMPLETION, "{\"prompt\": 7}", "prompt", "expected a string");
    req_bad(OA_COMPLETION, "{\"prompt\": \"a\\u0000b\"}", "prompt", "NUL");
    req_bad(OA_COMPLETION, "{\"model\": 3}", "model", "expected a string");
    req_bad(OA_COMPLETION, "{\"logprobs\": 5}", "logprobs", "logprobs");

    /* the chat template */
    r = parse(OA_CHAT,
              "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
              "{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello.\"}, "
              "{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"Tell \"}, {\"type\": \"text\", \"text\": \"a story\"}]}], "
              "\"max_completion_tokens\": 9, \"stop\": \"x\"}", &rq, &e);
    check(r == 0 && !strcmp(rq.prompt, "Be brief.\n\nUser: Hi\nAssistant: Hello.\nUser: Tell a story\nAssistant:"),
          "chat: the template: %s", r == 0 ? rq.prompt : e.message);
    check(r == 0 && rq.max_tokens == 9 && rq.n_stop == 2 && !strcmp(rq.stop[0], "x") &&
          !strcmp(rq.stop[1], "\nUser:"), "chat: max_completion_tokens; the stop \"\\nUser:\" is added");
    oa_request_free(&rq);
    r = parse(OA_CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}", &rq, &e);
    check(r == 0 && !strcmp(rq.prompt, "User: Hi\nAssistant:") && rq.max_tokens == 0,
          "chat: one user message; no token limit by default");
    oa_request_free(&rq);
    req_bad(OA_CHAT, "{}", "messages", "Missing required parameter");
    req_bad(OA_CHAT, "{\"messages\": []}", "messages", "empty array");
    req_bad(OA_CHAT, "{\"messages\": {}}", "messages", "expected an array");
    req_bad(OA_CHAT, "{\"messages\": [3]}", "messages", "must be an object");
    req_bad(OA_CHAT, "{\"messages\": [{\"role\": \"function\", \"content\": \"x\"}]}", "messages", "got function");
    req_bad(OA_CHAT, "{\"messages\": [{\"role\": \"user\"}]}", "messages", "'content'");
    req_bad(OA_CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}", "messages", "type 'text'");
    req_bad(OA_CHAT, "{\"prompt\": \"x\", \"messages\": []}", "prompt", "use 'messages'");
}

/* ---- formatting ---------------------------------------------------------------------------- */

static void test_format(void)
{
    struct anx_buf b = { 0 };
    struct oa_error e = { .status = 400, .type = "invalid_request_error", .param = "n", .code = "x" };
    snprintf(e.message, sizeof(e.message), "bad \"n\"");
    oa_error_json(&b, &e);
    check(!strcmp(b.p, "{\"error\": {\"message\": \"bad \\\"n\\\"\", \"type\": \"invalid_request_error\", "
                       "\"param\": \"n\", \"code\": \"x\"}}\n"), "format: the error shape: %s", b.p);
    anx_buf_free(&b);
    e.param = e.code = NULL;
    oa_error_json(&b, &e);
    check(strstr(b.p, "\"param\": null, \"code\": null") != NULL, "format: null param and code");
    anx_buf_free(&b);

    struct oa_meta m = { OA_COMPLETION, "cmpl-3", 12, "stories260K.bin", NULL };
    struct inf_usage u = { .prompt_tokens = 1, .completion_tokens = 5 };
    oa_response_json(&b, &m, "Once\n", 5, "length", u);
    check(!strcmp(b.p, "{\"id\": \"cmpl-3\", \"object\": \"text_completion\", \"created\": 12, \"model\": \"stories260K.bin\", "
                       "\"choices\": [{\"text\": \"Once\\n\", \"index\": 0, \"logprobs\": null, \"finish_reason\": \"length\"}], "
                       "\"usage\": {\"prompt_tokens\": 1, \"completion_tokens\": 5, \"total_tokens\": 6}}\n"),
          "format: a completion: %s", b.p);
    anx_buf_free(&b);
    m.kind = OA_CHAT;
    m.id = "chatcmpl-4";
    oa_response_json(&b, &m, "Hi", 2, "stop", u);
    check(!strcmp(b.p, "{\"id\": \"chatcmpl-4\", \"object\": \"chat.completion\", \"created\": 12, \"model\": \"stories260K.bin\", "
                       "\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": \"Hi\"}, "
                       "\"logprobs\": null, \"finish_reason\": \"stop\"}], "
                       "\"usage\": {\"prompt_tokens\": 1, \"completion_tokens\": 5, \"total_tokens\": 6}}\n"),
          "format: a chat completion: %s", b.p);
    anx_buf_free(&b);
    oa_chunk_sse(&b, &m, true, "", 0, NULL, NULL, false);
    check(!strcmp(b.p, "data: {\"id\": \"chatcmpl-4\", \"object\": \"chat.completion.chunk\", \"created\": 12, "
                       "\"model\": \"stories260K.bin\", \"choices\": [{\"index\": 0, \"delta\": {\"role\": \"assistant\", "
                       "\"content\": \"\"}, \"logprobs\": null, \"finish_reason\": null}]}\n\n"),
          "format: the first chat chunk: %s", b.p);
    anx_buf_free(&b);
    oa_chunk_sse(&b, &m, false, NULL, 0, "stop", NULL, true);
    check(strstr(b.p, "\"delta\": {}, \"logprobs\": null, \"finish_reason\": \"stop\"}], \"usage\": null}\n\n") != NULL,
          "format: the last chat chunk: %s", b.p);
    anx_buf_free(&b);
    oa_chunk_sse(&b, &m, false, NULL, 0, NULL, &u, false);
    check(strstr(b.p, "\"choices\": [], \"usage\": {\"prompt_tokens\": 1, \"completion_tokens\": 5, \"total_tokens\": 6}}\n\n") != NULL,
          "format: the usage chunk");
    anx_buf_free(&b);
    m.kind = OA_COMPLETION;
    oa_chunk_sse(&b, &m, false, " a\"", 3, NULL, NULL, false);
    check(!strncmp(b.p, "data: {", 7) && strstr(b.p, "\"choices\": [{\"text\": \" a\\\"\", \"index\": 0, \"logprobs\": null, \"finish_reason\": null}]}\n\n"),
          "format: a completion chunk: %s", b.p);
    anx_buf_free(&b);
    oa_models_json(&b, "stories260K.bin", 3);
    check(!strcmp(b.p, "{\"object\": \"list\", \"data\": [{\"id\": \"stories260K.bin\", \"object\": \"model\", "
                       "\"created\": 3, \"owned_by\": \"anunix\"}]}\n"), "format: /v1/models: %s", b.p);
    anx_buf_free(&b);
    check(!strcmp(oa_model_id("", "/models/stories260K.bin"), "stories260K.bin") && !strcmp(oa_model_id(NULL, "x"), "x") &&
          !strcmp(oa_model_id("", "models/tiny"), "tiny"),
          "format: without infer.name the model id is the file (or object) name");
    check(!strcmp(oa_model_id("tiny-fortunes", "/models/model.bin"), "tiny-fortunes"),
          "format: infer.name is the model id");
    struct oa_server named = { .model_id = "tiny-fortunes", .model_alias = "model.bin" };
    check(oa_model_matches(&named, "tiny-fortunes", 13) && oa_model_matches(&named, "model.bin", 9) &&
          !oa_model_matches(&named, "model.bi", 8) && !oa_model_matches(&named, "gpt-4", 5),
          "format: a request may name the model by its id or its file name");
    struct oa_server plain = { .model_id = "model.bin" };
    check(oa_model_matches(&plain, "model.bin", 9) && !oa_model_matches(&plain, "", 0),
          "format: without a name only the file name matches");
}

/* ---- serving on the real model ------------------------------------------------------------ */

struct cap { struct anx_buf body; int begun, writes, fail_after; int locks, unlocks, yields; };
static int c_begin(void *ctx, const char *ct) { struct cap *c = ctx; c->begun = !strcmp(ct, "text/event-stream"); return 0; }
static int c_write(void *ctx, const void *p, size_t n)
{
    struct cap *c = ctx;
    if (c->fail_after && c->writes >= c->fail_after) return -1;
    c->writes++;
    anx_buf_add(&c->body, p, n);
    return 0;
}
static void c_lock(void *ctx) { ((struct cap *)ctx)->locks++; }
static void c_unlock(void *ctx) { ((struct cap *)ctx)->unlocks++; }
static void c_yield(void *ctx) { ((struct cap *)ctx)->yields++; }
static uint64_t fake_clock(void) { return 42000000000ull; }

static int serve(struct oa_server *srv, enum oa_kind k, const char *body, struct cap *c, struct oa_io *io)
{
    anx_buf_free(&c->body);
    memset(c, 0, sizeof(*c));
    memset(io, 0, sizeof(*io));
    io->ctx = c;
    io->out = &c->body;
    io->stream_begin = c_begin;
    io->stream_write = c_write;
    io->lock = c_lock;
    io->unlock = c_unlock;
    io->yield = c_yield;
    oa_serve(srv, k, body, strlen(body), io);
    return io->status;
}

/* The "text" (or "content") of one answer. */
static char *answer_text(const char *body, const char **finish, int *ptok, int *ctok)
{
    struct json_doc d;
    struct json_error e;
    char *out = NULL;
    if (oa_json_parse(&d, body, strlen(body), &e) < 0)
        return NULL;
    const struct json_value *ch = oa_json_get(&d, &d.v[0], "choices");
    const struct json_value *c0 = ch ? oa_json_at(&d, ch->first) : NULL;
    const struct json_value *t = oa_json_get(&d, c0, "text");
    if (!t) t = oa_json_get(&d, oa_json_get(&d, c0, "message"), "content");
    const struct json_value *f = oa_json_get(&d, c0, "finish_reason");
    const struct json_value *u = oa_json_get(&d, &d.v[0], "usage");
    if (t && t->type == JSON_STRING) out = strdup(t->str);
    static char fin[16];
    snprintf(fin, sizeof(fin), "%s", f && f->type == JSON_STRING ? f->str : "?");
    *finish = fin;
    const struct json_value *pt = oa_json_get(&d, u, "prompt_tokens"), *ct = oa_json_get(&d, u, "completion_tokens"),
                            *tt = oa_json_get(&d, u, "total_tokens");
    *ptok = pt ? (int)pt->num : -1;
    *ctok = ct ? (int)ct->num : -1;
    if (!tt || tt->num != *ptok + *ctok) *ptok = -2;
    oa_json_free(&d);
    return out;
}

static const char REF[] = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";

/* Without a model the 503 says why (infer's failure, or still loading):
 * no model files needed. */
static void test_no_model(void)
{
    struct anx_buf ob = { 0 };
    struct oa_io io;
    memset(&io, 0, sizeof(io));
    io.out = &ob;
    struct oa_server none = { .model_id = "model.bin",
                              .no_model = "the model did not load (infer: /models/model.bin: truncated)" };
    oa_serve(&none, OA_COMPLETION, "{}", 2, &io);
    check(io.status == 503 && strstr(ob.p, "\"message\": \"No model is loaded: the model did not load "
                                           "(infer: /models/model.bin: truncated).\"") &&
          strstr(ob.p, "\"code\": \"model_not_loaded\""), "serve: no model is 503 with the reason: %s", ob.p);
    anx_buf_free(&ob);
}

static void test_serve(void)
{
    void *md, *td;
    struct inf_model model;
    if (load_stories260k("openai/serve", "serve", &model, &md, &td) <= 0)
        return;
    struct oa_server srv = { .model = &model, .model_id = "stories260K.bin", .clock_ns = fake_clock };
    struct cap c = { 0 };
    struct oa_io io;
    const char *fin;
    int pt, ct;

    int st = serve(&srv, OA_COMPLETION, "{\"model\": \"stories260K.bin\", \"temperature\": 0, \"max_tokens\": 40}", &c, &io);
    char *t = answer_text(c.body.p, &fin, &pt, &ct);
    check(st == 200 && t && !strncmp(t, REF, strlen(REF)) && !strcmp(fin, "length") && pt == 1 && ct == 40,
          "serve: greedy, no prompt: the llama2.c reference text, usage 1 + 40, length");
    check(c.locks == 1 && c.unlocks == 1 && c.yields >= 39 && strstr(c.body.p, "\"id\": \"cmpl-1\"") &&
          strstr(c.body.p, "\"created\": 42,") && !strcmp(io.content_type, "application/json"),
          "serve: locked once, yields per token, id cmpl-1, created from the clock");
    char *full = t;

    st = serve(&srv, OA_COMPLETION, "{\"prompt\": \"Once upon a time\", \"temperature\": 0, \"max_tokens\": 30}", &c, &io);
    t = answer_text(c.body.p, &fin, &pt, &ct);
    check(st == 200 && t && full && !strncmp(t, full + strlen("Once upon a time"), strlen(t) < 60 ? strlen(t) : 60) &&
          !strncmp(t, ", there was a little girl named Lily. She loved to play outside in the park.", 76) && pt == 5,
          "serve: greedy with a prompt continues the reference text (%d prompt tokens): %.60s", pt, t ? t : "");
    free(t);

    st = serve(&srv, OA_COMPLETION, "{\"temperature\": 0, \"max_tokens\": 40, \"stop\": [\"Lily\"]}", &c, &io);
    t = answer_text(c.body.p, &fin, &pt, &ct);
    check(st == 200 && t && !strcmp(t, "Once upon a time, there was a little girl named ") && !strcmp(fin, "stop"),
          "serve: a stop string ends the text before it, finish stop: '%s'", t ? t : "");
    free(t);

    st = serve(&srv, OA_COMPLETION, "{\"temperature\": 0, \"max_tokens\": 40, \"stream\": true, "
                                    "\"stream_options\": {\"include_usage\": true}}", &c, &io);
    /* every event parses; the texts add up to the non-streamed answer */
    struct anx_buf all = { 0 };
    int events = 0, ok = c.begun, done = 0, usage_ok = 0;
    for (char *p = c.body.p; p && *p;) {
        char *end = strstr(p, "\n\n");
        if (!end || strncmp(p, "data: ", 6)) { ok = 0; break; }
        *end = 0;
        if (!strcmp(p + 6, "[DONE]")) { done = end[2] == 0; break; }
        struct json_doc d;
        struct json_error e;
        if (oa_json_parse(&d, p + 6, strlen(p + 6), &e) < 0) { ok = 0; break; }
        const struct json_value *ch = oa_json_get(&d, &d.v[0], "choices");
        const struct json_value *c0 = oa_json_at(&d, ch->first);
        if (c0) {
            const struct json_value *tx = oa_json_get(&d, c0, "text");
            anx_buf_add(&all, tx->str, tx->len);
        } else {
            const struct json_value *u = oa_json_get(&d, oa_json_get(&d, &d.v[0], "usage"), "completion_tokens");
            usage_ok = u && u->num == 40;
        }
        oa_json_free(&d);
        events++;
        p = end + 2;
    }
    check(ok && done && usage_ok && all.p && full && !strcmp(all.p, full) && events >= 40,
          "serve: stream: %d events of valid JSON add up to the same text, usage chunk, data: [DONE] last", events);
    anx_buf_free(&all);
    anx_buf_free(&c.body);

    memset(&c, 0, sizeof(c));
    c.fail_after = 3;
    memset(&io, 0, sizeof(io));
    io.ctx = &c; io.out = &c.body; io.stream_begin = c_begin; io.stream_write = c_write; io.yield = c_yield;
    const char *sb = "{\"temperature\": 0, \"max_tokens\": 40, \"stream\": true}";
    oa_serve(&srv, OA_COMPLETION, sb, strlen(sb), &io);
    check(c.writes == 3 && c.yields < 5, "serve: a client gone mid-stream stops generation (%d writes, %d tokens)",
          c.writes, c.yields);
    anx_buf_free(&c.body);

    st = serve(&srv, OA_CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story.\"}], "
                              "\"temperature\": 0, \"max_tokens\": 20, \"seed\": 1}", &c, &io);
    t = answer_text(c.body.p, &fin, &pt, &ct);
    check(st == 200 && t && t[0] != ' ' && strstr(c.body.p, "\"object\": \"chat.completion\"") &&
          strstr(c.body.p, "\"id\": \"chatcmpl-") && pt > 5 && ct >= 1 && ct <= 20,
          "serve: a chat completion (%d + %d tokens, %s): %.50s", pt, ct, fin, t ? t : "");
    free(t);
    anx_buf_free(&c.body);

    st = serve(&srv, OA_CHAT, "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"temperature\": 0, "
                              "\"max_tokens\": 8, \"stream\": true}", &c, &io);
    check(st == 0 && c.begun && strstr(c.body.p, "\"delta\": {\"role\": \"assistant\", \"content\": \"\"}") &&
          strstr(c.body.p, "\"delta\": {}, \"logprobs\": null, \"finish_reason\": \"length\"}]}\n\ndata: [DONE]\n\n"),
          "serve: a streamed chat: role first, finish last, [DONE]");
    anx_buf_free(&c.body);

    st = serve(&srv, OA_COMPLETION, "{\"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 7, \"max_tokens\": 20}", &c, &io);
    char *s1 = answer_text(c.body.p, &fin, &pt, &ct);
    anx_buf_free(&c.body);
    st = serve(&srv, OA_COMPLETION, "{\"temperature\": 0.8, \"top_p\": 0.9, \"seed\": 7, \"max_tokens\": 20}", &c, &io);
    char *s2 = answer_text(c.body.p, &fin, &pt, &ct);
    check(s1 && s2 && !strcmp(s1, s2), "serve: the same seed gives the same sample");
    free(s1);
    free(s2);
    anx_buf_free(&c.body);

    st = serve(&srv, OA_COMPLETION, "{\"model\": \"gpt-4\"}", &c, &io);
    check(st == 404 && strstr(c.body.p, "\"code\": \"model_not_found\"") && c.locks == 0,
          "serve: an unknown model is 404 model_not_found");
    anx_buf_free(&c.body);
    st = serve(&srv, OA_COMPLETION, "{bad", &c, &io);
    check(st == 400 && strstr(c.body.p, "{\"error\": {\"message\": \"We could not parse") &&
          strstr(c.body.p, "\"type\": \"invalid_request_error\""), "serve: malformed JSON is 400 with the error shape");
    anx_buf_free(&c.body);
    char big[4000];
    strcpy(big, "{\"prompt\": \"");
    for (int i = 0; i < 700; i++) strcat(big, "dog ");
    strcat(big, "\"}");
    st = serve(&srv, OA_COMPLETION, big, &c, &io);
    check(st == 400 && strstr(c.body.p, "context_length_exceeded") && c.locks == c.unlocks,
          "serve: a prompt longer than the context is 400 context_length_exceeded");
    anx_buf_free(&c.body);
    memset(&io, 0, sizeof(io));
    struct anx_buf ob = { 0 };
    io.out = &ob;
    const char *sbody = "{\"stream\": true}";
    oa_serve(&srv, OA_COMPLETION, sbody, strlen(sbody), &io);
    check(io.status == 400 && strstr(ob.p, "\"param\": \"stream\""), "serve: stream without a stream callback is 400");
    anx_buf_free(&ob);
    memset(&io, 0, sizeof(io));
    io.out = &ob;
    oa_serve_models(&srv, &io);
    check(io.status == 200 && strstr(ob.p, "\"id\": \"stories260K.bin\""), "serve: /v1/models names the model");
    anx_buf_free(&ob);
    srv.model_id = "tiny-stories";            /* infer.name set: the file name stays accepted */
    srv.model_alias = "stories260K.bin";
    st = serve(&srv, OA_COMPLETION, "{\"model\": \"stories260K.bin\", \"max_tokens\": 2}", &c, &io);
    check(st == 200 && strstr(c.body.p, "\"model\": \"tiny-stories\""),
          "serve: a named model answers to its file name too, under its name");
    anx_buf_free(&c.body);
    st = serve(&srv, OA_COMPLETION, "{\"model\": \"tiny-stories\", \"max_tokens\": 2}", &c, &io);
    check(st == 200, "serve: a named model answers to its name");
    anx_buf_free(&c.body);
    memset(&io, 0, sizeof(io));
    io.out = &ob;
    oa_serve_models(&srv, &io);
    check(io.status == 200 && strstr(ob.p, "\"data\": [{\"id\": \"tiny-stories\"") && !strstr(ob.p, "stories260K.bin"),
          "serve: /v1/models lists the name only");
    anx_buf_free(&ob);
    struct oa_server none = { 0 };
    memset(&io, 0, sizeof(io));
    io.out = &ob;
    oa_serve(&none, OA_COMPLETION, "{}", 2, &io);
    check(io.status == 503 && strstr(ob.p, "model_not_loaded"), "serve: no model is 503");
    anx_buf_free(&ob);

    free(full);
    anx_buf_free(&c.body);
    inf_model_free(&model);
    free(md);
    free(td);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_json();
    test_requests();
    test_format();
    test_no_model();
    test_serve();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
