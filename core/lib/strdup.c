/* strdup/strndup of <anx/lib.h>, on the core heap. */
#include <anx/lib.h>
#include <anx/mem.h>

char *strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = anx_malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = 0;
    }
    return p;
}

char *strdup(const char *s)
{
    return strndup(s, (size_t)-1);
}
