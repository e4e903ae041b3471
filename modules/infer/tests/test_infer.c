/*
 * Host tests of the infer module. Needs ../shared/testdata/models (the
 * paths come from run.sh through the environment); tests that need a file
 * that is absent are skipped with a message.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/parallel.h>
#include "infer.h"
#include "gguf.h"
#include "expected_stories260K.h"

static int pass, fail, skipped;
static char why[512];

#define CHECKF(cond, ...) do { if (!(cond)) { snprintf(why, sizeof(why), __VA_ARGS__); return 0; } } while (0)

static void run(const char *name, int (*fn)(void))
{
    why[0] = 0;
    int r = fn();
    if (r < 0) {
        printf("skip  infer/%s: %s\n", name, why);
        skipped++;
    } else if (r) {
        printf("ok   infer: %s\n", name);
        pass++;
    } else {
        printf("FAIL infer: %s: %s\n", name, why);
        fail++;
    }
}

static void *slurp(const char *path, size_t *size)
{
    if (!path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = aligned_alloc(64, ((size_t)n + 64) / 64 * 64);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
    fclose(f);
    *size = (size_t)n;
    return p;
}

static void *bin, *tok, *tiny, *gguf_f32, *gguf_q8, *gguf_q4;
static size_t bin_n, tok_n, tiny_n, gguf_f32_n, gguf_q8_n, gguf_q4_n;
/* Every model these tests load comes from ../shared/testdata/models (run.sh
 * passes the paths, and the GGUF conversions made from them, in the
 * environment): without it the test is skipped and says so. */
#define NEED(p) do { if (!(p)) { snprintf(why, sizeof(why), "the model '%s' is not available (../shared/testdata/models is absent)", #p); return -1; } } while (0)

struct text { char buf[16384]; size_t n; int calls; };
static int collect(void *arg, int token, const char *s, size_t n)
{
    (void)token;
    struct text *t = arg;
    if (t->n + n < sizeof(t->buf)) { memcpy(t->buf + t->n, s, n); t->n += n; t->buf[t->n] = 0; }
    t->calls++;
    return 0;
}

