/*
 * The tensor engine: tensors as objects (name, dtype, up to 4 dims) and the
 * operations a transformer needs, each with a portable scalar kernel and
 * SIMD kernels chosen at run time (SSE2 / AVX2+FMA on x86_64, NEON on
 * arm64). See docs/inference.md.
 *
 * Layout follows ggml/GGUF: ne[0] is the contiguous dimension (a row), a
 * weight matrix of n_out x n_in has ne[0] = n_in, ne[1] = n_out, and
 * y = W x means y[r] = dot(row r of W, x).
 */
#ifndef TENSOR_H
#define TENSOR_H

#include <anx/lib.h>
#include <anx/math.h>
#include <anx/mem.h>
#include <anx/printf.h>

enum tn_dtype { TN_F32 = 0, TN_F16, TN_Q8_0, TN_Q4_0, TN_Q4_K, TN_Q6_K, TN_DTYPE_COUNT };

#define TN_QK 32                    /* values per q8_0 / q4_0 block */
#define TN_QK_K 256                 /* values per k-quant super-block (q4_K, q6_K, q8_K) */

/* ggml's block layouts, as stored in GGUF files (little-endian, packed). */
struct tn_block_q8_0 {
    uint16_t d;                     /* f16 scale */
    int8_t qs[TN_QK];               /* value = d * qs[i] */
};
struct tn_block_q4_0 {
    uint16_t d;                     /* f16 scale */
    uint8_t qs[TN_QK / 2];          /* value i (<16) = d * ((qs[i] & 15) - 8),
                                       value i+16   = d * ((qs[i] >> 4) - 8) */
};
/* k-quants (kquant.c): 256 values in sub-blocks, each with its own scale. */
struct tn_block_q4_K {
    uint16_t d;                     /* f16 scale of the sub-block scales */
    uint16_t dmin;                  /* f16 scale of the sub-block mins */
    uint8_t scales[12];             /* 8 sub-blocks of 32: 6-bit scale and 6-bit min each
                                       (tn_q4_K_scale_min) */
    uint8_t qs[TN_QK_K / 2];        /* 64 values per 32 bytes: value 64c+l (l<32) is the low
                                       nibble of qs[32c+l], value 64c+32+l the high one;
                                       value = d*scale*q - dmin*min of its sub-block */
};
struct tn_block_q6_K {
    uint8_t ql[TN_QK_K / 2];        /* low 4 bits */
    uint8_t qh[TN_QK_K / 4];        /* high 2 bits */
    int8_t scales[TN_QK_K / 16];    /* one per 16 values */
    uint16_t d;                     /* f16 super-block scale */
};                                  /* value p = d * scales[p/16] * (q - 32), q in 0..63 */
/* The activations k-quant weights meet: f32 scale, 256 int8, the sums of
 * each 16 (a q4_K min or the q6_K offset of 32 then costs one product per
 * 16 values). Only ever in memory, never in a file. */
struct tn_block_q8_K {
    float d;
    int8_t qs[TN_QK_K];
    int16_t bsums[TN_QK_K / 16];
};
_Static_assert(sizeof(struct tn_block_q8_0) == 34, "q8_0 block is 34 bytes");
_Static_assert(sizeof(struct tn_block_q4_0) == 18, "q4_0 block is 18 bytes");
_Static_assert(sizeof(struct tn_block_q4_K) == 144, "q4_K block is 144 bytes");
_Static_assert(sizeof(struct tn_block_q6_K) == 210, "q6_K block is 210 bytes");
_Static_assert(sizeof(struct tn_block_q8_K) == 292, "q8_K block is 292 bytes");

#define TN_MAX_DIMS 4
#define TN_NAME_MAX 64
#define TN_OWNS_DATA 1u

struct tn_tensor {
    char name[TN_NAME_MAX];
    enum tn_dtype dtype;
    int ndim;
    int64_t ne[TN_MAX_DIMS];        /* unused dims are 1 */
    void *data;
    size_t nbytes;
    unsigned flags;
    struct tn_tensor *next;         /* registry (tn_register) */
};

/* ---- dtypes ---------------------------------------------------------------- */
const char *tn_dtype_name(enum tn_dtype t);
int tn_dtype_from_name(const char *name);          /* -1 when unknown */
size_t tn_dtype_block(enum tn_dtype t);             /* values per block: 1, 32 or 256 */
/* Bytes of n consecutive values; 0 when n is not a multiple of the block. */
size_t tn_row_bytes(enum tn_dtype t, int64_t n);

/* ---- objects ---------------------------------------------------------------- */
/* A view of existing data (not freed by tn_tensor_free). 0, or -1 when the
 * shape is invalid (dims < 1, ne[0] not a multiple of the block, overflow). */
