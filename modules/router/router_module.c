/*
 * router_module.c - the router module: built-in engines and routes, the
 * manifest's routes and upstreams, and the `routes` shell command.
 */
#define LOG_TAG "router"
#include <anx/command.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>

#include "router.h"

static int cmd_routes(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    anx_printf("%-12s %-6s %-24s %-14s %8s %7s  engines\n", "route", "method", "pattern", "policy",
               "requests", "errors");
    for (struct rt_route *r = rt_route_first(); r; r = rt_route_next(r)) {
        anx_printf("%-12s %-6s %-24s %-14s %8llu %7llu ", r->name, r->method, r->pattern,
                   rt_policy_name(r->policy), (unsigned long long)r->count,
                   (unsigned long long)r->errors);
        for (size_t i = 0; i < r->nengines; i++) {
            struct rt_engine *e = rt_engine_find(r->engine_names[i]);
            anx_printf(" %s%s", r->engine_names[i],
                       !e                     ? "(missing)"
                       : rt_engine_healthy(e) ? ""
                                              : "(down)");
        }
        anx_printf("\n");
    }
    return 0;
}

static struct anx_command routes_cmd = {
    .name = "routes",
    .summary = "List the router's routes with their counts",
    .usage = "routes",
    .fn = cmd_routes,
};

/* The manifest's lists (config.h: a null-terminated initializer per list,
 * each item one route or upstream, their syntax checked by anx). */
static const char *const config_routes[] = CONFIG_ROUTER_ROUTES;
static const char *const config_upstreams[] = CONFIG_ROUTER_UPSTREAMS;

static int router_init(void)
{
    char err[200];
    rt_builtin_init(CONFIG_ROUTER_STATIC_PREFIX);
    /* up to the null pointer that ends each list (an index < COUNT would
     * be a comparison with 0 for an empty list, which -Wextra refuses) */
    for (const char *const *r = config_routes; *r; r++)
        if (rt_route_config(*r, err, sizeof err)) {
            log_error("config routes[%u]: %s", (unsigned)(r - config_routes), err);
            return -1;
        }
    /* the routes each module declares in its module.yaml (modules.c) */
    for (size_t m = 0; m < anx_module_count; m++)
        for (const char *const *r = anx_module_table[m].routes; r && *r; r++)
            if (rt_route_config(*r, err, sizeof err)) {
                log_error("module %s: routes: %s", anx_module_table[m].name, err);
                return -1;
            }
    for (const char *const *u = config_upstreams; *u; u++)
        if (rt_upstream_config(*u, err, sizeof err)) {
            log_error("config upstreams[%u]: %s", (unsigned)(u - config_upstreams), err);
            return -1;
        }
    anx_command_register(&routes_cmd);
    unsigned n = 0;
    for (struct rt_route *r = rt_route_first(); r; r = rt_route_next(r))
        n++;
    log_info("%u routes", n);
    return 0;
}

/* Essential (module.h): health is served here, so without the router the
 * image could not even say it is broken. */
ANX_MODULE(router, .init = router_init, .essential = true);
