/*
 * Host test of k-quant GGUF models (needs no testdata): a small llama model
 * with random weights at shapes k-quants take (rows of 256 and 512) is
 * written here as two GGUF files, one with q4_K/q6_K matrices (the
 * q4_K_M mix: q6_K for token_embd, output, attn_v and ffn_down) and one in
 * f32 holding the very values those blocks decode to. Loading and greedy
 * generation from the k-quant file must then follow the f32 file: to float
 * rounding with f32 activations, closely with q8_K activations, and with
 * the same tokens on every kernel table.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "infer.h"
#include "gguf.h"

static int pass, fail;
static char why[512];

#define CHECKF(cond, ...) do { if (!(cond)) { snprintf(why, sizeof(why), __VA_ARGS__); return 0; } } while (0)

static void run(const char *name, int (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("ok   infer: %s\n", name);
        pass++;
    } else {
        printf("FAIL infer: %s: %s\n", name, why);
        fail++;
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static float frand(void)                /* [-1, 1) */
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)(rng >> 40) / 8388608.0f - 1.0f;
}

/* ---- a GGUF v3 writer (the few key types a llama model needs) ------------------------- */

struct gbuf { uint8_t *p; size_t n, cap; };

static void put(struct gbuf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 4096;
        b->p = realloc(b->p, b->cap);
        if (!b->p) { perror("realloc"); exit(1); }
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void u32(struct gbuf *b, uint32_t v) { put(b, &v, 4); }     /* hosts are little-endian */
static void u64(struct gbuf *b, uint64_t v) { put(b, &v, 8); }
static void str(struct gbuf *b, const char *s) { u64(b, strlen(s)); put(b, s, strlen(s)); }
static void kv_u32(struct gbuf *b, const char *k, uint32_t v) { str(b, k); u32(b, GGUF_U32); u32(b, v); }
static void kv_f32(struct gbuf *b, const char *k, float v) { str(b, k); u32(b, GGUF_F32); put(b, &v, 4); }
static void kv_str(struct gbuf *b, const char *k, const char *v) { str(b, k); u32(b, GGUF_STRING); str(b, v); }

enum { D = 256, H = 512, L = 2, NH = 4, NKV = 2, KV = D / NH * NKV, V = 300, CTX = 64 };

struct wt {
    char name[48];
    int64_t ne0, ne1;
    uint32_t ggml;                      /* the type written */
    enum tn_dtype dt;
    float *w;                           /* ne0 * ne1 values */
};
static struct wt wts[3 + 9 * L];
static int nwts;

static int ggml_of(enum tn_dtype dt)
{
    return dt == TN_Q4_K ? GGML_Q4_K : dt == TN_Q6_K ? GGML_Q6_K : GGML_F32;
}

/* The GGUF of the weights in wts, each in its dtype, or all f32. */
static void *write_model(int all_f32, size_t *size)
{
    struct gbuf b = { 0 };
    u32(&b, 0x46554747u);
    u32(&b, 3);
    u64(&b, (uint64_t)nwts);
    u64(&b, 13);
    kv_str(&b, "general.architecture", "llama");
    kv_str(&b, "general.name", all_f32 ? "kq-f32" : "kq");
    kv_u32(&b, "general.alignment", 32);
    kv_u32(&b, "llama.context_length", CTX);
    kv_u32(&b, "llama.embedding_length", D);
    kv_u32(&b, "llama.block_count", L);
    kv_u32(&b, "llama.feed_forward_length", H);
    kv_u32(&b, "llama.attention.head_count", NH);
    kv_u32(&b, "llama.attention.head_count_kv", NKV);
    kv_f32(&b, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    /* a SentencePiece vocabulary: <unk> <s> </s>, the 256 byte tokens, words */
    kv_str(&b, "tokenizer.ggml.model", "llama");
    str(&b, "tokenizer.ggml.tokens");
    u32(&b, GGUF_ARRAY);
    u32(&b, GGUF_STRING);
    u64(&b, V);
    for (int i = 0; i < V; i++) {
        char t[32];
        if (i < 3)
            snprintf(t, sizeof(t), "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
        else if (i < 259)
            snprintf(t, sizeof(t), "<0x%02X>", i - 3);
        else
            snprintf(t, sizeof(t), "\xe2\x96\x81w%d", i - 259);
        str(&b, t);
    }
    str(&b, "tokenizer.ggml.scores");
    u32(&b, GGUF_ARRAY);
    u32(&b, GGUF_F32);
    u64(&b, V);
    for (int i = 0; i < V; i++) {
        float sc = i < 259 ? 0.0f : -(float)i;
        put(&b, &sc, 4);
    }
    size_t off = 0, bytes[3 + 9 * L];
    for (int i = 0; i < nwts; i++) {
        struct wt *t = &wts[i];
        enum tn_dtype dt = all_f32 ? TN_F32 : t->dt;
        str(&b, t->name);
        u32(&b, t->ne1 > 1 ? 2 : 1);
        u64(&b, (uint64_t)t->ne0);
        if (t->ne1 > 1)
            u64(&b, (uint64_t)t->ne1);
        u32(&b, all_f32 ? GGML_F32 : t->ggml);
        u64(&b, off);
        bytes[i] = tn_row_bytes(dt, t->ne0) * (size_t)t->ne1;
        off = (off + bytes[i] + 31) / 32 * 32;
    }
    static const uint8_t zero[32];
    put(&b, zero, (32 - b.n % 32) % 32);
    size_t data0 = b.n;
    off = 0;
    for (int i = 0; i < nwts; i++) {
        struct wt *t = &wts[i];
        enum tn_dtype dt = all_f32 ? TN_F32 : t->dt;
        put(&b, zero, data0 + off - b.n);
        size_t rb = tn_row_bytes(dt, t->ne0);
        uint8_t *row = malloc(rb ? rb : 1);
        for (int64_t r = 0; r < t->ne1; r++) {
            tn_quantize_row(dt, row, t->w + r * t->ne0, t->ne0);
            put(&b, row, rb);
        }
        free(row);
        off = (off + bytes[i] + 31) / 32 * 32;
    }
    void *p = aligned_alloc(64, (b.n + 63) / 64 * 64);
    memcpy(p, b.p, b.n);
    free(b.p);
    *size = b.n;
    return p;
}

static void add(const char *name, int64_t ne0, int64_t ne1, enum tn_dtype dt, float scale, float bias)
{
    struct wt *t = &wts[nwts++];
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->ne0 = ne0;
    t->ne1 = ne1;
    t->dt = dt;
    t->ggml = (uint32_t)ggml_of(dt);
    t->w = malloc((size_t)(ne0 * ne1) * sizeof(float));
    for (int64_t i = 0; i < ne0 * ne1; i++)
        t->w[i] = bias + scale * frand();
    /* the f32 file holds what the blocks decode to, so both files are one model */
    if (dt != TN_F32) {
        size_t rb = tn_row_bytes(dt, ne0);
        uint8_t *row = malloc(rb);
        for (int64_t r = 0; r < ne1; r++) {
            tn_quantize_row(dt, row, t->w + r * ne0, ne0);
            tn_dequantize_row(dt, t->w + r * ne0, row, ne0);
        }
        free(row);
    }
}

static void build(void)
{
    add("token_embd.weight", D, V, TN_Q6_K, 1.0f, 0.0f);
    add("output_norm.weight", D, 1, TN_F32, 0.1f, 1.0f);
    add("output.weight", D, V, TN_Q6_K, 0.15f, 0.0f);
    for (int l = 0; l < L; l++) {
        char n[48];
#define LAYER(suffix, ne0, ne1, dt, s, b) \
        snprintf(n, sizeof(n), "blk.%d.%s.weight", l, suffix); add(n, ne0, ne1, dt, s, b)
        LAYER("attn_norm", D, 1, TN_F32, 0.1f, 1.0f);
        LAYER("attn_q", D, D, TN_Q4_K, 0.12f, 0.0f);
        LAYER("attn_k", D, KV, TN_Q4_K, 0.12f, 0.0f);
        LAYER("attn_v", D, KV, TN_Q6_K, 0.1f, 0.0f);
        LAYER("attn_output", D, D, TN_Q4_K, 0.06f, 0.0f);
        LAYER("ffn_norm", D, 1, TN_F32, 0.1f, 1.0f);
        LAYER("ffn_gate", D, H, TN_Q4_K, 0.1f, 0.0f);
        LAYER("ffn_down", H, D, TN_Q6_K, 0.05f, 0.0f);
        LAYER("ffn_up", D, H, TN_Q4_K, 0.1f, 0.0f);
#undef LAYER
    }
}

static void *kq, *f32;
static size_t kq_n, f32_n;

/* ---- tests ------------------------------------------------------------------------------ */

static int t_load(void)
{
    struct inf_model m;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&m, "kq.gguf", kq, kq_n, NULL, 0, err) == 0, "%s", err);
    int ok = m.tok_emb.dtype == TN_Q6_K && m.wcls.dtype == TN_Q6_K && m.layers[1].wq.dtype == TN_Q4_K &&
             m.layers[0].wv.dtype == TN_Q6_K && m.layers[0].w2.dtype == TN_Q6_K && m.layers[1].w3.dtype == TN_Q4_K &&
             m.cfg.dim == D && m.cfg.hidden_dim == H && m.cfg.n_kv_heads == NKV && m.cfg.vocab_size == V;
    char d[160];
    inf_model_describe(&m, d, sizeof(d));
    inf_model_free(&m);
    CHECKF(ok, "dtypes or shape: %s", d);
    return 1;
}

/* Greedy from token 1 for n steps, logits of each step in lg (n * V). With
 * feed, step i+1 reads feed[i] instead of the model's own choice (so two
 * models are compared on the same inputs even where near ties part them). */
static int generate(const struct inf_model *m, int n, int *toks, float *lg, const int *feed)
{
    struct inf_state s;
    CHECKF(inf_state_init(&s, &m->cfg, CTX) == 0, "state");
    int t = 1;
    for (int pos = 0; pos < n; pos++) {
        float *l = inf_forward(m, &s, t, pos);
        CHECKF(l, "forward at %d", pos);
        for (int i = 0; i < V; i++)
            CHECKF(isfinite(l[i]), "logit %d at %d not finite", i, pos);
        memcpy(lg + (size_t)pos * V, l, V * sizeof(float));
        toks[pos] = t = inf_argmax(l, V);
        if (feed)
            t = feed[pos];
    }
    inf_state_free(&s);
    return 1;
}

enum { STEPS = 24 };

/* the largest logit difference against the f32 model, relative to the largest logit */
static float rel_diff(const float *a, const float *b, int n)
{
    float d = 0, mx = 0;
    for (int i = 0; i < n; i++) {
        d = fabsf(a[i] - b[i]) > d ? fabsf(a[i] - b[i]) : d;
        mx = fabsf(b[i]) > mx ? fabsf(b[i]) : mx;
    }
    return d / mx;
}

static int t_generate(void)
{
    struct inf_model mk, mf;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&mk, "kq.gguf", kq, kq_n, NULL, 0, err) == 0, "%s", err);
    CHECKF(inf_model_load(&mf, "kq-f32.gguf", f32, f32_n, NULL, 0, err) == 0, "%s", err);
    static float lf[STEPS * V], lk[STEPS * V];
    int tf[STEPS], tk[STEPS], tk0[STEPS], ok = generate(&mf, STEPS, tf, lf, NULL);
    const struct tn_kernels *tabs[4];
    int nt = tn_available_kernels(tabs, 4);
    for (int t = 0; ok && t < nt; t++) {
        tn_select_kernels(tabs[t]->name);
        /* f32 activations: the same model as the f32 file, up to float rounding */
        mk.act = TN_ACT_F32;
        if (!(ok = generate(&mk, STEPS, tk, lk, NULL)))
            break;
        float r = rel_diff(lk, lf, STEPS * V);
        if (r > 1e-4f || memcmp(tk, tf, sizeof(tk))) {
            snprintf(why, sizeof(why), "%s f32 activations: logits differ by %g of the largest", tabs[t]->name, r);
            ok = 0;
            break;
        }
        /* q8_K activations, fed the f32 model's tokens: close logits, mostly
         * the same choices, and the same on every table */
        mk.act = TN_ACT_Q8_0;
        if (!(ok = generate(&mk, STEPS, tk, lk, tf)))
            break;
        r = rel_diff(lk, lf, STEPS * V);
        int same = 0;
        for (int i = 0; i < STEPS; i++) same += tk[i] == tf[i];
        if (t == 0) {
            memcpy(tk0, tk, sizeof(tk));
            printf("     q8_K activations: logits within %.4f of the largest, %d/%d greedy choices as the f32 "
                   "model\n", r, same, STEPS);
        }
        if (r > 0.05f || same < STEPS * 2 / 3 || memcmp(tk, tk0, sizeof(tk))) {
            snprintf(why, sizeof(why), "%s q8_K activations: logits differ by %g, %d/%d choices as f32, %s "
                     "choices as scalar", tabs[t]->name, r, same, STEPS, memcmp(tk, tk0, sizeof(tk)) ? "other" : "same");
            ok = 0;
        }
    }
    tn_select_kernels(tabs[nt - 1]->name);
    inf_model_free(&mk);
    inf_model_free(&mf);
    return ok;
}

