/*
 * embeddings.h - POST /v1/embeddings without the transport: the request
 * (OpenAI's shape: "input" a string, a list of strings, a token-id array or
 * a list of them; "encoding_format" float or base64; "dimensions" only the
 * model's own), the answer's JSON (floats that read back to the same
 * float32, or base64 of little-endian float32 as OpenAI sends), and the
 * driver oa_serve_embeddings (api.h), which runs infer's inf_embed
 * (mean-pooled, normalized final hidden states). docs/openai-api.md,
 * "Embeddings".
 */
#ifndef OA_EMBEDDINGS_H
#define OA_EMBEDDINGS_H

#include "api.h"

#define OA_EMBED_MAX_INPUTS 256 /* inputs one request may give (OpenAI: 2048) */
#define OA_EMBED_MAX_IDS 65536  /* token ids in one input before the context check */

struct oa_embed_input {
    char *text; /* a string input, or NULL */
    int *ids;   /* a token-id input (n_ids of them), or NULL */
    int n_ids;
};

struct oa_embed_request {
    char *model; /* the requested model, or NULL */
    struct oa_embed_input *in;
    int n;
    bool base64;    /* encoding_format: "base64" */
    int dimensions; /* 0 = not given */
};

/* 0, or -1 with e filled (400, or 503 out of memory). Free rq with
 * oa_embed_request_free either way. */
int oa_embed_parse(const char *body, size_t n, struct oa_embed_request *rq, struct oa_error *e);
void oa_embed_request_free(struct oa_embed_request *rq);

/* f as the shortest-ish JSON number of 9 significant digits, enough for
 * any float32 to read back to itself ("0", "-0.0123456789", "1.5e-07");
 * NaN and infinities, which JSON cannot hold, as 0. buf: at least 24
 * bytes. Returns the length. */
size_t oa_float_text(char *buf, float f);
/* RFC 4648 base64 (with padding) of n bytes. */
void oa_base64(struct anx_buf *b, const void *p, size_t n);
/* {"object": "embedding", "index": I, "embedding": [...] or "BASE64"} */
void oa_embedding_json(struct anx_buf *b, int index, const float *v, int dim, bool base64);

#endif
