/*
 * index.h - one collection of vector memory: fixed-dimension unit vectors,
 * each under an id, answering exact top-k cosine queries (module vecstore).
 *
 * Vectors are normalized when added, so the cosine similarity of a query
 * and a vector is their dot product. Rows live in one contiguous array
 * (n x dim floats) and a query is one pass over it: a dot product per row
 * in a loop of eight independent sums, which the compiler turns into SIMD,
 * and a bounded heap of the k best rows. That is O(n * dim) per query and
 * exact; docs/vecstore.md says at which n this stops being fine.
 *
 * Ids are strings (any bytes but NUL, at most VEC_ID_MAX); an id maps to its
 * row through an open-addressing table, so add, replace and delete are O(1).
 * Deleting moves the last row into the hole: row numbers are not stable, ids
 * are. Each row carries an opaque pointer of the caller's (the passage and
 * its source in vecstore_module.c): put and del hand back the one they
 * replace or remove, for the caller to free.
 *
 * Ranking is total, so results never depend on the order rows were added or
 * moved: higher score first, equal scores by id in byte order.
 *
 *     struct vec_index x;
 *     vec_index_init(&x, 64);
 *     vec_index_put(&x, "a.md/0", v, passage, &old);   (old: the replaced pointer or NULL)
 *     struct vec_index_hit hit[5];
 *     int n = vec_index_query(&x, q, 5, hit);          (n = min(5, rows))
 *     ... x.ids[hit[i].row], hit[i].score, x.user[hit[i].row]
 *
 * Pure C with no I/O: it builds in the image and on the host (tests, bench).
 * Not thread-safe; the image's threads are cooperative and no call yields.
 */
#ifndef VEC_INDEX_H
#define VEC_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <anx/errno.h>

#define VEC_ID_MAX 160
#define VEC_DIM_MAX 8192

struct vec_index {
    int dim;
    size_t n, cap;                  /* rows in use, rows allocated */
    float *vecs;                    /* n * dim floats, row after row */
    char **ids;                     /* row -> id (owned) */
    void **user;                    /* row -> the caller's pointer */
    uint32_t *slots;                /* hash table: row + 1, or 0 for empty */
    size_t nslots;                  /* a power of two > 2 * cap */
};

struct vec_index_hit {
    float score;                    /* cosine similarity, -1 .. 1 */
    size_t row;
};

/* 0, or ANX_EINVAL for a dim outside 1..VEC_DIM_MAX. Allocates nothing yet. */
int vec_index_init(struct vec_index *x, int dim);
/* Frees everything; free_user (optional) is called on each row's pointer. */
void vec_index_free(struct vec_index *x, void (*free_user)(void *));

/* Scale v (dim floats) to unit length: 0, or ANX_EINVAL when it has no
 * direction (all zeros) or holds a NaN or infinity. */
int vec_normalize(float *v, int dim);
/* The dot product the index ranks with (eight interleaved sums). */
float vec_dot(const float *a, const float *b, int dim);

/* Add id with vector v (dim floats; normalized into the index, v itself is
 * not changed) and the caller's pointer user. An id already there is
 * replaced: *old (optional) gets its previous pointer, else NULL. 0,
 * ANX_EINVAL (empty or too long an id, a vector without direction), or
 * ANX_ENOMEM (the index is unchanged). */
int vec_index_put(struct vec_index *x, const char *id, const float *v, void *user, void **old);
/* Remove id: 0 with *old (optional) its pointer, or ANX_ENOENT. */
int vec_index_del(struct vec_index *x, const char *id, void **old);
/* The row of id, or -1. */
long vec_index_find(const struct vec_index *x, const char *id);

/* The min(k, n) rows most similar to q (dim floats, normalized by the
 * caller: an unnormalized q scales every score alike, the order holds),
 * best first, into hits (room for k). Returns that count; 0 for k <= 0. */
int vec_index_query(const struct vec_index *x, const float *q, int k, struct vec_index_hit *hits);

/* Whether hit a ranks before hit b (score, then id): the one order. */
int vec_index_before(const struct vec_index *x, const struct vec_index_hit *a,
                     const struct vec_index_hit *b);

#endif
