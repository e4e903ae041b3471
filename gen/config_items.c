/*
 * The items of list config keys that a module parses at boot, checked here
 * with that module's own parser, compiled into anx: the router's `routes:`
 * and `upstreams:` (modules/router/route_spec.c, which router_init uses
 * too), apikey's `rules:` and `limits:` (modules/apikey/apikey_rules.c),
 * and the `routes:` a module.yaml declares. So `anx check` reports a bad
 * item at its file:line:col, with the router's own words, instead of the
 * image stopping at boot. Then, with the routes and rules known, the
 * warning of issue 16: writable routes that anyone on the network can use.
 */
#include "anx.h"

#include <string.h>

/* The router's and apikey's API headers, for the parsers' declarations only. */
#include "router.h"   /* -I../modules/router (gen/Makefile) */
#include "apikey.h"   /* -I../modules/apikey */

/* Each item through one parser: an error at the item's mark for each it
 * refuses, in the parser's own words. */
static int check_each(const char *what, const struct cvalue *v, int (*parse)(const char *item, char *err, size_t n))
{
    int errs = 0;
    for (size_t i = 0; i < v->list.n; i++) {
        char err[300];
        if (parse(v->list.v[i], err, sizeof err)) {
            diag_error(&v->marks[i], "in %s: %s", what, err);
            errs++;
        }
    }
    return errs;
}

static int parse_route(const char *it, char *err, size_t n)
{
    struct rt_route_spec rs;
    return rt_route_spec_parse(it, strlen(it), &rs, err, n);
}

static int parse_apikey_rule(const char *it, char *err, size_t n)
{
    struct apikey_rule r;
    return apikey_rule_parse(it, &r, err, n);
}

static int parse_apikey_limit(const char *it, char *err, size_t n)
{
    struct apikey_limit l;
    return apikey_limit_parse(it, &l, err, n);
}

static int check_routes(const char *what, const struct cvalue *v)
{
    return check_each(what, v, parse_route);
}

static int check_apikey_rules(const char *what, const struct cvalue *v)
{
    return check_each(what, v, parse_apikey_rule);
}

static int check_apikey_limits(const char *what, const struct cvalue *v)
{
    return check_each(what, v, parse_apikey_limit);
}

/* Each upstream becomes an engine of its name, so a name given twice would
 * stop the boot ("engine name is taken"). */
static int check_upstreams(const char *what, const struct cvalue *v)
{
    int errs = 0;
    struct rt_upstream_spec *u = xcalloc(v->list.n + 1, sizeof *u);
    for (size_t i = 0; i < v->list.n; i++) {
        char err[300];
        const char *it = v->list.v[i];
        if (rt_upstream_spec_parse(it, strlen(it), &u[i], err, sizeof err)) {
            diag_error(&v->marks[i], "in %s: %s", what, err);
            errs++;
            u[i].name[0] = 0;
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(u[j].name, u[i].name)) {
                const struct mark *f = &v->marks[j];
                diag_error(&v->marks[i], "in %s: upstream name '%s' is given twice (first at %s:%d:%d); "
                                         "each upstream needs a name of its own",
                           what, u[i].name, f->file, f->line, f->col);
                errs++;
                break;
            }
    }
    return errs;
}

static const struct {
    const char *module, *key;
    int (*check)(const char *what, const struct cvalue *v);
} item_checks[] = {
    {"router", "routes", check_routes},
    {"router", "upstreams", check_upstreams},
    {"apikey", "rules", check_apikey_rules},
    {"apikey", "limits", check_apikey_limits},
};

int config_items_check(const char *module, const struct config_key *k, const struct cvalue *v)
{
    if (k->type != CT_LIST)
        return 0;
    for (size_t i = 0; i < sizeof item_checks / sizeof item_checks[0]; i++)
        if (!strcmp(item_checks[i].module, module) && !strcmp(item_checks[i].key, k->name))
            return item_checks[i].check(xasprintf("'%s' of module '%s'", k->name, module), v);
    return 0;
}

int module_route_check(const char *item, char *err, size_t n)
{
    return parse_route(item, err, n);
}

/* ---- writable routes nobody guards ------------------------------------------------ */

/* A path the pattern matches: each {param} and the final * as "x", so a
 * rule's pattern can be tried against it as against a request. */
