/*
 * builtins.c - the engines and routes every router image has:
 *   GET /api/v1/health   {"status":"ok", uptime, engines' health}
 *   GET /api/v1/modules  the image's modules (name, summary)
 *   GET /api/v1/routes   routes with policy, engines and counts
 *   GET /metrics         Prometheus text format
 *   ANY /api/v1/echo     echoes the request body (tests, benchmarks)
 *   GET /...             static files from the image's files: under a prefix
 */
#include <anx/files.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/time.h>

#include "router.h"

static char static_prefix[64] = "/www";

static int health_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	(void)rq;
	rs->content_type = "application/json";
	uint64_t up = anx_uptime_ns();
	bool all = true;
	struct rt_buf eng = {0};
	for (struct rt_route *r = rt_route_first(); r; r = rt_route_next(r))
		for (size_t i = 0; i < r->nengines; i++) {
			struct rt_engine *x = rt_engine_find(r->engine_names[i]);
			bool h = rt_engine_healthy(x);
			char key[80];
			snprintf(key, sizeof key, "\"%s\":", r->engine_names[i]);
			if (eng.p && strstr(eng.p, key))
				continue;
			if (!h)
				all = false;
			rt_buf_puts(&eng, eng.n ? ", " : "");
			rt_buf_json_str(&eng, r->engine_names[i], strlen(r->engine_names[i]));
			rt_buf_puts(&eng, h ? ": true" : ": false");
		}
	rt_buf_printf(&rs->out, "{\"status\": \"%s\", \"uptime_ms\": %llu, \"image\": ", all ? "ok" : "degraded",
		      (unsigned long long)(up / 1000000));
	rt_buf_json_str(&rs->out, CONFIG_IMAGE_NAME, strlen(CONFIG_IMAGE_NAME));
	rt_buf_puts(&rs->out, ", \"platform\": ");
	rt_buf_json_str(&rs->out, CONFIG_PLATFORM, strlen(CONFIG_PLATFORM));
	rt_buf_printf(&rs->out, ", \"engines\": {%s}}\n", eng.p ? eng.p : "");
	rt_buf_free(&eng);
	return 0;
}

static int modules_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	(void)rq;
	rs->content_type = "application/json";
	rt_buf_puts(&rs->out, "[");
	for (size_t i = 0; i < anx_module_count; i++) {
		const struct anx_module *m = &anx_module_table[i];
		rt_buf_puts(&rs->out, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
		rt_buf_json_str(&rs->out, m->name, strlen(m->name));
		rt_buf_puts(&rs->out, ", \"summary\": ");
		rt_buf_json_str(&rs->out, m->summary, strlen(m->summary));
		rt_buf_puts(&rs->out, "}");
	}
	rt_buf_puts(&rs->out, anx_module_count ? "\n]\n" : "]\n");
	return 0;
}

static int routes_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	(void)rq;
	rs->content_type = "application/json";
	rt_routes_json(&rs->out);
	return 0;
}

static int metrics_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	(void)rq;
	rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rt_metrics_text(&rs->out);
	return 0;
}

static int echo_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	size_t n;
	const char *ct = rt_header(rq, "Content-Type", &n);
	static char ctype[96];
	if (ct && n < sizeof ctype) {
		memcpy(ctype, ct, n);
		ctype[n] = 0;
		rs->content_type = ctype;
	} else {
		rs->content_type = "application/octet-stream";
	}
	rt_buf_add(&rs->out, rq->body, rq->body_len);
	return 0;
}

/* ---- static files -------------------------------------------------------------- */

static const struct {
	const char *ext, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
	{".json", "application/json"},         {".txt", "text/plain; charset=utf-8"},
	{".svg", "image/svg+xml"},             {".png", "image/png"},
	{".jpg", "image/jpeg"},                {".jpeg", "image/jpeg"},
	{".gif", "image/gif"},                 {".ico", "image/x-icon"},
	{".wasm", "application/wasm"},         {".xml", "application/xml"},
};

const char *rt_content_type(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < ANX_ARRAY_SIZE(types); i++) {
		size_t l = strlen(types[i].ext);
		if (n >= l && !strcasecmp(path + n - l, types[i].ext))
			return types[i].type;
	}
	return "application/octet-stream";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Maps a URL path to "<prefix><path>", percent-decoded; -1 for paths that
 * try to leave the prefix (".." segments, NUL, backslash). */
