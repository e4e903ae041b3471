/*
 * tool_serve.c - the tool path of a chat completion (docs/openai-api.md,
 * "Tool calls"): the prompt with the tools' preamble; a free generation
 * whose <tool_call> blocks are parsed, or, with tool_choice "required" or
 * a named function, a call the server starts itself with its name chosen
 * among the tools' and its arguments generated under the JSON constraint;
 * built-in tools run here (srv->run_tool) and their results fed back for
 * at most tool_rounds rounds; the answer with tool_calls, whole or as SSE.
 */
#include "tools.h"
#include "json_constrain.h"

/* When the server leaves them 0: the module.yaml defaults (config.h) */
#define DEFAULT_ROUNDS CONFIG_OPENAI_TOOL_ROUNDS
#define DEFAULT_ARG_TOKENS CONFIG_OPENAI_TOOL_MAX_TOKENS
#define RESULT_MAX 2048 /* bytes of a built-in's result the model reads */

/* ---- answers ---------------------------------------------------------------------------- */

static void head(struct anx_buf *b, const struct oa_meta *m, bool chunk)
{
    anx_buf_puts(b, "{\"id\": ");
    rt_json_str(b, m->id, strlen(m->id));
    anx_buf_puts(b, chunk ? ", \"object\": \"chat.completion.chunk\""
                          : ", \"object\": \"chat.completion\"");
    anx_buf_printf(b, ", \"created\": %llu, \"model\": ", (unsigned long long)m->created);
    rt_json_str(b, m->model, strlen(m->model));
}

static void usage_json(struct anx_buf *b, struct inf_usage u)
{
    anx_buf_printf(
        b, "\"usage\": {\"prompt_tokens\": %d, \"completion_tokens\": %d, \"total_tokens\": %d}",
        u.prompt_tokens, u.completion_tokens, u.prompt_tokens + u.completion_tokens);
}

static void str_or_null(struct anx_buf *b, const char *s)
{
    if (s)
        rt_json_str(b, s, strlen(s));
    else
        anx_buf_puts(b, "null");
}

static void call_json(struct anx_buf *b, const struct oa_tool_call *c, int index, bool args)
{
    anx_buf_puts(b, "{");
    if (index >= 0)
        anx_buf_printf(b, "\"index\": %d, ", index);
    anx_buf_puts(b, "\"id\": ");
    rt_json_str(b, c->id, strlen(c->id));
    anx_buf_puts(b, ", \"type\": \"function\", \"function\": {\"name\": ");
    rt_json_str(b, c->name, strlen(c->name));
    anx_buf_puts(b, ", \"arguments\": ");
    rt_json_str(b, args ? c->arguments : "", args ? strlen(c->arguments) : 0);
    anx_buf_puts(b, "}}");
}

static void runs_json(struct anx_buf *b, const struct oa_tool_run *runs, int n)
{
    if (!n)
        return;
    anx_buf_puts(b, ", \"tool_runs\": [");
    for (int i = 0; i < n; i++) {
        anx_buf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
        rt_json_str(b, runs[i].name, strlen(runs[i].name));
        anx_buf_puts(b, ", \"arguments\": ");
        str_or_null(b, runs[i].arguments);
        anx_buf_printf(b, ", \"status\": %d, \"result_bytes\": %zu, \"result\": ", runs[i].status,
                       runs[i].result_bytes);
        str_or_null(b, runs[i].result);
        anx_buf_puts(b, "}");
    }
    anx_buf_puts(b, "]");
}