struct text { char buf[4096]; size_t n; };
static int collect(void *arg, int token, const char *s, size_t n)
{
    (void)token;
    struct text *t = arg;
    if (t->n + n < sizeof(t->buf)) { memcpy(t->buf + t->n, s, n); t->n += n; t->buf[t->n] = 0; }
    return 0;
}

/* Through a session, as the server runs it: a prompt, then 16 tokens. */
static int t_session(void)
{
    struct inf_model m;
    char err[INF_ERR_MAX];
    CHECKF(inf_model_load(&m, "kq.gguf", kq, kq_n, NULL, 0, err) == 0, "%s", err);
    struct inf_params p = { .max_tokens = 16 };
    struct inf_session *s = inf_session_create(&m, &p, err);
    struct text out = { .n = 0 };
    enum inf_finish f = s ? inf_generate(s, "w1 w2", collect, &out) : INF_FINISH_ERROR;
    CHECKF(s, "session: %.400s", err);
    struct inf_usage u = inf_session_usage(s);
    int n = u.completion_tokens;
    inf_session_free(s);
    inf_model_free(&m);
    CHECKF(f == INF_FINISH_LENGTH && n == 16 && out.n > 0, "finish %s, %d tokens, text \"%.200s\"",
           inf_finish_name(f), n, out.buf);
    return 1;
}

