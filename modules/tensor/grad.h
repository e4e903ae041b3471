/*
 * Backward passes of the transformer operations, for training on the host
 * (tools/train). Each op works on a whole sequence of T positions, rows of
 * contiguous floats, and its forward half computes exactly what the
 * inference forward pass (modules/infer/forward.c) computes token by
 * token. Backward functions ACCUMULATE (+=) into every gradient they are
 * given, so callers zero gradients once and let several paths add in.
 * Everything is single-threaded and in a fixed order: the same inputs
 * always give bit-identical results. See docs/training.md.
 */
#ifndef TENSOR_GRAD_H
#define TENSOR_GRAD_H

#include "tensor.h"

/* Scratch for the ops below; zero it to start, tg_work_free releases it. */
struct tg_work {
    float *buf;
    size_t size;                    /* floats */
    struct tn_work pack;            /* gemm packing */
};
void tg_work_free(struct tg_work *w);

/* y[T][n] = x[T][k] W^T for W of n rows of k (y[t][j] = dot(x[t], W[j])). */
int tg_matmul(float *y, const float *x, const float *w, int T, int n, int k, struct tg_work *s);
/* dx[T][k] += dy W; dw[n][k] += dy^T x. wt is W transposed (k rows of n);
 * dx or dw may be NULL when not wanted. */
int tg_matmul_backward(float *dx, float *dw, const float *dy, const float *x, const float *wt,
                       int T, int n, int k, struct tg_work *s);
/* W (n rows of k) -> wt (k rows of n) */
void tg_transpose(float *wt, const float *w, int n, int k);

/* y[t] = w * x[t] / sqrt(mean(x[t]^2) + eps); rinv[t] = that 1/sqrt. */
void tg_rmsnorm(float *y, float *rinv, const float *x, const float *w, int T, int D, float eps);
void tg_rmsnorm_backward(float *dx, float *dw, const float *dy, const float *x, const float *w,
                         const float *rinv, int T, int D);

/* In place, row t at position t (tn_rope); backward rotates back. */
void tg_rope(float *x, int T, int n, int head_size, float base);
void tg_rope_backward(float *dx, int T, int n, int head_size, float base);

/* Causal grouped-query attention over one sequence. q: T rows of
 * n_heads*hs, k and v: T rows of n_kv*hs; out: T rows of n_heads*hs;
 * p: n_heads x T x T softmax probabilities (kept for the backward pass;
 * entries above the diagonal are 0). */
void tg_attention(float *out, float *p, const float *q, const float *k, const float *v, int T,
                  int n_heads, int n_kv, int hs);
/* scratch: T floats */
void tg_attention_backward(float *dq, float *dk, float *dv, const float *dout, const float *p,
                           const float *q, const float *k, const float *v, int T, int n_heads,
                           int n_kv, int hs, float *scratch);

/* g = silu(a) * b over n values (tn_swiglu's arithmetic); sig (may be
 * NULL) keeps sigmoid(a) for the backward pass. */
void tg_swiglu(float *g, float *sig, const float *a, const float *b, size_t n);
void tg_swiglu_backward(float *da, float *db, const float *dg, const float *a, const float *b,
                        const float *sig, size_t n);

/* x[t] = emb[tok[t]] (rows of D); backward adds dx[t] into demb[tok[t]]. */
void tg_embedding(float *x, const float *emb, const int *tok, int T, int D);
void tg_embedding_backward(float *demb, const int *tok, const float *dx, int T, int D);

/* Mean-free cross-entropy: returns sum over t of -log softmax(logits[t])[target[t]]
 * and, when dlogits is not NULL, sets dlogits[t] = scale * (softmax - onehot). */
double tg_cross_entropy(float *dlogits, const float *logits, const int *target, int T, int V,
                        float scale);

#endif
