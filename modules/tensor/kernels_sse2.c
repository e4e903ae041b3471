/*
 * SSE2 kernels: the x86_64 baseline, so every x86_64 CPU runs these. f16 and q8_0 quantization come
 * from the scalar table (no conversion instructions in SSE2), and so do the k-quant dots (SSE2
 * lacks the byte multiply-add they are built on; a CPU without AVX2 is rare).
 */
#include "tensor.h"
#if defined(__x86_64__)
#include "simd_x86.h"

static inline float hsum(__m128 v)
{
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
    return _mm_cvtss_f32(v);
}

static inline int hsum_i32(__m128i v)
{
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return _mm_cvtsi128_si32(v);
}

static float dot_f32(const float *a, const float *b, size_t n)
{
    __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
        s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(a + i + 4), _mm_loadu_ps(b + i + 4)));
        s2 = _mm_add_ps(s2, _mm_mul_ps(_mm_loadu_ps(a + i + 8), _mm_loadu_ps(b + i + 8)));
        s3 = _mm_add_ps(s3, _mm_mul_ps(_mm_loadu_ps(a + i + 12), _mm_loadu_ps(b + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    float s = hsum(_mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static void matvec_f32(float *y, const float *w, const float *x, size_t rows, size_t n)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            __m128 xv = _mm_loadu_ps(x + i);
            s0 = _mm_add_ps(s0, _mm_mul_ps(_mm_loadu_ps(w0 + i), xv));
            s1 = _mm_add_ps(s1, _mm_mul_ps(_mm_loadu_ps(w1 + i), xv));
            s2 = _mm_add_ps(s2, _mm_mul_ps(_mm_loadu_ps(w2 + i), xv));
            s3 = _mm_add_ps(s3, _mm_mul_ps(_mm_loadu_ps(w3 + i), xv));
        }
        float t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
        for (; i < n; i++) {
            t0 += w0[i] * x[i]; t1 += w1[i] * x[i]; t2 += w2[i] * x[i]; t3 += w3[i] * x[i];
        }
        y[r] = t0; y[r + 1] = t1; y[r + 2] = t2; y[r + 3] = t3;
    }
    for (; r < rows; r++)
        y[r] = dot_f32(w + r * n, x, n);
}

static void gemm_f32(float *y, const float *x, const float *w, size_t m, size_t n, size_t k,
                     float *pack)
{
    (void)pack;
    for (size_t i = 0; i < m; i++)
        matvec_f32(y + i * n, w, x + i * k, n, k);
}

/* 16 signed bytes -> two vectors of 8 int16 */
static inline __m128i lo16(__m128i v) { return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8); }
static inline __m128i hi16(__m128i v) { return _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8); }

/* sum of a[i]*b[i] over 16 signed bytes as 4 int32 */
static inline __m128i dot16(__m128i a, __m128i b)
{
    return _mm_add_epi32(_mm_madd_epi16(lo16(a), lo16(b)), _mm_madd_epi16(hi16(a), hi16(b)));
}

static float dot_q8_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q8_0 *a = w, *b = xq;
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++) {
        __m128i p = _mm_add_epi32(
            dot16(_mm_loadu_si128((const __m128i *)a[i].qs), _mm_loadu_si128((const __m128i *)b[i].qs)),
            dot16(_mm_loadu_si128((const __m128i *)(a[i].qs + 16)),
                  _mm_loadu_si128((const __m128i *)(b[i].qs + 16))));
        s += tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d) * (float)hsum_i32(p);
    }
    return s;
}

static float dot_q4_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_0 *a = w;
    const struct tn_block_q8_0 *b = xq;
    const __m128i m4 = _mm_set1_epi8(15), e8 = _mm_set1_epi8(8);
    float s = 0.0f;
    for (size_t i = 0; i < n / TN_QK; i++) {
        __m128i q = _mm_loadu_si128((const __m128i *)a[i].qs);
        __m128i lo = _mm_sub_epi8(_mm_and_si128(q, m4), e8);
        __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m4), e8);
        __m128i p = _mm_add_epi32(dot16(lo, _mm_loadu_si128((const __m128i *)b[i].qs)),
                                  dot16(hi, _mm_loadu_si128((const __m128i *)(b[i].qs + 16))));
        s += tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d) * (float)hsum_i32(p);
    }
    return s;
}

/* 16 signed bytes * 16 floats */
static inline __m128 dot16f(__m128i q, const float *x)
{
    __m128i l = lo16(q), h = hi16(q);
    __m128 f0 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(l, l), 16));
    __m128 f1 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(l, l), 16));
    __m128 f2 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpacklo_epi16(h, h), 16));
    __m128 f3 = _mm_cvtepi32_ps(_mm_srai_epi32(_mm_unpackhi_epi16(h, h), 16));
    __m128 s = _mm_mul_ps(f0, _mm_loadu_ps(x));
    s = _mm_add_ps(s, _mm_mul_ps(f1, _mm_loadu_ps(x + 4)));
    s = _mm_add_ps(s, _mm_mul_ps(f2, _mm_loadu_ps(x + 8)));
    return _mm_add_ps(s, _mm_mul_ps(f3, _mm_loadu_ps(x + 12)));
}

static float dot_q8_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q8_0 *b = w;
    __m128 acc = _mm_setzero_ps();
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        __m128 t = _mm_add_ps(dot16f(_mm_loadu_si128((const __m128i *)b[i].qs), x),
                              dot16f(_mm_loadu_si128((const __m128i *)(b[i].qs + 16)), x + 16));
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_set1_ps(tn_f16_to_f32(b[i].d)), t));
    }
    return hsum(acc);
}

static float dot_q4_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_0 *b = w;
    const __m128i m4 = _mm_set1_epi8(15), e8 = _mm_set1_epi8(8);
    __m128 acc = _mm_setzero_ps();
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        __m128i q = _mm_loadu_si128((const __m128i *)b[i].qs);
        __m128i lo = _mm_sub_epi8(_mm_and_si128(q, m4), e8);
        __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m4), e8);
        __m128 t = _mm_add_ps(dot16f(lo, x), dot16f(hi, x + 16));
        acc = _mm_add_ps(acc, _mm_mul_ps(_mm_set1_ps(tn_f16_to_f32(b[i].d)), t));
    }
    return hsum(acc);
}

static void add(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    for (; i < n; i++)
        y[i] = a[i] + b[i];
}

static void mul(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(a + i), _mm_loadu_ps(b + i)));
    for (; i < n; i++)
        y[i] = a[i] * b[i];
}

static void axpy(float *y, float a, const float *x, size_t n)
{
    __m128 av = _mm_set1_ps(a);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_mul_ps(av, _mm_loadu_ps(x + i))));
    for (; i < n; i++)
        y[i] += a * x[i];
}

static void scale(float *y, float a, size_t n)
{
    __m128 av = _mm_set1_ps(a);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_mul_ps(_mm_loadu_ps(y + i), av));
    for (; i < n; i++)
        y[i] *= a;
}

static float sumsq(const float *x, size_t n)
{
    return dot_f32(x, x, n);
}

static float dot_f16(const uint16_t *w, const float *x, size_t n)
{
    return tn_kernels_scalar.dot_f16(w, x, n);
}

static void quantize_q8_0(void *dst, const float *x, size_t n)
{
    tn_quantize_row(TN_Q8_0, dst, x, (int64_t)n);
}

const struct tn_kernels tn_kernels_sse2 = {
    .name = "sse2",
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
#endif
