/*
 * ggml's k-quants, q4_K and q6_K: the exact block layouts of GGUF files
 * (tensor.h), a quantizer that searches each sub-block's scale, the q8_K
 * activations they meet, and the scalar reference dots the SIMD kernels
 * are tested against.
 *
 * Every function goes through the unpacked integers (unpack_q4_K,
 * unpack_q6_K): the bit layout is written down once here, and once more in
 * each SIMD kernel, which the tests hold to this file.
 */
#include "tensor.h"

/* Rounded to the nearest int; out-of-range values and NaN (a corrupt input
 * weight) become a large int that the callers' clamps bound, never an
 * undefined conversion. */
static inline int nearest(float x)
{
    return x >= 1e8f ? 100000000 : x > -1e8f ? (int)roundf(x) : -100000000;
}

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- q4_K ------------------------------------------------------------------------ */

/* The inverse of tn_q4_K_scale_min (tensor.h). */
static void pack_scale_min(uint8_t q[12], const uint8_t sc[8], const uint8_t m[8])
{
    for (int j = 0; j < 4; j++) {
        q[j] = (uint8_t)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        q[j + 4] = (uint8_t)((m[j] & 63) | ((m[j + 4] >> 4) << 6));
        q[j + 8] = (uint8_t)((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
    }
}

/* The 256 4-bit values of a block in order, with the 8 scales and mins. */
static void unpack_q4_K(const struct tn_block_q4_K *b, uint8_t q[TN_QK_K], uint8_t sc[8],
                        uint8_t m[8])
{
    for (int c = 0; c < 4; c++)
        for (int l = 0; l < 32; l++) {
            q[64 * c + l] = b->qs[32 * c + l] & 15;
            q[64 * c + 32 + l] = b->qs[32 * c + l] >> 4;
        }
    for (int j = 0; j < 8; j++)
        tn_q4_K_scale_min(b->scales, j, &sc[j], &m[j]);
}

/* x ~ a * q + b with q in 0..nmax and b <= 0 (q4_K stores -b as its min):
 * starting scales around (max - min) / nmax, each assignment refitted by
 * least squares, the one of least squared error kept. Returns a, sets *mn
 * to -b. */
static float fit_affine(const float *x, int n, int nmax, float *mn)
{
    float lo = x[0], hi = x[0];
    for (int i = 1; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    if (lo > 0.0f)
        lo = 0.0f;
    *mn = -lo;
    if (hi <= lo)
        return 0.0f;
    float best_a = (hi - lo) / (float)nmax, best_b = lo, best_err = -1.0f;
    for (int step = -10; step <= 10; step++) {
        float iscale = ((float)nmax + 0.1f * (float)step) / (hi - lo);
        float sl = 0, sl2 = 0, sx = 0, slx = 0;
        int L[TN_QK_K];
        for (int i = 0; i < n; i++) {
            L[i] = clampi(nearest((x[i] - lo) * iscale), 0, nmax);
            sl += (float)L[i];
            sl2 += (float)(L[i] * L[i]);
            sx += x[i];
            slx += (float)L[i] * x[i];
        }
        float D = (float)n * sl2 - sl * sl, a, b;
        if (D <= 0.0f)
            continue;
        a = ((float)n * slx - sl * sx) / D;
        b = (sl2 * sx - sl * slx) / D;
        if (b > 0.0f) {
            b = 0.0f;
            a = slx / sl2;
        }
        if (a < 0.0f)
            continue;
        float err = 0;
        for (int i = 0; i < n; i++) {
            float e = a * (float)L[i] + b - x[i];
            err += e * e;
        }
        if (best_err < 0.0f || err < best_err) {
            best_err = err;
            best_a = a;
            best_b = b;
        }
    }
    *mn = -best_b;
    return best_a;
}

void tn_quantize_q4_K(void *dst, const float *x, int64_t n)
{
    struct tn_block_q4_K *b = dst;
    for (int64_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float a[8], mn[8], amax = 0, mmax = 0;
        for (int j = 0; j < 8; j++) {
            a[j] = fit_affine(x + 32 * j, 32, 15, &mn[j]);
            amax = a[j] > amax ? a[j] : amax;
            mmax = mn[j] > mmax ? mn[j] : mmax;
        }
        /* the 6-bit sub-block values are taken against the f16 super-block
         * scales as stored, so rounding d itself costs nothing more */
        b[i].d = tn_f32_to_f16(amax / 63.0f);
        b[i].dmin = tn_f32_to_f16(mmax / 63.0f);
        float d = tn_f16_to_f32(b[i].d), dmin = tn_f16_to_f32(b[i].dmin);
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = (uint8_t)(d > 0.0f ? clampi(nearest(a[j] / d), 0, 63) : 0);
            m[j] = (uint8_t)(dmin > 0.0f ? clampi(nearest(mn[j] / dmin), 0, 63) : 0);
        }
        pack_scale_min(b[i].scales, sc, m);
        memset(b[i].qs, 0, sizeof(b[i].qs));
        for (int p = 0; p < TN_QK_K; p++) {
            int j = p / 32;
            float s = d * (float)sc[j], off = dmin * (float)m[j];
            int q = s > 0.0f ? clampi(nearest((x[p] + off) / s), 0, 15) : 0;
            b[i].qs[32 * (p / 64) + p % 32] |= (uint8_t)(p % 64 < 32 ? q : q << 4);
        }
    }
}

void tn_dequantize_q4_K(float *dst, const void *src, int64_t n)
{
    const struct tn_block_q4_K *b = src;
    for (int64_t i = 0; i < n / TN_QK_K; i++, dst += TN_QK_K) {
        uint8_t q[TN_QK_K], sc[8], m[8];
        unpack_q4_K(&b[i], q, sc, m);
        float d = tn_f16_to_f32(b[i].d), dmin = tn_f16_to_f32(b[i].dmin);
        for (int p = 0; p < TN_QK_K; p++)
            dst[p] = d * (float)sc[p / 32] * (float)q[p] - dmin * (float)m[p / 32];
    }
}

/* ---- q6_K ------------------------------------------------------------------------ */

/* Value p of a half h = p / 128 (r = p % 128, l = r % 32, k = r / 32): low
 * 4 bits in ql[64h + l + 32(k & 1)] (low nibble for k < 2, high for k >= 2),
 * high 2 bits in qh[32h + l] at bit 2k. Returns q - 32 (-32..31). */
static void unpack_q6_K(const struct tn_block_q6_K *b, int8_t q[TN_QK_K])
{
    for (int p = 0; p < TN_QK_K; p++) {
        int h = p / 128, r = p % 128, l = r % 32, k = r / 32;
        int lo = b->ql[64 * h + l + 32 * (k & 1)], hi = b->qh[32 * h + l];
        int v = (k < 2 ? lo & 15 : lo >> 4) | (((hi >> (2 * k)) & 3) << 4);
        q[p] = (int8_t)(v - 32);
    }
}

/* x ~ a * L with L in -nmax..nmax-1: the value of largest magnitude near
 * -nmax (so the extra negative step is used), scales around it refitted by
 * least squares, the one of least squared error kept. */
static float fit_symmetric(const float *x, int n, int nmax)
{
    float amax = 0, max = 0;
    for (int i = 0; i < n; i++)
        if (fabsf(x[i]) > amax) {
            amax = fabsf(x[i]);
            max = x[i];
        }
    if (amax == 0.0f)
        return 0.0f;
    float best_a = max / (float)-nmax, best_err = -1.0f;
    for (int step = -9; step <= 9; step++) {
        float iscale = -((float)nmax + 0.1f * (float)step) / max;
        float slx = 0, sl2 = 0;
        int L[TN_QK_K];
        for (int i = 0; i < n; i++) {
            L[i] = clampi(nearest(iscale * x[i]), -nmax, nmax - 1);
            slx += (float)L[i] * x[i];
            sl2 += (float)(L[i] * L[i]);
        }
        if (sl2 <= 0.0f)
            continue;
        float a = slx / sl2, err = 0;
        for (int i = 0; i < n; i++) {
            float e = a * (float)L[i] - x[i];
            err += e * e;
        }
        if (best_err < 0.0f || err < best_err) {
            best_err = err;
            best_a = a;
        }
    }
    return best_a;
}

void tn_quantize_q6_K(void *dst, const float *x, int64_t n)
{
    struct tn_block_q6_K *b = dst;
    for (int64_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float a[16], amax = 0;
        for (int g = 0; g < 16; g++) {
            a[g] = fit_symmetric(x + 16 * g, 16, 32);
            amax = fabsf(a[g]) > amax ? fabsf(a[g]) : amax;
        }
        b[i].d = tn_f32_to_f16(amax / 127.0f);
        float d = tn_f16_to_f32(b[i].d);
        for (int g = 0; g < 16; g++)
            b[i].scales[g] = (int8_t)(d > 0.0f ? clampi(nearest(a[g] / d), -128, 127) : 0);
        memset(b[i].ql, 0, sizeof(b[i].ql));
        memset(b[i].qh, 0, sizeof(b[i].qh));
        for (int p = 0; p < TN_QK_K; p++) {
            float s = d * (float)b[i].scales[p / 16];
            int v = (s != 0.0f ? clampi(nearest(x[p] / s), -32, 31) : 0) + 32;
            int h = p / 128, r = p % 128, l = r % 32, k = r / 32;
            b[i].ql[64 * h + l + 32 * (k & 1)] |= (uint8_t)((v & 15) << (k < 2 ? 0 : 4));
            b[i].qh[32 * h + l] |= (uint8_t)((v >> 4) << (2 * k));
        }
    }
}

void tn_dequantize_q6_K(float *dst, const void *src, int64_t n)
{
    const struct tn_block_q6_K *b = src;
    for (int64_t i = 0; i < n / TN_QK_K; i++, dst += TN_QK_K) {
        int8_t q[TN_QK_K];
        unpack_q6_K(&b[i], q);
        float d = tn_f16_to_f32(b[i].d);
        for (int p = 0; p < TN_QK_K; p++)
            dst[p] = d * (float)b[i].scales[p / 16] * (float)q[p];
    }
}

/* ---- q8_K activations ---------------------------------------------------------------- */

/* Symmetric, like q8_0 (amax -> 127, roundf), one f32 scale per 256. */
void tn_quantize_q8_K(void *dst, const float *x, size_t n)
{
    struct tn_block_q8_K *b = dst;
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float amax = 0;
        for (int j = 0; j < TN_QK_K; j++)
            amax = fabsf(x[j]) > amax ? fabsf(x[j]) : amax;
        float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = d;
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int j = 16 * g; j < 16 * g + 16; j++) {
                float v = roundf(x[j] * id);
                b[i].qs[j] = (int8_t)(v > 127.0f ? 127 : v < -127.0f ? -127 : v);
                sum += b[i].qs[j];
            }
            b[i].bsums[g] = (int16_t)sum;
        }
    }
}

