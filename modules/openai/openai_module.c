/*
 * The openai module in the image: one router engine "openai" with the
 * routes of the OpenAI-compatible API (api.c does the work), answering
 * from the model the infer module loaded. Requests that generate are
 * serialized on the one model: a request waits (its connection thread
 * blocks on a wait queue) until the one before it has finished. Between
 * tokens the generating thread yields, so the network and other
 * connections keep running. See docs/openai-api.md.
 */
#define LOG_TAG "openai"
#include <anx/log.h>
#include <anx/module.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "api.h"
#include "builtin_tools.h"
#include "cache.h"
#include "chat_sessions.h"
#include "metrics.h"

static struct oa_server server;
static struct oa_cache cache;
static struct oa_sessions sessions;
static const char *const tools_enabled[] = CONFIG_OPENAI_TOOLS;
static const char *const tool_routes[] = CONFIG_OPENAI_TOOL_ROUTES;
static const char *const http_allow[] = CONFIG_OPENAI_HTTP_ALLOW;
static bool busy;
static struct anx_waitq waiting = ANX_WAITQ_INIT;

static void lock(void *ctx)
{
    (void)ctx;
    while (busy)
        anx_wait(&waiting);
    busy = true;
}

static void unlock(void *ctx)
{
    (void)ctx;
    busy = false;
    anx_waitq_wake_one(&waiting);
}

static void yield(void *ctx)
{
    (void)ctx;
    anx_yield();
}

static int stream_begin(void *ctx, const char *ctype)
{
    struct rt_response *rs = ctx;
    rs->status = 200;
    rs->content_type = ctype;
    rt_add_header(rs, "Cache-Control", "no-cache");
    return rt_stream_begin(rs);
}

static int stream_write(void *ctx, const void *p, size_t n)
{
    return rt_stream_write(ctx, p, n);
}

static void header(void *ctx, const char *name, const char *value)
{
    rt_add_header(ctx, name, value);
}

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    oa_metrics_text(b, &server);
}

static struct rt_metrics_source metrics = { .emit = emit_metrics };

/* infer loads an object-store model only after the boot; pick it up then.
 * Until it is there, say why not (in the 503 of every request). */
static void find_model(void)
{
    static char why[200];
    if (server.model)
        return;
    if ((server.model = inf_loaded_model())) {
        server.no_model = NULL;
        log_info("serving model %s at /v1/completions, /v1/chat/completions, /v1/models", server.model_id);
        return;
    }
    struct anx_module_status st = anx_module_status_of("infer");
    if (!inf_loaded_path()[0])
        server.no_model = "set infer.model in the manifest";
    else if (st.state == ANX_MODULE_FAILED)
        snprintf(why, sizeof(why), "the model did not load (%s)", st.reason), server.no_model = why;
    else
        snprintf(why, sizeof(why), "%s is still loading; try again in a moment", inf_loaded_path()),
            server.no_model = why;
}

static int openai_handle(struct rt_engine *eng, const struct rt_request *rq, struct rt_response *rs)
{
    (void)eng;
    find_model();
    struct oa_io io = {
        .ctx = rs, .out = &rs->out, .lock = lock, .unlock = unlock, .yield = yield,
        .stream_begin = rs->stream ? stream_begin : NULL,
        .stream_write = rs->stream ? stream_write : NULL,
        .caller = rq,                       /* built-in tools run with its rights */
        .header = header,
    };
    io.session_hdr = rt_header(rq, "X-Session-Id", &io.session_hdr_len);
    const char *route = rq->route ? rq->route : "";
    if (!strcmp(route, "openai-embeddings")) {
        oa_serve_embeddings(&server, rq->body ? rq->body : "", rq->body_len, &io);
    } else if (!strcmp(route, "openai-models")) {
        oa_serve_models(&server, &io);
    } else if (!strcmp(route, "openai-model")) {
        size_t n;
        const char *id = rt_param(rq, "id", &n);
        if (server.model && id && oa_model_matches(&server, id, n)) {
            io.status = 200;
            io.content_type = "application/json";
            anx_buf_puts(&rs->out, "{\"id\": ");
            rt_json_str(&rs->out, server.model_id, strlen(server.model_id));
            anx_buf_printf(&rs->out, ", \"object\": \"model\", \"created\": %llu, \"owned_by\": \"anunix\"}\n",
                          (unsigned long long)(server.clock_ns() / 1000000000u));
        } else {
            struct oa_error e = { .status = 404, .type = "invalid_request_error", .param = "model",
                                  .code = "model_not_found" };
            snprintf(e.message, sizeof(e.message), "The model '%.*s' does not exist.",
                     (int)(n > 80 ? 80 : n), id ? id : "");
            io.status = 404;
            io.content_type = "application/json";
            oa_error_json(&rs->out, &e);
        }
    } else {
        oa_serve(&server, !strcmp(route, "openai-chat") ? OA_CHAT : OA_COMPLETION,
                 rq->body ? rq->body : "", rq->body_len, &io);
    }
    if (!rs->streamed) {
        rs->status = io.status;
        rs->content_type = io.content_type;
    }
    return 0;
}

