/*
 * The items of list config keys that a module parses at boot, checked here
 * with that module's own parser, compiled into anx: the router's `routes:`
 * and `upstreams:` (modules/router/route_spec.c, which router_init uses
 * too), apikey's `rules:` and `limits:` (modules/apikey/apikey_rules.c). So `anx check` reports a bad item at its file:line:col, with the
 * router's own words, instead of the image stopping at boot.
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
