/*
 * Object grants: which object names each module of an image may read and
 * write (core/include/anx/module.h, "object grants"; docs/objstore.md,
 * "Grants").
 *
 * A module's defaults are its module.yaml `objects:` key:
 *
 *     objects: {read: ["{revoked_object}"], write: ["{revoked_object}"]}
 *
 * where an entry is "*" (every name), a name (itself and the names under
 * it) or a prefix ending in '/', and {KEY} is the value of the module's
 * string config key KEY in the image (a leading '/' dropped, so the
 * router's static_prefix "/www" grants "www/"; an entry that comes out
 * empty grants nothing). The manifest's `grants:` section replaces either
 * list for one image:
 *
 *     grants:
 *       objstore-http: {write: [notes/, tmp/]}
 *
 * The result goes into the generated module table (modules_c.c), where the
 * object store checks every call against it.
 */
#include "anx.h"

#include <string.h>

static const char *const access_keys[] = {"read", "write"};

/* An object name or prefix as the store accepts names (segments of
 * [A-Za-z0-9._-], no empty, "." or ".." segment), optionally ending in '/';
 * with braces, {KEY} placeholders too. NULL when fine, else why not. */
static const char *entry_problem(const char *s, bool braces)
{
    if (!strcmp(s, "*"))
        return NULL;
    size_t n = strlen(s);
    if (n == 0)
        return "it is empty (write \"*\" for every name)";
    if (n > 200)
        return "it is longer than 200 characters";
    if (s[0] == '/')
        return "it starts with '/' (object names do not; image files need no grant)";
    const char *seg = s;
    for (const char *p = s;; p++) {
        if (*p == '/' || *p == 0) {
            size_t len = (size_t)(p - seg);
            if (len == 0 && *p == '/')
                return "it has an empty segment ('//')";
            if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
                return "it has a '.' or '..' segment";
            if (*p == 0)
                return NULL;
            seg = p + 1;
        } else if (braces && *p == '{') {
            const char *e = strchr(p, '}');
            if (!e || e == p + 1)
                return "it has a '{' without a KEY and '}'";
            p = e;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                     strchr("._-", *p))) {
            return braces ? "it has a character other than letters, digits, '.', '_', '-', '/' and {KEY}"
                          : "it has a character other than letters, digits, '.', '_', '-' and '/'";
        }
    }
}

static const struct config_key *find_key(const struct module *m, const char *name, size_t len)
{
    for (size_t k = 0; k < m->nkeys; k++)
        if (strlen(m->keys[k].name) == len && !strncmp(m->keys[k].name, name, len))
            return &m->keys[k];
    return NULL;
}

/* One list of module.yaml `objects:`: entries checked, placeholders naming
 * string config keys of the module. */
static void module_list(struct module *m, const struct ynode *v, const char *which, struct strlist *out)
{
    struct mark *marks = NULL;
    if (yget_strlist(v, xasprintf("'%s' of 'objects'", which), out, &marks))
        return;
    for (size_t i = 0; i < out->n; i++) {
        const char *e = out->v[i], *why = entry_problem(e, true);
        if (why) {
            diag_error(&marks[i], "'%s' in '%s' of 'objects' is not an object name or prefix: %s",
                       yshow(e, strlen(e)), which, why);
            continue;
        }
        for (const char *p = strchr(e, '{'); p; p = strchr(p + 1, '{')) {
            const char *end = strchr(p, '}');
            const struct config_key *k = find_key(m, p + 1, (size_t)(end - p - 1));
            /* a list key only as the whole entry: each of its items is an entry */
            bool whole = p == e && end[1] == 0;
            if (!k || (k->type != CT_STRING && k->type != CT_ENUM && !(k->type == CT_LIST && whole)))
                diag_error(&marks[i], "'%s' in '%s' of 'objects': {%.*s} is not a string config key of module "
                                      "'%s'%s", yshow(e, strlen(e)), which, (int)(end - p - 1), p + 1, m->name,
                           k && k->type == CT_LIST ? " (a list key stands alone: \"{KEY}\", each item an entry)"
                                                   : "");
        }
    }
}

