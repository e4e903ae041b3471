/*
 * Host tests of the response cache (cache.c) and kept chat sessions
 * (chat_sessions.c): the cache's key, LRU order and both bounds, model
 * versions; then (with STORIES_BIN/STORIES_TOK set) oa_serve on stories260K:
 * a hit gives the miss's answer without the model (streamed too), no hit
 * for temperature > 0 or a new model version, a session's second turn
 * reports its cached tokens and answers as a fresh request does, eviction,
 * a busy session refused. Prints "ok ..." / "FAIL ..." lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "cache.h"
#include "chat_sessions.h"
#include "json.h"
#include "metrics.h"
#include "oa_test.h"

/* ---- the cache alone ------------------------------------------------------------------------ */

static bool key_of(const char *body, enum oa_kind kind, struct anx_buf *k)
{
    struct oa_request rq;
    struct oa_error e;
    anx_buf_reset(k);
    bool r = oa_parse_request(kind, body, strlen(body), &rq, &e) == 0 && oa_cache_key(k, &rq, 0);
    oa_request_free(&rq);
    return r;
}

static bool same_key(const char *a, const char *b, enum oa_kind ka, enum oa_kind kb)
{
    struct anx_buf x = { 0 }, y = { 0 };
    bool r = key_of(a, ka, &x) && key_of(b, kb, &y) && x.len == y.len && !memcmp(x.p, y.p, x.len);
    anx_buf_free(&x);
    anx_buf_free(&y);
    return r;
}

static void test_keys(void)
{
    struct anx_buf k = { 0 };
    check(key_of("{\"prompt\": \"a\", \"temperature\": 0}", OA_COMPLETION, &k), "key: temperature 0 is cacheable");
    check(key_of("{\"prompt\": \"a\", \"top_p\": 0}", OA_COMPLETION, &k), "key: top_p 0 (greedy) is cacheable");
    check(!key_of("{\"prompt\": \"a\"}", OA_COMPLETION, &k), "key: the default temperature (1) is not");
    check(!key_of("{\"prompt\": \"a\", \"temperature\": 0.7, \"seed\": 1}", OA_COMPLETION, &k),
          "key: temperature 0.7 with a seed is not");
    check(!key_of("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"temperature\": 0, "
                  "\"session_id\": \"s\"}", OA_CHAT, &k), "key: a session's turn is not");
    anx_buf_free(&k);
    const char *base = "{\"prompt\": \"a\", \"temperature\": 0, \"max_tokens\": 5}";
    check(same_key(base, "{\"max_tokens\": 5, \"temperature\": 0, \"prompt\": \"a\", \"seed\": 9, "
                         "\"top_p\": 0.5, \"stream\": true}", OA_COMPLETION, OA_COMPLETION),
          "key: equal for the same request (key order, seed, top_p, stream do not matter)");
    check(!same_key(base, "{\"prompt\": \"b\", \"temperature\": 0, \"max_tokens\": 5}", OA_COMPLETION, OA_COMPLETION),
          "key: another prompt differs");
    check(!same_key(base, "{\"prompt\": \"a\", \"temperature\": 0, \"max_tokens\": 6}", OA_COMPLETION, OA_COMPLETION),
          "key: another max_tokens differs");
    check(!same_key(base, "{\"prompt\": \"a\", \"temperature\": 0, \"max_tokens\": 5, \"stop\": \"x\"}",
                    OA_COMPLETION, OA_COMPLETION), "key: a stop string differs");
    check(!same_key("{\"prompt\": \"a\", \"temperature\": 0, \"stop\": [\"x\", \"y\"]}",
                    "{\"prompt\": \"a\", \"temperature\": 0, \"stop\": \"x\\u0001y\"}", OA_COMPLETION, OA_COMPLETION),
          "key: stop strings cannot be forged by joining them");
    check(!same_key("{\"prompt\": \"User: a\\nAssistant:\", \"temperature\": 0, \"stop\": \"\\nUser:\"}",
                    "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"temperature\": 0}",
                    OA_COMPLETION, OA_CHAT), "key: a chat and a completion of the same text differ");
    check(same_key("{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"temperature\": 0}",
                   "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"a\"}]}], "
                   "\"temperature\": 0}", OA_CHAT, OA_CHAT),
          "key: chats equal after the template are the same key");
}

static struct inf_usage U(int p, int c)
{
    struct inf_usage u = { .prompt_tokens = p, .completion_tokens = c };
    return u;
}

static const char *get_text(struct oa_cache *c, unsigned v, const char *key)
{
    const struct oa_cache_entry *x = oa_cache_get(c, v, key, strlen(key));
    return x ? x->text : NULL;
}

