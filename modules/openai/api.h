/*
 * api.h - the OpenAI-compatible API without the transport: request parsing
 * and validation, the chat template, the JSON and server-sent-event
 * formatting, and the generation driver. openai_module.c ties it to the
 * router; the host tests drive it directly. See docs/openai-api.md.
 */
#ifndef OA_API_H
#define OA_API_H

#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include "infer.h"    /* depends: [infer, router] */
#include "router.h"

struct oa_cache;
struct oa_sessions;

enum oa_kind { OA_COMPLETION, OA_CHAT };
struct oa_tools;
struct oa_sources;

#define OA_MAX_STOP 4                 /* stop strings a request may give */
#define OA_MAX_MESSAGES 256
#define OA_COMPLETION_DEFAULT_TOKENS 16   /* OpenAI's default max_tokens for /v1/completions */
#define OA_CHAT_STOP "\nUser:"        /* always a stop string of chat completions */

struct oa_request {
    enum oa_kind kind;
    char *prompt;                     /* the prompt, or the chat template's text */
    char *model;                      /* the requested model, or NULL */
    int max_tokens;                   /* 0 = until the context is full */
    float temperature, top_p;
    uint64_t seed;
    bool has_seed;
    char *stop[OA_MAX_STOP + 1];      /* + the chat stop */
    int n_stop;
    bool stream, include_usage;
    struct oa_tools *tools;           /* tools and tool_choice (tools.h), or NULL */
    char *question;                   /* chat: the last user message's text (retrieval), or NULL */
    const struct oa_sources *sources; /* the passages retrieval gave the prompt (rag.h), or NULL */
    char *session_id;                 /* "session_id": a kept session (chat_sessions.h), or NULL */
};

struct oa_error {
    int status;                       /* HTTP status */
    const char *type;                 /* "invalid_request_error", "server_error" */
    const char *param;                /* NULL = null */
    const char *code;                 /* NULL = null */
    char message[200];
};

/* e as a 400 invalid_request_error about param (NULL = null) with code and
 * the formatted message; returns -1. */