/* generate greedily and compare with expected tokens */
static int greedy(const struct inf_model *m, const char *prompt, int steps, const int *want, int nwant,
                  struct text *out)
{
    struct inf_params p = { .steps = steps };
    char err[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(m, &p, err);
    CHECKF(s, "session: %s", err);
    memset(out, 0, sizeof(*out));
    enum inf_finish f = inf_generate(s, prompt, collect, out);
    int n;
    const int *t = inf_session_tokens(s, &n);
    int ok = f == INF_FINISH_LENGTH && n == nwant;
    int at = -1;
    for (int i = 0; ok && i < n; i++)
        if (t[i] != want[i]) { ok = 0; at = i; }
    if (!ok)
        snprintf(why, sizeof(why), "prompt \"%s\" (%s kernels): finish %s, %d tokens (want %d), first difference at %d",
                 prompt, tn_kernels()->name, inf_finish_name(f), n, nwant, at);
    inf_session_free(s);
    return ok;
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int load_stories(struct inf_model *m)
{
    char err[INF_ERR_MAX];
    if (inf_model_load(m, "stories260K.bin", bin, bin_n, tok, tok_n, err) < 0) {
        snprintf(why, sizeof(why), "load: %s", err);
        return 0;
    }
    return 1;
}

static int t_reference_text(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    struct text out;
    int ok = greedy(&m, "", 256, expect_none, N(expect_none), &out);
    const char *ref = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
    if (ok && strncmp(out.buf, ref, strlen(ref)) != 0) {
        snprintf(why, sizeof(why), "text begins \"%.100s\"", out.buf);
        ok = 0;
    }
    inf_model_free(&m);
    return ok;
}

static int t_prompts(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    struct text out;
    int ok = greedy(&m, "Once upon a time", 64, expect_once, N(expect_once), &out) &&
             greedy(&m, "The dog", 64, expect_dog, N(expect_dog), &out);
    inf_model_free(&m);
    return ok;
}

/* The independent scalar path: every op through the scalar kernel table. */
static int t_scalar_cross_check(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    const struct tn_kernels *tabs[4];
    int nt = tn_available_kernels(tabs, 4), ok = 1;
    struct text out;
    for (int i = 0; i < nt && ok; i++) {
        tn_select_kernels(tabs[i]->name);
        ok = greedy(&m, "", 256, expect_none, N(expect_none), &out) &&
             greedy(&m, "The dog", 64, expect_dog, N(expect_dog), &out);
    }
    tn_select_kernels(tabs[nt - 1]->name);
    inf_model_free(&m);
    return ok;
}

static int t_tokenizer_stories(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    int t[64];
    int n = inf_encode(&m.tok, "Once upon a time", true, false, t, 64);
    int ok = n == 5 && t[0] == 1 && t[1] == 403 && t[2] == 407 && t[3] == 261 && t[4] == 378;
    if (!ok) snprintf(why, sizeof(why), "\"Once upon a time\" -> %d tokens", n);
    n = inf_encode(&m.tok, "The dog", true, true, t, 64);
    if (ok && !(n == 5 && t[1] == 291 && t[2] == 400 && t[3] == 428 && t[4] == 2)) {
        snprintf(why, sizeof(why), "\"The dog\" + EOS");
        ok = 0;
    }
    n = inf_encode(&m.tok, "", true, false, t, 64);
    if (ok && !(n == 1 && t[0] == 1)) { snprintf(why, sizeof(why), "empty text"); ok = 0; }
    /* bytes not in the vocabulary fall back to <0xXX> = byte + 3 */
    n = inf_encode(&m.tok, "\xd0\xb6", false, false, t, 64);
    if (ok && !(n == 3 && t[1] == 0xd0 + 3 && t[2] == 0xb6 + 3)) { snprintf(why, sizeof(why), "byte fallback: %d", n); ok = 0; }
    char buf[64];
    inf_decode(&m.tok, 1, 403, buf, sizeof(buf));
    if (ok && strcmp(buf, "Once") != 0) { snprintf(why, sizeof(why), "decode after BOS: '%s'", buf); ok = 0; }
    inf_decode(&m.tok, 403, 407, buf, sizeof(buf));
    if (ok && strcmp(buf, " upon") != 0) { snprintf(why, sizeof(why), "decode: '%s'", buf); ok = 0; }
    inf_decode(&m.tok, 5, 13, buf, sizeof(buf));
    if (ok && strcmp(buf, "\n") != 0) { snprintf(why, sizeof(why), "decode <0x0A>"); ok = 0; }
    CHECKF(ok || why[0], "?");
    n = inf_encode(&m.tok, "Once upon a time", true, false, t, 3);
    if (ok && n != -1) { snprintf(why, sizeof(why), "overflow not reported"); ok = 0; }
    inf_model_free(&m);
    return ok;
}

static int t_sampling(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    int ok = 1;
    int first[2][80];
    for (int r = 0; r < 2 && ok; r++) {
        struct inf_params p = { .steps = 80, .temperature = 0.8f, .top_p = 0.9f, .seed = 42 };
        char err[INF_ERR_MAX];
        struct inf_session *s = inf_session_create(&m, &p, err);
        struct text out = { .n = 0 };
        inf_generate(s, "Once", collect, &out);
        int n;
        const int *t = inf_session_tokens(s, &n);
        memcpy(first[r], t, sizeof(int) * (size_t)(n < 80 ? n : 80));
        struct inf_usage u = inf_session_usage(s);
        if (u.prompt_tokens != 2 || u.completion_tokens < 1 || u.prompt_tokens + u.completion_tokens > 81) {
            snprintf(why, sizeof(why), "usage %d + %d", u.prompt_tokens, u.completion_tokens);
            ok = 0;
        }
        inf_session_free(s);
    }
    if (ok && memcmp(first[0], first[1], sizeof(first[0])) != 0) { snprintf(why, sizeof(why), "same seed, other tokens"); ok = 0; }
    /* plain temperature sampling (no top-p) and max_tokens */
    struct inf_params p = { .temperature = 1.0f, .top_p = 1.0f, .seed = 7, .max_tokens = 10 };
    char err[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(&m, &p, err);
    struct text out = { .n = 0 };
    enum inf_finish f = inf_generate(s, "", collect, &out);
    struct inf_usage u = inf_session_usage(s);
    if (ok && !((f == INF_FINISH_LENGTH && u.completion_tokens == 10) || f == INF_FINISH_STOP)) {
        snprintf(why, sizeof(why), "max_tokens: %s %d", inf_finish_name(f), u.completion_tokens);
        ok = 0;
    }
    inf_session_free(s);
    inf_model_free(&m);
    return ok;
}

static int t_stop_strings(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    const char *stop[] = { "little girl", "zzz" };
    struct inf_params p = { .steps = 256, .stop = stop, .n_stop = 2 };
    char err[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(&m, &p, err);
    struct text out = { .n = 0 };
    enum inf_finish f = inf_generate(s, "", collect, &out);
    int ok = f == INF_FINISH_STOP && strcmp(out.buf, "Once upon a time, there was a ") == 0;
    if (!ok) snprintf(why, sizeof(why), "finish %s, text \"%.200s\"", inf_finish_name(f), out.buf);
    inf_session_free(s);
    /* streaming: the pieces add up to the whole text */
    struct inf_params p2 = { .steps = 30 };
    s = inf_session_create(&m, &p2, err);
    struct text o2 = { .n = 0 };
    inf_generate(s, "", collect, &o2);
    if (ok && (o2.calls < 20 || strncmp(o2.buf, "Once upon a time, there was a little girl", 41))) {
        snprintf(why, sizeof(why), "streaming: %d calls, \"%.200s\"", o2.calls, o2.buf);
        ok = 0;
    }
    inf_session_free(s);
    inf_model_free(&m);
    return ok;
}

static int t_gguf_converted(void)
{
    NEED(gguf_f32); NEED(gguf_q8); NEED(gguf_q4);
    struct inf_model m;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&m, "f32.gguf", gguf_f32, gguf_f32_n, NULL, 0, err) == 0, "%s", err);
    struct text out;
    int ok = greedy(&m, "", 256, expect_none, N(expect_none), &out) &&
             greedy(&m, "The dog", 64, expect_dog, N(expect_dog), &out);
    inf_model_free(&m);
    if (!ok) return 0;
    /* q8_0: sensible English with the same opening */
    CHECKF(inf_model_load(&m, "q8_0.gguf", gguf_q8, gguf_q8_n, NULL, 0, err) == 0, "%s", err);
    CHECKF(m.layers[0].wq.dtype == TN_Q8_0, "q8_0 weights expected");
    struct inf_params p = { .steps = 100 };
    struct inf_session *s = inf_session_create(&m, &p, err);
    memset(&out, 0, sizeof(out));
    inf_generate(s, "", collect, &out);
    inf_session_free(s);
    inf_model_free(&m);
    CHECKF(strncmp(out.buf, "Once upon a time, there was a little girl named Lily", 52) == 0, "q8_0 text: %.80s", out.buf);
    CHECKF(inf_model_load(&m, "q4_0.gguf", gguf_q4, gguf_q4_n, NULL, 0, err) == 0, "%s", err);
    s = inf_session_create(&m, &p, err);
    memset(&out, 0, sizeof(out));
    inf_generate(s, "", collect, &out);
    inf_session_free(s);
    inf_model_free(&m);
    CHECKF(strncmp(out.buf, "Once upon a time", 16) == 0, "q4_0 text: %.80s", out.buf);
    return 1;
}

static int t_tiny_random(void)
{
    NEED(tiny);
    struct inf_model m;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&m, "llama-2-tiny-random.gguf", tiny, tiny_n, NULL, 0, err) == 0, "%s", err);
    static const struct { const char *text; int n; int ids[8]; } cases[] = {
        { "Hello world", 3, { 1, 15043, 3186 } },
        { "Hello", 2, { 1, 15043 } },
        { "The", 2, { 1, 450 } },
        { "\n", 3, { 1, 29871, 13 } },
        { "", 1, { 1 } },
    };
    int ok = m.tok.vocab_size == 32000 && m.tok.bos == 1 && m.tok.eos == 2;
    if (!ok) snprintf(why, sizeof(why), "vocab %d bos %d eos %d", m.tok.vocab_size, m.tok.bos, m.tok.eos);
    for (unsigned c = 0; ok && c < sizeof(cases) / sizeof(cases[0]); c++) {
        int t[32];
        int n = inf_encode(&m.tok, cases[c].text, true, false, t, 32);
        ok = n == cases[c].n && memcmp(t, cases[c].ids, sizeof(int) * (size_t)n) == 0;
        if (!ok) {
            int k = snprintf(why, sizeof(why), "\"%s\" ->", cases[c].text);
            for (int i = 0; i < n && k < 400; i++) k += snprintf(why + k, sizeof(why) - (size_t)k, " %d", t[i]);
        }
    }
    char buf[64];
    inf_decode(&m.tok, 1, 15043, buf, sizeof(buf));
    if (ok && strcmp(buf, "Hello") != 0) { snprintf(why, sizeof(why), "decode 15043: '%s'", buf); ok = 0; }
    /* the forward pass runs and gives finite logits */
    struct inf_state st;
    if (ok && inf_state_init(&st, &m.cfg, 16) == 0) {
        for (int pos = 0; pos < 4 && ok; pos++) {
            float *l = inf_forward(&m, &st, pos ? 15043 : 1, pos);
            for (int i = 0; ok && i < m.cfg.vocab_size; i++)
                if (!l || !isfinite(l[i])) { snprintf(why, sizeof(why), "logit %d not finite", i); ok = 0; }
        }
        inf_state_free(&st);
    }
    inf_model_free(&m);
    return ok;
}