static void test_lru(void)
{
    struct oa_cache c;
    oa_cache_init(&c, 3, 1 << 20);
    oa_cache_put(&c, 1, "A", 1, "ta", 2, "stop", U(1, 1));
    oa_cache_put(&c, 1, "B", 1, "tb", 2, "length", U(1, 2));
    oa_cache_put(&c, 1, "C", 1, "tc", 2, "stop", U(1, 3));
    const char *t = get_text(&c, 1, "A");   /* A is now the most recent: B goes next */
    oa_cache_put(&c, 1, "D", 1, "td", 2, "stop", U(1, 4));
    check(t && !strcmp(t, "ta") && c.n == 3 && !get_text(&c, 1, "B") && get_text(&c, 1, "A") &&
          get_text(&c, 1, "C") && get_text(&c, 1, "D") && c.evictions == 1,
          "lru: 3 entries at most; the least recently used (B) is evicted, not the one just read");
    const struct oa_cache_entry *x = oa_cache_get(&c, 1, "D", 1);
    check(x && x->usage.completion_tokens == 4 && !strcmp(x->finish, "stop") && c.hits == 5 && c.misses == 1,
          "lru: hits and misses counted (%lu, %lu), usage and finish kept", c.hits, c.misses);
    check(!oa_cache_get(&c, 1, "DD", 2) && !oa_cache_get(&c, 1, "", 0), "lru: keys compare by length and bytes");
    oa_cache_put(&c, 1, "D", 1, "td2", 3, "length", U(1, 5));
    check(c.n == 3 && !strcmp(get_text(&c, 1, "D"), "td2"), "lru: the same key again replaces its answer");
    /* a new model version empties it at once; an older version's answer is dropped */
    check(!get_text(&c, 2, "A") && c.n == 0 && c.bytes == 0 && c.flushes == 1,
          "version: a lookup with a new model version finds nothing and empties the cache");
    check(!oa_cache_put(&c, 1, "A", 1, "old", 3, "stop", U(1, 1)) && c.n == 0,
          "version: an answer of the model swapped out meanwhile is not kept");
    oa_cache_clear(&c);

    /* the byte bound */
    size_t each = sizeof(struct oa_cache_entry) + 1 + 100 + 2;
    oa_cache_init(&c, 100, 3 * each);
    char text[101];
    memset(text, 'x', 100);
    text[100] = 0;
    int ok = 1;
    for (int i = 0; i < 10; i++) {
        char key[2] = { (char)('a' + i), 0 };
        oa_cache_put(&c, 7, key, 1, text, 100, "stop", U(1, 1));
        ok &= c.bytes <= 3 * each;
    }
    check(ok && c.n == 3 && c.bytes == 3 * each && get_text(&c, 7, "j") && !get_text(&c, 7, "g"),
          "bytes: never more than the bound (%zu of %zu), the newest kept", c.bytes, 3 * each);
    char big[4096];
    memset(big, 'y', sizeof(big));
    check(!oa_cache_put(&c, 7, "big", 3, big, sizeof(big), "stop", U(1, 1)) && c.n == 3,
          "bytes: an answer larger than the bound is not kept (and evicts nothing)");
    oa_cache_clear(&c);
    oa_cache_init(&c, 0, 1 << 20);
    check(!oa_cache_put(&c, 0, "a", 1, "t", 1, "stop", U(1, 1)) && !oa_cache_get(&c, 0, "a", 1) && c.misses == 0,
          "off: 0 entries keeps and counts nothing");
}

/* ---- serving on stories260K ----------------------------------------------------------------- */

struct cap { struct anx_buf body; char cache[16]; int locks, begun; };
static int c_begin(void *ctx, const char *ct) { ((struct cap *)ctx)->begun = !strcmp(ct, "text/event-stream"); return 0; }
static int c_write(void *ctx, const void *p, size_t n) { anx_buf_add(&((struct cap *)ctx)->body, p, n); return 0; }
static void c_lock(void *ctx) { ((struct cap *)ctx)->locks++; }
static void c_header(void *ctx, const char *name, const char *value)
{
    if (!strcmp(name, "X-Anunix-Cache"))
        snprintf(((struct cap *)ctx)->cache, sizeof(((struct cap *)ctx)->cache), "%s", value);
}

