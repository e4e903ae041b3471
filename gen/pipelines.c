/*
 * pipelines: the manifest's task graphs (docs/pipelines.md), run in the
 * image by modules/pipelines. Parsing checks what the text tells: names,
 * keys, durations, each step's call, its input's placeholders (with the
 * module's own template.c) and its dependencies, explicit (`after:`) and
 * implied by references, and cycles (the module's dag.c names them).
 * Once the image is resolved, pipelines_validate checks each call against
 * the routes and engines its modules declare. config.h then carries the
 * table (CONFIG_PIPELINES, rows of struct pl_def) in every image holding
 * the module.
 */
#include "anx.h"

#include <string.h>

#include <anx/errno.h>
#include "pipelines.h"
#include "router.h"

#define DEFAULT_TIMEOUT_NS (30ULL * 1000000000ULL)
#define MAX_TIMEOUT_NS (3600ULL * 1000000000ULL)
#define MAX_RETRIES 10

static const char *const pipeline_keys[] = {"steps", "result", "output", "doc"};
static const char *const step_keys[] = {"name", "call", "engine", "input", "content_type", "after",
                                        "timeout", "retries", "doc"};
const struct name_list manifest_pipeline_keys = {pipeline_keys, sizeof pipeline_keys / sizeof pipeline_keys[0]};
const struct name_list manifest_step_keys = {step_keys, sizeof step_keys / sizeof step_keys[0]};

/* Step names go into templates ({{name.field}}) and JSON: keep them plain. */
static bool step_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* An object name as the store takes it: segments of [A-Za-z0-9._-], '/'
 * between them, at most 200 bytes. */
static bool object_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 200 || s[0] == '/' || s[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '_' || c == '-' || (c == '/' && s[i + 1] != '/');
        if (!ok)
            return false;
    }
    return true;
}

/* Where byte off of a scalar's text is, when it can be told: a one-line
 * scalar, past its opening quote, whose text holds nothing a quoted
 * scalar may have escaped (then the text and the source differ). Else
 * the scalar's start. */
static struct mark at_offset(const struct ynode *n, size_t off)
{
    struct mark mk = n->mark;
    if (memchr(n->str, '\n', n->len) || (n->quoted && strpbrk(n->str, "\"'\\")))
        return mk;
    mk.col += (int)off + (n->quoted ? 1 : 0);
    return mk;
}

static int find_step(const struct pipeline_conf *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->nsteps; i++)
        if (p->steps[i].name && strlen(p->steps[i].name) == len && !memcmp(p->steps[i].name, name, len))
            return (int)i;
    return -1;
}

static const char **step_names(const struct pipeline_conf *p)
{
    const char **v = xcalloc(p->nsteps + 2, sizeof *v);
    v[0] = "input";
    for (size_t i = 0; i < p->nsteps; i++)
        v[i + 1] = p->steps[i].name ? p->steps[i].name : "";
    return v;
}

/* The references of template n: each must be `input` or a step of p other
 * than self (self < 0: the output, which may name any step); each adds
 * that step to *deps. Returns the number of errors. */
static int template_refs(const struct pipeline_conf *p, const struct ynode *n, int self, const char *what,
                         uint32_t *deps)
{
    size_t pos = 0;
    struct pl_ref r;
    char err[200];
    int got, errs = 0;
    while ((got = pl_template_next(n->str, n->len, &pos, &r, err, sizeof err)) == 1) {
        struct mark mk = at_offset(n, r.start);
        if (r.name_len == 5 && !memcmp(r.name, "input", 5))
            continue;
        int k = find_step(p, r.name, r.name_len);
        char *name = xstrndup(r.name, r.name_len);
        if (k < 0) {
            const char **cands = step_names(p);
            diag_error(&mk, "%s refers to '%s', which is neither 'input' nor a step of pipeline '%s'%s", what,
                       yshow(name, strlen(name)), p->name, suggest(name, cands, p->nsteps + 1));
            errs++;
        } else if (k == self) {
            diag_error(&mk, "%s refers to its own step '%s' (a step's input comes from 'input' and earlier steps)",
                       what, name);
            errs++;
        } else {
            *deps |= 1u << k;
        }
    }
    if (got < 0) {
        struct mark mk = at_offset(n, pos);
        diag_error(&mk, "%s: %s", what, err);
        errs++;
    }
    return errs;
}

/* "METHOD PATH": an uppercase method the router knows (not ANY: a request
 * has one method) and an absolute path without blanks or a query. */
