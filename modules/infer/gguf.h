/*
 * GGUF (v2 and v3) reading: header, metadata key/values of every type,
 * tensor infos and the aligned data section. inf_gguf_open walks the whole
 * header region with every length and offset checked against the buffer,
 * so the accessors below never read out of bounds afterwards.
 */
#ifndef GGUF_H
#define GGUF_H

#include "infer.h"

enum gguf_type {
    GGUF_U8 = 0, GGUF_I8, GGUF_U16, GGUF_I16, GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL,
    GGUF_STRING, GGUF_ARRAY, GGUF_U64, GGUF_I64, GGUF_F64, GGUF_TYPE_COUNT
};

/* ggml tensor types this engine reads */
#define GGML_F32 0
#define GGML_F16 1
#define GGML_Q4_0 2
#define GGML_Q8_0 8
#define GGML_Q4_K 12
#define GGML_Q6_K 14

struct gguf_kv {
    const char *key;                /* not NUL-terminated */
    size_t key_len;
    uint32_t type;
    uint32_t arr_type;              /* arrays */
    uint64_t arr_n;
    size_t val;                     /* offset of the value (of the first element) */
};

struct gguf_tensor {
    const char *name;               /* not NUL-terminated */
    size_t name_len;
    uint32_t n_dims;
    int64_t ne[4];
    uint32_t ggml_type;
    int dtype;                      /* enum tn_dtype */
    uint64_t offset;                /* from the start of the data section */
    size_t nbytes;
};

struct gguf_file {
    const char *name;
    const uint8_t *base;
    size_t size;
    uint32_t version;
    uint64_t n_kv, n_tensors;
    struct gguf_kv *kv;
    struct gguf_tensor *tensors;
    size_t alignment, data_off;
};

int inf_gguf_open(struct gguf_file *f, const char *name, const void *data, size_t size, char *err);
void inf_gguf_close(struct gguf_file *f);
const char *inf_gguf_type_name(uint32_t t);
const struct gguf_kv *inf_gguf_find(const struct gguf_file *f, const char *key);
/* Typed reads: 0, or -1 when missing or of another type. Integers of any
 * width and sign convert (range-checked into int64). */
int inf_gguf_get_int(const struct gguf_file *f, const char *key, int64_t *out);
int inf_gguf_get_f32(const struct gguf_file *f, const char *key, float *out);
int inf_gguf_get_bool(const struct gguf_file *f, const char *key, bool *out);
int inf_gguf_get_str(const struct gguf_file *f, const char *key, const char **s, size_t *len);
/* Array elements. Strings: pointer and length of element i (walks). */
int inf_gguf_arr_str(const struct gguf_file *f, const struct gguf_kv *kv, uint64_t i, const char **s,
                 size_t *len);
int inf_gguf_arr_f32(const struct gguf_file *f, const struct gguf_kv *kv, uint64_t i, float *out);
const struct gguf_tensor *inf_gguf_find_tensor(const struct gguf_file *f, const char *name);
const void *inf_gguf_tensor_data(const struct gguf_file *f, const struct gguf_tensor *t);

#endif
