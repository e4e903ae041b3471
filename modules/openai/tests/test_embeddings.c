/*
 * Host tests of POST /v1/embeddings (embeddings.c): request parsing and its
 * errors, floats that read back to the same float32, base64 against
 * Python's reference bytes, and (with STORIES_BIN/STORIES_TOK set) the
 * driver on stories260K: shape, unit length, determinism, float and base64
 * alike, token arrays, limits. Prints "ok ..." / "FAIL ..." lines.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "embeddings.h"
#include "json.h"
#include "oa_test.h"

static int parse(const char *body, struct oa_embed_request *rq, struct oa_error *e)
{
    return oa_embed_parse(body, strlen(body), rq, e);
}

static void refused(const char *body, int status, const char *param, const char *msg)
{
    struct oa_embed_request rq;
    struct oa_error e;
    int r = parse(body, &rq, &e);
    check(r < 0 && e.status == status && (!param ? !e.param : e.param && !strcmp(e.param, param)) &&
          strstr(e.message, msg), "parse: refuses %s -> %d %s", body, e.status, e.message);
    oa_embed_request_free(&rq);
}

static void test_parse(void)
{
    struct oa_embed_request rq;
    struct oa_error e;
    int r = parse("{\"model\": \"m\", \"input\": \"hello world\"}", &rq, &e);
    check(r == 0 && rq.n == 1 && !strcmp(rq.in[0].text, "hello world") && !strcmp(rq.model, "m") &&
          !rq.base64 && rq.dimensions == 0, "parse: one string");
    oa_embed_request_free(&rq);
    r = parse("{\"input\": [\"a\", \"b\", \"c\"], \"encoding_format\": \"base64\", \"dimensions\": 64, "
              "\"user\": \"u1\"}", &rq, &e);
    check(r == 0 && rq.n == 3 && !strcmp(rq.in[2].text, "c") && rq.base64 && rq.dimensions == 64 && !rq.model,
          "parse: a list of strings, base64, dimensions, user");
    oa_embed_request_free(&rq);
    r = parse("{\"input\": [1, 22, 333]}", &rq, &e);
    check(r == 0 && rq.n == 1 && !rq.in[0].text && rq.in[0].n_ids == 3 && rq.in[0].ids[2] == 333,
          "parse: one token array");
    oa_embed_request_free(&rq);
    r = parse("{\"input\": [[1, 2], \"x\", [3]]}", &rq, &e);
    check(r == 0 && rq.n == 3 && rq.in[0].n_ids == 2 && !strcmp(rq.in[1].text, "x") && rq.in[2].ids[0] == 3,
          "parse: a list of token arrays and strings");
    oa_embed_request_free(&rq);
    refused("{}", 400, "input", "Missing required parameter: 'input'");
    refused("{\"input\": null}", 400, "input", "Missing required parameter");
    refused("{\"input\": 5}", 400, "input", "expected a string or an array, but got number");
    refused("{\"input\": []}", 400, "input", "empty array");
    refused("{\"input\": \"\"}", 400, "input", "'input[0]': an empty string");
    refused("{\"input\": [\"a\", \"\"]}", 400, "input", "'input[1]': an empty string");
    refused("{\"input\": [\"a\", {}]}", 400, "input", "'input[1]': expected a string or an array of token ids");
    refused("{\"input\": [[1, -2]]}", 400, "input", "token ids are integers");
    refused("{\"input\": [1, 2.5]}", 400, "input", "token ids are integers");
    refused("{\"input\": [[]]}", 400, "input", "an empty token array");
    refused("{\"input\": \"a\\u0000b\"}", 400, "input", "NUL");
    refused("{\"input\": \"a\", \"encoding_format\": \"hex\"}", 400, "encoding_format", "'float' or 'base64'");
    refused("{\"input\": \"a\", \"dimensions\": 0}", 400, "dimensions", "positive integer");
    refused("{\"input\": \"a\", \"model\": 3}", 400, "model", "expected a string");
    refused("{\"input\": \"a\", \"user\": 3}", 400, "user", "expected a string");
    refused("[1]", 400, NULL, "must be a JSON object");
    refused("{\"input\": ", 400, NULL, "could not parse the JSON body");
    struct anx_buf b = { 0 };
    anx_buf_puts(&b, "{\"input\": [");
    for (int i = 0; i <= OA_EMBED_MAX_INPUTS; i++)
        anx_buf_puts(&b, i ? ", \"x\"" : "\"x\"");
    anx_buf_puts(&b, "]}");
    refused(b.p, 400, "input", "at most 256 inputs per request, got 257");
    anx_buf_free(&b);
}

static uint32_t rng = 12345;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void test_floats(void)
{
    struct { float f; const char *s; } cases[] = {
        { 0.0f, "0" }, { 1.0f, "1" }, { -1.0f, "-1" }, { 0.5f, "0.5" }, { -0.125f, "-0.125" },
        { 100.0f, "100" }, { 0x1p-24f, "5.96046448e-8" }, { 0x1p70f, "1.18059162e21" },
        { 0.001f, "0.00100000005" },
        { 0.1f, "0.100000001" }, { 123456.789f, "123456.789" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char t[24];
        oa_float_text(t, cases[i].f);
        check(!strcmp(t, cases[i].s), "float: %.9g -> %s (want %s)", (double)cases[i].f, t, cases[i].s);
    }
    char t[24];
    oa_float_text(t, NAN);
    check(!strcmp(t, "0"), "float: NaN -> 0 (JSON has no NaN)");
    /* random bit patterns, every finite one: the text reads back to the same float */
    int bad = 0, n = 0;
    char worst[64] = "";
    for (int i = 0; i < 200000; i++) {
        uint32_t u = next();
        float f;
        memcpy(&f, &u, 4);
        if (!isfinite(f))
            continue;
        n++;
        size_t len = oa_float_text(t, f);
        struct json_doc d;
        struct json_error je;
        float back = strtof(t, NULL);
        int ok = len < 24 && oa_json_parse(&d, t, len, &je) == 0 && d.v[0].type == JSON_NUMBER && back == f;
        oa_json_free(&d);
        if (!ok && !bad++)
            snprintf(worst, sizeof(worst), "%.9g -> %s", (double)f, t);
    }
    check(bad == 0, "float: %d random floats (subnormals to 3e38) are valid JSON and read back exactly (%s)",
          n, worst);
}

