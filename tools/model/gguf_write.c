/*
 * The GGUF v3 writer of anx model convert and anx model random: an
 * inf_model whose tensors are f32 (and its SentencePiece tokenizer) to a
 * file with llama metadata, the matrices as the --type asks, norms always
 * f32. --type is f32, f16, q8_0, q4_0, q4_k, q6_k, or the q4_k_m mix (q6_K
 * for token_embd and output, q4_K elsewhere). A matrix whose rows do not
 * fit the type's block stays f32 under q8_0/q4_0 (rows not a multiple of
 * 32) and becomes q8_0 under the k-quants (rows not a multiple of 256), as
 * llama.cpp's quantizer does; f32 if not even that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <anx/buf.h>
#include "gguf.h"
#include "convert.h"

/* The file is built in the core's growable buffer (<anx/buf.h>): out of
 * memory is sticky, so it is checked once, before writing. */
static void u32(struct anx_buf *b, uint32_t v) { unsigned char x[4] = { v, v >> 8, v >> 16, v >> 24 }; anx_buf_add(b, x, 4); }
static void u64(struct anx_buf *b, uint64_t v) { u32(b, (uint32_t)v); u32(b, (uint32_t)(v >> 32)); }
static void f32(struct anx_buf *b, float v) { uint32_t u; memcpy(&u, &v, 4); u32(b, u); }
static void str(struct anx_buf *b, const char *s, size_t n) { u64(b, n); anx_buf_add(b, s, n); }
static void key(struct anx_buf *b, const char *k, uint32_t type) { str(b, k, strlen(k)); u32(b, type); }
static void kv_u32(struct anx_buf *b, const char *k, uint32_t v) { key(b, k, GGUF_U32); u32(b, v); }
static void kv_f32(struct anx_buf *b, const char *k, float v) { key(b, k, GGUF_F32); f32(b, v); }
static void kv_str(struct anx_buf *b, const char *k, const char *v) { key(b, k, GGUF_STRING); str(b, v, strlen(v)); }

struct out_tensor {
    char name[64];
    const struct tn_tensor *src;
    enum tn_dtype dt;
    size_t nbytes, offset;
};

static int ggml_type(enum tn_dtype t)
{
    switch (t) {
    case TN_F16: return GGML_F16;
    case TN_Q8_0: return GGML_Q8_0;
    case TN_Q4_0: return GGML_Q4_0;
    case TN_Q4_K: return GGML_Q4_K;
    case TN_Q6_K: return GGML_Q6_K;
    default: return GGML_F32;
    }
}

/* --type: the dtype of most matrices, of token_embd/output (they differ in
 * the q4_k_m mix), and llama.cpp's general.file_type (LLAMA_FTYPE_MOSTLY_*). */
static const struct anx_model_type types[] = {
    { "f32", TN_F32, TN_F32, 0 },     { "f16", TN_F16, TN_F16, 1 },
    { "q8_0", TN_Q8_0, TN_Q8_0, 7 },  { "q4_0", TN_Q4_0, TN_Q4_0, 2 },
    { "q4_k", TN_Q4_K, TN_Q4_K, 14 }, { "q6_k", TN_Q6_K, TN_Q6_K, 18 },
    { "q4_k_m", TN_Q4_K, TN_Q6_K, 15 },
};
const char anx_model_type_names[] = "f32, f16, q8_0, q4_0, q4_k, q6_k, q4_k_m";

const char *anx_model_gguf_name(const char *name, const char *out, char *buf, size_t size,
                                const char *cmd)
{
    if (!name) {
        const char *b = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
        size_t n = strlen(b);
        if (n > 5 && strcmp(b + n - 5, ".gguf") == 0)
            n -= 5;
        snprintf(buf, size, "%.*s", (int)(n < size - 1 ? n : size - 1), b);
        name = buf;
    }
    if (!name[0] || strlen(name) > 63) {
        fprintf(stderr, "anx model %s: --name must be 1 to 63 bytes (the server keeps 63)\n", cmd);
        return NULL;
    }
    return name;
}

