/*
 * Host tests of BM25 (lexical.h): the terms of a passage, scores against
 * values computed by hand from the formula on a three-passage corpus,
 * statistics after a delete, and random adds and deletes against an index
 * built afresh from the passages that remain (same df, N, lengths, so the
 * very same scores), down to an empty dictionary.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lexical.h"

static int passed, failed;
#define CHECK(c, ...) do { static char once_; if (c) { passed += !once_; once_ = 1; } else { failed++;                    \
    printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)
#define NEAR(a, b) (fabs((double)(a) - (double)(b)) < 1e-5)

static char terms_out[512];
static int join_term(const char *t, size_t n, void *arg)
{
    (void)arg;
    size_t l = strlen(terms_out);
    snprintf(terms_out + l, sizeof(terms_out) - l, "%s%.*s", l ? "|" : "", (int)n, t);
    return 0;
}

static const char *terms(const char *s)
{
    terms_out[0] = 0;
    vec_lex_terms(s, strlen(s), join_term, NULL);
    return terms_out;
}

static void test_terms(void)
{
    CHECK(!strcmp(terms("The KEY to the red-door, is hidden!"), "key|red|door|hidden"), "%s",
          terms_out);
    CHECK(!strcmp(terms("Where did Tom's dad go? 42 times."), "tom|s|dad|go|42|times"), "%s",
          terms_out);
    CHECK(!strcmp(terms("  ...  "), ""), "%s", terms_out);
    CHECK(!strcmp(terms("Caf\xc3\xa9 na\xc3\xafve"), "caf\xc3\xa9|na\xc3\xafve"), "%s",
          terms_out);
    /* 40 letters: cut to VEC_LEX_TERM_MAX */
    CHECK(strlen(terms("aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd")) == VEC_LEX_TERM_MAX, "%s",
          terms_out);
    /* a cut inside a 2-byte character drops the broken lead byte */
    char w[64];
    memset(w, 'x', 31);
    memcpy(w + 31, "\xc3\xa9", 3);
    CHECK(strlen(terms(w)) == 31, "%zu", strlen(terms_out));
}

static void test_hand_computed(void)
{
    struct vec_lex lx = {0};
    struct vec_lex_doc *d1, *d2, *d3;
    const char *t1 = "The red door.", *t2 = "A blue rock by the red well.";
    const char *t3 = "Door, door, DOOR!";
    CHECK(vec_lex_add(&lx, t1, strlen(t1), &d1) == 0, "add");
    CHECK(vec_lex_add(&lx, t2, strlen(t2), &d2) == 0, "add");
    CHECK(vec_lex_add(&lx, t3, strlen(t3), &d3) == 0, "add");
    CHECK(lx.docs == 3 && lx.total_len == 9 && lx.nterms == 5, "N %zu len %llu terms %zu",
          lx.docs, (unsigned long long)lx.total_len, lx.nterms);
    CHECK(vec_lex_df(&lx, "red") == 2 && vec_lex_df(&lx, "DOOR") == 2 &&
          vec_lex_df(&lx, "the") == 0 && vec_lex_df(&lx, "well") == 1, "df");
    struct vec_lex_query q;
    vec_lex_query_init(&lx, "red door? red", &q);
    CHECK(q.n == 2, "%d query terms", q.n);
    /* N 3, avglen 3, df 2 for both: idf = ln(1 + 1.5 / 2.5) = ln 1.6;
     * d1: len 2, tf 1 each: 2 * ln1.6 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2/3)) */
    float s1 = vec_lex_score(&lx, &q, d1), s2 = vec_lex_score(&lx, &q, d2);
    float s3 = vec_lex_score(&lx, &q, d3);
    CHECK(NEAR(s1, 1.0884295), "d1 %f", s1);
    CHECK(NEAR(s2, 0.4136032), "d2 %f", s2);    /* len 4, red once */
    CHECK(NEAR(s3, 0.7385771), "d3 %f", s3);    /* len 3, door 3 times */
    vec_lex_query_init(&lx, "blue whale", &q);  /* whale: in no passage */
    CHECK(q.n == 1 && vec_lex_score(&lx, &q, d1) == 0, "no shared term scores 0");
    vec_lex_remove(&lx, d1);
    /* N 2, avglen 3.5, door df 1: ln 2 * 6.6 / (3 + 1.2 * (0.25 + 0.75 * 3/3.5)) */
    CHECK(lx.docs == 2 && lx.total_len == 7 && vec_lex_df(&lx, "door") == 1 &&
          vec_lex_df(&lx, "red") == 1, "after a delete");
    vec_lex_query_init(&lx, "door", &q);
    s3 = vec_lex_score(&lx, &q, d3);
    CHECK(NEAR(s3, 1.1236281), "d3 after the delete %f", s3);
    vec_lex_remove(&lx, d2);
    vec_lex_remove(&lx, d3);
    CHECK(lx.docs == 0 && lx.total_len == 0 && lx.nterms == 0, "empty: %zu terms", lx.nterms);
    vec_lex_query_init(&lx, "door", &q);
    CHECK(q.n == 0, "an empty index has no query terms");
    vec_lex_free(&lx);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (unsigned)(rng >> 33) % n;
}

