/*
 * NEON kernels (the arm64 baseline: every ARMv8-A CPU has Advanced SIMD).
 */
#include "tensor.h"
#if defined(__aarch64__)
#include <arm_neon.h>

static float dot_f32(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float dot_f16(const uint16_t *w, const float *x, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(w + i));
        s0 = vfmaq_f32(s0, vcvt_f32_f16(vget_low_f16(h)), vld1q_f32(x + i));
        s1 = vfmaq_f32(s1, vcvt_high_f32_f16(h), vld1q_f32(x + i + 4));
    }
    float s = vaddvq_f32(vaddq_f32(s0, s1));
    for (; i < n; i++)
        s += tn_f16_to_f32(w[i]) * x[i];
    return s;
}

static void matvec_f32(float *y, const float *w, const float *x, size_t rows, size_t n)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
        size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            float32x4_t xv = vld1q_f32(x + i);
            s0 = vfmaq_f32(s0, vld1q_f32(w0 + i), xv);
            s1 = vfmaq_f32(s1, vld1q_f32(w1 + i), xv);
            s2 = vfmaq_f32(s2, vld1q_f32(w2 + i), xv);
            s3 = vfmaq_f32(s3, vld1q_f32(w3 + i), xv);
        }
        float a0 = vaddvq_f32(s0), a1 = vaddvq_f32(s1), a2 = vaddvq_f32(s2), a3 = vaddvq_f32(s3);
        for (; i < n; i++) {
            a0 += w0[i] * x[i]; a1 += w1[i] * x[i]; a2 += w2[i] * x[i]; a3 += w3[i] * x[i];
        }
        y[r] = a0; y[r + 1] = a1; y[r + 2] = a2; y[r + 3] = a3;
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

/* sum of a[i]*b[i] over 16 signed bytes */
static inline int32x4_t dot16(int8x16_t a, int8x16_t b)
{
    int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    int16x8_t hi = vmull_high_s8(a, b);
    return vpadalq_s16(vpaddlq_s16(lo), hi);
}

static float dot_q8_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q8_0 *a = w, *b = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK; i++) {
        int32x4_t p = vaddq_s32(dot16(vld1q_s8(a[i].qs), vld1q_s8(b[i].qs)),
                                dot16(vld1q_s8(a[i].qs + 16), vld1q_s8(b[i].qs + 16)));
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d));
    }
    return vaddvq_f32(acc);
}

static inline void unpack_q4(const uint8_t *qs, int8x16_t *lo, int8x16_t *hi)
{
    uint8x16_t q = vld1q_u8(qs);
    *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(15))), vdupq_n_s8(8));
    *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), vdupq_n_s8(8));
}

static float dot_q4_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_0 *a = w;
    const struct tn_block_q8_0 *b = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK; i++) {
        int8x16_t lo, hi;
        unpack_q4(a[i].qs, &lo, &hi);
        int32x4_t p = vaddq_s32(dot16(lo, vld1q_s8(b[i].qs)), dot16(hi, vld1q_s8(b[i].qs + 16)));
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), tn_f16_to_f32(a[i].d) * tn_f16_to_f32(b[i].d));
    }
    return vaddvq_f32(acc);
}

/* ---- k-quants against q8_K (kquant.c has the layouts and the reference) ------------------- */

/* q4_K: each 32 bytes of nibbles hold two sub-blocks (low nibbles, then
 * high); the mins cost one product per 16 values through the q8_K sums. */
static float dot_q4_K_q8_K(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_K *a = w;
    const struct tn_block_q8_K *x = xq;
    const uint8x16_t m4 = vdupq_n_u8(15);
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        uint8_t sc[8], m[8];
        int summ = 0, sumi = 0;
        for (int j = 0; j < 8; j++) {
            tn_q4_K_scale_min(a[i].scales, j, &sc[j], &m[j]);
            summ += m[j] * (x[i].bsums[2 * j] + x[i].bsums[2 * j + 1]);
        }
        for (int c = 0; c < 4; c++) {
            uint8x16_t q0 = vld1q_u8(a[i].qs + 32 * c), q1 = vld1q_u8(a[i].qs + 32 * c + 16);
            const int8_t *xc = x[i].qs + 64 * c;
            int8x16_t l0 = vreinterpretq_s8_u8(vandq_u8(q0, m4));
            int8x16_t l1 = vreinterpretq_s8_u8(vandq_u8(q1, m4));
            int8x16_t h0 = vreinterpretq_s8_u8(vshrq_n_u8(q0, 4));
            int8x16_t h1 = vreinterpretq_s8_u8(vshrq_n_u8(q1, 4));
            int32x4_t lo = vaddq_s32(dot16(l0, vld1q_s8(xc)), dot16(l1, vld1q_s8(xc + 16)));
            int32x4_t hi = vaddq_s32(dot16(h0, vld1q_s8(xc + 32)), dot16(h1, vld1q_s8(xc + 48)));
            sumi += sc[2 * c] * vaddvq_s32(lo) + sc[2 * c + 1] * vaddvq_s32(hi);
        }
        s += x[i].d * (tn_f16_to_f32(a[i].d) * (float)sumi -
                       tn_f16_to_f32(a[i].dmin) * (float)summ);
    }
    return s;
}