static int t_gpt2_bpe(void)
{
    /* a toy byte-level vocabulary: printable bytes, 'Ġ' (U+0120) for ' ' */
    const char *toks[] = { "h", "e", "l", "o", "w", "r", "d", "\xc4\xa0", "he", "ll", "hell", "hello",
                           "\xc4\xa0w", "\xc4\xa0wor", "or", "\xc4\xa0world", "!", "\xc4\xa0worl" };
    const char *merges[] = { "h e", "l l", "he ll", "hell o", "\xc4\xa0 w", "o r", "\xc4\xa0w or", "\xc4\xa0wor l", "\xc4\xa0worl d" };
    int n = N(toks), nm = N(merges), lens[32], mlens[16];
    for (int i = 0; i < n; i++) lens[i] = (int)strlen(toks[i]);
    for (int i = 0; i < nm; i++) mlens[i] = (int)strlen(merges[i]);
    struct inf_tokenizer t;
    char err[INF_ERR_MAX];
    CHECKF(inf_tokenizer_init(&t, INF_TOK_GPT2, n, toks, lens, NULL, nm, merges, mlens, -1, -1, err) == 0, "%s", err);
    int ids[32];
    int k = inf_encode(&t, "hello world!", true, false, ids, 32);
    /* "hello" | " world" | "!" */
    int ok = k == 3 && ids[0] == 11 && ids[1] == 15 && ids[2] == 16;
    if (!ok) {
        int o = snprintf(why, sizeof(why), "got %d:", k);
        for (int i = 0; i < k && i < 20; i++) o += snprintf(why + o, sizeof(why) - (size_t)o, " %d", ids[i]);
    }
    char buf[64], all[64] = "";
    for (int i = 0; ok && i < k; i++) {
        inf_decode(&t, i ? ids[i - 1] : -1, ids[i], buf, sizeof(buf));
        strcat(all, buf);
    }
    if (ok && strcmp(all, "hello world!") != 0) { snprintf(why, sizeof(why), "decode: '%s'", all); ok = 0; }
    inf_tokenizer_free(&t);
    return ok;
}

