/*
 * Retrieval-augmented chat (rag.h): the retrieved passages written before
 * the conversation, cut to what the context holds.
 */
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include "api.h"
#include "rag.h"
#include "router.h"

void oa_sources_free(struct oa_sources *src)
{
    anx_passages_free(src->p, src->n);
    src->n = 0;
}

/* Where the context goes: before the last "User: QUESTION" of the prompt,
 * so the turns before it stay a stable prefix (a kept session reuses their
 * KV cache: docs/openai-api.md, "Sessions"); the start when it is not there. */
static size_t context_at(const char *prompt, const char *question)
{
    size_t ql = strlen(question), at = 0;
    for (const char *p = strstr(prompt, "User: "); p; p = strstr(p + 1, "User: "))
        if (!strncmp(p + 6, question, ql))
            at = (size_t)(p - prompt);
    return at;
}

/* The prompt with the context block of the first n passages at `at`. */
static char *compose(const struct oa_sources *src, int n, const char *prompt, size_t at)
{
    struct anx_buf b = {0};
    anx_buf_add(&b, prompt, at);
    if (n > 0) {
        anx_buf_puts(&b, "Context:\n");
        for (int i = 0; i < n; i++) {
            const struct anx_passage *p = &src->p[i];
            anx_buf_printf(&b, "[%s v%u] ", p->source, (unsigned)p->version);
            bool space = false;
            for (const char *c = p->text; *c; c++) {
                bool ws = *c == ' ' || *c == '\n' || *c == '\t' || *c == '\r';
                if (ws)
                    space = true;
                else {
                    if (space && b.len && b.p[b.len - 1] != ' ')
                        anx_buf_add(&b, " ", 1);
                    space = false;
                    anx_buf_add(&b, c, 1);
                }
            }
            anx_buf_add(&b, "\n", 1);
        }
        anx_buf_add(&b, "\n", 1);
    }
    anx_buf_puts(&b, prompt + at);
    return anx_buf_take(&b);
}

/* Tokens of text (BOS included), -1 past limit, or ANX_ENOMEM. */
static int count_tokens(const struct inf_model *m, const char *text, int limit)
{
    int *t = anx_malloc(((size_t)limit + 1) * sizeof(int));
    if (!t)
        return ANX_ENOMEM;
    int n = inf_encode_all(&m->tok, text, t, limit);
    anx_free(t);
    return n;
}

int oa_rag_prompt(const struct inf_model *m, int ctx, int reserve, const char *collection, int k,
                  const char *question, const char *prompt, struct oa_sources *src, char **out)
{
    *out = NULL;
    src->n = 0;
    if (k > OA_RAG_MAX_K)
        k = OA_RAG_MAX_K;
    int n = anx_retrieve("openai", collection, question, k, src->p);
    if (n < 0)
        return n;
    src->n = n;
    int limit = ctx > 0 && ctx < m->cfg.seq_len ? ctx : m->cfg.seq_len;
    size_t at = question[0] ? context_at(prompt, question) : 0;
    limit -= reserve > 0 ? reserve : 0;
    for (int use = n; use >= 0; use--) {
        char *text = compose(src, use, prompt, at);
        if (!text)
            break;
        int t = use ? count_tokens(m, text, limit) : 0;
        if (t == ANX_ENOMEM) {
            anx_free(text);
            break;
        }
        if (use == 0 || (t >= 0 && t <= limit)) {
            anx_passages_free(src->p + use, n - use);   /* the ones that did not fit */
            src->n = use;
            *out = text;
            return 0;
        }
        anx_free(text);
    }
    oa_sources_free(src);
    return ANX_ENOMEM;
}

void oa_sources_json(struct anx_buf *b, const struct oa_sources *src)
{
    anx_buf_puts(b, ", \"sources\": [");
    for (int i = 0; i < src->n; i++) {
        const struct anx_passage *p = &src->p[i];
        anx_buf_puts(b, i ? ", {\"object\": " : "{\"object\": ");
        rt_json_str(b, p->source, strlen(p->source));
        /* four decimals by hand: the core's printf has no %f */
        long v = (long)(p->score * 10000.0f + (p->score < 0 ? -0.5f : 0.5f));
        anx_buf_printf(b, ", \"version\": %u, \"offset\": %zu, \"score\": %s%ld.%04ld}",
                       (unsigned)p->version, p->offset, v < 0 ? "-" : "", (v < 0 ? -v : v) / 10000,
                       (v < 0 ? -v : v) % 10000);
    }
    anx_buf_puts(b, "]");
}

int oa_rag_apply(struct oa_server *srv, struct oa_request *rq, struct oa_sources *src,
                 struct oa_error *e)
{
    char *prompt;
    int k = srv->rag_top_k > 0 ? srv->rag_top_k : 1;
    int rc = oa_rag_prompt(srv->model, srv->ctx, rq->max_tokens > 0 ? rq->max_tokens : OA_RAG_RESERVE,
                           srv->rag_collection, k, rq->question ? rq->question : "", rq->prompt, src,
                           &prompt);
    if (rc == 0) {
        anx_free(rq->prompt);
        rq->prompt = prompt;
        return 0;
    }
    e->type = "server_error";
    e->param = NULL;
    if (rc == ANX_ENOENT) {
        e->status = 500;
        e->code = "collection_not_found";
        snprintf(e->message, sizeof(e->message),
                 "No module keeps the collection '%.60s' that openai.rag_collection names "
                 "(add it to vecstore.collections).", srv->rag_collection);
    } else if (rc == ANX_EAGAIN) {
        e->status = 503;
        e->code = "collection_not_ready";
        snprintf(e->message, sizeof(e->message),
                 "The collection '%.60s' is not ready yet (its model is loading or its documents "
                 "are being indexed); try again in a moment.", srv->rag_collection);
    } else {
        e->status = 503;
        e->code = rc == ANX_ENOMEM ? "out_of_memory" : "retrieval_failed";
        snprintf(e->message, sizeof(e->message), "Retrieval from '%.60s' failed: %s.",
                 srv->rag_collection, anx_strerror(rc));
    }
    return -1;
}