/* 16 values of each of the four 32-value runs of half h of a q6_K block
 * (t: the first or second 16), as signed -32..31: q[k] holds values
 * 128h + 32k + 16t .. +15, which share the scale 8h + 2k + t. */
static inline void q6_K_unpack16(const struct tn_block_q6_K *a, int h, int t, int8x16_t q[4])
{
    const uint8x16_t m4 = vdupq_n_u8(15), m2 = vdupq_n_u8(3);
    const int8x16_t k32 = vdupq_n_s8(32);
    uint8x16_t l0 = vld1q_u8(a->ql + 64 * h + 16 * t);
    uint8x16_t l1 = vld1q_u8(a->ql + 64 * h + 32 + 16 * t);
    uint8x16_t qh = vld1q_u8(a->qh + 32 * h + 16 * t);
    uint8x16_t u[4] = {
        vorrq_u8(vandq_u8(l0, m4), vshlq_n_u8(vandq_u8(qh, m2), 4)),
        vorrq_u8(vandq_u8(l1, m4), vshlq_n_u8(vandq_u8(vshrq_n_u8(qh, 2), m2), 4)),
        vorrq_u8(vshrq_n_u8(l0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(qh, 4), m2), 4)),
        vorrq_u8(vshrq_n_u8(l1, 4), vshlq_n_u8(vshrq_n_u8(qh, 6), 4)),
    };
    for (int k = 0; k < 4; k++)
        q[k] = vsubq_s8(vreinterpretq_s8_u8(u[k]), k32);
}

/* q6_K: 16 values at a time, rebuilt as signed -32..31, one scale each. */
static float dot_q6_K_q8_K(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q6_K *a = w;
    const struct tn_block_q8_K *x = xq;
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        int sumi = 0;
        for (int h = 0; h < 2; h++)
            for (int t = 0; t < 2; t++) {
                int8x16_t q6[4];
                q6_K_unpack16(&a[i], h, t, q6);
                for (int k = 0; k < 4; k++) {
                    int8x16_t q = q6[k];
                    int32x4_t p = dot16(q, vld1q_s8(x[i].qs + 128 * h + 32 * k + 16 * t));
                    sumi += a[i].scales[8 * h + 2 * k + t] * vaddvq_s32(p);
                }
            }
        s += x[i].d * tn_f16_to_f32(a[i].d) * (float)sumi;
    }
    return s;
}

/* 16 signed bytes . 16 floats */
static inline float32x4_t dot16f(int8x16_t q, const float *x)
{
    int16x8_t l = vmovl_s8(vget_low_s8(q)), h = vmovl_high_s8(q);
    float32x4_t s = vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(l))), vld1q_f32(x));
    s = vfmaq_f32(s, vcvtq_f32_s32(vmovl_high_s16(l)), vld1q_f32(x + 4));
    s = vfmaq_f32(s, vcvtq_f32_s32(vmovl_s16(vget_low_s16(h))), vld1q_f32(x + 8));
    return vfmaq_f32(s, vcvtq_f32_s32(vmovl_high_s16(h)), vld1q_f32(x + 12));
}

/* 16 unsigned bytes . 16 floats */
static inline float32x4_t dot16uf(uint8x16_t q, const float *x)
{
    uint16x8_t l = vmovl_u8(vget_low_u8(q)), h = vmovl_high_u8(q);
    float32x4_t s = vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(l))), vld1q_f32(x));
    s = vfmaq_f32(s, vcvtq_f32_u32(vmovl_high_u16(l)), vld1q_f32(x + 4));
    s = vfmaq_f32(s, vcvtq_f32_u32(vmovl_u16(vget_low_u16(h))), vld1q_f32(x + 8));
    return vfmaq_f32(s, vcvtq_f32_u32(vmovl_high_u16(h)), vld1q_f32(x + 12));
}

static inline float32x4_t sum32f(const float *x)
{
    return vaddq_f32(vaddq_f32(vaddq_f32(vld1q_f32(x), vld1q_f32(x + 4)),
                               vaddq_f32(vld1q_f32(x + 8), vld1q_f32(x + 12))),
                     vaddq_f32(vaddq_f32(vld1q_f32(x + 16), vld1q_f32(x + 20)),
                               vaddq_f32(vld1q_f32(x + 24), vld1q_f32(x + 28))));
}

