/*
 * Host tests of the tensor module: f16 conversion, quantization round
 * trips, every SIMD kernel table against the scalar one (edge sizes that
 * are not a multiple of the vector width), and the transformer operations
 * against plain formulas.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tensor.h"

static int pass, fail;
static char why[256];

#define CHECKF(cond, ...) do { if (!(cond)) { snprintf(why, sizeof(why), __VA_ARGS__); return 0; } } while (0)

static void run(const char *name, int (*fn)(void))
{
    why[0] = 0;
    if (fn()) {
        printf("ok   tensor: %s\n", name);
        pass++;
    } else {
        printf("FAIL tensor: %s: %s\n", name, why);
        fail++;
    }
}

static uint64_t rng = 88172645463325252ull;
static float frand(void)               /* [-1, 1) */
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)(rng >> 40) / 8388608.0f - 1.0f;
}
static void fill(float *x, size_t n, float s) { for (size_t i = 0; i < n; i++) x[i] = frand() * s; }

static int close_to(float a, float b, float tol) { return fabsf(a - b) <= tol; }

/* ---- conversions ------------------------------------------------------------------ */

static int t_f16_roundtrip(void)
{
    for (uint32_t h = 0; h < 65536; h++) {
        float f = tn_f16_to_f32((uint16_t)h);
        uint16_t back = tn_f32_to_f16(f);
        int nan = ((h >> 10) & 31) == 31 && (h & 1023);
        CHECKF(nan ? (back & 0x7c00) == 0x7c00 && (back & 0x3ff) : back == h,
               "half %04x -> %g -> %04x", h, f, back);
    }
    return 1;
}

static int t_f16_rounding(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
    for (int i = 0; i < 2000000; i++) {
        uint32_t u = (uint32_t)(rng = rng * 6364136223846793005ull + 1442695040888963407ull) >> 0;
        u = (uint32_t)(rng >> 32);
        float f;
        memcpy(&f, &u, 4);
        if (isnan(f))
            continue;
        _Float16 r = (_Float16)f;
        uint16_t want;
        memcpy(&want, &r, 2);
        CHECKF(tn_f32_to_f16(f) == want, "f32 %a -> %04x, want %04x", f, tn_f32_to_f16(f), want);
    }
#endif
    return 1;
}

static int t_quant_roundtrip(void)
{
    enum { N = 32 * 64 };
    float x[N], y[N];
    struct tn_block_q8_0 q8[N / 32];
    struct tn_block_q4_0 q4[N / 32];
    fill(x, N, 3.0f);
    x[5] = 0.0f;
    memset(x + 64, 0, 32 * sizeof(float));             /* an all-zero block */
    tn_quantize_row(TN_Q8_0, q8, x, N);
    tn_dequantize_row(TN_Q8_0, y, q8, N);
    for (int b = 0; b < N / 32; b++) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[b * 32 + j]));
        for (int j = 0; j < 32; j++)
            CHECKF(close_to(y[b * 32 + j], x[b * 32 + j], amax / 127.0f * 0.5f + amax * 1e-3f),
                   "q8_0 [%d] %g -> %g", b * 32 + j, x[b * 32 + j], y[b * 32 + j]);
    }
    tn_quantize_row(TN_Q4_0, q4, x, N);
    tn_dequantize_row(TN_Q4_0, y, q4, N);
    for (int b = 0; b < N / 32; b++) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf(amax, fabsf(x[b * 32 + j]));
        for (int j = 0; j < 32; j++)
            CHECKF(close_to(y[b * 32 + j], x[b * 32 + j], amax / 8.0f * 1.01f),
                   "q4_0 [%d] %g -> %g", b * 32 + j, x[b * 32 + j], y[b * 32 + j]);
    }
    /* f16 */
    uint16_t h[N];
    tn_quantize_row(TN_F16, h, x, N);
    tn_dequantize_row(TN_F16, y, h, N);
    for (int i = 0; i < N; i++)
        CHECKF(close_to(y[i], x[i], fabsf(x[i]) * 1e-3f), "f16 %g -> %g", x[i], y[i]);
    return 1;
}

