/*
 * api.c - request parsing and validation, the chat template, the answers'
 * JSON and SSE, and the generation driver of the OpenAI-compatible API.
 */
#include "api.h"
#include "cache.h"
#include "chat_sessions.h"
#include "json.h"
#include "rag.h"
#include "tools.h"

static int bad(struct oa_error *e, const char *param, const char *code, const char *fmt,
               const char *a, const char *b)
{
    e->status = 400;
    e->type = "invalid_request_error";
    e->param = param;
    e->code = code;
    snprintf(e->message, sizeof(e->message), fmt, a ? a : "", b ? b : "");
    return -1;
}

/* Out of memory while taking a request apart: the server's state, not the
 * request's fault nor a bug, so 503 like a session that does not fit. */
static int bad_type(struct oa_error *e, const char *param, const char *want,
                    const struct json_value *v)
{
    bad(e, param, "invalid_type", "Invalid type for '%s': expected %s", param, want);
    size_t l = strlen(e->message);
    snprintf(e->message + l, sizeof(e->message) - l, ", but got %s.", oa_json_type_name(v->type));
    return -1;
}

static bool is_int(const struct json_value *v, double lo, double hi)
{
    if (v->type != JSON_NUMBER || v->num < lo || v->num > hi)
        return false;
    for (size_t i = 0; i < v->len; i++)            /* no fraction or exponent */
        if (v->str[i] == '.' || v->str[i] == 'e' || v->str[i] == 'E')
            return false;
    return true;
}

static bool has_nul(const char *s, size_t n)
{
    return memchr(s, 0, n) != NULL;
}

/* ---- the chat template ----------------------------------------------------------------------- */

/* content: a string, or an array of {"type": "text", "text": ...} parts. */
static int chat_content(const struct json_doc *d, const struct json_value *c, struct anx_buf *t,
                        struct oa_error *e)
{
    if (c && c->type == JSON_STRING) {
        if (has_nul(c->str, c->len))
            return bad(e, "messages", "invalid_value", "Invalid 'messages': content contains a NUL character.", 0, 0);
        anx_buf_add(t, c->str, c->len);
        return 0;
    }
    if (c && c->type == JSON_ARRAY) {
        for (const struct json_value *part = oa_json_at(d, c->first); part; part = oa_json_at(d, part->next)) {
            const struct json_value *ty = oa_json_get(d, part, "type");
            const struct json_value *tx = oa_json_get(d, part, "text");
            if (!ty || ty->type != JSON_STRING || strcmp(ty->str, "text") != 0 || !tx ||
                tx->type != JSON_STRING)
                return bad(e, "messages", "invalid_value",
                           "Invalid 'messages': only content parts of type 'text' are supported.", 0, 0);
            if (has_nul(tx->str, tx->len))
                return bad(e, "messages", "invalid_value", "Invalid 'messages': content contains a NUL character.", 0, 0);
            anx_buf_add(t, tx->str, tx->len);
        }
        return 0;
    }
    return bad(e, "messages", "invalid_type",
               "Invalid 'messages': each message needs a 'content' string (or text parts).", 0, 0);
}

/* System (and developer) messages: their text and a blank line; user and
 * assistant messages: "User: TEXT\n", "Assistant: TEXT\n"; then "Assistant:". */