/* ---- defensive parsing ----------------------------------------------------------------------- */

static int t_truncated_checkpoint(void)
{
    NEED(bin); NEED(tok);
    char err[INF_ERR_MAX];
    struct inf_model m;
    /* every truncation of the first 64 KiB, then every 997th byte */
    for (size_t n = 0; n < bin_n; n += n < 8192 ? 1 : 997) {
        void *c = aligned_alloc(64, n / 64 * 64 + 64);
        memcpy(c, bin, n);
        int rc = inf_load_llama2c(&m, "model.bin", c, n, err);
        free(c);
        CHECKF(rc < 0, "accepted a file truncated to %zu bytes", n);
        CHECKF(strstr(err, "model.bin: "), "message without the file name: %s", err);
    }
    CHECKF(inf_load_llama2c(&m, "model.bin", bin, bin_n - 1, err) < 0, "accepted size-1");
    CHECKF(strstr(err, "truncated: freq_cis needs") != NULL, "message: %s", err);
    /* at the module's boundary bytes that are not a model are ANX_EINVAL */
    CHECKF(inf_model_load(&m, "model.bin", bin, bin_n - 1, tok, tok_n, err) == ANX_EINVAL, "inf_model_load's code");
    CHECKF(inf_load_llama2c(&m, "model.bin", bin, 190000, err) < 0 &&
           strcmp(err, "model.bin: truncated: layer 3 wq needs 16384 bytes at offset 181532, file has 190000") == 0,
           "message: %s", err);
    /* corrupt header fields */
    int32_t *h = aligned_alloc(64, (bin_n + 63) / 64 * 64);
    const int32_t bad[][2] = { { 0, 0 }, { 0, -64 }, { 1, 0 }, { 2, 100000 }, { 3, 7 }, { 4, 3 }, { 4, 16 },
                               { 5, 0 }, { 5, INT32_MIN }, { 6, -1 }, { 0, 63 } };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memcpy(h, bin, bin_n);
        h[bad[i][0]] = bad[i][1];
        CHECKF(inf_load_llama2c(&m, "model.bin", h, bin_n, err) < 0, "accepted header field %d = %d", bad[i][0], bad[i][1]);
    }
    memcpy(h, bin, bin_n);
    CHECKF(inf_load_llama2c(&m, "model.bin", h, bin_n, err) == 0, "%s", err);
    inf_model_free(&m);
    free(h);
    /* tokenizer.bin: every truncation refused */
    struct inf_tokenizer t;
    for (size_t n = 0; n < tok_n; n++) {
        void *c = malloc(n + 1);
        memcpy(c, tok, n);
        int rc = inf_tokenizer_load_bin(&t, "tok.bin", c, n, 512, err);
        free(c);
        CHECKF(rc < 0, "tokenizer truncated to %zu accepted", n);
    }
    return 1;
}

static int t_truncated_gguf(void)
{
    NEED(tiny); NEED(gguf_f32);
    char err[INF_ERR_MAX];
    struct inf_model m;
    struct gguf_file g;
    const void *files[2] = { tiny, gguf_f32 };
    size_t sizes[2] = { tiny_n, gguf_f32_n };
    for (int f = 0; f < 2; f++) {
        CHECKF(inf_gguf_open(&g, "x.gguf", files[f], sizes[f], err) == 0, "%s", err);
        size_t hdr = g.data_off;
        inf_gguf_close(&g);
        /* every offset of the first 16 KiB and around the end of the header,
         * a stride elsewhere (the tiny model's header is 1.2 MB of vocabulary) */
        for (size_t n = 0; n < sizes[f];
             n += n < 16384 || (n + 256 > hdr && n < hdr + 256) ? 1 : n < hdr ? 4093 : 32749) {
            void *c = aligned_alloc(64, n / 64 * 64 + 64);
            memcpy(c, files[f], n);
            int rc = inf_load_gguf(&m, "model.gguf", c, n, err);
            free(c);
            CHECKF(rc < 0, "file %d truncated to %zu accepted", f, n);
            CHECKF(strncmp(err, "model.gguf: ", 12) == 0, "message: %s", err);
        }
    }
    CHECKF(inf_load_gguf(&m, "model.gguf", tiny, 1000, err) < 0 && strstr(err, "truncated"), "message: %s", err);
    printf("     e.g. %s\n", err);
    return 1;
}

