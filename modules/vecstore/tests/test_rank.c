/*
 * Host tests of the ranking (rank.h): reciprocal rank fusion on a worked
 * example (fused values by hand), the cosine and lexical orders, ties
 * sharing a rank, rows left out, and the answer not depending on the
 * order of the rows.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rank.h"

static int passed, failed;
#define CHECK(c, ...) do { static char once_; if (c) { passed += !once_; once_ = 1; } else { failed++;                    \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static const char *const ids[] = {"a", "b", "c", "d", "e"};
static const float cos4[] = {0.9f, 0.8f, 0.7f, 0.6f}, lex4[] = {0, 0, 5.0f, 1.0f};

static const char *order(const struct vec_ranked *r, int n, const char *const *names)
{
    static char s[32];
    for (int i = 0; i < n; i++)
        s[i] = names[r[i].row][0];
    s[n] = 0;
    return s;
}

static void test_worked_example(void)
{
    struct vec_ranked r[4];
    int n = vec_rank(VEC_MODE_HYBRID, cos4, lex4, ids, NULL, 4, 4, r);
    /* cosine ranks a1 b2 c3 d4; lexical c1 d2 (a, b share no term):
     * c 1/63 + 1/61, d 1/64 + 1/62, a 1/61, b 1/62 */
    CHECK(n == 4 && !strcmp(order(r, n, ids), "cdab"), "hybrid %s", order(r, n, ids));
    CHECK(fabsf(r[0].score - (1.0f / 63 + 1.0f / 61)) < 1e-7f, "c %f", r[0].score);
    CHECK(fabsf(r[1].score - (1.0f / 64 + 1.0f / 62)) < 1e-7f, "d %f", r[1].score);
    CHECK(fabsf(r[2].score - 1.0f / 61) < 1e-7f && fabsf(r[3].score - 1.0f / 62) < 1e-7f,
          "a, b");
    CHECK(r[0].cosine == 0.7f && r[0].lexical == 5.0f, "both scores kept");
    n = vec_rank(VEC_MODE_COSINE, cos4, lex4, ids, NULL, 4, 4, r);
    CHECK(!strcmp(order(r, n, ids), "abcd") && r[0].score == 0.9f, "cosine %s",
          order(r, n, ids));
    n = vec_rank(VEC_MODE_LEXICAL, NULL, lex4, ids, NULL, 4, 4, r);
    CHECK(!strcmp(order(r, n, ids), "cdab") && r[0].score == 5.0f && r[0].cosine == 0,
          "lexical %s", order(r, n, ids));
    n = vec_rank(VEC_MODE_HYBRID, cos4, lex4, ids, NULL, 4, 2, r);
    CHECK(n == 2 && !strcmp(order(r, n, ids), "cd"), "k 2");
    CHECK(vec_rank(VEC_MODE_HYBRID, cos4, lex4, ids, NULL, 4, 0, r) == 0, "k 0");
}

static void test_skip_and_ties(void)
{
    struct vec_ranked r[5];
    /* c left out: d is then first lexically and third by cosine */
    bool skip[4] = {false, false, true, false};
    int n = vec_rank(VEC_MODE_HYBRID, cos4, lex4, ids, skip, 4, 4, r);
    CHECK(n == 3 && !strcmp(order(r, n, ids), "dab"), "skip %s", order(r, n, ids));
    CHECK(fabsf(r[0].score - (1.0f / 63 + 1.0f / 61)) < 1e-7f, "d %f", r[0].score);
    /* ties: b and c equal by cosine share rank 2, d is 4th; b and c both
     * lexical 1.0 share rank 2 after e: b and c fuse equal, id decides */
    const float c5[] = {0.9f, 0.5f, 0.5f, 0.1f, 0.0f}, l5[] = {0, 1.0f, 1.0f, 0, 3.0f};
    n = vec_rank(VEC_MODE_HYBRID, c5, l5, ids, NULL, 5, 5, r);
    CHECK(r[0].row == 1 && r[1].row == 2 && r[0].score == r[1].score, "tie %s",
          order(r, n, ids));
    CHECK(fabsf(r[0].score - (1.0f / 62 + 1.0f / 62)) < 1e-7f, "shared ranks %f", r[0].score);
    float e = 0;
    for (int i = 0; i < n; i++)
        if (r[i].row == 4)
            e = r[i].score;
    CHECK(fabsf(e - (1.0f / 65 + 1.0f / 61)) < 1e-7f, "e %f", e);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (unsigned)(rng >> 33) % n;
}

