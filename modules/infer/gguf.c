/*
 * GGUF reader. Layout (little-endian): "GGUF", u32 version, u64 n_tensors,
 * u64 n_kv; n_kv x (string key, u32 type, value); n_tensors x (string name,
 * u32 n_dims, u64 ne[n_dims], u32 ggml type, u64 offset); padding to
 * general.alignment (32 by default); the data section. A string is a u64
 * length and the bytes; an array is u32 element type, u64 count, elements.
 */
#include "gguf.h"

struct rd {
    const struct gguf_file *f;
    size_t off;
    char *err;
    const char *what;               /* for messages */
};

static int need(struct rd *r, size_t n)
{
    if (r->off > r->f->size || r->f->size - r->off < n) {
        snprintf(r->err, INF_ERR_MAX, "%s: truncated: %s needs %zu bytes at offset %zu, file has %zu",
                 r->f->name, r->what, n, r->off, r->f->size);
        return -1;
    }
    return 0;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int rd_u32(struct rd *r, uint32_t *v)
{
    if (need(r, 4) < 0) return -1;
    *v = (uint32_t)le(r->f->base + r->off, 4);
    r->off += 4;
    return 0;
}

static int rd_u64(struct rd *r, uint64_t *v)
{
    if (need(r, 8) < 0) return -1;
    *v = le(r->f->base + r->off, 8);
    r->off += 8;
    return 0;
}

/* GGUF spec (ggml docs/gguf.md, "File Structure"): gguf_string_t is a u64 length and the
 * bytes, with no NUL. */
static int rd_str(struct rd *r, const char **s, size_t *len)
{
    uint64_t n;
    if (rd_u64(r, &n) < 0) return -1;
    if (n > r->f->size) {
        snprintf(r->err, INF_ERR_MAX, "%s: %s: string length %llu at offset %zu exceeds the file (%zu bytes)",
                 r->f->name, r->what, (unsigned long long)n, r->off - 8, r->f->size);
        return -1;
    }
    if (need(r, (size_t)n) < 0) return -1;
    *s = (const char *)r->f->base + r->off;
    *len = (size_t)n;
    r->off += (size_t)n;
    return 0;
}

static const size_t scalar_size[GGUF_TYPE_COUNT] = {
    [GGUF_U8] = 1, [GGUF_I8] = 1, [GGUF_U16] = 2, [GGUF_I16] = 2, [GGUF_U32] = 4, [GGUF_I32] = 4,
    [GGUF_F32] = 4, [GGUF_BOOL] = 1, [GGUF_U64] = 8, [GGUF_I64] = 8, [GGUF_F64] = 8,
};

const char *inf_gguf_type_name(uint32_t t)
{
    static const char *const names[GGUF_TYPE_COUNT] = {
        "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64",
    };
    return t < GGUF_TYPE_COUNT ? names[t] : "?";
}

/* Skip one value of type t, checking it lies inside the file. */
/* GGUF spec, gguf_metadata_value_type: a scalar, a string, or an array (u32 element type,
 * u64 count, elements); array nesting is bounded here. */
static int skip_value(struct rd *r, uint32_t t, int depth)
{
    if (t >= GGUF_TYPE_COUNT) {
        snprintf(r->err, INF_ERR_MAX, "%s: %s: unknown value type %u at offset %zu", r->f->name, r->what,
                 t, r->off);
        return -1;
    }
    if (t == GGUF_STRING) {
        const char *s;
        size_t n;
        return rd_str(r, &s, &n);
    }
    if (t == GGUF_ARRAY) {
        uint32_t et;
        uint64_t cnt;
        if (depth > 2) {
            snprintf(r->err, INF_ERR_MAX, "%s: %s: arrays nested too deeply", r->f->name, r->what);
            return -1;
        }
        if (rd_u32(r, &et) < 0 || rd_u64(r, &cnt) < 0)
            return -1;
        if (et >= GGUF_TYPE_COUNT) {
            snprintf(r->err, INF_ERR_MAX, "%s: %s: unknown array element type %u", r->f->name, r->what, et);
            return -1;
        }
        if (et != GGUF_STRING && et != GGUF_ARRAY) {
            if (cnt > r->f->size / scalar_size[et]) {
                snprintf(r->err, INF_ERR_MAX, "%s: %s: array of %llu %s exceeds the file", r->f->name,
                         r->what, (unsigned long long)cnt, inf_gguf_type_name(et));
                return -1;
            }
            return need(r, (size_t)cnt * scalar_size[et]) < 0 ? -1 : (r->off += (size_t)cnt * scalar_size[et], 0);
        }
        /* every string or array element takes at least 8 bytes */
        if (cnt > (r->f->size - r->off) / 8) {
            snprintf(r->err, INF_ERR_MAX, "%s: truncated: %s: array of %llu %s at offset %zu cannot fit in %zu bytes",
                     r->f->name, r->what, (unsigned long long)cnt, inf_gguf_type_name(et), r->off, r->f->size);
            return -1;
        }
        for (uint64_t i = 0; i < cnt; i++)
            if (skip_value(r, et, depth + 1) < 0)
                return -1;
        return 0;
    }
    if (need(r, scalar_size[t]) < 0)
        return -1;
    r->off += scalar_size[t];
    return 0;
}

static int tensor_dtype(uint32_t ggml_type)
{
    switch (ggml_type) {
    case GGML_F32: return TN_F32;
    case GGML_F16: return TN_F16;
    case GGML_Q4_0: return TN_Q4_0;
    case GGML_Q8_0: return TN_Q8_0;
    case GGML_Q4_K: return TN_Q4_K;
    case GGML_Q6_K: return TN_Q6_K;
    default: return -1;
    }
}

void inf_gguf_close(struct gguf_file *f)
{
    anx_free(f->kv);
    anx_free(f->tensors);
    f->kv = NULL;
    f->tensors = NULL;
}

/* GGUF spec (ggml docs/gguf.md): header ("GGUF", version 2 or 3; a big-endian v3 file reads
 * as a bad version), key/values, tensor infos, padding to general.alignment (32), data. */
int inf_gguf_open(struct gguf_file *f, const char *name, const void *data, size_t size, char *err)
{
    memset(f, 0, sizeof(*f));
    f->name = name;
    f->base = data;
    f->size = size;
    struct rd r = { f, 0, err, "the header" };
    uint32_t magic;
    if (rd_u32(&r, &magic) < 0)
        return -1;
    if (magic != 0x46554747u) {
        snprintf(err, INF_ERR_MAX, "%s: not a GGUF file (magic %08x)", name, magic);
        return -1;
    }
    if (rd_u32(&r, &f->version) < 0)
        return -1;
    if (f->version != 2 && f->version != 3) {
        snprintf(err, INF_ERR_MAX, "%s: GGUF version %u is not supported (2 or 3)", name, f->version);
        return -1;
    }
    if (rd_u64(&r, &f->n_tensors) < 0 || rd_u64(&r, &f->n_kv) < 0)
        return -1;
    /* a key/value takes at least 13 bytes, a tensor info at least 28 */
    if (f->n_kv > (size - r.off) / 13 || f->n_tensors > (size - r.off) / 28) {
        snprintf(err, INF_ERR_MAX, "%s: truncated: %llu key/values and %llu tensors cannot fit in %zu bytes",
                 name, (unsigned long long)f->n_kv, (unsigned long long)f->n_tensors, size);
        return -1;
    }
    f->kv = anx_calloc((size_t)f->n_kv + 1, sizeof(*f->kv));
    f->tensors = anx_calloc((size_t)f->n_tensors + 1, sizeof(*f->tensors));
    if (!f->kv || !f->tensors) {
        inf_oom(err, name, "the GGUF directory", ((size_t)f->n_kv + 1) * sizeof(*f->kv) +
                ((size_t)f->n_tensors + 1) * sizeof(*f->tensors));
        goto fail;
    }
    char what[96];
    r.what = what;
    f->alignment = 32;
    for (uint64_t i = 0; i < f->n_kv; i++) {
        struct gguf_kv *kv = &f->kv[i];
        snprintf(what, sizeof(what), "key/value %llu", (unsigned long long)i);
        if (rd_str(&r, &kv->key, &kv->key_len) < 0 || rd_u32(&r, &kv->type) < 0)
            goto fail;
        snprintf(what, sizeof(what), "key %.*s", (int)(kv->key_len < 60 ? kv->key_len : 60), kv->key);
        size_t at = r.off;
        if (kv->type == GGUF_ARRAY && need(&r, 12) == 0) {
            kv->arr_type = (uint32_t)le(f->base + r.off, 4);
            kv->arr_n = le(f->base + r.off + 4, 8);
            at += 12;
        }
        kv->val = at;
        if (skip_value(&r, kv->type, 0) < 0)
            goto fail;
        if (kv->key_len == 17 && memcmp(kv->key, "general.alignment", 17) == 0) {
            if (kv->type != GGUF_U32) {
                snprintf(err, INF_ERR_MAX, "%s: general.alignment has type %s, not u32", name, inf_gguf_type_name(kv->type));
                goto fail;
            }
            f->alignment = (uint32_t)le(f->base + kv->val, 4);
            if (f->alignment == 0 || (f->alignment & (f->alignment - 1)) || f->alignment > 65536) {
                snprintf(err, INF_ERR_MAX, "%s: general.alignment %zu is not a power of two up to 65536",
                         name, f->alignment);
                goto fail;
            }
        }
    }
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        struct gguf_tensor *t = &f->tensors[i];
        snprintf(what, sizeof(what), "tensor info %llu", (unsigned long long)i);
        if (rd_str(&r, &t->name, &t->name_len) < 0)
            goto fail;
        snprintf(what, sizeof(what), "tensor %.*s", (int)(t->name_len < 60 ? t->name_len : 60), t->name);
        if (t->name_len == 0 || t->name_len >= TN_NAME_MAX) {
            snprintf(err, INF_ERR_MAX, "%s: %s: name length %zu (1..%d)", name, what, t->name_len, TN_NAME_MAX - 1);
            goto fail;
        }
        if (rd_u32(&r, &t->n_dims) < 0)
            goto fail;
        if (t->n_dims < 1 || t->n_dims > 4) {
            snprintf(err, INF_ERR_MAX, "%s: %s: %u dimensions (1..4)", name, what, t->n_dims);
            goto fail;
        }
        uint64_t count = 1;
        for (uint32_t d = 0; d < 4; d++) {
            uint64_t ne = 1;
            if (d < t->n_dims && rd_u64(&r, &ne) < 0)
                goto fail;
            if (ne < 1 || ne > ((uint64_t)1 << 40) || (count *= ne) > ((uint64_t)1 << 40)) {
                snprintf(err, INF_ERR_MAX, "%s: %s: dimension %u = %llu is invalid", name, what, d,
                         (unsigned long long)ne);
                goto fail;
            }
            t->ne[d] = (int64_t)ne;
        }
        if (rd_u32(&r, &t->ggml_type) < 0 || rd_u64(&r, &t->offset) < 0)
            goto fail;
        t->dtype = tensor_dtype(t->ggml_type);
        if (t->dtype >= 0) {
            size_t rb = tn_row_bytes((enum tn_dtype)t->dtype, t->ne[0]);
            if (rb == 0) {
                snprintf(err, INF_ERR_MAX,
                         "%s: %s: row of %lld is not a multiple of the %s block (%zu values)",
                         name, what, (long long)t->ne[0], tn_dtype_name((enum tn_dtype)t->dtype),
                         tn_dtype_block((enum tn_dtype)t->dtype));
                goto fail;
            }
            t->nbytes = rb * (size_t)(count / (uint64_t)t->ne[0]);
        }
        if (t->offset % f->alignment) {
            snprintf(err, INF_ERR_MAX, "%s: %s: data offset %llu is not a multiple of the alignment %zu",
                     name, what, (unsigned long long)t->offset, f->alignment);
            goto fail;
        }
        for (uint64_t j = 0; j < i; j++)
            if (f->tensors[j].name_len == t->name_len && !memcmp(f->tensors[j].name, t->name, t->name_len)) {
                snprintf(err, INF_ERR_MAX, "%s: %s appears twice", name, what);
                goto fail;
            }
    }
    f->data_off = (r.off + f->alignment - 1) / f->alignment * f->alignment;
    if (f->data_off > size && f->n_tensors) {
        snprintf(err, INF_ERR_MAX, "%s: truncated: the data section starts at offset %zu, file has %zu",
                 name, f->data_off, size);
        goto fail;
    }
    for (uint64_t i = 0; i < f->n_tensors; i++) {
        struct gguf_tensor *t = &f->tensors[i];
        if (t->dtype < 0)
            continue;                    /* refused when used: see gguf_model.c */
        uint64_t avail = size - f->data_off;
        if (t->offset > avail || avail - t->offset < t->nbytes) {
            snprintf(err, INF_ERR_MAX, "%s: truncated: tensor %.*s needs %zu bytes at offset %llu, file has %zu",
                     name, (int)t->name_len, t->name, t->nbytes,
                     (unsigned long long)(f->data_off + t->offset), size);
            goto fail;
        }
    }
    return 0;
fail:
    inf_gguf_close(f);
    return -1;
}