static void test_base64(void)
{
    const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    int ok = 1;
    for (int i = 0; i < 7; i++) {
        struct anx_buf b = { 0 };
        oa_base64(&b, in[i], strlen(in[i]));
        ok &= !strcmp(b.p ? b.p : "", want[i]);
        anx_buf_free(&b);
    }
    check(ok, "base64: RFC 4648's test vectors");
    /* [1.0, -2.0] as little-endian float32: 00 00 80 3f 00 00 00 c0 (Python:
     * base64.b64encode(struct.pack('<2f', 1, -2))) */
    float v[2] = { 1.0f, -2.0f };
    struct anx_buf b = { 0 };
    oa_embedding_json(&b, 3, v, 2, true);
    check(!strcmp(b.p, "{\"object\": \"embedding\", \"index\": 3, \"embedding\": \"AACAPwAAAMA=\"}"),
          "embedding: base64 of little-endian float32: %s", b.p);
    anx_buf_reset(&b);
    oa_embedding_json(&b, 0, v, 2, false);
    check(!strcmp(b.p, "{\"object\": \"embedding\", \"index\": 0, \"embedding\": [1, -2]}"),
          "embedding: floats: %s", b.p);
    anx_buf_free(&b);
}

/* ---- the driver on stories260K ------------------------------------------------------------- */

struct cap { struct anx_buf body; int locks, unlocks; };
static void c_lock(void *ctx) { ((struct cap *)ctx)->locks++; }
static void c_unlock(void *ctx) { ((struct cap *)ctx)->unlocks++; }