/* Down only while the model is still loading (the router then answers 503
 * and health says "degraded"). Loaded, or failed for good, the handler
 * answers itself: a failure in OpenAI's error shape with its reason, which
 * clients can read (health reports the failed module, module.h). */
static bool openai_healthy(struct rt_engine *e)
{
    (void)e;
    find_model();
    return server.model != NULL || anx_module_status_of("infer").state == ANX_MODULE_FAILED ||
           !inf_loaded_path()[0];
}

static struct rt_engine engine = { .name = "openai", .handle = openai_handle, .healthy = openai_healthy };

/* The built-in tools (builtin_tools.h): known names, and one remote engine
 * oa-http-N per http_allow prefix "http://IPV4:PORT/PATH". */
static int tools_init(void)
{
    for (int i = 0; tools_enabled[i]; i++)
        if (!oa_builtin_known(tools_enabled[i])) {
            log_error("openai.tools: no built-in tool is called '%s' (read_object, list_objects, "
                      "route, http_get)", tools_enabled[i]);
            return -1;
        }
    for (int i = 0; http_allow[i]; i++) {
        const char *u = http_allow[i], *hp = u + 7;
        const char *slash = strncmp(u, "http://", 7) ? NULL : strchr(hp, '/');
        char item[128], err[128];
        if (!slash || slash - hp > 40) {
            log_error("openai.http_allow: '%s' is not http://HOST:PORT/PATH", u);
            return -1;
        }
        /* the engine probes its health path: the prefix itself, not /api/v1/health,
         * which another server does not have */
        size_t pl = strlen(slash);
        snprintf(item, sizeof(item), "oa-http-%d=%.*s%s", i, (int)(slash - hp), hp,
                 pl < 48 ? slash : "/");
        if (rt_upstream_config(item, err, sizeof(err)) < 0) {
            log_error("openai.http_allow: '%s': %s", u, err);
            return -1;
        }
    }
    oa_builtins_configure(tool_routes, http_allow);
    server.builtin_tools = tools_enabled;
    server.run_tool = oa_builtin_run;
    server.rag_collection = CONFIG_OPENAI_RAG_COLLECTION;
    server.rag_top_k = CONFIG_OPENAI_RAG_TOP_K;
    server.tool_rounds = CONFIG_OPENAI_TOOL_ROUNDS;
    server.tool_max_tokens = CONFIG_OPENAI_TOOL_MAX_TOKENS;
    return 0;
}

static int openai_init(void)
{
    server.ctx = inf_loaded_context();
    server.clock_ns = anx_time_unix_ns;     /* "created" is a Unix time in OpenAI's API */
    server.model_get = inf_model_get;       /* a session keeps its model across a swap */
    server.model_put = inf_model_put;
    server.model_version = inf_model_version;   /* the cache never serves an old model's answer */
    oa_cache_init(&cache, CONFIG_OPENAI_CACHE_ENTRIES, CONFIG_OPENAI_CACHE_BYTES);
    server.cache = &cache;
    int rc = oa_sessions_init(&sessions, CONFIG_OPENAI_SESSIONS, inf_model_put);
    if (rc < 0) {
        log_error("no memory for the table of %d kept sessions", CONFIG_OPENAI_SESSIONS);
        return rc;
    }
    server.sessions = &sessions;
    server.model_id = oa_model_id(inf_loaded_name(), inf_loaded_path());
    const char *file = oa_model_id("", inf_loaded_path());
    server.model_alias = strcmp(file, server.model_id) ? file : NULL;
    if (tools_init() < 0)
        return -1;
    if (rt_engine_register(&engine))   /* its routes: module.yaml, added by the router */
        return -1;
    rt_metrics_register(&metrics);
    find_model();
    if (!server.model)
        log_warn("no model loaded yet (%s): completions answer 503 until one is", server.no_model);
    return 0;
}

ANX_MODULE(openai, .init = openai_init);
