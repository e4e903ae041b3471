/*
 * lexical.h - BM25 over the words of a collection's passages (module
 * vecstore): the lexical half of hybrid retrieval (docs/vecstore.md,
 * "Retrieval").
 *
 * A small embedding model tells passages apart poorly (stories260K: mean
 * cosine 0.95 between two passages), but a question usually shares its
 * rare words with the passage that answers it. BM25 scores exactly that:
 *
 *     score(q, d) = sum over distinct terms t of q that d holds:
 *                   idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avglen))
 *     idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
 *
 * with N the passages indexed, df(t) how many of them hold t, tf how often
 * d holds t, len(d) its terms (stop words excluded) and avglen their mean.
 * This idf (Lucene's) is never negative, so a term found in most passages
 * still counts a little rather than against them.
 *
 * Terms: a passage is split at every byte that is not an ASCII letter or
 * digit (bytes >= 0x80 count as letters, so a UTF-8 word stays whole),
 * ASCII is lower-cased, words of the small English stop-word list in
 * lexical.c are dropped, and a term keeps at most VEC_LEX_TERM_MAX bytes.
 * No stemming: "mix" does not find "mixed".
 *
 * The caller owns one struct vec_lex per collection and one struct
 * vec_lex_doc per passage (vec_lex_add returns it; memory.c keeps it in
 * the row's entry): adding and removing passages keeps N, the total length
 * and every df exact, so scores never depend on the order of changes.
 *
 *     struct vec_lex lx = {0};
 *     struct vec_lex_doc *d;
 *     vec_lex_add(&lx, text, len, &d);
 *     struct vec_lex_query q;
 *     vec_lex_query_init(&lx, "where is the key?", &q);
 *     float s = vec_lex_score(&lx, &q, d);      (q holds no memory to free)
 *     vec_lex_remove(&lx, d);
 *     vec_lex_free(&lx);                (after every doc was removed or not)
 *
 * Cost per passage (docs/vecstore.md): a vec_lex_doc of 16 bytes plus 16
 * bytes per distinct term, and each distinct term of the collection once in
 * the dictionary (40 bytes and its text). Pure C, no I/O: host tests and
 * the fuzzer link it. Not thread-safe (the image's threads are cooperative
 * and no call yields).
 */
#ifndef VEC_LEXICAL_H
#define VEC_LEXICAL_H

#include <stddef.h>
#include <stdint.h>
#include <anx/errno.h>

/* BM25's parameters: the usual defaults (Robertson; Lucene, Elasticsearch).
 * k1: how fast repeats of a term saturate; b: how much a long passage is
 * discounted. */
#define VEC_BM25_K1 1.2f
#define VEC_BM25_B 0.75f

#define VEC_LEX_TERM_MAX 32         /* longer words are cut to this many bytes */
#define VEC_LEX_QUERY_MAX 64        /* distinct terms of a query looked at */

struct vec_lex_term;                /* a dictionary entry (lexical.c) */

struct vec_lex_posting {
    struct vec_lex_term *term;
    uint32_t tf;                    /* occurrences in the passage */
};

struct vec_lex_doc {
    uint32_t len;                   /* terms, stop words excluded */
    uint32_t nterms;                /* distinct terms: postings[] */
    struct vec_lex_posting postings[];
};

struct vec_lex {
    size_t docs;                    /* N: passages added and not removed */
    uint64_t total_len;             /* sum of their len */
    size_t nterms;                  /* distinct terms in the dictionary */
    struct vec_lex_term **buckets;  /* chained hash table of the terms */
    size_t nbuckets;                /* 0 or a power of two */
};

struct vec_lex_query {
    int n;                          /* distinct query terms in the dictionary */
    struct vec_lex_term *terms[VEC_LEX_QUERY_MAX];
    float idf[VEC_LEX_QUERY_MAX];
    float avglen;
};

/* Index text[0..len) as one passage: 0 with *out its handle (a passage
 * without terms is one too: it scores 0), or ANX_ENOMEM (nothing changed). */
int vec_lex_add(struct vec_lex *lx, const char *text, size_t len, struct vec_lex_doc **out);
/* Take a passage out of the statistics and free it (NULL: nothing). */
void vec_lex_remove(struct vec_lex *lx, struct vec_lex_doc *d);
/* Frees the dictionary; passages still added must not be used after. */
void vec_lex_free(struct vec_lex *lx);

/* The terms of text (NUL-terminated) that the collection holds, with their
 * idf now. Unknown terms score nothing anywhere and are left out. */
void vec_lex_query_init(const struct vec_lex *lx, const char *text, struct vec_lex_query *q);
/* BM25 of passage d for q (0 when they share no term). */
float vec_lex_score(const struct vec_lex *lx, const struct vec_lex_query *q,
                    const struct vec_lex_doc *d);

/* df of one term as it would be indexed ("Key" -> "key"), for tests. */
size_t vec_lex_df(const struct vec_lex *lx, const char *term);

/* The terms of text[0..len) in order, each into fn (term, its length):
 * what add and query see. Nonzero from fn stops. */
void vec_lex_terms(const char *text, size_t len, int (*fn)(const char *t, size_t n, void *arg),
                   void *arg);

#endif