static int parse_call(struct step_conf *s, const struct ynode *v, const char *pname)
{
    char *text;
    if (yget_string(v, "a step's 'call'", &text))
        return -1;
    const char *sp = strchr(text, ' ');
    char *method = sp ? xstrndup(text, (size_t)(sp - text)) : xstrdup(text);
    const char *path = sp ? sp + 1 : "";
    while (*path == ' ')
        path++;
    if (!rt_method_ok(method) || !strcmp(method, "ANY")) {
        diag_error(&v->mark, "step '%s' of pipeline '%s': 'call' must be 'METHOD PATH' with an uppercase method "
                             "like GET, POST or PUT, found '%s'",
                   s->name ? s->name : "?", pname, yshow(text, strlen(text)));
        return -1;
    }
    bool ok = path[0] == '/';
    for (const char *q = path; *q && ok; q++)
        ok = *q > ' ' && *q < 0x7f && *q != '?' && *q != '#';
    if (!ok) {
        diag_error(&v->mark, "step '%s' of pipeline '%s': the path of 'call' must start with '/' and hold no blanks, "
                             "'?' or '#', found '%s'",
                   s->name ? s->name : "?", pname, yshow(path, strlen(path)));
        return -1;
    }
    s->method = method;
    s->path = xstrdup(path);
    s->call_mark = v->mark;
    return 0;
}

static void parse_step(struct pipeline_conf *p, struct step_conf *s, const struct ynode *n)
{
    s->mark = n->mark;
    s->timeout_ns = DEFAULT_TIMEOUT_NS;
    s->content_type = "application/json";
    s->input = "{{input|raw}}";
    if (ymap_expect(n, "a step (like {name: x, call: \"POST /v1/completions\", input: ...})"))
        return;
    ymap_check_keys(n, step_keys, sizeof step_keys / sizeof step_keys[0], "in a pipeline step");
    const struct ynode *v;
    if (!(v = ymap_get(n, "name"))) {
        diag_error(&n->mark, "a step of pipeline '%s' has no 'name'", p->name);
    } else if (yget_string(v, "a step's 'name'", &s->name) == 0) {
        s->mark = v->mark;
        if (!step_name_ok(s->name) || !strcmp(s->name, "input")) {
            diag_error(&v->mark, "invalid step name '%s' (lowercase letters, digits, '_' and '-', at most 32; "
                                 "not 'input', which names the pipeline's input)",
                       yshow(s->name, strlen(s->name)));
            s->name = NULL;
        }
    }
    if (!(v = ymap_get(n, "call")))
        diag_error(&n->mark, "step '%s' of pipeline '%s' has no 'call' (like call: \"POST /v1/completions\")",
                   s->name ? s->name : "?", p->name);
    else
        parse_call(s, v, p->name);
    if ((v = ymap_get(n, "engine")) && yget_string(v, "a step's 'engine'", &s->engine) == 0)
        s->engine_mark = v->mark;
    if ((v = ymap_get(n, "input")))
        yget_string(v, "a step's 'input'", &s->input);
    if ((v = ymap_get(n, "content_type")))
        yget_string(v, "a step's 'content_type'", &s->content_type);
    if ((v = ymap_get(n, "timeout"))) {
        uint64_t ns;
        if (yget_duration(v, "a step's 'timeout'", &ns) == 0) {
            if (ns < 1000000ULL || ns > MAX_TIMEOUT_NS)
                diag_error(&v->mark, "a step's 'timeout' must be between 1ms and 1h, found %s", v->str);
            else
                s->timeout_ns = ns;
        }
    }
    int64_t r;
    if ((v = ymap_get(n, "retries")) && yget_int(v, "a step's 'retries'", 0, MAX_RETRIES, &r) == 0)
        s->retries = (unsigned)r;
}

/* Dependencies, once every step has its name: after: and references. */
static void step_deps(struct pipeline_conf *p, size_t i, const struct ynode *n)
{
    struct step_conf *s = &p->steps[i];
    const struct ynode *v;
    if (n->kind != Y_MAP)
        return;
    if ((v = ymap_get(n, "after"))) {
        struct strlist l = {0};
        struct mark *marks = NULL;
        if (v->kind == Y_SCALAR) {   /* after: x, one step */
            strlist_push(&l, v->str);
            marks = xcalloc(1, sizeof *marks);
            marks[0] = v->mark;
        } else {
            yget_strlist(v, "'after' (step names)", &l, &marks);
        }
        for (size_t k = 0; k < l.n; k++) {
            int j = find_step(p, l.v[k], strlen(l.v[k]));
            if (j < 0) {
                const char **cands = step_names(p) + 1;
                diag_error(&marks[k], "step '%s' runs after '%s', which is no step of pipeline '%s'%s",
                           s->name ? s->name : "?", yshow(l.v[k], strlen(l.v[k])), p->name,
                           suggest(l.v[k], cands, p->nsteps));
            } else {
                s->after |= 1u << j;
            }
        }
    }
    if ((v = ymap_get(n, "input")) && v->kind == Y_SCALAR) {
        char what[96];
        snprintf(what, sizeof what, "the input of step '%s'", s->name ? s->name : "?");
        template_refs(p, v, (int)i, what, &s->after);
    }
}

