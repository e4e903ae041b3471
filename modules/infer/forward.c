/*
 * The transformer forward pass for one token (llama2.c's run.c semantics):
 * per layer RMSNorm -> q,k,v -> RoPE -> grouped-query attention over the
 * KV cache -> output projection + residual -> RMSNorm -> SwiGLU FFN +
 * residual; final RMSNorm (inf_forward_hidden stops there) and the
 * classifier.
 */
#include "infer.h"

size_t inf_state_bytes(const struct inf_config *c, int ctx, size_t *kv_cache)
{
    if (ctx <= 0 || ctx > c->seq_len)
        ctx = c->seq_len;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    size_t cache = 2 * (size_t)c->n_layers * (size_t)ctx * KV * 4;
    if (kv_cache)
        *kv_cache = cache;
    size_t widest = D > H ? D : H;      /* the matmul scratch inf_state_init reserves */
    return cache + (4 * D + 2 * H + (size_t)c->n_heads * (size_t)ctx + (size_t)c->vocab_size) * 4 +
           widest * 2 + 64;
}

int inf_state_init(struct inf_state *s, const struct inf_config *c, int ctx)
{
    memset(s, 0, sizeof(*s));
    if (ctx <= 0 || ctx > c->seq_len)
        ctx = c->seq_len;
    s->ctx = ctx;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    size_t cache = (size_t)c->n_layers * (size_t)ctx * KV;
    s->x = anx_calloc(D, 4);
    s->xb = anx_calloc(D, 4);
    s->xb2 = anx_calloc(D, 4);
    s->hb = anx_calloc(H, 4);
    s->hb2 = anx_calloc(H, 4);
    s->q = anx_calloc(D, 4);
    s->att = anx_calloc((size_t)c->n_heads * (size_t)ctx, 4);   /* a row per head */
    s->logits = anx_calloc((size_t)c->vocab_size, 4);
    s->key_cache = anx_calloc(cache, 4);
    s->value_cache = anx_calloc(cache, 4);
    /* the q8_0 activations of the widest matmul input, so that a detached
     * forward pass (<anx/smp.h>) never allocates */
    size_t widest = D > H ? D : H;
    if (!s->x || !s->xb || !s->xb2 || !s->hb || !s->hb2 || !s->q || !s->att || !s->logits ||
        !s->key_cache || !s->value_cache || tn_work_reserve(&s->work, widest * 2 + 64) < 0) {
        inf_state_free(s);
        return -1;
    }
    return 0;
}

void inf_state_free(struct inf_state *s)
{
    anx_free(s->x); anx_free(s->xb); anx_free(s->xb2); anx_free(s->hb); anx_free(s->hb2);
    anx_free(s->q); anx_free(s->att); anx_free(s->logits);
    anx_free(s->key_cache); anx_free(s->value_cache);
    tn_work_free(&s->work);
    memset(s, 0, sizeof(*s));
}

float *inf_forward_hidden(const struct inf_model *m, struct inf_state *s, int token, int pos)
{
    const struct inf_config *c = &m->cfg;
    int D = c->dim, H = c->hidden_dim, KV = c->kv_dim, HS = c->head_size;
    if (token < 0 || token >= c->vocab_size || pos < 0 || pos >= s->ctx)
        return NULL;
    struct tn_work *w = &s->work;
    enum tn_act act = m->act;
    tn_dequantize_row(m->tok_emb.dtype, s->x, tn_row(&m->tok_emb, token), D);
    for (int l = 0; l < c->n_layers; l++) {
        const struct inf_layer *L = &m->layers[l];
        size_t layer_off = (size_t)l * (size_t)s->ctx * (size_t)KV;
        float *k = s->key_cache + layer_off + (size_t)pos * KV;
        float *v = s->value_cache + layer_off + (size_t)pos * KV;

        tn_rmsnorm(s->xb, s->x, L->att_norm.data, (size_t)D, c->rms_eps);
        if (tn_matmul(s->q, &L->wq, s->xb, 1, act, w) < 0 ||
            tn_matmul(k, &L->wk, s->xb, 1, act, w) < 0 ||
            tn_matmul(v, &L->wv, s->xb, 1, act, w) < 0)
            return NULL;
        tn_rope(s->q, (size_t)D, (size_t)HS, pos, c->rope_base);
        tn_rope(k, (size_t)KV, (size_t)HS, pos, c->rope_base);
        tn_attention(s->xb, s->q, s->key_cache + layer_off, s->value_cache + layer_off, c->n_heads,
                     c->n_kv_heads, HS, (size_t)KV, pos + 1, s->att, (size_t)s->ctx);
        if (tn_matmul(s->xb2, &L->wo, s->xb, 1, act, w) < 0)
            return NULL;
        tn_add(s->x, s->x, s->xb2, (size_t)D);

        tn_rmsnorm(s->xb, s->x, L->ffn_norm.data, (size_t)D, c->rms_eps);
        if (tn_matmul(s->hb, &L->w1, s->xb, 1, act, w) < 0 ||
            tn_matmul(s->hb2, &L->w3, s->xb, 1, act, w) < 0)
            return NULL;
        tn_swiglu(s->hb, s->hb2, (size_t)H);
        if (tn_matmul(s->xb, &L->w2, s->hb, 1, act, w) < 0)
            return NULL;
        tn_add(s->x, s->x, s->xb, (size_t)D);
    }
    tn_rmsnorm(s->x, s->x, m->out_norm.data, (size_t)D, c->rms_eps);
    return s->x;
}

float *inf_forward(const struct inf_model *m, struct inf_state *s, int token, int pos)
{
    const float *x = inf_forward_hidden(m, s, token, pos);
    if (!x || tn_matmul(s->logits, &m->wcls, x, 1, m->act, &s->work) < 0)
        return NULL;
    return s->logits;
}
