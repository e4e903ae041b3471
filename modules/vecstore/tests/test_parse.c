/*
 * Host tests of the two parsers of untrusted bytes: vector records (the
 * objects, record.h: round trip, every malformed header refused) and the
 * HTTP bodies (req.h: members, escapes, numbers, errors with offsets).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index.h"
#include "record.h"
#include "rank.h"
#include "req.h"

static int passed, failed;
#define CHECK(c, ...) do { static char once_; if (c) { passed += !once_; once_ = 1; } else { failed++;                    \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define OBJ "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_record(void)
{
    struct vec_record r = {.dim = 3, .version = 7, .offset = 120};
    strcpy(r.source, "docs/a.md");
    strcpy(r.object, OBJ);
    strcpy(r.model, "stories260K.bin");
    float v[3] = {0.5f, -0.25f, 1e-3f};
    struct anx_buf b = {0};
    vec_record_encode(&b, &r, v, "hello\0world", 11);
    CHECK(!b.oom, "encode");
    struct vec_record p;
    char err[96];
    CHECK(vec_record_parse(b.p, b.len, &p, err, sizeof(err)) == 0, "parse: %s", err);
    float w[3];
    vec_record_vector(&p, w);
    CHECK(p.dim == 3 && !memcmp(v, w, sizeof(v)), "vector round trip");
    CHECK(!strcmp(p.source, "docs/a.md") && p.version == 7 && p.offset == 120 &&
          !strcmp(p.object, OBJ) && !strcmp(p.model, "stories260K.bin"), "header round trip");
    CHECK(p.text_len == 11 && !memcmp(p.text, "hello\0world", 11), "text round trip");
    /* every prefix of the bytes is refused or (the full header) short text */
    for (size_t n = 0; n < b.len; n++) {
        int rc = vec_record_parse(b.p, n, &p, err, sizeof(err));
        if (rc == 0 && p.text_len >= 11) {
            CHECK(0, "prefix %zu parsed whole", n);
            break;
        }
    }
    anx_buf_free(&b);
    /* without a source: dim and model only */
    struct vec_record q = {.dim = 1};
    strcpy(q.model, "");
    float one = 1;
    vec_record_encode(&b, &q, &one, "", 0);
    CHECK(vec_record_parse(b.p, b.len, &p, err, sizeof(err)) == 0 && !p.source[0] &&
          p.text_len == 0, "no source: %s", err);
    anx_buf_free(&b);

    static const char *bad[] = {
        "",
        "anx-vector 2\ndim 1\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 0\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 99999\nmodel m\n\nxxxx",
        "anx-vector 1\ndim -1\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 1\ndim 1\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\n\nxx",
        "anx-vector 1\ndim 1\nmodel m\nxxxx",
        "anx-vector 1\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 1\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\ncolour red\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\nsource a\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\nsource a\nversion 1\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\nsource a\nversion 1\nobject 12\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\nsource a\nversion 99999999999\nobject " OBJ "\n\nxxxx",
        "anx-vector 1\ndim 1\nmodel m\nsource a\x01\nversion 1\nobject " OBJ "\n\nxxxx",
        "anx-vector 1\ndim 1\nmodelm\n\nxxxx",
        "anx-vector 1\ndim 1\nversion 1\nobject " OBJ "\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 1\noffset 3\nmodel m\n\nxxxx",
        "anx-vector 1\ndim 1x\nmodel m\n\nxxxx",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = 0;
        CHECK(vec_record_parse(bad[i], strlen(bad[i]), &p, err, sizeof(err)) == ANX_EINVAL &&
              err[0], "bad record %zu refused", i);
    }
    const char *good =
        "anx-vector 1\ndim 1\nmodel m\nsource a\nversion 1\nobject " OBJ "\n\nxxxxtext";
    CHECK(vec_record_parse(good, strlen(good), &p, err, sizeof(err)) == 0 && p.text_len == 4,
          "good record: %s", err);
    /* a header that never ends within 1 KiB */
    char big[3000];
    memset(big, 'a', sizeof(big));
    memcpy(big, "anx-vector 1\n", 13);
    CHECK(vec_record_parse(big, sizeof(big), &p, err, sizeof(err)) == ANX_EINVAL, "endless header");
}

static int parse(const char *s, struct vec_req *r, char *err)
{
    return vec_req_parse(s, strlen(s), r, err, 120);
}

