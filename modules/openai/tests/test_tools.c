/*
 * Host tests of tool calls: validation of tools and tool_choice, the chat
 * template of tool messages and the preamble, the tool-call parser, the
 * JSON constraint (every output parses: random vocabularies and logits,
 * and stories260K's vocabulary and forward pass), the built-in tools'
 * plans and runs through the real router (a fake object engine and guard),
 * and the driver on stories260K (forced calls, the round trip, a built-in
 * run, streaming). Prints "ok ..." / "FAIL ..." lines.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/module.h>
#include "api.h"
#include "builtin_tools.h"
#include "json.h"
#include "json_constrain.h"
#include "tools.h"
#include "oa_test.h"

/* The router reaches the module table (health, grants): this program's. */
static const struct anx_module_ops no_ops = { 0 };
const struct anx_module anx_module_table[] = {
    { .name = "router", .summary = "router", .ops = &no_ops },
    { .name = "openai", .summary = "openai", .ops = &no_ops },
};
const size_t anx_module_count = 2;

static int parse_chat(const char *body, struct oa_request *rq, struct oa_error *e)
{
    return oa_parse_request(OA_CHAT, body, strlen(body), rq, e);
}

static void refused(const char *body, const char *param, const char *code, const char *msg)
{
    struct oa_request rq;
    struct oa_error e;
    int r = parse_chat(body, &rq, &e);
    check(r < 0 && e.status == 400 && (!param ? !e.param : e.param && !strcmp(e.param, param)) &&
              (!code || (e.code && !strcmp(e.code, code))) && strstr(e.message, msg),
          "validate: %.60s -> 400 %s %s (%s)", body, param ? param : "-", code ? code : "-",
          e.message);
    oa_request_free(&rq);
}

#define MSG "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]"
#define TOOL(n)                                                                                    \
    "{\"type\": \"function\", \"function\": {\"name\": \"" n "\", \"description\": \"d " n "\", "  \
    "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}"

static void test_validate(void)
{
    refused("{" MSG ", \"tools\": {}}", "tools", "invalid_type", "expected an array");
    refused("{" MSG ", \"tools\": [7]}", "tools[0]", "invalid_type", "expected an object");
    refused("{" MSG ", \"tools\": [{\"type\": \"code\"}]}", "tools[0].type", "invalid_value",
            "'function'");
    refused("{" MSG ", \"tools\": [{\"type\": \"function\"}]}", "tools[0].function",
            "missing_required_parameter", "'tools[0].function'");
    refused("{" MSG ", \"tools\": [" TOOL("a") ", {\"type\": \"function\", \"function\": {}}]}",
            "tools[1].function.name", "missing_required_parameter", "tools[1].function.name");
    refused("{" MSG
            ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get weather\"}}]}",
            "tools[0].function.name", "invalid_value", "does not match pattern");
    refused(
        "{" MSG
        ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"a\", \"parameters\": []}}]}",
        "tools[0].function.parameters", "invalid_type", "expected an object");
    refused("{" MSG ", \"tools\": [" TOOL("a") ", " TOOL("a") "]}", "tools[1].function.name",
            "invalid_value", "given twice");
    refused("{" MSG ", \"tools\": [" TOOL("a") "], \"tool_choice\": \"always\"}", "tool_choice",
            "invalid_value", "'required'");
    refused("{" MSG ", \"tools\": [" TOOL("a") "], \"tool_choice\": 3}", "tool_choice",
            "invalid_type", "a string or an object");
    refused("{" MSG ", \"tools\": [" TOOL("a") "], \"tool_choice\": {\"type\": \"function\"}}",
            "tool_choice.function.name", "missing_required_parameter", "tool_choice.function.name");
    refused("{" MSG ", \"parallel_tool_calls\": 1}", "parallel_tool_calls", "invalid_type",
            "a boolean");
    char big[8192] = "{" MSG ", \"tools\": [";
    for (int i = 0; i < OA_MAX_TOOLS + 1; i++)
        snprintf(big + strlen(big), sizeof(big) - strlen(big),
                 "%s{\"type\": \"function\", \"function\": {\"name\": \"t%d\"}}", i ? ", " : "", i);
    strcat(big, "]}");
    refused(big, "tools", "array_above_max_length", "maximum length 32");

    struct oa_request rq;
    struct oa_error e;
    int r = parse_chat(
        "{" MSG ", \"tools\": [" TOOL("get_weather") ", " TOOL(
            "b-2") "], "
                   "\"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"b-2\"}}, "
                   "\"parallel_tool_calls\": false}",
        &rq, &e);
    check(r == 0 && rq.tools && rq.tools->n == 2 && rq.tools->choice == OA_TC_NAMED &&
              !strcmp(rq.tools->forced, "b-2") &&
              !strcmp(rq.tools->t[0].description, "d get_weather") &&
              !strcmp(rq.tools->t[0].parameters,
                      "{\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}"),
          "validate: two tools and a named choice parse (%s)", r ? e.message : "");
    check(r == 0 && oa_tools_check_choice(rq.tools, &e) == 0,
          "validate: the named tool is among the tools");
    oa_request_free(&rq);
    r = parse_chat("{" MSG
                   ", \"tools\": [" TOOL("a") "], \"tool_choice\": {\"type\": \"function\", "
                                              "\"function\": {\"name\": \"zz\"}}}",
                   &rq, &e);
    check(r == 0 && oa_tools_check_choice(rq.tools, &e) < 0 && e.status == 400 &&
              !strcmp(e.param, "tool_choice") && strstr(e.message, "no function named 'zz'"),
          "validate: a named tool not in tools is 400: %s", e.message);
    oa_request_free(&rq);
    r = parse_chat("{" MSG ", \"tool_choice\": \"required\"}", &rq, &e);
    check(r == 0 && oa_tools_check_choice(rq.tools, &e) < 0 &&
              strstr(e.message, "only allowed when 'tools'"),
          "validate: tool_choice without tools is 400");
    oa_request_free(&rq);
    r = parse_chat("{" MSG ", \"tools\": null, \"tool_choice\": null}", &rq, &e);
    check(r == 0 && !rq.tools, "validate: null tools and tool_choice are absent");
    oa_request_free(&rq);
    const char *names[] = { "read_object", "nonsense", "list_objects", NULL };
    r = parse_chat("{" MSG ", \"tools\": [" TOOL("list_objects") "]}", &rq, &e);
    oa_tools_add_builtins(rq.tools, names);
    const struct oa_tool *lo = oa_tools_find(rq.tools, "list_objects", 12);
    const struct oa_tool *ro = oa_tools_find(rq.tools, "read_object", 11);
    check(r == 0 && rq.tools->n == 2 && lo && !lo->builtin && ro && ro->builtin &&
              !oa_tools_find(rq.tools, "nonsense", 8),
          "builtins: added after the request's tools; the request's own of the same name wins");
    oa_request_free(&rq);
}