static int chat_template(const struct json_doc *d, const struct json_value *msgs, char **out,
                         char **question, struct oa_error *e)
{
    size_t q_at = 0, q_len = 0;           /* the last user message's text in t */
    if (!msgs)
        return bad(e, "messages", "missing_required_parameter",
                   "Missing required parameter: 'messages'.", 0, 0);
    if (msgs->type != JSON_ARRAY)
        return bad_type(e, "messages", "an array", msgs);
    if (msgs->count == 0)
        return bad(e, "messages", "invalid_value", "Invalid 'messages': empty array. Expected at least one message.", 0, 0);
    if (msgs->count > OA_MAX_MESSAGES)
        return bad(e, "messages", "invalid_value", "Invalid 'messages': too many messages.", 0, 0);
    struct anx_buf t = { 0 };
    for (const struct json_value *m = oa_json_at(d, msgs->first); m; m = oa_json_at(d, m->next)) {
        if (m->type != JSON_OBJECT) {
            anx_buf_free(&t);
            return bad(e, "messages", "invalid_type", "Invalid 'messages': each message must be an object.", 0, 0);
        }
        const struct json_value *role = oa_json_get(d, m, "role");
        const char *r = role && role->type == JSON_STRING ? role->str : "";
        int tm = oa_tool_message(d, msgs, m, &t, e);   /* role tool, assistant tool_calls */
        if (tm < 0)
            goto fail;
        if (tm > 0)
            continue;
        if (!strcmp(r, "system") || !strcmp(r, "developer")) {
            if (chat_content(d, oa_json_get(d, m, "content"), &t, e) < 0)
                goto fail;
            anx_buf_add(&t, "\n\n", 2);
        } else if (!strcmp(r, "user") || !strcmp(r, "assistant")) {
            anx_buf_add(&t, r[0] == 'u' ? "User: " : "Assistant: ", r[0] == 'u' ? 6 : 11);
            size_t at = t.len;
            if (chat_content(d, oa_json_get(d, m, "content"), &t, e) < 0)
                goto fail;
            if (r[0] == 'u')
                q_at = at, q_len = t.len - at;
            anx_buf_add(&t, "\n", 1);
        } else {
            bad(e, "messages", "invalid_value",
                "Invalid 'messages': role must be 'system', 'user' or 'assistant'%s%s.",
                role && role->type == JSON_STRING ? ", got " : "", role && role->type == JSON_STRING ? r : "");
            goto fail;
        }
    }
    anx_buf_add(&t, "Assistant:", 10);
    if (!t.oom && !(*question = anx_malloc(q_len + 1)))
        t.oom = true;
    if (*question) {
        memcpy(*question, t.p + q_at, q_len);
        (*question)[q_len] = 0;
    }
    if (!(*out = anx_buf_take(&t)))       /* out of memory on the way */
        return oa_out_of_memory(e);
    return 0;
fail:
    anx_buf_free(&t);
    return -1;
}

/* ---- requests ---------------------------------------------------------------------------- */

void oa_request_free(struct oa_request *rq)
{
    anx_free(rq->prompt);
    anx_free(rq->model);
    oa_tools_free(rq->tools);
    anx_free(rq->question);
    anx_free(rq->session_id);
    for (int i = 0; i < rq->n_stop; i++)
        anx_free(rq->stop[i]);
    memset(rq, 0, sizeof(*rq));
}

static int add_stop(struct oa_request *rq, const char *s, size_t n, struct oa_error *e)
{
    if (n == 0)
        return bad(e, "stop", "invalid_value", "Invalid 'stop': stop strings must not be empty.", 0, 0);
    if (n > 256 || has_nul(s, n))
        return bad(e, "stop", "invalid_value", "Invalid 'stop': a stop string is too long or holds a NUL.", 0, 0);
    if (!(rq->stop[rq->n_stop] = strndup(s, n)))
        return oa_out_of_memory(e);
    rq->n_stop++;
    return 0;
}

