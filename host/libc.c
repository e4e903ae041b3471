/*
 * What <anx/lib.h> declares that an older host libc lacks, for host code
 * (a tool's own files, a test) that includes core or module headers and
 * calls these names: BSD strlcpy and strlcat, in glibc only from 2.38 on.
 * They are the core's own (core/lib/string.c, which the host build renames
 * to anx_t_*, see host/rename.h), so there is one implementation. Core and
 * module code never come here: they call the anx_t_* names directly.
 */
#include <string.h>   /* size_t, and __GLIBC__ from <features.h> */

#if defined(__GLIBC__) && (__GLIBC__ < 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ < 38))
size_t anx_t_strlcpy(char *restrict dst, const char *restrict src, size_t size);
size_t anx_t_strlcat(char *restrict dst, const char *restrict src, size_t size);

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
    return anx_t_strlcpy(dst, src, size);
}

size_t strlcat(char *restrict dst, const char *restrict src, size_t size)
{
    return anx_t_strlcat(dst, src, size);
}
#endif