static void test_template(void)
{
    struct oa_request rq;
    struct oa_error e;
    const char *body =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Paris?\"},"
        " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1\", \"type\": \"function\","
        "   \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
        " {\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"content\": \"18 C, sunny\"}],"
        " \"tools\": [" TOOL("get_weather") "]}";
    int r = parse_chat(body, &rq, &e);
    const char *want =
        "User: Weather in Paris?\n"
        "Assistant: <tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}</tool_call>\n"
        "Tool result (get_weather): 18 C, sunny\n"
        "Assistant:";
    check(r == 0 && !strcmp(rq.prompt, want), "template: tool calls and results: %s",
          r ? e.message : rq.prompt);
    struct anx_buf b = { 0 };
    if (r == 0)
        oa_tools_preamble(&b, rq.tools);
    check(
        b.p &&
            !strcmp(
                b.p,
                "Tools you can call by writing <tool_call>{\"name\": \"TOOL\", "
                "\"arguments\": {...}}</tool_call>:\n- get_weather(city?: string): d get_weather\n\n"),
        "template: the preamble: %s", b.p);
    anx_buf_free(&b);
    oa_request_free(&rq);
    const char *names[] = { "read_object", "list_objects", NULL };
    r = parse_chat(
        "{" MSG
        ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": "
        "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {}}, "
        "\"required\": [\"b\"]}}}, {\"type\": \"function\", \"function\": {\"name\": \"g\"}}]}",
        &rq, &e);
    oa_tools_add_builtins(rq.tools, names);
    oa_tools_preamble(&b, rq.tools);
    check(
        r == 0 && b.p &&
            strstr(b.p,
                   ":\n- f(a?: integer, b: any)\n- g()\n- read_object(name: string): Read an "
                   "object of the store.\n- list_objects(prefix?: string): List the objects of the "
                   "store.\n\n"),
        "template: signatures of the tools and the built-ins: %s", b.p);
    anx_buf_free(&b);
    oa_request_free(&rq);
    refused("{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}", "messages",
            "missing_required_parameter", "tool_call_id");
    refused("{\"messages\": [{\"role\": \"tool\", \"tool_call_id\": \"c9\", \"content\": \"x\"}]}",
            "messages", "invalid_value", "preceding message with 'tool_calls'");
    refused("{\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\"}]}]}",
            "messages", "invalid_value", "each tool call needs");
    refused("{\"messages\": [{\"role\": \"assistant\", \"tool_calls\": []}]}", "messages",
            "invalid_value", "non-empty array");
}

static void calls(const char *text, int n, const char *content, const char *name0,
                  const char *args0)
{
    struct oa_tool_calls tc;
    int r = oa_tool_calls_parse(text, strlen(text), &tc);
    check(r == n && (content ? tc.content && !strcmp(tc.content, content) : !tc.content) &&
              (!name0 ||
               (r > 0 && !strcmp(tc.c[0].name, name0) && !strcmp(tc.c[0].arguments, args0))),
          "parse: %.50s -> %d calls, content %s, %s %s", text, r, tc.content ? tc.content : "null",
          r > 0 ? tc.c[0].name : "-", r > 0 ? tc.c[0].arguments : "-");
    oa_tool_calls_free(&tc);
}