int oa_parse_request(enum oa_kind kind, const char *body, size_t n, struct oa_request *rq,
                     struct oa_error *e)
{
    memset(rq, 0, sizeof(*rq));
    memset(e, 0, sizeof(*e));
    rq->kind = kind;
    rq->top_p = 1.0f;
    rq->temperature = 1.0f;
    rq->max_tokens = kind == OA_COMPLETION ? OA_COMPLETION_DEFAULT_TOKENS : 0;
    struct json_doc d;
    struct json_error je;
    if (oa_json_parse(&d, body, n, &je) < 0) {
        if (je.oom)
            return oa_out_of_memory(e);
        char off[24];
        snprintf(off, sizeof(off), "%zu", je.offset);
        bad(e, NULL, NULL, "We could not parse the JSON body of your request: %s at byte %s.",
            je.msg, off);
        return -1;
    }
    int rc = -1;
    const struct json_value *root = &d.v[0], *v;
    if (root->type != JSON_OBJECT) {
        bad(e, NULL, NULL, "The body of your request must be a JSON object.", 0, 0);
        goto out;
    }
    if ((v = oa_json_get(&d, root, "model")) && v->type != JSON_NULL) {
        if (v->type != JSON_STRING) { bad_type(e, "model", "a string", v); goto out; }
        if (!(rq->model = strndup(v->str, v->len))) goto oom;
    }
    if (kind == OA_COMPLETION) {
        v = oa_json_get(&d, root, "prompt");
        if (v && v->type == JSON_ARRAY && v->count == 1 && oa_json_at(&d, v->first)->type == JSON_STRING)
            v = oa_json_at(&d, v->first);
        if (v && v->type == JSON_ARRAY) {
            bad(e, "prompt", "invalid_value", "Invalid 'prompt': only one prompt string is supported (no batches or token arrays).", 0, 0);
            goto out;
        }
        if (v && v->type != JSON_NULL && v->type != JSON_STRING) { bad_type(e, "prompt", "a string", v); goto out; }
        if (v && v->type == JSON_STRING && has_nul(v->str, v->len)) {
            bad(e, "prompt", "invalid_value", "Invalid 'prompt': contains a NUL character.", 0, 0);
            goto out;
        }
        if (!(rq->prompt = v && v->type == JSON_STRING ? strndup(v->str, v->len) : strndup("", 0))) goto oom;
        if ((v = oa_json_get(&d, root, "echo")) && v->type != JSON_NULL && v->type != JSON_FALSE) {
            if (v->type != JSON_TRUE) { bad_type(e, "echo", "a boolean", v); goto out; }
            bad(e, "echo", "unsupported_value", "Unsupported value: 'echo' must be false.", 0, 0);
            goto out;
        }
        if ((v = oa_json_get(&d, root, "best_of")) && v->type != JSON_NULL && !(is_int(v, 1, 1))) {
            bad(e, "best_of", "unsupported_value", "Unsupported value: 'best_of' must be 1.", 0, 0);
            goto out;
        }
        if ((v = oa_json_get(&d, root, "suffix")) && v->type != JSON_NULL && !(v->type == JSON_STRING && v->len == 0)) {
            bad(e, "suffix", "unsupported_value", "Unsupported parameter: 'suffix'.", 0, 0);
            goto out;
        }
    } else {
        if (oa_json_get(&d, root, "prompt")) {
            bad(e, "prompt", "unknown_parameter", "Unrecognized request argument supplied: 'prompt' (use 'messages').", 0, 0);
            goto out;
        }
        if (chat_template(&d, oa_json_get(&d, root, "messages"), &rq->prompt, &rq->question, e) < 0)
            goto out;
        if (oa_tools_parse(&d, root, &rq->tools, e) < 0)
            goto out;
    }
    /* max_tokens (chat also max_completion_tokens) */
    const char *mt = "max_tokens";
    v = oa_json_get(&d, root, mt);
    if ((!v || v->type == JSON_NULL) && kind == OA_CHAT)
        v = oa_json_get(&d, root, mt = "max_completion_tokens");
    if (v && v->type != JSON_NULL) {
        if (v->type != JSON_NUMBER) { bad_type(e, mt, "an integer", v); goto out; }
        if (!is_int(v, 1, 1 << 20)) {
            bad(e, mt, "invalid_value", "Invalid '%s': expected an integer between 1 and 1048576.", mt, 0);
            goto out;
        }
        rq->max_tokens = (int)v->num;
    }
    if ((v = oa_json_get(&d, root, "temperature")) && v->type != JSON_NULL) {
        if (v->type != JSON_NUMBER) { bad_type(e, "temperature", "a number", v); goto out; }
        if (v->num < 0 || v->num > 2) {
            bad(e, "temperature", "invalid_value", "Invalid 'temperature': expected a number between 0 and 2.", 0, 0);
            goto out;
        }
        rq->temperature = (float)v->num;
    }
    if ((v = oa_json_get(&d, root, "top_p")) && v->type != JSON_NULL) {
        if (v->type != JSON_NUMBER) { bad_type(e, "top_p", "a number", v); goto out; }
        if (v->num < 0 || v->num > 1) {
            bad(e, "top_p", "invalid_value", "Invalid 'top_p': expected a number between 0 and 1.", 0, 0);
            goto out;
        }
        rq->top_p = (float)v->num;
        if (rq->top_p == 0)               /* only the most likely token: greedy */
            rq->temperature = 0;
    }
    if ((v = oa_json_get(&d, root, "seed")) && v->type != JSON_NULL) {
        if (v->type != JSON_NUMBER) { bad_type(e, "seed", "an integer", v); goto out; }
        if (!is_int(v, -9.2e18, 1.8e19)) {
            bad(e, "seed", "invalid_value", "Invalid 'seed': expected an integer.", 0, 0);
            goto out;
        }
        rq->seed = v->num < 0 ? (uint64_t)(int64_t)v->num : (uint64_t)v->num;
        rq->has_seed = true;
    }
    if ((v = oa_json_get(&d, root, "n")) && v->type != JSON_NULL) {
        if (v->type != JSON_NUMBER) { bad_type(e, "n", "an integer", v); goto out; }
        if (!is_int(v, 1, 1)) {
            bad(e, "n", "unsupported_value", "Unsupported value: 'n' must be 1 (one model, one completion per request).", 0, 0);
            goto out;
        }
    }
    if ((v = oa_json_get(&d, root, "stop")) && v->type != JSON_NULL) {
        if (v->type == JSON_STRING) {
            if (add_stop(rq, v->str, v->len, e) < 0) goto out;
        } else if (v->type == JSON_ARRAY) {
            if (v->count > OA_MAX_STOP) {
                bad(e, "stop", "invalid_value", "Invalid 'stop': at most 4 stop strings.", 0, 0);
                goto out;
            }
            for (const struct json_value *s = oa_json_at(&d, v->first); s; s = oa_json_at(&d, s->next)) {
                if (s->type != JSON_STRING) { bad_type(e, "stop", "a string or an array of strings", s); goto out; }
                if (add_stop(rq, s->str, s->len, e) < 0) goto out;
            }
        } else {
            bad_type(e, "stop", "a string or an array of strings", v);
            goto out;
        }
    }
    if (kind == OA_CHAT && add_stop(rq, OA_CHAT_STOP, strlen(OA_CHAT_STOP), e) < 0)
        goto out;
    if ((v = oa_json_get(&d, root, "stream")) && v->type != JSON_NULL) {
        if (v->type != JSON_TRUE && v->type != JSON_FALSE) { bad_type(e, "stream", "a boolean", v); goto out; }
        rq->stream = v->type == JSON_TRUE;
    }
    if ((v = oa_json_get(&d, root, "stream_options")) && v->type != JSON_NULL) {
        if (v->type != JSON_OBJECT) { bad_type(e, "stream_options", "an object", v); goto out; }
        if (!rq->stream) {
            bad(e, "stream_options", "invalid_value", "Invalid 'stream_options': only allowed when 'stream' is true.", 0, 0);
            goto out;
        }
        const struct json_value *iu = oa_json_get(&d, v, "include_usage");
        if (iu && iu->type != JSON_TRUE && iu->type != JSON_FALSE && iu->type != JSON_NULL) {
            bad_type(e, "stream_options.include_usage", "a boolean", iu);
            goto out;
        }
        rq->include_usage = iu && iu->type == JSON_TRUE;
    }
    if ((v = oa_json_get(&d, root, "logprobs")) && v->type != JSON_NULL && v->type != JSON_FALSE &&
        !is_int(v, 0, 0)) {
        bad(e, "logprobs", "unsupported_value", "Unsupported parameter: 'logprobs'.", 0, 0);
        goto out;
    }
    if ((v = oa_json_get(&d, root, "session_id")) && v->type != JSON_NULL) {   /* chat_sessions.h */
        if (v->type != JSON_STRING || !oa_session_id_valid(v->str, v->len)) {
            bad(e, "session_id", "invalid_value",
                "Invalid 'session_id': expected 1 to 64 of the characters A-Z a-z 0-9 . _ : -", 0, 0);
            goto out;
        }
        if (!(rq->session_id = strndup(v->str, v->len))) goto oom;
    }
    rc = 0;
    goto out;
oom:
    oa_out_of_memory(e);
out:
    oa_json_free(&d);
    return rc;
}

