/*
 * Vector-memory benchmark on the host (tests/bench/vecstore/run.sh):
 *  1. exact top-10 query latency of the index (modules/vecstore/index.c) at
 *     1k, 10k and 100k random unit vectors of dim 64 and 768, and the ratio
 *     to a naive one-accumulator loop with a full sort (what the eight sums
 *     and the bounded heap buy);
 *  2. ingest: examples/docs chunked (100, 200 and 512 bytes) and embedded
 *     (inf_embed) with stories260K and with the bundled examples/model,
 *     passages per second;
 *  3. retrieval: for questions about planted facts, the rank of the passage
 *     that holds the fact by cosine, by BM25 and hybrid (rank.h), and the
 *     mean cosine between passages (how little room the tiny model's
 *     embeddings leave); the hybrid query's time at 1k/10k/100k passages.
 * Prints numbers and ratios; never pass/fail.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "chunk.h"
#include "index.h"
#include "infer.h"
#include "lexical.h"
#include "rank.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static float frand(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (float)(rng >> 40) / 16777216.0f * 2.0f - 1.0f;
}

static int cmp_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* The naive way: one running sum per row, every score kept, a full sort. */
static float naive_query(const struct vec_index *x, const float *q, float *scores)
{
    for (size_t r = 0; r < x->n; r++) {
        float s = 0;
        const float *v = x->vecs + r * (size_t)x->dim;
        for (int d = 0; d < x->dim; d++)
            s += q[d] * v[d];
        scores[r] = s;
    }
    qsort(scores, x->n, sizeof(float), cmp_desc);
    return scores[0];
}

static void bench_index(void)
{
    static const int dims[] = {64, 768};
    static const size_t ns[] = {1000, 10000, 100000};
    printf("query latency, exact top-10 (host, one thread):\n");
    for (int di = 0; di < 2; di++)
        for (int ni = 0; ni < 3; ni++) {
            int dim = dims[di];
            size_t n = ns[ni];
            struct vec_index x;
            vec_index_init(&x, dim);
            float *v = malloc((size_t)dim * sizeof(float));
            char id[32];
            double t0 = now();
            for (size_t i = 0; i < n; i++) {
                for (int d = 0; d < dim; d++)
                    v[d] = frand();
                snprintf(id, sizeof(id), "doc%zu/%zu", i / 8, i % 8);
                vec_index_put(&x, id, v, NULL, NULL);
            }
            double add_s = now() - t0;
            int reps = n >= 100000 ? (dim > 100 ? 20 : 100) : n >= 10000 ? 200 : 2000;
            struct vec_index_hit hits[10];
            volatile float sink = 0;
            t0 = now();
            for (int r = 0; r < reps; r++) {
                for (int d = 0; d < dim; d++)
                    v[d] = frand();
                vec_normalize(v, dim);
                vec_index_query(&x, v, 10, hits);
                sink += hits[0].score;
            }
            double q_us = (now() - t0) / reps * 1e6;
            float *scores = malloc(n * sizeof(float));
            int nreps = reps / 4 ? reps / 4 : 1;
            t0 = now();
            for (int r = 0; r < nreps; r++)
                sink += naive_query(&x, v, scores);
            double n_us = (now() - t0) / nreps * 1e6;
            double gbs = (double)n * dim * 4 / (q_us * 1e-6) / 1e9;
            printf("  dim %4d  %6zu vectors: %9.1f us/query (%5.2f GB/s scanned), naive loop + "
                   "sort %9.1f us: ratio %.2fx; add %.2f us/vector\n", dim, n, q_us, gbs, n_us,
                   n_us / q_us, add_s / n * 1e6);
            (void)sink;
            free(scores);
            free(v);
            vec_index_free(&x, NULL);
        }
}

/* Bytes the BM25 index holds (lexical.h): postings per passage, and the
 * dictionary (an entry of 24 bytes and the term's text), allocator
 * headers not counted. */
