/*
 * Model hosting: load a llama-architecture model (llama2.c checkpoint +
 * tokenizer.bin, or GGUF v3), tokenize, run the forward pass with a KV
 * cache, sample, and generate token by token. Everything here is plain C
 * that builds in the image and on the host (host/host.mk); model files
 * are taken from memory (the image's files archive, or a file the host tool
 * read), checked completely before use, and used in place where possible.
 * See docs/inference.md.
 */
#ifndef INFER_H
#define INFER_H

#include <anx/errno.h>
#include "tensor.h"   /* the tensor module (depends: [tensor]) */

#define INF_ERR_MAX 256

/* ---- tokenizer -------------------------------------------------------------------- */

enum inf_tok_type { INF_TOK_SPM = 0, INF_TOK_GPT2 = 1 };

struct inf_tokenizer {
    enum inf_tok_type type;
    int vocab_size;
    char **vocab;                   /* NUL-terminated pieces (SPM: U+2581 -> ' ') */
    float *scores;
    int *sorted;                    /* ids sorted by piece, for lookup */
    int max_token_length;
    int bos, eos;
    bool add_space_prefix;          /* SPM: the dummy " " before non-empty text */
    int byte_id[256];               /* <0xXX> tokens (SPM) or byte symbols (GPT2); -1 */
    /* GPT2 BPE: merges "a b" -> rank, open addressing */
    char **merges;
    int n_merges;
    int *merge_hash;                /* index into merges or -1; size merge_cap */
    int merge_cap;
};

/* llama2.c tokenizer.bin: int32 max_token_length, then per token float
 * score, int32 len, len bytes. vocab_size comes from the model. */
int inf_tokenizer_load_bin(struct inf_tokenizer *t, const char *name, const void *data,
                           size_t size, int vocab_size, char *err);
/* From parallel arrays (GGUF metadata, tests): copies everything. */
int inf_tokenizer_init(struct inf_tokenizer *t, enum inf_tok_type type, int n,
                       const char *const *tokens, const int *lens, const float *scores,
                       int n_merges, const char *const *merges, const int *merge_lens,
                       int bos, int eos, char *err);
void inf_tokenizer_free(struct inf_tokenizer *t);
int inf_token_lookup(const struct inf_tokenizer *t, const char *s, size_t len);
/* Encode text into at most max tokens; returns the count, -1 (too many) or
 * ANX_ENOMEM (out of memory: not the request's fault). */
int inf_encode(const struct inf_tokenizer *t, const char *text, bool bos, bool eos,
               int *tokens, int max);
/* A prompt: BOS and the text, into at most max tokens counted after
 * merging (inf_encode stops at max before merging, when a text longer
 * than max bytes may still fit). Returns the count, -1 (more than max) or
 * ANX_ENOMEM. */
int inf_encode_all(const struct inf_tokenizer *t, const char *text, int *tokens, int max);
/* The text of token after prev (leading space dropped after BOS, <0xXX> as
 * the byte, GPT2 symbols mapped back to bytes). buf gets at least 2 bytes
 * per token byte + 1; returns the length. */
size_t inf_decode(const struct inf_tokenizer *t, int prev, int token, char *buf, size_t n);

/* ---- model ------------------------------------------------------------------------- */

struct inf_config {
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
    int head_size, kv_dim;
    float rope_base, rms_eps;
    bool shared_classifier;
};

struct inf_layer {
    struct tn_tensor att_norm, wq, wk, wv, wo, ffn_norm, w1, w2, w3;
};

struct inf_model {
    char format[16];                /* "llama2c" or "gguf" */
    char name[64];
    struct inf_config cfg;
    struct tn_tensor tok_emb, out_norm, wcls;
    struct inf_layer *layers;
    struct inf_tokenizer tok;
    bool has_tokenizer;
    void *owned;                    /* f32 copies of norms stored in another dtype */
    size_t owned_used, owned_size;
    enum tn_act act;                /* how quantized weights meet activations */
};

/* Load from memory. The bytes must stay valid while the model is used
 * (weights are used in place). name is used in messages. A tokenizer.bin
 * (tok, tok_size) is required for a checkpoint and optional for GGUF (the
 * metadata's tokenizer otherwise). 0, or a negative <anx/errno.h> code
 * with err saying why: ANX_ENOMEM when memory ran out, ANX_EINVAL for bytes
 * that are not a model (or tokenizer) it can use. */