/* ---- scalar reference dots --------------------------------------------------------------- */

float tn_dot_q4_K_q8_K_ref(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_K *a = w;
    const struct tn_block_q8_K *x = xq;
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        uint8_t q[TN_QK_K], sc[8], m[8];
        unpack_q4_K(&a[i], q, sc, m);
        int sumi = 0, summ = 0;
        for (int j = 0; j < 8; j++) {
            int t = 0;
            for (int l = 32 * j; l < 32 * j + 32; l++)
                t += q[l] * x[i].qs[l];
            sumi += sc[j] * t;
            summ += m[j] * (x[i].bsums[2 * j] + x[i].bsums[2 * j + 1]);
        }
        s += x[i].d * (tn_f16_to_f32(a[i].d) * (float)sumi -
                       tn_f16_to_f32(a[i].dmin) * (float)summ);
    }
    return s;
}

float tn_dot_q6_K_q8_K_ref(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q6_K *a = w;
    const struct tn_block_q8_K *x = xq;
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        int8_t q[TN_QK_K];
        unpack_q6_K(&a[i], q);
        int sumi = 0;
        for (int g = 0; g < 16; g++) {
            int t = 0;
            for (int l = 16 * g; l < 16 * g + 16; l++)
                t += q[l] * x[i].qs[l];
            sumi += a[i].scales[g] * t;
        }
        s += x[i].d * tn_f16_to_f32(a[i].d) * (float)sumi;
    }
    return s;
}

float tn_dot_q4_K_f32_ref(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_K *a = w;
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        uint8_t q[TN_QK_K], sc[8], m[8];
        unpack_q4_K(&a[i], q, sc, m);
        float d = tn_f16_to_f32(a[i].d), dmin = tn_f16_to_f32(a[i].dmin);
        for (int j = 0; j < 8; j++) {
            float t = 0, sx = 0;
            for (int l = 32 * j; l < 32 * j + 32; l++) {
                t += (float)q[l] * x[l];
                sx += x[l];
            }
            s += d * (float)sc[j] * t - dmin * (float)m[j] * sx;
        }
    }
    return s;
}

float tn_dot_q6_K_f32_ref(const void *w, const float *x, size_t n)
{
    const struct tn_block_q6_K *a = w;
    float s = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        int8_t q[TN_QK_K];
        unpack_q6_K(&a[i], q);
        float d = tn_f16_to_f32(a[i].d);
        for (int g = 0; g < 16; g++) {
            float t = 0;
            for (int l = 16 * g; l < 16 * g + 16; l++)
                t += (float)q[l] * x[l];
            s += d * (float)a[i].scales[g] * t;
        }
    }
    return s;
}
