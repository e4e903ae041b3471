/*
 * What <anx/lib.h> declares that an older host libc lacks, for host code
 * (a tool's own files, a test) that includes core or module headers and
 * calls these names: BSD strlcpy and strlcat, in glibc only from 2.38 on.
 * Core and module code never come here: they call the core's anx_t_*
 * versions (host/rename.h).
 */
#include <string.h>

#include <anx/lib.h>

#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}

size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
    size_t d = strnlen(dst, size);
    if (d == size)
        return size + strlen(src);
    return d + strlcpy(dst + d, src, size - d);
}
#endif