void module_objects_parse(struct module *m, const struct ynode *v)
{
    if (ymap_expect(v, "'objects' ({read: [NAMES], write: [NAMES]})") ||
        ymap_check_keys(v, access_keys, 2, "in 'objects'"))
        return;
    const struct ynode *l;
    if ((l = ymap_get(v, "read")))
        module_list(m, l, "read", &m->obj_read);
    if ((l = ymap_get(v, "write")))
        module_list(m, l, "write", &m->obj_write);
}

/* ---- the manifest's grants: ------------------------------------------------ */

static void manifest_list(struct grant_conf *g, const struct ynode *v, const char *which, struct strlist *out)
{
    struct mark *marks = NULL;
    struct strlist l = {0};
    if (yget_strlist(v, xasprintf("'%s' of grants for '%s'", which, g->module), &l, &marks))
        return;
    for (size_t i = 0; i < l.n; i++) {
        const char *why = entry_problem(l.v[i], false);
        if (why)
            diag_error(&marks[i], "'%s' in '%s' of grants for '%s' is not an object name or prefix: %s",
                       yshow(l.v[i], strlen(l.v[i])), which, g->module, why);
        else
            strlist_push(out, l.v[i]);
    }
}

void manifest_grants_parse(struct manifest *m, const struct ynode *n, struct catalog *cat)
{
    if (n->kind == Y_NULL)
        return;
    if (ymap_expect(n, "'grants' (MODULE: {read: [NAMES], write: [NAMES]})"))
        return;
    m->grants = xcalloc(n->n ? n->n : 1, sizeof *m->grants);
    for (size_t i = 0; i < n->n; i++) {
        const struct ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
        struct grant_conf *g = &m->grants[m->ngrants];
        if (cat && catalog_module_index(cat, k->str) < 0) {
            const char *s = did_you_mean(k->str, (const char *const *)cat->module_names.v, cat->module_names.n);
            diag_error(&k->mark, "unknown module '%s' in 'grants'%s%s%s", yshow(k->str, k->len),
                       s ? " (did you mean '" : " (see `anx modules`)", s ? s : "", s ? "'?)" : "");
            continue;
        }
        const char *what = xasprintf("grants for '%s' ({read: [NAMES], write: [NAMES]})", k->str);
        if (ymap_expect(v, what) || ymap_check_keys(v, access_keys, 2, xasprintf("in grants for '%s'", k->str)))
            continue;
        g->module = k->str;
        g->mark = k->mark;
        const struct ynode *l;
        if ((l = ymap_get(v, "read"))) {
            g->has_read = true;
            manifest_list(g, l, "read", &g->read);
        }
        if ((l = ymap_get(v, "write"))) {
            g->has_write = true;
            manifest_list(g, l, "write", &g->write);
        }
        m->ngrants++;
    }
}

/* Where to point at a module's config in messages: its entry in the
 * manifest's modules:, else its module.yaml. */
static const struct mark *config_mark(const struct manifest *m, const struct module *mod)
{
    for (size_t i = 0; i < m->nmods; i++)
        if (!strcmp(m->mods[i].name, mod->name))
            return &m->mods[i].mark;
    return &mod->mark;
}

/* Entry e of module rm with its {KEY} placeholders replaced by the image's
 * values and a leading '/' dropped; "" when it grants nothing. */
