/*
 * lexical.c - BM25 over a collection's passages (lexical.h): the terms of
 * a passage, a dictionary of the collection's terms with their document
 * frequencies (chained hash table; a term goes when its last passage goes),
 * and the score.
 */
#include <anx/lib.h>
#include <anx/math.h>
#include <anx/mem.h>
#include "lexical.h"

struct vec_lex_term {
    struct vec_lex_term *next;          /* in its bucket */
    uint32_t hash;
    uint32_t df;                        /* passages holding it */
    uint8_t len;
    char s[];
};

/* Words that say little about which passage answers a question: the most
 * frequent English function words (a subset of the common SMART and
 * Lucene lists), the question words included, since a question's "where"
 * or "what" rarely appears in its answer. Kept short on purpose: "red",
 * "key" or "water" must stay. */
static const char *const stop_words[] = {
    "a", "about", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "did",
    "do", "does", "for", "from", "had", "has", "have", "how", "i", "if", "in", "into", "is",
    "it", "its", "of", "on", "or", "so", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "to", "was", "were", "what", "when", "where", "which", "who",
    "whom", "why", "will", "with", "would", "you", "your",
};

static bool is_stop(const char *t, size_t n)
{
    for (size_t i = 0; i < sizeof(stop_words) / sizeof(stop_words[0]); i++)
        if (strlen(stop_words[i]) == n && !memcmp(stop_words[i], t, n))
            return true;
    return false;
}

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
}

