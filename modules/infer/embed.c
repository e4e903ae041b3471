/*
 * Text embeddings from a generative model: mean-pooled final hidden states,
 * normalized (infer.h, inf_embed). A decoder's last position alone sees the
 * whole text but is trained to predict the next token; the mean over
 * positions is the usual, more stable choice for retrieval with a model
 * that was not trained for embeddings (docs/inference.md, "Embeddings").
 */
#include "infer.h"

int inf_embed(const struct inf_model *m, const char *text, int max_tokens, float *out,
              int *n_tokens, char *err)
{
    const struct inf_config *c = &m->cfg;
    int ctx = max_tokens > 0 && max_tokens < c->seq_len ? max_tokens : c->seq_len;
    int *tokens = anx_malloc(((size_t)ctx + 8) * sizeof(int));
    if (!tokens)
        return inf_oom(err, NULL, "the tokens of an embedding", ((size_t)ctx + 8) * sizeof(int));
    int n = inf_encode_all(&m->tok, text ? text : "", tokens, ctx);
    if (n == ANX_ENOMEM) {
        anx_free(tokens);
        return inf_oom(err, NULL, "tokenizing an embedding's text", 0);
    }
    if (n < 0) {
        anx_free(tokens);
        snprintf(err, INF_ERR_MAX, "the text has more than %d tokens (the %s)", ctx,
                 ctx == c->seq_len ? "model's context" : "limit");
        return -1;
    }
    if (n == 0)                          /* no BOS in this vocabulary and no text */
        tokens[n++] = 0;
    struct inf_state st;
    if (inf_state_init(&st, c, n) < 0) {
        anx_free(tokens);
        return inf_oom(err, NULL, "the KV cache of an embedding", inf_state_bytes(c, n, NULL));
    }
    bool skip_bos = n > 1 && tokens[0] == m->tok.bos;
    int counted = 0;
    memset(out, 0, (size_t)c->dim * sizeof(float));
    for (int i = 0; i < n; i++) {
        const float *h = inf_forward_hidden(m, &st, tokens[i], i);
        if (!h) {
            inf_state_free(&st);
            anx_free(tokens);
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
    if (n_tokens)
        *n_tokens = n;
    inf_state_free(&st);
    anx_free(tokens);
    return 0;
}
