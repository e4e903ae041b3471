/*
 * Generation sessions: the API the HTTP layer and the host tool use.
 * A session owns the KV cache and sampler of one conversation; text leaves
 * through a callback as soon as it cannot be the start of a stop string.
 */
#include <anx/smp.h>
#include <anx/thread.h>
#include "infer.h"

struct inf_session {
    const struct inf_model *m;
    struct inf_params p;
    struct inf_state st;
    struct inf_sampler smp;
    int *tokens;
    int n_tokens, cap;
    int n_prompt, completion;
    int pos, cur;
    char *pend;                          /* text held back (possible stop-string start) */
    size_t pend_len, pend_cap;
    enum inf_finish fin;
    char **stop;
    int n_stop;
    int cached;                          /* prompt tokens inf_session_continue kept */
    bool reused;
};

const char *inf_finish_name(enum inf_finish f)
{
    switch (f) {
    case INF_RUNNING: return "running";
    case INF_FINISH_LENGTH: return "length";
    case INF_FINISH_STOP: return "stop";
    default: return "error";
    }
}

static void free_stops(struct inf_session *s)
{
    for (int i = 0; i < s->n_stop; i++)
        anx_free(s->stop[i]);
    anx_free(s->stop);
    s->stop = NULL;
    s->n_stop = 0;
}

/* Copies p's stop strings (empty ones dropped); -1 when memory ran out. */
static int set_stops(struct inf_session *s, const struct inf_params *p)
{
    free_stops(s);
    if (p->n_stop <= 0)
        return 0;
    s->stop = anx_calloc((size_t)p->n_stop, sizeof(char *));
    if (!s->stop)
        return -1;
    for (int i = 0; i < p->n_stop; i++) {
        if (!p->stop[i] || !p->stop[i][0])
            continue;
        size_t n = strlen(p->stop[i]);
        if (!(s->stop[s->n_stop] = anx_malloc(n + 1)))
            return -1;
        memcpy(s->stop[s->n_stop++], p->stop[i], n + 1);
    }
    return 0;
}

void inf_session_free(struct inf_session *s)
{
    if (!s)
        return;
    inf_state_free(&s->st);
    inf_sampler_free(&s->smp);
    free_stops(s);
    anx_free(s->tokens);
    anx_free(s->pend);
    anx_free(s);
}

struct inf_session *inf_session_create(const struct inf_model *m, const struct inf_params *p,
                                       char *err)
{
    struct inf_session *s = anx_calloc(1, sizeof(*s));
    if (!s) {
        inf_oom(err, NULL, "a session", sizeof(*s));
        return NULL;
    }
    s->m = m;
    s->p = *p;
    s->p.stop = NULL;
    if (inf_state_init(&s->st, &m->cfg, p->ctx) < 0 ||
        inf_sampler_init(&s->smp, m->cfg.vocab_size, p->temperature, p->top_p, p->seed) < 0) {
        size_t kv, all = inf_state_bytes(&m->cfg, p->ctx, &kv);
        char what[96];
        snprintf(what, sizeof(what), "the KV cache of %d positions (%zu bytes) and the activations",
                 p->ctx > 0 && p->ctx < m->cfg.seq_len ? p->ctx : m->cfg.seq_len, kv);
        inf_oom(err, NULL, what, all + (size_t)m->cfg.vocab_size * sizeof(*s->smp.cand));
        goto fail;
    }
    s->cap = s->st.ctx + 8;
    s->tokens = anx_malloc((size_t)s->cap * sizeof(int));
    s->pend_cap = 256;
    s->pend = anx_malloc(s->pend_cap);
    if (!s->tokens || !s->pend)
        goto oom;
    if (set_stops(s, p) < 0)
        goto oom;
    return s;
oom:
    inf_oom(err, NULL, "the token buffers", (size_t)s->cap * sizeof(int) + s->pend_cap);
fail:
    inf_session_free(s);
    return NULL;
}

/* Tokenize text (BOS first) into a new array; SentencePiece starts from one
 * symbol per character before it merges, so the array holds a symbol per
 * byte even when the tokens would fit the context. The count, -1 (more
 * than ctx tokens) or ANX_ENOMEM; *out is freed by the caller. */