static void lex_bytes(const struct vec_lex *lx, struct vec_lex_doc *const *d, size_t n,
                      double *per_passage, double *dict)
{
    size_t b = 0;
    for (size_t i = 0; i < n; i++)
        b += sizeof(*d[i]) + d[i]->nterms * sizeof(d[i]->postings[0]);
    *per_passage = n ? (double)b / (double)n : 0;
    *dict = (double)lx->nterms * (24 + 6) + (double)lx->nbuckets * sizeof(void *);
}

/* Hybrid query time (every row's cosine and BM25, vec_rank's fusion) over
 * random passages of 20 to 40 words from 5000 made-up ones. */
static void bench_hybrid(void)
{
    static const size_t ns[] = {1000, 10000, 100000};
    const int dim = 64;
    printf("hybrid query (cosine + BM25 of every row, rank fusion, top-10; host), dim 64, "
           "passages of 20-40 words of a 5000-word vocabulary:\n");
    for (int ni = 0; ni < 3; ni++) {
        size_t n = ns[ni];
        struct vec_index x;
        struct vec_lex lx = {0};
        struct vec_lex_doc **ld = malloc(n * sizeof(*ld));
        vec_index_init(&x, dim);
        float v[64];
        char id[32], text[512];
        double lex_add = 0;
        for (size_t i = 0; i < n; i++) {
            for (int d = 0; d < dim; d++)
                v[d] = frand();
            snprintf(id, sizeof(id), "doc%zu/%zu", i / 8, i % 8);
            vec_index_put(&x, id, v, NULL, NULL);
            size_t len = 0, w = 20 + (size_t)((frand() + 1) * 10);
            for (size_t j = 0; j < w; j++)
                len += (size_t)snprintf(text + len, sizeof(text) - len, "w%d ",
                                        (int)((frand() + 1) * 2500));
            double t0 = now();
            vec_lex_add(&lx, text, len, &ld[i]);
            lex_add += now() - t0;
        }
        float *cs = malloc(n * sizeof(float)), *ls = malloc(n * sizeof(float));
        struct vec_ranked hits[10];
        int reps = n >= 100000 ? 10 : n >= 10000 ? 50 : 500;
        double t_score = 0, t_rank = 0, t_cos = 0;
        for (int r = 0; r < reps; r++) {
            for (int d = 0; d < dim; d++)
                v[d] = frand();
            vec_normalize(v, dim);
            snprintf(text, sizeof(text), "w%d w%d w%d w%d", (int)((frand() + 1) * 2500),
                     (int)((frand() + 1) * 2500), (int)((frand() + 1) * 2500),
                     (int)((frand() + 1) * 2500));
            double t0 = now();
            for (size_t i = 0; i < n; i++)
                cs[i] = vec_dot(v, x.vecs + i * (size_t)dim, dim);
            double t1 = now();
            struct vec_lex_query q;
            vec_lex_query_init(&lx, text, &q);
            for (size_t i = 0; i < n; i++)
                ls[i] = vec_lex_score(&lx, &q, ld[i]);
            double t2 = now();
            vec_rank(VEC_MODE_HYBRID, cs, ls, (const char *const *)x.ids, NULL, n, 10, hits);
            t_cos += t1 - t0;
            t_score += t2 - t1;
            t_rank += now() - t2;
        }
        double pp, dict;
        lex_bytes(&lx, ld, n, &pp, &dict);
        printf("  %6zu passages: %8.1f us/query (cosine %.1f, BM25 %.1f, fusion sort %.1f); "
               "BM25 add %.2f us/passage; %.0f bytes/passage of postings, dictionary %.0f KB\n",
               n, (t_cos + t_score + t_rank) / reps * 1e6, t_cos / reps * 1e6,
               t_score / reps * 1e6, t_rank / reps * 1e6, lex_add / n * 1e6, pp, dict / 1e3);
        for (size_t i = 0; i < n; i++)
            vec_lex_remove(&lx, ld[i]);
        vec_lex_free(&lx);
        free(ld);
        free(cs);
        free(ls);
        vec_index_free(&x, NULL);
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(p);
        return NULL;
    }
    fclose(f);
    p[n] = 0;
    *len = (size_t)n;
    return p;
}