/* q4_K against f32: per sub-block d*scale*sum(q*x) - dmin*min*sum(x). */
static float dot_q4_K_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_K *a = w;
    const uint8x16_t m4 = vdupq_n_u8(15);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float d = tn_f16_to_f32(a[i].d), dmin = tn_f16_to_f32(a[i].dmin);
        for (int c = 0; c < 4; c++) {
            uint8_t sc0, m0, sc1, m1;
            tn_q4_K_scale_min(a[i].scales, 2 * c, &sc0, &m0);
            tn_q4_K_scale_min(a[i].scales, 2 * c + 1, &sc1, &m1);
            uint8x16_t q0 = vld1q_u8(a[i].qs + 32 * c), q1 = vld1q_u8(a[i].qs + 32 * c + 16);
            const float *xc = x + 64 * c;
            float32x4_t lo = vaddq_f32(dot16uf(vandq_u8(q0, m4), xc),
                                       dot16uf(vandq_u8(q1, m4), xc + 16));
            float32x4_t hi = vaddq_f32(dot16uf(vshrq_n_u8(q0, 4), xc + 32),
                                       dot16uf(vshrq_n_u8(q1, 4), xc + 48));
            acc = vfmaq_n_f32(acc, lo, d * (float)sc0);
            acc = vfmaq_n_f32(acc, hi, d * (float)sc1);
            acc = vfmsq_n_f32(acc, sum32f(xc), dmin * (float)m0);
            acc = vfmsq_n_f32(acc, sum32f(xc + 32), dmin * (float)m1);
        }
    }
    return vaddvq_f32(acc);
}

/* q6_K against f32: the values rebuilt as signed -32..31, 16 per scale. */
static float dot_q6_K_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q6_K *a = w;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float d = tn_f16_to_f32(a[i].d);
        for (int h = 0; h < 2; h++)
            for (int t = 0; t < 2; t++) {
                int8x16_t q6[4];
                q6_K_unpack16(&a[i], h, t, q6);
                for (int k = 0; k < 4; k++)
                    acc = vfmaq_n_f32(acc, dot16f(q6[k], x + 128 * h + 32 * k + 16 * t),
                                      d * (float)a[i].scales[8 * h + 2 * k + t]);
            }
    }
    return vaddvq_f32(acc);
}

static float dot_q8_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q8_0 *b = w;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float32x4_t t = vaddq_f32(dot16f(vld1q_s8(b[i].qs), x), dot16f(vld1q_s8(b[i].qs + 16), x + 16));
        acc = vfmaq_n_f32(acc, t, tn_f16_to_f32(b[i].d));
    }
    return vaddvq_f32(acc);
}

static float dot_q4_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_0 *b = w;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        int8x16_t lo, hi;
        unpack_q4(b[i].qs, &lo, &hi);
        acc = vfmaq_n_f32(acc, vaddq_f32(dot16f(lo, x), dot16f(hi, x + 16)), tn_f16_to_f32(b[i].d));
    }
    return vaddvq_f32(acc);
}

static void quantize_q8_0(void *dst, const float *x, size_t n)
{
    struct tn_block_q8_0 *b = dst;
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float32x4_t m = vabsq_f32(vld1q_f32(x));
        for (int j = 4; j < TN_QK; j += 4)
            m = vmaxq_f32(m, vabsq_f32(vld1q_f32(x + j)));
        float amax = vmaxvq_f32(m);
        float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = tn_f32_to_f16(d);
        for (int j = 0; j < TN_QK; j += 4) {
            /* vcvtaq: round to nearest, ties away from zero = roundf */
            int32x4_t q = vcvtaq_s32_f32(vmulq_n_f32(vld1q_f32(x + j), id));
            q = vmaxq_s32(vminq_s32(q, vdupq_n_s32(127)), vdupq_n_s32(-127));
            int16x4_t q16 = vmovn_s32(q);
            int8x8_t q8 = vmovn_s16(vcombine_s16(q16, q16));
            b[i].qs[j] = vget_lane_s8(q8, 0);
            b[i].qs[j + 1] = vget_lane_s8(q8, 1);
            b[i].qs[j + 2] = vget_lane_s8(q8, 2);
            b[i].qs[j + 3] = vget_lane_s8(q8, 3);
        }
    }
}

static void add(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
    for (; i < n; i++)
        y[i] = a[i] + b[i];
}

static void mul(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vmulq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
    for (; i < n; i++)
        y[i] = a[i] * b[i];
}

static void axpy(float *y, float a, const float *x, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), a));
    for (; i < n; i++)
        y[i] += a * x[i];
}

static void scale(float *y, float a, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(y + i), a));
    for (; i < n; i++)
        y[i] *= a;
}

static float sumsq(const float *x, size_t n)
{
    return dot_f32(x, x, n);
}

const struct tn_kernels tn_kernels_neon = {
    .name = "neon",
    .dot_f32 = dot_f32,
    .dot_f16 = dot_f16,
    .dot_q8_0_f32 = dot_q8_0_f32,
    .dot_q4_0_f32 = dot_q4_0_f32,
    .dot_q8_0_q8_0 = dot_q8_0_q8_0,
    .dot_q4_0_q8_0 = dot_q4_0_q8_0,
    .dot_q4_K_f32 = dot_q4_K_f32,
    .dot_q6_K_f32 = dot_q6_K_f32,
    .dot_q4_K_q8_K = dot_q4_K_q8_K,
    .dot_q6_K_q8_K = dot_q6_K_q8_K,
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
