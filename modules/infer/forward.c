/*
 * The transformer forward pass for a batch of tokens at consecutive
 * positions (llama2.c's run.c semantics, token by token):
 * per layer RMSNorm -> q,k,v -> RoPE -> grouped-query attention over the
 * KV cache -> output projection + residual -> RMSNorm -> SwiGLU FFN +
 * residual; final RMSNorm (inf_forward_hidden stops there) and the
 * classifier.
 */
#include "infer.h"

/* Activation rows kept per state: one per token of a batch. */
static size_t act_floats(const struct inf_config *c)
{
    return (size_t)INF_BATCH * (4 * (size_t)c->dim + 2 * (size_t)c->hidden_dim);
}

/* The matmul scratch: a batch of q8 activation rows of the widest input. */
static size_t work_bytes(const struct inf_config *c)
{
    size_t widest = c->dim > c->hidden_dim ? (size_t)c->dim : (size_t)c->hidden_dim;
    return (size_t)INF_BATCH * widest * 2 + 64;
}

size_t inf_state_bytes(const struct inf_config *c, int ctx, size_t *kv_cache)
{
    if (ctx <= 0 || ctx > c->seq_len)
        ctx = c->seq_len;
    size_t KV = (size_t)c->kv_dim;
    size_t cache = 2 * (size_t)c->n_layers * (size_t)ctx * KV * 4;
    if (kv_cache)
        *kv_cache = cache;
    return cache + (act_floats(c) + (size_t)c->n_heads * (size_t)ctx + (size_t)c->vocab_size) * 4 +
           work_bytes(c);
}

int inf_state_init(struct inf_state *s, const struct inf_config *c, int ctx)
{
    memset(s, 0, sizeof(*s));
    if (ctx <= 0 || ctx > c->seq_len)
        ctx = c->seq_len;
    s->ctx = ctx;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim, B = INF_BATCH;
    size_t cache = (size_t)c->n_layers * (size_t)ctx * KV;
    s->x = anx_calloc(B * D, 4);
    s->xb = anx_calloc(B * D, 4);
    s->xb2 = anx_calloc(B * D, 4);
    s->hb = anx_calloc(B * H, 4);
    s->hb2 = anx_calloc(B * H, 4);
    s->q = anx_calloc(B * D, 4);
    s->att = anx_calloc((size_t)c->n_heads * (size_t)ctx, 4);   /* a row per head */
    s->logits = anx_calloc((size_t)c->vocab_size, 4);
    s->key_cache = anx_calloc(cache, 4);
    s->value_cache = anx_calloc(cache, 4);
    /* reserved now, so that a forward pass on a detached thread
     * (<anx/smp.h>) never allocates */
    if (!s->x || !s->xb || !s->xb2 || !s->hb || !s->hb2 || !s->q || !s->att || !s->logits ||
        !s->key_cache || !s->value_cache || tn_work_reserve(&s->work, work_bytes(c)) < 0) {
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

/* y (n rows of `out`) = w x (n rows of `in`). An f32 weight goes token by
 * token: tn_matmul's f32 batch path is the trainer's GEMM, which sums in
 * another order, and a batch must give the bits one token at a time does. */
static int matmul(const struct inf_model *m, struct inf_state *s, float *y, const struct tn_tensor *w,
                  const float *x, int n, size_t in, size_t out)
{
    if (w->dtype != TN_F32)
        return tn_matmul(y, w, x, n, m->act, &s->work);
    for (int t = 0; t < n; t++)
        if (tn_matmul(y + (size_t)t * out, w, x + (size_t)t * in, 1, m->act, &s->work) < 0)
            return -1;
    return 0;
}

float *inf_forward_batch(const struct inf_model *m, struct inf_state *s, const int *tokens, int n,
                         int pos)
{
    const struct inf_config *c = &m->cfg;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, KV = (size_t)c->kv_dim;
    size_t HS = (size_t)c->head_size;
    if (n < 1 || n > INF_BATCH || pos < 0 || pos + n > s->ctx)
        return NULL;
    for (int t = 0; t < n; t++) {
        if (tokens[t] < 0 || tokens[t] >= c->vocab_size)
            return NULL;
        tn_dequantize_row(m->tok_emb.dtype, s->x + t * D, tn_row(&m->tok_emb, tokens[t]), (int64_t)D);
    }
    for (int l = 0; l < c->n_layers; l++) {
        const struct inf_layer *L = &m->layers[l];
        size_t layer_off = (size_t)l * (size_t)s->ctx * KV;
        /* the batch's keys and values go straight into their cache rows */
        float *k = s->key_cache + layer_off + (size_t)pos * KV;
        float *v = s->value_cache + layer_off + (size_t)pos * KV;

        for (int t = 0; t < n; t++)
            tn_rmsnorm(s->xb + t * D, s->x + t * D, L->att_norm.data, D, c->rms_eps);
        if (matmul(m, s, s->q, &L->wq, s->xb, n, D, D) < 0 ||
            matmul(m, s, k, &L->wk, s->xb, n, D, KV) < 0 ||
            matmul(m, s, v, &L->wv, s->xb, n, D, KV) < 0)
            return NULL;
        for (int t = 0; t < n; t++) {
            tn_rope(s->q + t * D, D, HS, pos + t, c->rope_base);
            tn_rope(k + t * KV, KV, HS, pos + t, c->rope_base);
            /* token t sees the positions up to its own (causal) */
            tn_attention(s->xb + t * D, s->q + t * D, s->key_cache + layer_off,
                         s->value_cache + layer_off, c->n_heads, c->n_kv_heads, (int)HS, KV,
                         pos + t + 1, s->att, (size_t)s->ctx);
        }
        if (matmul(m, s, s->xb2, &L->wo, s->xb, n, D, D) < 0)
            return NULL;
        tn_add(s->x, s->x, s->xb2, (size_t)n * D);

        for (int t = 0; t < n; t++)
            tn_rmsnorm(s->xb + t * D, s->x + t * D, L->ffn_norm.data, D, c->rms_eps);
        if (matmul(m, s, s->hb, &L->w1, s->xb, n, D, H) < 0 ||
            matmul(m, s, s->hb2, &L->w3, s->xb, n, D, H) < 0)
            return NULL;
        tn_swiglu(s->hb, s->hb2, (size_t)n * H);
        if (matmul(m, s, s->xb, &L->w2, s->hb, n, H, D) < 0)
            return NULL;
        tn_add(s->x, s->x, s->xb, (size_t)n * D);
    }
    for (int t = 0; t < n; t++)
        tn_rmsnorm(s->x + t * D, s->x + t * D, m->out_norm.data, D, c->rms_eps);
    return s->x;
}

float *inf_forward_hidden(const struct inf_model *m, struct inf_state *s, int token, int pos)
{
    return inf_forward_batch(m, s, &token, 1, pos);
}

float *inf_forward(const struct inf_model *m, struct inf_state *s, int token, int pos)
{
    const float *x = inf_forward_hidden(m, s, token, pos);
    if (!x || tn_matmul(s->logits, &m->wcls, x, 1, m->act, &s->work) < 0)
        return NULL;
    return s->logits;
}
