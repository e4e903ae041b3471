/*
 * AVX2 + FMA (+ F16C) kernels, compiled with a target attribute per function
 * so the rest of the build stays baseline x86_64; ops.c picks this table only when the CPU
 * (and, in the image, the OS state) has all three features.
 */
#include "tensor.h"
#if defined(__x86_64__)
#include "simd_x86.h"

/* every function here, so the rest of the build stays baseline x86_64 */
#define AVX2 __attribute__((target("avx2,fma,f16c")))

AVX2 static inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* f16 -> f32 with F16C (exact, as tn_f16_to_f32, without the call) */
AVX2 static inline float f16(uint16_t h)
{
    return _cvtsh_ss(h);
}

AVX2 static float dot_f32(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

AVX2 static float dot_f16(const uint16_t *w, const float *x, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))),
                             _mm256_loadu_ps(x + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i + 8))),
                             _mm256_loadu_ps(x + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(w + i))),
                             _mm256_loadu_ps(x + i), s0);
    float s = hsum(_mm256_add_ps(s0, s1));
    for (; i < n; i++)
        s += tn_f16_to_f32(w[i]) * x[i];
    return s;
}

/* 4 rows at a time: each load of x feeds four FMAs */
AVX2 static void matvec_f32(float *y, const float *w, const float *x, size_t rows, size_t n)
{
    size_t r = 0;
    for (; r + 4 <= rows; r += 4) {
        const float *w0 = w + r * n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        __m256 t0 = s0, t1 = s0, t2 = s0, t3 = s0;
        size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            __m256 xa = _mm256_loadu_ps(x + i), xb = _mm256_loadu_ps(x + i + 8);
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xa, s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xa, s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i), xa, s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i), xa, s3);
            t0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i + 8), xb, t0);
            t1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i + 8), xb, t1);
            t2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i + 8), xb, t2);
            t3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i + 8), xb, t3);
        }
        for (; i + 8 <= n; i += 8) {
            __m256 xa = _mm256_loadu_ps(x + i);
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(w0 + i), xa, s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(w1 + i), xa, s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(w2 + i), xa, s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(w3 + i), xa, s3);
        }
        float a0 = hsum(_mm256_add_ps(s0, t0)), a1 = hsum(_mm256_add_ps(s1, t1));
        float a2 = hsum(_mm256_add_ps(s2, t2)), a3 = hsum(_mm256_add_ps(s3, t3));
        for (; i < n; i++) {
            a0 += w0[i] * x[i]; a1 += w1[i] * x[i]; a2 += w2[i] * x[i]; a3 += w3[i] * x[i];
        }
        y[r] = a0; y[r + 1] = a1; y[r + 2] = a2; y[r + 3] = a3;
    }
    for (; r < rows; r++)
        y[r] = dot_f32(w + r * n, x, n);
}

/* ---- packed GEMM: y[m][n] = x[m][k] . w[n][k] -------------------------------------
 * Blocks of KC along k and NC along n; w is packed into panels of 16
 * columns (k-major), x into panels of 6 rows; a 6x16 register tile of 12
 * accumulators takes one broadcast and two FMAs per row and k. */
#define MR 6
#define NR 16
#define KC 256
#define NC 256

AVX2 static void pack_w(float *dst, const float *w, size_t n0, size_t nc, size_t k0, size_t kc,
                   size_t k)
{
    for (size_t p = 0; p < nc; p += NR)
        for (size_t kk = 0; kk < kc; kk++)
            for (size_t j = 0; j < NR; j++)
                *dst++ = p + j < nc ? w[(n0 + p + j) * k + k0 + kk] : 0.0f;
}

AVX2 static void pack_x(float *dst, const float *x, size_t m0, size_t mr, size_t k0, size_t kc,
                   size_t k)
{
    for (size_t kk = 0; kk < kc; kk++)
        for (size_t i = 0; i < MR; i++)
            *dst++ = i < mr ? x[(m0 + i) * k + k0 + kk] : 0.0f;
}