static void parse_pipeline(struct manifest *m, const struct ynode *key, const struct ynode *val)
{
    struct pipeline_conf *p = &m->pipelines[m->npipelines];
    memset(p, 0, sizeof *p);
    p->name = key->str;
    p->mark = key->mark;
    if (!valid_name(p->name)) {
        diag_error(&key->mark, "invalid pipeline name '%s' (lowercase letters, digits and '-'; it is a URL "
                               "segment: POST /api/v1/pipelines/NAME)",
                   yshow(p->name, strlen(p->name)));
        return;
    }
    if (ymap_expect(val, "a pipeline (steps: [...], and optionally result: and output:)"))
        return;
    ymap_check_keys(val, pipeline_keys, sizeof pipeline_keys / sizeof pipeline_keys[0], "in a pipeline");
    const struct ynode *steps = ymap_get(val, "steps"), *v;
    if (!steps || steps->kind != Y_SEQ || steps->n == 0) {
        diag_error(steps ? &steps->mark : &key->mark,
                   "pipeline '%s' needs 'steps': a list of at least one step (- {name: ..., call: ...})", p->name);
        return;
    }
    if (steps->n > PL_MAX_STEPS) {
        diag_error(&steps->items[PL_MAX_STEPS]->mark, "pipeline '%s' has %zu steps; at most %d", p->name,
                   steps->n, PL_MAX_STEPS);
        return;
    }
    p->nsteps = steps->n;
    p->steps = xcalloc(p->nsteps, sizeof *p->steps);
    for (size_t i = 0; i < p->nsteps; i++) {
        parse_step(p, &p->steps[i], steps->items[i]);
        for (size_t j = 0; j < i && p->steps[i].name; j++)
            if (p->steps[j].name && !strcmp(p->steps[j].name, p->steps[i].name)) {
                diag_error(&p->steps[i].mark, "pipeline '%s' has two steps named '%s'", p->name,
                           p->steps[i].name);
                diag_note(&p->steps[j].mark, "the first one is here");
                p->steps[i].name = NULL;
                break;
            }
    }
    for (size_t i = 0; i < p->nsteps; i++)
        step_deps(p, i, steps->items[i]);
    p->result = xasprintf("pipelines/%s/result", p->name);
    if ((v = ymap_get(val, "result")) && yget_string(v, "a pipeline's 'result'", &p->result) == 0 &&
        !object_name_ok(p->result))
        diag_error(&v->mark, "invalid object name '%s' for 'result' (segments of letters, digits, '.', '_' and "
                             "'-' with '/' between them, at most 200 characters)",
                   yshow(p->result, strlen(p->result)));
    const struct step_conf *last = &p->steps[p->nsteps - 1];
    p->output = xasprintf("{{%s|raw}}", last->name ? last->name : "input");
    if ((v = ymap_get(val, "output")) && yget_string(v, "a pipeline's 'output'", &p->output) == 0) {
        uint32_t unused = 0;
        template_refs(p, v, -1, "the output", &unused);
    }
    /* A cycle leaves no order to run the steps in. */
    uint32_t after[PL_MAX_STEPS];
    const char **names = step_names(p) + 1;
    for (size_t i = 0; i < p->nsteps; i++)
        after[i] = p->steps[i].after;
    char cycle[512];
    if (pl_dag_check((unsigned)p->nsteps, after, names, cycle, sizeof cycle)) {
        const char *first = cycle;
        size_t fl = strcspn(cycle, " ");
        int k = find_step(p, first, fl);
        diag_error(k >= 0 ? &p->steps[k].mark : &p->mark,
                   "the steps of pipeline '%s' depend on each other in a cycle: %s (each runs after the next, "
                   "through 'after:' or a {{reference}})",
                   p->name, cycle);
    }
    m->npipelines++;
}