#define MAXP 256
struct passage { char doc[32]; int no; char *text; };

static const char *docs[] = {"castle.md", "garden.md", "kitchen.md", "ocean.md"};
static const struct { const char *q, *doc; const char *needle; } questions[] = {
    {"Where is the key to the red door?", "castle.md", "key to the red door is hidden"},
    {"What did Tom and his dad see jump out of the water?", "ocean.md", "dolphin"},
    {"Who gave water to the red flowers every morning?", "garden.md", "gave water"},
    {"What did Sam mix in the bowl?", "kitchen.md", "mixed the flour"},
    {"the key to the red door is hidden under the blue rock", "castle.md",
     "key to the red door is hidden"},
};

static void bench_model(const char *label, const char *bin, const char *tok, const char *docdir)
{
    size_t mlen, tlen;
    char *mb = slurp(bin, &mlen), *tb = slurp(tok, &tlen);
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (!mb || !tb || inf_model_load(&m, label, mb, mlen, tb, tlen, err) < 0) {
        printf("%s: ingest and retrieval skipped (no model at %s)\n", label, bin);
        free(mb);
        free(tb);
        return;
    }
    int dim = m.cfg.dim;
    printf("%s (dim %d, context %d):\n", label, dim, m.cfg.seq_len);
    static const size_t sizes[] = {100, 200, 512};
    for (int si = 0; si < 3; si++) {
        struct passage ps[MAXP];
        int np = 0;
        size_t bytes = 0;
        for (size_t d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
            char path[512];
            snprintf(path, sizeof(path), "%s/%s", docdir, docs[d]);
            size_t len;
            char *t = slurp(path, &len);
            if (!t)
                continue;
            struct vec_chunk c[64];
            int n = vec_chunk_text(t, len, sizes[si], sizes[si] == 512 ? 64 : 0, c, 64);
            for (int i = 0; i < n && np < MAXP; i++, np++) {
                snprintf(ps[np].doc, sizeof(ps[np].doc), "%s", docs[d]);
                ps[np].no = i;
                ps[np].text = strndup(t + c[i].off, c[i].len);
                bytes += c[i].len;
            }
            free(t);
        }
        struct vec_index x;
        vec_index_init(&x, dim);
        float *v = malloc((size_t)dim * sizeof(float));
        int tokens = 0, skipped = 0;
        double t0 = now();
        for (int i = 0; i < np; i++) {
            int nt = 0;
            if (inf_embed(&m, ps[i].text, 0, v, &nt, err) < 0) {
                skipped++;                  /* more tokens than the context */
                continue;
            }
            tokens += nt;
            char id[48];
            snprintf(id, sizeof(id), "%s/%d", ps[i].doc, ps[i].no);
            vec_index_put(&x, id, v, &ps[i], NULL);
        }
        double s = now() - t0;
        int done = np - skipped;
        printf("ingest, chunk_size %zu: %d passages (%zu bytes, %d tokens) embedded in %.1f ms: "
               "%.0f passages/s, %.0f tokens/s", sizes[si], done, bytes, tokens, s * 1e3,
               done / s, tokens / s);
        printf(skipped ? "; %d passages longer than the context skipped\n" : "\n", skipped);
        double mean = 0;
        int pairs = 0;
        for (size_t a = 0; a < x.n; a++)
            for (size_t b = a + 1; b < x.n; b++, pairs++)
                mean += vec_dot(x.vecs + a * dim, x.vecs + b * dim, dim);
        printf("  mean cosine between two passages: %.3f (1 = all alike)\n",
               pairs ? mean / pairs : 0);
        /* The same collection centered: the mean passage vector subtracted
         * from every vector and the question (an experiment, not what the
         * module does: how much of the failure is the shared direction). */
        struct vec_index cx;
        vec_index_init(&cx, dim);
        float *mu = calloc((size_t)dim, sizeof(float));
        for (size_t r = 0; r < x.n; r++)
            for (int d = 0; d < dim; d++)
                mu[d] += x.vecs[r * dim + d] / (float)x.n;
        for (size_t r = 0; r < x.n; r++) {
            for (int d = 0; d < dim; d++)
                v[d] = x.vecs[r * dim + d] - mu[d];
            vec_index_put(&cx, x.ids[r], v, x.user[r], NULL);
        }
        for (size_t qi = 0; qi < sizeof(questions) / sizeof(questions[0]) && x.n; qi++) {
            inf_embed(&m, questions[qi].q, 0, v, NULL, err);
            for (int d = 0; d < dim; d++)
                v[d] -= mu[d];
            struct vec_index_hit h[MAXP];
            int n = vec_index_query(&cx, v, MAXP, h), rank = -1;
            for (int i = 0; i < n && rank < 0; i++) {
                const struct passage *p = cx.user[h[i].row];
                if (!strcmp(p->doc, questions[qi].doc) && strstr(p->text, questions[qi].needle))
                    rank = i + 1;
            }
            printf("  centered: \"%s\": ranks %d of %d\n", questions[qi].q, rank, n);
        }
        free(mu);
        vec_index_free(&cx, NULL);
        /* The module's three retrievals (rank.h): the same passages in a
         * BM25 index (lexical.h), every row scored, ranked by vec_rank. */
        struct vec_lex lx = {0};
        struct vec_lex_doc *ld[MAXP];
        for (size_t r = 0; r < x.n; r++) {
            const struct passage *p = x.user[r];
            vec_lex_add(&lx, p->text, strlen(p->text), &ld[r]);
        }
        for (size_t qi = 0; qi < sizeof(questions) / sizeof(questions[0]) && x.n; qi++) {
            inf_embed(&m, questions[qi].q, 0, v, NULL, err);
            float cs[MAXP], ls[MAXP];
            struct vec_lex_query lq;
            vec_lex_query_init(&lx, questions[qi].q, &lq);
            for (size_t r = 0; r < x.n; r++) {
                cs[r] = vec_dot(v, x.vecs + r * (size_t)dim, dim);
                ls[r] = vec_lex_score(&lx, &lq, ld[r]);
            }
            int rank[3] = {-1, -1, -1}, n = 0;
            const struct passage *top[3] = {0};
            for (int mode = 0; mode < 3; mode++) {
                struct vec_ranked h[MAXP];
                n = vec_rank((enum vec_mode)mode, cs, ls, (const char *const *)x.ids, NULL, x.n,
                             MAXP, h);
                top[mode] = x.user[h[0].row];
                for (int i = 0; i < n && rank[mode] < 0; i++) {
                    const struct passage *p = x.user[h[i].row];
                    if (!strcmp(p->doc, questions[qi].doc) &&
                        strstr(p->text, questions[qi].needle))
                        rank[mode] = i + 1;
                }
            }
            printf("  \"%s\": the fact's passage ranks %d of %d by cosine (top: %s/%d), %d by "
                   "BM25 (top: %s/%d), %d hybrid (top: %s/%d)\n", questions[qi].q, rank[0], n,
                   top[0]->doc, top[0]->no, rank[1], top[1]->doc, top[1]->no, rank[2],
                   top[2]->doc, top[2]->no);
        }
        double pp, dict;
        lex_bytes(&lx, ld, x.n, &pp, &dict);
        printf("  BM25 index: %.0f bytes of postings a passage, %zu distinct terms\n", pp,
               lx.nterms);
        for (size_t r = 0; r < x.n; r++)
            vec_lex_remove(&lx, ld[r]);
        vec_lex_free(&lx);
        for (int i = 0; i < np; i++)
            free(ps[i].text);
        free(v);
        vec_index_free(&x, NULL);
    }
    inf_model_free(&m);
    free(mb);
    free(tb);
}

int main(int argc, char **argv)
{
    bench_index();
    bench_hybrid();
    /* argv: DOCS, then LABEL MODEL TOKENIZER for each model */
    for (int i = 2; i + 2 < argc; i += 3)
        bench_model(argv[i], argv[i + 1], argv[i + 2], argv[1]);
    return 0;
}