const struct gguf_kv *inf_gguf_find(const struct gguf_file *f, const char *key)
{
    size_t n = strlen(key);
    for (uint64_t i = 0; i < f->n_kv; i++)
        if (f->kv[i].key_len == n && memcmp(f->kv[i].key, key, n) == 0)
            return &f->kv[i];
    return NULL;
}

static int scalar_int(const uint8_t *p, uint32_t t, int64_t *out)
{
    switch (t) {
    case GGUF_U8: *out = p[0]; return 0;
    case GGUF_I8: *out = (int8_t)p[0]; return 0;
    case GGUF_U16: *out = (int64_t)le(p, 2); return 0;
    case GGUF_I16: *out = (int16_t)le(p, 2); return 0;
    case GGUF_U32: *out = (int64_t)le(p, 4); return 0;
    case GGUF_I32: *out = (int32_t)le(p, 4); return 0;
    case GGUF_U64: if (le(p, 8) >> 63) return -1; *out = (int64_t)le(p, 8); return 0;
    case GGUF_I64: *out = (int64_t)le(p, 8); return 0;
    default: return -1;
    }
}

int inf_gguf_get_int(const struct gguf_file *f, const char *key, int64_t *out)
{
    const struct gguf_kv *kv = inf_gguf_find(f, key);
    return kv ? scalar_int(f->base + kv->val, kv->type, out) : -1;
}

