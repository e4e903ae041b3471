/*
 * Host tests of the index (index.h): top-k against a brute-force reference
 * (every score with vec_dot, a full sort by the same order) on random
 * vectors of several dimensions, k above n, exact ties, replaces and
 * deletes (rows move), and the hash table after many deletes; the dot
 * product against a double-precision one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "index.h"

static int passed, failed;
#define CHECK(c, ...) do { static char once_; if (c) { passed += !once_; once_ = 1; } else { failed++;                    \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static uint64_t rng = 88172645463325252ull;
static float frand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)(rng >> 40) / 16777216.0f * 2.0f - 1.0f;
}

static const struct vec_index *sort_x;
static int cmp_hit(const void *a, const void *b)
{
    return vec_index_before(sort_x, b, a) - vec_index_before(sort_x, a, b);
}

/* The reference: every row scored, sorted by (score desc, id asc). */
static int brute(const struct vec_index *x, const float *q, int k, struct vec_index_hit *out)
{
    struct vec_index_hit *all = malloc((x->n + 1) * sizeof(*all));
    for (size_t r = 0; r < x->n; r++)
        all[r] = (struct vec_index_hit){vec_dot(q, x->vecs + r * (size_t)x->dim, x->dim), r};
    sort_x = x;
    qsort(all, x->n, sizeof(*all), cmp_hit);
    int m = k < (int)x->n ? k : (int)x->n;
    memcpy(out, all, (size_t)(m > 0 ? m : 0) * sizeof(*all));
    free(all);
    return m > 0 ? m : 0;
}

static void compare(const struct vec_index *x, const float *q, int k, const char *what)
{
    struct vec_index_hit *a = calloc((size_t)k + 1, sizeof(*a));
    struct vec_index_hit *b = calloc((size_t)k + 1, sizeof(*b));
    int na = vec_index_query(x, q, k, a), nb = brute(x, q, k, b);
    int same = na == nb;
    for (int i = 0; same && i < na; i++)
        same = a[i].row == b[i].row && a[i].score == b[i].score;
    CHECK(same, "%s: dim %d n %zu k %d: %d hits vs %d of the reference", what, x->dim, x->n, k,
          na, nb);
    free(a);
    free(b);
}

static void random_vec(float *v, int dim)
{
    for (int d = 0; d < dim; d++)
        v[d] = frand();
}

static void test_random(void)
{
    static const int dims[] = {1, 3, 7, 8, 64, 100, 768};
    for (size_t t = 0; t < sizeof(dims) / sizeof(dims[0]); t++) {
        int dim = dims[t];
        struct vec_index x;
        CHECK(vec_index_init(&x, dim) == 0, "init %d", dim);
        float *v = malloc((size_t)dim * sizeof(float));
        char id[32];
        int n = dim > 100 ? 300 : 1000;
        for (int i = 0; i < n; i++) {
            random_vec(v, dim);
            snprintf(id, sizeof(id), "v%d", i);
            CHECK(vec_index_put(&x, id, v, NULL, NULL) == 0, "put");
        }
        CHECK(x.n == (size_t)n, "n");
        for (int qi = 0; qi < 20; qi++) {
            random_vec(v, dim);
            vec_normalize(v, dim);
            static const int ks[] = {1, 5, 10, 999, 5000};
            for (size_t ki = 0; ki < 5; ki++)
                compare(&x, v, ks[ki], "random");
        }
        /* delete a third, replace a third: rows move, ids stay */
        for (int i = 0; i < n; i += 3) {
            snprintf(id, sizeof(id), "v%d", i);
            CHECK(vec_index_del(&x, id, NULL) == 0, "del %s", id);
            CHECK(vec_index_find(&x, id) < 0, "gone %s", id);
            CHECK(vec_index_del(&x, id, NULL) == ANX_ENOENT, "del twice");
        }
        for (int i = 1; i < n; i += 3) {
            random_vec(v, dim);
            snprintf(id, sizeof(id), "v%d", i);
            CHECK(vec_index_put(&x, id, v, NULL, NULL) == 0, "replace");
        }
        CHECK(x.n == (size_t)(n - (n + 2) / 3), "n after deletes: %zu", x.n);
        for (int i = 0; i < n; i++) {
            snprintf(id, sizeof(id), "v%d", i);
            long r = vec_index_find(&x, id);
            CHECK((i % 3 == 0) == (r < 0) && (r < 0 || !strcmp(x.ids[r], id)), "find %s", id);
        }
        for (int qi = 0; qi < 10; qi++) {
            random_vec(v, dim);
            vec_normalize(v, dim);
            compare(&x, v, 7, "after deletes");
        }
        /* every stored row is unit length */
        for (size_t r = 0; r < x.n; r++) {
            double s = 0;
            for (int d = 0; d < dim; d++)
                s += (double)x.vecs[r * (size_t)dim + d] * x.vecs[r * (size_t)dim + d];
            if (fabs(s - 1) > 1e-4) { CHECK(0, "row %zu has norm^2 %f", r, s); break; }
        }
        free(v);
        vec_index_free(&x, NULL);
    }
}

