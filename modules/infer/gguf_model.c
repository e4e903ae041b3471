/*
 * A llama-architecture model from a GGUF file: hyperparameters from the
 * llama.* keys, weights by ggml's tensor names (used in place), the
 * tokenizer from tokenizer.ggml.*.
 */
#include "gguf.h"

int inf_config_check(const char *name, struct inf_config *c, char *err);

static int get_req(const struct gguf_file *f, const char *key, int *out, char *err)
{
    int64_t v;
    if (inf_gguf_get_int(f, key, &v) < 0) {
        snprintf(err, INF_ERR_MAX, "%s: missing integer key %s", f->name, key);
        return -1;
    }
    if (v < 0 || v > (1 << 30)) {
        snprintf(err, INF_ERR_MAX, "%s: %s = %lld is out of range", f->name, key, (long long)v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* f32 copy of a small tensor stored in another dtype, in m->owned */
static float *own_f32(struct inf_model *m, const struct gguf_tensor *g, const void *src)
{
    size_t n = (size_t)g->ne[0] * (size_t)(g->ne[1] * g->ne[2] * g->ne[3]);
    if (m->owned_size - m->owned_used < n * 4)
        return NULL;
    float *dst = (float *)((char *)m->owned + m->owned_used);
    tn_dequantize_row((enum tn_dtype)g->dtype, dst, src, (int64_t)n);
    m->owned_used += n * 4;
    return dst;
}

static int bind(struct inf_model *m, const struct gguf_file *f, struct tn_tensor *t, const char *tname,
                int64_t ne0, int64_t ne1, bool need_f32, char *err)
{
    const struct gguf_tensor *g = inf_gguf_find_tensor(f, tname);
    if (!g) {
        snprintf(err, INF_ERR_MAX, "%s: tensor %s is missing", f->name, tname);
        return -1;
    }
    if (g->ne[0] != ne0 || g->ne[1] != ne1 || g->ne[2] != 1 || g->ne[3] != 1) {
        snprintf(err, INF_ERR_MAX, "%s: tensor %s has shape [%lld x %lld x %lld x %lld], expected [%lld x %lld]",
                 f->name, tname, (long long)g->ne[0], (long long)g->ne[1], (long long)g->ne[2],
                 (long long)g->ne[3], (long long)ne0, (long long)ne1);
        return -1;
    }
    if (g->dtype < 0) {
        snprintf(err, INF_ERR_MAX,
                 "%s: tensor %s has ggml type %u; supported: F32, F16, Q4_0, Q8_0, Q4_K, Q6_K",
                 f->name, tname, g->ggml_type);
        return -1;
    }
    const void *data = inf_gguf_tensor_data(f, g);
    int64_t ne[2] = { ne0, ne1 };
    if (need_f32 && g->dtype != TN_F32) {
        float *d = own_f32(m, g, data);
        if (!d) {   /* not the heap: the copies' space was sized from the shapes */
            snprintf(err, INF_ERR_MAX, "%s: %s does not fit the space kept for f32 norm copies", f->name, tname);
            return -1;
        }
        tn_tensor_view(t, tname, TN_F32, ne1 > 1 ? 2 : 1, ne, d);
        return 0;
    }
    if ((uintptr_t)data % (g->dtype == TN_F32 ? 4 : 2)) {
        snprintf(err, INF_ERR_MAX, "%s: tensor %s is misaligned in memory", f->name, tname);
        return -1;
    }
    tn_tensor_view(t, tname, (enum tn_dtype)g->dtype, ne1 > 1 ? 2 : 1, ne, data);
    return 0;
}

static int load_tokenizer(struct inf_model *m, const struct gguf_file *f, char *err)
{
    const char *model;
    size_t mlen;
    if (inf_gguf_get_str(f, "tokenizer.ggml.model", &model, &mlen) < 0)
        return 0;                        /* none: a tokenizer.bin must be given */
    enum inf_tok_type type;
    if (mlen == 5 && memcmp(model, "llama", 5) == 0)
        type = INF_TOK_SPM;
    else if (mlen == 4 && memcmp(model, "gpt2", 4) == 0)
        type = INF_TOK_GPT2;
    else {
        snprintf(err, INF_ERR_MAX, "%s: tokenizer.ggml.model \"%.*s\" is not supported (llama, gpt2)",
                 f->name, (int)(mlen < 40 ? mlen : 40), model);
        return -1;
    }
    const struct gguf_kv *tk = inf_gguf_find(f, "tokenizer.ggml.tokens");
    if (!tk || tk->type != GGUF_ARRAY || tk->arr_type != GGUF_STRING) {
        snprintf(err, INF_ERR_MAX, "%s: tokenizer.ggml.tokens is missing or not an array of strings", f->name);
        return -1;
    }
    if (tk->arr_n != (uint64_t)m->cfg.vocab_size) {
        snprintf(err, INF_ERR_MAX, "%s: tokenizer.ggml.tokens has %llu entries, the model's vocabulary %d",
                 f->name, (unsigned long long)tk->arr_n, m->cfg.vocab_size);
        return -1;
    }
    const struct gguf_kv *sc = inf_gguf_find(f, "tokenizer.ggml.scores");
    if (sc && (sc->type != GGUF_ARRAY || sc->arr_type != GGUF_F32 || sc->arr_n != tk->arr_n)) {
        snprintf(err, INF_ERR_MAX, "%s: tokenizer.ggml.scores is not %llu f32 values", f->name,
                 (unsigned long long)tk->arr_n);
        return -1;
    }
    const struct gguf_kv *mg = inf_gguf_find(f, "tokenizer.ggml.merges");
    if (mg && (mg->type != GGUF_ARRAY || mg->arr_type != GGUF_STRING)) {
        snprintf(err, INF_ERR_MAX, "%s: tokenizer.ggml.merges is not an array of strings", f->name);
        return -1;
    }
    int n = m->cfg.vocab_size, nm = mg && type == INF_TOK_GPT2 ? (int)mg->arr_n : 0;
    const char **toks = anx_calloc((size_t)n + (size_t)nm + 1, sizeof(char *));
    int *lens = anx_calloc((size_t)n + (size_t)nm + 1, sizeof(int));
    float *scores = anx_calloc((size_t)n, sizeof(float));
    int rc = -1;
    if (!toks || !lens || !scores) {
        rc = inf_oom(err, f->name, "the tokenizer", ((size_t)n + (size_t)nm + 1) * (sizeof(char *) + sizeof(int)) +
                (size_t)n * sizeof(float));
        goto out;
    }
    /* walk the arrays once (inf_gguf_arr_str walks from the start each call) */
    size_t off = tk->val;
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        for (int k = 0; k < 8; k++)
            len |= (size_t)f->base[off + k] << (8 * k);
        toks[i] = (const char *)f->base + off + 8;
        if (len > 4096 || memchr(toks[i], 0, len)) {
            snprintf(err, INF_ERR_MAX, "%s: token %d is longer than 4096 bytes or contains NUL", f->name, i);
            goto out;
        }
        lens[i] = (int)len;
        off += 8 + len;
        if (sc)
            inf_gguf_arr_f32(f, sc, (uint64_t)i, &scores[i]);
    }
    if (nm) {
        off = mg->val;
        for (int i = 0; i < nm; i++) {
            size_t len = 0;
            for (int k = 0; k < 8; k++)
                len |= (size_t)f->base[off + k] << (8 * k);
            toks[n + i] = (const char *)f->base + off + 8;
            if (len > 500 || memchr(toks[n + i], 0, len)) {
                snprintf(err, INF_ERR_MAX, "%s: merge %d is longer than 500 bytes or contains NUL", f->name, i);
                goto out;
            }
            lens[n + i] = (int)len;
            off += 8 + len;
        }
    }
    int64_t bos = type == INF_TOK_SPM ? 1 : -1, eos = type == INF_TOK_SPM ? 2 : -1;
    inf_gguf_get_int(f, "tokenizer.ggml.bos_token_id", &bos);
    inf_gguf_get_int(f, "tokenizer.ggml.eos_token_id", &eos);
    if (bos >= n || eos >= n) {
        snprintf(err, INF_ERR_MAX, "%s: bos/eos token id out of the vocabulary", f->name);
        goto out;
    }
    rc = inf_tokenizer_init(&m->tok, type, n, toks, lens, sc ? scores : NULL, nm, toks + n, lens + n,
                            (int)bos, (int)eos, err);
    if (rc == 0) {
        bool sp;
        if (inf_gguf_get_bool(f, "tokenizer.ggml.add_space_prefix", &sp) == 0)
            m->tok.add_space_prefix = sp && type == INF_TOK_SPM;
        m->has_tokenizer = true;
    }
out:
    anx_free(toks);
    anx_free(lens);
    anx_free(scores);
    return rc;
}

int inf_load_gguf(struct inf_model *m, const char *name, const void *data, size_t size, char *err)
{
    struct gguf_file f;
    int rc = -1;          /* or inf_oom's ANX_ENOMEM */
    memset(m, 0, sizeof(*m));
    snprintf(m->format, sizeof(m->format), "gguf");
    if (inf_gguf_open(&f, name, data, size, err) < 0)
        return -1;
    const char *arch;
    size_t alen;
    if (inf_gguf_get_str(&f, "general.architecture", &arch, &alen) < 0) {
        snprintf(err, INF_ERR_MAX, "%s: general.architecture is missing", name);
        goto fail;
    }
    if (alen != 5 || memcmp(arch, "llama", 5) != 0) {
        snprintf(err, INF_ERR_MAX, "%s: architecture \"%.*s\" is not supported (llama)", name,
                 (int)(alen < 40 ? alen : 40), arch);
        goto fail;
    }
    const char *gn;
    size_t gl;
    if (inf_gguf_get_str(&f, "general.name", &gn, &gl) == 0)
        snprintf(m->name, sizeof(m->name), "%.*s", (int)(gl < 63 ? gl : 63), gn);
    else
        snprintf(m->name, sizeof(m->name), "%s", name);
    struct inf_config *c = &m->cfg;
    if (get_req(&f, "llama.embedding_length", &c->dim, err) < 0 ||
        get_req(&f, "llama.feed_forward_length", &c->hidden_dim, err) < 0 ||
        get_req(&f, "llama.block_count", &c->n_layers, err) < 0 ||
        get_req(&f, "llama.attention.head_count", &c->n_heads, err) < 0)
        goto fail;
    c->n_kv_heads = c->n_heads;
    if (inf_gguf_find(&f, "llama.attention.head_count_kv") &&
        get_req(&f, "llama.attention.head_count_kv", &c->n_kv_heads, err) < 0)
        goto fail;
    c->seq_len = 2048;
    if (inf_gguf_find(&f, "llama.context_length") && get_req(&f, "llama.context_length", &c->seq_len, err) < 0)
        goto fail;
    c->rope_base = 10000.0f;
    inf_gguf_get_f32(&f, "llama.rope.freq_base", &c->rope_base);
    c->rms_eps = 1e-5f;
    inf_gguf_get_f32(&f, "llama.attention.layer_norm_rms_epsilon", &c->rms_eps);
    if (!(c->rope_base > 0.0f) || !(c->rms_eps >= 0.0f)) {
        snprintf(err, INF_ERR_MAX, "%s: rope freq_base or rms epsilon out of range", name);
        goto fail;
    }
    const struct gguf_tensor *emb = inf_gguf_find_tensor(&f, "token_embd.weight");
    if (!emb) {
        snprintf(err, INF_ERR_MAX, "%s: tensor token_embd.weight is missing", name);
        goto fail;
    }
    c->vocab_size = emb->ne[1] > (1 << 22) ? -1 : (int)emb->ne[1];
    if (inf_config_check(name, c, err) < 0)
        goto fail;
    int64_t rd;
    if (inf_gguf_get_int(&f, "llama.rope.dimension_count", &rd) == 0 && rd != c->head_size) {
        snprintf(err, INF_ERR_MAX, "%s: llama.rope.dimension_count %lld differs from the head size %d (partial RoPE is not supported)",
                 name, (long long)rd, c->head_size);
        goto fail;
    }
    /* norms stored in f16 get f32 copies */
    m->owned_size = ((size_t)c->n_layers * 2 + 1) * (size_t)c->dim * 4;
    m->owned = anx_malloc(m->owned_size);
    m->layers = anx_calloc((size_t)c->n_layers, sizeof(struct inf_layer));
    if (!m->owned || !m->layers) {
        rc = inf_oom(err, name, "the norms and layer table",
                m->owned_size + (size_t)c->n_layers * sizeof(struct inf_layer));
        goto fail;
    }
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, V = c->vocab_size;
    if (bind(m, &f, &m->tok_emb, "token_embd.weight", D, V, false, err) < 0 ||
        bind(m, &f, &m->out_norm, "output_norm.weight", D, 1, true, err) < 0)
        goto fail;
    if (inf_gguf_find_tensor(&f, "output.weight")) {
        if (bind(m, &f, &m->wcls, "output.weight", D, V, false, err) < 0)
            goto fail;
    } else {
        m->wcls = m->tok_emb;
        c->shared_classifier = true;
    }
    for (int l = 0; l < c->n_layers; l++) {
        struct inf_layer *L = &m->layers[l];
        char tn[TN_NAME_MAX];
#define B(field, suffix, ne0, ne1, f32) \
        snprintf(tn, sizeof(tn), "blk.%d.%s.weight", l, suffix); \
        if (bind(m, &f, &L->field, tn, ne0, ne1, f32, err) < 0) goto fail;
        B(att_norm, "attn_norm", D, 1, true);
        B(wq, "attn_q", D, D, false);
        B(wk, "attn_k", D, KV, false);
        B(wv, "attn_v", D, KV, false);
        B(wo, "attn_output", D, D, false);
        B(ffn_norm, "ffn_norm", D, 1, true);
        B(w1, "ffn_gate", D, H, false);
        B(w2, "ffn_down", H, D, false);
        B(w3, "ffn_up", D, H, false);
#undef B
    }
    if ((rc = load_tokenizer(m, &f, err)) < 0)
        goto fail;
    inf_gguf_close(&f);
    return 0;
fail:
    inf_gguf_close(&f);
    inf_model_free(m);
    return rc;
}
