/*
 * anx schema: the manifest as a JSON Schema (draft 2020-12), for editors
 * (yaml-language-server) and CI. It is generated, never written by hand:
 * the modules and their config keys (type, range, values, default, doc)
 * come from every module.yaml, the platforms and display devices from
 * every platform.yaml, the top-level keys, keymaps and credential types
 * from manifest.c's own lists and the test check kinds from checks.c's
 * table. docs/manifest.schema.json is its output, checked fresh by
 * tests/gen/schema.sh.
 *
 * The schema must accept every manifest anx accepts (a stricter schema
 * would flag good manifests in an editor), so where anx takes any YAML
 * scalar as text, so does the schema, and a key it has no rule for
 * accepts anything. Some mistakes only anx finds (a file that does not
 * exist, a dependency cycle, a module on the wrong platform).
 */
#include "anx.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Sizes: a whole number (bytes) or one with K, M, G, T (B, iB), as
 * parse_size reads them; integers as parse_int reads them (0x.., 1_000). */
#define SIZE_PATTERN "^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)[ \\t]*([KkMmGgTt]([Bb]|[Ii][Bb])?|[Bb])?$"
#define INT_PATTERN "^[+-]?(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)$"
#define DURATION_PATTERN "^(0[xX][0-9a-fA-F_]+|[0-9][0-9_]*) ?(ns|us|ms|s|m|min|h)$"
#define NAME_PATTERN "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
/* 1-65535, and "HOST:GUEST" of two of them */
#define PORT_RE "(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
/* image_path_problem's rules: absolute, no empty, '.' or '..' part; a
 * trailing '/' names a folder */
#define IMAGE_PATH_PATTERN "^/$|^(/(?!\\.\\.?(/|$))[A-Za-z0-9._+@-]+)+/?$"

static json_t *with_doc(json_t *s, const char *doc)
{
    if (doc && *doc)
        json_object_set_new(s, "description", json_string(doc));
    return s;
}

static json_t *type_is(const char *type)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_string(type));
    return s;
}

/* Any YAML scalar: anx reads strings from numbers and booleans too. */
static json_t *scalar_text(void)
{
    json_t *s = json_object();
    json_object_set_new(s, "type", json_pack("[sss]", "string", "number", "boolean"));
    return s;
}

static json_t *string_pattern(const char *pattern)
{
    json_t *s = type_is("string");
    json_object_set_new(s, "pattern", json_string(pattern));
    return s;
}

static json_t *any_of2(json_t *a, json_t *b)
{
    json_t *s = json_object();
    json_object_set_new(s, "anyOf", json_pack("[oo]", a, b));
    return s;
}

/* An integer in [lo, hi], or the same written as a string (quoted, hex,
 * with '_'), whose range only anx checks. */
static json_t *int_schema(int64_t lo, int64_t hi)
{
    json_t *i = type_is("integer");
    json_object_set_new(i, "minimum", json_integer(lo));
    json_object_set_new(i, "maximum", json_integer(hi));
    return any_of2(i, string_pattern(INT_PATTERN));
}

/* A size: bytes as an integer in [lo, hi], or a string like 64M. */
static json_t *size_schema(uint64_t lo, uint64_t hi)
{
    json_t *i = type_is("integer");
    json_object_set_new(i, "minimum", json_integer((json_int_t)lo));
    if (hi <= INT64_MAX)
        json_object_set_new(i, "maximum", json_integer((json_int_t)hi));
    return any_of2(i, string_pattern(SIZE_PATTERN));
}

static json_t *enum_of(const char *const *v, size_t n)
{
    json_t *s = json_object(), *e = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(e, json_string(v[i]));
    json_object_set_new(s, "enum", e);
    return s;
}

static json_t *bool_schema(void)
{
    /* parse_bool's words; YAML 1.1 readers turn them into booleans already */
    static const char *const words[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On",
                                        "false", "False", "FALSE", "no", "No", "off", "Off"};
    return any_of2(type_is("boolean"), enum_of(words, sizeof words / sizeof words[0]));
}

/* s or null: anx reads an empty value (`test:`, a config key with nothing
 * after it) as absent, the default. The description and default stay on
 * the outside, where editors show them. */
