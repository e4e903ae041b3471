/* The openai module's lines of /metrics (metrics.h). */
#include "metrics.h"
#include "cache.h"
#include "chat_sessions.h"

void oa_metrics_text(struct anx_buf *b, const struct oa_server *srv)
{
    const struct oa_cache *c = srv->cache;
    struct oa_cache z = { 0 };
    if (!c)
        c = &z;
    anx_buf_printf(
        b,
        "# HELP anx_openai_cache_requests_total Deterministic requests looked up in the "
        "response cache, by result.\n"
        "# TYPE anx_openai_cache_requests_total counter\n"
        "anx_openai_cache_requests_total{result=\"hit\"} %lu\n"
        "anx_openai_cache_requests_total{result=\"miss\"} %lu\n"
        "# HELP anx_openai_cache_evictions_total Answers evicted to stay in the bounds.\n"
        "# TYPE anx_openai_cache_evictions_total counter\n"
        "anx_openai_cache_evictions_total %lu\n"
        "# HELP anx_openai_cache_flushes_total Times a new model version emptied the cache.\n"
        "# TYPE anx_openai_cache_flushes_total counter\n"
        "anx_openai_cache_flushes_total %lu\n"
        "# HELP anx_openai_cache_entries Answers in the response cache.\n"
        "# TYPE anx_openai_cache_entries gauge\n"
        "anx_openai_cache_entries %d\n"
        "# HELP anx_openai_cache_bytes Bytes the response cache holds.\n"
        "# TYPE anx_openai_cache_bytes gauge\n"
        "anx_openai_cache_bytes %zu\n",
        c->hits, c->misses, c->evictions, c->flushes, c->n, c->bytes);
    const struct oa_sessions *t = srv->sessions;
    struct oa_sessions zs = { 0 };
    if (!t)
        t = &zs;
    anx_buf_printf(
        b,
        "# HELP anx_openai_sessions Kept chat sessions (each holds a KV cache).\n"
        "# TYPE anx_openai_sessions gauge\n"
        "anx_openai_sessions %d\n"
        "# HELP anx_openai_sessions_bytes Bytes the kept sessions hold.\n"
        "# TYPE anx_openai_sessions_bytes gauge\n"
        "anx_openai_sessions_bytes %zu\n"
        "# HELP anx_openai_session_turns_total Turns of kept sessions.\n"
        "# TYPE anx_openai_session_turns_total counter\n"
        "anx_openai_session_turns_total %lu\n"
        "# HELP anx_openai_session_evictions_total Sessions evicted (least recently used).\n"
        "# TYPE anx_openai_session_evictions_total counter\n"
        "anx_openai_session_evictions_total %lu\n"
        "# HELP anx_openai_session_cached_tokens_total Prompt tokens found in a session's "
        "KV cache, not run again.\n"
        "# TYPE anx_openai_session_cached_tokens_total counter\n"
        "anx_openai_session_cached_tokens_total %lu\n"
        "# HELP anx_openai_embeddings_total Embedding requests answered and inputs embedded.\n"
        "# TYPE anx_openai_embeddings_total counter\n"
        "anx_openai_embeddings_total{what=\"requests\"} %lu\n"
        "anx_openai_embeddings_total{what=\"inputs\"} %lu\n",
        oa_sessions_count(t), t->bytes, t->turns, t->evicted, t->cached_tokens, srv->embed_requests,
        srv->embed_inputs);
}
