/* modules/pipelines: the placeholders of step inputs (template.c) and the
 * JSON field lookup behind them (json_path.c): each form, the JSON it
 * makes (checked by parsing it back with the same finder), malformed
 * placeholders, missing fields, answers that are not JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <anx/errno.h>
#include "pipelines.h"

static int failed, passed;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "  %s:%d: %s\n", __FILE__, __LINE__, #c);                              \
            bad = 1;                                                                               \
        }                                                                                          \
    } while (0)
#define END(name)                                                                                  \
    do {                                                                                           \
        if (bad) {                                                                                 \
            failed++;                                                                              \
            printf("FAIL %s\n", name);                                                             \
        } else {                                                                                   \
            passed++;                                                                              \
            printf("ok   %s\n", name);                                                             \
        }                                                                                          \
    } while (0)

static const char *summary = "{\"id\": \"cmpl-1\", \"choices\": [{\"text\": \" Once \\\"upon\\\"\\n"
                             "a \\u00e9t\\u00e9 \\ud83d\\ude00\", \"index\": 0}], "
                             "\"usage\": {\"prompt_tokens\": 7, \"ok\": true, \"x\": null}}";

static char err[200];

/* expand t with input "doc \"1\"\n" and step "summary"; NULL on error */
static const char *expand(const char *t, int *e)
{
    static struct anx_buf out;
    anx_buf_free(&out);
    out = (struct anx_buf){ 0 };
    struct pl_value v[] = { { "input", "doc \"1\"\n", 8 },
                            { "summary", summary, strlen(summary) } };
    err[0] = 0;
    *e = pl_template_expand(t, strlen(t), v, 2, &out, err, sizeof err);
    return *e ? NULL : out.p ? out.p : "";
}

static void forms(void)
{
    int bad = 0, e;
    const char *r;
    CHECK((r = expand("plain text", &e)) && !strcmp(r, "plain text"));
    CHECK((r = expand("", &e)) && !strcmp(r, ""));
    CHECK((r = expand("{\"prompt\": {{input}}}", &e)) &&
          !strcmp(r, "{\"prompt\": \"doc \\\"1\\\"\\n\"}"));
    CHECK((r = expand("{{ input | raw }}", &e)) && !strcmp(r, "doc \"1\"\n"));
    CHECK((r = expand("{{input|raw}}", &e)) && !strcmp(r, "doc \"1\"\n"));
    CHECK((r = expand("{\"n\": {{summary.usage.prompt_tokens}}}", &e)) && !strcmp(r, "{\"n\": 7}"));
    CHECK((r = expand("{{summary.usage}}", &e)) &&
          !strcmp(r, "{\"prompt_tokens\": 7, \"ok\": true, \"x\": null}"));
    CHECK((r = expand("[{{summary.usage.ok}},{{summary.usage.x}}]", &e)) &&
          !strcmp(r, "[true,null]"));
    /* a string field stays a JSON string; |raw gives its text */
    CHECK((r = expand("{{summary.choices.0.text}}", &e)) &&
          !strcmp(r, "\" Once \\\"upon\\\"\\na \\u00e9t\\u00e9 \\ud83d\\ude00\""));
    CHECK((r = expand("{{summary.choices.0.text|raw}}", &e)) &&
          !strcmp(r, " Once \"upon\"\na \xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80"));
    CHECK((r = expand("id={{summary.id|raw}}.", &e)) && !strcmp(r, "id=cmpl-1."));
    /* the whole answer as a string, then the same made JSON-safe twice */
    CHECK((r = expand("{{summary}}", &e)) && r[0] == '"');
    const char *v;
    size_t vl;
    CHECK(r && pl_json_find(r, strlen(r), "", 0, &v, &vl) == 0 && vl == strlen(r));
    /* single braces are text */
    CHECK((r = expand("{\"a\": {\"b\": {{input}}}}", &e)) &&
          !strcmp(r, "{\"a\": {\"b\": \"doc \\\"1\\\"\\n\"}}"));
    END("placeholder forms");
}