static int encode_all(const struct inf_session *s, const char *text, int **out)
{
    if (!(*out = anx_malloc(((size_t)s->st.ctx + 1) * sizeof(int))))
        return ANX_ENOMEM;
    int n = inf_encode_all(&s->m->tok, text, *out, s->st.ctx);
    if (n == 0)                          /* no BOS in this vocabulary and no text */
        (*out)[n++] = 0;
    return n;
}

/* Prompt tokens [from, to) into the KV cache (no logits needed), in
 * batches, on a compute CPU when there is one (<anx/smp.h>), yielding
 * between batches so that other requests and the shell keep going during a
 * long prompt. *done (when given) follows the tokens done, for a caller
 * that keeps what ran before a failure. */
static int run_prompt(struct inf_session *s, int from, int to, int *done)
{
    if (from >= to)
        return 0;
    bool detached = anx_detach();
    int rc = 0;
    for (int i = from; i < to; i += INF_BATCH) {
        int n = to - i < INF_BATCH ? to - i : INF_BATCH;
        if (!inf_forward_batch(s->m, &s->st, s->tokens + i, n, i)) {
            rc = -1;
            break;
        }
        if (done)
            *done = i + n;
        anx_yield();
    }
    if (detached)
        anx_attach();
    return rc;
}

int inf_session_prompt(struct inf_session *s, const char *text)
{
    int *all = NULL;
    int n = encode_all(s, text ? text : "", &all);
    if (n > 0)
        memcpy(s->tokens, all, (size_t)n * sizeof(int));
    anx_free(all);
    if (n < 0) {
        s->fin = INF_FINISH_ERROR;
        return n;
    }
    s->n_tokens = s->n_prompt = n;
    s->cached = 0;
    s->reused = false;
    if (run_prompt(s, 0, n - 1, NULL) < 0) {
        s->fin = INF_FINISH_ERROR;
        return -1;
    }
    s->pos = n - 1;
    s->cur = s->tokens[n - 1];
    return n;
}

int inf_session_continue(struct inf_session *s, const struct inf_params *p, const char *text,
                         int *cached)
{
    /* KV entries exist for positions below pos, and only for tokens kept
     * in tokens[] (a BOS/EOS that ended a turn is not). */
    int valid = s->pos < s->n_tokens ? s->pos : s->n_tokens;
    if (cached)
        *cached = 0;
    int *t = NULL;
    int n = encode_all(s, text ? text : "", &t);
    if (n < 0) {                         /* the session stays as it was */
        anx_free(t);
        s->fin = INF_FINISH_ERROR;
        return n;
    }
    int k = 0;
    while (k < valid && k < n && t[k] == s->tokens[k])
        k++;
    if (k >= n)
        k = n - 1;                       /* the last token runs again, for its logits */
    /* whatever happens next, the session keeps tokens[0..k) and their KV entries */
    s->n_tokens = s->pos = k;
    s->n_prompt = s->completion = 0;
    s->pend_len = 0;
    s->fin = INF_FINISH_ERROR;
    int ctx = s->p.ctx;
    s->p = *p;
    s->p.stop = NULL;
    s->p.ctx = ctx;
    inf_sampler_free(&s->smp);
    if (set_stops(s, p) < 0 ||
        inf_sampler_init(&s->smp, s->m->cfg.vocab_size, p->temperature, p->top_p, p->seed) < 0) {
        anx_free(t);
        return ANX_ENOMEM;
    }
    for (int i = k; i < n; i++)
        s->tokens[i] = t[i];
    anx_free(t);
    if (run_prompt(s, k, n - 1, &s->pos) < 0) {
        s->n_tokens = s->pos;
        return -1;
    }
    s->n_tokens = s->n_prompt = n;
    s->pos = n - 1;
    s->cur = s->tokens[n - 1];
    s->fin = INF_RUNNING;
    s->cached = k;
    s->reused = true;
    if (cached)
        *cached = k;
    return n;
}

size_t inf_session_bytes(const struct inf_session *s)
{
    return sizeof(*s) + inf_state_bytes(&s->m->cfg, s->st.ctx, NULL) +
           (size_t)s->cap * sizeof(int) + s->pend_cap +
           (size_t)s->m->cfg.vocab_size * sizeof(*s->smp.cand);
}

static int emit(struct inf_session *s, int token, size_t len, inf_text_cb cb, void *arg)
{
    int stop = 0;
    if (len && cb)
        stop = cb(arg, token, s->pend, len);
    memmove(s->pend, s->pend + len, s->pend_len - len);
    s->pend_len -= len;
    return stop;
}

