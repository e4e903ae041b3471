/*
 * chat_sessions.c - the table of kept chat sessions (chat_sessions.h): a
 * fixed array of slots searched linearly (openai.sessions is small: each
 * session holds a whole KV cache), least recently used evicted first.
 */
#include "chat_sessions.h"

int oa_sessions_init(struct oa_sessions *t, int max, void (*model_put)(const struct inf_model *m))
{
    memset(t, 0, sizeof(*t));
    t->model_put = model_put;
    if (max <= 0)
        return 0;
    if (!(t->v = anx_calloc((size_t)max, sizeof(*t->v))))
        return ANX_ENOMEM;
    t->max = max;
    return 0;
}

bool oa_sessions_enabled(const struct oa_sessions *t)
{
    return t && t->max > 0;
}

bool oa_session_id_valid(const char *id, size_t n)
{
    if (!id || n == 0 || n > OA_SESSION_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

int oa_sessions_count(const struct oa_sessions *t)
{
    int n = 0;
    for (int i = 0; t && i < t->max; i++)
        n += t->v[i].id[0] != 0;
    return n;
}

/* Frees the slot's session and gives back its model; the slot stays. */
static void drop_state(struct oa_sessions *t, struct oa_chat_session *cs)
{
    if (cs->s)
        inf_session_free(cs->s);
    if (cs->model && t->model_put)
        t->model_put(cs->model);
    t->bytes -= cs->bytes;
    cs->s = NULL;
    cs->model = NULL;
    cs->bytes = 0;
}

static void forget(struct oa_sessions *t, struct oa_chat_session *cs)
{
    drop_state(t, cs);
    memset(cs, 0, sizeof(*cs));
}

void oa_sessions_free(struct oa_sessions *t)
{
    for (int i = 0; i < t->max; i++)
        forget(t, &t->v[i]);
    anx_free(t->v);
    t->v = NULL;
    t->max = 0;
}

static struct oa_chat_session *lru_idle(struct oa_sessions *t, const struct oa_chat_session *keep)
{
    struct oa_chat_session *old = NULL;
    for (int i = 0; i < t->max; i++) {
        struct oa_chat_session *cs = &t->v[i];
        if (cs->id[0] && !cs->busy && cs != keep && (!old || cs->used < old->used))
            old = cs;
    }
    return old;
}

void oa_sessions_drop_stale(struct oa_sessions *t, const struct inf_model *model)
{
    for (int i = 0; t && i < t->max; i++) {
        struct oa_chat_session *cs = &t->v[i];
        if (cs->id[0] && !cs->busy && cs->model && cs->model != model)
            drop_state(t, cs);
    }
}

bool oa_sessions_evict_one(struct oa_sessions *t, const struct oa_chat_session *keep)
{
    struct oa_chat_session *old = lru_idle(t, keep);
    if (!old)
        return false;
    forget(t, old);
    t->evicted++;
    return true;
}

struct oa_chat_session *oa_sessions_take(struct oa_sessions *t, const char *id,
                                         const struct inf_model *model, const char **why)
{
    struct oa_chat_session *cs = NULL, *free_slot = NULL;
    for (int i = 0; i < t->max; i++) {
        if (!strcmp(t->v[i].id, id) && t->v[i].id[0])
            cs = &t->v[i];
        else if (!t->v[i].id[0] && !free_slot)
            free_slot = &t->v[i];
    }
    if (cs && cs->busy) {
        t->refused_busy++;
        *why = "busy";
        return NULL;
    }
    if (cs && cs->model != model) /* the model was swapped: start over on the new one */
        drop_state(t, cs);
    if (!cs) {
        if (!free_slot) {
            if (!(free_slot = lru_idle(t, NULL))) {
                *why = "full";
                return NULL;
            }
            forget(t, free_slot);
            t->evicted++;
        }
        cs = free_slot;
        strlcpy(cs->id, id, sizeof(cs->id));
    }
    cs->busy = true;
    cs->used = ++t->tick;
    t->turns++;
    return cs;
}

void oa_sessions_release(struct oa_sessions *t, struct oa_chat_session *cs, bool keep)
{
    cs->busy = false;
    if (!keep || !cs->s) {
        forget(t, cs);
        return;
    }
    t->bytes -= cs->bytes;
    cs->bytes = inf_session_bytes(cs->s);
    t->bytes += cs->bytes;
    t->cached_tokens += (unsigned long)inf_session_usage(cs->s).cached_tokens;
}
