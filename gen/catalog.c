/*
 * The catalog: every modules/NAME/module.yaml, platforms/NAME/platform.yaml
 * and arch/NAME/arch.yaml under the repository root. Names come from the folder listing; the YAML
 * is parsed only when a build needs it, so one broken module never breaks
 * images that don't use it. Same careful parser, same file:line:col errors
 * as the manifest.
 */
#include "anx.h"

#include <string.h>

#define MAX_DESC (1 << 20)

const char *const ctype_names[] = {"bool", "int", "size", "duration", "string", "enum", "list"};
#define NCTYPES 7

static const char *const module_keys[] = {"name", "summary", "depends", "conflicts", "platforms",
                                          "sources", "config", "third_party", "memory", "tests", "prefix",
                                          "files", "license", "routes", "objects", "optimize"};
static const char *const memory_keys[] = {"base", "add"};
static const char *const term_keys[] = {"key", "each", "when"};
static const char *const tp_keys[] = {"tree", "license", "sources", "exclude", "include", "private", "cflags"};
static const char *const key_keys[] = {"type", "default", "range", "values", "split", "doc"};
static const char *const platform_keys[] = {"name", "summary", "arch", "cross_compile", "cflags", "ldflags",
                                            "linker_script", "sources", "images", "exit", "qemu"};
static const char *const arch_keys[] = {"cross_compile", "cflags", "ldflags", "linker_script", "sources"};
static const char *const qemu_keys[] = {"binary", "machine", "common", "boot", "nic", "disk", "display", "input", "devices"};
static const char *const image_kinds[] = {"elf", "iso", "raw", "qcow2"};
static const char *const exit_modes[] = {"debug-exit", "direct"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void catalog_open(struct catalog *c, const char *root)
{
    memset(c, 0, sizeof *c);
    c->root = xstrdup(root);
    list_subdirs_with(path_join(root, "modules"), "module.yaml", &c->module_names);
    list_subdirs_with(path_join(root, "platforms"), "platform.yaml", &c->platform_names);
    c->mods = xcalloc(c->module_names.n + 1, sizeof *c->mods);
    c->mod_tried = xcalloc(c->module_names.n + 1, sizeof *c->mod_tried);
    c->plats = xcalloc(c->platform_names.n + 1, sizeof *c->plats);
    c->plat_tried = xcalloc(c->platform_names.n + 1, sizeof *c->plat_tried);
    list_subdirs_with(path_join(root, "arch"), "arch.yaml", &c->arch_names);
    c->arches = xcalloc(c->arch_names.n + 1, sizeof *c->arches);
    c->arch_tried = xcalloc(c->arch_names.n + 1, sizeof *c->arch_tried);
}

static int index_of(const struct strlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], name))
            return (int)i;
    return -1;
}

int catalog_module_index(const struct catalog *c, const char *name)
{
    return index_of(&c->module_names, name);
}

int catalog_platform_index(const struct catalog *c, const char *name)
{
    return index_of(&c->platform_names, name);
}

static char *load_desc(const char *path, size_t *len)
{
    char *data;
    int e = read_file(path, &data, len, MAX_DESC);
    if (e) {
        struct mark m = {path_display(path), 0, 0};
        diag_error(&m, "cannot read: %s", strerror(-e));
        return NULL;
    }
    return data;
}

struct module *catalog_module(struct catalog *c, const char *name)
{
    int i = catalog_module_index(c, name);
    if (i < 0)
        return NULL;
    if (!c->mod_tried[i]) {
        c->mod_tried[i] = true;
        char *path = path_join(c->root, xasprintf("modules/%s/module.yaml", name));
        size_t len;
        char *data = load_desc(path, &len);
        if (data)
            c->mods[i] = module_parse(name, path, data, len);
    }
    return c->mods[i];
}

/* arch/NAME/arch.yaml, parsed once however many platforms share it, so a
 * broken one is reported once. NULL when absent or broken. */
static struct arch_desc *catalog_arch(struct catalog *c, const char *name)
{
    int i = index_of(&c->arch_names, name);
    if (i < 0)
        return NULL;
    if (!c->arch_tried[i]) {
        c->arch_tried[i] = true;
        char *path = path_join(c->root, xasprintf("arch/%s/arch.yaml", name));
        size_t len;
        char *data = load_desc(path, &len);
        if (data)
            c->arches[i] = arch_parse(name, path, c->root, data, len);
    }
    return c->arches[i];
}

/* Completes a platform with what its arch.yaml says for every platform of
 * that architecture: flags first (the platform's may refine them), the
 * tool prefix and linker script unless the platform names its own. A
 * source of the arch's listed again by the platform would be compiled and
 * linked twice, so it is an error. 0, or -1 after printing errors. */