static const char *session_hdr;
static int serve(struct oa_server *srv, enum oa_kind k, const char *body, struct cap *c)
{
    struct oa_io io;
    anx_buf_free(&c->body);
    memset(c, 0, sizeof(*c));
    memset(&io, 0, sizeof(io));
    io.ctx = c;
    io.out = &c->body;
    io.stream_begin = c_begin;
    io.stream_write = c_write;
    io.lock = c_lock;
    io.header = c_header;
    if (session_hdr) {
        io.session_hdr = session_hdr;
        io.session_hdr_len = strlen(session_hdr);
    }
    oa_serve(srv, k, body, strlen(body), &io);
    return io.status;
}

/* The text of an answer, streamed or not, and its usage. */
struct ans { char text[4096]; char id[32]; int pt, ct, cached; };
static bool answer(const char *body, struct ans *a)
{
    memset(a, 0, sizeof(*a));
    a->cached = -1;
    size_t o = 0;
    bool stream = !strncmp(body, "data: ", 6), ok = true;
    for (const char *p = body; p && *p && ok;) {
        const char *j = stream ? p + 6 : p;
        const char *end = stream ? strstr(p, "\n\n") : p + strlen(p);
        if (!end) return false;
        if (stream && !strncmp(j, "[DONE]", 6)) break;
        struct json_doc d;
        struct json_error e;
        if (oa_json_parse(&d, j, (size_t)(end - j), &e) < 0) return false;
        const struct json_value *id = oa_json_get(&d, &d.v[0], "id");
        if (id) snprintf(a->id, sizeof(a->id), "%s", id->str);
        const struct json_value *ch = oa_json_get(&d, &d.v[0], "choices");
        const struct json_value *c0 = ch ? oa_json_at(&d, ch->first) : NULL;
        const struct json_value *t = oa_json_get(&d, c0, "text");
        if (!t) t = oa_json_get(&d, oa_json_get(&d, c0, "message"), "content");
        if (!t) t = oa_json_get(&d, oa_json_get(&d, c0, "delta"), "content");
        if (t && t->type == JSON_STRING && o + t->len < sizeof(a->text)) {
            memcpy(a->text + o, t->str, t->len);
            o += t->len;
        }
        const struct json_value *u = oa_json_get(&d, &d.v[0], "usage");
        if (u && u->type == JSON_OBJECT) {
            a->pt = (int)oa_json_get(&d, u, "prompt_tokens")->num;
            a->ct = (int)oa_json_get(&d, u, "completion_tokens")->num;
            const struct json_value *ctd = oa_json_get(&d, oa_json_get(&d, u, "prompt_tokens_details"),
                                                       "cached_tokens");
            if (ctd) a->cached = (int)ctd->num;
        }
        oa_json_free(&d);
        p = stream ? end + 2 : NULL;
    }
    return ok;
}

static unsigned version = 1;
static unsigned model_version(void) { return version; }