AVX2 static void tile(float *y, size_t ldy, const float *xp, const float *wp, size_t kc,
                 size_t mr, size_t nr, int accumulate)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (size_t kk = 0; kk < kc; kk++, xp += MR, wp += NR) {
        __m256 b0 = _mm256_load_ps(wp), b1 = _mm256_load_ps(wp + 8), a;
        a = _mm256_broadcast_ss(xp + 0);
        c00 = _mm256_fmadd_ps(a, b0, c00); c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(xp + 1);
        c10 = _mm256_fmadd_ps(a, b0, c10); c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(xp + 2);
        c20 = _mm256_fmadd_ps(a, b0, c20); c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(xp + 3);
        c30 = _mm256_fmadd_ps(a, b0, c30); c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(xp + 4);
        c40 = _mm256_fmadd_ps(a, b0, c40); c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(xp + 5);
        c50 = _mm256_fmadd_ps(a, b0, c50); c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    float buf[MR * NR] __attribute__((aligned(32)));
    __m256 c[MR][2] = { { c00, c01 }, { c10, c11 }, { c20, c21 },
                        { c30, c31 }, { c40, c41 }, { c50, c51 } };
    if (mr == MR && nr == NR) {
        for (size_t i = 0; i < MR; i++) {
            float *row = y + i * ldy;
            if (accumulate) {
                c[i][0] = _mm256_add_ps(c[i][0], _mm256_loadu_ps(row));
                c[i][1] = _mm256_add_ps(c[i][1], _mm256_loadu_ps(row + 8));
            }
            _mm256_storeu_ps(row, c[i][0]);
            _mm256_storeu_ps(row + 8, c[i][1]);
        }
        return;
    }
    for (size_t i = 0; i < MR; i++) {
        _mm256_store_ps(buf + i * NR, c[i][0]);
        _mm256_store_ps(buf + i * NR + 8, c[i][1]);
    }
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < nr; j++)
            y[i * ldy + j] = accumulate ? y[i * ldy + j] + buf[i * NR + j] : buf[i * NR + j];
}

AVX2 static void gemm_f32(float *y, const float *x, const float *w, size_t m, size_t n, size_t k,
                     float *pack)
{
    float *wp = pack, *xp = pack + NC * KC;
    for (size_t k0 = 0; k0 < k; k0 += KC) {
        size_t kc = k - k0 < KC ? k - k0 : KC;
        for (size_t n0 = 0; n0 < n; n0 += NC) {
            size_t nc = n - n0 < NC ? n - n0 : NC;
            pack_w(wp, w, n0, nc, k0, kc, k);
            for (size_t m0 = 0; m0 < m; m0 += MR) {
                size_t mr = m - m0 < MR ? m - m0 : MR;
                pack_x(xp, x, m0, mr, k0, kc, k);
                for (size_t p = 0; p < nc; p += NR)
                    tile(y + m0 * n + n0 + p, n, xp, wp + p * kc, kc, mr,
                         nc - p < NR ? nc - p : NR, k0 > 0);
            }
        }
    }
}

/* ---- quantized ------------------------------------------------------------------------- */

/* sum over 32 byte pairs of a[i]*b[i] as 8 int32 (|a|,|b| <= 127) */
AVX2 static inline __m256i dot32(__m256i a, __m256i b)
{
    __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

/* One q8_0 block pair's contribution: scale * (the 32 products' sums) */
#define Q8_STEP(acc, wb, xv, dx) \
    acc = _mm256_fmadd_ps(_mm256_set1_ps(f16((wb).d) * (dx)), \
                          _mm256_cvtepi32_ps(dot32(_mm256_loadu_si256((const __m256i *)(wb).qs), xv)), acc)

/* Even blocks on one accumulator, odd ones on another: the FMA's latency,
 * not the integer work, would otherwise set the pace. (Four rows at a time
 * against one activation load measured 2x slower here: four weight streams.) */
AVX2 static float dot_q8_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q8_0 *a = w, *b = xq;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0;
    size_t nb = n / TN_QK, i = 0;
    for (; i + 2 <= nb; i += 2) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)b[i].qs);
        __m256i x1 = _mm256_loadu_si256((const __m256i *)b[i + 1].qs);
        Q8_STEP(acc0, a[i], x0, f16(b[i].d));
        Q8_STEP(acc1, a[i + 1], x1, f16(b[i + 1].d));
    }
    if (i < nb)
        Q8_STEP(acc0, a[i], _mm256_loadu_si256((const __m256i *)b[i].qs), f16(b[i].d));
    return hsum(_mm256_add_ps(acc0, acc1));
}

/* 16 bytes of nibbles -> 32 signed bytes (low nibbles first), minus 8 */
AVX2 static inline __m256i unpack_q4(const uint8_t *qs)
{
    __m128i q = _mm_loadu_si128((const __m128i *)qs), m4 = _mm_set1_epi8(15);
    __m256i v = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m4), _mm_and_si128(q, m4));
    return _mm256_sub_epi8(v, _mm256_set1_epi8(8));
}