static uint64_t rs = 1234567;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (uint32_t)rs; }

static int t_byte_flips(void)
{
    NEED(tiny); NEED(bin);
    char err[INF_ERR_MAX];
    struct inf_model m;
    struct gguf_file g;
    CHECKF(inf_gguf_open(&g, "x", tiny, tiny_n, err) == 0, "%s", err);
    size_t hdr = g.data_off;
    inf_gguf_close(&g);
    uint8_t *c = aligned_alloc(64, (tiny_n + 63) / 64 * 64);
    int refused = 0, accepted = 0;
    for (int i = 0; i < 400; i++) {
        memcpy(c, tiny, tiny_n);
        int flips = 1 + (int)(rnd() % 4);
        for (int k = 0; k < flips; k++)
            c[rnd() % (i % 2 ? 4096 : hdr)] ^= (uint8_t)(1u << (rnd() % 8));
        if (inf_load_gguf(&m, "model.gguf", c, tiny_n, err) < 0) {
            refused++;
        } else {
            accepted++;              /* harmless flip (a score, a token's text) */
            int t[64];
            inf_encode(&m.tok, "Hello world", true, false, t, 64);
            inf_model_free(&m);
        }
    }
    free(c);
    printf("     gguf byte flips: %d refused, %d accepted harmlessly\n", refused, accepted);
    uint8_t *b = aligned_alloc(64, (bin_n + 63) / 64 * 64);
    for (int i = 0; i < 2000; i++) {
        memcpy(b, bin, bin_n);
        b[rnd() % 28] ^= (uint8_t)(1u << (rnd() % 8));
        if (inf_load_llama2c(&m, "model.bin", b, bin_n, err) == 0)
            inf_model_free(&m);
    }
    free(b);
    return 1;
}

int inf_config_check(const char *name, struct inf_config *c, char *err);

/* Out of memory says how much was wanted and how much is free: a session
 * whose KV cache cannot be had (run.sh lets the allocator return NULL). */
static int t_oom_messages(void)
{
    char err[INF_ERR_MAX];
    CHECKF(inf_oom(err, "model.bin", "the layer table", 1234) == ANX_ENOMEM, "inf_oom's code");
    const char *want = "model.bin: out of memory for the layer table: 1234 bytes wanted, ";
    CHECKF(!strncmp(err, want, strlen(want)) &&
           strstr(err, " bytes free") && !strstr(err, "wanted, 0 bytes free"), "message: %s", err);
    inf_oom(err, NULL, "x", 1);
    want = "out of memory for x: 1 bytes wanted, ";
    CHECKF(!strncmp(err, want, strlen(want)), "no name: %s", err);
    struct inf_config c = { .dim = 64, .hidden_dim = 172, .n_layers = 5, .n_heads = 8, .n_kv_heads = 4,
                            .vocab_size = 512, .seq_len = 512 };
    CHECKF(inf_config_check("cfg", &c, err) == 0, "config: %s", err);
    size_t kv, all = inf_state_bytes(&c, 0, &kv);
    /* x, xb, xb2, q; hb, hb2 (a row per batch token); a score row per head; logits;
     * the matmul scratch */
    CHECKF(kv == 2u * 5 * 512 * 32 * 4 &&
           all == kv + (16u * (4 * 64 + 2 * 172) + 8 * 512 + 512) * 4 + 16 * 172 * 2 + 64,
           "state bytes %zu, kv %zu", all, kv);
    CHECKF(inf_state_bytes(&c, 100, &kv) < all && kv == 2u * 5 * 100 * 32 * 4, "ctx 100: kv %zu", kv);
    /* a model far too large for this machine: the KV cache cannot be had */
    struct inf_model m;
    memset(&m, 0, sizeof(m));
    m.cfg = (struct inf_config){ .dim = 65536, .hidden_dim = 4, .n_layers = 1024, .n_heads = 128, .n_kv_heads = 128,
                                 .vocab_size = 32, .seq_len = 1 << 20 };
    CHECKF(inf_config_check("huge", &m.cfg, err) == 0, "huge config: %s", err);
    struct inf_params p = { 0 };
    struct inf_session *s = inf_session_create(&m, &p, err);
    CHECKF(!s, "a session of a 512 TB KV cache was created");
    CHECKF(strstr(err, "out of memory for the KV cache of 1048576 positions (562949953421312 bytes) and the "
                       "activations: ") && strstr(err, " bytes wanted, ") && strstr(err, " bytes free"),
           "session: %s", err);
    return 1;
}