static int platform_add_arch(struct catalog *c, struct platform *p)
{
    int errs0 = diag_errors;
    if (index_of(&c->arch_names, p->arch) < 0) {
        struct buf b = {0};
        for (size_t i = 0; i < c->arch_names.n; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", c->arch_names.v[i]);
        const char *s = did_you_mean(p->arch, (const char *const *)c->arch_names.v, c->arch_names.n);
        diag_error(&p->arch_mark, "unknown arch '%s': there is no arch/%s/arch.yaml (%s%s%s)",
                   yshow(p->arch, strlen(p->arch)), p->arch, s ? "did you mean '" : "available: ",
                   s ? s : (b.n ? buf_cstr(&b) : "none"), s ? "'?" : "");
        return -1;
    }
    const struct arch_desc *a = catalog_arch(c, p->arch);
    if (!a)
        return -1;
    p->archd = a;
    struct strlist cflags = {0}, ldflags = {0};
    for (size_t i = 0; i < a->cflags.n; i++)
        strlist_push(&cflags, a->cflags.v[i]);
    for (size_t i = 0; i < p->cflags.n; i++)
        strlist_push(&cflags, p->cflags.v[i]);
    for (size_t i = 0; i < a->ldflags.n; i++)
        strlist_push(&ldflags, a->ldflags.v[i]);
    for (size_t i = 0; i < p->ldflags.n; i++)
        strlist_push(&ldflags, p->ldflags.v[i]);
    p->cflags = cflags;
    p->ldflags = ldflags;
    if (!p->cross_compile)
        p->cross_compile = a->cross_compile ? a->cross_compile : "";
    if (!p->linker_script && a->linker_script) {
        p->linker_script = a->linker_script;
        p->linker_script_from = a->yaml_path;
    }
    if (!p->linker_script) {
        struct mark top = {path_display(p->yaml_path), 1, 1};
        diag_error(&top, "missing key 'linker_script': give it in %s for every %s platform, or here "
                   "(relative to the repository root)", path_display(a->yaml_path), p->arch);
    }
    for (size_t i = 0; i < p->sources.n; i++)
        if (strlist_has(&a->sources, p->sources.v[i]))
            diag_error(&p->source_marks[i], "source '%s' is already in %s, which every %s platform compiles: "
                       "remove it here", yshow(p->sources.v[i], strlen(p->sources.v[i])),
                       path_display(a->yaml_path), p->arch);
    return diag_errors - errs0 ? -1 : 0;
}

struct platform *catalog_platform(struct catalog *c, const char *name)
{
    int i = catalog_platform_index(c, name);
    if (i < 0)
        return NULL;
    if (!c->plat_tried[i]) {
        c->plat_tried[i] = true;
        char *path = path_join(c->root, xasprintf("platforms/%s/platform.yaml", name));
        size_t len;
        char *data = load_desc(path, &len);
        struct platform *p = data ? platform_parse(name, path, data, len) : NULL;
        if (p && platform_add_arch(c, p) == 0)
            c->plats[i] = p;
    }
    return c->plats[i];
}

/* ---- config values --------------------------------------------------- */

/* The deprecated form of a list: one string, split at any of the key's
 * `split:` characters or a newline, each item trimmed, empty ones dropped.
 * An item's mark is the string's plus its offset, exact for a string on one
 * line without escapes (what the old form looked like). */
static int list_split(const struct config_key *k, const struct ynode *n, struct cvalue *out)
{
    const char *s = n->str;
    out->split = true;
    out->marks = xcalloc(strlen(s) + 1, sizeof *out->marks);
    while (*s) {
        size_t len = strcspn(s, xasprintf("%s\n", k->split));
        const char *e = s + len;
        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len) {
            struct mark mk = n->mark;
            if (!strchr(n->str, '\n'))
                mk.col += (int)(s - n->str) + (n->quoted ? 1 : 0);
            out->marks[out->list.n] = mk;
            strlist_push(&out->list, xstrndup(s, len));
        }
        s = *e ? e + 1 : e;
    }
    return 0;
}

int config_value_parse(const struct config_key *k, const struct ynode *n, const char *modname, struct cvalue *out)
{
    const char *what = xasprintf("'%s' of module '%s'", k->name, modname);
    memset(out, 0, sizeof *out);
    switch (k->type) {
    case CT_BOOL: {
        bool b;
        if (yget_bool(n, what, &b))
            return -1;
        out->i = b;
        return 0;
    }
    case CT_INT:
        return yget_int(n, what, k->has_range ? k->lo : INT64_MIN, k->has_range ? k->hi : INT64_MAX, &out->i);
    case CT_SIZE:
    case CT_DURATION:
        if (k->type == CT_SIZE ? yget_size(n, what, &out->u) : yget_duration(n, what, &out->u))
            return -1;
        if (k->has_range && (out->u < k->ulo || out->u > k->uhi)) {
            char lo[32], hi[32];
            if (k->type == CT_SIZE) {
                format_size(k->ulo, lo, sizeof lo);
                format_size(k->uhi, hi, sizeof hi);
            } else {
                format_duration(k->ulo, lo, sizeof lo);
                format_duration(k->uhi, hi, sizeof hi);
            }
            diag_error(&n->mark, "%s must be between %s and %s, found %s", what, lo, hi, ykind_name(n));
            return -1;
        }
        return 0;
    case CT_STRING:
        return yget_string(n, what, &out->s);
    case CT_ENUM: {
        if (yget_string(n, what, &out->s))
            return -1;
        if (strlist_has(&k->values, out->s))
            return 0;
        struct buf b = {0};
        for (size_t i = 0; i < k->values.n; i++)
            buf_printf(&b, "%s%s", i ? ", " : "", k->values.v[i]);
        diag_error(&n->mark, "value %s not allowed for %s (expected one of: %s)%s", ykind_name(n), what,
                   buf_cstr(&b), suggest(out->s, (const char *const *)k->values.v, k->values.n));
        return -1;
    }
    case CT_LIST:
        if (n->kind == Y_SCALAR && k->split)
            return list_split(k, n, out);
        if (n->kind == Y_SCALAR || n->kind == Y_MAP) {
            diag_error(&n->mark, "expected a list of strings for %s (like [\"a\", \"b\"]), found %s", what,
                       ykind_name(n));
            return -1;
        }
        return yget_strlist(n, what, &out->list, &out->marks);
    }
    return -1;
}

