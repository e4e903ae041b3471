/*
 * Kernel selection and the transformer operations built on the kernels.
 */
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

int tn_matmul(float *y, const struct tn_tensor *w, const float *x, int n_tok,
              enum tn_act act, struct tn_work *work)
{
    const struct tn_kernels *k = tn_kernels();
    size_t n = (size_t)w->ne[0], rows = (size_t)tn_nrows(w);
    size_t rb = tn_row_bytes(w->dtype, w->ne[0]);
    const char *base = w->data;
    switch (w->dtype) {
    case TN_F32:
        if (n_tok >= 4) {
            float *pack = work_get(work, tn_gemm_pack_size(n) * sizeof(float));
            if (!pack)
                return -1;
            k->gemm_f32(y, x, w->data, (size_t)n_tok, rows, n, pack);
        } else {
            for (int t = 0; t < n_tok; t++)
                k->matvec_f32(y + (size_t)t * rows, w->data, x + (size_t)t * n, rows, n);
        }
        return 0;
    case TN_F16:
        for (int t = 0; t < n_tok; t++)
            for (size_t r = 0; r < rows; r++)
                y[(size_t)t * rows + r] = k->dot_f16((const uint16_t *)(base + r * rb),
                                                     x + (size_t)t * n, n);
        return 0;
    case TN_Q8_0:
    case TN_Q4_0: {
        float (*dq)(const void *, const void *, size_t) =
            w->dtype == TN_Q8_0 ? k->dot_q8_0_q8_0 : k->dot_q4_0_q8_0;
        float (*df)(const void *, const float *, size_t) =
            w->dtype == TN_Q8_0 ? k->dot_q8_0_f32 : k->dot_q4_0_f32;
        size_t qb = tn_row_bytes(TN_Q8_0, (int64_t)n);
        void *xq = NULL;
        if (act == TN_ACT_Q8_0 && !(xq = work_get(work, qb)))
            return -1;
        for (int t = 0; t < n_tok; t++) {
            const float *xt = x + (size_t)t * n;
            float *yt = y + (size_t)t * rows;
            if (xq) {
                k->quantize_q8_0(xq, xt, n);
                for (size_t r = 0; r < rows; r++)
                    yt[r] = dq(base + r * rb, xq, n);
            } else {
                for (size_t r = 0; r < rows; r++)
                    yt[r] = df(base + r * rb, xt, n);
            }
        }
        return 0;
    }
    default:
        return -1;
    }
}

/* ---- attention ------------------------------------------------------------------------------ */

void tn_attention(float *out, const float *q, const float *k_cache, const float *v_cache,
                  int n_heads, int n_kv_heads, int head_size, size_t kv_stride, int n_pos,
                  float *att)
{
    const struct tn_kernels *k = tn_kernels();
    int group = n_heads / n_kv_heads;
    float scale = 1.0f / sqrtf((float)head_size);
    for (int h = 0; h < n_heads; h++) {
        const float *qh = q + (size_t)h * head_size;
        size_t off = (size_t)(h / group) * head_size;
        for (int t = 0; t < n_pos; t++)
            att[t] = k->dot_f32(qh, k_cache + t * kv_stride + off, (size_t)head_size) * scale;
        tn_softmax(att, (size_t)n_pos);
        float *oh = out + (size_t)h * head_size;
        memset(oh, 0, (size_t)head_size * sizeof(float));
        for (int t = 0; t < n_pos; t++)
            k->axpy(oh, att[t], v_cache + t * kv_stride + off, (size_t)head_size);
    }
}

size_t tn_gemm_pack_size(size_t k)
{
    (void)k;
    return 256 * 256 + 8 * 256;             /* NC x KC of w + MR x KC of x (AVX2) */
}