static json_t *or_null(json_t *s)
{
    json_t *w = json_object();
    static const char *const hoist[] = {"description", "default"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(s, hoist[i]);
        if (v) {
            json_object_set(w, hoist[i], v);
            json_object_del(s, hoist[i]);
        }
    }
    json_object_set_new(w, "anyOf", json_pack("[o{ss}]", s, "type", "null"));
    return w;
}

static json_t *object_schema(json_t *props, bool closed)
{
    json_t *s = type_is("object");
    json_object_set_new(s, "properties", props);
    if (closed)
        json_object_set_new(s, "additionalProperties", json_false());
    return s;
}

/* ---- module config --------------------------------------------------------- */

static json_t *key_default(const struct config_key *k)
{
    const struct cvalue *v = &k->def;
    switch (k->type) {
    case CT_BOOL:
        return json_boolean(v->i);
    case CT_INT:
        return json_integer((json_int_t)v->i);
    case CT_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; i < v->list.n; i++)
            json_array_append_new(a, json_string(v->list.v[i]));
        return a;
    }
    case CT_SIZE:
    case CT_DURATION:
        return json_string(k->def_text ? k->def_text : "");
    default:
        return json_string(v->s ? v->s : "");
    }
}

static json_t *key_schema(const struct config_key *k)
{
    json_t *s;
    switch (k->type) {
    case CT_BOOL:
        s = bool_schema();
        break;
    case CT_INT:
        s = int_schema(k->has_range ? k->lo : INT64_MIN, k->has_range ? k->hi : INT64_MAX);
        break;
    case CT_SIZE:
        s = size_schema(k->has_range ? k->ulo : 0, k->has_range ? k->uhi : UINT64_MAX);
        break;
    case CT_DURATION:
        s = string_pattern(DURATION_PATTERN);
        break;
    case CT_ENUM:
        s = enum_of((const char *const *)k->values.v, k->values.n);
        break;
    case CT_LIST: {
        json_t *a = type_is("array");
        json_object_set_new(a, "items", scalar_text());
        /* the deprecated one-string form, still accepted with a warning */
        s = k->split ? any_of2(a, type_is("string")) : a;
        break;
    }
    default:
        s = scalar_text();
    }
    if (k->has_default)
        json_object_set_new(s, "default", key_default(k));
    return with_doc(s, xasprintf("%s%s%s", ctype_names[k->type], k->doc ? ": " : "", k->doc ? k->doc : ""));
}

/* One module under modules:: null or {} for the defaults, else its keys;
 * the keys without a default are required. */
static json_t *module_schema(const struct module *m)
{
    json_t *props = json_object(), *required = json_array();
    for (size_t k = 0; k < m->nkeys; k++) {
        json_object_set_new(props, m->keys[k].name, or_null(key_schema(&m->keys[k])));
        if (!m->keys[k].has_default)
            json_array_append_new(required, json_string(m->keys[k].name));
    }
    json_t *obj = object_schema(props, true);
    if (json_array_size(required)) {
        json_object_set_new(obj, "required", required);
        return with_doc(obj, m->summary);
    }
    json_decref(required);
    return with_doc(any_of2(type_is("null"), obj), m->summary);
}

static json_t *modules_schema(struct catalog *c, struct strlist *names)
{
    json_t *props = json_object();
    for (size_t i = 0; i < c->module_names.n; i++) {
        const struct module *m = catalog_module(c, c->module_names.v[i]);
        if (!m)
            continue;
        strlist_push(names, m->name);
        json_object_set_new(props, m->name, module_schema(m));
    }
    json_t *s = object_schema(props, true);
    return or_null(with_doc(s, "The modules the image holds, each with its config (null or {} for the "
                               "defaults); their dependencies are added (`anx modules` lists them)"));
}

/* ---- the other top-level keys -------------------------------------------- */

static json_t *files_schema(void)
{
    json_t *s = type_is("object");
    json_t *names = string_pattern(IMAGE_PATH_PATTERN);
    json_object_set_new(names, "maxLength", json_integer(256));
    json_object_set_new(s, "propertyNames", names);
    json_t *host = type_is("string");
    json_object_set_new(host, "minLength", json_integer(1));
    json_object_set_new(s, "additionalProperties", host);
    return or_null(with_doc(s, "Image path -> host file or folder, relative to the manifest; a folder embeds "
                               "every file below it"));
}