void config_value_format(const struct config_key *k, const struct cvalue *v, char *out, size_t n)
{
    switch (k->type) {
    case CT_BOOL:
        snprintf(out, n, "%s", v->i ? "true" : "false");
        break;
    case CT_INT:
        snprintf(out, n, "%lld", (long long)v->i);
        break;
    case CT_SIZE:
        format_size(v->u, out, n);
        break;
    case CT_DURATION:
        format_duration(v->u, out, n);
        break;
    case CT_LIST: {
        struct buf b = {0};
        for (size_t i = 0; i < v->list.n; i++)
            buf_printf(&b, "%s\"%s\"", i ? ", " : "", yshow(v->list.v[i], strlen(v->list.v[i])));
        snprintf(out, n, "[%s]", v->list.n ? buf_cstr(&b) : "");
        break;
    }
    default:
        snprintf(out, n, "\"%s\"", v->s ? yshow(v->s, strlen(v->s)) : "");
        break;
    }
}

const char *config_value_text(const struct config_key *k, const struct cvalue *v)
{
    switch (k->type) {
    case CT_BOOL:
        return v->i ? "true" : "false";
    case CT_INT:
        return xasprintf("%lld", (long long)v->i);
    case CT_SIZE:
    case CT_DURATION:
        return xasprintf("%llu", (unsigned long long)v->u);
    case CT_LIST: {
        struct buf b = {0};
        for (size_t i = 0; i < v->list.n; i++)
            buf_printf(&b, "%s%s", i ? "\n" : "", v->list.v[i]);
        return v->list.n ? buf_cstr(&b) : "";
    }
    default:
        return v->s ? v->s : "";
    }
}

/* One entry of a module's `config:` schema. */
static int parse_key(struct config_key *k, const char *modname, const struct ynode *name, const struct ynode *v)
{
    int errs0 = diag_errors;
    memset(k, 0, sizeof *k);
    k->name = name->str;
    k->mark = name->mark;
    if (!valid_name(k->name) && !valid_platform_name(k->name)) {
        diag_error(&name->mark, "invalid config key name '%s' (expected lowercase letters, digits, '-' and '_')",
                   yshow(name->str, name->len));
        return -1;
    }
    if (ymap_expect(v, xasprintf("config key '%s'", k->name)))
        return -1;
    ymap_check_keys(v, key_keys, COUNT(key_keys), xasprintf("in config key '%s'", k->name));
    const struct ynode *t = ymap_get(v, "type");
    char *ts;
    if (!t) {
        diag_error(&v->mark, "config key '%s' is missing 'type' (bool, int, size, duration, string, enum or list)",
                   k->name);
        return -1;
    }
    if (yget_string(t, "'type'", &ts))
        return -1;
    int ti = -1;
    for (int i = 0; i < NCTYPES; i++)
        if (!strcmp(ts, ctype_names[i]))
            ti = i;
    if (ti < 0) {
        diag_error(&t->mark, "unknown type '%s' (expected bool, int, size, duration, string, enum or list)%s",
                   yshow(ts, strlen(ts)), suggest(ts, ctype_names, NCTYPES));
        return -1;
    }
    k->type = (enum ctype)ti;
    const struct ynode *n;
    if ((n = ymap_get(v, "doc")) && yget_string(n, "'doc'", &k->doc))
        return -1;
    if ((n = ymap_get(v, "values"))) {
        if (k->type != CT_ENUM) {
            diag_error(&n->mark, "'values' only applies to type enum");
            return -1;
        }
        if (yget_strlist(n, "'values'", &k->values, NULL))
            return -1;
    }
    if ((n = ymap_get(v, "split"))) {
        if (k->type != CT_LIST) {
            diag_error(&n->mark, "'split' only applies to type list");
            return -1;
        }
        if (yget_string(n, "'split' (the separators of the deprecated string form, like \";\")", &k->split))
            return -1;
        if (!k->split[0]) {
            diag_error(&n->mark, "'split' needs at least one separator character (like \";\")");
            return -1;
        }
    }
    if (k->type == CT_ENUM && k->values.n == 0) {
        diag_error(&v->mark, "enum config key '%s' needs 'values: [a, b, ...]'", k->name);
        return -1;
    }
    if ((n = ymap_get(v, "range"))) {
        if (k->type != CT_INT && k->type != CT_SIZE && k->type != CT_DURATION) {
            diag_error(&n->mark, "'range' only applies to int, size and duration keys");
            return -1;
        }
        if (n->kind != Y_SEQ || n->n != 2) {
            diag_error(&n->mark, "expected 'range: [MIN, MAX]', found %s", ykind_name(n));
            return -1;
        }
        struct config_key open = *k;   /* parse the bounds without a range */
        open.has_range = false;
        struct cvalue lo, hi;
        if (config_value_parse(&open, n->items[0], modname, &lo) ||
            config_value_parse(&open, n->items[1], modname, &hi))
            return -1;
        k->has_range = true;
        k->lo = lo.i;
        k->hi = hi.i;
        k->ulo = lo.u;
        k->uhi = hi.u;
        if (k->type == CT_INT ? lo.i > hi.i : lo.u > hi.u) {
            diag_error(&n->mark, "'range' minimum is larger than its maximum");
            return -1;
        }
    }
    if ((n = ymap_get(v, "default")) && n->kind != Y_NULL) {
        if (config_value_parse(k, n, modname, &k->def) || config_items_check(modname, k, &k->def))
            return -1;
        k->has_default = true;
        k->def_text = n->str;
    } else if (n && k->type == CT_STRING) {
        k->has_default = true;   /* `default:` with nothing: the empty string */
        k->def.s = "";
        k->def_text = "";
    }
    return diag_errors - errs0 ? -1 : 0;
}