void manifest_pipelines_parse(struct manifest *m, const struct ynode *n)
{
    if (n->kind == Y_NULL)
        return;
    if (ymap_expect(n, "'pipelines' (NAME: {steps: [...]})"))
        return;
    m->pipelines = xcalloc(n->n ? n->n : 1, sizeof *m->pipelines);
    for (size_t i = 0; i < n->n; i++)
        parse_pipeline(m, n->pairs[i].key, n->pairs[i].val);
    /* the module that runs them comes with them */
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, "pipelines"))
            return;
    m->mods = xrealloc(m->mods, (m->nmods + 1) * sizeof *m->mods);
    m->mods[m->nmods++] = (struct mod_req){"pipelines", NULL, n->mark};
}

/* ---- against the image's routes and engines ------------------------------- */

/* A route pattern matches a path (the router's rules: literal segments,
 * {param} one non-empty segment, a final * any rest). */
static bool pattern_match(const char *pat, const char *path)
{
    while (*pat) {
        if (pat[0] == '*')
            return true;
        if (*path != '/' || *pat != '/')
            return false;
        pat++;
        path++;
        size_t pl = strcspn(pat, "/"), sl = strcspn(path, "/");
        if (pat[0] == '*' && pl == 1)
            return true;
        if (pat[0] == '{') {
            if (sl == 0)
                return false;
        } else if (pl != sl || memcmp(pat, path, pl)) {
            return false;
        }
        pat += pl;
        path += sl;
    }
    return *path == 0;
}

struct image_route {
    const char *method, *pattern, *engines;
};

static void add_route(struct image_route **v, size_t *n, const char *item)
{
    struct rt_route_spec sp;
    char err[200];
    if (rt_route_spec_parse(item, strlen(item), &sp, err, sizeof err))
        return;   /* reported where the item is written */
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = (struct image_route){xstrdup(sp.method), xstrdup(sp.pattern), xstrdup(sp.engines)};
}