static json_t *display_schema(struct catalog *c)
{
    /* the display devices of every platform (the manifest's platform decides) */
    struct strlist devices = {0};
    for (size_t i = 0; i < c->platform_names.n; i++) {
        const struct platform *p = catalog_platform(c, c->platform_names.v[i]);
        for (size_t d = 0; p && d < p->ndisplays; d++)
            if (!strlist_has(&devices, p->displays[d].module))
                strlist_push(&devices, p->displays[d].module);
    }
    strlist_sort(&devices);
    static const char *const depths[] = {"16", "32"};
    json_t *props = json_object(), *depth = json_object();
    json_object_set_new(props, "device", with_doc(enum_of((const char *const *)devices.v, devices.n),
                                                  "The display driver module (a key of the platform's qemu: display:)"));
    json_object_set_new(props, "width", with_doc(int_schema(320, 8192), "Pixels (default 1024)"));
    json_object_set_new(props, "height", with_doc(int_schema(320, 8192), "Pixels (default 768)"));
    json_object_set_new(depth, "enum", json_pack("[iiss]", 16, 32, depths[0], depths[1]));
    json_object_set_new(props, "depth", with_doc(depth, "Bits per pixel: 32 (XRGB8888, default) or 16 (RGB565)"));
    json_object_set_new(props, "keymap", with_doc(enum_of(manifest_keymaps.v, manifest_keymaps.n),
                                                  "Keyboard layout (default us)"));
    json_t *s = object_schema(props, true);
    json_object_set_new(s, "required", json_pack("[s]", "device"));
    return with_doc(s, "The image's screen: its driver, mode and keyboard layout");
}

static json_t *run_schema(void)
{
    json_t *port = string_pattern("^" PORT_RE "(:" PORT_RE ")?$");
    json_t *ports = type_is("array");
    json_object_set_new(ports, "items", any_of2(int_schema(1, 65535), port));
    json_t *disk_props = json_object();
    json_object_set_new(disk_props, "size", with_doc(size_schema(1ULL << 20, 1ULL << 40), "1M to 1T (default 64M)"));
    json_t *disk = object_schema(disk_props, true);
    json_t *props = json_object();
    json_object_set_new(props, "ports",
                        or_null(with_doc(ports, "Forwards \"HOST:GUEST\" (or one port for both) of `anx run`")));
    json_object_set_new(props, "disk", with_doc(any_of2(type_is("null"), disk), "The disk `anx run` attaches"));
    return or_null(with_doc(object_schema(props, true), "Defaults of `anx run`"));
}

/* A key of a test check, by name (checks.c parses them); a key this table
 * does not know accepts anything. */