static int serve(struct oa_server *srv, const char *body, struct cap *c)
{
    struct oa_io io;
    anx_buf_free(&c->body);
    memset(c, 0, sizeof(*c));
    memset(&io, 0, sizeof(io));
    io.ctx = c;
    io.out = &c->body;
    io.lock = c_lock;
    io.unlock = c_unlock;
    oa_serve_embeddings(srv, body, strlen(body), &io);
    return io.status;
}

/* The vectors of an answer: float arrays, or base64 decoded. n vectors of dim. */
static int vectors(const char *body, float *out, int max, int dim, int *tokens)
{
    struct json_doc d;
    struct json_error e;
    if (oa_json_parse(&d, body, strlen(body), &e) < 0)
        return -1;
    int n = 0;
    const struct json_value *data = oa_json_get(&d, &d.v[0], "data");
    for (const struct json_value *x = data ? oa_json_at(&d, data->first) : NULL; x && n < max;
         x = oa_json_at(&d, x->next), n++) {
        const struct json_value *ix = oa_json_get(&d, x, "index"), *em = oa_json_get(&d, x, "embedding");
        if (!ix || ix->num != n || !em) { n = -1; break; }
        if (em->type == JSON_ARRAY) {
            if (em->count != dim) { n = -1; break; }
            int k = 0;
            for (const struct json_value *f = oa_json_at(&d, em->first); f; f = oa_json_at(&d, f->next))
                out[n * dim + k++] = strtof(f->str, NULL);
        } else if (em->type == JSON_STRING) {
            static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            uint8_t bytes[4096];
            size_t nb = 0;
            uint32_t acc = 0;
            int bits = 0;
            for (size_t i = 0; i < em->len && em->str[i] != '='; i++) {
                acc = acc << 6 | (uint32_t)(strchr(A, em->str[i]) - A);
                if ((bits += 6) >= 8) {
                    bits -= 8;
                    bytes[nb++] = (uint8_t)(acc >> bits);
                }
            }
            if (nb != (size_t)dim * 4) { n = -1; break; }
            for (int k = 0; k < dim; k++) {
                uint32_t u = bytes[4 * k] | bytes[4 * k + 1] << 8 | bytes[4 * k + 2] << 16 |
                             (uint32_t)bytes[4 * k + 3] << 24;
                memcpy(&out[n * dim + k], &u, 4);
            }
        } else { n = -1; break; }
    }
    const struct json_value *u = oa_json_get(&d, oa_json_get(&d, &d.v[0], "usage"), "prompt_tokens");
    const struct json_value *tt = oa_json_get(&d, oa_json_get(&d, &d.v[0], "usage"), "total_tokens");
    *tokens = u && tt && u->num == tt->num ? (int)u->num : -1;
    const struct json_value *ob = oa_json_get(&d, &d.v[0], "object");
    if (!ob || strcmp(ob->str, "list"))
        n = -1;
    oa_json_free(&d);
    return n;
}

