/* Media types by extension; see <anx/content_type.h>. */
#include <anx/content_type.h>
#include <anx/lib.h>

static const struct {
    const char *ext, *type, *http;   /* http: NULL = the same as type */
} types[] = {
    {".html", "text/html", "text/html; charset=utf-8"},
    {".htm", "text/html", "text/html; charset=utf-8"},
    {".css", "text/css", "text/css; charset=utf-8"},
    {".js", "text/javascript", "text/javascript; charset=utf-8"},
    {".txt", "text/plain", "text/plain; charset=utf-8"},
    {".json", "application/json", NULL},
    {".xml", "application/xml", NULL},
    {".wasm", "application/wasm", NULL},
    {".svg", "image/svg+xml", NULL},
    {".png", "image/png", NULL},
    {".jpg", "image/jpeg", NULL},
    {".jpeg", "image/jpeg", NULL},
    {".gif", "image/gif", NULL},
    {".ico", "image/x-icon", NULL},
};

const char *anx_content_type(const char *name, bool http)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < ANX_ARRAY_SIZE(types); i++) {
        size_t l = strlen(types[i].ext);
        if (n >= l && !strcasecmp(name + n - l, types[i].ext))
            return http && types[i].http ? types[i].http : types[i].type;
    }
    return "application/octet-stream";
}