static void test_ties(void)
{
    struct vec_index x;
    vec_index_init(&x, 4);
    float a[4] = {1, 0, 0, 0}, b[4] = {0, 1, 0, 0};
    const char *ids[] = {"m", "c", "x", "a", "q"};
    for (int i = 0; i < 5; i++)
        vec_index_put(&x, ids[i], i == 2 ? b : a, NULL, NULL);
    struct vec_index_hit h[8];
    int n = vec_index_query(&x, a, 3, h);
    CHECK(n == 3 && !strcmp(x.ids[h[0].row], "a") && !strcmp(x.ids[h[1].row], "c") &&
          !strcmp(x.ids[h[2].row], "m"), "ties by id: %s %s %s", x.ids[h[0].row],
          x.ids[h[1].row], x.ids[h[2].row]);
    n = vec_index_query(&x, a, 8, h);
    CHECK(n == 5 && !strcmp(x.ids[h[4].row], "x") && h[4].score == 0.0f, "k > n: %d", n);
    compare(&x, a, 4, "ties");
    CHECK(vec_index_query(&x, a, 0, h) == 0, "k 0");
    vec_index_free(&x, NULL);
}

static void test_errors(void)
{
    struct vec_index x;
    CHECK(vec_index_init(&x, 0) == ANX_EINVAL, "dim 0");
    CHECK(vec_index_init(&x, VEC_DIM_MAX + 1) == ANX_EINVAL, "dim too large");
    vec_index_init(&x, 3);
    float z[3] = {0, 0, 0}, nan[3] = {NAN, 1, 0}, inf[3] = {INFINITY, 0, 0}, ok[3] = {3, 4, 0};
    CHECK(vec_index_put(&x, "z", z, NULL, NULL) == ANX_EINVAL, "zero vector");
    CHECK(vec_index_put(&x, "n", nan, NULL, NULL) == ANX_EINVAL, "NaN");
    CHECK(vec_index_put(&x, "i", inf, NULL, NULL) == ANX_EINVAL, "inf");
    CHECK(vec_index_put(&x, "", ok, NULL, NULL) == ANX_EINVAL, "empty id");
    char longid[VEC_ID_MAX + 2];
    memset(longid, 'a', sizeof(longid) - 1);
    longid[VEC_ID_MAX + 1] = 0;
    CHECK(vec_index_put(&x, longid, ok, NULL, NULL) == ANX_EINVAL, "long id");
    CHECK(x.n == 0, "nothing added");
    CHECK(vec_index_del(&x, "nope", NULL) == ANX_ENOENT, "del on empty");
    /* the caller's pointers: put and del hand back the one they drop */
    int p1, p2;
    void *old = (void *)1;
    CHECK(vec_index_put(&x, "a", ok, &p1, &old) == 0 && old == NULL, "new: old NULL");
    CHECK(vec_index_put(&x, "a", ok, &p2, &old) == 0 && old == &p1, "replace: old");
    CHECK(vec_index_del(&x, "a", &old) == 0 && old == &p2, "del: old");
    CHECK(fabsf(vec_dot(ok, ok, 3) - 25) < 1e-5, "dot");
    vec_index_free(&x, NULL);
}

static void test_dot(void)
{
    for (int dim = 1; dim < 70; dim++) {
        float a[70], b[70];
        random_vec(a, dim);
        random_vec(b, dim);
        double s = 0;
        for (int d = 0; d < dim; d++)
            s += (double)a[d] * b[d];
        CHECK(fabs(vec_dot(a, b, dim) - s) < 1e-4, "dot dim %d", dim);
    }
}

static void test_churn(void)
{
    /* many adds and deletes through one table: probe runs stay correct */
    struct vec_index x;
    vec_index_init(&x, 2);
    float v[2] = {1, 1};
    char id[16];
    int live[2000] = {0};
    for (int step = 0; step < 20000; step++) {
        int i = (int)((rng = rng * 6364136223846793005ull + 1) >> 33) % 2000;
        snprintf(id, sizeof(id), "k%d", i);
        if (live[i]) {
            CHECK(vec_index_del(&x, id, NULL) == 0, "churn del");
        } else {
            CHECK(vec_index_put(&x, id, v, NULL, NULL) == 0, "churn put");
        }
        live[i] = !live[i];
    }
    size_t n = 0;
    int ok = 1;
    for (int i = 0; i < 2000; i++) {
        snprintf(id, sizeof(id), "k%d", i);
        n += live[i];
        ok &= (vec_index_find(&x, id) >= 0) == live[i];
    }
    CHECK(ok && n == x.n, "churn: %zu live, %zu rows", n, x.n);
    vec_index_free(&x, NULL);
}

int main(void)
{
    test_random();
    test_ties();
    test_errors();
    test_dot();
    test_churn();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
