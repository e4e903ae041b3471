/*
 * Tensor objects, dtypes, f16 conversion, quantization, and the registry of
 * named tensors.
 */
#include "tensor.h"

static const struct { const char *name; size_t block, bytes; } dtypes[TN_DTYPE_COUNT] = {
    [TN_F32] = { "f32", 1, 4 },
    [TN_F16] = { "f16", 1, 2 },
    [TN_Q8_0] = { "q8_0", TN_QK, sizeof(struct tn_block_q8_0) },
    [TN_Q4_0] = { "q4_0", TN_QK, sizeof(struct tn_block_q4_0) },
    [TN_Q4_K] = { "q4_K", TN_QK_K, sizeof(struct tn_block_q4_K) },
    [TN_Q6_K] = { "q6_K", TN_QK_K, sizeof(struct tn_block_q6_K) },
};

const char *tn_dtype_name(enum tn_dtype t)
{
    return (unsigned)t < TN_DTYPE_COUNT ? dtypes[t].name : "?";
}

int tn_dtype_from_name(const char *name)
{
    for (int i = 0; i < TN_DTYPE_COUNT; i++)
        if (strcmp(name, dtypes[i].name) == 0)
            return i;
    return -1;
}

size_t tn_dtype_block(enum tn_dtype t)
{
    return (unsigned)t < TN_DTYPE_COUNT ? dtypes[t].block : 0;
}

size_t tn_row_bytes(enum tn_dtype t, int64_t n)
{
    if ((unsigned)t >= TN_DTYPE_COUNT || n < 0 || n % (int64_t)dtypes[t].block)
        return 0;
    return (size_t)(n / (int64_t)dtypes[t].block) * dtypes[t].bytes;
}

/* ---- objects ---------------------------------------------------------------- */

static int shape(struct tn_tensor *t, const char *name, enum tn_dtype dt, int ndim,
                 const int64_t *ne)
{
    memset(t, 0, sizeof(*t));
    if ((unsigned)dt >= TN_DTYPE_COUNT || ndim < 1 || ndim > TN_MAX_DIMS)
        return -1;
    size_t n = 0;
    while (name && name[n] && n + 1 < TN_NAME_MAX) {
        t->name[n] = name[n];
        n++;
    }
    t->dtype = dt;
    t->ndim = ndim;
    uint64_t rows = 1;
    for (int i = 0; i < TN_MAX_DIMS; i++) {
        t->ne[i] = i < ndim ? ne[i] : 1;
        if (t->ne[i] < 1 || t->ne[i] > ((int64_t)1 << 40))
            return -1;
        if (i > 0) {
            rows *= (uint64_t)t->ne[i];
            if (rows > ((uint64_t)1 << 40))
                return -1;
        }
    }
    size_t rb = tn_row_bytes(dt, t->ne[0]);
    if (rb == 0 || rows > SIZE_MAX / rb)
        return -1;
    t->nbytes = rb * (size_t)rows;
    return 0;
}

int tn_tensor_view(struct tn_tensor *t, const char *name, enum tn_dtype dt, int ndim,
                   const int64_t *ne, const void *data)
{
    if (shape(t, name, dt, ndim, ne) < 0)
        return -1;
    t->data = (void *)(uintptr_t)data;
    return 0;
}

int tn_tensor_alloc(struct tn_tensor *t, const char *name, enum tn_dtype dt, int ndim,
                    const int64_t *ne)
{
    if (shape(t, name, dt, ndim, ne) < 0)
        return -1;
    size_t sz = (t->nbytes + 63) & ~(size_t)63;
    t->data = anx_aligned_alloc(64, sz);
    if (!t->data)
        return -1;
    memset(t->data, 0, sz);
    t->flags |= TN_OWNS_DATA;
    return 0;
}

void tn_tensor_free(struct tn_tensor *t)
{
    tn_unregister(t);
    if (t->flags & TN_OWNS_DATA)
        anx_free(t->data);
    t->data = NULL;
    t->flags = 0;
}

int64_t tn_nelements(const struct tn_tensor *t)
{
    return t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
}

int64_t tn_nrows(const struct tn_tensor *t)
{
    return t->ne[1] * t->ne[2] * t->ne[3];
}

const void *tn_row(const struct tn_tensor *t, int64_t i)
{
    return (const char *)t->data + (size_t)i * tn_row_bytes(t->dtype, t->ne[0]);
}

void tn_describe(const struct tn_tensor *t, char *buf, size_t n)
{
    int k = snprintf(buf, n, "%s [", tn_dtype_name(t->dtype));
    for (int i = 0; i < t->ndim && k >= 0 && (size_t)k < n; i++)
        k += snprintf(buf + k, n - (size_t)k, "%s%lld", i ? " x " : "", (long long)t->ne[i]);
    if (k >= 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, "] %llu bytes", (unsigned long long)t->nbytes);
}

/* ---- registry ------------------------------------------------------------------ */

static struct tn_tensor *registry;

void tn_register(struct tn_tensor *t)
{
    tn_unregister(t);
    t->next = registry;
    registry = t;
}

void tn_unregister(struct tn_tensor *t)
{
    for (struct tn_tensor **p = &registry; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            t->next = NULL;
            return;
        }
}

struct tn_tensor *tn_find(const char *name)
{
    for (struct tn_tensor *t = registry; t; t = t->next)
        if (strncmp(t->name, name, TN_NAME_MAX) == 0)
            return t;
    return NULL;
}

