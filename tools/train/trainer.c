/*
 * The model under training: layout, forward with kept activations, backward.
 *
 * Per layer, for a sequence of T positions (the same computation as
 * modules/infer/forward.c runs one token at a time):
 *   xn1 = rmsnorm(x_in); q,k,v = xn1 Wq^T, Wk^T, Wv^T; rope(q), rope(k)
 *   ao = attention(q, k, v); x_mid = x_in + ao Wo^T
 *   xn2 = rmsnorm(x_mid); a = xn2 W1^T; b = xn2 W3^T; g = silu(a) * b
 *   x_out = x_mid + g W2^T
 * then xf = rmsnorm(x_L); logits = xf Wcls^T; cross-entropy.
 */
#include "trainer.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RMS_EPS 1e-5f
#define ROPE_BASE 10000.0f

uint64_t tr_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Box-Muller on two 53-bit uniforms, in double (one value per call). */
float tr_randn(uint64_t *s)
{
    double u1 = ((double)(tr_rand(s) >> 11) + 0.5) / 9007199254740992.0;
    double u2 = (double)(tr_rand(s) >> 11) / 9007199254740992.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

int tr_config_check(const struct tr_config *c, char *err, size_t n)
{
    if (c->dim <= 0 || c->hidden_dim <= 0 || c->n_layers <= 0 || c->n_heads <= 0 ||
        c->n_kv_heads <= 0 || c->vocab_size <= 3 || c->seq_len <= 1) {
        snprintf(err, n, "every size must be positive");
        return -1;
    }
    if (c->dim % c->n_heads || c->n_heads % c->n_kv_heads || (c->dim / c->n_heads) % 2 ||
        c->dim / c->n_heads > 512) {
        snprintf(err, n, "dim %d, heads %d, kv heads %d: dim must split into heads of an even size "
                 "<= 512, heads into kv groups", c->dim, c->n_heads, c->n_kv_heads);
        return -1;
    }
    return 0;
}

size_t tr_layout(const struct tr_config *c, float *base, struct tr_weights *w)
{
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, L = (size_t)c->n_layers,
           V = (size_t)c->vocab_size, KV = D / (size_t)c->n_heads * (size_t)c->n_kv_heads;
    size_t off = 0;
    struct tr_weights tmp;
    if (!w)
        w = &tmp;
#define TAKE(f, n) w->f = base ? base + off : NULL; off += (n);
    TAKE(emb, V * D);
    TAKE(att_norm, L * D);
    TAKE(wq, L * D * D);
    TAKE(wk, L * KV * D);
    TAKE(wv, L * KV * D);
    TAKE(wo, L * D * D);
    TAKE(ffn_norm, L * D);
    TAKE(w1, L * H * D);
    TAKE(w2, L * D * H);
    TAKE(w3, L * H * D);
    TAKE(out_norm, D);
    if (c->shared_classifier) {
        w->wcls = w->emb;
    } else {
        TAKE(wcls, V * D);
    }
#undef TAKE
    return off;
}

int tr_model_init(struct tr_model *m, const struct tr_config *c)
{
    memset(m, 0, sizeof(*m));
    m->cfg = *c;
    m->n_params = tr_layout(c, NULL, NULL);
    m->params = calloc(m->n_params, sizeof(float));
    m->tparams = calloc(m->n_params, sizeof(float));
    if (!m->params || !m->tparams) {
        tr_model_free(m);
        return -1;
    }
    tr_layout(c, m->params, &m->w);
    tr_layout(c, m->tparams, &m->wt);
    return 0;
}

void tr_model_free(struct tr_model *m)
{
    free(m->params);
    free(m->tparams);
    memset(m, 0, sizeof(*m));
}

/* Transposed copies of every matrix the backward pass multiplies by. */
void tr_model_sync(struct tr_model *m)
{
    const struct tr_config *c = &m->cfg;
    int D = c->dim, H = c->hidden_dim, KV = D / c->n_heads * c->n_kv_heads;
    for (int l = 0; l < c->n_layers; l++) {
        size_t dd = (size_t)l * D * D, kd = (size_t)l * KV * D, hd = (size_t)l * H * D;
        tg_transpose(m->wt.wq + dd, m->w.wq + dd, D, D);
        tg_transpose(m->wt.wk + kd, m->w.wk + kd, KV, D);
        tg_transpose(m->wt.wv + kd, m->w.wv + kd, KV, D);
        tg_transpose(m->wt.wo + dd, m->w.wo + dd, D, D);
        tg_transpose(m->wt.w1 + hd, m->w.w1 + hd, H, D);
        tg_transpose(m->wt.w2 + hd, m->w.w2 + hd, D, H);
        tg_transpose(m->wt.w3 + hd, m->w.w3 + hd, H, D);
    }
    tg_transpose(m->wt.wcls, m->w.wcls, c->vocab_size, D);
}

void tr_model_randomize(struct tr_model *m, uint64_t seed)
{
    const struct tr_config *c = &m->cfg;
    uint64_t s = seed;
    size_t D = (size_t)c->dim, L = (size_t)c->n_layers;
    float sd = 0.02f, sd_out = 0.02f / sqrtf(2.0f * (float)L);
    struct tr_weights *w = &m->w;
    for (size_t i = 0; i < m->n_params; i++)
        m->params[i] = sd * tr_randn(&s);
    size_t span = (size_t)(w->ffn_norm - w->wo);         /* all wo */
    for (size_t i = 0; i < span; i++)
        w->wo[i] *= sd_out / sd;
    span = (size_t)(w->w3 - w->w2);                      /* all w2 */
    for (size_t i = 0; i < span; i++)
        w->w2[i] *= sd_out / sd;
    for (size_t i = 0; i < L * D; i++)
        w->att_norm[i] = w->ffn_norm[i] = 1.0f;
    for (size_t i = 0; i < D; i++)
        w->out_norm[i] = 1.0f;
    tr_model_sync(m);
}

/* ---- activations ------------------------------------------------------------------------- */

struct tr_act {                     /* one layer */
    float *x_in, *xn1, *r1, *q, *k, *v, *p, *ao, *x_mid, *xn2, *r2, *a, *b, *g, *sig;
};

struct tr_worker {
    struct tr_config cfg;
    int T;
    struct tr_act *act;
    float *x_last, *xf, *rf, *logits;
    /* backward */
    float *dx, *dxn, *dq, *dk, *dv, *dao, *da, *db, *dg, *dlogits, *att_scratch;
    float *grad;
    struct tr_weights gw;
    size_t n_params;
    struct tg_work work;
    float *mem;
};

struct tr_worker *tr_worker_new(const struct tr_config *c, int T)
{
    struct tr_worker *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->cfg = *c;
    w->T = T;
    size_t D = (size_t)c->dim, H = (size_t)c->hidden_dim, V = (size_t)c->vocab_size,
           KV = D / (size_t)c->n_heads * (size_t)c->n_kv_heads, NH = (size_t)c->n_heads, t = (size_t)T;
    size_t per_layer = t * D * 6 + t * 2 + t * KV * 2 + NH * t * t + t * H * 4;
    size_t total = per_layer * (size_t)c->n_layers + t * D * 2 + t + t * V /* forward */
                   + t * D * 4 + t * KV * 2 + t * H * 3 + t * V + t;   /* backward */
    w->mem = calloc(total, sizeof(float));
    w->act = calloc((size_t)c->n_layers, sizeof(struct tr_act));
    w->n_params = tr_layout(c, NULL, NULL);
    w->grad = calloc(w->n_params, sizeof(float));
    if (!w->mem || !w->act || !w->grad) {
        tr_worker_free(w);
        return NULL;
    }
    tr_layout(c, w->grad, &w->gw);
    float *p = w->mem;
#define GET(dst, n) dst = p; p += (n);
    for (int l = 0; l < c->n_layers; l++) {
        struct tr_act *a = &w->act[l];
        GET(a->x_in, t * D); GET(a->xn1, t * D); GET(a->r1, t);
        GET(a->q, t * D); GET(a->k, t * KV); GET(a->v, t * KV); GET(a->p, NH * t * t);
        GET(a->ao, t * D); GET(a->x_mid, t * D); GET(a->xn2, t * D); GET(a->r2, t);
        GET(a->a, t * H); GET(a->b, t * H); GET(a->g, t * H); GET(a->sig, t * H);
    }
    GET(w->x_last, t * D); GET(w->xf, t * D); GET(w->rf, t); GET(w->logits, t * V);
    GET(w->dx, t * D); GET(w->dxn, t * D); GET(w->dq, t * D); GET(w->dao, t * D);
    GET(w->dk, t * KV); GET(w->dv, t * KV);
    GET(w->da, t * H); GET(w->db, t * H); GET(w->dg, t * H);
    GET(w->dlogits, t * V); GET(w->att_scratch, t);
#undef GET
    return w;
}

void tr_worker_free(struct tr_worker *w)
{
    if (!w)
        return;
    tg_work_free(&w->work);
    free(w->mem);
    free(w->act);
    free(w->grad);
    free(w);
}

float *tr_worker_grad(struct tr_worker *w)
{
    return w->grad;
}

const float *tr_worker_logits(const struct tr_worker *w)
{
    return w->logits;
}

void tr_worker_zero(struct tr_worker *w)
{
    memset(w->grad, 0, w->n_params * sizeof(float));
}

#define ZERO(p, n) memset((p), 0, (size_t)(n) * sizeof(float))

double tr_sequence(const struct tr_model *m, struct tr_worker *w, const int *in, int T,
                   float scale, bool backward)
{
    const struct tr_config *c = &m->cfg;
    const struct tr_weights *P = &m->w, *PT = &m->wt, *G = &w->gw;
    int D = c->dim, H = c->hidden_dim, NH = c->n_heads, NKV = c->n_kv_heads, HS = D / NH,
        KV = HS * NKV, V = c->vocab_size;
    size_t tD = (size_t)T * D, tKV = (size_t)T * KV, tH = (size_t)T * H;
    struct tg_work *s = &w->work;
    if (T > w->T)
        return -1.0;

    /* forward */
    tg_embedding(w->act[0].x_in, P->emb, in, T, D);
    for (int l = 0; l < c->n_layers; l++) {
        struct tr_act *a = &w->act[l];
        size_t dd = (size_t)l * D * D, kd = (size_t)l * KV * D, hd = (size_t)l * H * D;
        tg_rmsnorm(a->xn1, a->r1, a->x_in, P->att_norm + (size_t)l * D, T, D, RMS_EPS);
        if (tg_matmul(a->q, a->xn1, P->wq + dd, T, D, D, s) < 0 ||
            tg_matmul(a->k, a->xn1, P->wk + kd, T, KV, D, s) < 0 ||
            tg_matmul(a->v, a->xn1, P->wv + kd, T, KV, D, s) < 0)
            return -1.0;
        tg_rope(a->q, T, D, HS, ROPE_BASE);
        tg_rope(a->k, T, KV, HS, ROPE_BASE);
        tg_attention(a->ao, a->p, a->q, a->k, a->v, T, NH, NKV, HS);
        if (tg_matmul(a->x_mid, a->ao, P->wo + dd, T, D, D, s) < 0)
            return -1.0;
        tn_add(a->x_mid, a->x_mid, a->x_in, tD);
        tg_rmsnorm(a->xn2, a->r2, a->x_mid, P->ffn_norm + (size_t)l * D, T, D, RMS_EPS);
        if (tg_matmul(a->a, a->xn2, P->w1 + hd, T, H, D, s) < 0 ||
            tg_matmul(a->b, a->xn2, P->w3 + hd, T, H, D, s) < 0)
            return -1.0;
        tg_swiglu(a->g, a->sig, a->a, a->b, tH);
        float *x_out = l + 1 < c->n_layers ? w->act[l + 1].x_in : w->x_last;
        if (tg_matmul(x_out, a->g, P->w2 + hd, T, D, H, s) < 0)
            return -1.0;
        tn_add(x_out, x_out, a->x_mid, tD);
    }
    tg_rmsnorm(w->xf, w->rf, w->x_last, P->out_norm, T, D, RMS_EPS);
    if (tg_matmul(w->logits, w->xf, P->wcls, T, V, D, s) < 0)
        return -1.0;
    double loss = tg_cross_entropy(backward ? w->dlogits : NULL, w->logits, in + 1, T, V, scale);
    if (!backward)
        return loss;

    /* backward */
    ZERO(w->dxn, tD);
    if (tg_matmul_backward(w->dxn, G->wcls, w->dlogits, w->xf, PT->wcls, T, V, D, s) < 0)
        return -1.0;
    ZERO(w->dx, tD);
    tg_rmsnorm_backward(w->dx, G->out_norm, w->dxn, w->x_last, P->out_norm, w->rf, T, D);
    for (int l = c->n_layers - 1; l >= 0; l--) {
        struct tr_act *a = &w->act[l];
        size_t dd = (size_t)l * D * D, kd = (size_t)l * KV * D, hd = (size_t)l * H * D;
        /* x_out = x_mid + g W2^T: dx passes through to x_mid */
        ZERO(w->dg, tH);
        if (tg_matmul_backward(w->dg, G->w2 + hd, w->dx, a->g, PT->w2 + hd, T, D, H, s) < 0)
            return -1.0;
        ZERO(w->da, tH);
        ZERO(w->db, tH);
        tg_swiglu_backward(w->da, w->db, w->dg, a->a, a->b, a->sig, tH);
        ZERO(w->dxn, tD);
        if (tg_matmul_backward(w->dxn, G->w1 + hd, w->da, a->xn2, PT->w1 + hd, T, H, D, s) < 0 ||
            tg_matmul_backward(w->dxn, G->w3 + hd, w->db, a->xn2, PT->w3 + hd, T, H, D, s) < 0)
            return -1.0;
        tg_rmsnorm_backward(w->dx, G->ffn_norm + (size_t)l * D, w->dxn, a->x_mid,
                            P->ffn_norm + (size_t)l * D, a->r2, T, D);
        /* x_mid = x_in + ao Wo^T */
        ZERO(w->dao, tD);
        if (tg_matmul_backward(w->dao, G->wo + dd, w->dx, a->ao, PT->wo + dd, T, D, D, s) < 0)
            return -1.0;
        ZERO(w->dq, tD);
        ZERO(w->dk, tKV);
        ZERO(w->dv, tKV);
        tg_attention_backward(w->dq, w->dk, w->dv, w->dao, a->p, a->q, a->k, a->v, T, NH, NKV,
                              HS, w->att_scratch);
        tg_rope_backward(w->dq, T, D, HS, ROPE_BASE);
        tg_rope_backward(w->dk, T, KV, HS, ROPE_BASE);
        ZERO(w->dxn, tD);
        if (tg_matmul_backward(w->dxn, G->wq + dd, w->dq, a->xn1, PT->wq + dd, T, D, D, s) < 0 ||
            tg_matmul_backward(w->dxn, G->wk + kd, w->dk, a->xn1, PT->wk + kd, T, KV, D, s) < 0 ||
            tg_matmul_backward(w->dxn, G->wv + kd, w->dv, a->xn1, PT->wv + kd, T, KV, D, s) < 0)
            return -1.0;
        tg_rmsnorm_backward(w->dx, G->att_norm + (size_t)l * D, w->dxn, a->x_in,
                            P->att_norm + (size_t)l * D, a->r1, T, D);
    }
    tg_embedding_backward(G->emb, in, w->dx, T, D);
    return loss;
}

/* ---- checkpoint ---------------------------------------------------------------------------- */

static int put(FILE *f, const float *p, size_t n)
{
    return fwrite(p, sizeof(float), n, f) == n ? 0 : -1;
}

int tr_save_llama2c(const struct tr_model *m, const char *path)
{
    const struct tr_config *c = &m->cfg;
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int32_t hdr[7] = { c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
                       c->shared_classifier ? c->vocab_size : -c->vocab_size, c->seq_len };
    int rc = fwrite(hdr, sizeof(hdr), 1, f) == 1 ? 0 : -1;
    /* everything up to and including the final norm is contiguous */
    size_t body = (size_t)(m->w.out_norm - m->params) + (size_t)c->dim;
    rc |= put(f, m->params, body);
    /* llama2.c's freq_cis_real and freq_cis_imag (unused by the loaders, kept for the format) */
    int hs = c->dim / c->n_heads;
    for (int part = 0; part < 2; part++)
        for (int t = 0; t < c->seq_len; t++)
            for (int i = 0; i < hs / 2; i++) {
                float freq = 1.0f / powf(ROPE_BASE, (float)(2 * i) / (float)hs);
                float v = part ? sinf((float)t * freq) : cosf((float)t * freq);
                rc |= put(f, &v, 1);
            }
    if (!c->shared_classifier)
        rc |= put(f, m->w.wcls, (size_t)c->vocab_size * c->dim);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc)
        remove(tmp);
    return rc;
}