void vec_lex_terms(const char *text, size_t len, int (*fn)(const char *t, size_t n, void *arg),
                   void *arg)
{
    char t[VEC_LEX_TERM_MAX];
    for (size_t i = 0; i < len;) {
        if (!word_byte((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t n = 0;
        for (; i < len && word_byte((unsigned char)text[i]); i++)
            if (n < sizeof(t))
                t[n++] = (char)tolower((unsigned char)text[i]);
        /* A cut inside a UTF-8 character would make two spellings of one
         * word differ only in a broken tail: cut before that character. */
        if (n == sizeof(t))
            while (n > 0 && ((unsigned char)t[n - 1] & 0xC0) == 0x80)
                n--;
        if (n && ((unsigned char)t[n - 1] & 0xC0) == 0xC0)
            n--;                        /* a lead byte whose continuation was cut */
        if (n && !is_stop(t, n) && fn(t, n, arg))
            return;
    }
}

static uint32_t hash_term(const char *t, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)t[i]) * 16777619u;
    return h;
}

static struct vec_lex_term *lookup(const struct vec_lex *lx, const char *t, size_t n,
                                   uint32_t h)
{
    if (!lx->nbuckets)
        return NULL;
    for (struct vec_lex_term *e = lx->buckets[h & (lx->nbuckets - 1)]; e; e = e->next)
        if (e->hash == h && e->len == n && !memcmp(e->s, t, n))
            return e;
    return NULL;
}

/* More buckets when the chains grow past one term a bucket on average; a
 * failed allocation only leaves the chains longer. */
static void maybe_grow(struct vec_lex *lx)
{
    if (lx->nbuckets && lx->nterms <= lx->nbuckets)
        return;
    size_t nb = lx->nbuckets ? lx->nbuckets * 2 : 64;
    struct vec_lex_term **b = anx_calloc(nb, sizeof(*b));
    if (!b)
        return;
    for (size_t i = 0; i < lx->nbuckets; i++)
        for (struct vec_lex_term *e = lx->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    anx_free(lx->buckets);
    lx->buckets = b;
    lx->nbuckets = nb;
}

/* Out of the dictionary (not freed). */
static void unlink_term(struct vec_lex *lx, struct vec_lex_term *t)
{
    struct vec_lex_term **p = &lx->buckets[t->hash & (lx->nbuckets - 1)];
    while (*p != t)
        p = &(*p)->next;
    *p = t->next;
    lx->nterms--;
}

/* The passage's terms as dictionary entries (new ones with df 0 until the
 * passage is counted), collected by vec_lex_terms. */
struct collect {
    struct vec_lex *lx;
    struct vec_lex_term **v;
    size_t n, cap;
    bool oom;
};

static int collect_term(const char *t, size_t n, void *arg)
{
    struct collect *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 32;
        struct vec_lex_term **v = anx_realloc(c->v, cap * sizeof(*v));
        if (!v) {
            c->oom = true;
            return 1;
        }
        c->v = v;
        c->cap = cap;
    }
    uint32_t h = hash_term(t, n);
    struct vec_lex_term *e = lookup(c->lx, t, n, h);
    if (!e) {
        maybe_grow(c->lx);
        if (!c->lx->nbuckets || !(e = anx_malloc(sizeof(*e) + n))) {
            c->oom = true;
            return 1;
        }
        e->hash = h;
        e->df = 0;
        e->len = (uint8_t)n;
        memcpy(e->s, t, n);
        struct vec_lex_term **b = &c->lx->buckets[h & (c->lx->nbuckets - 1)];
        e->next = *b;
        *b = e;
        c->lx->nterms++;
    }
    c->v[c->n++] = e;
    return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

int vec_lex_add(struct vec_lex *lx, const char *text, size_t len, struct vec_lex_doc **out)
{
    struct collect c = {.lx = lx};
    vec_lex_terms(text, len, collect_term, &c);
    size_t distinct = 0;
    struct vec_lex_doc *d = NULL;
    if (!c.oom) {
        qsort(c.v, c.n, sizeof(*c.v), cmp_ptr);
        for (size_t i = 0; i < c.n; i++)
            distinct += !i || c.v[i] != c.v[i - 1];
        d = anx_malloc(sizeof(*d) + distinct * sizeof(d->postings[0]));
    }
    if (!d) {
        /* Undo: the terms this passage made (df still 0) go again. A term
         * may be in c.v twice: unlinked and marked first, freed after. */
        struct vec_lex_term *gone = NULL;
        for (size_t i = 0; i < c.n; i++)
            if (!c.v[i]->df) {
                unlink_term(lx, c.v[i]);
                c.v[i]->df = UINT32_MAX;
                c.v[i]->next = gone;
                gone = c.v[i];
            }
        while (gone) {
            struct vec_lex_term *next = gone->next;
            anx_free(gone);
            gone = next;
        }
        anx_free(c.v);
        return ANX_ENOMEM;
    }
    d->len = (uint32_t)c.n;
    d->nterms = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (i && c.v[i] == c.v[i - 1]) {
            d->postings[d->nterms - 1].tf++;
            continue;
        }
        c.v[i]->df++;
        d->postings[d->nterms++] = (struct vec_lex_posting){c.v[i], 1};
    }
    lx->docs++;
    lx->total_len += d->len;
    anx_free(c.v);
    *out = d;
    return 0;
}

void vec_lex_remove(struct vec_lex *lx, struct vec_lex_doc *d)
{
    if (!d)
        return;
    for (uint32_t i = 0; i < d->nterms; i++)
        if (--d->postings[i].term->df == 0) {
            unlink_term(lx, d->postings[i].term);
            anx_free(d->postings[i].term);
        }
    lx->docs--;
    lx->total_len -= d->len;
    anx_free(d);
}

void vec_lex_free(struct vec_lex *lx)
{
    for (size_t i = 0; i < lx->nbuckets; i++)
        for (struct vec_lex_term *e = lx->buckets[i], *next; e; e = next) {
            next = e->next;
            anx_free(e);
        }
    anx_free(lx->buckets);
    memset(lx, 0, sizeof(*lx));
}

struct query_ctx {
    const struct vec_lex *lx;
    struct vec_lex_query *q;
};

static int query_term(const char *t, size_t n, void *arg)
{
    struct query_ctx *c = arg;
    struct vec_lex_query *q = c->q;
    struct vec_lex_term *e = lookup(c->lx, t, n, hash_term(t, n));
    if (!e)
        return 0;
    for (int i = 0; i < q->n; i++)
        if (q->terms[i] == e)
            return 0;                   /* a repeated query word counts once */
    float nd = (float)c->lx->docs, df = (float)e->df;
    q->terms[q->n] = e;
    q->idf[q->n++] = logf(1.0f + (nd - df + 0.5f) / (df + 0.5f));
    return q->n == VEC_LEX_QUERY_MAX;
}

void vec_lex_query_init(const struct vec_lex *lx, const char *text, struct vec_lex_query *q)
{
    q->n = 0;
    q->avglen = lx->docs ? (float)((double)lx->total_len / (double)lx->docs) : 0;
    struct query_ctx c = {lx, q};
    if (lx->docs)
        vec_lex_terms(text, strlen(text), query_term, &c);
}

float vec_lex_score(const struct vec_lex *lx, const struct vec_lex_query *q,
                    const struct vec_lex_doc *d)
{
    (void)lx;
    if (!d || !d->nterms || !(q->avglen > 0))
        return 0;
    float norm = VEC_BM25_K1 * (1.0f - VEC_BM25_B + VEC_BM25_B * (float)d->len / q->avglen);
    float s = 0;
    for (int i = 0; i < q->n; i++) {
        /* postings are sorted by the term's address: a binary search */
        uintptr_t key = (uintptr_t)q->terms[i];
        uint32_t lo = 0, hi = d->nterms;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if ((uintptr_t)d->postings[mid].term < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < d->nterms && d->postings[lo].term == q->terms[i]) {
            float tf = (float)d->postings[lo].tf;
            s += q->idf[i] * tf * (VEC_BM25_K1 + 1.0f) / (tf + norm);
        }
    }
    return s;
}

struct df_ctx {
    const struct vec_lex *lx;
    size_t df;
};

static int df_term(const char *t, size_t n, void *arg)
{
    struct df_ctx *c = arg;
    const struct vec_lex_term *e = lookup(c->lx, t, n, hash_term(t, n));
    c->df = e ? e->df : 0;
    return 1;
}

size_t vec_lex_df(const struct vec_lex *lx, const char *term)
{
    struct df_ctx c = {lx, 0};
    vec_lex_terms(term, strlen(term), df_term, &c);
    return c.df;
}
