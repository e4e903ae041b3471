/*
 * req.h - the JSON bodies of the vector-memory HTTP API (module vecstore),
 * parsed strictly from untrusted bytes:
 *
 *     add:    {"id": "note-1", "text": "..."}   or   {"id": "v1", "vector": [0.1, ...]}
 *             (both: the vector is stored, the text kept as its passage)
 *     query:  {"text": "...", "k": 3}           or   {"vector": [...], "k": 3}
 *             (and "retrieval": "hybrid" | "cosine" | "lexical" for a text)
 *
 * Only an object at the top; the members above with their types; other
 * members are skipped (any JSON value, nested at most 32 deep). Strings are
 * decoded (escapes, \uXXXX with surrogate pairs) to UTF-8; raw control
 * bytes and invalid UTF-8 are refused. Numbers are JSON numbers; a vector
 * has 1..VEC_DIM_MAX finite values. Errors say what and at which byte.
 * A dependency-free parser on purpose: the openai module, which has a full
 * JSON parser, depends on this module for retrieval, not the other way.
 */
#ifndef VEC_REQ_H
#define VEC_REQ_H

#include <stdbool.h>
#include <stddef.h>

struct vec_req {
    char *id;                       /* NULL when absent; NUL-terminated */
    char *text;                     /* NULL when absent; text_len bytes + NUL */
    size_t text_len;
    float *vector;                  /* NULL when absent */
    int dim;
    bool has_k;
    long k;
    int mode;                       /* "retrieval": an enum vec_mode (rank.h), -1 absent */
};

/* 0, ANX_EINVAL with a message in err (errlen bytes), or ANX_ENOMEM. Free
 * r with vec_req_free whatever the result. */
int vec_req_parse(const char *body, size_t n, struct vec_req *r, char *err, size_t errlen);
void vec_req_free(struct vec_req *r);

#endif