/* A k-quant tensor whose row is not a multiple of 256: a clear message. */
static int t_bad_row(void)
{
    struct wt keep = wts[0];
    wts[0].ne0 = 320;                   /* token_embd: 320 values a row, said to be q4_K */
    wts[0].ggml = GGML_Q4_K;
    wts[0].dt = TN_F32;                 /* written as f32 bytes, typed q4_K */
    size_t n;
    float *w = wts[0].w;
    wts[0].w = calloc(320 * V, sizeof(float));
    void *bad = write_model(0, &n);
    free(wts[0].w);
    wts[0] = keep;
    wts[0].w = w;
    struct inf_model m;
    char err[INF_ERR_MAX] = "";
    int rc = inf_model_load(&m, "bad.gguf", bad, n, NULL, 0, err);
    free(bad);
    CHECKF(rc < 0, "a q4_K row of 320 was accepted");
    CHECKF(strstr(err, "bad.gguf: tensor token_embd.weight: row of 320 is not a multiple of the q4_K block "
                       "(256 values)"), "message: %s", err);
    return 1;
}

int main(void)
{
    build();
    kq = write_model(0, &kq_n);
    f32 = write_model(1, &f32_n);
    printf("     model: dim %d, hidden %d, %d layers, heads %d/%d, vocab %d: q4_K/q6_K %zu bytes, f32 %zu\n",
           D, H, L, NH, NKV, V, kq_n, f32_n);
    run("k-quant GGUF (q4_K, q6_K): loads with its dtypes and shape", t_load);
    run("k-quant GGUF generates as its f32 twin (every kernel table, both activations)", t_generate);
    run("k-quant GGUF generates through a session", t_session);
    run("k-quant tensor with a row not a multiple of 256: a clear error", t_bad_row);
    for (int i = 0; i < nwts; i++)
        free(wts[i].w);
    free(kq);
    free(f32);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
