/*
 * Kernel selection and the transformer operations built on the kernels.
 */
#include <anx/parallel.h>
#include <anx/platform.h>
#include "tensor.h"

int tn_cpu_has(const char *feature)
{
    return plat_cpu_has(feature) ? 1 : 0;
}

/* ---- kernel tables -------------------------------------------------------------- */

static const struct tn_kernels *current;

int tn_available_kernels(const struct tn_kernels **out, int max)
{
    int n = 0;
    if (n < max)
        out[n++] = &tn_kernels_scalar;
    return n + tn_arch_kernels(out + n, max - n);
}

const struct tn_kernels *tn_kernels(void)
{
    if (!current) {
        const struct tn_kernels *all[4];
        int n = tn_available_kernels(all, 4);
        current = all[n - 1];
    }
    return current;
}

int tn_select_kernels(const char *name)
{
    const struct tn_kernels *all[4];
    int n = tn_available_kernels(all, 4);
    for (int i = 0; i < n; i++)
        if (strcmp(all[i]->name, name) == 0) {
            current = all[i];
            return 0;
        }
    return -1;
}

/* ---- element-wise operations ---------------------------------------------------------- */

float tn_dot(const float *a, const float *b, size_t n)
{
    return tn_kernels()->dot_f32(a, b, n);
}

void tn_add(float *y, const float *a, const float *b, size_t n)
{
    tn_kernels()->add(y, a, b, n);
}

void tn_mul(float *y, const float *a, const float *b, size_t n)
{
    tn_kernels()->mul(y, a, b, n);
}

void tn_rmsnorm(float *out, const float *x, const float *w, size_t n, float eps)
{
    float ss = tn_kernels()->sumsq(x, n) / (float)n + eps;
    float s = 1.0f / sqrtf(ss);
    for (size_t i = 0; i < n; i++)
        out[i] = w[i] * (s * x[i]);
}

void tn_softmax(float *x, size_t n)
{
    if (n == 0)
        return;
    float max = x[0];
    for (size_t i = 1; i < n; i++)
        max = x[i] > max ? x[i] : max;
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    for (size_t i = 0; i < n; i++)
        x[i] /= sum;
}

void tn_silu(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] * (1.0f / (1.0f + expf(-x[i])));
}

void tn_swiglu(float *h, const float *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h[i] = h[i] * (1.0f / (1.0f + expf(-h[i]))) * g[i];
}

void tn_rope(float *x, size_t n, size_t head_size, int pos, float base)
{
    float c[256], s[256];                   /* head_size <= 512 */
    size_t half = head_size / 2;
    if (half > 256 || half == 0)
        return;
    for (size_t i = 0; i < half; i++) {
        float freq = 1.0f / powf(base, (float)(2 * i) / (float)head_size);
        s[i] = sinf((float)pos * freq);
        c[i] = cosf((float)pos * freq);
    }
    for (size_t h = 0; h + head_size <= n; h += head_size)
        for (size_t i = 0; i < half; i++) {
            float a = x[h + 2 * i], b = x[h + 2 * i + 1];
            x[h + 2 * i] = a * c[i] - b * s[i];
            x[h + 2 * i + 1] = a * s[i] + b * c[i];
        }
}

/* ---- matrix multiplication ---------------------------------------------------------------- */

void tn_work_free(struct tn_work *w)
{
    anx_free(w->buf);
    w->buf = NULL;
    w->size = 0;
}

static void *work_get(struct tn_work *w, size_t size)
{
    if (w->size < size) {
        anx_free(w->buf);
        w->size = 0;
        w->buf = anx_aligned_alloc(64, (size + 63) & ~(size_t)63);
        if (!w->buf)
            return NULL;
        w->size = size;
    }
    return w->buf;
}

int tn_work_reserve(struct tn_work *w, size_t size)
{
    return work_get(w, size) ? 0 : -1;
}

/* A matrix-vector product's rows, spread over the CPUs (<anx/parallel.h>):
 * each chunk computes y[r] for its rows with one of the dot kernels. */
/* A matrix product's rows, spread over the CPUs (<anx/parallel.h>): each
 * chunk computes y[t][r] for its rows r and every token t, so a weight row
 * is read from memory once for all the tokens of a batch. */
struct rows_job {
    float *y;               /* n_tok x rows */
    const char *w;
    size_t rb, n, rows, qb;
    int n_tok;
    const float *x;         /* n_tok x n f32 activations ... */
    const char *xq;         /* ... or n_tok quantized rows of qb bytes */
    void (*matvec_f32)(float *, const float *, const float *, size_t, size_t);
    float (*dot_f16)(const uint16_t *, const float *, size_t);
    float (*dot_qq)(const void *, const void *, size_t);
    float (*dot_qf)(const void *, const float *, size_t);
};

static void rows_chunk(size_t b, size_t e, void *ctx)
{
    const struct rows_job *j = ctx;
    if (j->matvec_f32) {
        for (int t = 0; t < j->n_tok; t++)
            j->matvec_f32(j->y + (size_t)t * j->rows + b, (const float *)(j->w + b * j->rb),
                          j->x + (size_t)t * j->n, e - b, j->n);
        return;
    }
    for (size_t r = b; r < e; r++) {
        const char *row = j->w + r * j->rb;
        for (int t = 0; t < j->n_tok; t++) {
            const float *xt = j->x + (size_t)t * j->n;
            j->y[(size_t)t * j->rows + r] =
                j->dot_qq ? j->dot_qq(row, j->xq + (size_t)t * j->qb, j->n)
                : j->dot_qf ? j->dot_qf(row, xt, j->n)
                : j->dot_f16((const uint16_t *)row, xt, j->n);
        }
    }
}