/* ---- formatting ---------------------------------------------------------------------------- */

static void add_s(struct anx_buf *b, const char *s)
{
    anx_buf_add(b, s, strlen(s));
}

static void add_u(struct anx_buf *b, unsigned long long v)
{
    char t[24];
    int n = snprintf(t, sizeof(t), "%llu", v);
    anx_buf_add(b, t, (size_t)n);
}

static void add_str_or_null(struct anx_buf *b, const char *s)
{
    if (s)
        rt_json_str(b, s, strlen(s));
    else
        add_s(b, "null");
}

void oa_error_json(struct anx_buf *b, const struct oa_error *e)
{
    add_s(b, "{\"error\": {\"message\": ");
    rt_json_str(b, e->message, strlen(e->message));
    add_s(b, ", \"type\": ");
    add_str_or_null(b, e->type ? e->type : "invalid_request_error");
    add_s(b, ", \"param\": ");
    add_str_or_null(b, e->param);
    add_s(b, ", \"code\": ");
    add_str_or_null(b, e->code);
    add_s(b, "}}\n");
}

void oa_models_json(struct anx_buf *b, const char *model, uint64_t created)
{
    add_s(b, "{\"object\": \"list\", \"data\": [");
    if (model) {
        add_s(b, "{\"id\": ");
        rt_json_str(b, model, strlen(model));
        add_s(b, ", \"object\": \"model\", \"created\": ");
        add_u(b, created);
        add_s(b, ", \"owned_by\": \"anunix\"}");
    }
    add_s(b, "]}\n");
}