int tn_tensor_view(struct tn_tensor *t, const char *name, enum tn_dtype dt, int ndim,
                   const int64_t *ne, const void *data);
/* Allocate zeroed, 64-byte aligned storage. 0 or -1. */
int tn_tensor_alloc(struct tn_tensor *t, const char *name, enum tn_dtype dt, int ndim,
                    const int64_t *ne);
void tn_tensor_free(struct tn_tensor *t);
int64_t tn_nelements(const struct tn_tensor *t);
int64_t tn_nrows(const struct tn_tensor *t);       /* product of ne[1..] */
const void *tn_row(const struct tn_tensor *t, int64_t i);
/* "f32 [64 x 512] 131072 bytes" */
void tn_describe(const struct tn_tensor *t, char *buf, size_t n);

/* A process-wide list of named tensors (the `tensor` shell command). */
void tn_register(struct tn_tensor *t);
void tn_unregister(struct tn_tensor *t);
struct tn_tensor *tn_find(const char *name);
struct tn_tensor *tn_first(void);

/* ---- conversions --------------------------------------------------------------- */
uint16_t tn_f32_to_f16(float f);                    /* round to nearest even */
float tn_f16_to_f32(uint16_t h);
/* n must be a multiple of the dtype's block. */
void tn_quantize_row(enum tn_dtype t, void *dst, const float *src, int64_t n);
void tn_dequantize_row(enum tn_dtype t, float *dst, const void *src, int64_t n);

/* ---- k-quants (kquant.c) ---------------------------------------------------------- */
/* Sub-block j (0..7) of a q4_K block: its 6-bit scale and min. Sub-blocks
 * 0..3 keep them in the low 6 bits of bytes j and j+4; sub-blocks 4..7 keep
 * their low 4 bits in byte j+4 and the top 2 bits in the spare top bits of
 * bytes j-4 (scale) and j (min). Inline: every q4_K kernel calls it 8 times
 * a block. */