static int t_objects(void)
{
    struct tn_tensor t;
    int64_t ne[2] = { 64, 3 };
    CHECKF(tn_tensor_alloc(&t, "w", TN_Q8_0, 2, ne) == 0, "alloc");
    CHECKF(t.nbytes == 3 * 2 * 34, "nbytes %zu", t.nbytes);
    CHECKF((const char *)tn_row(&t, 2) - (const char *)t.data == 2 * 68, "row offset");
    tn_register(&t);
    CHECKF(tn_find("w") == &t, "find");
    char d[128];
    tn_describe(&t, d, sizeof(d));
    CHECKF(strcmp(d, "q8_0 [64 x 3] 204 bytes") == 0, "describe: %s", d);
    tn_tensor_free(&t);
    CHECKF(tn_find("w") == NULL, "unregistered on free");
    int64_t bad[2] = { 33, 2 };
    CHECKF(tn_tensor_view(&t, "x", TN_Q4_0, 2, bad, NULL) < 0, "33 not a q4_0 row");
    int64_t neg[2] = { 32, 0 };
    CHECKF(tn_tensor_view(&t, "x", TN_F32, 2, neg, NULL) < 0, "zero dim");
    int64_t huge[4] = { 1 << 30, 1 << 30, 1 << 30, 1 << 30 };
    CHECKF(tn_tensor_view(&t, "x", TN_F32, 4, huge, NULL) < 0, "overflow");
    CHECKF(tn_tensor_view(&t, "x", TN_F32, 5, ne, NULL) < 0, "5 dims");
    CHECKF(tn_dtype_from_name("q4_0") == TN_Q4_0 && tn_dtype_from_name("q5") < 0, "names");
    return 1;
}

/* ---- every SIMD table against scalar ---------------------------------------------- */

static const struct tn_kernels *tabs[4];
static int ntabs;

static int t_tables(void)
{
    ntabs = tn_available_kernels(tabs, 4);
    printf("     kernels on this CPU:");
    for (int i = 0; i < ntabs; i++) printf(" %s", tabs[i]->name);
    printf(" (default %s)\n", tn_kernels()->name);
    CHECKF(ntabs >= 1 && strcmp(tabs[0]->name, "scalar") == 0, "scalar first");
#if defined(__x86_64__)
    CHECKF(ntabs >= 2, "sse2 missing on x86_64");
#endif
    return 1;
}

static const size_t fsizes[] = { 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 172, 255, 1000, 1025, 4099 };

static int t_simd_f32(void)
{
    static float a[5000], b[5000], y0[5000], y1[5000];
    const struct tn_kernels *s = &tn_kernels_scalar;
    for (int t = 1; t < ntabs; t++) {
        const struct tn_kernels *k = tabs[t];
        for (size_t si = 0; si < sizeof(fsizes) / sizeof(fsizes[0]); si++) {
            size_t n = fsizes[si];
            fill(a, n, 2.0f); fill(b, n, 2.0f);
            float mag = 0;
            for (size_t i = 0; i < n; i++) mag += fabsf(a[i] * b[i]);
            float tol = mag * 2e-6f + 1e-6f;
            CHECKF(close_to(k->dot_f32(a, b, n), s->dot_f32(a, b, n), tol), "%s dot_f32 n=%zu", k->name, n);
            CHECKF(close_to(k->sumsq(a, n), s->sumsq(a, n), tol * 4), "%s sumsq n=%zu", k->name, n);
            k->add(y0, a, b, n); s->add(y1, a, b, n);
            CHECKF(!memcmp(y0, y1, n * 4), "%s add n=%zu", k->name, n);
            k->mul(y0, a, b, n); s->mul(y1, a, b, n);
            CHECKF(!memcmp(y0, y1, n * 4), "%s mul n=%zu", k->name, n);
            memcpy(y0, b, n * 4); memcpy(y1, b, n * 4);
            k->axpy(y0, 0.37f, a, n); s->axpy(y1, 0.37f, a, n);
            for (size_t i = 0; i < n; i++) CHECKF(close_to(y0[i], y1[i], 1e-6f), "%s axpy n=%zu", k->name, n);
            k->scale(y0, 1.7f, n); s->scale(y1, 1.7f, n);
            for (size_t i = 0; i < n; i++) CHECKF(close_to(y0[i], y1[i], 2e-6f), "%s scale n=%zu", k->name, n);
            uint16_t h[5000];
            tn_quantize_row(TN_F16, h, a, (int64_t)n);
            CHECKF(close_to(k->dot_f16(h, b, n), s->dot_f16(h, b, n), tol), "%s dot_f16 n=%zu", k->name, n);
        }
    }
    return 1;
}