static void head(struct anx_buf *b, const struct oa_meta *m, bool chunk)
{
    add_s(b, "{\"id\": ");
    rt_json_str(b, m->id, strlen(m->id));
    add_s(b, ", \"object\": ");
    add_s(b, m->kind == OA_CHAT ? (chunk ? "\"chat.completion.chunk\"" : "\"chat.completion\"")
                                : "\"text_completion\"");
    add_s(b, ", \"created\": ");
    add_u(b, m->created);
    add_s(b, ", \"model\": ");
    rt_json_str(b, m->model, strlen(m->model));
    if (m->sources && !chunk)
        oa_sources_json(b, m->sources);
}

static void usage_json(struct anx_buf *b, struct inf_usage u)
{
    add_s(b, "\"usage\": {\"prompt_tokens\": ");
    add_u(b, (unsigned)u.prompt_tokens);
    add_s(b, ", \"completion_tokens\": ");
    add_u(b, (unsigned)u.completion_tokens);
    add_s(b, ", \"total_tokens\": ");
    add_u(b, (unsigned)(u.prompt_tokens + u.completion_tokens));
    if (u.reused) {                   /* a kept session's turn (chat_sessions.h) */
        add_s(b, ", \"prompt_tokens_details\": {\"cached_tokens\": ");
        add_u(b, (unsigned)u.cached_tokens);
        add_s(b, "}");
    }
    add_s(b, "}");
}

