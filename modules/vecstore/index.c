/*
 * index.c - exact top-k cosine search over contiguous unit vectors
 * (index.h). The hash table maps ids to rows with linear probing and
 * backward-shift deletion (no tombstones, so it never degrades).
 */
#include <anx/lib.h>
#include <anx/math.h>
#include <anx/mem.h>
#include "index.h"

int vec_index_init(struct vec_index *x, int dim)
{
    memset(x, 0, sizeof(*x));
    if (dim < 1 || dim > VEC_DIM_MAX)
        return ANX_EINVAL;
    x->dim = dim;
    return 0;
}

void vec_index_free(struct vec_index *x, void (*free_user)(void *))
{
    for (size_t i = 0; i < x->n; i++) {
        if (free_user && x->user[i])
            free_user(x->user[i]);
        anx_free(x->ids[i]);
    }
    anx_free(x->vecs);
    anx_free(x->ids);
    anx_free(x->user);
    anx_free(x->slots);
    int dim = x->dim;
    memset(x, 0, sizeof(*x));
    x->dim = dim;
}

float vec_dot(const float *a, const float *b, int dim)
{
    /* Eight sums side by side: without -ffast-math the compiler may not
     * reorder one float sum, but it vectorizes eight independent ones. */
    float s[8] = {0};
    int d = 0;
    for (; d + 8 <= dim; d += 8)
        for (int j = 0; j < 8; j++)
            s[j] += a[d + j] * b[d + j];
    float t = 0;
    for (; d < dim; d++)
        t += a[d] * b[d];
    return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])) + t;
}

int vec_normalize(float *v, int dim)
{
    double sum = 0;
    for (int d = 0; d < dim; d++) {
        if (v[d] != v[d] || v[d] - v[d] != 0)    /* NaN, or an infinity */
            return ANX_EINVAL;
        sum += (double)v[d] * v[d];
    }
    if (!(sum > 0))
        return ANX_EINVAL;
    float scale = 1.0f / sqrtf((float)sum);
    if (scale - scale != 0)                      /* too small to scale */
        return ANX_EINVAL;
    for (int d = 0; d < dim; d++)
        v[d] *= scale;
    return 0;
}

/* FNV-1a: ids are short and attacker-chosen only by the appliance's own
 * callers; a probe sequence degenerates at worst to a linear scan. */
static size_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

/* The slot holding id, or the empty slot where it would go. */
static size_t probe(const struct vec_index *x, const char *id)
{
    size_t mask = x->nslots - 1, i = hash_id(id) & mask;
    while (x->slots[i] && strcmp(x->ids[x->slots[i] - 1], id))
        i = (i + 1) & mask;
    return i;
}

long vec_index_find(const struct vec_index *x, const char *id)
{
    if (!x->nslots)
        return -1;
    uint32_t s = x->slots[probe(x, id)];
    return s ? (long)s - 1 : -1;
}

static int rehash(struct vec_index *x, size_t nslots)
{
    uint32_t *t = anx_calloc(nslots, sizeof(*t));
    if (!t)
        return ANX_ENOMEM;
    anx_free(x->slots);
    x->slots = t;
    x->nslots = nslots;
    for (size_t r = 0; r < x->n; r++)
        x->slots[probe(x, x->ids[r])] = (uint32_t)(r + 1);
    return 0;
}

/* Room for one more row; all or nothing. */
static int grow(struct vec_index *x)
{
    if (x->n < x->cap)
        return 0;
    size_t cap = x->cap ? x->cap * 2 : 64;
    if (cap > UINT32_MAX / 4 || cap > SIZE_MAX / sizeof(float) / (size_t)x->dim)
        return ANX_ENOMEM;
    float *v = anx_realloc(x->vecs, cap * (size_t)x->dim * sizeof(float));
    if (!v)
        return ANX_ENOMEM;
    x->vecs = v;
    char **ids = anx_realloc(x->ids, cap * sizeof(*ids));
    if (!ids)
        return ANX_ENOMEM;
    x->ids = ids;
    void **user = anx_realloc(x->user, cap * sizeof(*user));
    if (!user)
        return ANX_ENOMEM;
    x->user = user;
    if (rehash(x, cap * 4) < 0)
        return ANX_ENOMEM;
    x->cap = cap;
    return 0;
}

