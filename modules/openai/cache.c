/*
 * cache.c - the response cache (cache.h): a list in LRU order searched
 * linearly by hash, then by bytes. At appliance sizes (tens to a few
 * thousand entries) the search is far below one token's forward pass.
 */
#include "cache.h"

void oa_cache_init(struct oa_cache *c, int max_entries, size_t max_bytes)
{
    memset(c, 0, sizeof(*c));
    c->max_entries = max_entries > 0 ? max_entries : 0;
    c->max_bytes = max_bytes;
}

bool oa_cache_enabled(const struct oa_cache *c)
{
    return c && c->max_entries > 0 && c->max_bytes > 0;
}

static void add_field(struct anx_buf *k, const char *s, size_t n)
{
    anx_buf_printf(k, "%zu:", n); /* length first: no separator can be forged */
    anx_buf_add(k, s, n);
}

bool oa_cache_key(struct anx_buf *k, const struct oa_request *rq, int ctx)
{
    if (rq->temperature != 0 || rq->session_id)
        return false;
    anx_buf_printf(k, "v1 kind=%d max=%d ctx=%d stops=%d ", (int)rq->kind, rq->max_tokens, ctx,
                   rq->n_stop);
    for (int i = 0; i < rq->n_stop; i++)
        add_field(k, rq->stop[i], strlen(rq->stop[i]));
    add_field(k, rq->prompt ? rq->prompt : "", rq->prompt ? strlen(rq->prompt) : 0);
    return !k->oom;
}

/* FNV-1a, 64 bits: a quick filter before the bytes are compared. */
static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static void unlink_entry(struct oa_cache *c, struct oa_cache_entry *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        c->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        c->tail = x->prev;
    x->prev = x->next = NULL;
}

static void push_front(struct oa_cache *c, struct oa_cache_entry *x)
{
    x->prev = NULL;
    x->next = c->head;
    if (c->head)
        c->head->prev = x;
    c->head = x;
    if (!c->tail)
        c->tail = x;
}

static void drop(struct oa_cache *c, struct oa_cache_entry *x)
{
    unlink_entry(c, x);
    c->n--;
    c->bytes -= x->bytes;
    anx_free(x); /* key and text live in the same block */
}

void oa_cache_clear(struct oa_cache *c)
{
    while (c->head)
        drop(c, c->head);
}

/* Entries of another model version go at once, before anything is served. */
static void check_version(struct oa_cache *c, unsigned version)
{
    if (version == c->version)
        return;
    if (c->head)
        c->flushes++;
    oa_cache_clear(c);
    c->version = version;
}

const struct oa_cache_entry *oa_cache_get(struct oa_cache *c, unsigned version, const char *key,
                                          size_t key_len)
{
    if (!oa_cache_enabled(c))
        return NULL;
    check_version(c, version);
    uint64_t h = hash(key, key_len);
    for (struct oa_cache_entry *x = c->head; x; x = x->next)
        if (x->hash == h && x->key_len == key_len && !memcmp(x->key, key, key_len)) {
            unlink_entry(c, x);
            push_front(c, x);
            c->hits++;
            return x;
        }
    c->misses++;
    return NULL;
}

bool oa_cache_put(struct oa_cache *c, unsigned version, const char *key, size_t key_len,
                  const char *text, size_t text_len, const char *finish, struct inf_usage usage)
{
    if (!oa_cache_enabled(c) || (int)(version - c->version) < 0)
        return false; /* off, or made by a model swapped out meanwhile */
    check_version(c, version);
    size_t bytes = sizeof(struct oa_cache_entry) + key_len + text_len + 2;
    if (bytes > c->max_bytes)
        return false;
    uint64_t h = hash(key, key_len);
    for (struct oa_cache_entry *x = c->head; x; x = x->next)
        if (x->hash == h && x->key_len == key_len && !memcmp(x->key, key, key_len)) {
            drop(c, x); /* the same request answered twice: the newer */
            break;
        }
    while (c->tail && (c->n + 1 > c->max_entries || c->bytes + bytes > c->max_bytes)) {
        drop(c, c->tail);
        c->evictions++;
    }
    struct oa_cache_entry *x = anx_malloc(bytes);
    if (!x)
        return false;
    memset(x, 0, sizeof(*x));
    x->key = (char *)(x + 1);
    memcpy(x->key, key, key_len);
    x->key[key_len] = 0;
    x->text = x->key + key_len + 1;
    memcpy(x->text, text, text_len);
    x->text[text_len] = 0;
    x->key_len = key_len;
    x->text_len = text_len;
    x->hash = h;
    x->finish = !strcmp(finish, "stop") ? "stop" : "length";
    x->usage = usage;
    x->bytes = bytes;
    push_front(c, x);
    c->n++;
    c->bytes += bytes;
    return true;
}

static int write_buf(struct oa_io *io, struct anx_buf *b)
{
    int rc = b->oom ? -1 : io->stream_write(io->ctx, b->p, b->len);
    anx_buf_reset(b);
    return rc;
}

void oa_cache_reply(struct oa_server *srv, enum oa_kind kind, const struct oa_request *rq,
                    const struct oa_cache_entry *ce, struct oa_io *io)
{
    uint64_t now = srv->clock_ns ? srv->clock_ns() : 0;
    char id[32];
    snprintf(id, sizeof(id), "%s-%lu", kind == OA_CHAT ? "chatcmpl" : "cmpl", ++srv->next_id);
    struct oa_meta meta = { kind, id, now / 1000000000u, srv->model_id, rq->sources };
    if (!rq->stream) {
        io->status = 200;
        io->content_type = "application/json";
        oa_response_json(io->out, &meta, ce->text, ce->text_len, ce->finish, ce->usage);
        return;
    }
    if (io->stream_begin(io->ctx, "text/event-stream") < 0)
        return;
    struct anx_buf b = { 0 };
    int rc = 0;
    if (kind == OA_CHAT) {
        oa_chunk_sse(&b, &meta, true, "", 0, NULL, NULL, rq->include_usage);
        rc = write_buf(io, &b);
    }
    if (rc >= 0 && ce->text_len) {
        oa_chunk_sse(&b, &meta, false, ce->text, ce->text_len, NULL, NULL, rq->include_usage);
        rc = write_buf(io, &b);
    }
    if (rc >= 0) {
        oa_chunk_sse(&b, &meta, false, NULL, 0, ce->finish, NULL, rq->include_usage);
        rc = write_buf(io, &b);
    }
    if (rc >= 0 && rq->include_usage) {
        oa_chunk_sse(&b, &meta, false, NULL, 0, NULL, &ce->usage, false);
        rc = write_buf(io, &b);
    }
    if (rc >= 0)
        io->stream_write(io->ctx, OA_SSE_DONE, strlen(OA_SSE_DONE));
    anx_buf_free(&b);
}
