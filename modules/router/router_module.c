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

#ifndef CONFIG_ROUTER_ROUTES
#define CONFIG_ROUTER_ROUTES ""
#define CONFIG_ROUTER_UPSTREAMS ""
#define CONFIG_ROUTER_STATIC_PREFIX "/www"
#endif

static int cmd_routes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	anx_printf("%-12s %-6s %-24s %-14s %8s %7s  engines\n", "route", "method", "pattern", "policy", "requests",
		   "errors");
	for (struct rt_route *r = rt_route_first(); r; r = rt_route_next(r)) {
		anx_printf("%-12s %-6s %-24s %-14s %8llu %7llu ", r->name, r->method, r->pattern,
			   rt_policy_name(r->policy), (unsigned long long)r->count, (unsigned long long)r->errors);
		for (size_t i = 0; i < r->nengines; i++) {
			struct rt_engine *e = rt_engine_find(r->engine_names[i]);
			anx_printf(" %s%s", r->engine_names[i], !e ? "(missing)" : rt_engine_healthy(e) ? "" : "(down)");
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

static int router_init(void)
{
	char err[200];
	rt_builtin_init(CONFIG_ROUTER_STATIC_PREFIX);
	if (rt_routes_parse(CONFIG_ROUTER_ROUTES, err, sizeof err)) {
		log_error("config routes: %s", err);
		return -1;
	}
	if (rt_upstreams_parse(CONFIG_ROUTER_UPSTREAMS, err, sizeof err)) {
		log_error("config upstreams: %s", err);
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
