/*
 * Text embeddings from a generative model: mean-pooled final hidden states,
 * normalized (infer.h, inf_embed). A decoder's last position alone sees the
 * whole text but is trained to predict the next token; the mean over
 * positions is the usual, more stable choice for retrieval with a model
 * that was not trained for embeddings (docs/inference.md, "Embeddings").
 */
#include "infer.h"

/* Mean of the final hidden states of tokens[0..n) (BOS's left out), normalized. */
static int embed_run(const struct inf_model *m, const int *tokens, int n, float *out, char *err)
{
    const struct inf_config *c = &m->cfg;
    struct inf_state st;
    if (inf_state_init(&st, c, n) < 0)
        return inf_oom(err, NULL, "the KV cache of an embedding", inf_state_bytes(c, n, NULL));
    bool skip_bos = n > 1 && tokens[0] == m->tok.bos;
    int counted = 0;
    memset(out, 0, (size_t)c->dim * sizeof(float));
    for (int i = 0; i < n; i++) {
        const float *h = inf_forward_hidden(m, &st, tokens[i], i);
        if (!h) {
            inf_state_free(&st);
            snprintf(err, INF_ERR_MAX, "the forward pass failed at token %d", i);
            return -1;
        }
        if (i == 0 && skip_bos)
            continue;
        for (int d = 0; d < c->dim; d++)
            out[d] += h[d];
        counted++;
    }
    double norm = 0;
    for (int d = 0; d < c->dim; d++) {
        out[d] /= (float)counted;
        norm += (double)out[d] * out[d];
    }
    float scale = norm > 0 ? 1.0f / sqrtf((float)norm) : 0.0f;
    for (int d = 0; d < c->dim; d++)
        out[d] *= scale;
    inf_state_free(&st);
    return 0;
}

static int too_long(const struct inf_model *m, int ctx, char *err)
{
    snprintf(err, INF_ERR_MAX, "the text has more than %d tokens (the %s)", ctx,
             ctx == m->cfg.seq_len ? "model's context" : "limit");
    return -1;
}

static int limit_of(const struct inf_model *m, int max_tokens)
{
    return max_tokens > 0 && max_tokens < m->cfg.seq_len ? max_tokens : m->cfg.seq_len;
}

int inf_embed(const struct inf_model *m, const char *text, int max_tokens, float *out,
              int *n_tokens, char *err)
{
    int ctx = limit_of(m, max_tokens);
    int *tokens = anx_malloc(((size_t)ctx + 1) * sizeof(int));
    if (!tokens)
        return inf_oom(err, NULL, "the tokens of an embedding", ((size_t)ctx + 1) * sizeof(int));
    int n = inf_encode_all(&m->tok, text ? text : "", tokens, ctx);
    if (n == ANX_ENOMEM) {
        anx_free(tokens);
        return inf_oom(err, NULL, "tokenizing an embedding's text", 0);
    }
    if (n < 0) {
        anx_free(tokens);
        return too_long(m, ctx, err);
    }
    if (n == 0)                          /* no BOS in this vocabulary and no text */
        tokens[n++] = 0;
    int rc = embed_run(m, tokens, n, out, err);
    if (rc == 0 && n_tokens)
        *n_tokens = n;
    anx_free(tokens);
    return rc;
}

int inf_embed_tokens(const struct inf_model *m, const int *ids, int n_ids, int max_tokens,
                     float *out, int *n_tokens, char *err)
{
    int ctx = limit_of(m, max_tokens);
    bool bos = m->tok.bos >= 0 && m->tok.bos < m->cfg.vocab_size;
    if (n_ids < 0 || n_ids + (bos ? 1 : 0) > ctx)
        return too_long(m, ctx, err);
    for (int i = 0; i < n_ids; i++)
        if (ids[i] < 0 || ids[i] >= m->cfg.vocab_size) {
            snprintf(err, INF_ERR_MAX, "token %d is not in the vocabulary (0 to %d)", ids[i],
                     m->cfg.vocab_size - 1);
            return -1;
        }
    int n = n_ids + (bos ? 1 : 0);
    int *tokens = anx_malloc(((size_t)n + 1) * sizeof(int));
    if (!tokens)
        return inf_oom(err, NULL, "the tokens of an embedding", ((size_t)n + 1) * sizeof(int));
    if (bos)
        tokens[0] = m->tok.bos;
    memcpy(tokens + (bos ? 1 : 0), ids, (size_t)n_ids * sizeof(int));
    if (n == 0)                          /* no BOS in this vocabulary and no tokens */
        tokens[n++] = 0;
    int rc = embed_run(m, tokens, n, out, err);
    if (rc == 0 && n_tokens)
        *n_tokens = n;
    anx_free(tokens);
    return rc;
}