static void test_serve_cache(struct oa_server *srv)
{
    struct cap c = { 0 };
    struct ans a, b;
    const char *req = "{\"prompt\": \"Once upon a time\", \"temperature\": 0, \"max_tokens\": 20}";
    int st = serve(srv, OA_COMPLETION, req, &c);
    bool ok = answer(c.body.p, &a);
    check(st == 200 && ok && !strcmp(c.cache, "miss") && c.locks == 1 && a.ct == 20 && a.cached == -1,
          "cache: the first greedy request is a miss, generated (X-Anunix-Cache: %s)", c.cache);
    st = serve(srv, OA_COMPLETION, req, &c);
    answer(c.body.p, &b);
    check(st == 200 && !strcmp(c.cache, "hit") && c.locks == 0 && !strcmp(a.text, b.text) &&
          strcmp(a.id, b.id) && b.pt == a.pt && b.ct == a.ct && srv->cache->hits == 1,
          "cache: the same request again is a hit: the same text and usage, a new id, the model untouched");
    st = serve(srv, OA_COMPLETION, "{\"prompt\": \"Once upon a time\", \"temperature\": 0, \"max_tokens\": 20, "
                                   "\"stream\": true, \"stream_options\": {\"include_usage\": true}}", &c);
    answer(c.body.p, &b);
    check(st == 0 && c.begun && !strcmp(c.cache, "hit") && c.locks == 0 && !strcmp(a.text, b.text) &&
          b.ct == 20 && strstr(c.body.p, "data: [DONE]\n\n"),
          "cache: a streamed request is answered from it too, as events: '%.40s...'", b.text);
    /* a streamed miss fills it; the plain request then hits with the streamed text */
    const char *s2 = "{\"prompt\": \"The dog\", \"temperature\": 0, \"max_tokens\": 15, \"stream\": true}";
    serve(srv, OA_COMPLETION, s2, &c);
    answer(c.body.p, &a);
    check(!strcmp(c.cache, "miss") && c.locks == 1, "cache: a streamed miss generates");
    serve(srv, OA_COMPLETION, "{\"prompt\": \"The dog\", \"temperature\": 0, \"max_tokens\": 15}", &c);
    answer(c.body.p, &b);
    check(!strcmp(c.cache, "hit") && !strcmp(a.text, b.text) && a.text[0],
          "cache: the streamed answer's whole text was kept: '%s'", b.text);
    serve(srv, OA_COMPLETION, "{\"prompt\": \"Once upon a time\", \"temperature\": 0.8, \"max_tokens\": 20, "
                              "\"seed\": 3}", &c);
    check(!strcmp(c.cache, "bypass") && c.locks == 1, "cache: temperature 0.8 never hits (bypass)");
    version++;                                  /* the infer module swapped in a new model */
    serve(srv, OA_COMPLETION, req, &c);
    check(!strcmp(c.cache, "miss") && c.locks == 1 && srv->cache->flushes == 1 && srv->cache->n == 1,
          "cache: after a model swap the same request is a miss (the old answers are gone)");
    const char *chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"temperature\": 0, "
                       "\"max_tokens\": 10}";
    serve(srv, OA_CHAT, chat, &c);
    answer(c.body.p, &a);
    serve(srv, OA_CHAT, chat, &c);
    answer(c.body.p, &b);
    check(!strcmp(c.cache, "hit") && !strcmp(a.text, b.text) && strstr(c.body.p, "\"chat.completion\"") &&
          strstr(b.id, "chatcmpl-"), "cache: chat completions hit too, in their own shape");
    struct anx_buf m = { 0 };
    oa_metrics_text(&m, srv);
    check(strstr(m.p, "anx_openai_cache_requests_total{result=\"hit\"} 4\n") &&
          strstr(m.p, "anx_openai_cache_requests_total{result=\"miss\"} 4\n"),
          "cache: /metrics counts 4 hits and 4 misses");
    anx_buf_free(&m);
    anx_buf_free(&c.body);
}

