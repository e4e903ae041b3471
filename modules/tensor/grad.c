/*
 * Backward passes of the transformer operations (see grad.h). The matrix
 * products all go through the kernel table's gemm_f32 (y = x w^T), with
 * transposed copies where the backward pass needs the other orientation:
 * dx = dy W is gemm(dy, W^T) and dW = dy^T x is gemm(dy^T, x^T).
 */
#include "grad.h"

void tg_work_free(struct tg_work *w)
{
    anx_free(w->buf);
    tn_work_free(&w->pack);
    memset(w, 0, sizeof(*w));
}

static float *scratch(struct tg_work *w, size_t n)
{
    if (w->size < n) {
        anx_free(w->buf);
        w->size = 0;
        w->buf = anx_aligned_alloc(64, n * sizeof(float));
        if (!w->buf)
            return NULL;
        w->size = n;
    }
    return w->buf;
}

static float *pack(struct tg_work *w, size_t k)
{
    size_t need = tn_gemm_pack_size(k) * sizeof(float);
    if (w->pack.size < need) {
        anx_free(w->pack.buf);
        w->pack.size = 0;
        w->pack.buf = anx_aligned_alloc(64, need);
        if (!w->pack.buf)
            return NULL;
        w->pack.size = need;
    }
    return w->pack.buf;
}

void tg_transpose(float *wt, const float *w, int n, int k)
{
    for (int j = 0; j < n; j++)
        for (int c = 0; c < k; c++)
            wt[(size_t)c * n + j] = w[(size_t)j * k + c];
}

int tg_matmul(float *y, const float *x, const float *w, int T, int n, int k, struct tg_work *s)
{
    float *p = pack(s, (size_t)k);
    if (!p)
        return -1;
    tn_kernels()->gemm_f32(y, x, w, (size_t)T, (size_t)n, (size_t)k, p);
    return 0;
}

int tg_matmul_backward(float *dx, float *dw, const float *dy, const float *x, const float *wt,
                       int T, int n, int k, struct tg_work *s)
{
    const struct tn_kernels *K = tn_kernels();
    size_t tn = (size_t)T * n, tk = (size_t)T * k, nk = (size_t)n * k;
    float *buf = scratch(s, tn + tk + (nk > tk ? nk : tk));
    if (!buf)
        return -1;
    float *dyt = buf, *xt = buf + tn, *tmp = buf + tn + tk;
    if (dx) {                                   /* dx[t][c] += sum_j dy[t][j] W[j][c] */
        float *p = pack(s, (size_t)n);
        if (!p)
            return -1;
        K->gemm_f32(tmp, dy, wt, (size_t)T, (size_t)k, (size_t)n, p);
        K->add(dx, dx, tmp, tk);
    }
    if (dw) {                                   /* dw[j][c] += sum_t dy[t][j] x[t][c] */
        float *p = pack(s, (size_t)T);
        if (!p)
            return -1;
        tg_transpose(dyt, dy, T, n);
        tg_transpose(xt, x, T, k);
        K->gemm_f32(tmp, dyt, xt, (size_t)n, (size_t)k, (size_t)T, p);
        K->add(dw, dw, tmp, nk);
    }
    return 0;
}

/* ---- RMSNorm ----------------------------------------------------------------------------- */

void tg_rmsnorm(float *y, float *rinv, const float *x, const float *w, int T, int D, float eps)
{
    const struct tn_kernels *K = tn_kernels();
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * D;
        /* the same arithmetic as tn_rmsnorm, which computes the row */
        rinv[t] = 1.0f / sqrtf(K->sumsq(xt, (size_t)D) / (float)D + eps);
        tn_rmsnorm(y + (size_t)t * D, xt, w, (size_t)D, eps);
    }
}

/* y = w * x * r with r = (mean(x^2) + eps)^-1/2:
 * dx = r * (w dy) - r^3 / D * x * sum(w dy x);  dw += dy * x * r */
void tg_rmsnorm_backward(float *dx, float *dw, const float *dy, const float *x, const float *w,
                         const float *rinv, int T, int D)
{
    for (int t = 0; t < T; t++) {
        const float *xt = x + (size_t)t * D, *gt = dy + (size_t)t * D;
        float r = rinv[t];
        double dot = 0.0;
        for (int i = 0; i < D; i++)
            dot += (double)(w[i] * gt[i]) * xt[i];
        float c = (float)(dot * (double)r * r * r / D);
        if (dx) {
            float *dxt = dx + (size_t)t * D;
            for (int i = 0; i < D; i++)
                dxt[i] += r * w[i] * gt[i] - c * xt[i];
        }
        if (dw)
            for (int i = 0; i < D; i++)
                dw[i] += gt[i] * xt[i] * r;
    }
}

/* ---- RoPE --------------------------------------------------------------------------------- */

void tg_rope(float *x, int T, int n, int head_size, float base)
{
    for (int t = 0; t < T; t++)
        tn_rope(x + (size_t)t * n, (size_t)n, (size_t)head_size, t, base);
}

/* A rotation's transpose is the rotation by the opposite angle (sin is odd). */
void tg_rope_backward(float *dx, int T, int n, int head_size, float base)
{
    for (int t = 0; t < T; t++)
        tn_rope(dx + (size_t)t * n, (size_t)n, (size_t)head_size, -t, base);
}

/* ---- attention ---------------------------------------------------------------------------- */

