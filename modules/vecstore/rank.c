/*
 * rank.c - one query's order (rank.h): bounded heaps pick the best rows of
 * each ranking (O(n log w) for n rows and a window of w), the fused scores
 * are summed over the union of the windows, a last heap picks the k best.
 */
#include <anx/lib.h>
#include <anx/mem.h>
#include "rank.h"

int vec_mode_parse(const char *s)
{
    if (!strcmp(s, "hybrid"))
        return VEC_MODE_HYBRID;
    if (!strcmp(s, "cosine"))
        return VEC_MODE_COSINE;
    if (!strcmp(s, "lexical"))
        return VEC_MODE_LEXICAL;
    return -1;
}

const char *vec_mode_name(enum vec_mode m)
{
    return m == VEC_MODE_HYBRID ? "hybrid" : m == VEC_MODE_LEXICAL ? "lexical" : "cosine";
}

/* The ids of the ranking in progress, for ties (one thread; no call
 * yields). */
static const char *const *sort_ids;

/* Whether a ranks before b: higher .score, then the smaller id. */
static bool before(const struct vec_ranked *a, const struct vec_ranked *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    return strcmp(sort_ids[a->row], sort_ids[b->row]) < 0;
}

/* h[0..n) is a heap whose root is the worst kept entry. */
static void sift_down(struct vec_ranked *h, size_t n, size_t i)
{
    for (;;) {
        size_t w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && before(&h[w], &h[l]))
            w = l;
        if (r < n && before(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        struct vec_ranked t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

/* The best min(w, m) of v[0..m) by .score into out, best first: a bounded
 * heap, O(m log w). Returns that count. */
static size_t top(const struct vec_ranked *v, size_t m, size_t w, struct vec_ranked *out)
{
    size_t n = 0;
    for (size_t i = 0; i < m && w; i++) {
        if (n < w) {
            out[n++] = v[i];
            for (size_t c = n - 1; c > 0 && before(&out[(c - 1) / 2], &out[c]); c = (c - 1) / 2) {
                struct vec_ranked t = out[c];
                out[c] = out[(c - 1) / 2];
                out[(c - 1) / 2] = t;
            }
        } else if (before(&v[i], &out[0])) {
            out[0] = v[i];
            sift_down(out, n, 0);
        }
    }
    for (size_t k = n; k > 1; k--) {             /* heap sort: the worst to the end */
        struct vec_ranked t = out[0];
        out[0] = out[k - 1];
        out[k - 1] = t;
        sift_down(out, k - 1, 0);
    }
    return n;
}

/* Adds 1 / (VEC_RRF_K + rank) to fused[row] for the rows of v[0..m)
 * (sorted best first); equal scores share a rank. Rows not seen before are
 * appended to cand. */
static void add_rrf(const struct vec_ranked *v, size_t m, float *fused, bool *seen,
                    struct vec_ranked *cand, size_t *ncand)
{
    size_t rank = 0;
    for (size_t i = 0; i < m; i++) {
        if (!i || v[i].score != v[i - 1].score)
            rank = i + 1;
        fused[v[i].row] += 1.0f / (float)(VEC_RRF_K + rank);
        if (!seen[v[i].row]) {
            seen[v[i].row] = true;
            cand[(*ncand)++] = v[i];
        }
    }
}

int vec_rank(enum vec_mode mode, const float *cos, const float *lex, const char *const *ids,
             const bool *skip, size_t n, int k, struct vec_ranked *out)
{
    if (k <= 0 || !n)
        return 0;
    size_t w = (size_t)k > VEC_RRF_WINDOW ? (size_t)k : VEC_RRF_WINDOW;
    struct vec_ranked *v = anx_malloc(n * sizeof(*v));
    struct vec_ranked *win = mode == VEC_MODE_HYBRID ? anx_malloc(3 * w * sizeof(*win)) : NULL;
    float *fused = mode == VEC_MODE_HYBRID ? anx_calloc(n, sizeof(*fused)) : NULL;
    bool *seen = mode == VEC_MODE_HYBRID ? anx_calloc(n, sizeof(*seen)) : NULL;
    int got = ANX_ENOMEM;
    if (!v || (mode == VEC_MODE_HYBRID && (!win || !fused || !seen)))
        goto out;
    size_t m = 0;
    for (size_t r = 0; r < n; r++)
        if (!skip || !skip[r]) {
            v[m] = (struct vec_ranked){0, cos ? cos[r] : 0, lex ? lex[r] : 0, r};
            v[m].score = mode == VEC_MODE_LEXICAL ? v[m].lexical : v[m].cosine;
            m++;
        }
    sort_ids = ids;
    if (mode != VEC_MODE_HYBRID) {
        got = (int)top(v, m, (size_t)k, out);
        goto out;
    }
    /* Hybrid: the best w by cosine, then the best w of the rows sharing a
     * term with the question (BM25 > 0), fused; the candidates are the
     * union of the two windows (at most 2w: the last w of win). */
    struct vec_ranked *cand = win + w;
    size_t ncand = 0, nc = top(v, m, w, win);
    add_rrf(win, nc, fused, seen, cand, &ncand);
    size_t ml = 0;
    for (size_t i = 0; i < m; i++)
        if (v[i].lexical > 0) {
            v[ml] = v[i];
            v[ml].score = v[ml].lexical;
            ml++;
        }
    size_t nl = top(v, ml, w, win);
    add_rrf(win, nl, fused, seen, cand, &ncand);
    for (size_t i = 0; i < ncand; i++)
        cand[i].score = fused[cand[i].row];
    got = (int)top(cand, ncand, (size_t)k, out);
out:
    sort_ids = NULL;
    anx_free(v);
    anx_free(win);
    anx_free(fused);
    anx_free(seen);
    return got;
}