static int t_simd_matvec_gemm(void)
{
    const size_t ms[] = { 1, 2, 5, 6, 7, 13, 33 }, ns[] = { 1, 3, 4, 5, 16, 17, 33, 130, 300 },
                 ks[] = { 1, 7, 8, 31, 64, 257, 600 };
    float *w = malloc(300 * 600 * 4), *x = malloc(33 * 600 * 4), *y0 = malloc(33 * 300 * 4),
          *y1 = malloc(33 * 300 * 4), *pack = anx_aligned_alloc(64, tn_gemm_pack_size(600) * 4);
    int ok = 1;
    for (int t = 1; t < ntabs && ok; t++)
        for (size_t a = 0; a < 7 && ok; a++)
            for (size_t b = 0; b < 9 && ok; b++)
                for (size_t c = 0; c < 7 && ok; c++) {
                    size_t m = ms[a], n = ns[b], k = ks[c];
                    fill(w, n * k, 1.0f); fill(x, m * k, 1.0f);
                    tabs[t]->gemm_f32(y0, x, w, m, n, k, pack);
                    tn_kernels_scalar.gemm_f32(y1, x, w, m, n, k, pack);
                    for (size_t i = 0; i < m * n && ok; i++)
                        if (!close_to(y0[i], y1[i], 1e-5f * (float)k)) {
                            snprintf(why, sizeof(why), "%s gemm m=%zu n=%zu k=%zu [%zu] %g vs %g",
                                     tabs[t]->name, m, n, k, i, y0[i], y1[i]);
                            ok = 0;
                        }
                    tabs[t]->matvec_f32(y0, w, x, n, k);
                    tn_kernels_scalar.matvec_f32(y1, w, x, n, k);
                    for (size_t i = 0; i < n && ok; i++)
                        if (!close_to(y0[i], y1[i], 1e-5f * (float)k)) {
                            snprintf(why, sizeof(why), "%s matvec n=%zu k=%zu", tabs[t]->name, n, k);
                            ok = 0;
                        }
                }
    free(w); free(x); free(y0); free(y1); anx_free(pack);
    return ok;
}

static int t_simd_quant(void)
{
    enum { NMAX = 32 * 130 };
    static float x[NMAX], w[NMAX];
    static struct tn_block_q8_0 xq0[NMAX / 32], xq1[NMAX / 32], wq8[NMAX / 32];
    static struct tn_block_q4_0 wq4[NMAX / 32];
    const size_t sizes[] = { 32, 64, 96, 160, 1024, 4096, NMAX };
    const struct tn_kernels *s = &tn_kernels_scalar;
    for (int t = 1; t < ntabs; t++) {
        const struct tn_kernels *k = tabs[t];
        for (size_t si = 0; si < 7; si++) {
            size_t n = sizes[si];
            fill(x, n, 4.0f); fill(w, n, 0.5f);
            x[0] = 0.5f * (4.0f / 127.0f);                 /* halfway cases */
            k->quantize_q8_0(xq0, x, n); s->quantize_q8_0(xq1, x, n);
            CHECKF(!memcmp(xq0, xq1, n / 32 * 34), "%s quantize_q8_0 n=%zu differs", k->name, n);
            tn_quantize_row(TN_Q8_0, wq8, w, (int64_t)n);
            tn_quantize_row(TN_Q4_0, wq4, w, (int64_t)n);
            float tol = 1e-5f * (float)n;
            CHECKF(close_to(k->dot_q8_0_q8_0(wq8, xq1, n), s->dot_q8_0_q8_0(wq8, xq1, n), tol), "%s q8xq8 n=%zu", k->name, n);
            CHECKF(close_to(k->dot_q4_0_q8_0(wq4, xq1, n), s->dot_q4_0_q8_0(wq4, xq1, n), tol), "%s q4xq8 n=%zu", k->name, n);
            CHECKF(close_to(k->dot_q8_0_f32(wq8, x, n), s->dot_q8_0_f32(wq8, x, n), tol), "%s q8xf32 n=%zu", k->name, n);
            CHECKF(close_to(k->dot_q4_0_f32(wq4, x, n), s->dot_q4_0_f32(wq4, x, n), tol), "%s q4xf32 n=%zu", k->name, n);
        }
        /* extreme values: +-127 everywhere (no saturation in the int paths) */
        for (int j = 0; j < 32; j++) { xq1[0].qs[j] = (int8_t)(j & 1 ? 127 : -127); wq8[0].qs[j] = -xq1[0].qs[j]; }
        xq1[0].d = wq8[0].d = tn_f32_to_f16(1.0f);
        CHECKF(k->dot_q8_0_q8_0(wq8, xq1, 32) == -32.0f * 127 * 127, "%s q8 extremes", k->name);
    }
    return 1;
}