static void test_parse(void)
{
    calls(
        "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": [1, 2.50, {\"b\": null}], \"c\": \"\\u00e9\"}}</tool_call>",
        1, NULL, "f", "{\"a\": [1, 2.50, {\"b\": null}], \"c\": \"\xc3\xa9\"}");
    calls("<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"x\\\":1}\"}</tool_call>", 1, NULL,
          "f", "{\"x\": 1}");
    calls("<tool_call>{\"name\": \"f\"}</tool_call>", 1, NULL, "f", "{}");
    calls("<tool_call>{\"name\": \"f\", \"parameters\": {\"k\": true}}</tool_call>", 1, NULL, "f",
          "{\"k\": true}");
    calls("I will look. <tool_call> {\"name\": \"f\", \"arguments\": {}} </tool_call>  Done.", 1,
          "I will look.   Done.", "f", "{}");
    calls("<tool_call>{\"name\": \"f\", \"arguments\": {}}", 1, NULL, "f",
          "{}"); /* unclosed last */
    calls(
        "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call><tool_call>{\"name\": \"b\", \"arguments\": {\"x\": 1}}</tool_call>",
        2, NULL, "a", "{}");
    calls("Once upon a time", 0, "Once upon a time", NULL, NULL);
    calls("<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": }</tool_call>", 0,
          "<tool_call>{\"name\": \"f\", \"arguments\": {\"a\": }</tool_call>", NULL, NULL);
    calls("<tool_call>{\"name\": \"bad name\", \"arguments\": {}}</tool_call>", 0,
          "<tool_call>{\"name\": \"bad name\", \"arguments\": {}}</tool_call>", NULL, NULL);
    calls("<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>", 0,
          "<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>", NULL, NULL);
    calls("<tool_call>{\"name\": \"f\", \"arguments\": \"not json\"}</tool_call>", 0,
          "<tool_call>{\"name\": \"f\", \"arguments\": \"not json\"}</tool_call>", NULL, NULL);
    calls("", 0, NULL, NULL, NULL);
    calls("  \n ", 0, NULL, NULL, NULL);
    char many[2048] = "";
    for (int i = 0; i < OA_MAX_CALLS + 2; i++)
        strcat(many, "<tool_call>{\"name\": \"f\"}</tool_call>");
    struct oa_tool_calls tc;
    int r = oa_tool_calls_parse(many, strlen(many), &tc);
    check(r == OA_MAX_CALLS && tc.content, "parse: calls beyond %d stay text", OA_MAX_CALLS);
    oa_tool_calls_free(&tc);
}

/* ---- the constraint ------------------------------------------------------------------------ */

static int valid_object(const char *s, size_t n)
{
    struct json_doc d;
    struct json_error e;
    int ok = oa_json_parse(&d, s, n, &e) == 0 && d.v[0].type == JSON_OBJECT;
    oa_json_free(&d);
    return ok;
}

static int jsm_accepts(const char *s)
{
    struct oa_jsm m;
    oa_jsm_init(&m);
    for (size_t i = 0; s[i]; i++)
        if (!oa_jsm_feed(&m, (uint8_t)s[i]))
            return 0;
    return oa_jsm_done(&m);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static void test_jsm(void)
{
    const char *good[] = { "{}", "{\"a\": 1}",
                           "{\"a\":[1,-0.5e+12,true,false,null,\"x\\n\"],\"b\":{}}",
                           "{ \"k\" : { \"n\" : [ ] } }", "{\"e\": 0E-2}" };
    const char *bad[] = { "[]",
                          "{\"a\" 1}",
                          "{\"a\": 01}",
                          "{\"a\": 1,}",
                          "{\"a\":  1}",
                          "{\"a\": \"\\u0041\"}",
                          "{\"a\": \"\xc3\xa9\"}",
                          "{\"a\": 1.}",
                          "{\"a\": tru}",
                          " {}",
                          "{}}",
                          "{\"a\": 1e123}",
                          "{\"a\": 1234567890123456}" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        check(jsm_accepts(good[i]) && valid_object(good[i], strlen(good[i])), "jsm: takes %s",
              good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        check(!jsm_accepts(bad[i]), "jsm: refuses %s", bad[i]);
    /* every prefix of a document closes into one the parser takes */
    const char *doc =
        "{\"key\": [1, -2.5e-3, \"s\\\"t\", {\"n\": null, \"t\": true}, []], \"f\": false}";
    int ok = 1;
    for (size_t k = 0; k <= strlen(doc); k++) {
        struct oa_jsm m;
        oa_jsm_init(&m);
        char buf[512];
        memcpy(buf, doc, k);
        for (size_t i = 0; i < k; i++)
            oa_jsm_feed(&m, (uint8_t)doc[i]);
        size_t cl = oa_jsm_close(&m, buf + k, sizeof(buf) - k);
        if (!valid_object(buf, k + cl)) {
            ok = 0;
            printf("     closes %.*s badly\n", (int)(k + cl), buf);
        }
    }
    check(ok, "jsm: every prefix of a document closes into valid JSON");
    /* random bytes, refused ones skipped, then closed: always valid */
    ok = 1;
    const char alpha[] = "{}[]:,\" \\-+.0123456789eEtrufalsn\x01\xc3zab/cityounrCIT";
    for (int run = 0; run < 20000 && ok; run++) {
        struct oa_jsm m;
        oa_jsm_init(&m);
        char buf[400];
        size_t n = 0;
        int len = (int)(rnd() % 200);
        for (int i = 0; i < len && !oa_jsm_done(&m); i++) {
            char c = alpha[rnd() % (sizeof(alpha) - 1)];
            if (oa_jsm_feed(&m, (uint8_t)c))
                buf[n++] = c;
        }
        n += oa_jsm_close(&m, buf + n, sizeof(buf) - n);
        if (!valid_object(buf, n)) {
            ok = 0;
            printf("     random: %.*s\n", (int)n, buf);
        }
    }
    check(ok, "jsm: 20000 random byte streams close into valid JSON");
    /* the top object's keys held to a schema's names */
    static const char *const keys[] = { "city", "country", "unit" };
    const char *kgood[] = { "{\"city\": \"Paris\"}",
                            "{\"unit\": [1, {\"any\": 2}], \"country\": null}", "{}" };
    const char *kbad[] = { "{\"cit\": 1}",
                           "{\"cityx\": 1}",
                           "{\"c\\u0069ty\": 1}",
                           "{\"other\": 1}",
                           "{\"city\": 1, \"city\": 2}",
                           "{\"city\": 1, \"unit\": 2, \"country\": 3, " };
    for (size_t i = 0; i < 3; i++) {
        struct oa_jsm m;
        oa_jsm_init(&m);
        oa_jsm_keys(&m, keys, 3);
        size_t k = 0;
        while (kgood[i][k] && oa_jsm_feed(&m, (uint8_t)kgood[i][k]))
            k++;
        check(!kgood[i][k] && oa_jsm_done(&m), "jsm keys: takes %s", kgood[i]);
    }
    for (size_t i = 0; i < 6; i++) {
        struct oa_jsm m;
        oa_jsm_init(&m);
        oa_jsm_keys(&m, keys, 3);
        size_t k = 0;
        while (kbad[i][k] && oa_jsm_feed(&m, (uint8_t)kbad[i][k]))
            k++;
        check(kbad[i][k] != 0, "jsm keys: refuses %s at byte %zu", kbad[i], k);
    }
    {
        struct oa_jsm m;
        char buf[128] = "{\"co";
        oa_jsm_init(&m);
        oa_jsm_keys(&m, keys, 3);
        for (int i = 0; buf[i]; i++)
            oa_jsm_feed(&m, (uint8_t)buf[i]);
        oa_jsm_close(&m, buf + 4, sizeof(buf) - 4);
        check(!strcmp(buf, "{\"country\":null}"),
              "jsm keys: a key cut short closes as a whole key: %s", buf);
    }
    ok = 1;
    for (int run = 0; run < 20000 && ok; run++) {
        struct oa_jsm m;
        oa_jsm_init(&m);
        oa_jsm_keys(&m, keys, 3);
        char buf[400];
        size_t n = 0;
        int len = (int)(rnd() % 200);
        for (int i = 0; i < len && !oa_jsm_done(&m); i++) {
            char c = alpha[rnd() % (sizeof(alpha) - 1)];
            if (oa_jsm_feed(&m, (uint8_t)c))
                buf[n++] = c;
        }
        n += oa_jsm_close(&m, buf + n, sizeof(buf) - n);
        struct json_doc d;
        struct json_error e;
        ok = oa_json_parse(&d, buf, n, &e) == 0 && d.v[0].type == JSON_OBJECT;
        for (const struct json_value *k = ok ? oa_json_at(&d, d.v[0].first) : NULL; k;
             k = oa_json_at(&d, k->next))
            ok &= !strcmp(k->key, "city") || !strcmp(k->key, "country") || !strcmp(k->key, "unit");
        ok &= d.v[0].count <= 3;
        oa_json_free(&d);
        if (!ok)
            printf("     random with keys: %.*s\n", (int)n, buf);
    }
    check(ok,
          "jsm keys: 20000 random byte streams close into valid JSON with the schema's keys only");
    const char *opts[] = { "get_weather\"", "get_time\"", "list\"" };
    struct oa_choice ch;
    oa_choice_init(&ch, opts, 3);
    check(oa_choice_token_ok(&ch, "get_", 4) && !oa_choice_token_ok(&ch, "got", 3) &&
              !oa_choice_token_ok(&ch, "list\"x", 6),
          "choice: prefixes of the options only");
    oa_choice_feed(&ch, "get_", 4);
    oa_choice_feed(&ch, "time\"", 5);
    check(oa_choice_done(&ch) == 1, "choice: a whole option is done");
}

/* A synthetic vocabulary: single bytes, JSON punctuation runs, words. */
static const char *const synth[] = {
    "{",     "}",     "[",      "]",     ":",    ",",   "\"",  " ",   "\\", "-",
    ".",     "e",     "0",      "1",     "9",    "a",   "b",   "z",   "\n", "\x01",
    "\xc3",  "{\"",   "\":",    "\": ",  ", \"", "\"}", "\"]", "}}",  "]}", "true",
    "false", "null",  "nu",     "ll",    "tr",   "12",  "3.5", "e+",  "1e", "\\n",
    "\\u",   "hello", " world", "\"a\"", "[1,",  "{}",  "[]",  "x\"", "",
};
#define NSYN ((int)(sizeof(synth) / sizeof(synth[0])))
static size_t synth_piece(void *arg, int i, char *buf, size_t cap)
{
    (void)arg;
    size_t n = strlen(synth[i]);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, synth[i], n);
    return n;
}

/* Constrained sampling on random logits: masked, softmax-sampled (and
 * greedy), budgets from 1 to 64 tokens: every result is a JSON object. */
static void test_random_logits(void)
{
    struct oa_vocab v;
    check(oa_vocab_init(&v, NSYN, synth_piece, NULL) == 0, "mask: a synthetic vocabulary");
    struct inf_sampler s;
    int ok = 1, closed_early = 0, runs = 3000;
    for (int run = 0; run < runs && ok; run++) {
        inf_sampler_init(&s, NSYN, run % 3 == 0 ? 0.0f : 1.0f, run % 5 == 0 ? 0.9f : 1.0f,
                         (uint64_t)run + 1);
        struct oa_jsm m;
        oa_jsm_init(&m);
        char out[4096];
        size_t n = 0;
        int budget = 1 + run % 64, used = 0;
        float logits[NSYN];
        while (!oa_jsm_done(&m)) {
            char close[OA_JSM_CLOSE_MAX];
            size_t cl = oa_jsm_close(&m, close, sizeof(close));
            if (budget - used <= (int)cl)
                break;
            for (int i = 0; i < NSYN; i++)
                logits[i] = (float)(rnd() % 2000) / 100.0f - 10.0f;
            if (oa_mask_logits(&v, &m, NULL, logits) == 0)
                break;
            int t = inf_sample(&s, logits);
            if (!oa_jsm_token_ok(&m, v.piece[t], v.len[t])) {
                ok = 0;
                printf("     sampled a masked token %d\n", t);
                break;
            }
            for (size_t i = 0; i < v.len[t]; i++)
                oa_jsm_feed(&m, (uint8_t)v.piece[t][i]);
            memcpy(out + n, v.piece[t], v.len[t]);
            n += v.len[t];
            used++;
        }
        if (!oa_jsm_done(&m)) {
            closed_early++;
            n += oa_jsm_close(&m, out + n, sizeof(out) - n);
        }
        if (!valid_object(out, n)) {
            ok = 0;
            printf("     not JSON: %.*s\n", (int)n, out);
        }
        inf_sampler_free(&s);
    }
    check(ok,
          "mask: %d constrained generations on random logits all parse (%d closed at the budget)",
          runs, closed_early);
    oa_vocab_free(&v);
}

/* ---- built-in tools through the real router ------------------------------------------------- */

static char last_path[256], last_query[256], last_auth[64];
static int fake_objects(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    snprintf(last_path, sizeof(last_path), "%.*s", (int)rq->path_len, rq->path);
    snprintf(last_query, sizeof(last_query), "%.*s", rq->query ? (int)rq->query_len : 0,
             rq->query ? rq->query : "");
    size_t al;
    const char *a = rt_header(rq, "Authorization", &al);
    snprintf(last_auth, sizeof(last_auth), "%.*s", a ? (int)al : 0, a ? a : "");
    rs->status = 200;
    if (!strcmp(last_path, "/api/v1/objects"))
        anx_buf_puts(
            &rs->out,
            "{\"objects\": [{\"name\": \"notes/a\", \"version\": 2, \"id\": \"9f86\", \"size\": 12},"
            " {\"name\": \"notes/b\", \"size\": 7}]}\n");
    else
        anx_buf_printf(&rs->out, "content of %s\x01!", last_path);
    return 0;
}
static struct rt_engine objects_engine = { .name = "objstore", .handle = fake_objects };
static struct rt_engine http_engine = { .name = "oa-http-0", .handle = fake_objects };

/* A guard standing in for apikey's: "Bearer reader" may GET objects only. */
static bool fake_guard(struct rt_request *rq, struct rt_response *rs)
{
    size_t al;
    const char *a = rt_header(rq, "Authorization", &al);
    bool objects = rq->path_len >= 15 && !memcmp(rq->path, "/api/v1/objects", 15);
    if (a && al == 13 && !memcmp(a, "Bearer reader", 13) && objects)
        return true;
    rt_reply(rs, a ? 403 : 401, NULL, a ? "forbidden\n" : "unauthorized\n");
    return false;
}

static void plan(const char *name, const char *args, int ok, const char *path, const char *query,
                 const char *why)
{
    struct oa_builtin_req r;
    char w[160] = "";
    int rc = oa_builtin_plan(name, args, &r, w, sizeof(w));
    check(ok ? rc == 0 && !strcmp(r.path, path) && !strcmp(r.query, query)
             : rc < 0 && strstr(w, why),
          "plan: %s %s -> %s%s%s", name, args, rc == 0 ? r.path : w,
          rc == 0 && r.query[0] ? "?" : "", rc == 0 ? r.query : "");
}

static void test_builtins(void)
{
    static const char *const routes[] = { "/api/v1/health", "/v1/", NULL };
    static const char *const http[] = { "http://10.0.2.2:8000/docs/", NULL };
    oa_builtins_configure(routes, http);
    plan("read_object", "{\"name\": \"notes/a.txt\"}", 1, "/api/v1/objects/notes/a.txt", "", NULL);
    plan("read_object", "{\"name\": \"../etc\"}", 0, NULL, NULL, "not an object name");
    plan("read_object", "{\"name\": \"/abs\"}", 0, NULL, NULL, "not an object name");
    plan("read_object", "{}", 0, NULL, NULL, "not an object name");
    plan("read_object", "{\"name\": 3}", 0, NULL, NULL, "must be a string");
    plan("read_object", "[1]", 0, NULL, NULL, "not a JSON object");
    plan("list_objects", "{}", 1, "/api/v1/objects", "", NULL);
    plan("list_objects", "{\"prefix\": \"notes/\"}", 1, "/api/v1/objects", "prefix=notes/", NULL);
    plan("list_objects", "{\"prefix\": \"a&b\"}", 0, NULL, NULL, "not an object name prefix");
    plan("route", "{\"path\": \"/api/v1/health?x=1\"}", 1, "/api/v1/health", "x=1", NULL);
    plan("route", "{\"path\": \"/api/v1/objects/x\"}", 0, NULL, NULL, "tool_routes");
    plan("route", "{\"path\": \"/v1/chat/completions\"}", 0, NULL, NULL, "tool_routes");
    plan("route", "{\"path\": \"/api/v1/health/../objects\"}", 0, NULL, NULL, "no '..'");
    plan("http_get", "{\"url\": \"http://10.0.2.2:8000/docs/a.html\"}", 1, "/docs/a.html", "",
         NULL);
    plan("http_get", "{\"url\": \"http://10.0.2.2:8000/docs/%2e%2e/secret\"}", 0, NULL, NULL,
         "no '..'");
    plan("http_get", "{\"url\": \"http://10.0.2.2:8000/private\"}", 0, NULL, NULL, "http_allow");
    plan("http_get", "{\"url\": \"http://10.0.2.2:80000/docs/\"}", 0, NULL, NULL, "http_allow");
    plan("shell", "{}", 0, NULL, NULL, "no built-in tool");

    rt_reset();
    rt_engine_register(&objects_engine);
    rt_engine_register(&http_engine);
    rt_route_add("objstore-list", "GET", "/api/v1/objects", RT_FIRST_HEALTHY, "objstore");
    rt_route_add("objstore-get", "GET", "/api/v1/objects/*", RT_FIRST_HEALTHY, "objstore");
    rt_guard_set(fake_guard);
    struct rt_kv h[] = { { "Authorization", 13, "Bearer reader", 13 } };
    struct rt_request caller = { .method = "POST",
                                 .path = "/v1/chat/completions",
                                 .path_len = 20,
                                 .headers = h,
                                 .nheaders = 1,
                                 .peer = "10.0.2.2" };
    struct anx_buf out = { 0 };
    int st = 0;
    int rc = oa_builtin_run(&caller, "read_object", "{\"name\": \"notes/a\"}", &out, &st);
    check(rc == 0 && st == 200 && !strcmp(out.p, "content of /api/v1/objects/notes/a !") &&
              !strcmp(last_auth, "Bearer reader"),
          "run: read_object goes through the router with the caller's key: %d %s", st, out.p);
    anx_buf_reset(&out);
    rc = oa_builtin_run(&caller, "list_objects", "{\"prefix\": \"notes/\"}", &out, &st);
    check(rc == 0 && st == 200 && !strcmp(last_query, "prefix=notes/") &&
              !strcmp(out.p, "notes/a (12 bytes)\nnotes/b (7 bytes)\n"),
          "run: list_objects with the prefix, the listing as names and sizes: %s", out.p);
    anx_buf_reset(&out);
    h[0].value = "Bearer other";
    h[0].value_len = 12;
    rc = oa_builtin_run(&caller, "read_object", "{\"name\": \"notes/a\"}", &out, &st);
    check(rc == 0 && st == 403, "run: a caller whose key may not read gets the guard's 403: %d",
          st);
    anx_buf_reset(&out);
    rc = oa_builtin_run(NULL, "read_object", "{\"name\": \"notes/a\"}", &out, &st);
    check(rc == 0 && st == 401, "run: no caller, no key: 401");
    anx_buf_reset(&out);
    h[0].value = "Bearer reader";
    h[0].value_len = 13;
    last_auth[0] = 0;
    rc = oa_builtin_run(&caller, "http_get", "{\"url\": \"http://10.0.2.2:8000/docs/a?b=1\"}", &out,
                        &st);
    check(rc == 0 && st == 200 && !strcmp(last_path, "/docs/a") && !strcmp(last_query, "b=1") &&
              !last_auth[0],
          "run: http_get goes to its remote engine without the caller's key");
    anx_buf_reset(&out);
    rc = oa_builtin_run(&caller, "read_object", "{\"name\": \"..\"}", &out, &st);
    check(rc < 0 && st == 400 && strstr(out.p, "not an object name"),
          "run: bad arguments are a 400 result");
    anx_buf_free(&out);
    rt_guard_set(NULL);
    rt_reset();
    oa_builtins_configure(NULL, NULL);
}

/* ---- the driver on stories260K ---------------------------------------------------------- */

struct cap {
    struct anx_buf body;
    int begun, locks, unlocks;
};
static int c_begin(void *ctx, const char *ct)
{
    ((struct cap *)ctx)->begun = !strcmp(ct, "text/event-stream");
    return 0;
}
static int c_write(void *ctx, const void *p, size_t n)
{
    anx_buf_add(&((struct cap *)ctx)->body, p, n);
    return 0;
}
static void c_lock(void *ctx)
{
    ((struct cap *)ctx)->locks++;
}
static void c_unlock(void *ctx)
{
    ((struct cap *)ctx)->unlocks++;
}
static uint64_t fake_clock(void)
{
    return 42000000000ull;
}

static int serve(struct oa_server *srv, const char *body, struct cap *c)
{
    anx_buf_free(&c->body);
    memset(c, 0, sizeof(*c));
    struct oa_io io = { .ctx = c,
                        .out = &c->body,
                        .stream_begin = c_begin,
                        .stream_write = c_write,
                        .lock = c_lock,
                        .unlock = c_unlock };
    oa_serve(srv, OA_CHAT, body, strlen(body), &io);
    return io.status;
}

static int tool_runs, long_result;
static char ran_args[256];
static int fake_run(const void *caller, const char *name, const char *args, struct anx_buf *out,
                    int *status)
{
    (void)caller;
    tool_runs++;
    snprintf(ran_args, sizeof(ran_args), "%s %s", name, args);
    anx_buf_puts(out, "notes/planted.txt\nnotes/other.txt");
    for (int i = 0; i < long_result; i++) /* more than the context has room for */
        anx_buf_puts(
            out, " {\"id\": \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}");
    *status = 200;
    return 0;
}

/* The answer's message: content (or NULL), the first call's name and
 * arguments, finish_reason; 0 when the body is no chat.completion. */
struct ans {
    char content[512];
    bool null_content;
    char name[80], args[4096], id[40], finish[24];
    int calls, runs, ptok, ctok;
};
static int answer(const char *body, struct ans *a)
{
    memset(a, 0, sizeof(*a));
    struct json_doc d;
    struct json_error e;
    if (!body || oa_json_parse(&d, body, strlen(body), &e) < 0)
        return 0;
    const struct json_value *ch = oa_json_get(&d, &d.v[0], "choices");
    const struct json_value *c0 = ch ? oa_json_at(&d, ch->first) : NULL;
    const struct json_value *m = c0 ? oa_json_get(&d, c0, "message") : NULL;
    const struct json_value *f = c0 ? oa_json_get(&d, c0, "finish_reason") : NULL;
    if (!m || !f || f->type != JSON_STRING) {
        oa_json_free(&d);
        return 0;
    }
    snprintf(a->finish, sizeof(a->finish), "%s", f->str);
    const struct json_value *c = oa_json_get(&d, m, "content");
    a->null_content = c && c->type == JSON_NULL;
    if (c && c->type == JSON_STRING)
        snprintf(a->content, sizeof(a->content), "%s", c->str);
    const struct json_value *tc = oa_json_get(&d, m, "tool_calls");
    if (tc && tc->type == JSON_ARRAY) {
        a->calls = tc->count;
        const struct json_value *k = oa_json_at(&d, tc->first);
        const struct json_value *fn = oa_json_get(&d, k, "function");
        const struct json_value *ty = oa_json_get(&d, k, "type");
        const struct json_value *id = oa_json_get(&d, k, "id");
        const struct json_value *nm = fn ? oa_json_get(&d, fn, "name") : NULL;
        const struct json_value *ar = fn ? oa_json_get(&d, fn, "arguments") : NULL;
        if (nm && nm->type == JSON_STRING)
            snprintf(a->name, sizeof(a->name), "%s", nm->str);
        if (ar && ar->type == JSON_STRING)
            snprintf(a->args, sizeof(a->args), "%s", ar->str);
        if (id && id->type == JSON_STRING)
            snprintf(a->id, sizeof(a->id), "%s", id->str);
        if (!ty || ty->type != JSON_STRING || strcmp(ty->str, "function"))
            a->calls = -1;
    }
    const struct json_value *r = oa_json_get(&d, &d.v[0], "tool_runs");
    a->runs = r && r->type == JSON_ARRAY ? r->count : 0;
    const struct json_value *u = oa_json_get(&d, &d.v[0], "usage");
    const struct json_value *pt = u ? oa_json_get(&d, u, "prompt_tokens") : NULL;
    const struct json_value *ct = u ? oa_json_get(&d, u, "completion_tokens") : NULL;
    a->ptok = pt ? (int)pt->num : -1;
    a->ctok = ct ? (int)ct->num : -1;
    oa_json_free(&d);
    return 1;
}

static size_t model_piece(void *arg, int i, char *buf, size_t cap)
{
    const struct inf_tokenizer *t = arg;
    return i == t->bos || i == t->eos ? 0 : inf_decode(t, -2, i, buf, cap);
}

static void test_driver(void)
{
    void *md, *td;
    struct inf_model model;
    if (load_stories260k("openai/tools-driver", "driver", &model, &md, &td) <= 0)
        return;
    /* the constraint on stories260K's own vocabulary and logits: many seeds, both budgets */
    struct oa_vocab v;
    oa_vocab_init(&v, model.cfg.vocab_size, model_piece, &model.tok);
    int ok = 1, done = 0, runs = 40;
    for (int run = 0; run < runs && ok; run++) {
        struct inf_state st;
        struct inf_sampler s;
        inf_state_init(&st, &model.cfg, 0);
        inf_sampler_init(&s, model.cfg.vocab_size, run ? 1.0f : 0.0f, 1.0f, (uint64_t)run * 7 + 1);
        int toks[64];
        int n = inf_encode(&model.tok, "Once upon a time, {", true, false, toks, 64);
        for (int i = 0; i + 1 < n; i++)
            inf_forward_hidden(&model, &st, toks[i], i);
        int pos = n - 1, cur = toks[n - 1], budget = run % 2 ? 12 : 120, used = 0;
        struct oa_jsm m;
        oa_jsm_init(&m);
        char out[8192];
        size_t len = 0;
        while (!oa_jsm_done(&m)) {
            char close[OA_JSM_CLOSE_MAX];
            if (budget - used <= (int)oa_jsm_close(&m, close, sizeof(close)))
                break;
            float *lg = inf_forward(&model, &st, cur, pos);
            if (oa_mask_logits(&v, &m, NULL, lg) == 0)
                break;
            int t = inf_sample(&s, lg);
            for (size_t i = 0; i < v.len[t]; i++)
                oa_jsm_feed(&m, (uint8_t)v.piece[t][i]);
            memcpy(out + len, v.piece[t], v.len[t]);
            len += v.len[t];
            pos++, cur = t, used++;
        }
        done += oa_jsm_done(&m);
        len += oa_jsm_close(&m, out + len, sizeof(out) - len);
        if (!valid_object(out, len)) {
            ok = 0;
            printf("     stories260K: not JSON: %.*s\n", (int)len, out);
        }
        if (run < 2)
            printf("     stories260K %s, budget %d: %.*s\n", run ? "T=1" : "greedy", budget,
                   (int)len, out);
        inf_sampler_free(&s);
        inf_state_free(&st);
    }
    check(ok, "mask: %d constrained generations on stories260K all parse (%d ended by themselves)",
          runs, done);
    oa_vocab_free(&v);

    struct oa_server srv = { .model = &model,
                             .model_id = "stories260K.bin",
                             .clock_ns = fake_clock };
    struct cap c = { 0 };
    struct ans a;
#define WEATHER                                                                                                       \
    "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"The weather in a city\", " \
    "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}"
#define TIME "{\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}"
    const char *forced =
        "{\"messages\": [{\"role\": \"user\", \"content\": \"What is the weather in Paris?\"}], "
        "\"tools\": [" WEATHER ", " TIME "], \"temperature\": 0, "
        "\"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}}";
    int st = serve(&srv, forced, &c);
    int got = answer(c.body.p, &a);
    check(st == 200 && got && a.calls == 1 && !strcmp(a.name, "get_weather") && a.null_content &&
              !strcmp(a.finish, "tool_calls") && valid_object(a.args, strlen(a.args)) &&
              !strcmp(a.id, "call_1_0") && a.ptok > 0 && a.ctok > 0 && c.locks == 1 &&
              c.unlocks == 1,
          "driver: a named tool_choice gives one call with JSON arguments: %s", c.body.p);
    {
        struct json_doc d;
        struct json_error je;
        int k_ok = oa_json_parse(&d, a.args, strlen(a.args), &je) == 0 &&
                   d.v[0].type == JSON_OBJECT && d.v[0].count <= 1;
        for (const struct json_value *k = k_ok ? oa_json_at(&d, d.v[0].first) : NULL; k;
             k = oa_json_at(&d, k->next))
            k_ok &= !strcmp(k->key, "city");
        oa_json_free(&d);
        check(k_ok, "driver: the arguments' keys are the schema's, each once (city): %s", a.args);
    }
    char first_args[4096];
    snprintf(first_args, sizeof(first_args), "%s", a.args);
    serve(&srv, forced, &c);
    answer(c.body.p, &a);
    check(!strcmp(a.args, first_args), "driver: greedy forced calls are deterministic");
    st = serve(
        &srv,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"What time is it?\"}], \"tools\": [" WEATHER
        ", " TIME "], \"tool_choice\": \"required\", \"max_tokens\": 6, \"seed\": 5}",
        &c);
    got = answer(c.body.p, &a);
    check(
        st == 200 && got && a.calls == 1 &&
            (!strcmp(a.name, "get_weather") || !strcmp(a.name, "get_time")) &&
            valid_object(a.args, strlen(a.args)) && !strcmp(a.finish, "tool_calls"),
        "driver: 'required' picks one of the tools' names, arguments closed within max_tokens 6: %s %s",
        a.name, a.args);
    /* the round trip: the client runs the tool and sends its result */
    char body[2048];
    snprintf(
        body, sizeof(body),
        "{\"messages\": [{\"role\": \"user\", \"content\": \"What is the weather in Paris?\"}, "
        "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"call_1_0\", \"type\": \"function\", "
        "\"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]}, "
        "{\"role\": \"tool\", \"tool_call_id\": \"call_1_0\", \"content\": \"sunny\"}], "
        "\"tools\": [" WEATHER "], \"temperature\": 0, \"max_tokens\": 24}");
    st = serve(&srv, body, &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && a.calls == 0 && !a.null_content && a.content[0] &&
              (!strcmp(a.finish, "stop") || !strcmp(a.finish, "length")),
          "driver: after the tool's result the answer is text: \"%s\" (%s)", a.content, a.finish);
    /* tool_choice none: the plain path, no tools in the prompt */
    st = serve(&srv,
               "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"tools\": [" WEATHER
               "], "
               "\"tool_choice\": \"none\", \"temperature\": 0, \"max_tokens\": 5}",
               &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && a.calls == 0 && a.ptok < 20,
          "driver: tool_choice none is a plain answer (%d prompt tokens)", a.ptok);
    /* a built-in tool: run by the server (the fake), its result read, then a text answer */
    static const char *const builtins[] = { "list_objects", NULL };
    srv.builtin_tools = builtins;
    srv.run_tool = fake_run;
    tool_runs = 0;
    st = serve(
        &srv,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Which notes are there?\"}], "
        "\"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"list_objects\"}}, "
        "\"temperature\": 0, \"max_tokens\": 16}",
        &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && tool_runs == 1 && a.runs == 1 && a.calls == 0 && !a.null_content &&
              strstr(c.body.p, "\"tool_runs\": [{\"name\": \"list_objects\"") &&
              strstr(c.body.p, "\"status\": 200") && !strncmp(ran_args, "list_objects {", 14),
          "driver: a built-in call runs in the server and the answer lists it: %s", c.body.p);
    long_result = 60;
    st = serve(
        &srv,
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Which notes are there?\"}], "
        "\"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"list_objects\"}}, "
        "\"temperature\": 0, \"max_tokens\": 16}",
        &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && a.runs == 1 && strstr(c.body.p, "\"result_bytes\": 4533,") &&
              a.content[0],
          "driver: a result longer than the context has room for is cut to fit: %s", c.body.p);
    long_result = 0;
    /* a client tool is never run, even beside built-ins */
    tool_runs = 0;
    st = serve(&srv, forced, &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && tool_runs == 0 && a.calls == 1 && !strcmp(a.name, "get_weather"),
          "driver: a client's tool is returned, not run");
    /* streaming: tool_calls deltas */
    snprintf(body, sizeof(body),
             "%.*s, \"stream\": true, \"stream_options\": {\"include_usage\": true}}",
             (int)strlen(forced) - 1, forced);
    st = serve(&srv, body, &c);
    const char *p = c.body.p ? c.body.p : "";
    check(c.begun && strstr(p, "\"delta\": {\"role\": \"assistant\", \"content\": null}") &&
              strstr(p, "\"tool_calls\": [{\"index\": 0, \"id\": \"call_") &&
              strstr(p, "\"tool_calls\": [{\"index\": 0, \"function\": {\"arguments\": \"{") &&
              strstr(p, "\"finish_reason\": \"tool_calls\"") &&
              strstr(p, "\"choices\": [], \"usage\"") && strstr(p, "data: [DONE]\n\n"),
          "driver: streamed tool calls: %s", p);
    /* every SSE event is JSON */
    ok = 1;
    for (const char *q = p; (q = strstr(q, "data: ")); q += 6) {
        const char *e = strstr(q, "\n\n");
        if (!e || !strncmp(q + 6, "[DONE]", 6))
            continue;
        struct json_doc d;
        struct json_error je;
        ok &= oa_json_parse(&d, q + 6, (size_t)(e - q - 6), &je) == 0;
        oa_json_free(&d);
    }
    check(ok, "driver: every streamed event parses");
    srv.builtin_tools = NULL;
    srv.run_tool = NULL;
    /* a prompt past the context */
    char *huge = malloc(20000);
    strcpy(huge, "{\"messages\": [{\"role\": \"user\", \"content\": \"");
    for (int i = 0; i < 600; i++)
        strcat(huge, "word ");
    strcat(huge, "\"}], \"tools\": [" WEATHER "], \"tool_choice\": \"required\"}");
    st = serve(&srv, huge, &c);
    check(st == 400 && strstr(c.body.p, "context_length_exceeded"),
          "driver: too long a prompt is 400");
    /* more characters than the context has positions, fewer tokens: it fits
     * (inf_session_prompt encodes with room for a token per character) */
    strcpy(huge, "{\"messages\": [{\"role\": \"user\", \"content\": \"");
    for (int i = 0; i < 150; i++)
        strcat(huge, "the cat ");
    strcat(huge, "\"}], \"max_tokens\": 4, \"temperature\": 0}");
    st = serve(&srv, huge, &c);
    got = answer(c.body.p, &a);
    check(st == 200 && got && a.ptok > 150 && a.ptok < 512,
          "driver: a 1200-character prompt of %d tokens fits a "
          "context of 512",
          a.ptok);
    free(huge);
    anx_buf_free(&c.body);
    inf_model_free(&model);
    free(md);
    free(td);
}

static void test_json_answer(void)
{
    struct oa_tool_calls tc = { 0 };
    tc.n = 1;
    strcpy(tc.c[0].id, "call_3_0");
    strcpy(tc.c[0].name, "f");
    tc.c[0].arguments = "{\"a\": \"\\\"q\\\"\"}";
    struct oa_meta m = { OA_CHAT, "chatcmpl-3", 42, "m", NULL };
    struct inf_usage u = { .prompt_tokens = 5, .completion_tokens = 7 };
    struct anx_buf b = { 0 };
    oa_tool_response_json(&b, &m, NULL, &tc, "tool_calls", u, NULL, 0);
    check(
        !strcmp(
            b.p,
            "{\"id\": \"chatcmpl-3\", \"object\": \"chat.completion\", \"created\": 42, \"model\": \"m\", "
            "\"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": null, "
            "\"tool_calls\": [{\"id\": \"call_3_0\", \"type\": \"function\", \"function\": {\"name\": \"f\", "
            "\"arguments\": \"{\\\"a\\\": \\\"\\\\\\\"q\\\\\\\"\\\"}\"}}]}, \"logprobs\": null, "
            "\"finish_reason\": \"tool_calls\"}], \"usage\": {\"prompt_tokens\": 5, \"completion_tokens\": 7, "
            "\"total_tokens\": 12}}\n"),
        "answer: the exact JSON of a tool call: %s", b.p);
    anx_buf_free(&b);
}

int main(void)
{
    test_validate();
    test_template();
    test_parse();
    test_jsm();
    test_random_logits();
    test_builtins();
    test_json_answer();
    test_driver();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