/* The same rows in another order give the same ids in the same order. */
static void test_order_independent(void)
{
    enum { N = 200 };
    static char names[N][16];
    static const char *id[N], *pid[N];
    static float c[N], l[N], pc[N], pl[N];
    int perm[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "r%03d", i);
        id[i] = names[i];
        c[i] = (float)rnd(20) / 20.0f;          /* many ties on purpose */
        l[i] = rnd(3) ? 0 : (float)rnd(5);
        perm[i] = i;
    }
    for (int i = N - 1; i > 0; i--) {
        int j = (int)rnd((unsigned)i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < N; i++) {
        pid[i] = id[perm[i]];
        pc[i] = c[perm[i]];
        pl[i] = l[perm[i]];
    }
    for (int m = 0; m < 3; m++) {
        struct vec_ranked a[20], b[20];
        int na = vec_rank((enum vec_mode)m, c, l, id, NULL, N, 20, a);
        int nb = vec_rank((enum vec_mode)m, pc, pl, pid, NULL, N, 20, b);
        int same = na == nb && na == 20;
        for (int i = 0; same && i < na; i++)
            same = !strcmp(id[a[i].row], pid[b[i].row]) && a[i].score == b[i].score;
        for (int i = 1; same && i < na; i++)
            same = a[i - 1].score > a[i].score ||
                   (a[i - 1].score == a[i].score &&
                    strcmp(id[a[i - 1].row], id[a[i].row]) < 0);
        CHECK(same, "mode %s: not the same answer for permuted rows", vec_mode_name(m));
    }
}

/* The reference: both rankings fully sorted (qsort, same total order),
 * each cut to its window, fused, fully sorted. */
static const char *const *ref_ids;
static int ref_cmp(const void *pa, const void *pb)
{
    const struct vec_ranked *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(ref_ids[a->row], ref_ids[b->row]);
}

static int reference(const float *c, const float *l, const char *const *id, int n, int k,
                     struct vec_ranked *out)
{
    struct vec_ranked *v = calloc((size_t)n, sizeof(*v)), *f = calloc((size_t)n, sizeof(*f));
    float *fused = calloc((size_t)n, sizeof(float));
    bool *in = calloc((size_t)n, sizeof(bool));
    ref_ids = id;
    for (int pass = 0; pass < 2; pass++) {
        int m = 0;
        for (int r = 0; r < n; r++)
            if (!pass || l[r] > 0)
                v[m++] = (struct vec_ranked){pass ? l[r] : c[r], c[r], l[r], (size_t)r};
        qsort(v, (size_t)m, sizeof(*v), ref_cmp);
        int w = k > VEC_RRF_WINDOW ? k : VEC_RRF_WINDOW, rank = 0;
        for (int i = 0; i < m && i < w; i++) {
            if (!i || v[i].score != v[i - 1].score)
                rank = i + 1;
            fused[v[i].row] += 1.0f / (float)(VEC_RRF_K + rank);
            in[v[i].row] = true;
        }
    }
    int m = 0;
    for (int r = 0; r < n; r++)
        if (in[r])
            f[m++] = (struct vec_ranked){fused[r], c[r], l[r], (size_t)r};
    qsort(f, (size_t)m, sizeof(*f), ref_cmp);
    m = m < k ? m : k;
    memcpy(out, f, (size_t)m * sizeof(*f));
    free(v);
    free(f);
    free(fused);
    free(in);
    return m;
}

/* Past the window (n 1000, with ties): the same answer as the reference. */
static void test_against_reference(void)
{
    enum { N = 1000 };
    static char names[N][16];
    static const char *id[N];
    static float c[N], l[N];
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++) {
            snprintf(names[i], sizeof(names[i]), "p%d", (i * 7919 + round) % N);
            id[i] = names[i];
            c[i] = (float)rnd(round % 2 ? 50 : 100000) / 100000.0f;
            l[i] = rnd(4) ? 0 : (float)rnd(round % 2 ? 6 : 1000) / 7.0f;
        }
        int k = 1 + (int)rnd(round < 15 ? 100 : 300);
        struct vec_ranked a[300], b[300];
        int na = vec_rank(VEC_MODE_HYBRID, c, l, id, NULL, N, k, a);
        int nb = reference(c, l, id, N, k, b);
        int same = na == nb;
        for (int i = 0; same && i < na; i++)
            same = a[i].row == b[i].row && a[i].score == b[i].score;
        CHECK(same, "round %d k %d: %d hits vs %d of the reference", round, k, na, nb);
    }
}

int main(void)
{
    CHECK(vec_mode_parse("hybrid") == VEC_MODE_HYBRID && vec_mode_parse("cosine") ==
          VEC_MODE_COSINE && vec_mode_parse("lexical") == VEC_MODE_LEXICAL &&
          vec_mode_parse("bm25") < 0, "mode names");
    test_worked_example();
    test_skip_and_ties();
    test_order_independent();
    test_against_reference();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