/* Embeddings: unit length, deterministic, closer for related texts than for
 * unrelated ones, and a clear error past the token limit. */
static float dot(const float *a, const float *b, int n)
{
    float d = 0;
    for (int i = 0; i < n; i++)
        d += a[i] * b[i];
    return d;
}

static int t_embeddings(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    int D = m.cfg.dim, n = 0, ok = 0;
    float *a = malloc(4 * (size_t)D), *a2 = malloc(4 * (size_t)D), *b = malloc(4 * (size_t)D),
          *c = malloc(4 * (size_t)D);
    char err[INF_ERR_MAX];
    if (inf_embed(&m, "The little girl played in the park with her dog.", 0, a, &n, err) < 0 ||
        inf_embed(&m, "The little girl played in the park with her dog.", 0, a2, NULL, err) < 0 ||
        inf_embed(&m, "A little girl was playing with a dog in the park.", 0, b, NULL, err) < 0 ||
        inf_embed(&m, "zzzz 1234 qqqq %%%% xxxx", 0, c, NULL, err) < 0) {
        snprintf(why, sizeof(why), "inf_embed: %s", err);
        goto out;
    }
    float self = dot(a, a, D), near = dot(a, b, D), far = dot(a, c, D);
    if (self < 0.999f || self > 1.001f || memcmp(a, a2, 4 * (size_t)D) || n < 10) {
        snprintf(why, sizeof(why), "|a|^2=%f, deterministic=%d, tokens=%d", self,
                 !memcmp(a, a2, 4 * (size_t)D), n);
        goto out;
    }
    if (!(near > far)) {
        snprintf(why, sizeof(why), "cos(related)=%f is not above cos(unrelated)=%f", near, far);
        goto out;
    }
    if (inf_embed(&m, "Once upon a time there was a big dog.", 4, c, NULL, err) != -1 ||
        !strstr(err, "more than 4 tokens")) {
        snprintf(why, sizeof(why), "a text past the limit: \"%s\"", err);
        goto out;
    }
    ok = 1;
out:
    free(a); free(a2); free(b); free(c);
    inf_model_free(&m);
    return ok;
}

/* A prompt of more bytes than the context has positions still fits when
 * its tokens do (the encoder merges after splitting into bytes). */
static int t_long_prompt(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    const char *text = "Once upon a time, there was a little girl named Lily. She loved to play outside "
                       "in the park.";
    struct inf_params p = {.ctx = 48, .max_tokens = 4};
    char err[INF_ERR_MAX];
    struct inf_session *s = inf_session_create(&m, &p, err);
    int n = s ? inf_session_prompt(s, text) : -2;
    int ok = n > 0 && n < 48 && strlen(text) > 48 + 8;
    if (!ok)
        snprintf(why, sizeof(why), "%zu bytes in a 48-position context: %d tokens", strlen(text), n);
    inf_session_free(s);
    inf_model_free(&m);
    return ok;
}

/* Token ids embed as their text does (BOS first either way); an id past the
 * vocabulary is refused. */
static int t_embed_tokens(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    int D = m.cfg.dim, ids[64], ok = 0;
    float *a = malloc(4 * (size_t)D), *b = malloc(4 * (size_t)D);
    char err[INF_ERR_MAX];
    const char *text = "The dog ran to the park.";
    int n = inf_encode(&m.tok, text, false, false, ids, 64), na = 0, nb = 0;
    if (n <= 0 || inf_embed(&m, text, 0, a, &na, err) < 0 ||
        inf_embed_tokens(&m, ids, n, 0, b, &nb, err) < 0) {
        snprintf(why, sizeof(why), "n=%d: %s", n, err);
        goto out;
    }
    if (na != nb || na != n + 1 || memcmp(a, b, 4 * (size_t)D)) {
        snprintf(why, sizeof(why), "text %d tokens, ids %d tokens, same=%d", na, nb,
                 !memcmp(a, b, 4 * (size_t)D));
        goto out;
    }
    ids[1] = m.cfg.vocab_size;
    if (inf_embed_tokens(&m, ids, n, 0, b, NULL, err) != -1 || !strstr(err, "not in the vocabulary")) {
        snprintf(why, sizeof(why), "a token past the vocabulary: \"%s\"", err);
        goto out;
    }
    if (inf_embed_tokens(&m, ids, 4, 4, b, NULL, err) != -1 || !strstr(err, "more than 4 tokens")) {
        snprintf(why, sizeof(why), "ids past the limit (with BOS): \"%s\"", err);
        goto out;
    }
    ok = 1;
out:
    free(a); free(b);
    inf_model_free(&m);
    return ok;
}

/* inf_session_continue: a second turn runs only the tokens after the common
 * prefix, and gives exactly what a fresh session gives for the whole text. */
static int turn(struct inf_session *s, struct text *out)
{
    out->n = 0;
    out->buf[0] = 0;
    enum inf_finish f;
    while ((f = inf_session_step(s, collect, out)) == INF_RUNNING)
        ;
    return f;
}