/* third_party: { NAME: { sources: [...], include: [...] } }; paths are
 * relative to the unpacked tree and may not leave it. */
static void parse_third_party(struct module *m, const struct ynode *v)
{
    if (v->kind == Y_NULL)
        return;
    if (v->kind != Y_MAP) {
        diag_error(&v->mark, "expected 'third_party: {NAME: {sources: [...], include: [...]}}', found %s",
                   ykind_name(v));
        return;
    }
    m->tp = xcalloc(v->n ? v->n : 1, sizeof *m->tp);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *k = v->pairs[i].key, *e = v->pairs[i].val;
        struct third_party *t = &m->tp[m->ntp];
        memset(t, 0, sizeof *t);
        t->name = k->str;
        t->mark = k->mark;
        if (!valid_name(t->name)) {
            diag_error(&k->mark, "invalid third-party name '%s' (expected lowercase letters, digits and '-')",
                       yshow(k->str, k->len));
            continue;
        }
        if (e->kind != Y_MAP) {
            diag_error(&e->mark, "third-party '%s': expected a mapping with 'sources' and 'include', found %s",
                       t->name, ykind_name(e));
            continue;
        }
        if (ymap_check_keys(e, tp_keys, COUNT(tp_keys), xasprintf("in third-party '%s'", t->name)))
            continue;
        const struct ynode *n;
        int bad = 0;
        t->tree = t->name;
        if ((n = ymap_get(e, "tree")) && yget_string(n, xasprintf("'tree' of third-party '%s'", t->name), &t->tree) == 0 &&
            !valid_name(t->tree)) {
            diag_error(&n->mark, "invalid third-party tree '%s' (expected lowercase letters, digits and '-')",
                       yshow(t->tree, strlen(t->tree)));
            bad = 1;
        }
        if (!(n = ymap_get(e, "license")))
            diag_error(&e->mark, "third-party '%s': missing key 'license' (the SPDX licence of its code, e.g. MIT)",
                       t->name);
        else
            yget_string(n, xasprintf("'license' of third-party '%s'", t->name), &t->license);
        static const char *const lists[] = {"sources", "exclude", "include", "private", "cflags"};
        struct strlist *dest[] = {&t->sources, &t->exclude, &t->include, &t->private_include, &t->cflags};
        for (size_t l = 0; l < COUNT(lists); l++) {
            struct mark *marks = NULL;
            if (!(n = ymap_get(e, lists[l])) ||
                yget_strlist(n, xasprintf("'%s' of third-party '%s'", lists[l], t->name), dest[l], &marks))
                continue;
            if (!strcmp(lists[l], "cflags"))
                continue;
            for (size_t j = 0; j < dest[l]->n; j++)
                if (dest[l]->v[j][0] == '/' || strstr(dest[l]->v[j], "..")) {
                    diag_error(&marks[j], "third-party %s '%s' must be relative to the tree, without '..'",
                               !strcmp(lists[l], "sources") ? "source" : lists[l],
                               yshow(dest[l]->v[j], strlen(dest[l]->v[j])));
                    bad = 1;
                }
        }
        if (!bad)
            m->ntp++;
    }
}

static int key_index(const struct module *m, const char *name)
{
    for (size_t i = 0; i < m->nkeys; i++)
        if (!strcmp(m->keys[i].name, name))
            return (int)i;
    return -1;
}