void tg_attention(float *out, float *p, const float *q, const float *k, const float *v, int T,
                  int n_heads, int n_kv, int hs)
{
    const struct tn_kernels *K = tn_kernels();
    int group = n_heads / n_kv;
    size_t qs = (size_t)n_heads * hs, ks = (size_t)n_kv * hs;
    float scale = 1.0f / sqrtf((float)hs);
    for (int h = 0; h < n_heads; h++) {
        size_t koff = (size_t)(h / group) * hs;
        for (int t = 0; t < T; t++) {
            float *pt = p + ((size_t)h * T + t) * T;
            const float *qt = q + t * qs + (size_t)h * hs;
            for (int s = 0; s <= t; s++)
                pt[s] = K->dot_f32(qt, k + s * ks + koff, (size_t)hs) * scale;
            tn_softmax(pt, (size_t)t + 1);
            for (int s = t + 1; s < T; s++)
                pt[s] = 0.0f;
            float *ot = out + t * qs + (size_t)h * hs;
            memset(ot, 0, (size_t)hs * sizeof(float));
            for (int s = 0; s <= t; s++)
                K->axpy(ot, pt[s], v + s * ks + koff, (size_t)hs);
        }
    }
}

/* o_t = sum_s P_ts v_s, P_t = softmax(S_t), S_ts = scale q_t . k_s (s <= t):
 * dv_s += P_ts do_t; dP_ts = do_t . v_s; dS_ts = P_ts (dP_ts - sum_u P_tu dP_tu);
 * dq_t += scale sum_s dS_ts k_s; dk_s += scale dS_ts q_t. */
void tg_attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *p,
                           const float *q, const float *k, const float *v, int T, int n_heads,
                           int n_kv, int hs, float *scratch)
{
    const struct tn_kernels *K = tn_kernels();
    int group = n_heads / n_kv;
    size_t qs = (size_t)n_heads * hs, ks = (size_t)n_kv * hs;
    float scale = 1.0f / sqrtf((float)hs);
    float *ds = scratch;
    for (int h = 0; h < n_heads; h++) {
        size_t koff = (size_t)(h / group) * hs, qoff = (size_t)h * hs;
        for (int t = 0; t < T; t++) {
            const float *pt = p + ((size_t)h * T + t) * T;
            const float *dot = dout + t * qs + qoff;
            float sum = 0.0f;
            for (int s = 0; s <= t; s++) {
                K->axpy(dv + s * ks + koff, pt[s], dot, (size_t)hs);
                ds[s] = K->dot_f32(dot, v + s * ks + koff, (size_t)hs);
                sum += pt[s] * ds[s];
            }
            float *dqt = dq + t * qs + qoff;
            const float *qt = q + t * qs + qoff;
            for (int s = 0; s <= t; s++) {
                float g = pt[s] * (ds[s] - sum) * scale;
                K->axpy(dqt, g, k + s * ks + koff, (size_t)hs);
                K->axpy(dk + s * ks + koff, g, qt, (size_t)hs);
            }
        }
    }
}

/* ---- SwiGLU ------------------------------------------------------------------------------- */

void tg_swiglu(float *g, float *sig, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* the arithmetic of tn_swiglu, keeping the sigmoid for the backward pass */
        float sg = 1.0f / (1.0f + expf(-a[i]));
        if (sig)
            sig[i] = sg;
        g[i] = a[i] * sg * b[i];
    }
}

/* g = a sig(a) b: da += dg b sig(a) (1 + a (1 - sig(a))); db += dg a sig(a) */
void tg_swiglu_backward(float *da, float *db, const float *dg, const float *a, const float *b,
                        const float *sig, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float sg = sig[i];
        if (da)
            da[i] += dg[i] * b[i] * sg * (1.0f + a[i] * (1.0f - sg));
        if (db)
            db[i] += dg[i] * a[i] * sg;
    }
}

/* ---- embedding and loss --------------------------------------------------------------------- */

void tg_embedding(float *x, const float *emb, const int *tok, int T, int D)
{
    for (int t = 0; t < T; t++)
        memcpy(x + (size_t)t * D, emb + (size_t)tok[t] * D, (size_t)D * sizeof(float));
}

void tg_embedding_backward(float *demb, const int *tok, const float *dx, int T, int D)
{
    for (int t = 0; t < T; t++) {
        float *row = demb + (size_t)tok[t] * D;
        const float *g = dx + (size_t)t * D;
        for (int i = 0; i < D; i++)
            row[i] += g[i];
    }
}

double tg_cross_entropy(float *dlogits, const float *logits, const int *target, int T, int V,
                        float scale)
{
    double loss = 0.0;
    for (int t = 0; t < T; t++) {
        const float *l = logits + (size_t)t * V;
        float max = l[0];
        for (int i = 1; i < V; i++)
            max = l[i] > max ? l[i] : max;
        double sum = 0.0;
        float *d = dlogits ? dlogits + (size_t)t * V : NULL;
        for (int i = 0; i < V; i++) {
            float e = expf(l[i] - max);
            if (d)
                d[i] = e;
            sum += e;
        }
        loss += (double)logf((float)sum) + max - l[target[t]];
        if (d) {
            float k = (float)(1.0 / sum) * scale;
            for (int i = 0; i < V; i++)
                d[i] *= k;
            d[target[t]] -= scale;
        }
    }
    return loss;
}