void oa_tool_response_json(struct anx_buf *b, const struct oa_meta *m, const char *content,
                           const struct oa_tool_calls *tc, const char *finish, struct inf_usage u,
                           const struct oa_tool_run *runs, int n_runs)
{
    head(b, m, false);
    anx_buf_puts(
        b, ", \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": ");
    str_or_null(b, content);
    if (tc && tc->n) {
        anx_buf_puts(b, ", \"tool_calls\": [");
        for (int i = 0; i < tc->n; i++) {
            if (i)
                anx_buf_puts(b, ", ");
            call_json(b, &tc->c[i], -1, true);
        }
        anx_buf_puts(b, "]");
    }
    anx_buf_puts(b, "}, \"logprobs\": null, \"finish_reason\": ");
    str_or_null(b, finish);
    anx_buf_puts(b, "}], ");
    usage_json(b, u);
    runs_json(b, runs, n_runs);
    anx_buf_puts(b, "}\n");
}

static void chunk_open(struct anx_buf *b, const struct oa_meta *m)
{
    anx_buf_puts(b, "data: ");
    head(b, m, true);
    anx_buf_puts(b, ", \"choices\": [{\"index\": 0, \"delta\": {");
}

static void chunk_close(struct anx_buf *b, const char *finish, bool usage_null)
{
    anx_buf_puts(b, "}, \"logprobs\": null, \"finish_reason\": ");
    str_or_null(b, finish);
    anx_buf_puts(b, usage_null ? "}], \"usage\": null" : "}]");
}

void oa_tool_response_sse(struct anx_buf *b, const struct oa_meta *m, const char *content,
                          const struct oa_tool_calls *tc, const char *finish, struct inf_usage u,
                          bool include_usage, const struct oa_tool_run *runs, int n_runs)
{
    bool calls = tc && tc->n;
    chunk_open(b, m);
    anx_buf_puts(b, calls && !content ? "\"role\": \"assistant\", \"content\": null"
                                      : "\"role\": \"assistant\", \"content\": \"\"");
    chunk_close(b, NULL, include_usage);
    anx_buf_puts(b, "}\n\n");
    if (content) {
        chunk_open(b, m);
        anx_buf_puts(b, "\"content\": ");
        rt_json_str(b, content, strlen(content));
        chunk_close(b, NULL, include_usage);
        anx_buf_puts(b, "}\n\n");
    }
    for (int i = 0; calls && i < tc->n; i++) {
        for (int part = 0; part < 2; part++) { /* id and name, then the arguments */
            chunk_open(b, m);
            anx_buf_puts(b, "\"tool_calls\": [");
            if (part == 0) {
                call_json(b, &tc->c[i], i, false);
            } else {
                anx_buf_printf(b, "{\"index\": %d, \"function\": {\"arguments\": ", i);
                rt_json_str(b, tc->c[i].arguments, strlen(tc->c[i].arguments));
                anx_buf_puts(b, "}}");
            }
            anx_buf_puts(b, "]");
            chunk_close(b, NULL, include_usage);
            anx_buf_puts(b, "}\n\n");
        }
    }
    chunk_open(b, m);
    chunk_close(b, finish, include_usage);
    runs_json(b, runs, n_runs);
    anx_buf_puts(b, "}\n\n");
    if (include_usage) {
        anx_buf_puts(b, "data: ");
        head(b, m, true);
        anx_buf_puts(b, ", \"choices\": [], ");
        usage_json(b, u);
        anx_buf_puts(b, "}\n\n");
    }
    anx_buf_puts(b, OA_SSE_DONE);
}

/* ---- generation ------------------------------------------------------------------------- */

static int err_oom(struct oa_error *e)
{
    e->status = 503;
    e->type = "server_error";
    e->param = NULL;
    e->code = "out_of_memory";
    snprintf(
        e->message, sizeof(e->message),
        "The server is out of memory for this request; try again later or with a smaller one.");
    return -1;
}

static int err_context(struct oa_error *e, int ctx)
{
    e->status = 400;
    e->type = "invalid_request_error";
    e->param = "messages";
    e->code = "context_length_exceeded";
    snprintf(e->message, sizeof(e->message),
             "The prompt and the tools do not fit in the model's context of %d tokens.", ctx);
    return -1;
}

struct tgen {
    struct oa_server *srv;
    const struct oa_request *rq;
    struct oa_io *io;
    const struct inf_model *model;
    struct inf_params p;
    struct inf_usage u; /* summed over the rounds */
    struct oa_error *e;
    struct anx_buf text;
};

static int on_text(void *arg, int token, const char *text, size_t len)
{
    (void)token;
    anx_buf_add(&((struct tgen *)arg)->text, text, len);
    return 0;
}

/* Free generation of prompt into g->text; its finish in *finish. */
static int gen_free(struct tgen *g, const char *prompt, enum inf_finish *finish)
{
    char err[INF_ERR_MAX];
    anx_buf_reset(&g->text);
    struct inf_session *s = inf_session_create(g->model, &g->p, err);
    if (!s) {
        g->e->status = 503;
        g->e->type = "server_error";
        snprintf(g->e->message, sizeof(g->e->message), "%.190s", err);
        return -1;
    }
    int pn = inf_session_prompt(s, prompt);
    if (pn < 0) {
        inf_session_free(s);
        return pn == ANX_ENOMEM ? err_oom(g->e)
                                : err_context(g->e, g->p.ctx ? g->p.ctx : g->model->cfg.seq_len);
    }
    enum inf_finish f;
    while ((f = inf_session_step(s, on_text, g)) == INF_RUNNING)
        if (g->io->yield)
            g->io->yield(g->io->ctx);
    struct inf_usage u = inf_session_usage(s);
    inf_session_free(s);
    g->u.prompt_tokens += u.prompt_tokens;
    g->u.completion_tokens += u.completion_tokens;
    if (f == INF_FINISH_ERROR || g->text.oom) {
        g->e->status = 500;
        g->e->type = "server_error";
        snprintf(g->e->message, sizeof(g->e->message), "generation failed");
        return -1;
    }
    *finish = f;
    return 0;
}

struct piece_ctx {
    const struct inf_tokenizer *t;
};

static size_t piece(void *arg, int i, char *buf, size_t cap)
{
    const struct inf_tokenizer *t = ((struct piece_ctx *)arg)->t;
    if (i == t->bos || i == t->eos)
        return 0; /* never inside a call */
    return inf_decode(t, -2, i, buf, cap);
}

/* The property names of a tool's parameter schema that the constraint can
 * hold the top object's keys to (json_constrain.h): their count, each in
 * keys[] (freed with free_keys); 0 when there are none or one does not
 * qualify (then any key is allowed), ANX_ENOMEM. */
#define MAX_KEYS 32
static int schema_keys(const char *schema, char *keys[MAX_KEYS])
{
    struct json_doc d;
    struct json_error je;
    int n = 0;
    if (!schema || oa_json_parse(&d, schema, strlen(schema), &je) < 0) {
        oa_json_free(&d);
        return 0;
    }
    const struct json_value *props = oa_json_get(&d, &d.v[0], "properties");
    for (const struct json_value *p =
             props && props->type == JSON_OBJECT ? oa_json_at(&d, props->first) : NULL;
         p; p = oa_json_at(&d, p->next)) {
        bool ok = p->key_len > 0 && p->key_len <= OA_JSM_KEY_MAX && n < MAX_KEYS;
        for (size_t i = 0; ok && i < p->key_len; i++)
            ok = (uint8_t)p->key[i] >= 0x20 && (uint8_t)p->key[i] < 0x7f && p->key[i] != '"' &&
                 p->key[i] != '\\';
        if (!ok || !(keys[n] = strndup(p->key, p->key_len))) {
            for (int i = 0; i < n; i++)
                anx_free(keys[i]);
            oa_json_free(&d);
            return ok ? ANX_ENOMEM : 0;
        }
        n++;
    }
    oa_json_free(&d);
    return n;
}

/* The forced call: prompt ends where the name or the arguments begin. The
 * model runs on the prompt, then (choice) picks one of the names under the
 * choice constraint, then writes the arguments under the JSON constraint. */
static int gen_forced(struct tgen *g, const char *prompt, const struct oa_tools *ts,
                      const char *name, struct oa_tool_call *call)
{
    const struct inf_model *m = g->model;
    const struct inf_tokenizer *t = &m->tok;
    struct inf_state st;
    struct inf_sampler smp;
    struct oa_vocab v;
    struct piece_ctx pc = { t };
    int *toks = NULL, rc = -1;
    const char **opts = NULL;
    char *keys[MAX_KEYS];
    int n_keys = 0;
    struct anx_buf args = { 0 };
    bool st_ok = false, smp_ok = false, v_ok = false;
    if (inf_state_init(&st, &m->cfg, g->p.ctx) < 0)
        goto oom;
    st_ok = true;
    if (inf_sampler_init(&smp, m->cfg.vocab_size, g->p.temperature, g->p.top_p, g->p.seed) < 0)
        goto oom;
    smp_ok = true;
    if (oa_vocab_init(&v, m->cfg.vocab_size, piece, &pc) < 0)
        goto oom;
    v_ok = true;
    size_t pl = strlen(prompt); /* inf_encode: a token per character before merging */
    int cap = (pl > (size_t)st.ctx ? (int)pl : st.ctx) + 8;
    if (!(toks = anx_malloc((size_t)cap * sizeof(int))))
        goto oom;
    int n = inf_encode(t, prompt, true, false, toks, cap);
    if (n == ANX_ENOMEM)
        goto oom;
    if (n < 1 || n >= st.ctx) {
        err_context(g->e, st.ctx);
        goto out;
    }
    for (int i = 0; i + 1 < n; i++)
        if (!inf_forward_hidden(m, &st, toks[i], i))
            goto fail;
    int pos = n - 1, cur = toks[n - 1], produced = 0;
    g->u.prompt_tokens += n;
    if (!name) { /* tool_choice "required": the model picks the name */
        if (!(opts = anx_calloc((size_t)ts->n, sizeof(char *))))
            goto oom;
        for (int i = 0; i < ts->n; i++) {
            size_t nl = strlen(ts->t[i].name) + 2;
            char *o = anx_malloc(nl);
            if (!o)
                goto oom;
            snprintf(o, nl, "%s\"", ts->t[i].name); /* the name and its closing quote */
            opts[i] = o;
        }
        struct oa_choice ch;
        oa_choice_init(&ch, opts, ts->n);
        int pick = -1;
        while ((pick = oa_choice_done(&ch)) < 0 && pos + 1 < st.ctx) {
            float *logits = inf_forward(m, &st, cur, pos);
            if (!logits)
                goto fail;
            if (oa_mask_logits(&v, NULL, &ch, logits) == 0)
                break;
            int tok = inf_sample(&smp, logits);
            oa_choice_feed(&ch, v.piece[tok], v.len[tok]);
            pos++, cur = tok, produced++;
        }
        name = ts->t[pick >= 0 ? pick : 0].name; /* the context ran out: the first */
        /* the rest of the call's head, run through the model as given text */
        int k = inf_encode(t, ", \"arguments\": ", false, false, toks, cap);
        if (k == ANX_ENOMEM)
            goto oom;
        if (k < 0 || pos + k + 1 >= st.ctx) {
            err_context(g->e, st.ctx);
            goto out;
        }
        for (int i = 0; i < k; i++) {
            if (!inf_forward_hidden(m, &st, cur, pos))
                goto fail;
            pos++, cur = toks[i];
        }
    }
    int budget = g->rq->max_tokens > 0         ? g->rq->max_tokens
                 : g->srv->tool_max_tokens > 0 ? g->srv->tool_max_tokens
                                               : DEFAULT_ARG_TOKENS;
    const struct oa_tool *tool = oa_tools_find(ts, name, strlen(name));
    n_keys = schema_keys(tool ? tool->parameters : NULL, keys);
    if (n_keys < 0)
        goto oom;
    struct oa_jsm js;
    oa_jsm_init(&js);
    oa_jsm_keys(&js, (const char *const *)keys, n_keys); /* the schema's names only */
    char close[OA_JSM_CLOSE_MAX];
    int used = 0;
    while (!oa_jsm_done(&js)) {
        size_t cl = oa_jsm_close(&js, close, sizeof(close));
        int left = budget - used;
        if (st.ctx - 1 - pos < left)
            left = st.ctx - 1 - pos;
        if (left <= (int)cl)
            break; /* only room to close: the closing bytes follow */
        float *logits = inf_forward(m, &st, cur, pos);
        if (!logits)
            goto fail;
        if (oa_mask_logits(&v, &js, NULL, logits) == 0)
            break;
        int tok = inf_sample(&smp, logits);
        for (size_t i = 0; i < v.len[tok]; i++)
            oa_jsm_feed(&js, (uint8_t)v.piece[tok][i]);
        anx_buf_add(&args, v.piece[tok], v.len[tok]);
        pos++, cur = tok, used++;
        if (g->io->yield)
            g->io->yield(g->io->ctx);
    }
    if (!oa_jsm_done(&js)) { /* close cleanly: one token per closing byte, counted */
        size_t cl = oa_jsm_close(&js, close, sizeof(close));
        anx_buf_add(&args, close, cl);
        used += (int)cl;
    }
    if (args.oom)
        goto oom;
    g->u.completion_tokens += produced + used;
    strlcpy(call->name, name, sizeof(call->name));
    call->arguments = anx_buf_take(&args);
    rc = call->arguments ? 0 : err_oom(g->e);
    goto out;
fail:
    g->e->status = 500;
    g->e->type = "server_error";
    snprintf(g->e->message, sizeof(g->e->message), "generation failed");
    goto out;
oom:
    err_oom(g->e);
out:
    for (int i = 0; i < n_keys; i++)
        anx_free(keys[i]);
    if (opts) {
        for (int i = 0; i < ts->n; i++)
            anx_free((void *)opts[i]);
        anx_free(opts);
    }
    anx_buf_free(&args);
    anx_free(toks);
    if (v_ok)
        oa_vocab_free(&v);
    if (smp_ok)
        inf_sampler_free(&smp);
    if (st_ok)
        inf_state_free(&st);
    return rc;
}

/* ---- the rounds --------------------------------------------------------------------------- */

bool oa_tools_active(const struct oa_server *srv, const struct oa_request *rq)
{
    if (rq->kind != OA_CHAT)
        return false;
    if (rq->tools && rq->tools->choice == OA_TC_NONE)
        return false;
    return (rq->tools && (rq->tools->n || rq->tools->choice_given)) ||
           (srv->builtin_tools && srv->builtin_tools[0]);
}

static void reply(struct oa_io *io, int status, struct anx_buf *body)
{
    io->status = status;
    io->content_type = "application/json";
    anx_buf_add(io->out, body->p ? body->p : "", body->len);
}

static void reply_err(struct oa_io *io, const struct oa_error *e)
{
    io->status = e->status ? e->status : 400;
    io->content_type = "application/json";
    oa_error_json(io->out, e);
}

/* Bytes of a tool's result the next round's prompt can take: a token
 * holds at least one byte, so what is left of the context after the
 * prompt so far and reserve tokens (ROOM_RESERVE: the rest of the
 * round's text and an answer) always fits. */
#define ROOM_RESERVE 48
static size_t result_room(struct tgen *g, const char *prompt, int reserve)
{
    int ctx = g->p.ctx > 0 && g->p.ctx < g->model->cfg.seq_len ? g->p.ctx : g->model->cfg.seq_len;
    int cap = (int)strlen(prompt) + 8; /* a token per character before merging */
    int *toks = anx_malloc((size_t)cap * sizeof(int));
    int n = toks ? inf_encode(&g->model->tok, prompt, true, false, toks, cap) : -1;
    anx_free(toks);
    return n < 0 || n + reserve >= ctx ? 0 : (size_t)(ctx - n - reserve);
}

/* A call the model wrote, as it would write it (for the next round's prompt). */
static void call_text(struct anx_buf *b, const struct oa_tool_call *c)
{
    anx_buf_puts(b, OA_TOOL_OPEN "{\"name\": ");
    rt_json_str(b, c->name, strlen(c->name));
    anx_buf_printf(b, ", \"arguments\": %s}" OA_TOOL_CLOSE, c->arguments);
}

void oa_serve_tools(struct oa_server *srv, struct oa_request *rq, struct oa_io *io)
{
    struct oa_error e;
    memset(&e, 0, sizeof(e));
    if (!rq->tools && !(rq->tools = anx_calloc(1, sizeof(*rq->tools)))) {
        err_oom(&e);
        reply_err(io, &e);
        return;
    }
    struct oa_tools *ts = rq->tools;
    oa_tools_add_builtins(ts, srv->builtin_tools);
    if (oa_tools_check_choice(ts, &e) < 0) {
        reply_err(io, &e);
        return;
    }
    if (io->lock)
        io->lock(io->ctx);
    uint64_t now = srv->clock_ns ? srv->clock_ns() : 0;
    char id[32];
    unsigned long no = ++srv->next_id;
    snprintf(id, sizeof(id), "chatcmpl-%lu", no);
    struct oa_meta meta = { OA_CHAT, id, now / 1000000000u, srv->model_id, rq->sources };
    const char *stops[OA_MAX_STOP + 2];
    for (int i = 0; i < rq->n_stop; i++)
        stops[i] = rq->stop[i];
    stops[rq->n_stop] = OA_TOOL_CLOSE; /* one call a turn: the text ends at its close */
    struct tgen g = {
        .srv = srv,
        .rq = rq,
        .io = io,
        .e = &e,
        .p = { .max_tokens = rq->max_tokens,
               .temperature = rq->temperature,
               .top_p = rq->top_p,
               .seed = rq->has_seed ? rq->seed : (now ^ (uint64_t)no * 0x9e3779b97f4a7c15ull),
               .stop = stops,
               .n_stop = rq->n_stop + 1,
               .ctx = srv->ctx },
    };
    g.model = srv->model_get ? srv->model_get() : srv->model;
    struct anx_buf prompt = { 0 }, body = { 0 };
    struct oa_tool_calls tc = { 0 };
    struct oa_tool_run runs[OA_MAX_CALLS * 4];
    int n_runs = 0, rounds = srv->tool_rounds > 0 ? srv->tool_rounds : DEFAULT_ROUNDS;
    const char *finish = "stop";
    if (!g.model) {
        e.status = 503;
        e.type = "server_error";
        snprintf(e.message, sizeof(e.message), "the model was unloaded");
        goto fail;
    }
    oa_tools_preamble(&prompt, ts);
    anx_buf_puts(&prompt, rq->prompt);
    bool full = false; /* a result filled the context */
    for (int round = 0;; round++) {
        bool last = round >= rounds || full; /* no more built-in rounds: answer in text */
        enum oa_tool_choice choice = round == 0 ? ts->choice : OA_TC_AUTO;
        oa_tool_calls_free(&tc);
        if (prompt.oom) {
            err_oom(&e);
            goto fail;
        }
        if (round > 0 && result_room(&g, prompt.p, 8) == 0) {
            finish = "length"; /* the results left no room for an answer */
            break;
        }
        if (!last && (choice == OA_TC_REQUIRED || choice == OA_TC_NAMED)) {
            size_t mark = prompt.len;
            anx_buf_puts(&prompt, " " OA_TOOL_OPEN "{\"name\": \"");
            if (choice == OA_TC_NAMED)
                anx_buf_printf(&prompt, "%s\", \"arguments\": ", ts->forced);
            int rc = prompt.oom ? err_oom(&e)
                                : gen_forced(&g, prompt.p, ts,
                                             choice == OA_TC_NAMED ? ts->forced : NULL, &tc.c[0]);
            prompt.len = mark; /* call_text writes the call again below */
            prompt.p[mark] = 0;
            if (rc < 0)
                goto fail;
            tc.n = 1;
            finish = "tool_calls";
        } else {
            enum inf_finish f = INF_FINISH_ERROR;   /* set by gen_free on success */
            if (gen_free(&g, prompt.p, &f) < 0)
                goto fail;
            finish = f == INF_FINISH_LENGTH ? "length" : "stop";
            const char *txt = g.text.p ? g.text.p : "";
            size_t tl = g.text.len;
            if (tl && txt[0] == ' ') /* the space after "Assistant:" */
                txt++, tl--;
            if (last) {
                if (!(tc.content = strndup(txt, tl)))
                    goto oom;
            } else {
                if (oa_tool_calls_parse(txt, tl, &tc) < 0)
                    goto oom;
                /* a call of a tool the request does not have is the model's text */
                for (int i = 0; i < tc.n; i++)
                    if (!oa_tools_find(ts, tc.c[i].name, strlen(tc.c[i].name))) {
                        anx_free(tc.c[i].arguments);
                        memmove(&tc.c[i], &tc.c[i + 1], (size_t)(tc.n - i - 1) * sizeof(tc.c[0]));
                        tc.n--, i--;
                    }
                if (tc.n)
                    finish = "tool_calls";
            }
        }
        for (int i = 0; i < tc.n; i++)
            snprintf(tc.c[i].id, sizeof(tc.c[i].id), "call_%lu_%d", no, n_runs + i);
        bool client = false;
        for (int i = 0; i < tc.n; i++)
            client |= !oa_tools_find(ts, tc.c[i].name, strlen(tc.c[i].name))->builtin;
        if (!tc.n || client || !srv->run_tool)
            break; /* the answer: text, or calls for the client */
        /* only built-in calls: run them, show the model the results, go on */
        anx_buf_puts(&prompt, " ");
        for (int i = 0; i < tc.n; i++)
            call_text(&prompt, &tc.c[i]);
        anx_buf_puts(&prompt, "\n");
        for (int i = 0; i < tc.n && n_runs < (int)(sizeof(runs) / sizeof(runs[0])); i++) {
            struct anx_buf res = { 0 };
            struct oa_tool_run *r = &runs[n_runs++];
            memset(r, 0, sizeof(*r));
            strlcpy(r->name, tc.c[i].name, sizeof(r->name));
            r->arguments = tc.c[i].arguments;
            tc.c[i].arguments = NULL; /* the run owns it now */
            int rc = srv->run_tool(io->caller, r->name, r->arguments, &res, &r->status);
            if (rc < 0 && !r->status)
                r->status = 500;
            r->result_bytes = res.len;
            anx_buf_printf(&prompt, "Tool result (%s): ", r->name);
            if (rc < 0 || r->status != 200)
                anx_buf_printf(&prompt, "error %d: ", r->status);
            size_t keep = res.len > RESULT_MAX ? RESULT_MAX : res.len;
            size_t room = result_room(&g, prompt.p, ROOM_RESERVE);
            full |= room < keep;
            keep = oa_utf8_complete_prefix(res.p ? res.p : "", keep < room ? keep : room);
            anx_buf_add(&prompt, res.p ? res.p : "", keep);
            anx_buf_puts(&prompt, "\n");
            r->result = strndup(res.p ? res.p : "", keep);
            anx_buf_free(&res);
        }
        anx_buf_puts(&prompt, "Assistant:");
        tc.n = 0; /* their arguments moved to runs */
    }
    if (rq->stream) {
        oa_tool_response_sse(&body, &meta, tc.content, &tc, finish, g.u, rq->include_usage, runs,
                             n_runs);
        if (body.oom)
            goto oom;
        if (io->stream_begin(io->ctx, "text/event-stream") == 0)
            io->stream_write(io->ctx, body.p, body.len);
    } else {
        oa_tool_response_json(&body, &meta, tc.content, &tc, finish, g.u, runs, n_runs);
        if (body.oom)
            goto oom;
        reply(io, 200, &body);
    }
    goto out;
oom:
    err_oom(&e);
fail:
    reply_err(io, &e);
out:
    for (int i = 0; i < n_runs; i++) {
        anx_free(runs[i].arguments);
        anx_free(runs[i].result);
    }
    oa_tool_calls_free(&tc);
    anx_buf_free(&prompt);
    anx_buf_free(&body);
    anx_buf_free(&g.text);
    if (g.model && srv->model_put)
        srv->model_put(g.model);
    if (io->unlock)
        io->unlock(io->ctx);
}