const struct anx_model_type *anx_model_type_find(const char *name)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcasecmp(name, types[i].name) == 0)
            return &types[i];
    return NULL;
}

/* A matrix of rows of n under dt: dt when the rows fit its block, else
 * q8_0 for a k-quant, else f32. */
static enum tn_dtype fit_dtype(enum tn_dtype dt, int64_t n, int *fallbacks)
{
    if (tn_row_bytes(dt, n))
        return dt;
    if ((dt == TN_Q4_K || dt == TN_Q6_K) && tn_row_bytes(TN_Q8_0, n)) {
        (*fallbacks)++;
        return TN_Q8_0;
    }
    return TN_F32;
}

int anx_model_write_gguf(const struct inf_model *m, const char *name,
                         const struct anx_model_type *ct, const char *out)
{
    const struct inf_config *c = &m->cfg;
    /* tensors in llama.cpp's usual order */
    int nt = 0, cap = 3 + 9 * c->n_layers, fallbacks = 0;
    struct out_tensor *ot = calloc((size_t)cap, sizeof(*ot));
    if (!ot) {
        fprintf(stderr, "anx model: out of memory building %s\n", out);
        return 1;
    }
#define ADD(nm, t, matrix) do { \
        struct out_tensor *o = &ot[nt++]; \
        snprintf(o->name, sizeof(o->name), "%s", nm); \
        o->src = (t); \
        o->dt = !(matrix) ? TN_F32 \
                : fit_dtype((matrix) == 2 ? ct->big : ct->dt, (t)->ne[0], &fallbacks); \
        o->nbytes = tn_row_bytes(o->dt, (t)->ne[0]) * (size_t)tn_nrows(t); \
    } while (0)
    /* matrix: 0 for norms, 1 for most matrices, 2 for token_embd/output */
    ADD("token_embd.weight", &m->tok_emb, 2);
    ADD("output_norm.weight", &m->out_norm, 0);
    if (!c->shared_classifier)
        ADD("output.weight", &m->wcls, 2);
    for (int l = 0; l < c->n_layers; l++) {
        char n[64];
        struct inf_layer *L = &m->layers[l];
#define LADD(suffix, t, matrix) snprintf(n, sizeof(n), "blk.%d.%s.weight", l, suffix); ADD(n, t, matrix)
        LADD("attn_norm", &L->att_norm, 0);
        LADD("attn_q", &L->wq, 1);
        LADD("attn_k", &L->wk, 1);
        LADD("attn_v", &L->wv, 1);
        LADD("attn_output", &L->wo, 1);
        LADD("ffn_norm", &L->ffn_norm, 0);
        LADD("ffn_gate", &L->w1, 1);
        LADD("ffn_down", &L->w2, 1);
        LADD("ffn_up", &L->w3, 1);
    }

    struct anx_buf b = { 0 };
    u32(&b, 0x46554747u);
    u32(&b, 3);
    u64(&b, (uint64_t)nt);
    u64(&b, 20);                                      /* key/values below */
    kv_str(&b, "general.architecture", "llama");
    kv_str(&b, "general.name", name);
    kv_u32(&b, "general.alignment", 32);
    kv_u32(&b, "general.file_type", ct->file_type);
    kv_u32(&b, "llama.context_length", (uint32_t)c->seq_len);
    kv_u32(&b, "llama.embedding_length", (uint32_t)c->dim);
    kv_u32(&b, "llama.block_count", (uint32_t)c->n_layers);
    kv_u32(&b, "llama.feed_forward_length", (uint32_t)c->hidden_dim);
    kv_u32(&b, "llama.attention.head_count", (uint32_t)c->n_heads);
    kv_u32(&b, "llama.attention.head_count_kv", (uint32_t)c->n_kv_heads);
    kv_u32(&b, "llama.rope.dimension_count", (uint32_t)c->head_size);
    kv_f32(&b, "llama.attention.layer_norm_rms_epsilon", c->rms_eps);
    kv_f32(&b, "llama.rope.freq_base", c->rope_base);
    kv_str(&b, "tokenizer.ggml.model", "llama");
    key(&b, "tokenizer.ggml.tokens", GGUF_ARRAY);
    u32(&b, GGUF_STRING);
    u64(&b, (uint64_t)m->tok.vocab_size);
    for (int i = 0; i < m->tok.vocab_size; i++) {      /* ' ' -> U+2581 as SentencePiece writes it */
        struct anx_buf t = { 0 };
        for (const char *p = m->tok.vocab[i]; *p; p++)
            if (*p == ' ') anx_buf_add(&t, "\xe2\x96\x81", 3);
            else anx_buf_add(&t, p, 1);
        str(&b, t.p ? t.p : "", t.len);
        b.oom |= t.oom;
        anx_buf_free(&t);
    }
    key(&b, "tokenizer.ggml.scores", GGUF_ARRAY);
    u32(&b, GGUF_F32);
    u64(&b, (uint64_t)m->tok.vocab_size);
    for (int i = 0; i < m->tok.vocab_size; i++)
        f32(&b, m->tok.scores[i]);
    key(&b, "tokenizer.ggml.token_type", GGUF_ARRAY);
    u32(&b, GGUF_I32);
    u64(&b, (uint64_t)m->tok.vocab_size);
    for (int i = 0; i < m->tok.vocab_size; i++) {
        const char *v = m->tok.vocab[i];
        int tt = i == 0 ? 2 : i == 1 || i == 2 ? 3
               : strlen(v) == 6 && v[0] == '<' && v[1] == '0' && v[2] == 'x' && v[5] == '>' ? 6 : 1;
        u32(&b, (uint32_t)tt);
    }
    kv_u32(&b, "tokenizer.ggml.bos_token_id", 1);
    kv_u32(&b, "tokenizer.ggml.eos_token_id", 2);
    kv_u32(&b, "tokenizer.ggml.unknown_token_id", 0);

    size_t off = 0;
    for (int i = 0; i < nt; i++) {
        struct out_tensor *o = &ot[i];
        o->offset = off;
        off = (off + o->nbytes + 31) / 32 * 32;
        str(&b, o->name, strlen(o->name));
        u32(&b, (uint32_t)o->src->ndim);
        for (int d = 0; d < o->src->ndim; d++)
            u64(&b, (uint64_t)o->src->ne[d]);
        u32(&b, (uint32_t)ggml_type(o->dt));
        u64(&b, o->offset);
    }
    static const unsigned char zero[32];
    anx_buf_add(&b, zero, (32 - b.len % 32) % 32);
    size_t data0 = b.len;
    for (int i = 0; i < nt; i++) {
        struct out_tensor *o = &ot[i];
        anx_buf_add(&b, zero, data0 + o->offset - b.len);
        size_t rb = tn_row_bytes(o->dt, o->src->ne[0]);
        unsigned char *row = malloc(rb);
        b.oom |= !row;
        for (int64_t r = 0; row && r < tn_nrows(o->src); r++) {
            tn_quantize_row(o->dt, row, tn_row(o->src, r), o->src->ne[0]);
            anx_buf_add(&b, row, rb);
        }
        free(row);
    }
    if (b.oom) {
        fprintf(stderr, "anx model: out of memory building %s\n", out);
        anx_buf_free(&b);
        free(ot);
        return 1;
    }
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0) {
        fprintf(stderr, "anx model: cannot write %s\n", out);
        if (f)
            fclose(f);
        anx_buf_free(&b);
        free(ot);
        return 1;
    }
    if (fallbacks)
        fprintf(stderr, "anx model: %d matrices have rows that are not a multiple of 256, "
                "which %s needs: stored as q8_0\n", fallbacks, ct->name);
    fprintf(stderr, "anx model: wrote %s: GGUF v3, %d tensors (%s), %zu bytes, general.name %s\n",
            out, nt, ct->name, b.len, name);
    anx_buf_free(&b);
    free(ot);
    return 0;
}