int rt_static_path(const char *prefix, const char *p, size_t n, char *out, size_t outlen)
{
	size_t o = strlcpy(out, prefix, outlen);
	if (o >= outlen || n == 0 || p[0] != '/')
		return -1;
	while (o && out[o - 1] == '/')
		o--;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '%') {
			int h = i + 2 < n ? hexval(p[i + 1]) : -1, l = i + 2 < n ? hexval(p[i + 2]) : -1;
			if (h < 0 || l < 0)
				return -1;
			c = (char)(h * 16 + l);
			i += 2;
		}
		if (c == 0 || c == '\\')
			return -1;
		if (c == '/' && o && out[o - 1] == '/')
			continue;   /* collapse "//" */
		if (o + 1 >= outlen)
			return -1;
		out[o++] = c;
		out[o] = 0;
		/* a finished segment of "." or ".." */
		if (c == '/' || i + 1 == n) {
			size_t end = c == '/' ? o - 1 : o, s = end;
			while (s && out[s - 1] != '/')
				s--;
			if ((end - s == 1 && out[s] == '.') || (end - s == 2 && out[s] == '.' && out[s + 1] == '.'))
				return -1;
		}
	}
	out[o] = 0;
	return 0;
}

static int find_file(const char *path, struct anx_file *f)
{
	size_t lo = 0, hi = anx_file_count(), n = strlen(path);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (anx_file_at(mid, f))
			return -1;
		size_t m = f->path_len < n ? f->path_len : n;
		int c = memcmp(f->path, path, m);
		if (c == 0)
			c = f->path_len < n ? -1 : f->path_len > n ? 1 : 0;
		if (c == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int static_handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
	(void)e;
	char path[300];
	if (rt_static_path(static_prefix, rq->path, rq->path_len, path, sizeof path - 16)) {
		rt_reply(rs, 400, NULL, "bad request: invalid path\n");
		return 0;
	}
	struct anx_file f;
	size_t n = strlen(path);
	bool found;
	if (path[n - 1] == '/') {
		strlcat(path, "index.html", sizeof path);
		found = find_file(path, &f) == 0;
	} else {
		found = find_file(path, &f) == 0;
		if (!found) {
			strlcat(path, ".html", sizeof path);
			found = find_file(path, &f) == 0;
			if (!found) {
				path[n] = 0;
				strlcat(path, "/index.html", sizeof path);
				found = find_file(path, &f) == 0;
			}
		}
	}
	if (!found) {
		rt_reply(rs, 404, NULL, "not found\n");
		return 0;
	}
	char etag[24];
	snprintf(etag, sizeof etag, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", f.sha256[0], f.sha256[1], f.sha256[2],
		 f.sha256[3], f.sha256[4], f.sha256[5], f.sha256[6], f.sha256[7]);
	rt_add_header(rs, "ETag", etag);
	size_t inm_len;
	const char *inm = rt_header(rq, "If-None-Match", &inm_len);
	if (inm && inm_len == strlen(etag) && !memcmp(inm, etag, inm_len)) {
		rs->status = 304;
		rs->body = "";
		rs->body_len = 0;
		return 0;
	}
	rs->status = 200;
	rs->content_type = rt_content_type(path);
	rs->body = f.data;
	rs->body_len = f.size;
	return 0;
}

static struct rt_engine builtin_engines[] = {
	{.name = "health", .handle = health_handle},
	{.name = "modules", .handle = modules_handle},
	{.name = "routes", .handle = routes_handle},
	{.name = "metrics", .handle = metrics_handle},
	{.name = "echo", .handle = echo_handle},
	{.name = "static", .handle = static_handle},
};

void rt_builtin_init(const char *prefix)
{
	if (prefix)
		strlcpy(static_prefix, prefix, sizeof static_prefix);
	for (size_t i = 0; i < ANX_ARRAY_SIZE(builtin_engines); i++)
		rt_engine_register(&builtin_engines[i]);
	rt_route_add("health", "GET", "/api/v1/health", RT_FIRST_HEALTHY, "health");
	rt_route_add("modules", "GET", "/api/v1/modules", RT_FIRST_HEALTHY, "modules");
	rt_route_add("routes", "GET", "/api/v1/routes", RT_FIRST_HEALTHY, "routes");
	rt_route_add("metrics", "GET", "/metrics", RT_FIRST_HEALTHY, "metrics");
	rt_route_add("echo", "*", "/api/v1/echo", RT_FIRST_HEALTHY, "echo");
	if (*static_prefix)
		rt_route_add("static", "GET", "/*", RT_FIRST_HEALTHY, "static");
}