static void test_req(void)
{
    struct vec_req r;
    char err[120];
    CHECK(parse("{\"id\": \"n1\", \"text\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\\n\", \"k\": 3}",
                &r, err) == 0, "parse: %s", err);
    CHECK(r.id && !strcmp(r.id, "n1"), "id");
    CHECK(r.text && !strcmp(r.text, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\n") &&
          r.text_len == strlen(r.text), "text decoded: %s", r.text ? r.text : "(null)");
    CHECK(r.has_k && r.k == 3 && !r.vector, "k");
    vec_req_free(&r);
    CHECK(parse(" {\"vector\": [1, -2.5, 3e-2, 0.125E+1, -0], \"other\": {\"a\": [true, null, "
                "false, \"x\", {}]}, \"k\": 10} ", &r, err) == 0, "vector: %s", err);
    CHECK(r.vector && r.dim == 5 && r.vector[0] == 1 && r.vector[1] == -2.5f &&
          fabsf(r.vector[2] - 0.03f) < 1e-7 && r.vector[3] == 1.25f && r.vector[4] == 0,
          "vector values");
    vec_req_free(&r);
    CHECK(parse("{\"vector\": [0e999, 1e-999, 1], \"k\": 0e999}", &r, err) == 0 &&
          r.dim == 3 && r.vector[0] == 0 && r.vector[1] == 0 && r.has_k && r.k == 0,
          "zero with a huge exponent: %s", err);
    vec_req_free(&r);
    CHECK(parse("{\"k\": 1e300}", &r, err) == ANX_EINVAL, "k beyond range");
    vec_req_free(&r);
    CHECK(parse("{}", &r, err) == 0 && !r.id && !r.text && !r.vector && !r.has_k, "empty object");
    CHECK(r.mode == -1, "no retrieval: -1");
    vec_req_free(&r);
    CHECK(parse("{\"text\": \"q\", \"retrieval\": \"lexical\"}", &r, err) == 0 &&
          r.mode == VEC_MODE_LEXICAL, "retrieval lexical: %s", err);
    vec_req_free(&r);
    CHECK(parse("{\"retrieval\": \"cosine\", \"retrieval\": \"hybrid\"}", &r, err) == 0 &&
          r.mode == VEC_MODE_HYBRID, "the last retrieval counts");
    vec_req_free(&r);
    /* a long vector grows */
    char big[40000] = "{\"vector\": [";
    for (int i = 0; i < 1000; i++)
        strcat(big, i ? ",0.5" : "0.5");
    strcat(big, "]}");
    CHECK(parse(big, &r, err) == 0 && r.dim == 1000, "1000 values");
    vec_req_free(&r);

    static const char *bad[] = {
        "", "[]", "{", "{\"text\": }", "{\"text\": 12}", "{\"id\": 1}", "{\"k\": \"3\"}",
        "{\"k\": 2.5}", "{\"vector\": []}", "{\"vector\": [1, \"a\"]}", "{\"vector\": 1}",
        "{\"vector\": [1e999]}", "{\"text\": \"a\"} x", "{\"text\": \"a\",}", "{\"text\" \"a\"}",
        "{\"text\": \"\\x\"}", "{\"text\": \"\\ud800\"}", "{\"text\": \"\\udc00\"}",
        "{\"text\": \"a\x01\"}", "{\"text\": \"\xc3\"}", "{\"text\": \"\xed\xa0\x80\"}",
        "{\"text\": \"\xc0\x80\"}", "{\"a\": tru}", "{\"a\": 01}", "{\"a\": -}", "{\"a\": 1.}",
        "{\"a\": 1e}", "{\"text\": \"unterminated", "{\"a\": [1 2]}",
        "{\"retrieval\": \"bm25\"}", "{\"retrieval\": 1}", "{\"retrieval\": \"hybrid\\u0000\"}",
        "{\"retrieval\": \"Hybrid\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = 0;
        int rc = parse(bad[i], &r, err);
        CHECK(rc == ANX_EINVAL && strstr(err, "at byte"), "bad body %zu refused (%d: %s)", i, rc,
              err);
        vec_req_free(&r);
    }
    /* deep nesting is refused, not a stack overflow */
    char deep[2000] = "{\"a\": ";
    for (int i = 0; i < 500; i++)
        strcat(deep, "[");
    CHECK(parse(deep, &r, err) == ANX_EINVAL && strstr(err, "too deep"), "deep: %s", err);
    vec_req_free(&r);
}

int main(void)
{
    test_record();
    test_req();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