/* ---- k-quants ------------------------------------------------------------------------- */

/* The bytes of a GGUF q4_K block, written by hand from ggml's description
 * (d, dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles), and
 * the floats they stand for: pins the layout itself, not just a round trip. */
static int t_kquant_known_answer(void)
{
    static const uint8_t sc[8] = { 1, 2, 33, 63, 17, 40, 5, 60 }, mn[8] = { 0, 3, 48, 1, 20, 63, 33, 7 };
    uint8_t raw4[144] = { 0x00, 0x3c, 0x00, 0x38,                      /* d = 1.0, dmin = 0.5 */
                          0x41, 0x82, 0x21, 0xff, 0x40, 0xc3, 0xb0, 0x01, 0x41, 0xf8, 0x15, 0x7c };
    for (int k = 0; k < 128; k++)
        raw4[16 + k] = (uint8_t)(k * 37 + 11);
    float y[256];
    tn_dequantize_row(TN_Q4_K, y, raw4, 256);
    for (int p = 0; p < 256; p++) {
        int c = p / 64, l = p % 32, hi = p % 64 >= 32, j = 2 * c + hi;
        int q = hi ? raw4[16 + 32 * c + l] >> 4 : raw4[16 + 32 * c + l] & 15;
        float want = 1.0f * sc[j] * q - 0.5f * mn[j];
        CHECKF(y[p] == want, "q4_K [%d] = %g, want %g", p, y[p], want);
    }
    CHECKF(y[0] == 11.0f && y[33] == 4.5f && y[100] == 188.5f && y[200] == -1.5f && y[255] == 356.5f,
           "q4_K literals %g %g %g %g %g", y[0], y[33], y[100], y[200], y[255]);
    for (int j = 0; j < 8; j++) {
        uint8_t a, b;
        tn_q4_K_scale_min(raw4 + 4, j, &a, &b);
        CHECKF(a == sc[j] && b == mn[j], "q4_K sub-block %d: %d %d", j, a, b);
    }
    /* q6_K: 128 bytes of low nibbles, 64 of 2-bit pairs, 16 int8 scales, f16 d last */
    uint8_t raw6[210];
    for (int k = 0; k < 128; k++) raw6[k] = (uint8_t)(k * 29 + 3);
    for (int k = 0; k < 64; k++) raw6[128 + k] = (uint8_t)(k * 53 + 7);
    for (int g = 0; g < 16; g++) raw6[192 + g] = (uint8_t)(int8_t)(g * 15 - 100);
    raw6[208] = 0x00; raw6[209] = 0x34;                                /* d = 0.25 */
    tn_dequantize_row(TN_Q6_K, y, raw6, 256);
    for (int p = 0; p < 256; p++) {
        int h = p / 128, r = p % 128, l = r % 32, k = r / 32;
        int lo = raw6[64 * h + l + 32 * (k & 1)], hi = raw6[128 + 32 * h + l];
        int q = ((k < 2 ? lo & 15 : lo >> 4) | (((hi >> (2 * k)) & 3) << 4)) - 32;
        float want = 0.25f * (float)(int8_t)raw6[192 + p / 16] * (float)q;
        CHECKF(y[p] == want, "q6_K [%d] = %g, want %g", p, y[p], want);
    }
    CHECKF(y[0] == -475.0f && y[40] == -472.5f && y[77] == -230.0f && y[130] == -15.0f && y[255] == -812.5f,
           "q6_K literals %g %g %g %g %g", y[0], y[40], y[77], y[130], y[255]);
    /* quantizing what a block holds gives its values back within a step (the
     * quantizer may fit a group's scale to the values it actually holds) */
    struct tn_block_q6_K b6;
    float z[256];
    tn_quantize_row(TN_Q6_K, &b6, y, 256);
    tn_dequantize_row(TN_Q6_K, z, &b6, 256);
    for (int p = 0; p < 256; p++)
        CHECKF(close_to(z[p], y[p], 0.25f * fabsf((float)(int8_t)raw6[192 + p / 16])),
               "q6_K requantized [%d] %g -> %g", p, y[p], z[p]);
    return 1;
}