int vec_index_put(struct vec_index *x, const char *id, const float *v, void *user, void **old)
{
    if (old)
        *old = NULL;
    size_t len = strlen(id);
    if (!len || len > VEC_ID_MAX)
        return ANX_EINVAL;
    float *tmp = anx_malloc((size_t)x->dim * sizeof(float));
    if (!tmp)
        return ANX_ENOMEM;
    memcpy(tmp, v, (size_t)x->dim * sizeof(float));
    if (vec_normalize(tmp, x->dim) < 0) {
        anx_free(tmp);
        return ANX_EINVAL;
    }
    long row = vec_index_find(x, id);
    if (row < 0) {
        char *copy = strdup(id);
        if (!copy || grow(x) < 0) {
            anx_free(copy);
            anx_free(tmp);
            return ANX_ENOMEM;
        }
        row = (long)x->n++;
        x->ids[row] = copy;
        x->user[row] = NULL;
        x->slots[probe(x, copy)] = (uint32_t)(row + 1);
    }
    if (old)
        *old = x->user[row];
    x->user[row] = user;
    memcpy(x->vecs + (size_t)row * (size_t)x->dim, tmp, (size_t)x->dim * sizeof(float));
    anx_free(tmp);
    return 0;
}

int vec_index_del(struct vec_index *x, const char *id, void **old)
{
    if (old)
        *old = NULL;
    if (!x->nslots)
        return ANX_ENOENT;
    size_t mask = x->nslots - 1, i = probe(x, id);
    if (!x->slots[i])
        return ANX_ENOENT;
    size_t row = x->slots[i] - 1, last = x->n - 1;
    if (old)
        *old = x->user[row];
    anx_free(x->ids[row]);
    /* Backward shift: pull later entries of the probe run into the hole
     * unless their home slot lies cyclically in (hole, j]. */
    x->slots[i] = 0;
    for (size_t j = (i + 1) & mask; x->slots[j]; j = (j + 1) & mask) {
        size_t home = hash_id(x->ids[x->slots[j] - 1]) & mask;
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            x->slots[i] = x->slots[j];
            x->slots[j] = 0;
            i = j;
        }
    }
    if (row != last) {                   /* the last row fills the hole */
        memcpy(x->vecs + row * (size_t)x->dim, x->vecs + last * (size_t)x->dim,
               (size_t)x->dim * sizeof(float));
        x->ids[row] = x->ids[last];
        x->user[row] = x->user[last];
        x->slots[probe(x, x->ids[row])] = (uint32_t)(row + 1);
    }
    x->n--;
    return 0;
}

int vec_index_before(const struct vec_index *x, const struct vec_index_hit *a,
                     const struct vec_index_hit *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    return strcmp(x->ids[a->row], x->ids[b->row]) < 0;
}

/* hits[0..n) is a heap whose root is the worst kept hit. */
static void sift_down(const struct vec_index *x, struct vec_index_hit *h, int n, int i)
{
    for (;;) {
        int w = i, l = 2 * i + 1, r = l + 1;
        if (l < n && vec_index_before(x, &h[w], &h[l]))
            w = l;
        if (r < n && vec_index_before(x, &h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        struct vec_index_hit t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(const struct vec_index *x, struct vec_index_hit *h, int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!vec_index_before(x, &h[p], &h[i]))
            return;
        struct vec_index_hit t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

int vec_index_query(const struct vec_index *x, const float *q, int k, struct vec_index_hit *hits)
{
    if (k <= 0 || !x->n)
        return 0;
    int m = 0;
    const float *row = x->vecs;
    for (size_t r = 0; r < x->n; r++, row += x->dim) {
        struct vec_index_hit h = {vec_dot(q, row, x->dim), r};
        if (m < k) {
            hits[m] = h;
            sift_up(x, hits, m++);
        } else if (h.score >= hits[0].score && vec_index_before(x, &h, &hits[0])) {
            hits[0] = h;
            sift_down(x, hits, m, 0);
        }
    }
    /* Heap sort in place: the worst goes to the end, m times. */
    for (int n = m; n > 1; n--) {
        struct vec_index_hit t = hits[0];
        hits[0] = hits[n - 1];
        hits[n - 1] = t;
        sift_down(x, hits, n - 1, 0);
    }
    return m;
}