int oa_bad(struct oa_error *e, const char *param, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* e as the 503 out_of_memory error; returns -1. */
int oa_out_of_memory(struct oa_error *e);

/* 0, or -1 with e filled (status 400, or 503 out of memory). Free rq with oa_request_free
 * either way. */
int oa_parse_request(enum oa_kind kind, const char *body, size_t n, struct oa_request *rq,
                     struct oa_error *e);
void oa_request_free(struct oa_request *rq);

/* ---- formatting ---------------------------------------------------------------------------- */

struct oa_meta {
    enum oa_kind kind;
    const char *id;                   /* "cmpl-7", "chatcmpl-7" */
    uint64_t created;
    const char *model;
    const struct oa_sources *sources; /* retrieval (rag.h): listed in the answer and in a
                                         stream's first chunk; NULL: no "sources" key */
};

void oa_error_json(struct anx_buf *b, const struct oa_error *e);
void oa_models_json(struct anx_buf *b, const char *model, uint64_t created);
/* The whole (non-streamed) answer. */
void oa_response_json(struct anx_buf *b, const struct oa_meta *m, const char *text, size_t len,
                      const char *finish, struct inf_usage u);
/* One server-sent event "data: {chunk}\n\n". role: the chat chunk's delta
 * carries the role (the first chunk); finish: NULL while running; usage:
 * non-NULL for the usage chunk (choices empty); with_usage_null: the
 * chunk carries "usage": null (stream_options.include_usage). */
void oa_chunk_sse(struct anx_buf *b, const struct oa_meta *m, bool role, const char *text,
                  size_t len, const char *finish, const struct inf_usage *usage,
                  bool with_usage_null);
#define OA_SSE_DONE "data: [DONE]\n\n"

/* ---- serving ------------------------------------------------------------------------------- */

struct oa_server {
    const struct inf_model *model;    /* NULL: none loaded (503) */
    const char *model_id;             /* oa_model_id() */
    const char *model_alias;          /* also accepted in "model" (the file name when
                                         infer.name is set), or NULL */
    const char *no_model;             /* why model is NULL, for the 503, or NULL */
    int ctx;                          /* KV cache positions (0 = the model's) */
    unsigned long next_id;
    uint64_t (*clock_ns)(void);       /* created = clock_ns() / 1e9; seeds without "seed" */
    /* The model a request generates with, held until its session ends (the
     * infer module swaps in a new version meanwhile: inf_model_get/put);
     * NULL: model, as it is. */
    const struct inf_model *(*model_get)(void);
    void (*model_put)(const struct inf_model *m);
    /* Tool calls (tools.h): the built-in tools the manifest enables (names,
     * NULL-terminated; NULL = none), how to run one for the request's caller
     * (io->caller): 0 with the result text in out and *status (200 = ok,
     * else HTTP-like), or a negative error; at most tool_rounds rounds of
     * built-in calls per request; tool_max_tokens bounds a forced call's
     * arguments (0: the openai.tool_rounds and tool_max_tokens defaults). */
    const char *const *builtin_tools;
    int (*run_tool)(const void *caller, const char *name, const char *args, struct anx_buf *out,
                    int *status);
    int tool_rounds, tool_max_tokens;
    /* Retrieval-augmented chat (rag.h): the collection whose passages chat
     * completions get before the conversation (NULL or "" = off), and how
     * many at most. */
    const char *rag_collection;
    int rag_top_k;
    /* The model's version (inf_model_version): the response cache never
     * answers from another version's entries; NULL = always 0. */
    unsigned (*model_version)(void);
    struct oa_cache *cache;           /* answers of deterministic requests (cache.h), or NULL */
    struct oa_sessions *sessions;     /* kept chat sessions (chat_sessions.h), or NULL */
    unsigned long embed_requests, embed_inputs;   /* for /metrics (embeddings.c) */
};

/* How the driver answers: a body in out with status/content_type, or a
 * stream. Callbacks may be NULL (no streaming: 400 for stream: true;
 * no lock; no yield). */
struct oa_io {
    void *ctx;
    int status;
    const char *content_type;
    struct anx_buf *out;
    int (*stream_begin)(void *ctx, const char *content_type);
    int (*stream_write)(void *ctx, const void *p, size_t n);
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    void (*yield)(void *ctx);         /* after every token */
    const void *caller;               /* the request, for run_tool (the caller's rights) */
    /* An extra header line of the answer (X-Anunix-Cache), called before
     * stream_begin or the body; NULL: none. */
    void (*header)(void *ctx, const char *name, const char *value);
    const char *session_hdr;          /* the X-Session-Id header's value (not NUL-terminated), */
    size_t session_hdr_len;           /* or NULL */
};

void oa_serve(struct oa_server *srv, enum oa_kind kind, const char *body, size_t n,
              struct oa_io *io);
void oa_serve_models(struct oa_server *srv, struct oa_io *io);
/* POST /v1/embeddings (embeddings.c). */
void oa_serve_embeddings(struct oa_server *srv, const char *body, size_t n, struct oa_io *io);
/* The model id clients see (docs/openai-api.md): the infer.name config when
 * it is not empty, else the base name of infer.model, the file or object
 * ("/models/stories260K.bin" -> "stories260K.bin"). A GGUF's general.name
 * does not count: the person who writes the manifest names the model. */
const char *oa_model_id(const char *name, const char *path);
/* 0 when srv has a model and want (a request's "model"; NULL = any) names
 * it; else -1 with e: 503 model_not_loaded (with the reason), 404
 * model_not_found. */
int oa_model_check(const struct oa_server *srv, const char *want, struct oa_error *e);
/* Whether a request's "model" (n bytes) names the served model: its id or
 * its alias. */
bool oa_model_matches(const struct oa_server *srv, const char *want, size_t n);

#endif