static json_t *check_key_schema(const char *key)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    static const char *const buttons[] = {"left", "right", "middle"};
    json_t *region_props = json_object();
    static const char *const xywh[] = {"x", "y", "w", "h"};
    for (size_t i = 0; i < 4; i++)
        json_object_set_new(region_props, xywh[i], int_schema(i < 2 ? 0 : 1, 16384));
    json_t *region = object_schema(region_props, true);
    json_object_set_new(region, "required", json_pack("[ssss]", "x", "y", "w", "h"));
    if (!strcmp(key, "region"))
        return with_doc(region, "A rectangle of the screen in pixels");
    json_decref(region);
    if (!strcmp(key, "serial") || !strcmp(key, "expect"))
        return with_doc(scalar_text(), "An extended regular expression");
    if (!strcmp(key, "exit"))
        return with_doc(int_schema(0, 255), "The exit status expected");
    if (!strcmp(key, "http"))
        return with_doc(string_pattern("^/"), "The request path");
    if (!strcmp(key, "method"))
        return enum_of(methods, 7);
    if (!strcmp(key, "headers")) {
        json_t *h = type_is("object");
        json_object_set_new(h, "additionalProperties", scalar_text());
        return h;
    }
    if (!strcmp(key, "port"))
        return with_doc(int_schema(1, 65535), "Guest port (default: the first run: ports forward)");
    if (!strcmp(key, "status"))
        return with_doc(int_schema(100, 599), "HTTP status expected");
    if (!strcmp(key, "screen"))
        return with_doc(string_pattern("\\.png$"), "A reference PNG, relative to the manifest");
    if (!strcmp(key, "tolerance"))
        return with_doc(string_pattern("^0*(100(\\.0*)?|[0-9]{1,2}(\\.[0-9]*)?|\\.[0-9]+)%$"),
                        "Share of pixels allowed to differ, 0% to 100%, like 0.5%");
    if (!strcmp(key, "timeout"))
        return string_pattern(DURATION_PATTERN);
    if (!strcmp(key, "pixels")) {
        json_t *p = json_object();
        json_object_set_new(p, "color", string_pattern("^#[0-9a-fA-F]{6}$"));
        json_object_set_new(p, "min", int_schema(0, 16384LL * 16384));
        json_object_set_new(p, "max", int_schema(0, 16384LL * 16384));
        json_object_set_new(p, "region", check_key_schema("region"));
        json_t *s = object_schema(p, true);
        json_object_set_new(s, "required", json_pack("[s]", "color"));
        /* and a bound: min, max or both */
        json_object_set_new(s, "anyOf", json_pack("[{s[s]}{s[s]}]", "required", "min", "required", "max"));
        return with_doc(s, "Counts the pixels of one color");
    }
    if (!strcmp(key, "click")) {
        json_t *p = json_object();
        json_object_set_new(p, "x", int_schema(0, 16383));
        json_object_set_new(p, "y", int_schema(0, 16383));
        json_object_set_new(p, "button", enum_of(buttons, 3));
        json_t *s = object_schema(p, true);
        json_object_set_new(s, "required", json_pack("[ss]", "x", "y"));
        return s;
    }
    if (!strcmp(key, "type")) {
        /* printable ASCII, \n (ret) and \t (tab): what US-layout keys type */
        return with_doc(string_pattern("^[ -~\\t\\n]+$"), "Text typed on a US keyboard");
    }
    if (!strcmp(key, "screenshot"))
        return with_doc(string_pattern("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$"), "Saved as NAME.png in the build folder");
    if (!strcmp(key, "shell") || !strcmp(key, "key") || !strcmp(key, "name") ||
        !strcmp(key, "body"))
        return scalar_text();
    return json_object();
}

/* test: a list of checks, each of exactly one kind (checks.c's table). */
static json_t *test_schema(void)
{
    json_t *kinds = json_array();
    for (size_t i = 0; i < check_type_count; i++) {
        const struct check_type *t = &check_types[i];
        json_t *props = json_object();
        for (size_t k = 0; k < t->nkeys; k++)
            json_object_set_new(props, t->keys[k], check_key_schema(t->keys[k]));
        json_t *s = object_schema(props, true);
        /* a shell check compares its output: expect: is required too */
        json_object_set_new(s, "required", !strcmp(t->key, "shell") ? json_pack("[ss]", t->key, "expect")
                                                                     : json_pack("[s]", t->key));
        json_object_set_new(s, "title", json_string(xasprintf("%s check", t->key)));
        json_array_append_new(kinds, s);
    }
    json_t *item = json_object(), *s = type_is("array");
    json_object_set_new(item, "oneOf", kinds);
    json_object_set_new(s, "items", item);
    return or_null(with_doc(s, "The checks `anx test` runs, in order"));
}

static json_t *credentials_schema(const struct strlist *modules)
{
    json_t *props = json_object();
    json_object_set_new(props, "type", enum_of(manifest_cred_types.v, manifest_cred_types.n));
    json_object_set_new(props, "owner", enum_of((const char *const *)modules->v, modules->n));
    json_t *mods = type_is("array");
    json_object_set_new(mods, "items", enum_of((const char *const *)modules->v, modules->n));
    json_object_set_new(mods, "minItems", json_integer(1));
    json_object_set_new(mods, "uniqueItems", json_true());
    json_object_set_new(props, "modules", with_doc(mods, "The modules that may use it, the owner first"));
    json_t *scopes = type_is("array");
    json_object_set_new(scopes, "items", string_pattern("^[a-z0-9:_.-]{1,40}$"));
    json_object_set_new(props, "scopes", or_null(scopes));
    json_object_set_new(props, "required", bool_schema());
    json_object_set_new(props, "doc", or_null(scalar_text()));
    json_t *cred = object_schema(props, true);
    json_object_set_new(cred, "required", json_pack("[ss]", "type", "modules"));
    json_t *s = type_is("object");
    json_object_set_new(s, "propertyNames", string_pattern("^[a-z0-9._-]{1,37}$"));
    json_object_set_new(s, "additionalProperties", cred);
    return or_null(
        with_doc(s, "Credentials the image expects at run time (values come from `anx run --secret NAME=FILE`)"));
}

