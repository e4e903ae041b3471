/*
 * The portable scalar kernels: the reference every SIMD table is tested
 * against, and what runs where no SIMD table applies.
 */
#include "tensor.h"

static float dot_f32(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float dot_f16(const uint16_t *w, const float *x, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s += tn_f16_to_f32(w[i]) * x[i];
    return s;
}

static float dot_q8_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q8_0 *b = w;
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float t = 0.0f;
        for (int j = 0; j < TN_QK; j++)
            t += b[i].qs[j] * x[j];
        s += tn_f16_to_f32(b[i].d) * t;
    }
    return s;
}

static float dot_q4_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_0 *b = w;
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float t = 0.0f;
        for (int j = 0; j < TN_QK / 2; j++)
            t += ((b[i].qs[j] & 15) - 8) * x[j] + ((b[i].qs[j] >> 4) - 8) * x[j + TN_QK / 2];
        s += tn_f16_to_f32(b[i].d) * t;
    }
    return s;
}

static float dot_q8_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q8_0 *a = w, *b = xq;
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++) {
        int t = 0;
        for (int j = 0; j < TN_QK; j++)
            t += a[i].qs[j] * b[i].qs[j];
        s += tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d) * (float)t;
    }
    return s;
}

static float dot_q4_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_0 *a = w;
    const struct tn_block_q8_0 *b = xq;
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++) {
        int t = 0;
        for (int j = 0; j < TN_QK / 2; j++)
            t += ((a[i].qs[j] & 15) - 8) * b[i].qs[j] +
                 ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + TN_QK / 2];
        s += tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d) * (float)t;
    }
    return s;
}

static void matvec_f32(float *y, const float *w, const float *x, size_t rows, size_t n)
{
    for (size_t r = 0; r < rows; r++)
        y[r] = dot_f32(w + r * n, x, n);
}

static void gemm_f32(float *y, const float *x, const float *w, size_t m, size_t n, size_t k,
                     float *pack)
{
    (void)pack;
    for (size_t i = 0; i < m; i++)
        matvec_f32(y + i * n, w, x + i * k, n, k);
}

static void quantize_q8_0(void *dst, const float *x, size_t n)
{
    tn_quantize_row(TN_Q8_0, dst, x, (int64_t)n);
}

static void add(float *y, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}

static void mul(float *y, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] * b[i];
}

static void axpy(float *y, float a, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += a * x[i];
}

static void scale(float *y, float a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] *= a;
}

static float sumsq(const float *x, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s += x[i] * x[i];
    return s;
}

const struct tn_kernels tn_kernels_scalar = {
    .name = "scalar",
    .dot_f32 = dot_f32,
    .dot_f16 = dot_f16,
    .dot_q8_0_f32 = dot_q8_0_f32,
    .dot_q4_0_f32 = dot_q4_0_f32,
    .dot_q8_0_q8_0 = dot_q8_0_q8_0,
    .dot_q4_0_q8_0 = dot_q4_0_q8_0,
    .dot_q4_K_f32 = tn_dot_q4_K_f32_ref,       /* kquant.c */
    .dot_q6_K_f32 = tn_dot_q6_K_f32_ref,
    .dot_q4_K_q8_K = tn_dot_q4_K_q8_K_ref,
    .dot_q6_K_q8_K = tn_dot_q6_K_q8_K_ref,
    .matvec_f32 = matvec_f32,
    .gemm_f32 = gemm_f32,
    .quantize_q8_0 = quantize_q8_0,
    .add = add,
    .mul = mul,
    .axpy = axpy,
    .scale = scale,
    .sumsq = sumsq,
};