/* Rows per chunk: enough work (~32k multiply-adds) that handing a chunk
 * to another CPU costs less than computing it. */
static size_t rows_grain(size_t n, int n_tok)
{
    size_t g = (32768 + n * (size_t)n_tok - 1) / (n * (size_t)n_tok);
    return g ? g : 1;
}

int tn_matmul(float *y, const struct tn_tensor *w, const float *x, int n_tok,
              enum tn_act act, struct tn_work *work)
{
    const struct tn_kernels *k = tn_kernels();
    size_t n = (size_t)w->ne[0], rows = (size_t)tn_nrows(w);
    bool kq = false;
    struct rows_job j = { .y = y, .w = w->data, .rb = tn_row_bytes(w->dtype, w->ne[0]), .n = n,
                          .rows = rows, .n_tok = n_tok, .x = x };
    if (n_tok <= 0)
        return 0;
    switch (w->dtype) {
    case TN_F32:
        if (n_tok >= 4) {
            float *pack = work_get(work, tn_gemm_pack_size(n) * sizeof(float));
            if (!pack)
                return -1;
            k->gemm_f32(y, x, w->data, (size_t)n_tok, rows, n, pack);
            return 0;
        }
        j.matvec_f32 = k->matvec_f32;
        break;
    case TN_F16:
        j.dot_f16 = k->dot_f16;
        break;
    case TN_Q8_0:
    case TN_Q4_0:
    case TN_Q4_K:
    case TN_Q6_K:
        /* the 32-value formats meet q8_0 activations, the k-quants q8_K */
        kq = w->dtype == TN_Q4_K || w->dtype == TN_Q6_K;
        if (act == TN_ACT_Q8_0) {
            j.dot_qq = w->dtype == TN_Q8_0 ? k->dot_q8_0_q8_0 : w->dtype == TN_Q4_0 ? k->dot_q4_0_q8_0
                     : w->dtype == TN_Q4_K ? k->dot_q4_K_q8_K : k->dot_q6_K_q8_K;
            j.qb = kq ? n / TN_QK_K * sizeof(struct tn_block_q8_K) : tn_row_bytes(TN_Q8_0, (int64_t)n);
        } else {
            j.dot_qf = w->dtype == TN_Q8_0 ? k->dot_q8_0_f32 : w->dtype == TN_Q4_0 ? k->dot_q4_0_f32
                     : w->dtype == TN_Q4_K ? k->dot_q4_K_f32 : k->dot_q6_K_f32;
        }
        break;
    default:
        return -1;
    }
    if (j.qb) {                 /* the activations quantized once, each token's row */
        char *xq = work_get(work, j.qb * (size_t)n_tok);
        if (!xq)
            return -1;
        for (int t = 0; t < n_tok; t++) {
            if (kq)
                tn_quantize_q8_K(xq + (size_t)t * j.qb, x + (size_t)t * n, n);
            else
                k->quantize_q8_0(xq + (size_t)t * j.qb, x + (size_t)t * n, n);
        }
        j.xq = xq;
    }
    anx_parallel_for(rows, rows_grain(n, n_tok), rows_chunk, &j);
    return 0;
}

/* ---- attention ------------------------------------------------------------------------------ */

struct attn_job {
    float *out, *att;
    const float *q, *k_cache, *v_cache;
    int group, head_size, n_pos;
    size_t kv_stride, att_stride;
    float scale;
};

static void attn_heads(size_t h0, size_t h1, void *ctx)
{
    const struct attn_job *j = ctx;
    const struct tn_kernels *k = tn_kernels();
    size_t hs = (size_t)j->head_size;
    for (size_t h = h0; h < h1; h++) {
        const float *qh = j->q + h * hs;
        size_t off = h / (size_t)j->group * hs;
        float *att = j->att + h * j->att_stride;
        for (int t = 0; t < j->n_pos; t++)
            att[t] = k->dot_f32(qh, j->k_cache + t * j->kv_stride + off, hs) * j->scale;
        tn_softmax(att, (size_t)j->n_pos);
        float *oh = j->out + h * hs;
        memset(oh, 0, hs * sizeof(float));
        for (int t = 0; t < j->n_pos; t++)
            k->axpy(oh, att[t], j->v_cache + t * j->kv_stride + off, hs);
    }
}

void tn_attention(float *out, const float *q, const float *k_cache, const float *v_cache,
                  int n_heads, int n_kv_heads, int head_size, size_t kv_stride, int n_pos,
                  float *att, size_t att_stride)
{
    struct attn_job j = {
        .out = out, .att = att, .q = q, .k_cache = k_cache, .v_cache = v_cache,
        .group = n_heads / n_kv_heads, .head_size = head_size, .n_pos = n_pos,
        .kv_stride = kv_stride, .att_stride = att_stride,
        .scale = 1.0f / sqrtf((float)head_size),
    };
    if (!att_stride) {
        attn_heads(0, (size_t)n_heads, &j);     /* one scratch row: the heads in turn */
        return;
    }
    /* a head is worth another CPU once it reads some cache: ~2 * n_pos * head_size flops */
    size_t grain = (size_t)(4096 / ((size_t)n_pos * (size_t)head_size + 1)) + 1;
    anx_parallel_for((size_t)n_heads, grain, attn_heads, &j);
}

size_t tn_gemm_pack_size(size_t k)
{
    (void)k;
    return 256 * 256 + 8 * 256;             /* NC x KC of w + MR x KC of x (AVX2) */
}