static int t_session_continue(void)
{
    NEED(bin); NEED(tok);
    struct inf_model m;
    if (!load_stories(&m)) return 0;
    char err[INF_ERR_MAX], p2[4096];
    struct inf_params p = { .max_tokens = 24 };
    struct inf_session *s = inf_session_create(&m, &p, err), *f = NULL;
    struct text t1, t2, t3;
    int ok = 0, c1 = -1, c2 = -1, c3 = -1;
    int n1 = inf_session_continue(s, &p, "Once upon a time", &c1);
    struct inf_usage u1 = inf_session_usage(s);
    if (n1 != 5 || c1 != 0 || !u1.reused || u1.cached_tokens != 0 || turn(s, &t1) != INF_FINISH_LENGTH) {
        snprintf(why, sizeof(why), "turn 1: %d tokens, %d cached", n1, c1);
        goto out;
    }
    snprintf(p2, sizeof(p2), "Once upon a time%.3000s The dog", t1.buf);
    const char *stop[] = { "park" };      /* parameters change between turns */
    struct inf_params q = { .max_tokens = 30, .stop = stop, .n_stop = 1 };
    int n2 = inf_session_continue(s, &q, p2, &c2);
    struct inf_usage u2 = inf_session_usage(s);
    if (n2 <= n1 + 24 || c2 < n1 + 24 - 2 || c2 >= n2 || u2.cached_tokens != c2 ||
        u2.prompt_tokens != n2 || u2.completion_tokens != 0) {
        snprintf(why, sizeof(why), "turn 2: %d tokens, %d cached (turn 1 had %d + 24)", n2, c2, n1);
        goto out;
    }
    int f2 = turn(s, &t2);
    f = inf_session_create(&m, &q, err);
    if (!f || inf_session_prompt(f, p2) != n2) {
        snprintf(why, sizeof(why), "a fresh session: %s", err);
        goto out;
    }
    int ff = turn(f, &t3);
    if (f2 != ff || strcmp(t2.buf, t3.buf) || inf_session_usage(s).completion_tokens !=
                                                   inf_session_usage(f).completion_tokens) {
        snprintf(why, sizeof(why), "continued \"%.200s\" (%s) != fresh \"%.200s\" (%s)", t2.buf,
                 inf_finish_name(f2), t3.buf, inf_finish_name(ff));
        goto out;
    }
    /* a text the session already holds: all but its last token cached */
    int n3 = inf_session_continue(s, &p, "Once upon a time", &c3);
    if (n3 != 5 || c3 != 4) {
        snprintf(why, sizeof(why), "a prefix: %d tokens, %d cached", n3, c3);
        goto out;
    }
    /* too long a text: refused, and the session still works */
    static char big[40000];
    for (size_t i = 0; i + 4 < sizeof(big); i += 4)
        memcpy(big + i, "dog ", 4);
    big[sizeof(big) - 4] = 0;
    if (inf_session_continue(s, &p, big, &c3) != -1 ||
        inf_session_continue(s, &p, "Once upon a time", &c3) != 5 || turn(s, &t3) != INF_FINISH_LENGTH ||
        strcmp(t3.buf, t1.buf)) {
        snprintf(why, sizeof(why), "after a text too long: \"%.200s\" vs \"%.200s\"", t3.buf, t1.buf);
        goto out;
    }
    if (inf_session_bytes(s) <= inf_state_bytes(&m.cfg, 0, NULL)) {
        snprintf(why, sizeof(why), "inf_session_bytes %zu", inf_session_bytes(s));
        goto out;
    }
    /* a text of more characters than the context has positions, but fewer
     * tokens, fits (SentencePiece merges down from one symbol per byte) */
    static char longtext[1200];
    longtext[0] = 0;
    for (int i = 0; i < 12; i++)
        strcat(longtext, "Lily and Ben went to the park. They saw a big tree. ");
    inf_session_free(f);
    f = inf_session_create(&m, &p, err);
    float *e = malloc(4 * (size_t)m.cfg.dim);
    int np = f ? inf_session_prompt(f, longtext) : -9, ne = 0;
    int re = e ? inf_embed(&m, longtext, 0, e, &ne, err) : -9;
    free(e);
    ok = strlen(longtext) > 600 && np > 100 && np < 512 && re == 0 && ne == np;
    if (!ok)
        snprintf(why, sizeof(why), "%zu characters: prompt %d tokens, embed %d (%d tokens)", strlen(longtext),
                 np, re, ne);
out:
    inf_session_free(s);
    inf_session_free(f);
    inf_model_free(&m);
    return ok;
}

/* One model's prompt of 37 tokens in batches (16 + 16 + 5) and token by
 * token: the same KV cache and final hidden states, bit for bit. */
