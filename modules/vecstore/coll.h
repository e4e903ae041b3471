/*
 * coll.h - the module's own state, shared by its files (not an API: other
 * modules use vecstore.h). memory.c keeps the collections and their
 * objects; vecstore_module.c runs the thread that follows the documents;
 * http.c and commands.c are the doors.
 */
#ifndef VEC_COLL_H
#define VEC_COLL_H

#include <anx/feed.h>
#include "lexical.h"
#include "vecstore.h"

#define VEC_SELF "vecstore"          /* this module, as the object store's grants name it */
#define VEC_COLL_MAX 16
#define VEC_NAME_MAX 32

/* What each row of an index points at: one block, the strings after the
 * struct (about 110 bytes and the passage a row, rather than fixed arrays). */
struct vec_entry {
    uint32_t version;
    uint64_t offset;
    char object[65];                    /* the source version's object id, "" = none */
    const char *source;                 /* in the block: the document, "" = none */
    const char *model;                  /* in the block: the model, "" = a raw vector */
    struct vec_lex_doc *lex;            /* the passage's terms in its collection's BM25 */
    size_t text_len;
    char text[];                        /* the passage, NUL, then source and model */
};

struct vec_coll {
    char name[VEC_NAME_MAX + 1];
    char prefix[VEC_SOURCE_MAX + 1];    /* documents followed ("docs/"), "" = none */
    bool has_dim;
    struct vec_index x;
    struct vec_lex lex;                 /* BM25 statistics of the passages of x's rows */
    const char *state;
    struct anx_feed_sub *sub;           /* its documents' change feed, or NULL */
};

extern struct vec_coll vec_colls[VEC_COLL_MAX];
extern int vec_ncolls;

/* Counters for /metrics and the benchmark. */
struct vec_stats {
    uint64_t queries, query_ns;         /* index search only */
    uint64_t embedded, embed_ns;        /* passages and queries embedded, model time */
    uint64_t ingested_docs, errors;
};
extern struct vec_stats vec_stats;

struct vec_coll *vec_coll_find(const char *name);
/* A collection named name (one segment, <= VEC_NAME_MAX), made if new. */
int vec_coll_get(const char *name, struct vec_coll **out);
/* Whether s is one object-name segment ([A-Za-z0-9._-], not . or ..). */
bool vec_segment_ok(const char *s, size_t n);

/* A score as text with 4 decimals ("0.8123", "-0.0500"): the image's printf has
 * no floating point. out has room for 16 bytes. */
void vec_fmt_score(float s, char *out);

/* The vectors of every collection from their objects (at boot). */
int vec_rebuild(void);
/* Embed the current version of document name into c, replacing what
 * embeds an older one (nothing to do when up to date). */
int vec_ingest_doc(struct vec_coll *c, const char *name);
/* Delete the vectors of document name. */
int vec_forget_doc(struct vec_coll *c, const char *name);
/* Every document under c's prefix ingested, vectors of gone ones deleted. */
int vec_sync(struct vec_coll *c);

/* The doors: the HTTP engine (http.c), the vmem command (commands.c) and
 * the core's retriever (retrieve.c, <anx/retrieve.h>). */
int vec_http_init(void);
int vec_commands_init(void);
void vec_retriever_init(void);

#endif