static int kq_roundtrip(enum tn_dtype dt, const float *x, int n, float rel, float *out_rel)
{
    static uint8_t q[32 * 210];
    static float y[32 * 256];
    tn_quantize_row(dt, q, x, n);
    tn_dequantize_row(dt, y, q, n);
    double se = 0, sx = 0;
    for (int i = 0; i < n; i++) {
        CHECKF(isfinite(y[i]), "%s [%d] not finite", tn_dtype_name(dt), i);
        se += (double)(y[i] - x[i]) * (y[i] - x[i]);
        sx += (double)x[i] * x[i];
    }
    *out_rel = sx > 0 ? (float)sqrt(se / sx) : (float)sqrt(se);
    CHECKF(*out_rel <= rel, "%s relative rms error %g > %g", tn_dtype_name(dt), *out_rel, rel);
    return 1;
}

static int t_kquant_roundtrip(void)
{
    enum { N = 256 * 16 };
    static float x[N];
    float r4, r6, r40;
    /* uniform noise; then sub-blocks of different magnitudes and signs */
    fill(x, N, 2.0f);
    if (!kq_roundtrip(TN_Q4_K, x, N, 0.075f, &r4) || !kq_roundtrip(TN_Q6_K, x, N, 0.02f, &r6))
        return 0;
    for (int i = 0; i < N; i++)
        x[i] = frand() * (1.0f + (float)((i / 32) % 5)) + ((i / 64) % 3 == 0 ? 1.5f : 0.0f);
    if (!kq_roundtrip(TN_Q4_K, x, N, 0.075f, &r40) || !kq_roundtrip(TN_Q6_K, x, N, 0.02f, &r6))
        return 0;
    /* a block of zeros, a constant block, a lone spike: exact or close */
    memset(x, 0, sizeof(x));
    for (int i = 256; i < 512; i++) x[i] = -0.75f;
    x[700] = 9.0f;
    for (int dt = TN_Q4_K; dt <= TN_Q6_K; dt++) {
        static uint8_t q[N / 256 * 210];
        static float y[N];
        tn_quantize_row((enum tn_dtype)dt, q, x, N);
        tn_dequantize_row((enum tn_dtype)dt, y, q, N);
        for (int i = 0; i < N; i++)
            CHECKF(close_to(y[i], x[i], i == 700 ? 0.02f : 2e-3f), "%s special [%d] %g -> %g",
                   tn_dtype_name((enum tn_dtype)dt), i, x[i], y[i]);
    }
    /* q4_K (4.5 bits a value) does better than q4_0 (4.5 too) on noise with an offset */
    for (int i = 0; i < N; i++) x[i] = frand() + 0.8f;
    static struct tn_block_q4_0 q40[N / 32];
    static float y[N];
    tn_quantize_row(TN_Q4_0, q40, x, N);
    tn_dequantize_row(TN_Q4_0, y, q40, N);
    double e0 = 0, sx = 0;
    for (int i = 0; i < N; i++) { e0 += (double)(y[i] - x[i]) * (y[i] - x[i]); sx += (double)x[i] * x[i]; }
    if (!kq_roundtrip(TN_Q4_K, x, N, 0.05f, &r40))
        return 0;
    CHECKF(r40 < sqrt(e0 / sx), "q4_K %g not better than q4_0 %g", r40, sqrt(e0 / sx));
    printf("     relative rms error on uniform noise: q4_K %.4f, q6_K %.4f; offset noise q4_K %.4f, q4_0 %.4f\n",
           r4, r6, r40, sqrt(e0 / sx));
    return 1;
}

static int t_kquant_shapes(void)
{
    struct tn_tensor t;
    CHECKF(tn_row_bytes(TN_Q4_K, 512) == 288 && tn_row_bytes(TN_Q6_K, 768) == 630, "row bytes");
    CHECKF(tn_row_bytes(TN_Q4_K, 300) == 0 && tn_row_bytes(TN_Q6_K, 64) == 0, "300 and 64 are not rows");
    CHECKF(tn_dtype_block(TN_Q4_K) == 256 && tn_dtype_block(TN_Q6_K) == 256, "block");
    int64_t bad[2] = { 288, 4 }, good[2] = { 512, 3 };
    CHECKF(tn_tensor_view(&t, "x", TN_Q4_K, 2, bad, NULL) < 0, "288 accepted as a q4_K row");
    CHECKF(tn_tensor_view(&t, "x", TN_Q6_K, 2, bad, NULL) < 0, "288 accepted as a q6_K row");
    CHECKF(tn_tensor_view(&t, "x", TN_Q6_K, 2, good, NULL) == 0 && t.nbytes == 3 * 420, "q6_K view");
    CHECKF(tn_dtype_from_name("q4_K") == TN_Q4_K && tn_dtype_from_name("q6_K") == TN_Q6_K, "names");
    /* q8_K: the block sums are the sums of the stored values */
    static float x[512];
    static struct tn_block_q8_K q[2];
    fill(x, 512, 3.0f);
    tn_quantize_q8_K(q, x, 512);
    for (int b = 0; b < 2; b++)
        for (int g = 0; g < 16; g++) {
            int s = 0;
            for (int j = 0; j < 16; j++) s += q[b].qs[16 * g + j];
            CHECKF(s == q[b].bsums[g], "bsums[%d][%d] %d vs %d", b, g, q[b].bsums[g], s);
        }
    for (int i = 0; i < 512; i++)
        CHECKF(close_to(q[i / 256].d * q[i / 256].qs[i % 256], x[i], q[i / 256].d * 0.5f + 1e-6f), "q8_K [%d]", i);
    return 1;
}