static int same_bits(const char *name, const void *data, size_t n)
{
    struct inf_model m;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&m, name, data, n, tok, tok_n, err) == 0, "%s: %s", name, err);
    struct inf_state a, b;
    int ok = inf_state_init(&a, &m.cfg, 64) == 0 && inf_state_init(&b, &m.cfg, 64) == 0;
    int toks[37];
    for (int i = 0; i < 37; i++)
        toks[i] = (i * 131 + 7) % m.cfg.vocab_size;
    size_t D = (size_t)m.cfg.dim, kv = (size_t)m.cfg.n_layers * 64 * (size_t)m.cfg.kv_dim;
    const float *ha = NULL, *hb = NULL;
    for (int i = 0; ok && i < 37; i += INF_BATCH) {
        int k = 37 - i < INF_BATCH ? 37 - i : INF_BATCH;
        ok = (ha = inf_forward_batch(&m, &a, toks + i, k, i)) != NULL;
        if (ok)
            ha += (size_t)(k - 1) * D;      /* the batch's last token */
    }
    for (int i = 0; ok && i < 37; i++)
        ok = (hb = inf_forward_hidden(&m, &b, toks[i], i)) != NULL;
    int same = ok && !memcmp(ha, hb, D * 4) && !memcmp(a.key_cache, b.key_cache, kv * 4) &&
               !memcmp(a.value_cache, b.value_cache, kv * 4);
    int bad = 99999;
    int refused = !inf_forward_batch(&m, &a, toks, 0, 0) && !inf_forward_batch(&m, &a, toks, INF_BATCH + 1, 0) &&
                  !inf_forward_batch(&m, &a, toks, 2, 63) && !inf_forward_batch(&m, &a, &bad, 1, 0);
    inf_state_free(&a);
    inf_state_free(&b);
    inf_model_free(&m);
    CHECKF(same, "%s: batched and token-by-token differ", name);
    CHECKF(refused, "%s: an empty or oversized batch, one past the context or a bad token accepted", name);
    return 1;
}

static int t_batch_same_bits(void)
{
    NEED(gguf_f32); NEED(gguf_q8); NEED(gguf_q4);
    return same_bits("f32.gguf", gguf_f32, gguf_f32_n) && same_bits("q8_0.gguf", gguf_q8, gguf_q8_n) &&
           same_bits("q4_0.gguf", gguf_q4, gguf_q4_n);
}

/* The same with two worker threads taking the matmul rows and attention
 * heads (host/workers.c stands in for the image's compute CPUs). */
static int t_parallel_same_bits(void)
{
    NEED(gguf_q8); NEED(gguf_f32); NEED(bin); NEED(tok);
    anx_parallel_set_workers(3);
    int ok = same_bits("q8_0.gguf", gguf_q8, gguf_q8_n) && same_bits("f32.gguf", gguf_f32, gguf_f32_n);
    struct inf_model m;
    if (ok && load_stories(&m)) {
        struct text out;
        ok = greedy(&m, "", 256, expect_none, N(expect_none), &out);
        inf_model_free(&m);
    } else {
        ok = 0;
    }
    anx_parallel_set_workers(1);
    return ok;
}

int main(void)
{
    bin = slurp(getenv("STORIES_BIN"), &bin_n);
    tok = slurp(getenv("STORIES_TOK"), &tok_n);
    tiny = slurp(getenv("TINY_GGUF"), &tiny_n);
    gguf_f32 = slurp(getenv("STORIES_GGUF_F32"), &gguf_f32_n);
    gguf_q8 = slurp(getenv("STORIES_GGUF_Q8"), &gguf_q8_n);
    gguf_q4 = slurp(getenv("STORIES_GGUF_Q4"), &gguf_q4_n);
    run("greedy stories260K, no prompt: the llama2.c reference text", t_reference_text);
    run("greedy with prompts \"Once upon a time\" and \"The dog\"", t_prompts);
    run("every kernel table (scalar reference path) gives the same tokens", t_scalar_cross_check);
    run("tokenizer.bin: encode, byte fallback, decode", t_tokenizer_stories);
    run("sampling: seed, top-p, temperature, usage, max_tokens", t_sampling);
    run("stop strings and streaming", t_stop_strings);
    run("converted GGUF: f32 same tokens, q8_0 and q4_0 sensible", t_gguf_converted);
    run("llama-2-tiny-random.gguf: loads, SentencePiece tokenization, forward", t_tiny_random);
    run("GPT-2 byte-level BPE", t_gpt2_bpe);
    run("truncated and corrupt llama2.c checkpoints refused", t_truncated_checkpoint);
    run("truncated GGUF files refused (every header offset)", t_truncated_gguf);
    run("random byte flips: refused or harmless, never a crash", t_byte_flips);
    run("out of memory: bytes wanted and free", t_oom_messages);
    run("embeddings: unit length, deterministic, related texts closer", t_embeddings);
    run("a prompt longer in bytes than the context, shorter in tokens", t_long_prompt);
    run("embeddings of token ids: as of their text; ids checked", t_embed_tokens);
    run("sessions continued: the common prefix is not run again, same text as fresh", t_session_continue);
    run("a prompt in batches: the same bits as token by token", t_batch_same_bits);
    run("three threads: the same bits, the llama2.c reference text", t_parallel_same_bits);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