void oa_response_json(struct anx_buf *b, const struct oa_meta *m, const char *text, size_t len,
                      const char *finish, struct inf_usage u)
{
    head(b, m, false);
    if (m->kind == OA_CHAT) {
        add_s(b, ", \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": ");
        rt_json_str(b, text, len);
        add_s(b, "}, \"logprobs\": null, \"finish_reason\": ");
    } else {
        add_s(b, ", \"choices\": [{\"text\": ");
        rt_json_str(b, text, len);
        add_s(b, ", \"index\": 0, \"logprobs\": null, \"finish_reason\": ");
    }
    add_str_or_null(b, finish);
    add_s(b, "}], ");
    usage_json(b, u);
    add_s(b, "}\n");
}

void oa_chunk_sse(struct anx_buf *b, const struct oa_meta *m, bool role, const char *text,
                  size_t len, const char *finish, const struct inf_usage *usage,
                  bool with_usage_null)
{
    add_s(b, "data: ");
    head(b, m, true);
    if (role && m->sources)
        oa_sources_json(b, m->sources);
    if (usage) {
        add_s(b, ", \"choices\": [], ");
        usage_json(b, *usage);
        add_s(b, "}\n\n");
        return;
    }
    if (m->kind == OA_CHAT) {
        add_s(b, ", \"choices\": [{\"index\": 0, \"delta\": {");
        if (role)
            add_s(b, "\"role\": \"assistant\"");
        if (text) {
            add_s(b, role ? ", \"content\": " : "\"content\": ");
            rt_json_str(b, text, len);
        }
        add_s(b, "}, \"logprobs\": null, \"finish_reason\": ");
    } else {
        add_s(b, ", \"choices\": [{\"text\": ");
        rt_json_str(b, text ? text : "", text ? len : 0);
        add_s(b, ", \"index\": 0, \"logprobs\": null, \"finish_reason\": ");
    }
    add_str_or_null(b, finish);
    add_s(b, "}]");
    if (with_usage_null)
        add_s(b, ", \"usage\": null");
    add_s(b, "}\n\n");
}

/* ---- serving ---------------------------------------------------------------------------- */

const char *oa_model_id(const char *name, const char *path)
{
    if (name && name[0])
        return name;
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool oa_model_matches(const struct oa_server *srv, const char *want, size_t n)
{
    const char *ids[2] = { srv->model_id, srv->model_alias };
    for (int i = 0; i < 2; i++)
        if (ids[i] && strlen(ids[i]) == n && !memcmp(ids[i], want, n))
            return true;
    return false;
}

static void reply_error(struct oa_io *io, const struct oa_error *e)
{
    io->status = e->status ? e->status : 400;
    io->content_type = "application/json";
    oa_error_json(io->out, e);
}

struct gen {
    struct oa_io *io;
    const struct oa_meta *meta;
    const struct oa_request *rq;
    struct anx_buf text;         /* non-streamed: all of it; streamed: the held-back tail */
    struct anx_buf all;          /* streamed and cacheable: all of it, for the cache */
    bool stream, first, lstrip, gone, keep_all;
};

static int send_chunk(struct gen *g, const char *s, size_t n, const char *finish, bool force)
{
    if (!n && !force)
        return 0;
    struct anx_buf b = { 0 };
    oa_chunk_sse(&b, g->meta, g->first && g->meta->kind == OA_CHAT, s, n, finish, NULL,
                 g->rq->include_usage);
    g->first = false;
    int rc = b.oom ? -1 : g->io->stream_write(g->io->ctx, b.p, b.len);
    anx_buf_free(&b);
    if (rc < 0)
        g->gone = true;
    return rc;
}

static int on_text(void *arg, int token, const char *text, size_t len)
{
    struct gen *g = arg;
    (void)token;
    if (g->lstrip) {                 /* chat: the space after "Assistant:" */
        if (len && text[0] == ' ') {
            text++;
            len--;
        }
        if (len)
            g->lstrip = false;
    }
    anx_buf_add(&g->text, text, len);
    if (g->keep_all)
        anx_buf_add(&g->all, text, len);
    if (!g->stream)
        return 0;
    size_t ok = oa_utf8_complete_prefix(g->text.p, g->text.len);
    if (ok) {
        if (send_chunk(g, g->text.p, ok, NULL, false) < 0)
            return 1;
        memmove(g->text.p, g->text.p + ok, g->text.len - ok + 1);   /* with the NUL */
        g->text.len -= ok;
    }
    return 0;
}

void oa_serve_models(struct oa_server *srv, struct oa_io *io)
{
    io->status = 200;
    io->content_type = "application/json";
    oa_models_json(io->out, srv->model ? srv->model_id : NULL,
                   srv->clock_ns ? srv->clock_ns() / 1000000000u : 0);
}

int oa_model_check(const struct oa_server *srv, const char *want, struct oa_error *e)
{
    if (!srv->model) {
        e->status = 503;
        e->type = "server_error";
        e->param = NULL;
        e->code = "model_not_loaded";
        snprintf(e->message, sizeof(e->message), "No model is loaded: %.160s.",
                 srv->no_model ? srv->no_model : "set infer.model in the manifest");
        return -1;
    }
    if (want && !oa_model_matches(srv, want, strlen(want))) {
        oa_bad(e, "model", "model_not_found", "The model '%.80s' does not exist (this server has '%.60s').",
               want, srv->model_id);
        e->status = 404;
        return -1;
    }
    return 0;
}

void oa_serve(struct oa_server *srv, enum oa_kind kind, const char *body, size_t n,
              struct oa_io *io)
{
    struct oa_sources sources = { 0 };    /* retrieval: the passages given (rag.h) */
    bool rag = false;
    struct oa_request rq;
    struct oa_error e;
    if (oa_parse_request(kind, body, n, &rq, &e) < 0) {
        reply_error(io, &e);
        oa_request_free(&rq);
        return;
    }
    memset(&e, 0, sizeof(e));
    if (oa_model_check(srv, rq.model, &e) < 0)
        goto fail;
    if (rq.stream && (!io->stream_begin || !io->stream_write)) {
        e.status = 400;
        e.type = "invalid_request_error";
        e.param = "stream";
        e.code = "unsupported_value";
        snprintf(e.message, sizeof(e.message), "Streaming is not available on this connection.");
        goto fail;
    }
    if (!rq.session_id && io->session_hdr) {    /* X-Session-Id, when the body names none */
        if (!oa_session_id_valid(io->session_hdr, io->session_hdr_len)) {
            e.status = 400;
            e.type = "invalid_request_error";
            e.param = "session_id";
            e.code = "invalid_value";
            snprintf(e.message, sizeof(e.message), "Invalid X-Session-Id header: expected 1 to 64 "
                     "of the characters A-Z a-z 0-9 . _ : -");
            goto fail;
        }
        if (!(rq.session_id = strndup(io->session_hdr, io->session_hdr_len))) {
            oa_out_of_memory(&e);
            goto fail;
        }
    }
    if (!oa_sessions_enabled(srv->sessions)) {  /* sessions off: an id changes nothing */
        anx_free(rq.session_id);
        rq.session_id = NULL;
    }

    rag = kind == OA_CHAT && srv->rag_collection && srv->rag_collection[0];
    if (rag && oa_rag_apply(srv, &rq, &sources, &e) < 0)
        goto fail;
    rq.sources = rag ? &sources : NULL;
    if (oa_tools_active(srv, &rq)) {              /* tools.h: tool_serve.c answers */
        oa_serve_tools(srv, &rq, io);
        oa_sources_free(&sources);
        oa_request_free(&rq);
        return;
    }

    /* the response cache (cache.h): a deterministic request answered before */
    struct anx_buf key = { 0 };
    bool cacheable = oa_cache_enabled(srv->cache) && oa_cache_key(&key, &rq, srv->ctx);
    if (cacheable) {
        const struct oa_cache_entry *ce =
            oa_cache_get(srv->cache, srv->model_version ? srv->model_version() : 0, key.p, key.len);
        if (ce) {
            if (io->header)
                io->header(io->ctx, "X-Anunix-Cache", "hit");
            oa_cache_reply(srv, kind, &rq, ce, io);
            anx_buf_free(&key);
            oa_request_free(&rq);
            return;
        }
    }
    if (oa_cache_enabled(srv->cache) && io->header)
        io->header(io->ctx, "X-Anunix-Cache", cacheable ? "miss" : "bypass");

    if (io->lock)
        io->lock(io->ctx);
    uint64_t now = srv->clock_ns ? srv->clock_ns() : 0;
    char id[32];
    unsigned long no = ++srv->next_id;
    snprintf(id, sizeof(id), "%s-%lu", kind == OA_CHAT ? "chatcmpl" : "cmpl", no);
    struct oa_meta meta = { kind, id, now / 1000000000u, srv->model_id, rq.sources };
    const char *stops[OA_MAX_STOP + 1];
    for (int i = 0; i < rq.n_stop; i++)
        stops[i] = rq.stop[i];
    struct inf_params p = {
        .max_tokens = rq.max_tokens, .temperature = rq.temperature, .top_p = rq.top_p,
        .seed = rq.has_seed ? rq.seed : (now ^ (uint64_t)no * 0x9e3779b97f4a7c15ull),
        .stop = stops, .n_stop = rq.n_stop, .ctx = srv->ctx,
    };
    char err[INF_ERR_MAX];
    const struct inf_model *model = srv->model_get ? srv->model_get() : srv->model;
    unsigned version = srv->model_version ? srv->model_version() : 0;
    struct oa_chat_session *cs = NULL;            /* a kept session's turn (chat_sessions.h) */
    struct inf_session *s = NULL;
    if (model && oa_sessions_enabled(srv->sessions))
        oa_sessions_drop_stale(srv->sessions, model);   /* a swap: let the old model go */
    if (model && rq.session_id) {
        const char *why = "";
        if (!(cs = oa_sessions_take(srv->sessions, rq.session_id, model, &why))) {
            if (srv->model_put)
                srv->model_put(model);
            if (io->unlock)
                io->unlock(io->ctx);
            bool busy = !strcmp(why, "busy");
            e.status = busy ? 409 : 503;
            e.type = busy ? "invalid_request_error" : "server_error";
            e.param = "session_id";
            e.code = busy ? "session_busy" : "sessions_full";
            snprintf(e.message, sizeof(e.message), busy
                     ? "Session '%.64s' is answering another request; send its turns one at a time."
                     : "Every kept session is answering a request; try again in a moment (%.64s).",
                     rq.session_id);
            anx_buf_free(&key);
            goto fail;
        }
        /* a new session; when it does not fit, idle sessions make room */
        while (!cs->s && !(cs->s = inf_session_create(model, &p, err)) &&
               oa_sessions_evict_one(srv->sessions, cs))
            ;
        if (cs->s && !cs->model) {
            cs->model = srv->model_get ? srv->model_get() : model;   /* the session's own hold */
            srv->sessions->created++;
        }
        s = cs->s;
    } else if (model) {
        s = inf_session_create(model, &p, err);
    }
    if (!model)
        snprintf(err, sizeof(err), "the model was unloaded");
    if (!s) {
        if (cs)
            oa_sessions_release(srv->sessions, cs, false);
        if (model && srv->model_put)
            srv->model_put(model);
        if (io->unlock)
            io->unlock(io->ctx);
        e.status = 503;
        e.type = "server_error";
        snprintf(e.message, sizeof(e.message), "%.190s", err);
        anx_buf_free(&key);
        goto fail;
    }
    int pn = cs ? inf_session_continue(s, &p, rq.prompt, NULL) : inf_session_prompt(s, rq.prompt);
    if (pn < 0) {
        anx_buf_free(&key);
        if (cs)
            oa_sessions_release(srv->sessions, cs, true);   /* it keeps what it had */
        else
            inf_session_free(s);
        if (srv->model_put)
            srv->model_put(model);
        if (io->unlock)
            io->unlock(io->ctx);
        if (pn == ANX_ENOMEM) {
            oa_out_of_memory(&e);
            goto fail;
        }
        e.status = 400;
        e.type = "invalid_request_error";
        e.param = kind == OA_CHAT ? "messages" : "prompt";
        e.code = "context_length_exceeded";
        snprintf(e.message, sizeof(e.message), "The prompt does not fit in the model's context of %d tokens.",
                 srv->ctx ? srv->ctx : model->cfg.seq_len);
        goto fail;
    }
    struct gen g = { .io = io, .meta = &meta, .rq = &rq, .stream = rq.stream, .first = true,
                     .lstrip = kind == OA_CHAT, .keep_all = cacheable && rq.stream };
    if (g.stream) {
        if (io->stream_begin(io->ctx, "text/event-stream") < 0)
            g.gone = true;
        else if (kind == OA_CHAT)
            send_chunk(&g, "", 0, NULL, true);        /* the role */
    }
    enum inf_finish f = INF_RUNNING;
    while (!g.gone && (f = inf_session_step(s, on_text, &g)) == INF_RUNNING)
        if (io->yield)
            io->yield(io->ctx);
    struct inf_usage u = inf_session_usage(s);
    if (cs)
        oa_sessions_release(srv->sessions, cs, f != INF_FINISH_ERROR);
    else
        inf_session_free(s);
    if (srv->model_put)
        srv->model_put(model);
    const char *finish = f == INF_FINISH_LENGTH ? "length" : f == INF_FINISH_STOP ? "stop" : "error";
    if (cacheable && f != INF_FINISH_ERROR && !g.gone) {
        const struct anx_buf *all = g.stream ? &g.all : &g.text;
        if (!all->oom)
            oa_cache_put(srv->cache, version, key.p, key.len, all->p ? all->p : "", all->len,
                         finish, u);
    }
    anx_buf_free(&key);
    anx_buf_free(&g.all);
    if (g.stream) {
        if (!g.gone) {
            send_chunk(&g, g.text.p, g.text.len, NULL, false);   /* the held-back tail */
            if (f == INF_FINISH_ERROR) {
                struct anx_buf b = { 0 };
                struct oa_error ge = { .status = 500, .type = "server_error" };
                snprintf(ge.message, sizeof(ge.message), "generation failed");
                add_s(&b, "data: ");
                oa_error_json(&b, &ge);
                add_s(&b, "\n");
                io->stream_write(io->ctx, b.p, b.len);
                anx_buf_free(&b);
            } else {
                send_chunk(&g, NULL, 0, finish, true);
                if (rq.include_usage) {
                    struct anx_buf b = { 0 };
                    oa_chunk_sse(&b, &meta, false, NULL, 0, NULL, &u, false);
                    io->stream_write(io->ctx, b.p, b.len);
                    anx_buf_free(&b);
                }
            }
            io->stream_write(io->ctx, OA_SSE_DONE, strlen(OA_SSE_DONE));
        }
    } else if (f == INF_FINISH_ERROR) {
        e.status = 500;
        e.type = "server_error";
        snprintf(e.message, sizeof(e.message), "generation failed");
        reply_error(io, &e);
    } else {
        io->status = 200;
        io->content_type = "application/json";
        oa_response_json(io->out, &meta, g.text.p ? g.text.p : "", g.text.len, finish, u);
    }
    anx_buf_free(&g.text);
    if (io->unlock)
        io->unlock(io->ctx);
    oa_sources_free(&sources);
    oa_request_free(&rq);
    return;
fail:
    reply_error(io, &e);
    oa_sources_free(&sources);
    oa_request_free(&rq);
}