static const char *key_names(const struct module *m)
{
    struct buf b = {0};
    for (size_t i = 0; i < m->nkeys; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", m->keys[i].name);
    return m->nkeys ? buf_cstr(&b) : "none";
}

/* `when: {KEY: VALUE, ...}` of a memory term: each KEY a config key of the
 * module, each VALUE one it can take (kept as config_value_text prints it). */
static void parse_when(const struct module *m, const struct ynode *w, struct memory_term *t)
{
    if (ymap_expect(w, "'when' (a map: config key -> value, like {backend: ram})"))
        return;
    for (size_t i = 0; i < w->n; i++) {
        const struct ynode *k = w->pairs[i].key, *v = w->pairs[i].val;
        int ki = key_index(m, k->str);
        if (ki < 0) {
            diag_error(&k->mark, "'when' names '%s', which is not a config key of this module (keys: %s)",
                       yshow(k->str, k->len), key_names(m));
            continue;
        }
        struct cvalue cv;
        if (config_value_parse(&m->keys[ki], v, m->name, &cv))
            continue;
        strlist_push(&t->when_keys, m->keys[ki].name);
        strlist_push(&t->when_values, config_value_text(&m->keys[ki], &cv));
    }
}

/* One `add:` item: {key: K, each: SIZE, when: {...}}. A size key adds its
 * value; an int key adds its value times `each`. */
static void parse_term(struct module *m, const struct ynode *n)
{
    if (ymap_expect(n, "a memory term (like {key: size, when: {backend: ram}})"))
        return;
    ymap_check_keys(n, term_keys, COUNT(term_keys), "in a memory term");
    struct memory_term t = {.mark = n->mark};
    const struct ynode *k = ymap_get(n, "key"), *each = ymap_get(n, "each"), *when = ymap_get(n, "when");
    char *kname;
    if (!k) {
        diag_error(&n->mark, "memory term is missing 'key' (a config key of type size or int)");
        return;
    }
    if (yget_string(k, "'key'", &kname))
        return;
    int ki = key_index(m, kname);
    if (ki < 0) {
        diag_error(&k->mark, "memory term names '%s', which is not a config key of this module (keys: %s)",
                   yshow(kname, strlen(kname)), key_names(m));
        return;
    }
    const struct config_key *ck = &m->keys[ki];
    t.key = (size_t)ki;
    if (ck->type == CT_INT) {
        if (!each) {
            diag_error(&n->mark, "memory term of int key '%s' needs 'each: SIZE' (the bytes per unit)", ck->name);
            return;
        }
        if (yget_size(each, "'each'", &t.each))
            return;
    } else if (ck->type == CT_SIZE) {
        if (each) {
            diag_error(&each->mark, "'each' only applies to int keys: size key '%s' adds its own value", ck->name);
            return;
        }
    } else {
        diag_error(&k->mark, "memory term key '%s' is of type %s; expected a size or an int key", ck->name,
                   ctype_names[ck->type]);
        return;
    }
    if (when)
        parse_when(m, when, &t);
    m->mem_terms = xrealloc(m->mem_terms, (m->nmem_terms + 1) * sizeof *m->mem_terms);
    m->mem_terms[m->nmem_terms++] = t;
}

/* files: image path -> host file (absolute, like a Debian package's,
 * third_party/TREE/PATH in a fetched tree, or relative to the module's
 * folder): embedded in every image holding the
 * module. Whether the host file exists is checked for the images that use
 * it (manifest_module_files), so `anx modules` works without them. */
static void parse_module_files(struct module *m, const struct ynode *v)
{
    if (v->kind == Y_NULL ||
        ymap_expect(v, "'files' (image path: host file, absolute or relative to the module's folder)"))
        return;
    m->files = xcalloc(v->n + 1, sizeof *m->files);
    for (size_t i = 0; i < v->n; i++) {
        const struct ynode *k = v->pairs[i].key, *val = v->pairs[i].val;
        const char *why = image_path_problem(k->str);
        if (why) {
            diag_error(&k->mark, "unsafe image path '%s': it %s", yshow(k->str, k->len), why);
            continue;
        }
        char *host;
        if (yget_string(val, xasprintf("the host file of '%s'", k->str), &host))
            continue;
        if (!host[0]) {
            diag_error(&val->mark, "expected a host file name for '%s', found an empty string", k->str);
            continue;
        }
        /* third_party/TREE/...: a file of a fetched third-party tree (its
         * cache folder, wherever that is), named as report.json names it. */
        char *abs = !strncmp(host, "third_party/", 12) ? path_join(third_party_root(), host + 12)
                    : path_abs(host[0] == '/' ? host : path_join(m->dir, host));
        m->files[m->nfiles++] = (struct file_entry){k->str, host, abs, val->mark, m->name};
    }
}

/* `prefix:` (a string, or a list when an upstream interface dictates other
 * names, as lwIP's port does for sys_*): every global symbol of the module's
 * own sources starts with one of them. anx module-tests --image checks it. */
static void parse_prefix(struct module *m, const struct ynode *v)
{
    if (!v) {
        char *d = xasprintf("%s_", m->name);
        for (char *q = d; *q; q++)
            *q = *q == '-' ? '_' : *q;
        strlist_push(&m->prefixes, d);
        return;
    }
    struct mark *marks = NULL;
    if (v->kind == Y_SCALAR) {
        char *s;
        if (yget_string(v, "'prefix'", &s))
            return;
        strlist_push(&m->prefixes, s);
        marks = xcalloc(1, sizeof *marks);
        marks[0] = v->mark;
    } else if (yget_strlist(v, "'prefix'", &m->prefixes, &marks)) {
        return;
    }
    for (size_t i = 0; i < m->prefixes.n; i++) {
        const char *p = m->prefixes.v[i];
        size_t n = strlen(p);
        bool ok = n >= 2 && p[n - 1] == '_' && p[0] >= 'a' && p[0] <= 'z';
        for (size_t k = 0; k < n; k++)
            ok &= (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') || p[k] == '_';
        if (!ok)
            diag_error(&marks[i], "prefix '%s' is not a C identifier start ending in '_' (like net_)", yshow(p, n));
    }
}

/* memory: SIZE, or {base: SIZE, add: [TERM, ...]} (docs/modules.md). Read
 * after config: the terms name config keys. */
static void parse_memory(struct module *m, const struct ynode *v)
{
    if (v->kind == Y_SCALAR) {
        yget_size(v, "'memory' (the module's need at run time, like 64K)", &m->mem_base);
        return;
    }
    if (v->kind != Y_MAP) {
        diag_error(&v->mark, "expected 'memory: SIZE' or 'memory: {base: SIZE, add: [...]}', found %s",
                   ykind_name(v));
        return;
    }
    ymap_check_keys(v, memory_keys, COUNT(memory_keys), "in 'memory'");
    const struct ynode *n;
    if (!(n = ymap_get(v, "base")))
        diag_error(&v->mark, "'memory' is missing 'base' (the need with every 'add' term left out)");
    else
        yget_size(n, "'base'", &m->mem_base);
    if (!(n = ymap_get(v, "add")) || n->kind == Y_NULL)
        return;
    if (n->kind != Y_SEQ) {
        diag_error(&n->mark, "expected a list of terms for 'add' (like [{key: size, when: {backend: ram}}]), found %s",
                   ykind_name(n));
        return;
    }
    for (size_t i = 0; i < n->n; i++)
        parse_term(m, n->items[i]);
}

struct module *module_parse(const char *name, const char *yaml_path, const char *data, size_t len)
{
    int errs0 = diag_errors;
    const char *file = path_display(yaml_path);
    struct ynode *root = yaml_load(file, data, len);
    if (!root)
        return NULL;
    if (root->kind != Y_MAP) {
        diag_error(&root->mark, "expected a module description (a mapping with 'summary:'), found %s",
                   ykind_name(root));
        return NULL;
    }
    struct module *m = xcalloc(1, sizeof *m);
    m->name = xstrdup(name);
    m->yaml_path = xstrdup(yaml_path);
    m->dir = path_dirname(yaml_path);
    m->mark = (struct mark){file, 1, 1};
    /* sources_ARCH keys are allowed for any architecture name. */
    for (size_t i = 0; i < root->n; i++) {
        const struct ynode *k = root->pairs[i].key, *v = root->pairs[i].val;
        if (!strncmp(k->str, "sources_", 8) && k->str[8]) {
            m->arch_sources = xrealloc(m->arch_sources, (m->narch + 1) * sizeof *m->arch_sources);
            struct arch_sources *as = &m->arch_sources[m->narch++];
            memset(as, 0, sizeof *as);
            as->arch = k->str + 8;
            yget_strlist(v, xasprintf("'%s'", k->str), &as->list, NULL);
            continue;
        }
        bool ok = false;
        for (size_t j = 0; j < COUNT(module_keys); j++)
            ok |= !strcmp(k->str, module_keys[j]);
        if (!ok) {
            const char *cands[COUNT(module_keys) + 2];
            memcpy(cands, module_keys, sizeof module_keys);
            cands[COUNT(module_keys)] = "sources_x86_64";
            cands[COUNT(module_keys) + 1] = "sources_arm64";
            diag_error(&k->mark, "unknown key '%s'%s", yshow(k->str, k->len),
                       suggest(k->str, cands, COUNT(cands)));
        }
    }
    const struct ynode *v;
    if ((v = ymap_get(root, "name"))) {
        char *s;
        if (yget_string(v, "'name'", &s) == 0 && strcmp(s, name))
            diag_error(&v->mark, "name '%s' differs from the folder name '%s'", yshow(s, strlen(s)), name);
    }
    if (!(v = ymap_get(root, "summary")))
        diag_error(&m->mark, "missing key 'summary' (one line saying what the module gives)");
    else
        yget_string(v, "'summary'", &m->summary);
    m->license = "MIT";
    if ((v = ymap_get(root, "license")))
        yget_string(v, "'license'", &m->license);
    if ((v = ymap_get(root, "depends")))
        yget_strlist(v, "'depends'", &m->depends, &m->depends_marks);
    if ((v = ymap_get(root, "conflicts")))
        yget_strlist(v, "'conflicts'", &m->conflicts, &m->conflicts_marks);
    if ((v = ymap_get(root, "platforms")))
        yget_strlist(v, "'platforms'", &m->platforms, NULL);
    else
        strlist_push(&m->platforms, "all");
    if ((v = ymap_get(root, "sources")))
        yget_strlist(v, "'sources'", &m->sources, NULL);
    if ((v = ymap_get(root, "third_party")))
        parse_third_party(m, v);
    for (size_t i = 0; i < m->depends.n; i++)
        if (!strcmp(m->depends.v[i], name))
            diag_error(&m->depends_marks[i], "module '%s' depends on itself", name);
    if ((v = ymap_get(root, "config")) && v->kind != Y_NULL && ymap_expect(v, "'config'") == 0) {
        m->keys = xcalloc(v->n ? v->n : 1, sizeof *m->keys);
        for (size_t i = 0; i < v->n; i++)
            if (parse_key(&m->keys[m->nkeys], name, v->pairs[i].key, v->pairs[i].val) == 0)
                m->nkeys++;
        /* A list key K is two macros in config.h, CONFIG_M_K and
         * CONFIG_M_K_COUNT: a key named K_count would clash. */
        for (size_t i = 0; i < m->nkeys; i++) {
            int c = m->keys[i].type == CT_LIST ? key_index(m, xasprintf("%s_count", m->keys[i].name)) : -1;
            if (c < 0)
                continue;
            char *macro = xasprintf("CONFIG_%s_%s", name, m->keys[c].name);
            for (char *q = macro; *q; q++)
                *q = *q == '-' ? '_' : *q >= 'a' && *q <= 'z' ? (char)(*q - 'a' + 'A') : *q;
            diag_error(&m->keys[c].mark, "config key '%s' clashes with list key '%s': config.h would define %s "
                                         "for both (the list's item count); rename one of them",
                       m->keys[c].name, m->keys[i].name, macro);
        }
    }
    if ((v = ymap_get(root, "memory")))
        parse_memory(m, v);
    if ((v = ymap_get(root, "tests")))
        module_tests_parse(m, v);
    parse_prefix(m, ymap_get(root, "prefix"));
    if ((v = ymap_get(root, "files")))
        parse_module_files(m, v);
    if ((v = ymap_get(root, "routes")) && yget_strlist(v, "'routes'", &m->routes, &m->route_marks) == 0)
        for (size_t i = 0; i < m->routes.n; i++) {
            char err[300];
            if (module_route_check(m->routes.v[i], err, sizeof err))
                diag_error(&m->route_marks[i], "in 'routes': %s", err);
        }
    if ((v = ymap_get(root, "objects")))
        module_objects_parse(m, v);
    if ((v = ymap_get(root, "optimize"))) {
        char *o;
        if (yget_string(v, "'optimize'", &o) == 0) {
            if (!strcmp(o, "speed"))
                m->speed = true;
            else if (strcmp(o, "size"))
                diag_error(&v->mark, "'optimize' is '%s': size (the default, -Os) or speed (-O2)",
                           yshow(o, strlen(o)));
        }
    }
    return diag_errors - errs0 ? NULL : m;
}

static int one_of(const struct ynode *v, const char *what, const char *const *allowed, size_t n, char **out)
{
    if (yget_string(v, what, out))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(*out, allowed[i]))
            return 0;
    struct buf b = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
    diag_error(&v->mark, "unknown %s %s (expected one of: %s)%s", what, ykind_name(v), buf_cstr(&b),
               suggest(*out, allowed, n));
    return -1;
}

/* qemu: nic:, disk:, display:, input:, devices:: module name -> QEMU arguments,
 * used when the image holds that module (qemu.c). */
static struct nic_args *args_map(const struct ynode *v, const char *key, const char *what, size_t *n)
{
    *n = 0;
    if (!v || ymap_expect(v, xasprintf("'%s' (a map: %s name -> QEMU arguments)", key, what)))
        return NULL;
    struct nic_args *out = xcalloc(v->n + 1, sizeof *out);
    for (size_t i = 0; i < v->n; i++) {
        struct nic_args *a = &out[*n];
        a->module = v->pairs[i].key->str;
        if (yget_strlist(v->pairs[i].val, xasprintf("%s '%s'", key, a->module), &a->args, NULL) == 0)
            (*n)++;
    }
    return out;
}

static void parse_qemu(struct platform *p, const struct ynode *q)
{
    if (ymap_expect(q, "'qemu'"))
        return;
    ymap_check_keys(q, qemu_keys, COUNT(qemu_keys), "in 'qemu'");
    const struct ynode *v;
    if (!(v = ymap_get(q, "binary")))
        diag_error(&q->mark, "'qemu' is missing 'binary' (like qemu-system-x86_64)");
    else
        yget_string(v, "'binary'", &p->qemu_binary);
    if ((v = ymap_get(q, "machine")))
        yget_strlist(v, "'machine'", &p->qemu_machine, NULL);
    if ((v = ymap_get(q, "common")))
        yget_strlist(v, "'common'", &p->qemu_common, NULL);
    p->nics = args_map(ymap_get(q, "nic"), "nic", "NIC module", &p->nnics);
    p->disks = args_map(ymap_get(q, "disk"), "disk", "disk driver module", &p->ndisks);
    p->displays = args_map(ymap_get(q, "display"), "display", "display driver module", &p->ndisplays);
    p->inputs = args_map(ymap_get(q, "input"), "input", "input driver module", &p->ninputs);
    p->devices = args_map(ymap_get(q, "devices"), "devices", "device driver module", &p->ndevices);
    if (!(v = ymap_get(q, "boot"))) {
        diag_error(&q->mark, "'qemu' is missing 'boot' (one argument list per boot mode)");
        return;
    }
    if (ymap_expect(v, "'boot'"))
        return;
    if (v->n == 0) {
        diag_error(&v->mark, "'boot' needs at least one boot mode");
        return;
    }
    p->boot = xcalloc(v->n, sizeof *p->boot);
    for (size_t i = 0; i < v->n; i++) {
        struct boot_mode *b = &p->boot[p->nboot];
        b->name = v->pairs[i].key->str;
        if (!valid_name(b->name)) {
            diag_error(&v->pairs[i].key->mark, "invalid boot mode name '%s'", yshow(b->name, strlen(b->name)));
            continue;
        }
        if (yget_strlist(v->pairs[i].val, xasprintf("boot mode '%s'", b->name), &b->args, NULL) == 0)
            p->nboot++;
    }
}

struct platform *platform_parse(const char *name, const char *yaml_path, const char *data, size_t len)
{
    int errs0 = diag_errors;
    const char *file = path_display(yaml_path);
    struct ynode *root = yaml_load(file, data, len);
    if (!root)
        return NULL;
    struct mark top = {file, 1, 1};
    if (root->kind != Y_MAP) {
        diag_error(&root->mark, "expected a platform description (a mapping with 'arch:'), found %s",
                   ykind_name(root));
        return NULL;
    }
    ymap_check_keys(root, platform_keys, COUNT(platform_keys), NULL);
    struct platform *p = xcalloc(1, sizeof *p);
    p->name = xstrdup(name);
    p->yaml_path = xstrdup(yaml_path);
    p->dir = path_dirname(yaml_path);
    p->exit_mode = EXIT_DEBUG_EXIT;
    const struct ynode *v;
    if ((v = ymap_get(root, "name"))) {
        char *s;
        if (yget_string(v, "'name'", &s) == 0 && strcmp(s, name))
            diag_error(&v->mark, "name '%s' differs from the folder name '%s'", yshow(s, strlen(s)), name);
    }
    if (!(v = ymap_get(root, "summary")))
        diag_error(&top, "missing key 'summary'");
    else
        yget_string(v, "'summary'", &p->summary);
    if (!(v = ymap_get(root, "arch"))) {
        diag_error(&top, "missing key 'arch' (like x86_64 or arm64)");
    } else {
        p->arch_mark = v->mark;   /* for errors about the arch's arch.yaml */
        if (yget_string(v, "'arch'", &p->arch) == 0 && !valid_platform_name(p->arch)) {
            diag_error(&v->mark, "invalid arch '%s'", yshow(p->arch, strlen(p->arch)));
            p->arch = NULL;
        }
    }
    if ((v = ymap_get(root, "cross_compile")) && v->kind != Y_NULL)
        yget_string(v, "'cross_compile'", &p->cross_compile);
    if ((v = ymap_get(root, "cflags")))
        yget_strlist(v, "'cflags'", &p->cflags, NULL);
    if ((v = ymap_get(root, "ldflags")))
        yget_strlist(v, "'ldflags'", &p->ldflags, NULL);
    /* Absent: the arch.yaml's (catalog_platform checks there is one). */
    if ((v = ymap_get(root, "linker_script")) && yget_string(v, "'linker_script'", &p->linker_script) == 0)
        p->linker_script_from = p->yaml_path;
    if ((v = ymap_get(root, "sources")))
        yget_strlist(v, "'sources'", &p->sources, &p->source_marks);
    if ((v = ymap_get(root, "images"))) {
        struct mark *marks = NULL;
        if (yget_strlist(v, "'images'", &p->images, &marks) == 0)
            for (size_t i = 0; i < p->images.n; i++) {
                bool ok = false;
                for (size_t j = 0; j < COUNT(image_kinds); j++)
                    ok |= !strcmp(p->images.v[i], image_kinds[j]);
                if (!ok)
                    diag_error(&marks[i], "unknown image kind '%s' (expected elf or iso)%s",
                               yshow(p->images.v[i], strlen(p->images.v[i])),
                               suggest(p->images.v[i], image_kinds, COUNT(image_kinds)));
            }
    } else {
        strlist_push(&p->images, "elf");
    }
    if ((v = ymap_get(root, "exit"))) {
        char *s;
        if (one_of(v, "exit mode", exit_modes, COUNT(exit_modes), &s) == 0)
            p->exit_mode = strcmp(s, "direct") ? EXIT_DEBUG_EXIT : EXIT_DIRECT;
    }
    if (!(v = ymap_get(root, "qemu")))
        diag_error(&top, "missing key 'qemu' (binary, machine, common, boot)");
    else
        parse_qemu(p, v);
    return diag_errors - errs0 ? NULL : p;
}

/* A path of arch.yaml, relative to the arch folder, as a path relative to
 * the repository root like a platform's. NULL after an error: absolute
 * paths and '..' would let one arch reach into another's folder. */
static char *arch_path(const char *dir, const char *path, const struct mark *mk, const char *what)
{
    if (path[0] == '/' || strstr(path, "..")) {
        diag_error(mk, "%s '%s' must be relative to %s, without '..'", what, yshow(path, strlen(path)), dir);
        return NULL;
    }
    return xasprintf("%s/%s", dir, path);
}

/* arch/NAME/arch.yaml (docs/architecture.md): the sources, flags, linker
 * script and tool prefix every platform of the architecture shares. */
struct arch_desc *arch_parse(const char *name, const char *yaml_path, const char *root, const char *data,
                             size_t len)
{
    int errs0 = diag_errors;
    const char *file = path_display(yaml_path);
    struct ynode *top = yaml_load(file, data, len);
    if (!top)
        return NULL;
    if (top->kind != Y_MAP) {
        diag_error(&top->mark, "expected an architecture description (a mapping with 'sources:'), found %s",
                   ykind_name(top));
        return NULL;
    }
    ymap_check_keys(top, arch_keys, COUNT(arch_keys), NULL);
    struct arch_desc *a = xcalloc(1, sizeof *a);
    a->name = xstrdup(name);
    a->yaml_path = xstrdup(yaml_path);
    const char *dir = path_rel(root, path_dirname(yaml_path));
    const struct ynode *v;
    char *s;
    if ((v = ymap_get(top, "cross_compile")) && v->kind != Y_NULL)
        yget_string(v, "'cross_compile'", &a->cross_compile);
    if ((v = ymap_get(top, "cflags")))
        yget_strlist(v, "'cflags'", &a->cflags, NULL);
    if ((v = ymap_get(top, "ldflags")))
        yget_strlist(v, "'ldflags'", &a->ldflags, NULL);
    if ((v = ymap_get(top, "linker_script")) && yget_string(v, "'linker_script'", &s) == 0)
        a->linker_script = arch_path(dir, s, &v->mark, "linker_script");
    struct strlist src = {0};
    struct mark *marks = NULL;
    if ((v = ymap_get(top, "sources")) && yget_strlist(v, "'sources'", &src, &marks) == 0)
        for (size_t i = 0; i < src.n; i++)
            if ((s = arch_path(dir, src.v[i], &marks[i], "source")))
                strlist_push(&a->sources, s);
    return diag_errors - errs0 ? NULL : a;
}