AVX2 static float dot_q4_0_q8_0(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_0 *a = w;
    const struct tn_block_q8_0 *b = xq;
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / TN_QK; i++) {
        __m256i p = dot32(unpack_q4(a[i].qs), _mm256_loadu_si256((const __m256i *)b[i].qs));
        __m256 d = _mm256_set1_ps(f16(a[i].d) * f16(b[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum(acc);
}

/* 32 signed bytes . 32 floats */
AVX2 static inline __m256 dot32f(__m256i q, const float *x)
{
    __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo)), _mm256_loadu_ps(x));
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8))),
                        _mm256_loadu_ps(x + 8), s);
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi)), _mm256_loadu_ps(x + 16), s);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8))),
                           _mm256_loadu_ps(x + 24), s);
}

AVX2 static float dot_q8_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q8_0 *b = w;
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK)
        acc = _mm256_fmadd_ps(_mm256_set1_ps(f16(b[i].d)),
                              dot32f(_mm256_loadu_si256((const __m256i *)b[i].qs), x), acc);
    return hsum(acc);
}

AVX2 static float dot_q4_0_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_0 *b = w;
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK)
        acc = _mm256_fmadd_ps(_mm256_set1_ps(f16(b[i].d)), dot32f(unpack_q4(b[i].qs), x),
                              acc);
    return hsum(acc);
}

/* ---- k-quants (kquant.c has the layouts and the scalar reference) ------------------------ */

/* The 8 scales and mins of a q4_K block, and sum(min * q8_K sums) */
AVX2 static inline int q4_K_scales(const struct tn_block_q4_K *a, const struct tn_block_q8_K *x,
                                   uint8_t sc[8], uint8_t m[8])
{
    /* tn_q4_K_scale_min for all 8 at once, 4 bytes to a word (the builtin:
     * -ffreestanding makes memcpy a call) */
    uint32_t w[3], u[4];
    __builtin_memcpy(w, a->scales, 12);
    u[0] = w[0] & 0x3f3f3f3fu;
    u[1] = (w[2] & 0x0f0f0f0fu) | (((w[0] >> 6) & 0x03030303u) << 4);
    u[2] = w[1] & 0x3f3f3f3fu;
    u[3] = ((w[2] >> 4) & 0x0f0f0f0fu) | (((w[1] >> 6) & 0x03030303u) << 4);
    __builtin_memcpy(sc, u, 8);
    __builtin_memcpy(m, u + 2, 8);
    if (!x)
        return 0;
    /* pairs of 16-value sums -> 8 sub-block sums, times the 8 mins */
    __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)x->bsums),
                                _mm_loadu_si128((const __m128i *)(x->bsums + 8)));
    __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)m));
    __m128i p = _mm_madd_epi16(bs, mins);
    p = _mm_add_epi32(p, _mm_shuffle_epi32(p, 0x4e));
    p = _mm_add_epi32(p, _mm_shuffle_epi32(p, 0xb1));
    return _mm_cvtsi128_si32(p);
}

/* q4_K: per 64 values, 32 bytes of nibbles; the low nibbles meet x[64c..],
 * the high ones x[64c+32..]. maddubs (u8 x s8 -> s16 pairs, |15*127*2| fits)
 * then madd with the sub-block scale gives 8 int32. The mins cost one
 * product per 16 values through the q8_K block sums. */
AVX2 static float dot_q4_K_q8_K(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q4_K *a = w;
    const struct tn_block_q8_K *x = xq;
    const __m256i m4 = _mm256_set1_epi8(15);
    __m256 acc = _mm256_setzero_ps();
    float mins = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        uint8_t sc[8], m[8];
        int summ = q4_K_scales(&a[i], &x[i], sc, m);
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * c));
            __m256i lo = _mm256_and_si256(q, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c));
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 64 * c + 32));
            __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, x0),
                                           _mm256_set1_epi16(sc[2 * c]));
            __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, x1),
                                           _mm256_set1_epi16(sc[2 * c + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
        }
        float d = f16(a[i].d) * x[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        mins += f16(a[i].dmin) * x[i].d * (float)summ;
    }
    return hsum(acc) - mins;
}

/* The 6-bit values of half h of a q6_K block, 0..63, as four runs of 32:
 * u[k] holds values 128h + 32k .. +31. */
