/*
 * tools.c - the request side of tool calls: `tools` and `tool_choice`
 * validated as OpenAI validates them (400s with param and code), tool
 * messages and assistant tool calls rendered into the chat template, and
 * the preamble that describes the tools to the model.
 */
#include "tools.h"

bool oa_tool_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > OA_TOOL_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

void oa_tools_free(struct oa_tools *ts)
{
    if (!ts)
        return;
    for (int i = 0; i < ts->n; i++) {
        if (ts->t[i].builtin)
            continue; /* the built-ins' texts are static */
        anx_free(ts->t[i].description);
        anx_free(ts->t[i].parameters);
    }
    anx_free(ts);
}

const struct oa_tool *oa_tools_find(const struct oa_tools *ts, const char *name, size_t n)
{
    for (int i = 0; ts && i < ts->n; i++)
        if (strlen(ts->t[i].name) == n && !memcmp(ts->t[i].name, name, n))
            return &ts->t[i];
    return NULL;
}

/* Static strings for the param of an error about tools[i] (e->param must
 * outlive the request's JSON). */
static const char *tool_param(int i, const char *what)
{
    static char p[48];
    snprintf(p, sizeof(p), "tools[%d]%s", i, what);
    return p;
}

static int parse_one(const struct json_doc *d, const struct json_value *tv, int i,
                     struct oa_tool *t, struct oa_error *e)
{
    if (tv->type != JSON_OBJECT)
        return oa_bad(e, tool_param(i, ""), "invalid_type",
                    "Invalid type for 'tools[%d]': expected an object, but got %s.", i,
                    oa_json_type_name(tv->type));
    const struct json_value *ty = oa_json_get(d, tv, "type");
    if (!ty)
        return oa_bad(e, tool_param(i, ".type"), "missing_required_parameter",
                    "Missing required parameter: 'tools[%d].type'.", i);
    if (ty->type != JSON_STRING || strcmp(ty->str, "function"))
        return oa_bad(e, tool_param(i, ".type"), "invalid_value",
                    "Invalid value for 'tools[%d].type': supported values are: 'function'.", i);
    const struct json_value *f = oa_json_get(d, tv, "function");
    if (!f)
        return oa_bad(e, tool_param(i, ".function"), "missing_required_parameter",
                    "Missing required parameter: 'tools[%d].function'.", i);
    if (f->type != JSON_OBJECT)
        return oa_bad(e, tool_param(i, ".function"), "invalid_type",
                    "Invalid type for 'tools[%d].function': expected an object, but got %s.", i,
                    oa_json_type_name(f->type));
    const struct json_value *nm = oa_json_get(d, f, "name");
    if (!nm)
        return oa_bad(e, tool_param(i, ".function.name"), "missing_required_parameter",
                    "Missing required parameter: 'tools[%d].function.name'.", i);
    if (nm->type != JSON_STRING)
        return oa_bad(e, tool_param(i, ".function.name"), "invalid_type",
                    "Invalid type for 'tools[%d].function.name': expected a string, but got %s.", i,
                    oa_json_type_name(nm->type));
    if (!oa_tool_name_ok(nm->str, nm->len))
        return oa_bad(e, tool_param(i, ".function.name"), "invalid_value",
                    "Invalid 'tools[%d].function.name': string does not match pattern. Expected a "
                    "string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                    i);
    memcpy(t->name, nm->str, nm->len);
    t->name[nm->len] = 0;
    const struct json_value *ds = oa_json_get(d, f, "description");
    if (ds && ds->type != JSON_NULL) {
        if (ds->type != JSON_STRING)
            return oa_bad(
                e, tool_param(i, ".function.description"), "invalid_type",
                "Invalid type for 'tools[%d].function.description': expected a string, but got %s.",
                i, oa_json_type_name(ds->type));
        if (memchr(ds->str, 0, ds->len))
            return oa_bad(e, tool_param(i, ".function.description"), "invalid_value",
                        "Invalid 'tools[%d].function.description': contains a NUL character.", i);
        if (!(t->description = strndup(ds->str, ds->len)))
            return oa_out_of_memory(e);
    }
    const struct json_value *ps = oa_json_get(d, f, "parameters");
    if (ps && ps->type != JSON_NULL) {
        if (ps->type != JSON_OBJECT)
            return oa_bad(
                e, tool_param(i, ".function.parameters"), "invalid_type",
                "Invalid type for 'tools[%d].function.parameters': expected an object, but got %s.",
                i, oa_json_type_name(ps->type));
        struct anx_buf b = { 0 };
        oa_json_write(&b, d, ps);
        if (!(t->parameters = anx_buf_take(&b)))
            return oa_out_of_memory(e);
    }
    const struct json_value *st = oa_json_get(d, f, "strict");
    if (st && st->type != JSON_NULL && st->type != JSON_TRUE && st->type != JSON_FALSE)
        return oa_bad(e, tool_param(i, ".function.strict"), "invalid_type",
                    "Invalid type for 'tools[%d].function.strict': expected a boolean, but got %s.",
                    i, oa_json_type_name(st->type));
    return 0;
}

static int parse_choice(const struct json_doc *d, const struct json_value *c, struct oa_tools *ts,
                        struct oa_error *e)
{
    ts->choice_given = true;
    if (c->type == JSON_STRING) {
        if (!strcmp(c->str, "none"))
            ts->choice = OA_TC_NONE;
        else if (!strcmp(c->str, "auto"))
            ts->choice = OA_TC_AUTO;
        else if (!strcmp(c->str, "required"))
            ts->choice = OA_TC_REQUIRED;
        else
            return oa_bad(e, "tool_choice", "invalid_value",
                        "Invalid value for 'tool_choice': supported values are 'none', 'auto', "
                        "'required' or an object naming a function.");
        return 0;
    }
    if (c->type != JSON_OBJECT)
        return oa_bad(e, "tool_choice", "invalid_type",
                    "Invalid type for 'tool_choice': expected a string or an object, but got %s.",
                    oa_json_type_name(c->type));
    const struct json_value *ty = oa_json_get(d, c, "type");
    if (!ty || ty->type != JSON_STRING || strcmp(ty->str, "function"))
        return oa_bad(e, "tool_choice.type", "invalid_value",
                    "Invalid value for 'tool_choice.type': supported values are: 'function'.");
    const struct json_value *f = oa_json_get(d, c, "function");
    const struct json_value *nm = f && f->type == JSON_OBJECT ? oa_json_get(d, f, "name") : NULL;
    if (!nm)
        return oa_bad(e, "tool_choice.function.name", "missing_required_parameter",
                    "Missing required parameter: 'tool_choice.function.name'.");
    if (nm->type != JSON_STRING || !oa_tool_name_ok(nm->str, nm->len))
        return oa_bad(e, "tool_choice.function.name", "invalid_value",
                    "Invalid 'tool_choice.function.name': expected a tool name matching "
                    "'^[a-zA-Z0-9_-]{1,64}$'.");
    ts->choice = OA_TC_NAMED;
    memcpy(ts->forced, nm->str, nm->len);
    ts->forced[nm->len] = 0;
    return 0;
}

int oa_tools_parse(const struct json_doc *d, const struct json_value *root, struct oa_tools **out,
                   struct oa_error *e)
{
    *out = NULL;
    const struct json_value *tv = oa_json_get(d, root, "tools");
    const struct json_value *cv = oa_json_get(d, root, "tool_choice");
    const struct json_value *pv = oa_json_get(d, root, "parallel_tool_calls");
    if (pv && pv->type != JSON_NULL && pv->type != JSON_TRUE && pv->type != JSON_FALSE)
        return oa_bad(e, "parallel_tool_calls", "invalid_type",
                    "Invalid type for 'parallel_tool_calls': expected a boolean, but got %s.",
                    oa_json_type_name(pv->type));
    if (tv && tv->type == JSON_NULL)
        tv = NULL;
    if (cv && cv->type == JSON_NULL)
        cv = NULL;
    if (!tv && !cv)
        return 0;
    if (tv && tv->type != JSON_ARRAY)
        return oa_bad(e, "tools", "invalid_type",
                    "Invalid type for 'tools': expected an array, but got %s.",
                    oa_json_type_name(tv->type));
    if (tv && tv->count > OA_MAX_TOOLS)
        return oa_bad(
            e, "tools", "array_above_max_length",
            "Invalid 'tools': array too long. Expected an array with maximum length %d, but "
            "got an array with length %d instead.",
            OA_MAX_TOOLS, tv->count);
    struct oa_tools *ts = anx_calloc(1, sizeof(*ts));
    if (!ts)
        return oa_out_of_memory(e);
    *out = ts;
    int i = 0;
    for (const struct json_value *t = tv ? oa_json_at(d, tv->first) : NULL; t;
         t = oa_json_at(d, t->next), i++) {
        if (parse_one(d, t, i, &ts->t[ts->n], e) < 0) {
            ts->n++; /* freed with the rest */
            return -1;
        }
        if (oa_tools_find(ts, ts->t[ts->n].name, strlen(ts->t[ts->n].name))) {
            ts->n++;
            return oa_bad(e, tool_param(i, ".function.name"), "invalid_value",
                        "Invalid 'tools': the function name '%s' is given twice.",
                        ts->t[ts->n - 1].name);
        }
        ts->n++;
    }
    if (cv && parse_choice(d, cv, ts, e) < 0)
        return -1;
    return 0;
}

void oa_tools_add_builtins(struct oa_tools *ts, const char *const *names)
{
    for (int i = 0; names && names[i]; i++) {
        const char *params = NULL;
        const char *desc = oa_builtin_describe(names[i], &params);
        if (!desc || oa_tools_find(ts, names[i], strlen(names[i])) ||
            ts->n >= (int)(sizeof(ts->t) / sizeof(ts->t[0])))
            continue;
        struct oa_tool *t = &ts->t[ts->n++];
        memset(t, 0, sizeof(*t));
        strlcpy(t->name, names[i], sizeof(t->name));
        t->description = (char *)desc;
        t->parameters = (char *)params;
        t->builtin = true;
    }
}

int oa_tools_check_choice(const struct oa_tools *ts, struct oa_error *e)
{
    if (ts->choice_given && ts->n == 0)
        return oa_bad(
            e, "tool_choice", "invalid_value",
            "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.");
    if (ts->choice == OA_TC_NAMED && !oa_tools_find(ts, ts->forced, strlen(ts->forced)))
        return oa_bad(e, "tool_choice", "invalid_value",
                    "Invalid value for 'tool_choice': no function named '%s' in 'tools'.",
                    ts->forced);
    return 0;
}

/* "(city: string, unit?: string)" from a JSON schema's properties and
 * required: what a small model's context can afford (a schema is often
 * hundreds of tokens). Nothing for a schema without properties. */
static void signature(struct anx_buf *b, const char *schema)
{
    struct json_doc d;
    struct json_error e;
    if (!schema || oa_json_parse(&d, schema, strlen(schema), &e) < 0) {
        oa_json_free(&d);
        anx_buf_puts(b, "()");
        return;
    }
    const struct json_value *props = oa_json_get(&d, &d.v[0], "properties");
    const struct json_value *req = oa_json_get(&d, &d.v[0], "required");
    anx_buf_puts(b, "(");
    int i = 0;
    for (const struct json_value *p =
             props && props->type == JSON_OBJECT ? oa_json_at(&d, props->first) : NULL;
         p; p = oa_json_at(&d, p->next), i++) {
        bool required = false;
        for (const struct json_value *r =
                 req && req->type == JSON_ARRAY ? oa_json_at(&d, req->first) : NULL;
             r; r = oa_json_at(&d, r->next))
            required |= r->type == JSON_STRING && r->len == p->key_len &&
                        !memcmp(r->str, p->key, p->key_len);
        const struct json_value *ty = p->type == JSON_OBJECT ? oa_json_get(&d, p, "type") : NULL;
        anx_buf_puts(b, i ? ", " : "");
        anx_buf_add(b, p->key, p->key_len);
        anx_buf_puts(b, required ? ": " : "?: ");
        anx_buf_puts(b, ty && ty->type == JSON_STRING ? ty->str : "any");
    }
    anx_buf_puts(b, ")");
    oa_json_free(&d);
}

void oa_tools_preamble(struct anx_buf *b, const struct oa_tools *ts)
{
    anx_buf_puts(b, "Tools you can call by writing " OA_TOOL_OPEN
                    "{\"name\": \"TOOL\", \"arguments\": {...}}" OA_TOOL_CLOSE ":\n");
    for (int i = 0; i < ts->n; i++) {
        anx_buf_printf(b, "- %s", ts->t[i].name);
        signature(b, ts->t[i].parameters);
        if (ts->t[i].description)
            anx_buf_printf(b, ": %s", ts->t[i].description);
        anx_buf_puts(b, "\n");
    }
    anx_buf_puts(b, "\n");
}

/* ---- the built-in tools' descriptions (builtin_tools.c runs them) -------------------------- */

struct builtin {
    const char *name, *description, *parameters;
};

static const struct builtin builtins[] = {
    { "read_object", "Read an object of the store.",
      "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\"}}, \"required\": [\"name\"]}" },
    { "list_objects", "List the objects of the store.",
      "{\"type\": \"object\", \"properties\": {\"prefix\": {\"type\": \"string\"}}}" },
    { "http_get", "Fetch a web page.",
      "{\"type\": \"object\", \"properties\": {\"url\": {\"type\": \"string\"}}, \"required\": [\"url\"]}" },
    { "route", "GET a path of this appliance's HTTP API.",
      "{\"type\": \"object\", \"properties\": {\"path\": {\"type\": \"string\"}}, \"required\": [\"path\"]}" },
};

const char *oa_builtin_describe(const char *name, const char **parameters)
{
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (!strcmp(builtins[i].name, name)) {
            if (parameters)
                *parameters = builtins[i].parameters;
            return builtins[i].description;
        }
    return NULL;
}

/* ---- the chat template's tool messages ---------------------------------------------------- */

/* The name of the call id in an earlier assistant message, or NULL. */
static const struct json_value *call_by_id(const struct json_doc *d, const struct json_value *msgs,
                                           const struct json_value *upto, const char *id, size_t n)
{
    for (const struct json_value *m = oa_json_at(d, msgs->first); m && m != upto;
         m = oa_json_at(d, m->next)) {
        const struct json_value *tc =
            m->type == JSON_OBJECT ? oa_json_get(d, m, "tool_calls") : NULL;
        if (!tc || tc->type != JSON_ARRAY)
            continue;
        for (const struct json_value *c = oa_json_at(d, tc->first); c; c = oa_json_at(d, c->next)) {
            const struct json_value *ci = oa_json_get(d, c, "id");
            if (ci && ci->type == JSON_STRING && ci->len == n && !memcmp(ci->str, id, n))
                return c;
        }
    }
    return NULL;
}

static int tool_result(const struct json_doc *d, const struct json_value *msgs,
                       const struct json_value *m, struct anx_buf *t, struct oa_error *e)
{
    const struct json_value *id = oa_json_get(d, m, "tool_call_id");
    if (!id || id->type != JSON_STRING)
        return oa_bad(
            e, "messages", "missing_required_parameter",
            "Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.");
    const struct json_value *call = call_by_id(d, msgs, m, id->str, id->len);
    if (!call)
        return oa_bad(
            e, "messages", "invalid_value",
            "Invalid parameter: messages with role 'tool' must be a response to a preceding "
            "message with 'tool_calls' (no call has the id in 'tool_call_id').");
    const struct json_value *f = oa_json_get(d, call, "function");
    const struct json_value *nm = f ? oa_json_get(d, f, "name") : NULL;
    anx_buf_puts(t, "Tool result (");
    anx_buf_add(t, nm && nm->type == JSON_STRING ? nm->str : id->str,
                nm && nm->type == JSON_STRING ? nm->len : id->len);
    anx_buf_puts(t, "): ");
    const struct json_value *c = oa_json_get(d, m, "content");
    if (c && c->type == JSON_STRING) {
        if (memchr(c->str, 0, c->len))
            return oa_bad(e, "messages", "invalid_value",
                        "Invalid 'messages': content contains a NUL character.");
        anx_buf_add(t, c->str, c->len);
    } else if (c && c->type == JSON_ARRAY) {
        for (const struct json_value *p = oa_json_at(d, c->first); p; p = oa_json_at(d, p->next)) {
            const struct json_value *tx = p->type == JSON_OBJECT ? oa_json_get(d, p, "text") : NULL;
            if (!tx || tx->type != JSON_STRING || memchr(tx->str, 0, tx->len))
                return oa_bad(e, "messages", "invalid_value",
                            "Invalid 'messages': only content parts of type 'text' are supported.");
            anx_buf_add(t, tx->str, tx->len);
        }
    } else {
        return oa_bad(e, "messages", "invalid_type",
                    "Invalid 'messages': a message with role 'tool' needs a 'content' string.");
    }
    anx_buf_puts(t, "\n");
    return 1;
}

static int assistant_calls(const struct json_doc *d, const struct json_value *m,
                           const struct json_value *tc, struct anx_buf *t, struct oa_error *e)
{
    if (tc->type != JSON_ARRAY || tc->count == 0)
        return oa_bad(
            e, "messages", "invalid_value",
            "Invalid 'messages': an assistant message's 'tool_calls' must be a non-empty array.");
    anx_buf_puts(t, "Assistant: ");
    const struct json_value *c = oa_json_get(d, m, "content");
    if (c && c->type == JSON_STRING && c->len) {
        if (memchr(c->str, 0, c->len))
            return oa_bad(e, "messages", "invalid_value",
                        "Invalid 'messages': content contains a NUL character.");
        anx_buf_add(t, c->str, c->len);
        anx_buf_puts(t, " ");
    }
    for (const struct json_value *k = oa_json_at(d, tc->first); k; k = oa_json_at(d, k->next)) {
        const struct json_value *id = k->type == JSON_OBJECT ? oa_json_get(d, k, "id") : NULL;
        const struct json_value *f = k->type == JSON_OBJECT ? oa_json_get(d, k, "function") : NULL;
        const struct json_value *nm =
            f && f->type == JSON_OBJECT ? oa_json_get(d, f, "name") : NULL;
        const struct json_value *ar =
            f && f->type == JSON_OBJECT ? oa_json_get(d, f, "arguments") : NULL;
        if (!id || id->type != JSON_STRING || !nm || nm->type != JSON_STRING ||
            !oa_tool_name_ok(nm->str, nm->len) || !ar || ar->type != JSON_STRING)
            return oa_bad(e, "messages", "invalid_value",
                        "Invalid 'messages': each tool call needs an 'id' and a 'function' with a "
                        "'name' and 'arguments' (a string).");
        /* arguments as the model would have written them: the JSON itself */
        struct json_doc ad;
        struct json_error je;
        anx_buf_puts(t, OA_TOOL_OPEN "{\"name\": ");
        rt_json_str(t, nm->str, nm->len);
        anx_buf_puts(t, ", \"arguments\": ");
        if (oa_json_parse(&ad, ar->str, ar->len, &je) == 0 && ad.v[0].type == JSON_OBJECT)
            oa_json_write(t, &ad, &ad.v[0]);
        else if (je.oom)
            return oa_json_free(&ad), oa_out_of_memory(e);
        else
            rt_json_str(t, ar->str, ar->len); /* not JSON: as the string it is */
        oa_json_free(&ad);
        anx_buf_puts(t, "}" OA_TOOL_CLOSE);
    }
    anx_buf_puts(t, "\n");
    return 1;
}

int oa_tool_message(const struct json_doc *d, const struct json_value *msgs,
                    const struct json_value *m, struct anx_buf *t, struct oa_error *e)
{
    const struct json_value *role = oa_json_get(d, m, "role");
    if (!role || role->type != JSON_STRING)
        return 0;
    if (!strcmp(role->str, "tool"))
        return tool_result(d, msgs, m, t, e);
    const struct json_value *tc = oa_json_get(d, m, "tool_calls");
    if (!strcmp(role->str, "assistant") && tc && tc->type != JSON_NULL)
        return assistant_calls(d, m, tc, t, e);
    return 0;
}
