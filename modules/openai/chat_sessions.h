/*
 * chat_sessions.h - kept chat sessions: a request naming a session id
 * ("session_id" in the body, or the X-Session-Id header) continues that
 * conversation's inf_session, whose KV cache holds the tokens of the turns
 * before, so the next turn runs only the tokens after the longest common
 * prefix (inf_session_continue). The table is bounded (openai.sessions);
 * a new id past the bound evicts the least recently used session, and one
 * is evicted too when a new session does not fit in memory. A session
 * holds its model (inf_model_get); after a swap its next turn starts over
 * on the new model. Turns of one session never overlap: generation is
 * serialized on the model, and a session in use is refused (409) should a
 * second turn reach it anyway. docs/openai-api.md, "Sessions".
 */
#ifndef OA_CHAT_SESSIONS_H
#define OA_CHAT_SESSIONS_H

#include "api.h"

#define OA_SESSION_ID_MAX 64

struct oa_chat_session {
    char id[OA_SESSION_ID_MAX + 1]; /* "" = a free slot */
    struct inf_session *s;          /* NULL until its first turn creates it */
    const struct inf_model *model;  /* the model s runs on (held), or NULL */
    uint64_t used;                  /* LRU tick */
    size_t bytes;                   /* inf_session_bytes(s) */
    bool busy;                      /* a turn is running on it */
};

struct oa_sessions {
    int max;                   /* 0: off (session ids are ignored) */
    struct oa_chat_session *v; /* max slots */
    uint64_t tick;
    size_t bytes; /* held by all sessions */
    unsigned long created, turns, evicted, refused_busy, cached_tokens;
    void (*model_put)(const struct inf_model *m); /* NULL: models are not counted */
};

/* 0, or ANX_ENOMEM. */
int oa_sessions_init(struct oa_sessions *t, int max, void (*model_put)(const struct inf_model *m));
void oa_sessions_free(struct oa_sessions *t);
bool oa_sessions_enabled(const struct oa_sessions *t);
/* Whether id (n bytes) is a valid session id: 1 to 64 of A-Z a-z 0-9 . _ : - */
bool oa_session_id_valid(const char *id, size_t n);
int oa_sessions_count(const struct oa_sessions *t);
/* The session of id for a turn with model, marked busy: its slot (s NULL
 * for a new one or one whose model is no longer in use), or NULL with *why
 * "busy" (a turn runs on it) or "full" (every slot is busy). */
struct oa_chat_session *oa_sessions_take(struct oa_sessions *t, const char *id,
                                         const struct inf_model *model, const char **why);
/* Frees the state of idle sessions made with another model than model (the
 * infer module swapped in a new one): the old model is freed once nothing
 * holds it, instead of when each id comes back; their next turn starts over. */
void oa_sessions_drop_stale(struct oa_sessions *t, const struct inf_model *model);
/* Frees the least recently used idle session other than keep (to make room
 * in memory); false when there is none. */
bool oa_sessions_evict_one(struct oa_sessions *t, const struct oa_chat_session *keep);
/* The turn is over: keep the session for the next (its bytes counted), or
 * forget it (keep false: its state is of no use). */
void oa_sessions_release(struct oa_sessions *t, struct oa_chat_session *cs, bool keep);

#endif