int inf_model_load(struct inf_model *m, const char *name, const void *data, size_t size,
                   const void *tok, size_t tok_size, char *err);
int inf_load_llama2c(struct inf_model *m, const char *name, const void *data, size_t size,
                     char *err);
int inf_load_gguf(struct inf_model *m, const char *name, const void *data, size_t size,
                  char *err);
void inf_model_free(struct inf_model *m);
/* An out-of-memory message into err: "NAME: out of memory for WHAT: N bytes
 * wanted, M bytes free" (NAME omitted when NULL; M is the image's free
 * memory, or the host's available memory). Returns ANX_ENOMEM. */
int inf_oom(char *err, const char *name, const char *what, size_t wanted);
/* "llama2c dim=64 hidden=172 layers=5 heads=8/4 vocab=512 ctx=512 f32" */
void inf_model_describe(const struct inf_model *m, char *buf, size_t n);

/* ---- forward pass -------------------------------------------------------------------- */

/* Tokens a forward pass takes at once (prompt processing): a weight row is
 * read once for all of them. */
#define INF_BATCH 16

struct inf_state {
    int ctx;                        /* positions the KV cache holds */
    float *x, *xb, *xb2, *hb, *hb2, *q;   /* INF_BATCH rows each */
    float *att, *logits;
    float *key_cache, *value_cache; /* [layer][pos][kv_dim] */
    struct tn_work work;
};

int inf_state_init(struct inf_state *s, const struct inf_config *c, int ctx);
/* Bytes inf_state_init allocates for ctx positions (0 = seq_len), and of
 * those the KV cache's. */
size_t inf_state_bytes(const struct inf_config *c, int ctx, size_t *kv_cache);
void inf_state_free(struct inf_state *s);
/* Run token at pos (< s->ctx); returns the logits (vocab_size floats). */
float *inf_forward(const struct inf_model *m, struct inf_state *s, int token, int pos);
/* The same without the classifier: fills the KV cache at pos and returns the
 * final hidden state (dim floats, after the final RMSNorm; s->x). Prompt
 * tokens before the last and embeddings need no logits. */
float *inf_forward_hidden(const struct inf_model *m, struct inf_state *s, int token, int pos);
/* n (1..INF_BATCH) tokens at positions pos..pos+n-1 in one pass: fills
 * their KV cache rows and returns their final hidden states (n rows of dim
 * floats), the same bits as n calls of inf_forward_hidden; NULL when a
 * token or position is out of range or memory ran out. */
float *inf_forward_batch(const struct inf_model *m, struct inf_state *s, const int *tokens, int n,
                         int pos);

/* ---- embeddings (embed.c) ---------------------------------------------------------------- */

/* The embedding of text: every token of it (BOS first) runs through the model
 * and the final hidden states of the text's tokens (BOS's excluded: it is the
 * same for every text) are averaged and scaled to unit length, so the dot
 * product of two embeddings is their cosine similarity. out gets
 * m->cfg.dim floats; *n_tokens (optional) the tokens counted (with BOS). An
 * empty text is the BOS state. Returns 0; -1 with err when
 * the text has more than max_tokens tokens (0 = the model's context), so a
 * caller chunks it; ANX_ENOMEM when memory ran out. The KV cache of
 * max_tokens positions is allocated per call. */
int inf_embed(const struct inf_model *m, const char *text, int max_tokens, float *out,
              int *n_tokens, char *err);
/* The same from token ids (each in [0, vocab_size): -1 with err otherwise),
 * BOS put first as for text, so a text and its tokens embed alike. */
int inf_embed_tokens(const struct inf_model *m, const int *ids, int n_ids, int max_tokens,
                     float *out, int *n_tokens, char *err);

/* ---- sampling ------------------------------------------------------------------------- */

struct inf_sampler {
    int vocab_size;
    float temperature, top_p;
    uint64_t rng;
    struct { float p; int i; } *cand;
};
int inf_sampler_init(struct inf_sampler *s, int vocab_size, float temperature, float top_p,
                     uint64_t seed);