#define NP 300
static void random_text(char *out, size_t cap)
{
    static const char *const words[] = {"key", "door", "red", "blue", "rock", "well", "the",
        "a", "garden", "flower", "water", "boat", "dolphin", "sam", "bowl", "flour", "is",
        "castle", "king", "Key", "DOOR", "x1", "caf\xc3\xa9"};
    size_t n = 0, w = 1 + rnd(30);
    out[0] = 0;
    for (size_t i = 0; i < w; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", words[rnd(23)], rnd(4) ? " " : ", ");
}

static void test_random_updates(void)
{
    static char text[NP][400];
    struct vec_lex_doc *doc[NP] = {0};
    struct vec_lex lx = {0};
    for (int round = 0; round < 4000; round++) {
        int i = (int)rnd(NP);
        if (doc[i]) {
            vec_lex_remove(&lx, doc[i]);
            doc[i] = NULL;
        }
        if (rnd(3)) {
            random_text(text[i], sizeof(text[i]));
            CHECK(vec_lex_add(&lx, text[i], strlen(text[i]), &doc[i]) == 0, "add");
        }
    }
    struct vec_lex fresh = {0};
    struct vec_lex_doc *fd[NP] = {0};
    for (int i = 0; i < NP; i++)
        if (doc[i])
            vec_lex_add(&fresh, text[i], strlen(text[i]), &fd[i]);
    CHECK(fresh.docs == lx.docs && fresh.total_len == lx.total_len &&
          fresh.nterms == lx.nterms, "stats: %zu/%zu docs, %zu/%zu terms", lx.docs, fresh.docs,
          lx.nterms, fresh.nterms);
    int same = 1;
    for (int qi = 0; qi < 50; qi++) {
        char qt[400];
        random_text(qt, sizeof(qt));
        struct vec_lex_query a, b;
        vec_lex_query_init(&lx, qt, &a);
        vec_lex_query_init(&fresh, qt, &b);
        for (int i = 0; i < NP; i++)
            if (doc[i] && vec_lex_score(&lx, &a, doc[i]) != vec_lex_score(&fresh, &b, fd[i]))
                same = 0;
    }
    CHECK(same, "scores after 4000 random adds and deletes equal a fresh index's");
    for (int i = 0; i < NP; i++) {
        vec_lex_remove(&lx, doc[i]);
        vec_lex_remove(&fresh, fd[i]);
    }
    CHECK(lx.docs == 0 && lx.nterms == 0 && lx.total_len == 0, "all removed: %zu terms",
          lx.nterms);
    vec_lex_free(&lx);
    vec_lex_free(&fresh);
}

int main(void)
{
    test_terms();
    test_hand_computed();
    test_random_updates();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
