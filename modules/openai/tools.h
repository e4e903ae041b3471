/*
 * tools.h - tool calls on chat completions (docs/openai-api.md, "Tool calls").
 *
 * The request side (tools.c): OpenAI's `tools` and `tool_choice` are
 * validated into struct oa_tools; assistant messages carrying `tool_calls`
 * and `tool` messages are rendered into the chat template; the tools are
 * described to the model in a preamble. The model's side (tool_parse.c):
 * the model calls a tool by writing
 *
 *     <tool_call>{"name": "NAME", "arguments": {...}}</tool_call>
 *
 * which oa_tool_calls_parse() turns into the answer's `tool_calls`. A
 * forced call (tool_choice "required" or a named function) is started by
 * the server and its arguments generated under a JSON constraint
 * (json_constrain.c), so even a model too small to call tools gives a
 * well-formed call. tool_serve.c drives the rounds: built-in tools the
 * manifest enables run in the server (through oa_server.run_tool, the
 * image's builtin_tools.c) and their results go back to the model.
 */
#ifndef OA_TOOLS_H
#define OA_TOOLS_H

#include "api.h"
#include "json.h"

#define OA_MAX_TOOLS 32 /* tools a request may give (OpenAI: 128) */
#define OA_MAX_CALLS 8  /* calls one answer may hold */
#define OA_TOOL_NAME_MAX 64
#define OA_TOOL_OPEN "<tool_call>"
#define OA_TOOL_CLOSE "</tool_call>"

enum oa_tool_choice { OA_TC_AUTO, OA_TC_NONE, OA_TC_REQUIRED, OA_TC_NAMED };

struct oa_tool {
    char name[OA_TOOL_NAME_MAX + 1];
    char *description; /* or NULL */
    char *parameters;  /* the JSON schema as compact JSON text, or NULL */
    bool builtin;      /* run by the server, never returned to the client */
};

struct oa_tools {
    struct oa_tool t[OA_MAX_TOOLS + 8]; /* the request's, then the enabled built-ins */
    int n;
    enum oa_tool_choice choice;
    char forced[OA_TOOL_NAME_MAX + 1]; /* OA_TC_NAMED */
    bool choice_given;
};

/* Parse `tools`, `tool_choice` and `parallel_tool_calls` of a chat request's
 * root object into *out (NULL when the request has no tools and no choice):
 * 0, or -1 with e filled (400 in OpenAI's words; 503 out of memory). */
int oa_tools_parse(const struct json_doc *d, const struct json_value *root, struct oa_tools **out,
                   struct oa_error *e);
void oa_tools_free(struct oa_tools *ts);
/* Add the built-in tools the manifest enables (names; NULL-terminated) that
 * oa_builtin_describe knows; a request's own tool of the same name wins. */
void oa_tools_add_builtins(struct oa_tools *ts, const char *const *names);
const struct oa_tool *oa_tools_find(const struct oa_tools *ts, const char *name, size_t n);
/* Check tool_choice against the tools (after the built-ins are added):
 * 0, or -1 with a 400 in e. */
int oa_tools_check_choice(const struct oa_tools *ts, struct oa_error *e);
/* The preamble that describes the tools to the model (docs/openai-api.md). */
void oa_tools_preamble(struct anx_buf *b, const struct oa_tools *ts);

/* For the chat template (api.c): a message with role "tool", or an
 * assistant message with `tool_calls`, rendered into t: 1; 0 when m is
 * neither (the template renders it); -1 with e filled. */
int oa_tool_message(const struct json_doc *d, const struct json_value *msgs,
                    const struct json_value *m, struct anx_buf *t, struct oa_error *e);

/* ---- the model's side (tool_parse.c) ---------------------------------------------------- */

struct oa_tool_call {
    char id[40]; /* "call_7_0": set by the server */
    char name[OA_TOOL_NAME_MAX + 1];
    char *arguments; /* compact JSON text of an object */
};

struct oa_tool_calls {
    struct oa_tool_call c[OA_MAX_CALLS];
    int n;
    char *content; /* the text outside the calls, trimmed; NULL if none */
};

/* Find the calls in a model's text: every <tool_call>...</tool_call> (the
 * last may lack its closing tag) whose inside is a JSON object with a
 * "name" string matching ^[A-Za-z0-9_-]{1,64}$ and "arguments" (an
 * object, or a string holding one; absent = {}; "parameters" is taken as
 * a synonym). What is not a well-formed call stays in content. Returns the
 * number of calls, or ANX_ENOMEM. Free with oa_tool_calls_free. */
int oa_tool_calls_parse(const char *text, size_t n, struct oa_tool_calls *out);
void oa_tool_calls_free(struct oa_tool_calls *tc);
/* Whether s[0..n) is a valid tool name. */
bool oa_tool_name_ok(const char *s, size_t n);
/* A JSON value written back as compact JSON (", " and ": " separators). */
void oa_json_write(struct anx_buf *b, const struct json_doc *d, const struct json_value *v);

/* ---- the answers (tool_serve.c) ---------------------------------------------------------- */

/* One built-in tool run, for the answer's "tool_runs" (docs/openai-api.md). */
struct oa_tool_run {
    char name[OA_TOOL_NAME_MAX + 1];
    char *arguments;
    int status;          /* the tool's status: HTTP-like, 200 = ok */
    size_t result_bytes; /* of the whole result */
    char *result;        /* what the model read of it (at most 2 KiB) */
};

/* The chat answer with tool_calls (content may be NULL: null) and the
 * built-in runs (n_runs 0: no "tool_runs" key). */
void oa_tool_response_json(struct anx_buf *b, const struct oa_meta *m, const char *content,
                           const struct oa_tool_calls *tc, const char *finish, struct inf_usage u,
                           const struct oa_tool_run *runs, int n_runs);
/* The same answer as server-sent events: the role chunk, the content, one
 * chunk per call (id, name and the whole arguments in its first delta, as
 * OpenAI's first tool_calls delta), the finish chunk, usage, [DONE]. */
void oa_tool_response_sse(struct anx_buf *b, const struct oa_meta *m, const char *content,
                          const struct oa_tool_calls *tc, const char *finish, struct inf_usage u,
                          bool include_usage, const struct oa_tool_run *runs, int n_runs);

/* Whether a chat request takes the tool path (it has tools, its own or
 * built-in, and tool_choice is not "none"). */
bool oa_tools_active(const struct oa_server *srv, const struct oa_request *rq);
/* The tool path of oa_serve, after the request was parsed and checked. */
void oa_serve_tools(struct oa_server *srv, struct oa_request *rq, struct oa_io *io);

/* ---- built-in tools (builtin_tools.c describes them; the image runs them) -------------------- */

/* The description and parameter schema of a built-in tool, or NULL. */
const char *oa_builtin_describe(const char *name, const char **parameters);

#endif