/* Each table against the scalar reference and against dequantize + f32 dot. */
static int t_kquant_kernels(void)
{
    enum { NMAX = 256 * 13 };
    static float x[NMAX], w[NMAX], wd[NMAX], xd[NMAX];
    static struct tn_block_q4_K w4[NMAX / 256];
    static struct tn_block_q6_K w6[NMAX / 256];
    static struct tn_block_q8_K xq[NMAX / 256];
    const size_t sizes[] = { 256, 512, 768, 2816, NMAX };
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t n = sizes[si];
        fill(x, n, 3.0f); fill(w, n, 0.5f);
        for (size_t i = 0; i < n; i += 97) w[i] += 0.4f;                /* uneven sub-blocks */
        tn_quantize_row(TN_Q4_K, w4, w, (int64_t)n);
        tn_quantize_row(TN_Q6_K, w6, w, (int64_t)n);
        tn_quantize_q8_K(xq, x, n);
        for (size_t i = 0; i < n; i++) xd[i] = xq[i / 256].d * (float)xq[i / 256].qs[i % 256];
        for (int dt = TN_Q4_K; dt <= TN_Q6_K; dt++) {
            const void *wq = dt == TN_Q4_K ? (const void *)w4 : (const void *)w6;
            tn_dequantize_row((enum tn_dtype)dt, wd, wq, (int64_t)n);
            double ref_q = 0, ref_f = 0, mag = 0;
            for (size_t i = 0; i < n; i++) {
                ref_q += (double)wd[i] * xd[i];
                ref_f += (double)wd[i] * x[i];
                mag += fabs((double)wd[i] * x[i]);
            }
            float tol = (float)(mag * 1e-5) + 1e-4f;
            for (int t = 0; t < ntabs; t++) {
                const struct tn_kernels *k = tabs[t];
                float dq = dt == TN_Q4_K ? k->dot_q4_K_q8_K(wq, xq, n) : k->dot_q6_K_q8_K(wq, xq, n);
                float df = dt == TN_Q4_K ? k->dot_q4_K_f32(wq, x, n) : k->dot_q6_K_f32(wq, x, n);
                float sq = dt == TN_Q4_K ? tn_dot_q4_K_q8_K_ref(wq, xq, n) : tn_dot_q6_K_q8_K_ref(wq, xq, n);
                float sf = dt == TN_Q4_K ? tn_dot_q4_K_f32_ref(wq, x, n) : tn_dot_q6_K_f32_ref(wq, x, n);
                const char *nm = tn_dtype_name((enum tn_dtype)dt);
                CHECKF(close_to(dq, sq, tol), "%s %s x q8_K n=%zu: %g vs scalar %g", k->name, nm, n, dq, sq);
                CHECKF(close_to(dq, (float)ref_q, tol), "%s %s x q8_K n=%zu: %g vs dequantized %g", k->name, nm,
                       n, dq, ref_q);
                CHECKF(close_to(df, sf, tol), "%s %s x f32 n=%zu: %g vs scalar %g", k->name, nm, n, df, sf);
                CHECKF(close_to(df, (float)ref_f, tol), "%s %s x f32 n=%zu: %g vs dequantized %g", k->name, nm,
                       n, df, ref_f);
            }
        }
    }
    /* extremes: every 6-bit value 0 or 63, scales -128 / 127, activations +-127 */
    memset(w6, 0, sizeof(w6[0]));
    for (int k = 0; k < 128; k++) w6[0].ql[k] = 0xff;
    for (int k = 0; k < 64; k++) w6[0].qh[k] = (uint8_t)(k & 1 ? 0xff : 0x00);
    for (int g = 0; g < 16; g++) w6[0].scales[g] = (int8_t)(g & 1 ? 127 : -128);
    w6[0].d = tn_f32_to_f16(1.0f);
    memset(w4, 0xff, sizeof(w4[0]));
    w4[0].d = w4[0].dmin = tn_f32_to_f16(1.0f);
    xq[0].d = 1.0f;
    for (int j = 0; j < 256; j++) xq[0].qs[j] = (int8_t)(j % 3 ? 127 : -127);
    for (int g = 0; g < 16; g++) {
        int s = 0;
        for (int j = 0; j < 16; j++) s += xq[0].qs[16 * g + j];
        xq[0].bsums[g] = (int16_t)s;
    }
    tn_dequantize_row(TN_Q6_K, wd, w6, 256);
    tn_dequantize_row(TN_Q4_K, w, w4, 256);
    double e6 = 0, e4 = 0;
    for (int j = 0; j < 256; j++) { e6 += (double)wd[j] * xq[0].qs[j]; e4 += (double)w[j] * xq[0].qs[j]; }
    for (int t = 0; t < ntabs; t++) {
        CHECKF(tabs[t]->dot_q6_K_q8_K(w6, xq, 256) == (float)e6, "%s q6_K extremes %g vs %g", tabs[t]->name,
               tabs[t]->dot_q6_K_q8_K(w6, xq, 256), e6);
        CHECKF(tabs[t]->dot_q4_K_q8_K(w4, xq, 256) == (float)e4, "%s q4_K extremes %g vs %g", tabs[t]->name,
               tabs[t]->dot_q4_K_q8_K(w4, xq, 256), e4);
    }
    return 1;
}

