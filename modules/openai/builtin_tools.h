/*
 * builtin_tools.h - the tools an image runs itself when the model calls
 * them (openai config `tools:`; docs/openai-api.md, "Built-in tools").
 *
 * Each runs as an HTTP request on the caller's behalf, so it has the
 * caller's rights and no more: read_object, list_objects and route go
 * through the router (rt_dispatch) with the caller's Authorization header,
 * so the apikey guard decides with the caller's key scopes or capability
 * token caveats and counts the call against the caller's rate, and
 * the object store checks the grants of its HTTP door (objstore-http).
 * http_get goes to the router's remote engine "oa-http-N" that
 * openai_module.c registers for the N-th `http_allow` prefix, without the
 * caller's Authorization (it is for this image, not for other hosts).
 */
#ifndef OA_BUILTIN_TOOLS_H
#define OA_BUILTIN_TOOLS_H

#include "router.h"

#define OA_BUILTIN_PATH_MAX 512

/* What a call becomes: an engine ("" = through the router) and a GET. */
struct oa_builtin_req {
    char engine[24];
    char path[OA_BUILTIN_PATH_MAX];
    char query[OA_BUILTIN_PATH_MAX]; /* "" = none */
    bool with_auth;                  /* forward the caller's Authorization */
};

/* The lists the manifest gives (NULL-terminated; kept, not copied):
 * path prefixes the route tool may GET, URL prefixes http_get may GET. */
void oa_builtins_configure(const char *const *routes, const char *const *http_allow);
/* Whether name is a built-in tool. */
bool oa_builtin_known(const char *name);
/* A call's arguments (JSON text) into the request it makes: 0, or -1 with
 * why in why (the tool's result then says it; status 400). */
int oa_builtin_plan(const char *name, const char *args, struct oa_builtin_req *out, char *why,
                    size_t n);
/* Run a call for the caller (an rt_request, or NULL): 0 with the body in
 * out (controls but \n and \t as spaces) and the HTTP status in *status;
 * -1 when it could not run (*status 400 with why in out, or 502). The
 * run_tool of struct oa_server. */
int oa_builtin_run(const void *caller, const char *name, const char *args, struct anx_buf *out,
                   int *status);

#endif
