/*
 * Resolution: from the manifest's module list to the exact set of modules
 * an image holds, in init order, with every config value checked and
 * defaulted. Errors point at the manifest where the user can act on them,
 * or at the module.yaml line that is wrong.
 */
#include "anx.h"

#include <string.h>

int toposort(size_t n, const char *const *names, const size_t *const *deps, const size_t *ndeps,
             size_t *order, char *cycle, size_t cyclen)
{
    bool *done = xcalloc(n + 1, sizeof *done);
    size_t emitted = 0;
    while (emitted < n) {
        /* The ready node with the smallest name goes next: the order then
         * depends only on the graph, never on listing order. */
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            bool ready = true;
            for (size_t j = 0; j < ndeps[i] && ready; j++)
                ready = done[deps[i][j]];
            if (ready && (best == n || strcmp(names[i], names[best]) < 0))
                best = i;
        }
        if (best == n)
            break;
        done[best] = true;
        order[emitted++] = best;
    }
    if (emitted == n)
        return 0;
    /* Every node left waits on another node left: walk until one repeats. */
    size_t start = n;
    for (size_t i = 0; i < n; i++)
        if (!done[i] && (start == n || strcmp(names[i], names[start]) < 0))
            start = i;
    size_t *path = xcalloc(n + 1, sizeof *path);
    size_t *seen_at = xcalloc(n + 1, sizeof *seen_at);
    for (size_t i = 0; i < n; i++)
        seen_at[i] = (size_t)-1;
    size_t len = 0, cur = start;
    while (seen_at[cur] == (size_t)-1) {
        seen_at[cur] = len;
        path[len++] = cur;
        size_t nextn = n;
        for (size_t j = 0; j < ndeps[cur]; j++) {
            size_t d = deps[cur][j];
            if (!done[d] && (nextn == n || strcmp(names[d], names[nextn]) < 0))
                nextn = d;
        }
        cur = nextn;
    }
    struct buf b = {0};
    for (size_t i = seen_at[cur]; i < len; i++)
        buf_printf(&b, "%s -> ", names[path[i]]);
    buf_puts(&b, names[cur]);
    snprintf(cycle, cyclen, "%s", buf_cstr(&b));
    return -1;
}

size_t modules_closure(struct catalog *c, struct module **mods, size_t n, size_t *from)
{
    const char *const *all = (const char *const *)c->module_names.v;
    for (size_t q = 0; q < n; q++) {
        struct module *mod = mods[q];
        for (size_t d = 0; d < mod->depends.n; d++) {
            const char *dn = mod->depends.v[d];
            bool have = false;
            for (size_t k = 0; k < n && !have; k++)
                have = !strcmp(mods[k]->name, dn);
            if (have)
                continue;
            if (catalog_module_index(c, dn) < 0) {
                diag_error(&mod->depends_marks[d], "module '%s' depends on unknown module '%s'%s", mod->name, dn,
                           suggest(dn, all, c->module_names.n));
                continue;
            }
            struct module *dm = catalog_module(c, dn);
            if (!dm)
                continue;
            from[n] = q;
            mods[n++] = dm;
        }
    }
    return n;
}

int modules_order(struct module *const *mods, size_t n, size_t *order, char *cycle, size_t cyclen)
{
    const char **names = xcalloc(n + 1, sizeof *names);
    size_t **deps = xcalloc(n + 1, sizeof *deps);
    size_t *ndeps = xcalloc(n + 1, sizeof *ndeps);
    for (size_t i = 0; i < n; i++) {
        names[i] = mods[i]->name;
        deps[i] = xcalloc(mods[i]->depends.n + 1, sizeof **deps);
        for (size_t d = 0; d < mods[i]->depends.n; d++)
            for (size_t j = 0; j < n; j++)
                if (!strcmp(mods[j]->name, mods[i]->depends.v[d]))
                    deps[i][ndeps[i]++] = j;
    }
    return toposort(n, names, (const size_t *const *)deps, ndeps, order, cycle, cyclen);
}