/* ---- operations ------------------------------------------------------------------------ */

static int t_matmul_dtypes(void)
{
    enum { K = 256, R = 37, T = 5 };
    static float wf[R * K], x[T * K], y[T * R], deq[K];
    fill(wf, R * K, 1.0f); fill(x, T * K, 1.0f);
    struct tn_work work = { 0 };
    for (int dt = 0; dt < TN_DTYPE_COUNT; dt++) {
        struct tn_tensor w;
        int64_t ne[2] = { K, R };
        CHECKF(tn_tensor_alloc(&w, "w", (enum tn_dtype)dt, 2, ne) == 0, "alloc");
        for (int r = 0; r < R; r++)
            tn_quantize_row(w.dtype, (char *)w.data + tn_row_bytes(w.dtype, K) * r, wf + r * K, K);
        for (int act = 0; act < 2; act++)
            for (int t = 0; t < ntabs; t++) {
                tn_select_kernels(tabs[t]->name);
                for (int nt = 1; nt <= T; nt += T - 1) {
                    CHECKF(tn_matmul(y, &w, x, nt, (enum tn_act)act, &work) == 0, "matmul");
                    for (int i = 0; i < nt; i++)
                        for (int r = 0; r < R; r++) {
                            tn_dequantize_row(w.dtype, deq, tn_row(&w, r), K);
                            float want = 0;
                            for (int j = 0; j < K; j++) want += deq[j] * x[i * K + j];
                            float tol = dt == TN_F32 || dt == TN_F16 ? 1e-3f : act == TN_ACT_F32 ? 1e-3f : 0.15f;
                            CHECKF(close_to(y[i * R + r], want, tol), "%s %s act=%d n_tok=%d [%d][%d] %g vs %g",
                                   tabs[t]->name, tn_dtype_name(w.dtype), act, nt, i, r, y[i * R + r], want);
                        }
                }
            }
        tn_tensor_free(&w);
    }
    tn_work_free(&work);
    tn_select_kernels(tabs[ntabs - 1]->name);
    return 1;
}