static void test_serve(void)
{
    void *md, *td;
    struct inf_model model;
    if (load_stories260k("openai/embeddings-serve", "embeddings", &model, &md, &td) <= 0)
        return;
    int D = model.cfg.dim;
    struct oa_server srv = { .model = &model, .model_id = "stories260K.bin" };
    struct cap c = { 0 };
    float *v = calloc(8 * (size_t)D, sizeof(float)), *w = calloc(8 * (size_t)D, sizeof(float));
    int tok = 0, tok2 = 0;

    int st = serve(&srv, "{\"model\": \"stories260K.bin\", \"input\": [\"The cat sat on the mat.\", "
                         "\"The dog ran in the park.\", \"The cat sat on the mat.\"]}", &c);
    int n = vectors(c.body.p, v, 8, D, &tok);
    double norm = 0, same = 0;
    for (int k = 0; k < D; k++)
        norm += (double)v[k] * v[k], same += fabs(v[k] - v[2 * D + k]);
    check(st == 200 && n == 3 && c.locks == 1 && c.unlocks == 1 && fabs(norm - 1) < 1e-5 && same == 0 &&
          memcmp(v, v + D, 4 * (size_t)D) && strstr(c.body.p, "\"model\": \"stories260K.bin\""),
          "embeddings: 3 inputs, %d dimensions, unit length (|v|^2 = %.7f), the same text the same vector",
          D, norm);
    check(tok > 3 * 2, "embeddings: usage prompt_tokens = total_tokens = %d (BOS counted)", tok);
    /* the same request again: bit for bit; base64 gives the very same floats */
    st = serve(&srv, "{\"input\": [\"The cat sat on the mat.\", \"The dog ran in the park.\"], "
                     "\"encoding_format\": \"base64\"}", &c);
    n = vectors(c.body.p, w, 8, D, &tok2);
    check(st == 200 && n == 2 && !memcmp(v, w, 2 * 4 * (size_t)D),
          "embeddings: base64 decodes to the floats of the float answer, bit for bit");
    /* a text and its token ids embed alike */
    int ids[64];
    int ni = inf_encode(&model.tok, "The cat sat on the mat.", false, false, ids, 64);
    struct anx_buf b = { 0 };
    anx_buf_puts(&b, "{\"input\": [");
    for (int i = 0; i < ni; i++)
        anx_buf_printf(&b, "%s%d", i ? ", " : "", ids[i]);
    anx_buf_puts(&b, "]}");
    st = serve(&srv, b.p, &c);
    n = vectors(c.body.p, w, 8, D, &tok2);
    check(st == 200 && n == 1 && !memcmp(v, w, 4 * (size_t)D) && tok2 == ni + 1,
          "embeddings: token ids (%d) give the text's vector", ni);
    anx_buf_free(&b);
    char body[200];
    snprintf(body, sizeof(body), "{\"input\": [%d]}", model.cfg.vocab_size);
    st = serve(&srv, body, &c);
    check(st == 400 && strstr(c.body.p, "not in the vocabulary") && c.unlocks == 1,
          "embeddings: a token id past the vocabulary is 400: %.120s", c.body.p);
    snprintf(body, sizeof(body), "{\"input\": \"x\", \"dimensions\": %d}", D);
    st = serve(&srv, body, &c);
    check(st == 200, "embeddings: dimensions equal to the model's (%d) accepted", D);
    st = serve(&srv, "{\"input\": \"x\", \"dimensions\": 32}", &c);
    check(st == 400 && strstr(c.body.p, "have 64 dimensions, and cannot be shortened (32 asked)") &&
          strstr(c.body.p, "\"param\": \"dimensions\""), "embeddings: other dimensions refused: %.160s", c.body.p);
    st = serve(&srv, "{\"input\": \"x\", \"model\": \"gpt-4\"}", &c);
    check(st == 404 && strstr(c.body.p, "model_not_found"), "embeddings: another model is 404");
    /* too long: 400 with the limit */
    srv.ctx = 8;
    st = serve(&srv, "{\"input\": [\"short\", \"Once upon a time there was a big dog and a small cat.\"]}", &c);
    check(st == 400 && strstr(c.body.p, "'input[1]': the text has more than 8 tokens") &&
          strstr(c.body.p, "context_length_exceeded") && c.unlocks == 1,
          "embeddings: past the context 400, with the limit: %.200s", c.body.p);
    srv.ctx = 0;
    check(srv.embed_requests == 4 && srv.embed_inputs == 7, "embeddings: counted for /metrics (%lu requests, %lu inputs)",
          srv.embed_requests, srv.embed_inputs);
    struct oa_server none = { .model_id = "x", .no_model = "still loading" };
    st = serve(&none, "{\"input\": \"x\"}", &c);
    check(st == 503 && strstr(c.body.p, "model_not_loaded") && c.locks == 0, "embeddings: no model is 503");
    anx_buf_free(&c.body);
    free(v);
    free(w);
    inf_model_free(&model);
    free(md);
    free(td);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_parse();
    test_floats();
    test_base64();
    test_serve();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