AVX2 static inline void q6_K_unpack(const struct tn_block_q6_K *a, int h, __m256i u[4])
{
    const __m256i m4 = _mm256_set1_epi8(15), m2 = _mm256_set1_epi8(3);
    __m256i l0 = _mm256_loadu_si256((const __m256i *)(a->ql + 64 * h));
    __m256i l1 = _mm256_loadu_si256((const __m256i *)(a->ql + 64 * h + 32));
    __m256i qh = _mm256_loadu_si256((const __m256i *)(a->qh + 32 * h));
    u[0] = _mm256_or_si256(_mm256_and_si256(l0, m4),
                           _mm256_slli_epi16(_mm256_and_si256(qh, m2), 4));
    u[1] = _mm256_or_si256(_mm256_and_si256(l1, m4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m2), 4));
    u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m2), 4));
    u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                           _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m2), 4));
}

/* q6_K: the values as unsigned 0..63 (maddubs wants one unsigned side:
 * 63*127*2 fits 16 bits); the offset of 32 comes back as 32 * scale * the
 * q8_K sums of each 16. Each 32-value run spans two scales: one per 128-bit
 * half of the madd. */
AVX2 static float dot_q6_K_q8_K(const void *w, const void *xq, size_t n)
{
    const struct tn_block_q6_K *a = w;
    const struct tn_block_q8_K *x = xq;
    __m256 acc = _mm256_setzero_ps();
    float corr = 0;
    for (size_t i = 0; i < n / TN_QK_K; i++) {
        const int8_t *sc = a[i].scales;
        /* sum(scale * q8_K sums) of the 16 groups */
        __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc));
        __m256i ob = _mm256_madd_epi16(s16, _mm256_loadu_si256((const __m256i *)x[i].bsums));
        __m128i o = _mm_add_epi32(_mm256_castsi256_si128(ob), _mm256_extracti128_si256(ob, 1));
        o = _mm_add_epi32(o, _mm_shuffle_epi32(o, 0x4e));
        o = _mm_add_epi32(o, _mm_shuffle_epi32(o, 0xb1));
        int offs = _mm_cvtsi128_si32(o);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++) {
            __m256i u[4];
            q6_K_unpack(&a[i], h, u);
            for (int k = 0; k < 4; k++) {
                int g = 8 * h + 2 * k;
                __m256i xv = _mm256_loadu_si256((const __m256i *)(x[i].qs + 128 * h + 32 * k));
                __m256i s = _mm256_set_m128i(_mm_set1_epi16(sc[g + 1]), _mm_set1_epi16(sc[g]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(u[k], xv), s));
            }
        }
        float d = f16(a[i].d) * x[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        corr += d * 32.0f * (float)offs;
    }
    return hsum(acc) - corr;
}

/* 8 unsigned or signed bytes (as 64 bits) -> 8 floats */
AVX2 static inline __m256 u8f(__m128i v) { return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(v)); }
AVX2 static inline __m256 s8f(__m128i v) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v)); }

/* 32 bytes (one value each) . 32 floats */
AVX2 static inline __m256 dot32u(__m256i q, const float *x)
{
    __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    __m256 s = _mm256_mul_ps(u8f(lo), _mm256_loadu_ps(x));
    s = _mm256_fmadd_ps(u8f(_mm_srli_si128(lo, 8)), _mm256_loadu_ps(x + 8), s);
    s = _mm256_fmadd_ps(u8f(hi), _mm256_loadu_ps(x + 16), s);
    return _mm256_fmadd_ps(u8f(_mm_srli_si128(hi, 8)), _mm256_loadu_ps(x + 24), s);
}

AVX2 static inline __m256 sum32(const float *x)
{
    return _mm256_add_ps(_mm256_add_ps(_mm256_loadu_ps(x), _mm256_loadu_ps(x + 8)),
                         _mm256_add_ps(_mm256_loadu_ps(x + 16), _mm256_loadu_ps(x + 24)));
}

/* q4_K against f32: per sub-block d*scale*sum(q*x) - dmin*min*sum(x). */
AVX2 static float dot_q4_K_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q4_K *a = w;
    const __m256i m4 = _mm256_set1_epi8(15);
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        uint8_t sc[8], m[8];
        q4_K_scales(&a[i], NULL, sc, m);
        float d = f16(a[i].d), dmin = f16(a[i].dmin);
        for (int c = 0; c < 4; c++) {
            __m256i q = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * c));
            const float *xc = x + 64 * c;
            __m256 lo = dot32u(_mm256_and_si256(q, m4), xc);
            __m256 hi = dot32u(_mm256_and_si256(_mm256_srli_epi16(q, 4), m4), xc + 32);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc[2 * c]), lo, acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc[2 * c + 1]), hi, acc);
            acc = _mm256_fnmadd_ps(_mm256_set1_ps(dmin * m[2 * c]), sum32(xc), acc);
            acc = _mm256_fnmadd_ps(_mm256_set1_ps(dmin * m[2 * c + 1]), sum32(xc + 32), acc);
        }
    }
    return hsum(acc);
}