static void test_serve_sessions(struct oa_server *srv, struct oa_sessions *t)
{
    struct cap c = { 0 };
    struct ans a, b, f;
#define STORY "Lily and Ben went to the park. They saw a big tree and a little bird. The bird sang a song. " \
              "Lily wanted to climb the tree, but Ben was scared. "
    const char *t1 = "{\"session_id\": \"s1\", \"messages\": [{\"role\": \"system\", \"content\": \""
                     STORY STORY STORY "\"}, {\"role\": \"user\", \"content\": "
                     "\"Tell me a story.\"}], \"temperature\": 0, \"max_tokens\": 20}";
    int st = serve(srv, OA_CHAT, t1, &c);
    answer(c.body.p, &a);
    check(st == 200 && a.cached == 0 && a.pt > 200 && !strcmp(c.cache, "bypass") &&
          oa_sessions_count(t) == 1 && t->created == 1 && t->bytes > 0,
          "session: turn 1 runs its %d prompt tokens (cached_tokens 0), the session is kept (%zu bytes)",
          a.pt, t->bytes);
    char t2[8192], plain[8192];
    const char *msgs = "\"messages\": [{\"role\": \"system\", \"content\": \"" STORY STORY STORY "\"}, "
                       "{\"role\": \"user\", \"content\": \"Tell me a story.\"}, "
                       "{\"role\": \"assistant\", \"content\": %s}, {\"role\": \"user\", \"content\": "
                       "\"And then?\"}], \"temperature\": 0, \"max_tokens\": 20}";
    char m[4096];
    struct anx_buf js = { 0 };
    rt_json_str(&js, a.text, strlen(a.text));
    snprintf(m, sizeof(m), msgs, js.p);
    anx_buf_free(&js);
    snprintf(t2, sizeof(t2), "{\"session_id\": \"s1\", %s", m);
    snprintf(plain, sizeof(plain), "{%s", m);
    st = serve(srv, OA_CHAT, t2, &c);
    answer(c.body.p, &b);
    if (st != 200)
        printf("     turn 2: %d %.300s\n", st, c.body.p);
    serve(srv, OA_CHAT, plain, &c);             /* the same turn without a session */
    answer(c.body.p, &f);
    check(st == 200 && b.cached >= a.pt + a.ct - 2 && b.cached < b.pt && b.pt == f.pt && f.cached == -1 &&
          !strcmp(b.text, f.text) && b.ct == f.ct,
          "session: turn 2 reuses %d of its %d prompt tokens (turn 1: %d + %d) and answers as a fresh request: '%.40s'",
          b.cached, b.pt, a.pt, a.ct, b.text);
    /* the header names a session too */
    session_hdr = "s1";
    st = serve(srv, OA_CHAT, plain, &c);
    answer(c.body.p, &f);
    check(st == 200 && f.cached == b.pt - 1, "session: X-Session-Id: the same text again reuses all but its last token (%d of %d)",
          f.cached, f.pt);
    session_hdr = "bad id!";
    st = serve(srv, OA_CHAT, plain, &c);
    check(st == 400 && strstr(c.body.p, "X-Session-Id"), "session: an invalid X-Session-Id is 400");
    session_hdr = NULL;
    st = serve(srv, OA_CHAT, "{\"session_id\": \"\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", &c);
    check(st == 400 && strstr(c.body.p, "\"param\": \"session_id\""), "session: an empty session_id is 400");
    /* a bound of 2: a third session evicts the least recently used (s1 was used last, s2 goes) */
    serve(srv, OA_CHAT, "{\"session_id\": \"s2\", \"messages\": [{\"role\": \"user\", \"content\": \"a\"}], "
                        "\"max_tokens\": 2}", &c);
    serve(srv, OA_CHAT, "{\"session_id\": \"s1\", \"messages\": [{\"role\": \"user\", \"content\": \"b\"}], "
                        "\"max_tokens\": 2}", &c);
    serve(srv, OA_CHAT, "{\"session_id\": \"s3\", \"messages\": [{\"role\": \"user\", \"content\": \"c\"}], "
                        "\"max_tokens\": 2}", &c);
    bool s2 = false, s1 = false;
    for (int i = 0; i < t->max; i++) {
        s1 |= !strcmp(t->v[i].id, "s1");
        s2 |= !strcmp(t->v[i].id, "s2");
    }
    check(oa_sessions_count(t) == 2 && s1 && !s2 && t->evicted == 1,
          "session: at most 2 kept; the least recently used (s2) is evicted");
    /* a turn on a session whose turn runs is refused, not interleaved */
    for (int i = 0; i < t->max; i++)
        if (!strcmp(t->v[i].id, "s1"))
            t->v[i].busy = true;
    st = serve(srv, OA_CHAT, t1, &c);
    check(st == 409 && strstr(c.body.p, "session_busy") && t->refused_busy == 1,
          "session: a second turn while one runs is 409 session_busy");
    for (int i = 0; i < t->max; i++)
        t->v[i].busy = false;
    /* a model swap: the session starts over on the new model */
    struct inf_model other = *srv->model;
    const struct inf_model *old = srv->model;
    srv->model = &other;
    serve(srv, OA_COMPLETION, "{\"prompt\": \"x\", \"max_tokens\": 1}", &c);   /* no session */
    int stale = 0;
    for (int i = 0; i < t->max; i++)
        stale += t->v[i].s != NULL;
    check(stale == 0 && t->bytes == 0 && oa_sessions_count(t) == 2,
          "session: the next generation after a swap frees the sessions' old state (ids kept)");
    st = serve(srv, OA_CHAT, t1, &c);
    answer(c.body.p, &f);
    check(st == 200 && f.cached == 0 && !strcmp(f.text, a.text),
          "session: after a model swap its next turn starts over (cached_tokens 0)");
    srv->model = old;
    struct anx_buf mt = { 0 };
    oa_metrics_text(&mt, srv);
    check(strstr(mt.p, "anx_openai_sessions 2\n") && strstr(mt.p, "anx_openai_session_evictions_total 1\n"),
          "session: /metrics counts sessions and evictions");
    anx_buf_free(&mt);
    anx_buf_free(&c.body);
}

static void test_serve(void)
{
    void *md, *td;
    struct inf_model model;
    if (load_stories260k("openai/cache-serve", "serve", &model, &md, &td) <= 0)
        return;
    struct oa_cache cache;
    oa_cache_init(&cache, 8, 64 * 1024);
    struct oa_sessions sessions;
    oa_sessions_init(&sessions, 2, NULL);
    struct oa_server srv = { .model = &model, .model_id = "stories260K.bin", .model_version = model_version,
                             .cache = &cache, .sessions = &sessions };
    test_serve_cache(&srv);
    test_serve_sessions(&srv, &sessions);
    oa_sessions_free(&sessions);
    oa_cache_clear(&cache);
    inf_model_free(&model);
    free(md);
    free(td);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_keys();
    test_lru();
    test_serve();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
