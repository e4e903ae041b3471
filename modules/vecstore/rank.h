/*
 * rank.h - the order of one query's answer (module vecstore): by cosine,
 * by BM25 (lexical.h), or both fused (docs/vecstore.md, "Retrieval").
 *
 * Hybrid retrieval fuses the two rankings with reciprocal rank fusion
 * (Cormack, Clarke and Buettcher, SIGIR 2009):
 *
 *     fused(d) = 1 / (VEC_RRF_K + rank_cosine(d)) + 1 / (VEC_RRF_K + rank_lexical(d))
 *
 ranks counted from 1. It uses ranks, not scores, so the two scales
 * (cosine -1..1, BM25 0..tens) need no weights to be tuned. As in the
 * common implementations, each ranking contributes its best
 * VEC_RRF_WINDOW rows only (or k, when more), so a row fuses the terms of
 * the windows it is in and a row in neither is left out: far down both
 * rankings it would add at most 2 / (60 + 101), and sorting whole rankings
 * cost 230 ms a query at 100k passages on the host against 5 ms. A
 * passage that shares no term with the question (BM25 0) is not in the
 * lexical ranking. Equal scores share a rank (1, 2, 2, 4), so the result
 * never depends on the order of the rows. VEC_RRF_K = 60 is the paper's
 * value, the usual default.
 *
 * Every ranking ends in one total order: higher score first, equal scores
 * by id in byte order (as index.h's).
 *
 * Pure C, no I/O: the host tests link it.
 */
#ifndef VEC_RANK_H
#define VEC_RANK_H

#include <stdbool.h>
#include <stddef.h>
#include <anx/errno.h>

#define VEC_RRF_K 60
#define VEC_RRF_WINDOW 100

enum vec_mode { VEC_MODE_COSINE, VEC_MODE_LEXICAL, VEC_MODE_HYBRID };

struct vec_ranked {
    float score;        /* what the mode ranks by: cosine, BM25 or the fused value */
    float cosine;       /* the row's two scores, whatever the mode (0 when not given) */
    float lexical;
    size_t row;
};

/* The mode named s ("hybrid", "cosine", "lexical"), or -1. */
int vec_mode_parse(const char *s);
const char *vec_mode_name(enum vec_mode m);

/* The min(k, rows kept) best of rows 0..n-1 in mode, best first, into out
 * (room for k). cos[r] and lex[r] are row r's scores (cos may be NULL in
 * lexical mode, lex NULL in cosine mode: 0 then), ids[r] its id (ties),
 * skip (optional) the rows to leave out entirely. Returns the count, or
 * ANX_ENOMEM. */
int vec_rank(enum vec_mode mode, const float *cos, const float *lex, const char *const *ids,
             const bool *skip, size_t n, int k, struct vec_ranked *out);

#endif
