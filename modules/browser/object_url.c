/* object: URLs to object names and content types (object_url.h). */
#include <anx/content_type.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <stdbool.h>

#include "object_url.h"

/* the object store's longest name (docs/objstore.md, "Names") */
#define NAME_MAX_BYTES 200

static int bad(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return ANX_EINVAL;
}

int browser_object_name(const char *path, char *out, size_t size, const char **why)
{
    if (why)
        *why = NULL;
    if (!path)
        path = "";
    while (*path == '/')
        path++;
    size_t n = strlen(path);
    bool folder = n == 0 || path[n - 1] == '/';
    static const char index[] = "index.html";
    size_t total = n + (folder ? sizeof index - 1 : 0);
    if (total > NAME_MAX_BYTES || total + 1 > size) {
        if (why)
            *why = "the name is longer than 200 bytes";
        return ANX_ERANGE;
    }
    memcpy(out, path, n);
    if (folder)
        memcpy(out + n, index, sizeof index - 1);
    out[total] = '\0';
    /* segment by segment */
    for (const char *s = out; *s;) {
        size_t len = 0;
        for (; s[len] && s[len] != '/'; len++) {
            char c = s[len];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-'))
                return bad(why, "an object name has only letters, digits, '.', '_', '-' and '/'");
        }
        if (len == 0)
            return bad(why, "an object name has no empty segment");
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
            return bad(why, "an object name has no '.' or '..' segment");
        s += len;
        if (*s == '/')
            s++;
    }
    return 0;
}

const char *browser_object_type(const char *name, const char *stored)
{
    const char *t = anx_content_type(name, false);
    if (strcmp(t, "application/octet-stream") != 0)
        return t;
    return stored && stored[0] ? stored : t;
}