static char *expand(const struct resolved_mod *rm, const char *e)
{
    struct buf b = {0};
    for (const char *p = e; *p; p++) {
        const char *end;
        if (*p == '{' && (end = strchr(p, '}'))) {
            for (size_t k = 0; k < rm->mod->nkeys; k++)
                if (strlen(rm->mod->keys[k].name) == (size_t)(end - p - 1) &&
                    !strncmp(rm->mod->keys[k].name, p + 1, (size_t)(end - p - 1)) && rm->values[k].s)
                    buf_puts(&b, rm->values[k].s);
            p = end;
        } else {
            buf_add(&b, p, 1);
        }
    }
    const char *s = buf_cstr(&b);
    while (*s == '/')
        s++;
    return xstrdup(s);
}

/* The module's own entries of one list, expanded; with report, an entry
 * that expands to no object name is an error at the module's config. */
/* The list config key an entry is, when it is exactly "{KEY}" of one. */
static const struct strlist *list_value(const struct resolved_mod *rm, const char *e)
{
    size_t n = strlen(e);
    if (n < 3 || e[0] != '{' || e[n - 1] != '}')
        return NULL;
    for (size_t k = 0; k < rm->mod->nkeys; k++)
        if (rm->mod->keys[k].type == CT_LIST && strlen(rm->mod->keys[k].name) == n - 2 &&
            !strncmp(rm->mod->keys[k].name, e + 1, n - 2))
            return &rm->values[k].list;
    return NULL;
}

static void defaults(const struct manifest *m, const struct resolved_mod *rm, bool write, bool report,
                     struct strlist *out)
{
    const struct strlist *d = write ? &rm->mod->obj_write : &rm->mod->obj_read;
    for (size_t k = 0; k < d->n; k++) {
        const struct strlist *items = list_value(rm, d->v[k]);
        if (items) {    /* {KEY} of a list: its items, each as an entry */
            for (size_t j = 0; j < items->n; j++) {
                const char *s = items->v[j];
                while (*s == '/')
                    s++;
                const char *why = s[0] ? entry_problem(s, false) : "it is empty";
                if (why && report)
                    diag_error(config_mark(m, rm->mod), "module '%s' would use the object name '%s' (item %zu "
                                                        "of its config '%s'), which is not one: %s",
                               rm->mod->name, yshow(s, strlen(s)), j, d->v[k], why);
                else if (!why && !strlist_has(out, s))
                    strlist_push(out, xstrdup(s));
            }
            continue;
        }
        char *e = expand(rm, d->v[k]);
        const char *why = e[0] ? entry_problem(e, false) : NULL;
        if (why && report && !(write && strlist_has(&rm->mod->obj_read, d->v[k])))
            diag_error(config_mark(m, rm->mod), "module '%s' would use the object name '%s' (its objects: entry "
                                                "'%s' with this image's config), which is not one: %s; change "
                                                "the config or give the module grants: in the manifest",
                       rm->mod->name, yshow(e, strlen(e)), d->v[k], why);
        else if (!why && e[0] && !strlist_has(out, e))
            strlist_push(out, e);
    }
}

int grants_validate(const struct manifest *m, const struct resolution *r)
{
    int errs0 = diag_errors;
    for (size_t i = 0; i < m->ngrants; i++)
        if (!resolved_find(r, m->grants[i].module))
            diag_error(&m->grants[i].mark, "'grants' names module '%s', which the image does not hold (add it to "
                                           "modules: or drop its grants)", m->grants[i].module);
    for (size_t i = 0; i < r->n; i++) {
        struct strlist l = {0};
        defaults(m, &r->mods[i], false, true, &l);
        defaults(m, &r->mods[i], true, true, &l);
    }
    return diag_errors - errs0;
}

void grants_of(const struct manifest *m, const struct resolved_mod *rm, bool write, struct strlist *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; m && i < m->ngrants; i++) {
        const struct grant_conf *g = &m->grants[i];
        if (!strcmp(g->module, rm->mod->name) && (write ? g->has_write : g->has_read)) {
            const struct strlist *l = write ? &g->write : &g->read;
            for (size_t k = 0; k < l->n; k++)
                strlist_push(out, l->v[k]);
            return;
        }
    }
    defaults(m, rm, write, false, out);
}