void inf_sampler_free(struct inf_sampler *s);
/* Greedy when temperature == 0; otherwise softmax(logits / T), then top-p
 * (nucleus) when 0 < top_p < 1, with llama2.c's xorshift generator.
 * logits are modified. */
int inf_sample(struct inf_sampler *s, float *logits);
int inf_argmax(const float *x, int n);

/* ---- generation ------------------------------------------------------------------------ */

struct inf_params {
    int steps;                      /* llama2.c's -n: positions incl. the prompt; 0 = ctx */
    int max_tokens;                 /* completion tokens; 0 = no limit but steps/ctx */
    float temperature;              /* 0 = greedy */
    float top_p;                    /* 0 or 1 = off */
    uint64_t seed;
    const char *const *stop;        /* stop strings (not included in the output) */
    int n_stop;
    int ctx;                        /* KV cache positions; 0 = the model's seq_len */
};

enum inf_finish { INF_RUNNING = 0, INF_FINISH_LENGTH, INF_FINISH_STOP, INF_FINISH_ERROR };

struct inf_usage {
    int prompt_tokens, completion_tokens;
    int cached_tokens;              /* of prompt_tokens, found in the KV cache already */
    bool reused;                    /* inf_session_continue ran: cached_tokens is meant */
};

/* Streaming callback: text is the next stretch of output (token is the
 * token that completed it). Return non-zero to stop generation. */
typedef int (*inf_text_cb)(void *arg, int token, const char *text, size_t len);

struct inf_session;
struct inf_session *inf_session_create(const struct inf_model *m, const struct inf_params *p,
                                       char *err);
/* Tokenize (BOS first) and run the prompt; returns its token count, -1 (it
 * does not fit the context, or the forward pass failed) or ANX_ENOMEM. */
int inf_session_prompt(struct inf_session *s, const char *text);
/* The next turn of a kept session (a multi-turn chat): p replaces the
 * session's parameters (sampling, stop strings, max_tokens; not ctx: the
 * KV cache stays), text is tokenized (BOS first) and only the tokens after
 * its longest common prefix with the session's tokens whose KV entries are
 * computed run through the model. *cached (optional) gets that prefix's
 * length (at most the prompt's length - 1: the last token always runs, for
 * its logits). Returns the prompt's token count, -1 (it does not fit the
 * context, or the forward pass failed) or ANX_ENOMEM; the session then
 * keeps the prefix and may be continued again. Works on a new session too
 * (nothing cached). */
int inf_session_continue(struct inf_session *s, const struct inf_params *p, const char *text,
                         int *cached);
/* Bytes the session holds (KV cache, activations, buffers). */
size_t inf_session_bytes(const struct inf_session *s);
/* Produce one token; the visible text goes to cb. Returns INF_RUNNING, or
 * why generation finished. */
enum inf_finish inf_session_step(struct inf_session *s, inf_text_cb cb, void *arg);
/* prompt + steps until finished. */
enum inf_finish inf_generate(struct inf_session *s, const char *prompt, inf_text_cb cb, void *arg);
struct inf_usage inf_session_usage(const struct inf_session *s);
/* Tokens so far (prompt and completion). */
const int *inf_session_tokens(const struct inf_session *s, int *n);
const char *inf_finish_name(enum inf_finish f);
void inf_session_free(struct inf_session *s);

/* ---- the module in the image (infer_module.c) ------------------------------------------- */

/* The model the manifest's infer.model names (loaded at init), or NULL. */
const struct inf_model *inf_loaded_model(void);
/* The model in use, held until inf_model_put (a session's life): a new
 * version swapped in meanwhile does not free it. NULL: none loaded. */
const struct inf_model *inf_model_get(void);
void inf_model_put(const struct inf_model *m);
/* Counts the models installed so far (1 after the first load, +1 per
 * swap): a cache of answers keyed on it never serves an old model's. */
unsigned inf_model_version(void);
/* The infer.context config: KV cache positions per session (0 = the model's). */
int inf_loaded_context(void);
/* The infer.name config ("" = none) and infer.model (the file or object). */
const char *inf_loaded_name(void);
const char *inf_loaded_path(void);

#endif