int pipelines_validate(const struct manifest *m, const struct resolution *r)
{
    if (!m->npipelines)
        return 0;
    int errs0 = diag_errors;
    /* the router's own routes (modules/router/builtins.c), the manifest's,
     * then each module's module.yaml routes: */
    struct image_route *routes = NULL;
    size_t nroutes = 0;
    add_route(&routes, &nroutes, "GET /api/v1/health -> health");
    add_route(&routes, &nroutes, "GET /api/v1/modules -> modules");
    add_route(&routes, &nroutes, "GET /api/v1/routes -> routes");
    add_route(&routes, &nroutes, "GET /metrics -> metrics");
    add_route(&routes, &nroutes, "ANY /api/v1/echo -> echo");
    const char *prefix = resolved_string(r, "router", "static_prefix");
    if (prefix && prefix[0])
        add_route(&routes, &nroutes, "GET /* -> static");
    const struct cvalue *cfg = resolved_value(r, "router", "routes");
    for (size_t i = 0; cfg && i < cfg->list.n; i++)
        add_route(&routes, &nroutes, cfg->list.v[i]);
    for (size_t i = 0; i < r->n; i++)
        for (size_t k = 0; k < r->mods[i].mod->routes.n; k++)
            add_route(&routes, &nroutes, r->mods[i].mod->routes.v[k]);
    struct strlist engines = {0};
    for (size_t i = 0; i < nroutes; i++) {
        char *e = xstrdup(routes[i].engines);
        for (char *t = strtok(e, ","); t; t = strtok(NULL, ","))
            if (!strlist_has(&engines, t))
                strlist_push(&engines, t);
    }
    const struct cvalue *ups = resolved_value(r, "router", "upstreams");
    for (size_t i = 0; ups && i < ups->list.n; i++) {
        struct rt_upstream_spec u;
        char err[200];
        if (rt_upstream_spec_parse(ups->list.v[i], strlen(ups->list.v[i]), &u, err, sizeof err) == 0 &&
            !strlist_has(&engines, u.name))
            strlist_push(&engines, u.name);
    }
    strlist_sort(&engines);
    /* each result where the module may write it (docs/objstore.md, Grants:
     * "*", a name and the names under it, a prefix ending in '/') */
    struct strlist writes = {0};
    const struct resolved_mod *self = resolved_find(r, "pipelines");
    if (self)
        grants_of(m, self, true, &writes);
    for (size_t i = 0; i < m->npipelines && self; i++) {
        const char *res = m->pipelines[i].result;
        bool ok = false;
        for (size_t k = 0; k < writes.n && !ok; k++) {
            const char *g = writes.v[k];
            size_t gl = strlen(g);
            ok = !strcmp(g, "*") || !strcmp(g, res) ||
                 (!strncmp(res, g, gl) && (g[gl - 1] == '/' || res[gl] == '/'));
        }
        if (!ok) {
            struct buf b = {0};
            for (size_t k = 0; k < writes.n; k++)
                buf_printf(&b, "%s%s", k ? ", " : "", writes.v[k]);
            diag_error(&m->pipelines[i].mark, "pipeline '%s' stores its result as '%s', which module 'pipelines' "
                                              "may not write (it may write: %s); grant it: grants: {pipelines: "
                                              "{write: [...]}}",
                       m->pipelines[i].name, res, writes.n ? buf_cstr(&b) : "nothing");
        }
    }
    for (size_t i = 0; i < m->npipelines; i++) {
        const struct pipeline_conf *p = &m->pipelines[i];
        for (size_t k = 0; k < p->nsteps; k++) {
            const struct step_conf *s = &p->steps[k];
            if (s->engine) {
                if (!strlist_has(&engines, s->engine)) {
                    struct buf b = {0};
                    for (size_t j = 0; j < engines.n; j++)
                        buf_printf(&b, "%s%s", j ? ", " : "", engines.v[j]);
                    diag_error(&s->engine_mark, "step '%s' of pipeline '%s' calls engine '%s', which no route or "
                                                "upstream of this image names (its engines: %s)%s",
                               s->name ? s->name : "?", p->name, yshow(s->engine, strlen(s->engine)), buf_cstr(&b),
                               suggest(s->engine, (const char *const *)engines.v, engines.n));
                }
                continue;   /* an engine sees any method and path */
            }
            if (!s->method)
                continue;
            bool found = false;
            for (size_t j = 0; j < nroutes && !found; j++) {
                const char *rm = routes[j].method;
                bool method = !strcmp(rm, "ANY") || !strcmp(rm, s->method) ||
                              (!strcmp(rm, "GET") && !strcmp(s->method, "HEAD"));
                found = method && pattern_match(routes[j].pattern, s->path);
            }
            if (found)
                continue;
            struct buf b = {0}, other = {0};
            size_t shown = 0, nother = 0;
            for (size_t j = 0; j < nroutes; j++) {
                if (!strcmp(routes[j].method, s->method) || !strcmp(routes[j].method, "ANY"))
                    buf_printf(&b, "%s%s %s", shown++ ? ", " : "", routes[j].method, routes[j].pattern);
                else if (pattern_match(routes[j].pattern, s->path))
                    buf_printf(&other, "%s%s", nother++ ? ", " : "", routes[j].method);
            }
            if (nother)
                diag_error(&s->call_mark, "step '%s' of pipeline '%s' calls %s %s, but the routes of that path "
                                          "take %s",
                           s->name ? s->name : "?", p->name, s->method, s->path, buf_cstr(&other));
            else
                diag_error(&s->call_mark, "step '%s' of pipeline '%s' calls %s %s, which no route of this image "
                                          "answers (its %s routes: %s)",
                           s->name ? s->name : "?", p->name, s->method, s->path, s->method,
                           shown ? buf_cstr(&b) : "none");
        }
    }
    return diag_errors - errs0;
}

/* ---- config.h -------------------------------------------------------------------- */

void pipelines_config_h(struct buf *b, const struct manifest *m)
{
    buf_printf(b, "#define CONFIG_PIPELINES_COUNT %zu\n", m->npipelines);
    buf_puts(b, "#define CONFIG_PIPELINES {");
    for (size_t i = 0; i < m->npipelines; i++) {
        const struct pipeline_conf *p = &m->pipelines[i];
        buf_printf(b, " { %s, %s, %s, (const struct pl_step_def[]){", c_string_literal(p->name),
                   c_string_literal(p->result), c_string_literal(p->output));
        for (size_t k = 0; k < p->nsteps; k++) {
            const struct step_conf *s = &p->steps[k];
            buf_printf(b, " { %s, %s, %s, %s, %s, %s, 0x%xu, %lluULL, %u },", c_string_literal(s->name ? s->name : ""),
                       c_string_literal(s->method ? s->method : "POST"), c_string_literal(s->path ? s->path : "/"),
                       s->engine ? c_string_literal(s->engine) : "0", c_string_literal(s->input),
                       c_string_literal(s->content_type), (unsigned)s->after, (unsigned long long)s->timeout_ns,
                       s->retries);
        }
        buf_printf(b, " }, %zu },", p->nsteps);
    }
    buf_puts(b, " { 0 } }\n");
}