int inf_gguf_get_f32(const struct gguf_file *f, const char *key, float *out)
{
    const struct gguf_kv *kv = inf_gguf_find(f, key);
    if (!kv)
        return -1;
    if (kv->type == GGUF_F32) {
        uint32_t u = (uint32_t)le(f->base + kv->val, 4);
        memcpy(out, &u, 4);
        return 0;
    }
    if (kv->type == GGUF_F64) {
        uint64_t u = le(f->base + kv->val, 8);
        double d;
        memcpy(&d, &u, 8);
        *out = (float)d;
        return 0;
    }
    return -1;
}

int inf_gguf_get_bool(const struct gguf_file *f, const char *key, bool *out)
{
    const struct gguf_kv *kv = inf_gguf_find(f, key);
    if (!kv || kv->type != GGUF_BOOL)
        return -1;
    *out = f->base[kv->val] != 0;
    return 0;
}

int inf_gguf_get_str(const struct gguf_file *f, const char *key, const char **s, size_t *len)
{
    const struct gguf_kv *kv = inf_gguf_find(f, key);
    if (!kv || kv->type != GGUF_STRING)
        return -1;
    *len = (size_t)le(f->base + kv->val, 8);
    *s = (const char *)f->base + kv->val + 8;
    return 0;
}

int inf_gguf_arr_str(const struct gguf_file *f, const struct gguf_kv *kv, uint64_t i, const char **s,
                 size_t *len)
{
    if (kv->type != GGUF_ARRAY || kv->arr_type != GGUF_STRING || i >= kv->arr_n)
        return -1;
    size_t off = kv->val;                 /* validated by inf_gguf_open */
    for (uint64_t k = 0; k < i; k++)
        off += 8 + (size_t)le(f->base + off, 8);
    *len = (size_t)le(f->base + off, 8);
    *s = (const char *)f->base + off + 8;
    return 0;
}

int inf_gguf_arr_f32(const struct gguf_file *f, const struct gguf_kv *kv, uint64_t i, float *out)
{
    if (kv->type != GGUF_ARRAY || kv->arr_type != GGUF_F32 || i >= kv->arr_n)
        return -1;
    uint32_t u = (uint32_t)le(f->base + kv->val + i * 4, 4);
    memcpy(out, &u, 4);
    return 0;
}

const struct gguf_tensor *inf_gguf_find_tensor(const struct gguf_file *f, const char *name)
{
    size_t n = strlen(name);
    for (uint64_t i = 0; i < f->n_tensors; i++)
        if (f->tensors[i].name_len == n && memcmp(f->tensors[i].name, name, n) == 0)
            return &f->tensors[i];
    return NULL;
}

/* GGUF spec, gguf_tensor_info_t: offset counts from the start of the data section. */
const void *inf_gguf_tensor_data(const struct gguf_file *f, const struct gguf_tensor *t)
{
    return f->base + f->data_off + t->offset;
}