struct tn_tensor *tn_first(void)
{
    return registry;
}

/* ---- f16 --------------------------------------------------------------------- */

static inline uint32_t f2u(float f) { union { float f; uint32_t u; } v = { .f = f }; return v.u; }
static inline float u2f(uint32_t u) { union { float f; uint32_t u; } v = { .u = u }; return v.f; }

uint16_t tn_f32_to_f16(float f)
{
    uint32_t u = f2u(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    u &= 0x7fffffff;
    if (u >= 0x7f800000)                               /* inf, NaN (kept quiet) */
        return sign | 0x7c00 | (u > 0x7f800000 ? 0x200 : 0);
    if (u >= 0x477ff000)                               /* rounds past 65504 */
        return sign | 0x7c00;
    if (u < 0x38800000) {                              /* f16 subnormal or zero */
        if (u < 0x33000000)                            /* <= 2^-25: rounds to 0 */
            return sign;
        uint32_t e = u >> 23, m = (u & 0x7fffff) | 0x800000;
        uint32_t sh = 126 - e, q = m >> sh, rem = m & ((1u << sh) - 1), half = 1u << (sh - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
        return sign | (uint16_t)q;
    }
    uint32_t h = (u - (112u << 23)) >> 13, rem = u & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++;
    return sign | (uint16_t)h;
}

float tn_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0) {
        float v = (float)m * (1.0f / 16777216.0f);     /* m * 2^-24, exact */
        return sign ? -v : v;
    }
    if (e == 31)
        return u2f(sign | 0x7f800000 | (m << 13));
    return u2f(sign | ((e + 112) << 23) | (m << 13));
}

/* ---- quantization ------------------------------------------------------------- */

static void quantize_q8_0(struct tn_block_q8_0 *b, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float amax = 0.0f;
        for (int j = 0; j < TN_QK; j++)
            amax = fabsf(x[j]) > amax ? fabsf(x[j]) : amax;
        float d = amax / 127.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = tn_f32_to_f16(d);
        for (int j = 0; j < TN_QK; j++) {
            float v = roundf(x[j] * id);
            b[i].qs[j] = (int8_t)(v > 127.0f ? 127 : v < -127.0f ? -127 : v);
        }
    }
}

/* q4_0: the value of largest magnitude maps to -8, d = max / -8, so the
 * range [-8, 7] is used fully on that side. */
static void quantize_q4_0(struct tn_block_q4_0 *b, const float *x, int64_t n)
{
    for (int64_t i = 0; i < n / TN_QK; i++, x += TN_QK) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < TN_QK; j++)
            if (fabsf(x[j]) > amax) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        float d = max / -8.0f, id = d != 0.0f ? 1.0f / d : 0.0f;
        b[i].d = tn_f32_to_f16(d);
        for (int j = 0; j < TN_QK / 2; j++) {
            float v0 = x[j] * id + 8.5f, v1 = x[j + TN_QK / 2] * id + 8.5f;
            int q0 = v0 < 0.0f ? 0 : v0 >= 15.0f ? 15 : (int)v0;
            int q1 = v1 < 0.0f ? 0 : v1 >= 15.0f ? 15 : (int)v1;
            b[i].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

void tn_quantize_row(enum tn_dtype t, void *dst, const float *src, int64_t n)
{
    switch (t) {
    case TN_F32:
        memcpy(dst, src, (size_t)n * 4);
        break;
    case TN_F16:
        for (int64_t i = 0; i < n; i++)
            ((uint16_t *)dst)[i] = tn_f32_to_f16(src[i]);
        break;
    case TN_Q8_0:
        quantize_q8_0(dst, src, n);
        break;
    case TN_Q4_0:
        quantize_q4_0(dst, src, n);
        break;
    case TN_Q4_K:
        tn_quantize_q4_K(dst, src, n);
        break;
    case TN_Q6_K:
        tn_quantize_q6_K(dst, src, n);
        break;
    default:
        break;
    }
}

void tn_dequantize_row(enum tn_dtype t, float *dst, const void *src, int64_t n)
{
    switch (t) {
    case TN_F32:
        memcpy(dst, src, (size_t)n * 4);
        break;
    case TN_F16:
        for (int64_t i = 0; i < n; i++)
            dst[i] = tn_f16_to_f32(((const uint16_t *)src)[i]);
        break;
    case TN_Q8_0:
        for (int64_t i = 0; i < n / TN_QK; i++) {
            const struct tn_block_q8_0 *b = (const struct tn_block_q8_0 *)src + i;
            float d = tn_f16_to_f32(b->d);
            for (int j = 0; j < TN_QK; j++)
                dst[i * TN_QK + j] = d * b->qs[j];
        }
        break;
    case TN_Q4_0:
        for (int64_t i = 0; i < n / TN_QK; i++) {
            const struct tn_block_q4_0 *b = (const struct tn_block_q4_0 *)src + i;
            float d = tn_f16_to_f32(b->d);
            for (int j = 0; j < TN_QK / 2; j++) {
                dst[i * TN_QK + j] = d * ((b->qs[j] & 15) - 8);
                dst[i * TN_QK + j + TN_QK / 2] = d * ((b->qs[j] >> 4) - 8);
            }
        }
        break;
    case TN_Q4_K:
        tn_dequantize_q4_K(dst, src, n);
        break;
    case TN_Q6_K:
        tn_dequantize_q6_K(dst, src, n);
        break;
    default:
        break;
    }
}
