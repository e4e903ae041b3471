/*
 * Models in memory: the llama2.c checkpoint loader, format detection, and
 * what both formats share (shape checks, f32 copies of norm weights).
 */
#include "infer.h"
#include "gguf.h"

int inf_oom(char *err, const char *name, const char *what, size_t wanted)
{
    size_t free_bytes = anx_mem_free_bytes(NULL);   /* on a host: its free physical memory */
    snprintf(err, INF_ERR_MAX, "%s%sout of memory for %s: %zu bytes wanted, %zu bytes free",
             name ? name : "", name ? ": " : "", what, wanted, free_bytes);
    return ANX_ENOMEM;
}

static int32_t rd_i32(const uint8_t *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Sanity limits: anything outside is a corrupt header, not a model. */
int inf_config_check(const char *name, struct inf_config *c, char *err)
{
#define LIM(f, lo, hi) \
    if (c->f < (lo) || c->f > (hi)) { \
        snprintf(err, INF_ERR_MAX, "%s: %s = %d is out of range %d..%d", name, #f, c->f, lo, hi); \
        return -1; \
    }
    LIM(dim, 1, 1 << 16);
    LIM(hidden_dim, 1, 1 << 18);
    LIM(n_layers, 1, 1024);
    LIM(n_heads, 1, 1024);
    LIM(n_kv_heads, 1, c->n_heads);
    LIM(vocab_size, 1, 1 << 22);
    LIM(seq_len, 1, 1 << 20);
#undef LIM
    if (c->dim % c->n_heads) {
        snprintf(err, INF_ERR_MAX, "%s: dim %d is not a multiple of n_heads %d", name, c->dim, c->n_heads);
        return -1;
    }
    if (c->n_heads % c->n_kv_heads) {
        snprintf(err, INF_ERR_MAX, "%s: n_heads %d is not a multiple of n_kv_heads %d", name,
                 c->n_heads, c->n_kv_heads);
        return -1;
    }
    c->head_size = c->dim / c->n_heads;
    if (c->head_size % 2 || c->head_size > 512) {
        snprintf(err, INF_ERR_MAX, "%s: head size %d must be even and at most 512", name, c->head_size);
        return -1;
    }
    c->kv_dim = c->head_size * c->n_kv_heads;
    return 0;
}

/* ---- llama2.c checkpoint ------------------------------------------------------------ */

struct cursor {
    const char *name;
    const uint8_t *base;
    size_t size, off;
    char *err;
};

/* Take an f32 tensor of ne0 x ne1 at the cursor. */
static int take(struct cursor *c, struct tn_tensor *t, const char *what, int layer, int64_t ne0,
                int64_t ne1)
{
    size_t need = (size_t)ne0 * (size_t)ne1 * 4;
    if (c->off > c->size || c->size - c->off < need) {
        char lw[48] = "";
        if (layer >= 0)
            snprintf(lw, sizeof(lw), "layer %d ", layer);
        snprintf(c->err, INF_ERR_MAX, "%s: truncated: %s%s needs %zu bytes at offset %zu, file has %zu",
                 c->name, lw, what, need, c->off, c->size);
        return -1;
    }
    int64_t ne[2] = { ne0, ne1 };
    char tn[TN_NAME_MAX];
    if (layer >= 0)
        snprintf(tn, sizeof(tn), "blk.%d.%s", layer, what);
    else
        snprintf(tn, sizeof(tn), "%s", what);
    tn_tensor_view(t, tn, TN_F32, ne1 > 1 ? 2 : 1, ne, c->base + c->off);
    c->off += need;
    return 0;
}

int inf_load_llama2c(struct inf_model *m, const char *name, const void *data, size_t size,
                     char *err)
{
    const uint8_t *p = data;
    memset(m, 0, sizeof(*m));
    snprintf(m->format, sizeof(m->format), "llama2c");
    snprintf(m->name, sizeof(m->name), "%s", name);
    if (size < 28) {
        snprintf(err, INF_ERR_MAX, "%s: truncated: the header needs 28 bytes, file has %zu", name, size);
        return -1;
    }
    if ((uintptr_t)data % 4) {
        snprintf(err, INF_ERR_MAX, "%s: model data is not 4-byte aligned in memory", name);
        return -1;
    }
    struct inf_config *c = &m->cfg;
    c->dim = rd_i32(p);
    c->hidden_dim = rd_i32(p + 4);
    c->n_layers = rd_i32(p + 8);
    c->n_heads = rd_i32(p + 12);
    c->n_kv_heads = rd_i32(p + 16);
    int32_t vocab = rd_i32(p + 20);
    c->seq_len = rd_i32(p + 24);
    c->shared_classifier = vocab > 0;
    c->vocab_size = vocab == INT32_MIN ? 0 : vocab < 0 ? -vocab : vocab;
    c->rope_base = 10000.0f;
    c->rms_eps = 1e-5f;
    if (inf_config_check(name, c, err) < 0)
        return -1;
    m->layers = anx_calloc((size_t)c->n_layers, sizeof(struct inf_layer));
    if (!m->layers)
        return inf_oom(err, name, "the layer table", (size_t)c->n_layers * sizeof(struct inf_layer));
    struct cursor cu = { name, p, size, 28, err };
    int L = c->n_layers, D = c->dim, H = c->hidden_dim, KV = c->kv_dim;
    if (take(&cu, &m->tok_emb, "token_embd", -1, D, c->vocab_size) < 0)
        goto fail;
    /* llama2.c stores each kind for all layers together */
#define ALL(field, what, ne0, ne1) \
    for (int l = 0; l < L; l++) \
        if (take(&cu, &m->layers[l].field, what, l, ne0, ne1) < 0) goto fail;
    ALL(att_norm, "attn_norm", D, 1);
    ALL(wq, "wq", D, D);
    ALL(wk, "wk", D, KV);
    ALL(wv, "wv", D, KV);
    ALL(wo, "wo", D, D);
    ALL(ffn_norm, "ffn_norm", D, 1);
    ALL(w1, "w1", D, H);
    ALL(w2, "w2", H, D);
    ALL(w3, "w3", D, H);
#undef ALL
    if (take(&cu, &m->out_norm, "output_norm", -1, D, 1) < 0)
        goto fail;
    /* llama2.c's legacy RoPE tables (unused: RoPE is computed) come next;
     * a file that lacks them is truncated */
    size_t freq = (size_t)c->seq_len * (size_t)c->head_size / 2 * 4 * 2;
    if (size - cu.off < freq) {
        snprintf(err, INF_ERR_MAX, "%s: truncated: freq_cis needs %zu bytes at offset %zu, file has %zu",
                 name, freq, cu.off, size);
        goto fail;
    }
    cu.off += freq;
    if (c->shared_classifier) {
        m->wcls = m->tok_emb;
        snprintf(m->wcls.name, sizeof(m->wcls.name), "output");
    } else if (take(&cu, &m->wcls, "output", -1, D, c->vocab_size) < 0) {
        goto fail;
    }
    return 0;
fail:
    inf_model_free(m);
    return -1;
}

/* The loaders say -1 for bytes they cannot use and pass inf_oom's
 * ANX_ENOMEM up; at the module's boundary the first is ANX_EINVAL. */
static int load_error(int rc)
{
    return rc == ANX_ENOMEM ? ANX_ENOMEM : ANX_EINVAL;
}

int inf_model_load(struct inf_model *m, const char *name, const void *data, size_t size,
                   const void *tok, size_t tok_size, char *err)
{
    int rc;
    if (size >= 4 && memcmp(data, "GGUF", 4) == 0)
        rc = inf_load_gguf(m, name, data, size, err);
    else
        rc = inf_load_llama2c(m, name, data, size, err);
    if (rc < 0)
        return load_error(rc);
    if (tok) {
        if (m->has_tokenizer)
            inf_tokenizer_free(&m->tok);
        m->has_tokenizer = false;
        rc = inf_tokenizer_load_bin(&m->tok, "tokenizer", tok, tok_size, m->cfg.vocab_size, err);
        if (rc < 0) {
            inf_model_free(m);
            return load_error(rc);
        }
        m->has_tokenizer = true;
    }
    if (!m->has_tokenizer) {
        snprintf(err, INF_ERR_MAX, "%s: no tokenizer (give a tokenizer.bin)", name);
        inf_model_free(m);
        return ANX_EINVAL;
    }
    return 0;
}

void inf_model_free(struct inf_model *m)
{
    if (m->has_tokenizer)
        inf_tokenizer_free(&m->tok);
    anx_free(m->layers);
    anx_free(m->owned);
    memset(m, 0, sizeof(*m));
}

void inf_model_describe(const struct inf_model *m, char *buf, size_t n)
{
    const struct inf_config *c = &m->cfg;
    snprintf(buf, n, "%s dim=%d hidden=%d layers=%d heads=%d/%d vocab=%d ctx=%d weights=%s%s",
             m->format, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
             c->vocab_size, c->seq_len, tn_dtype_name(c->n_layers ? m->layers[0].wq.dtype : TN_F32),
             c->shared_classifier ? " shared-classifier" : "");
}