static void errors(void)
{
    int bad = 0, e;
    CHECK(!expand("{{summary.choices.1.text}}", &e) && e == ANX_ENOENT &&
          strstr(err, "no field 'choices.1.text'"));
    CHECK(!expand("{{summary.nope}}", &e) && e == ANX_ENOENT);
    CHECK(!expand("{{summary.id.x}}", &e) && e == ANX_ENOENT); /* a string has no fields */
    CHECK(!expand("{{input.x}}", &e) && e == ANX_EINVAL && strstr(err, "not JSON"));
    CHECK(!expand("{{other}}", &e) && e == ANX_EINVAL && strstr(err, "'other' has no value"));
    CHECK(!expand("{{input", &e) && e == ANX_EINVAL && strstr(err, "not closed"));
    CHECK(!expand("{{}}", &e) && e == ANX_EINVAL);
    CHECK(!expand("{{input|json}}", &e) && e == ANX_EINVAL && strstr(err, "unknown filter 'json'"));
    CHECK(!expand("{{summary..a}}", &e) && e == ANX_EINVAL && strstr(err, "empty field"));
    CHECK(!expand("{{Input}}", &e) && e == ANX_EINVAL);
    /* the scanner reports where a bad one starts */
    size_t pos = 0;
    struct pl_ref ref;
    const char *t = "ok {{input}} then {{bad";
    CHECK(pl_template_next(t, strlen(t), &pos, &ref, err, sizeof err) == 1);
    CHECK(ref.start == 3 && ref.end == 12 && ref.name_len == 5 && !ref.raw);
    CHECK(pl_template_next(t, strlen(t), &pos, &ref, err, sizeof err) == -1 && pos == 18);
    pos = 0;
    CHECK(pl_template_next("none", 4, &pos, &ref, err, sizeof err) == 0);
    END("malformed placeholders and missing fields");
}

static void json_find(void)
{
    int bad = 0;
    const char *v;
    size_t vl;
#define FIND(j, p) pl_json_find(j, strlen(j), p, strlen(p), &v, &vl)
    CHECK(FIND(" [1, [2, {\"k\": -3.5e+2}]] ", "1.1.k") == 0 && vl == 7 &&
          !memcmp(v, "-3.5e+2", 7));
    CHECK(FIND("[1, 2]", "2") == ANX_ENOENT);
    CHECK(FIND("[1, 2]", "x") == ANX_ENOENT);
    CHECK(FIND("{\"a\": 1}", "a") == 0 && *v == '1');
    CHECK(FIND("{\"a\": 1,}", "a") == 0);          /* found before the flaw ... */
    CHECK(FIND("{\"a\": 1,}", "b") == ANX_EINVAL); /* ... which a search past it meets */
    CHECK(FIND("{\"a\": 01x}", "") == ANX_EINVAL);
    CHECK(FIND("{\"a\": \"x\ty\"}", "a") == ANX_EINVAL); /* raw control in a string */
    CHECK(FIND("{\"a\": \"\\q\"}", "a") == ANX_EINVAL);
    CHECK(FIND("{\"a\": \"\\u12G4\"}", "a") == ANX_EINVAL);
    CHECK(FIND("{\"a\": tru}", "a") == ANX_EINVAL);
    CHECK(FIND("", "") == ANX_EINVAL);
    CHECK(FIND("\"unterminated", "") == ANX_EINVAL);
    CHECK(FIND("{\"a\": [}", "a") == ANX_EINVAL);
    /* nesting is bounded */
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 200);
    CHECK(pl_json_find(deep, 400, "", 0, &v, &vl) == ANX_EINVAL);
    CHECK(pl_json_find(deep + 150, 100, "", 0, &v, &vl) == 0);
    struct anx_buf b = { 0 };
    CHECK(pl_json_unescape("\"a\\u0041\\ud800b\"", 16, &b) == 0 && !strcmp(b.p, "aA\xef\xbf\xbd"
                                                                                "b"));
    anx_buf_free(&b);
    CHECK(pl_json_unescape("\"a", 2, &b) == ANX_EINVAL);
    CHECK(pl_json_unescape("\"a\"x", 4, &b) == ANX_EINVAL);
    anx_buf_free(&b);
    END("JSON field lookup");
}

int main(void)
{
    forms();
    errors();
    json_find();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
