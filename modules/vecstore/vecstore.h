/*
 * vecstore.h - vector memory over objects (module vecstore), the C API for
 * other modules: the openai module's retrieval-augmented chat asks it for
 * the passages nearest a question.
 *
 * A collection is a set of passages, each with a unit vector (an embedding
 * by the loaded model, infer.h's inf_embed) under an id. Every vector is a
 * state object, PREFIX/COLLECTION/ID (prefix: config, "mem/"), holding the
 * vector, the passage and its source (record.h), so the memory lives on
 * the object store's disk when the store has one and is rebuilt from those
 * objects at boot. A collection named in the config's collections: follows
 * the documents under its object prefix: each version of a document is
 * cut into passages (chunk.h), each passage embedded and stored as
 * COLLECTION/DOC/N, replacing the previous version's; a deleted document's
 * vectors are deleted (docs/vecstore.md).
 *
 *     struct vec_hit hits[4];
 *     int n = vec_query_text("docs", "Where is the key?", 4, hits, 4);
 *     for (int i = 0; i < n; i++)
 *         ... hits[i].score, hits[i].source, hits[i].version, hits[i].text
 *     vec_hits_free(hits, n);
 *
 * Queries are exact (every vector is compared; index.h). Calls run on the
 * calling thread: embedding a query runs the model (milliseconds for a
 * small one), and an add writes an object (blocks on the disk). Errors are
 * <anx/errno.h> codes: ANX_ENOENT (no such collection or id), ANX_EAGAIN
 * (no model loaded yet, for text; the store not open yet), ANX_EINVAL (a
 * vector of another dimension than the collection's, an empty text, a bad
 * id), ANX_ERANGE (a text with more tokens than the model's context),
 * ANX_ENOMEM, and the object store's own (ANX_EPERM, ANX_ENOSPC ...).
 */
#ifndef VECSTORE_H
#define VECSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/errno.h>
#include "index.h"
#include "rank.h"
#include "record.h"

struct vec_hit {
    float score;                        /* what the retrieval ranks by (below) */
    float cosine;                       /* cosine similarity, -1 .. 1 (0 in lexical mode) */
    float lexical;                      /* BM25 (lexical.h); 0 in cosine mode and for vectors */
    char id[VEC_ID_MAX + 1];            /* in the collection: "a.md/0", "note-1" */
    char source[VEC_SOURCE_MAX + 1];    /* the document's object name; "" when added by hand */
    uint32_t version;                   /* the document's version the passage is from */
    uint64_t offset;                    /* the passage's byte offset in that version */
    char *text;                         /* the passage (NUL-terminated; vec_hits_free) */
    size_t text_len;
};

/* The k (<= n) passages of collection coll best for text, best first, into
 * hits: their count (0 for an empty collection), or a negative error. The
 * ranking is the config's retrieval (vec_retrieval()): hybrid (default:
 * cosine and BM25 fused by reciprocal rank, score = the fused value,
 * rank.h), cosine (score = cosine) or lexical (score = BM25; the text is
 * not embedded, so it works without a model). Except in lexical mode the
 * text is embedded with the loaded model (at most its context in tokens). */
int vec_query_text(const char *coll, const char *text, int k, struct vec_hit *hits, int n);

/* Whether a query may see the row id of collection coll, cut from the
 * object source ("" for a passage added by hand). */
typedef bool (*vec_keep_fn)(const char *coll, const char *id, const char *source, void *arg);
/* vec_query_text in a given mode, leaving out (before ranking) the rows
 * keep (optional) refuses: the retriever of <anx/retrieve.h> keeps only
 * what the calling module may read. */
int vec_query_text_as(const char *coll, const char *text, enum vec_mode mode, int k,
                      struct vec_hit *hits, int n, vec_keep_fn keep, void *arg);
/* The config's retrieval: module.yaml `retrieval`. */
enum vec_mode vec_retrieval(void);

/* Nearest a vector of dim floats (normalized here): plain cosine, which is
 * score and cosine of each hit. */
int vec_query_vector(const char *coll, const float *v, int dim, int k, struct vec_hit *hits, int n);
/* Frees the passages of n hits. */
void vec_hits_free(struct vec_hit *hits, int n);

/* Store a passage under id (one object-name segment: [A-Za-z0-9._-]) in
 * coll, created when new (a collection takes the dimension of its first
 * vector). With v (dim floats) that vector is stored, else text is
 * embedded. text may be NULL with a vector. Replaces an id already there. */
int vec_add(const char *coll, const char *id, const char *text, size_t text_len, const float *v,
            int dim);
/* Delete id from coll: its object and its row. */
int vec_delete(const char *coll, const char *id);

/* Collections, for listings: 0..vec_collections()-1. */
struct vec_coll_info {
    const char *name;
    const char *prefix;                 /* the documents it follows; "" = none */
    int dim;                            /* 0 until the first vector */
    size_t vectors;
    size_t documents;                   /* documents embedded (with a prefix) */
    const char *state;                  /* "ready", "waiting for the model", "syncing" ... */
};
int vec_collections(void);
int vec_collection_info(int i, struct vec_coll_info *out);
/* Call fn for each row of collection coll, in row order: its id and the row
 * as a hit (score 0; text points into the collection: read it in fn, do not
 * free or keep it). Nonzero from fn stops. 0, or ANX_ENOENT. */
int vec_collection_rows(const char *coll,
                        int (*fn)(const char *id, const struct vec_hit *row, void *arg), void *arg);

#endif