/* q6_K against f32: the values rebuilt as signed -32..31, 16 per scale. */
AVX2 static float dot_q6_K_f32(const void *w, const float *x, size_t n)
{
    const struct tn_block_q6_K *a = w;
    __m256 acc = _mm256_setzero_ps();
    for (size_t i = 0; i < n / TN_QK_K; i++, x += TN_QK_K) {
        float d = f16(a[i].d);
        for (int h = 0; h < 2; h++) {
            __m256i u[4];
            q6_K_unpack(&a[i], h, u);
            for (int k = 0; k < 4; k++) {
                int g = 8 * h + 2 * k;
                const float *xk = x + 128 * h + 32 * k;
                __m256i q = _mm256_sub_epi8(u[k], _mm256_set1_epi8(32));
                __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
                __m256 s0 = _mm256_fmadd_ps(s8f(_mm_srli_si128(lo, 8)), _mm256_loadu_ps(xk + 8),
                                            _mm256_mul_ps(s8f(lo), _mm256_loadu_ps(xk)));
                __m256 s1 = _mm256_fmadd_ps(s8f(_mm_srli_si128(hi, 8)), _mm256_loadu_ps(xk + 24),
                                            _mm256_mul_ps(s8f(hi), _mm256_loadu_ps(xk + 16)));
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * a[i].scales[g]), s0, acc);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * a[i].scales[g + 1]), s1, acc);
            }
        }
    }
    return hsum(acc);
}

/* Same rounding as the scalar version: roundf (halfway away from zero). */
AVX2 static inline __m256 round_away(__m256 v)
{
    __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    __m256 sign = _mm256_and_ps(v, _mm256_set1_ps(-0.0f));
    __m256 frac = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), _mm256_sub_ps(v, t));
    __m256 up = _mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    return _mm256_add_ps(t, _mm256_and_ps(up, _mm256_or_ps(sign, _mm256_set1_ps(1.0f))));
}

AVX2 static void quantize_q8_0(void *dst, const float *x, size_t n)
{
    struct tn_block_q8_0 *b = dst;
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (size_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        __m256 v0 = _mm256_loadu_ps(x), v1 = _mm256_loadu_ps(x + 8);
        __m256 v2 = _mm256_loadu_ps(x + 16), v3 = _mm256_loadu_ps(x + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_and_ps(v0, absmask), _mm256_and_ps(v1, absmask)),
                                 _mm256_max_ps(_mm256_and_ps(v2, absmask), _mm256_and_ps(v3, absmask)));
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
        float amax = _mm_cvtss_f32(h);
        float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = tn_f32_to_f16(d);
        __m256 iv = _mm256_set1_ps(id), lim = _mm256_set1_ps(127.0f), nlim = _mm256_set1_ps(-127.0f);
        __m256i q0 = _mm256_cvttps_epi32(_mm256_max_ps(nlim, _mm256_min_ps(lim, round_away(_mm256_mul_ps(v0, iv)))));
        __m256i q1 = _mm256_cvttps_epi32(_mm256_max_ps(nlim, _mm256_min_ps(lim, round_away(_mm256_mul_ps(v1, iv)))));
        __m256i q2 = _mm256_cvttps_epi32(_mm256_max_ps(nlim, _mm256_min_ps(lim, round_away(_mm256_mul_ps(v2, iv)))));
        __m256i q3 = _mm256_cvttps_epi32(_mm256_max_ps(nlim, _mm256_min_ps(lim, round_away(_mm256_mul_ps(v3, iv)))));
        /* packs work per 128-bit lane: fix the order with one permute */
        __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
        p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)b[i].qs, p);
    }
}

/* ---- element-wise ------------------------------------------------------------------------ */

AVX2 static void add(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++)
        y[i] = a[i] + b[i];
}

AVX2 static void mul(float *y, const float *a, const float *b, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    for (; i < n; i++)
        y[i] = a[i] * b[i];
}

AVX2 static void axpy(float *y, float a, const float *x, size_t n)
{
    __m256 av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(av, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++)
        y[i] += a * x[i];
}

AVX2 static void scale(float *y, float a, size_t n)
{
    __m256 av = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), av));
    for (; i < n; i++)
        y[i] *= a;
}

AVX2 static float sumsq(const float *x, size_t n)
{
    return dot_f32(x, x, n);
}

const struct tn_kernels tn_kernels_avx2 = {
    .name = "avx2",
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
