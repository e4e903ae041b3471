/*
 * cache.h - the response cache: answers of deterministic requests, kept in
 * a bounded LRU list. A request is deterministic when it samples greedily
 * (temperature 0, or top_p 0), so its answer depends only on the model and
 * on what the key holds: the kind (completion or chat), the prompt after
 * the chat template, max_tokens, the stop strings and the context size.
 * Seed and top_p do not change a greedy answer and are left out. Entries
 * belong to one model version (inf_model_version): the first lookup or
 * insert with another version empties the cache, so a swapped-in model
 * never answers with its predecessor's text. docs/openai-api.md, "Response
 * cache".
 */
#ifndef OA_CACHE_H
#define OA_CACHE_H

#include "api.h"

struct oa_cache_entry {
    struct oa_cache_entry *prev, *next; /* most recently used first */
    uint64_t hash;
    char *key;
    size_t key_len;
    char *text; /* the answer's text (after the chat lstrip) */
    size_t text_len;
    const char *finish; /* "stop" or "length" (static) */
    struct inf_usage usage;
    size_t bytes; /* what the entry holds, for the bound */
};

struct oa_cache {
    int max_entries;  /* 0: off */
    size_t max_bytes; /* 0: off */
    int n;
    size_t bytes;
    unsigned version; /* of the model the entries came from */
    struct oa_cache_entry *head, *tail;
    unsigned long hits, misses, evictions, flushes;
};

void oa_cache_init(struct oa_cache *c, int max_entries, size_t max_bytes);
bool oa_cache_enabled(const struct oa_cache *c);
/* The key of rq into k (binary: compare with the length), or false when
 * the answer is not deterministic (temperature > 0) or the request is a
 * kept session's turn (its answer continues a conversation). */
bool oa_cache_key(struct anx_buf *k, const struct oa_request *rq, int ctx);
/* The entry for key made with model version, moved to the front, or NULL;
 * counts a hit or a miss. The entry stays valid until the next put, clear
 * or flush. */
const struct oa_cache_entry *oa_cache_get(struct oa_cache *c, unsigned version, const char *key,
                                          size_t key_len);
/* Keeps an answer, evicting the least recently used entries to stay in both
 * bounds (an answer larger than the byte bound is not kept). An answer of an
 * older version than the cache's is dropped. false when it was not kept. */
bool oa_cache_put(struct oa_cache *c, unsigned version, const char *key, size_t key_len,
                  const char *text, size_t text_len, const char *finish, struct inf_usage usage);
void oa_cache_clear(struct oa_cache *c);
/* Answers rq from entry ce as generation would have (a new id and created;
 * the text, finish reason and usage of the answer kept), streamed as
 * server-sent events when rq asks for a stream (the whole text in one
 * chunk). */
void oa_cache_reply(struct oa_server *srv, enum oa_kind kind, const struct oa_request *rq,
                    const struct oa_cache_entry *ce, struct oa_io *io);

#endif