static char *sample_path(const char *pattern)
{
    struct buf b = {0};
    for (const char *p = pattern; *p; p++) {
        if (*p == '{') {
            const char *e = strchr(p, '}');
            buf_puts(&b, "x");
            p = e ? e : p + strlen(p) - 1;
        } else if (*p == '*') {
            buf_puts(&b, "x");
        } else {
            buf_add(&b, p, 1);
        }
    }
    return xstrdup(buf_cstr(&b));
}

struct writable {
    char *method, *pattern, *who;
    const struct mark *mark;
};

static const char *const write_methods[] = {"POST", "PUT", "PATCH", "DELETE"};
#define NWRITE (sizeof write_methods / sizeof write_methods[0])

/* Adds the route item when its method changes something (POST, PUT,
 * PATCH, DELETE or ANY). */
static void add_writable(struct writable **w, size_t *n, const char *item, const char *who, const struct mark *mk)
{
    struct rt_route_spec rs;
    char err[300];
    if (rt_route_spec_parse(item, strlen(item), &rs, err, sizeof err))
        return;   /* reported where the item is written */
    bool any = !strcmp(rs.method, "ANY") || !strcmp(rs.method, "*"), write = any;
    for (size_t i = 0; i < NWRITE; i++)
        write |= !strcmp(rs.method, write_methods[i]);
    if (!write)
        return;
    *w = xrealloc(*w, (*n + 1) * sizeof **w);
    (*w)[(*n)++] = (struct writable){xstrdup(any ? "ANY" : rs.method), xstrdup(rs.pattern), xstrdup(who), mk};
}

/* With keys, a writable route is open only where the first rule that
 * matches it says `open` (no rule: admin keys only). The paths tried: one
 * the route's pattern matches, and each rule's own sample that the route's
 * pattern matches too (a rule opening part of the route). One warning per
 * rule, at its line. */
static void warn_open_rules(const struct writable *w, size_t n, const struct cvalue *v)
{
    struct apikey_rule *rules = xcalloc(v->list.n + 1, sizeof *rules);
    size_t *item = xcalloc(v->list.n + 1, sizeof *item), nr = 0;
    char err[300];
    for (size_t i = 0; i < v->list.n; i++)
        if (apikey_rule_parse(v->list.v[i], &rules[nr], err, sizeof err) == 0)
            item[nr++] = i;
    for (size_t i = 0; i < n; i++) {
        bool any = !strcmp(w[i].method, "ANY"), *told = xcalloc(nr + 1, sizeof *told);
        for (size_t c = 0; c <= nr; c++) {
            char *path = sample_path(c < nr ? rules[c].pattern : w[i].pattern);
            if (c < nr && !rt_match(w[i].pattern, path, strlen(path), NULL, NULL))
                continue;
            for (size_t j = 0; j < (any ? NWRITE : 1); j++) {
                const char *method = any ? write_methods[j] : w[i].method;
                const struct apikey_rule *rule = apikey_rule_find(rules, nr, method, path, strlen(path));
                if (!rule || strcmp(rule->scope, "open") || told[rule - rules])
                    continue;
                told[rule - rules] = true;
                diag_warning(v->marks ? &v->marks[item[rule - rules]] : w[i].mark,
                             "this rule lets anyone %s %s (%s), a writable route, with no key; give it a scope "
                             "unless the route is meant to be public",
                             method, path, w[i].who);
            }
        }
    }
}

void writable_routes_warn(const struct manifest *m, const struct resolution *r)
{
    if (!resolved_find(r, "httpd"))
        return;   /* no door to the network */
    struct writable *w = NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct module *mod = r->mods[i].mod;
        const struct mod_req *req = NULL;
        for (size_t k = 0; k < m->nmods; k++)
            if (!strcmp(m->mods[k].name, mod->name))
                req = &m->mods[k];
        for (size_t k = 0; k < mod->routes.n; k++)
            add_writable(&w, &n, mod->routes.v[k], mod->name, req ? &req->mark : &m->name_mark);
    }
    const struct cvalue *routes = resolved_value(r, "router", "routes");
    for (size_t i = 0; routes && i < routes->list.n; i++)
        add_writable(&w, &n, routes->list.v[i], "router routes:", &routes->marks[i]);
    if (!n)
        return;
    const struct cvalue *rules = resolved_value(r, "apikey", "rules");
    if (rules) {
        warn_open_rules(w, n, rules);
        return;
    }
    struct buf b = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s %s (%s)", i ? ", " : "", w[i].method, w[i].pattern, w[i].who);
    diag_warning(w[0].mark, "anyone who reaches httpd's port may, with no key: %s; add the apikey module "
                            "with rules to ask for keys (docs/security.md)",
                 buf_cstr(&b));
}
