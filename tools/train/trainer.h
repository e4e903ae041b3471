/*
 * Training a llama-architecture model (the architecture modules/infer
 * runs): parameters in llama2.c checkpoint order, a forward pass that keeps
 * every activation of a sequence, the backward pass, AdamW, and the
 * checkpoint writer. See docs/training.md.
 */
#ifndef TRAINER_H
#define TRAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "grad.h"

struct tr_config {
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
    bool shared_classifier;
};

/* Pointers into one float array, in llama2.c checkpoint order. */
struct tr_weights {
    float *emb;                     /* vocab x dim */
    float *att_norm;                /* layers x dim */
    float *wq, *wk, *wv, *wo;       /* layers x (dim|kv_dim) x dim; wo dim x dim */
    float *ffn_norm;                /* layers x dim */
    float *w1, *w2, *w3;            /* hidden x dim, dim x hidden, hidden x dim */
    float *out_norm;                /* dim */
    float *wcls;                    /* vocab x dim: emb when shared */
};

/* Floats of all parameters; fills w with pointers into base (may be NULL
 * to only count). */
size_t tr_layout(const struct tr_config *c, float *base, struct tr_weights *w);
int tr_config_check(const struct tr_config *c, char *err, size_t n);

/* Per-thread state: activations of one sequence, gradients of a shard. */
struct tr_worker;
struct tr_worker *tr_worker_new(const struct tr_config *c, int T);
void tr_worker_free(struct tr_worker *w);
float *tr_worker_grad(struct tr_worker *w);        /* all parameters, zeroed by tr_worker_zero */
void tr_worker_zero(struct tr_worker *w);
/* Logits of the last tr_sequence: T rows of vocab_size. */
const float *tr_worker_logits(const struct tr_worker *w);

/* The model's weights and transposed copies of its matrices (refreshed by
 * tr_model_sync after every update). */
struct tr_model {
    struct tr_config cfg;
    size_t n_params;
    float *params;
    struct tr_weights w;
    float *tparams;                 /* transposes, same layout */
    struct tr_weights wt;
};
int tr_model_init(struct tr_model *m, const struct tr_config *c);
void tr_model_free(struct tr_model *m);
void tr_model_sync(struct tr_model *m);
/* Normal(0, 0.02) matrices (residual outputs wo, w2 scaled by 1/sqrt(2 layers)),
 * norms 1, from a seed. */
void tr_model_randomize(struct tr_model *m, uint64_t seed);

/* One sequence: in[0..T-1] predicts in[1..T]. Adds scale * d(loss)/d(params)
 * into the worker's gradients when backward; returns the summed loss
 * (nats over T positions), or a negative value when out of memory. */
double tr_sequence(const struct tr_model *m, struct tr_worker *w, const int *in, int T,
                   float scale, bool backward);

/* The llama2.c checkpoint (what inf_load_llama2c reads). 0 or -1. */
int tr_save_llama2c(const struct tr_model *m, const char *path);

/* Deterministic random numbers (splitmix64). */
uint64_t tr_rand(uint64_t *state);
float tr_randn(uint64_t *state);

#endif