static const char *list_text(const struct strlist *l)
{
    struct buf b = {0};
    for (size_t i = 0; i < l->n; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
    return l->n ? buf_cstr(&b) : "none";
}

static bool supports(const struct module *m, const struct platform *p)
{
    for (size_t i = 0; i < m->platforms.n; i++) {
        const char *s = m->platforms.v[i];
        if (!strcmp(s, "all") || !strcmp(s, p->name) || (p->arch && !strcmp(s, p->arch)))
            return true;
    }
    return false;
}

static struct platform *pick_platform(struct catalog *c, struct manifest *m, const char *override)
{
    const char *name = override ? override : m->platform;
    const struct mark *mk = override ? NULL : &m->platform_mark;
    const char *const *names = (const char *const *)c->platform_names.v;
    if (!name) {
        struct mark top = {path_display(m->path), 1, 1};
        diag_error(&top, "no platform: add 'platform: NAME' or pass -p NAME (available: %s)",
                   list_text(&c->platform_names));
        return NULL;
    }
    if (catalog_platform_index(c, name) < 0) {
        const char *s = did_you_mean(name, names, c->platform_names.n);
        if (s)
            diag_error(mk, "unknown platform '%s' (did you mean '%s'?)", yshow(name, strlen(name)), s);
        else
            diag_error(mk, "unknown platform '%s' (available: %s)", yshow(name, strlen(name)),
                       list_text(&c->platform_names));
        return NULL;
    }
    return catalog_platform(c, name);
}

int resolve(struct catalog *c, struct manifest *m, const char *override, struct resolution *r)
{
    int errs0 = diag_errors;
    memset(r, 0, sizeof *r);
    r->plat = pick_platform(c, m, override);
    if (!r->plat)
        return diag_errors - errs0 ? diag_errors - errs0 : 1;
    /* display: device is a module of the image, as if listed (manifest.c). */
    if (manifest_display_device(c, m, r->plat))
        return diag_errors - errs0;

    /* The closure, breadth first; root[i] = the manifest entry that pulled
     * module i in, so errors can point at something the user wrote. */
    size_t cap = c->module_names.n + 1;
    struct module **mods = xcalloc(cap, sizeof *mods);
    size_t *root = xcalloc(cap, sizeof *root);
    const char **via = xcalloc(cap, sizeof *via);
    size_t n = 0;
    const char *const *all = (const char *const *)c->module_names.v;
    for (size_t i = 0; i < m->nmods; i++) {
        const char *name = m->mods[i].name;
        if (catalog_module_index(c, name) < 0) {
            const char *s = did_you_mean(name, all, c->module_names.n);
            if (s)
                diag_error(&m->mods[i].mark, "unknown module '%s' (did you mean '%s'?)", name, s);
            else
                diag_error(&m->mods[i].mark, "unknown module '%s' (see `anx modules` for the list)", name);
            continue;
        }
        struct module *mod = catalog_module(c, name);
        if (!mod)
            continue;
        root[n] = i;
        via[n] = NULL;
        mods[n++] = mod;
    }
    if (diag_errors - errs0)
        return diag_errors - errs0;
    size_t *from = xcalloc(cap, sizeof *from);
    size_t listed = n;
    n = modules_closure(c, mods, n, from);
    for (size_t k = listed; k < n; k++) {
        root[k] = root[from[k]];
        via[k] = mods[from[k]]->name;
    }
    if (diag_errors - errs0)
        return diag_errors - errs0;

    /* Platform support and conflicts. */
    for (size_t i = 0; i < n; i++) {
        if (supports(mods[i], r->plat))
            continue;
        if (via[i])
            diag_error(&m->mods[root[i]].mark, "module '%s' (needed by '%s') does not support platform '%s' (it supports: %s)",
                       mods[i]->name, via[i], r->plat->name, list_text(&mods[i]->platforms));
        else
            diag_error(&m->mods[root[i]].mark, "module '%s' does not support platform '%s' (it supports: %s)",
                       mods[i]->name, r->plat->name, list_text(&mods[i]->platforms));
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < mods[i]->conflicts.n; k++)
            for (size_t j = 0; j < n; j++) {
                if (strcmp(mods[j]->name, mods[i]->conflicts.v[k]))
                    continue;
                const struct mark *cm = &mods[i]->conflicts_marks[k];
                diag_error(&m->mods[root[i]].mark, "modules '%s' and '%s' conflict (declared at %s:%d:%d)",
                           mods[i]->name, mods[j]->name, cm->file, cm->line, cm->col);
            }
    if (diag_errors - errs0)
        return diag_errors - errs0;

    /* Order. */
    size_t *order = xcalloc(n + 1, sizeof *order);
    char cycle[1024];
    if (modules_order(mods, n, order, cycle, sizeof cycle)) {
        /* Name the module.yaml where the cycle starts. */
        char first[1024];
        snprintf(first, sizeof first, "%s", cycle);
        char *sp = strchr(first, ' ');
        if (sp)
            *sp = 0;
        const struct mark *mk = NULL;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(mods[i]->name, first))
                mk = &m->mods[root[i]].mark;
        diag_error(mk, "dependency cycle: %s", cycle);
        return diag_errors - errs0;
    }

    /* Config values against each schema. manifest_load() has already
     * reported unknown keys and bad values of the modules the manifest
     * lists (with its hints); here every module, listed or pulled in by a
     * dependency, gets its values, and a key without a default must have
     * one. */
    r->mods = xcalloc(n + 1, sizeof *r->mods);
    r->n = n;
    for (size_t oi = 0; oi < n; oi++) {
        size_t i = order[oi];
        struct resolved_mod *rm = &r->mods[oi];
        struct module *mod = mods[i];
        rm->mod = mod;
        rm->values = xcalloc(mod->nkeys + 1, sizeof *rm->values);
        const struct ynode *cfg = NULL;
        const struct mark *req = NULL;
        for (size_t k = 0; k < m->nmods; k++)
            if (!strcmp(m->mods[k].name, mod->name)) {
                rm->requested = true;
                cfg = m->mods[k].config;
                req = &m->mods[k].mark;
            }
        for (size_t k = 0; k < mod->nkeys; k++) {
            const struct config_key *key = &mod->keys[k];
            const struct ynode *v = cfg ? ymap_get(cfg, key->name) : NULL;
            if (v && v->kind != Y_NULL) {
                config_value_parse(key, v, mod->name, &rm->values[k]);
            } else if (key->has_default) {
                rm->values[k] = key->def;
            } else {
                diag_error(req ? req : &m->mods[root[i]].mark,
                           "module '%s' needs a value for '%s' (%s, no default)%s%s", mod->name, key->name,
                           ctype_names[key->type], key->doc ? ": " : "", key->doc ? key->doc : "");
            }
        }
    }
    if (diag_errors - errs0)
        return diag_errors - errs0;
    /* The modules' files: join the manifest's before anything counts them. */
    if (manifest_module_files(m, r))
        return diag_errors - errs0;
    /* The image as a whole (validate.c): here rather than in each command,
     * so check, build, run and test refuse the same manifests. */
    return validate(m, r);
}

const struct cvalue *resolved_value(const struct resolution *r, const char *mod, const char *key)
{
    const struct resolved_mod *m = resolved_find(r, mod);
    for (size_t k = 0; m && k < m->mod->nkeys; k++)
        if (!strcmp(m->mod->keys[k].name, key))
            return &m->values[k];
    return NULL;
}

const char *resolved_string(const struct resolution *r, const char *mod, const char *key)
{
    const struct cvalue *v = resolved_value(r, mod, key);
    return v ? v->s : NULL;
}

const struct resolved_mod *resolved_find(const struct resolution *r, const char *mod)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->mods[i].mod->name, mod))
            return &r->mods[i];
    return NULL;
}