/* grants: MODULE -> {read: [...], write: [...]}; names as grants.c checks
 * them ("*", or segments of [A-Za-z0-9._-] separated by '/', an optional
 * trailing '/', no "." or ".." segment). */
static json_t *grants_schema(const struct strlist *modules)
{
    json_t *props = json_object();
    for (int w = 0; w < 2; w++) {
        json_t *l = type_is("array");
        json_object_set_new(l, "items", string_pattern("^(\\*|(?!(.*/)?\\.\\.?(/|$))[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?)$"));
        json_object_set_new(props, w ? "write" : "read",
                            or_null(with_doc(l, w ? "Object names it may create, change and delete"
                                                  : "Object names it may read and list")));
    }
    json_t *s = type_is("object");
    json_object_set_new(s, "propertyNames", enum_of((const char *const *)modules->v, modules->n));
    json_object_set_new(s, "additionalProperties", object_schema(props, true));
    return or_null(with_doc(s, "Object names each module may read and write, replacing its module.yaml objects: "
                               "(docs/objstore.md, Grants)"));
}

/* pipelines: NAME -> {steps: [...], result, output} (gen/pipelines.c);
 * references, cycles and calls are anx check's. */
static json_t *pipelines_schema(void)
{
    json_t *sp = json_object();
    json_object_set_new(sp, "name", with_doc(string_pattern("^(?!input$)[a-z0-9_-]{1,32}$"),
                                             "The step's name, which later steps' templates refer to"));
    json_object_set_new(sp, "call", with_doc(string_pattern("^[A-Z]+ /[^ ?#]*$"),
                                             "The request the step makes: METHOD PATH of a route of the image"));
    json_object_set_new(sp, "engine", or_null(with_doc(type_is("string"),
                                                       "Call this engine directly (with call's method and path) "
                                                       "instead of routing the request")));
    json_object_set_new(sp, "input", or_null(with_doc(scalar_text(),
                                                      "The request body: a template with {{input}}, "
                                                      "{{STEP.field}}, {{X|raw}} (default {{input|raw}})")));
    json_object_set_new(sp, "content_type", or_null(with_doc(type_is("string"),
                                                             "The body's Content-Type (default application/json)")));
    json_t *after = type_is("array");
    json_object_set_new(after, "items", type_is("string"));
    json_object_set_new(sp, "after", or_null(with_doc(any_of2(after, type_is("string")),
                                                      "Steps this one runs after (references add theirs)")));
    json_t *dur = string_pattern("^[0-9]+ *(ns|us|ms|s|m|min|h)$");
    json_object_set_new(sp, "timeout", or_null(with_doc(dur, "Per attempt, 1ms to 1h (default 30s)")));
    json_object_set_new(sp, "retries", or_null(with_doc(int_schema(0, 10),
                                                        "Further attempts after a 5xx, an engine error or "
                                                        "a timeout (default 0)")));
    json_object_set_new(sp, "doc", or_null(scalar_text()));
    json_t *step = object_schema(sp, true);
    json_object_set_new(step, "required", json_pack("[ss]", "name", "call"));
    json_t *steps = type_is("array");
    json_object_set_new(steps, "items", step);
    json_object_set_new(steps, "minItems", json_integer(1));
    json_object_set_new(steps, "maxItems", json_integer(32));
    json_t *pp = json_object();
    json_object_set_new(pp, "steps", with_doc(steps, "The steps, run in dependency order"));
    json_object_set_new(pp, "result", or_null(with_doc(string_pattern("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
                                                       "The object the output is stored as (default "
                                                       "pipelines/NAME/result)")));
    json_object_set_new(pp, "output", or_null(with_doc(scalar_text(),
                                                       "The stored content: a template (default the last "
                                                       "step's answer)")));
    json_object_set_new(pp, "doc", or_null(scalar_text()));
    json_t *pl = object_schema(pp, true);
    json_object_set_new(pl, "required", json_pack("[s]", "steps"));
    json_t *s = type_is("object");
    json_object_set_new(s, "propertyNames", string_pattern(NAME_PATTERN));
    json_object_set_new(s, "additionalProperties", pl);
    return or_null(with_doc(s, "Task graphs the router runs: POST /api/v1/pipelines/NAME (docs/pipelines.md)"));
}

static json_t *top_key_schema(struct catalog *c, const char *key, struct strlist *modules)
{
    if (!strcmp(key, "name"))
        return with_doc(string_pattern(NAME_PATTERN), "The image name: 1-63 lowercase letters, digits and '-'");
    if (!strcmp(key, "platform")) {
        json_t *s = enum_of((const char *const *)c->platform_names.v, c->platform_names.n);
        json_array_append_new(json_object_get(s, "enum"), json_null());   /* empty: -p names it */
        return with_doc(s, "The target (`anx platforms`; -p overrides it)");
    }
    if (!strcmp(key, "memory"))
        return with_doc(size_schema(2ULL << 20, 1ULL << 40), "Guest RAM, a whole number of MiB (default 64M)");
    if (!strcmp(key, "cpus"))
        return with_doc(int_schema(1, 64), "Virtual CPUs (default 1): CPU 0 runs the kernel, the others compute");
    if (!strcmp(key, "debug"))
        return with_doc(bool_schema(), "Checks that cost time, such as the spinlock order (default false)");
    if (!strcmp(key, "cmdline")) {
        json_t *s = scalar_text();
        json_object_set_new(s, "maxLength", json_integer(2048));
        json_object_set_new(s, "pattern", json_stringn("^[^\0]*$", 7));   /* no NUL: it is a C string */
        return or_null(with_doc(s, "The kernel command line (at most 2048 characters)"));
    }
    if (!strcmp(key, "modules"))
        return modules_schema(c, modules);
    if (!strcmp(key, "files"))
        return files_schema();
    if (!strcmp(key, "display"))
        return display_schema(c);
    if (!strcmp(key, "run"))
        return run_schema();
    if (!strcmp(key, "test"))
        return test_schema();
    if (!strcmp(key, "credentials"))
        return credentials_schema(modules);
    if (!strcmp(key, "grants"))
        return grants_schema(modules);
    if (!strcmp(key, "pipelines"))
        return pipelines_schema();
    return with_doc(json_object(), "see docs/manifest.md");
}

char *manifest_schema_json(struct catalog *c)
{
    json_t *props = json_object();
    struct strlist modules = {0};
    /* modules first: credentials name them */
    json_t *mods = top_key_schema(c, "modules", &modules);
    for (size_t i = 0; i < manifest_top_keys.n; i++) {
        const char *k = manifest_top_keys.v[i];
        json_object_set_new(props, k, !strcmp(k, "modules") ? json_incref(mods) : top_key_schema(c, k, &modules));
    }
    json_decref(mods);
    json_t *j = json_object();
    json_object_set_new(j, "$schema", json_string("https://json-schema.org/draft/2020-12/schema"));
    json_object_set_new(j, "title", json_string("Anunix manifest"));
    json_object_set_new(j, "description",
                        json_string(xasprintf("An Anunix image manifest (docs/manifest.md), generated by `anx schema` "
                                              "(anx %s) from the module and platform descriptors", ANX_VERSION)));
    json_object_set_new(j, "type", json_string("object"));
    json_object_set_new(j, "required", json_pack("[s]", "name"));
    json_object_set_new(j, "properties", props);
    json_object_set_new(j, "additionalProperties", json_false());
    char *s = json_dumps(j, JSON_INDENT(2));
    json_decref(j);
    char *out = xasprintf("%s\n", s ? s : "{}");
    free(s);
    return out;
}

static const char schema_usage[] =
    "usage: anx schema\n"
    "Prints the manifest's JSON Schema (draft 2020-12), made from every module.yaml and platform.yaml of\n"
    "the root: point an editor at it with '# yaml-language-server: $schema=PATH' (docs/manifest.md).\n";

int cmd_schema(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(schema_usage, stdout);
        return EXIT_OK;
    }
    if (argc > 1) {
        fputs(schema_usage, stderr);
        return EXIT_USAGE;
    }
    struct catalog c;
    catalog_open(&c, anx_root());
    int errs = diag_errors;
    char *text = manifest_schema_json(&c);
    fputs(text, stdout);
    /* a broken module.yaml or platform.yaml is left out, after its error,
     * as `anx modules` leaves it out of its list */
    return diag_errors > errs ? EXIT_USAGE : EXIT_OK;
}