static inline void tn_q4_K_scale_min(const uint8_t q[12], int j, uint8_t *sc, uint8_t *m)
{
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (uint8_t)((q[j + 4] & 15) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}
/* n must be a multiple of 256 (tn_quantize_row / tn_dequantize_row call these). */
void tn_quantize_q4_K(void *dst, const float *x, int64_t n);
void tn_dequantize_q4_K(float *dst, const void *src, int64_t n);
void tn_quantize_q6_K(void *dst, const float *x, int64_t n);
void tn_dequantize_q6_K(float *dst, const void *src, int64_t n);
/* n (a multiple of 256) floats -> n / 256 q8_K blocks. */
void tn_quantize_q8_K(void *dst, const float *x, size_t n);
/* The scalar reference dots, also what tables without their own use. */
float tn_dot_q4_K_q8_K_ref(const void *w, const void *xq, size_t n);
float tn_dot_q6_K_q8_K_ref(const void *w, const void *xq, size_t n);
float tn_dot_q4_K_f32_ref(const void *w, const float *x, size_t n);
float tn_dot_q6_K_f32_ref(const void *w, const float *x, size_t n);

/* ---- kernels: one table per instruction set ------------------------------------- */
struct tn_kernels {
    const char *name;
    float (*dot_f32)(const float *a, const float *b, size_t n);
    float (*dot_f16)(const uint16_t *w, const float *x, size_t n);
    float (*dot_q8_0_f32)(const void *w, const float *x, size_t n);
    float (*dot_q4_0_f32)(const void *w, const float *x, size_t n);
    float (*dot_q8_0_q8_0)(const void *w, const void *xq, size_t n);
    float (*dot_q4_0_q8_0)(const void *w, const void *xq, size_t n);
    float (*dot_q4_K_f32)(const void *w, const float *x, size_t n);
    float (*dot_q6_K_f32)(const void *w, const float *x, size_t n);
    float (*dot_q4_K_q8_K)(const void *w, const void *xq, size_t n);   /* xq: q8_K */
    float (*dot_q6_K_q8_K)(const void *w, const void *xq, size_t n);
    /* y[r] = dot(w + r*n, x) for r < rows */
    void (*matvec_f32)(float *y, const float *w, const float *x, size_t rows, size_t n);
    /* y[i][j] = dot(x + i*k, w + j*k): i < m, j < n; pack: tn_gemm_pack_size */
    void (*gemm_f32)(float *y, const float *x, const float *w, size_t m, size_t n, size_t k,
                     float *pack);
    void (*quantize_q8_0)(void *dst, const float *x, size_t n);
    void (*add)(float *y, const float *a, const float *b, size_t n);
    void (*mul)(float *y, const float *a, const float *b, size_t n);
    void (*axpy)(float *y, float a, const float *x, size_t n);   /* y += a x */
    void (*scale)(float *y, float a, size_t n);
    float (*sumsq)(const float *x, size_t n);
};
extern const struct tn_kernels tn_kernels_scalar;
extern const struct tn_kernels tn_kernels_sse2;    /* kernels_sse2.c, x86_64 */
extern const struct tn_kernels tn_kernels_avx2;    /* kernels_avx2.c, x86_64 */
extern const struct tn_kernels tn_kernels_neon;    /* kernels_neon.c, arm64 */

/* The architecture's SIMD tables this CPU can run, worst first, after the
 * scalar one (kernels_x86.c / kernels_arm64.c, one per architecture). */
int tn_arch_kernels(const struct tn_kernels **out, int max);
/* Whether the CPU has a SIMD feature ("sse2", "avx2", "fma", "f16c",
 * "neon"): plat_cpu_has() in the image, the compiler's CPUID query on the host. */
int tn_cpu_has(const char *feature);
/* Floats of packing space gemm_f32 needs for k. */
size_t tn_gemm_pack_size(size_t k);

/* The table in use: the best the CPU has, chosen on first use. */
const struct tn_kernels *tn_kernels(void);
/* Force "scalar", "sse2", "avx2" or "neon": 0, or -1 when not available. */
int tn_select_kernels(const char *name);
/* Every table this CPU can run (scalar first); returns the count. */
int tn_available_kernels(const struct tn_kernels **out, int max);

/* ---- operations ---------------------------------------------------------------- */
float tn_dot(const float *a, const float *b, size_t n);
void tn_add(float *y, const float *a, const float *b, size_t n);
void tn_mul(float *y, const float *a, const float *b, size_t n);
/* out = w * x / sqrt(mean(x^2) + eps); out may be x */
void tn_rmsnorm(float *out, const float *x, const float *w, size_t n, float eps);
void tn_softmax(float *x, size_t n);
void tn_silu(float *x, size_t n);                   /* x * sigmoid(x) */
/* h = silu(h) * g (the SwiGLU gate) */
void tn_swiglu(float *h, const float *g, size_t n);
/* Rotary embedding of adjacent pairs (x[2i], x[2i+1]) in each head of
 * head_size values, angle pos * base^(-2i/head_size) (llama2.c/GGUF llama). */
void tn_rope(float *x, size_t n, size_t head_size, int pos, float base);

/* Scratch memory for matmul (quantized activations, packing). Zero it to
 * start; tn_work_free releases it. */
struct tn_work {
    void *buf;
    size_t size;
};
void tn_work_free(struct tn_work *w);
/* Grow it to size bytes now (0, or -1 out of memory), so that later
 * matmuls on a detached thread (<anx/smp.h>) need no allocation. */
int tn_work_reserve(struct tn_work *w, size_t size);

/* How a quantized weight meets the activations: TN_ACT_Q8_0 quantizes them
 * to 8 bits (q8_0 blocks for q8_0/q4_0 weights, q8_K for the k-quants). */
enum tn_act { TN_ACT_Q8_0 = 0, TN_ACT_F32 = 1 };

/* y[t][r] = dot(row r of w, x[t]) for t < n_tok: x is n_tok x w->ne[0],
 * y is n_tok x w->ne[1]. f32/f16/q8_0/q4_0/q4_K/q6_K weights; quantized
 * weights meet the activations quantized to 8 bits (act = TN_ACT_Q8_0) or in f32.
 * The rows are spread over the CPUs (anx_parallel_for).
 * Returns 0, or -1 when out of memory or the dtype is unknown. */
int tn_matmul(float *y, const struct tn_tensor *w, const float *x, int n_tok,
              enum tn_act act, struct tn_work *work);

/* Attention for one query position over n_pos cached positions, grouped
 * query: head h reads kv head h / (n_heads / n_kv_heads). q: n_heads *
 * head_size; k_cache/v_cache: n_pos rows of kv_stride floats (kv head g at
 * offset g * head_size); att: scratch of n_pos floats, or with att_stride
 * != 0 of n_heads rows of att_stride (>= n_pos) floats, one per head, and
 * then the heads are spread over the CPUs; out: n_heads * head_size. */
void tn_attention(float *out, const float *q, const float *k_cache, const float *v_cache,
                  int n_heads, int n_kv_heads, int head_size, size_t kv_stride, int n_pos,
                  float *att, size_t att_stride);

#endif