/* Emit what cannot start a stop string; 1 when a stop string completed. */
static int flush_safe(struct inf_session *s, int token, inf_text_cb cb, void *arg, int *cb_stop)
{
    for (int i = 0; i < s->n_stop; i++) {
        size_t sl = strlen(s->stop[i]);
        for (size_t o = 0; o + sl <= s->pend_len; o++)
            if (memcmp(s->pend + o, s->stop[i], sl) == 0) {
                *cb_stop = emit(s, token, o, cb, arg);
                s->pend_len = 0;
                return 1;
            }
    }
    size_t keep = 0;                     /* longest suffix that is a stop-string prefix */
    for (int i = 0; i < s->n_stop; i++) {
        size_t sl = strlen(s->stop[i]);
        for (size_t k = sl - 1; k > keep; k--)
            if (k <= s->pend_len && memcmp(s->pend + s->pend_len - k, s->stop[i], k) == 0) {
                keep = k;
                break;
            }
    }
    *cb_stop = emit(s, token, s->pend_len - keep, cb, arg);
    return 0;
}

enum inf_finish inf_session_step(struct inf_session *s, inf_text_cb cb, void *arg)
{
    if (s->fin != INF_RUNNING)
        return s->fin;
    int limit = s->st.ctx;
    if (s->p.steps > 0 && s->p.steps < limit)
        limit = s->p.steps;
    if (s->n_tokens == 0 || s->pos >= limit ||
        (s->p.max_tokens > 0 && s->completion >= s->p.max_tokens)) {
        s->fin = s->n_tokens == 0 ? INF_FINISH_ERROR : INF_FINISH_LENGTH;
        emit(s, -1, s->pend_len, cb, arg);
        return s->fin;
    }
    /* the token's computation on a compute CPU; the text goes out from
     * the kernel CPU */
    bool detached = anx_detach();
    float *logits = inf_forward(s->m, &s->st, s->cur, s->pos);
    int next = logits ? inf_sample(&s->smp, logits) : -1;
    if (detached)
        anx_attach();
    if (!logits)
        return s->fin = INF_FINISH_ERROR;
    s->pos++;
    const struct inf_tokenizer *t = &s->m->tok;
    if (next == t->bos || next == t->eos) {
        s->fin = INF_FINISH_STOP;
        emit(s, next, s->pend_len, cb, arg);
        return s->fin;
    }
    s->tokens[s->n_tokens++] = next;
    s->completion++;
    char piece[2 * 4096 + 8];
    size_t n = inf_decode(t, s->cur, next, piece, sizeof(piece));
    /* a lone control byte is not text (llama2.c's safe_printf) */
    if (n == 1 && ((uint8_t)piece[0] < 0x20 || piece[0] == 0x7f) &&
        !(piece[0] == ' ' || (piece[0] >= '\t' && piece[0] <= '\r')))
        n = 0;
    if (s->pend_len + n > s->pend_cap) {
        size_t nc = (s->pend_len + n) * 2;
        char *np = anx_realloc(s->pend, nc);
        if (!np)
            return s->fin = INF_FINISH_ERROR;
        s->pend = np;
        s->pend_cap = nc;
    }
    memcpy(s->pend + s->pend_len, piece, n);
    s->pend_len += n;
    s->cur = next;
    int cb_stop = 0;
    if (flush_safe(s, next, cb, arg, &cb_stop))
        return s->fin = INF_FINISH_STOP;
    if (cb_stop)
        return s->fin = INF_FINISH_STOP;
    if (s->pos >= limit || (s->p.max_tokens > 0 && s->completion >= s->p.max_tokens)) {
        emit(s, -1, s->pend_len, cb, arg);
        return s->fin = INF_FINISH_LENGTH;
    }
    return INF_RUNNING;
}

enum inf_finish inf_generate(struct inf_session *s, const char *prompt, inf_text_cb cb, void *arg)
{
    if (inf_session_prompt(s, prompt) < 0)
        return INF_FINISH_ERROR;
    enum inf_finish f;
    while ((f = inf_session_step(s, cb, arg)) == INF_RUNNING)
        ;
    return f;
}

struct inf_usage inf_session_usage(const struct inf_session *s)
{
    struct inf_usage u = { s->n_prompt, s->completion, s->cached, s->reused };
    return u;
}

const int *inf_session_tokens(const struct inf_session *s, int *n)
{
    *n = s->n_tokens;
    return s->tokens;
}