static int t_ops(void)
{
    float x[70], w[70], o[70];
    fill(x, 70, 3.0f); fill(w, 70, 1.0f);
    tn_rmsnorm(o, x, w, 70, 1e-5f);
    double ss = 0;
    for (int i = 0; i < 70; i++) ss += (double)x[i] * x[i];
    double sc = 1.0 / sqrt(ss / 70 + 1e-5);
    for (int i = 0; i < 70; i++) CHECKF(close_to(o[i], (float)(w[i] * x[i] * sc), 1e-5f), "rmsnorm");
    memcpy(o, x, sizeof(x));
    tn_softmax(o, 70);
    double sum = 0, z = 0, mx = -1e9;
    for (int i = 0; i < 70; i++) mx = fmax(mx, x[i]);
    for (int i = 0; i < 70; i++) z += exp(x[i] - mx);
    for (int i = 0; i < 70; i++) { sum += o[i]; CHECKF(close_to(o[i], (float)(exp(x[i] - mx) / z), 1e-6f), "softmax"); }
    CHECKF(fabs(sum - 1.0) < 1e-5, "softmax sum %g", sum);
    memcpy(o, x, sizeof(x));
    tn_silu(o, 70);
    for (int i = 0; i < 70; i++) CHECKF(close_to(o[i], (float)(x[i] / (1 + exp(-x[i]))), 1e-5f), "silu");
    memcpy(o, x, sizeof(x));
    tn_swiglu(o, w, 70);
    for (int i = 0; i < 70; i++) CHECKF(close_to(o[i], (float)(x[i] / (1 + exp(-x[i])) * w[i]), 1e-5f), "swiglu");
    /* rope: 2 heads of 16 at pos 7: each pair rotated by pos * 10000^(-2i/16) */
    float q[32], r[32];
    fill(q, 32, 1.0f);
    memcpy(r, q, sizeof(q));
    tn_rope(r, 32, 16, 7, 10000.0f);
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 8; i++) {
            double ang = 7.0 * pow(10000.0, -2.0 * i / 16), c = cos(ang), s = sin(ang);
            float a = q[h * 16 + 2 * i], b = q[h * 16 + 2 * i + 1];
            CHECKF(close_to(r[h * 16 + 2 * i], (float)(a * c - b * s), 1e-5f), "rope re");
            CHECKF(close_to(r[h * 16 + 2 * i + 1], (float)(a * s + b * c), 1e-5f), "rope im");
        }
    return 1;
}

static int t_attention(void)
{
    enum { H = 8, KVH = 2, HS = 12, P = 9, STR = KVH * HS };
    float q[H * HS], kc[P * STR], vc[P * STR], out[H * HS], att[P];
    fill(q, H * HS, 1.0f); fill(kc, P * STR, 1.0f); fill(vc, P * STR, 1.0f);
    for (int t = 0; t < ntabs; t++) {
        tn_select_kernels(tabs[t]->name);
        tn_attention(out, q, kc, vc, H, KVH, HS, STR, P, att, 0);
        for (int h = 0; h < H; h++) {
            int g = h / (H / KVH);
            double sc[P], z = 0, mx = -1e9;
            for (int p = 0; p < P; p++) {
                double d = 0;
                for (int i = 0; i < HS; i++) d += (double)q[h * HS + i] * kc[p * STR + g * HS + i];
                sc[p] = d / sqrt(HS);
                mx = fmax(mx, sc[p]);
            }
            for (int p = 0; p < P; p++) z += exp(sc[p] - mx);
            for (int i = 0; i < HS; i++) {
                double o = 0;
                for (int p = 0; p < P; p++) o += exp(sc[p] - mx) / z * vc[p * STR + g * HS + i];
                CHECKF(close_to(out[h * HS + i], (float)o, 1e-5f), "%s head %d [%d] %g vs %g", tabs[t]->name, h, i, out[h * HS + i], o);
            }
        }
    }
    tn_select_kernels(tabs[ntabs - 1]->name);
    CHECKF(tn_select_kernels("nonesuch") < 0, "unknown table accepted");
    return 1;
}

int main(void)
{
    run("f16 round trip of every half", t_f16_roundtrip);
    run("f32 -> f16 rounding (vs _Float16)", t_f16_rounding);
    run("quantize/dequantize round trips", t_quant_roundtrip);
    run("tensor objects and registry", t_objects);
    run("kernel tables", t_tables);
    run("SIMD f32/f16 kernels vs scalar (edge sizes)", t_simd_f32);
    run("SIMD matvec and gemm vs scalar", t_simd_matvec_gemm);
    run("SIMD quantized kernels vs scalar", t_simd_quant);
    run("k-quant blocks: known bytes -> known floats (q4_K, q6_K)", t_kquant_known_answer);
    run("k-quant round trips (error bounds)", t_kquant_roundtrip);
    run("k-quant shapes: rows of 256, q8_K block sums", t_kquant_shapes);
    run("k-quant kernels vs scalar and vs dequantize + dot", t_kquant_kernels);
    run("matmul with every dtype and activation", t_matmul_dtypes);
    run("rmsnorm softmax silu swiglu rope", t_ops);
    run("attention with grouped query heads", t_attention);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
