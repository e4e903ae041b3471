/*
 * realpath (<stdlib.h>): the archive has no links, so resolving a path is
 * only lexical: "." and empty components dropped, ".." removes the one
 * before (stopping at "/"), relative paths start at "/" (getcwd). The
 * result must exist as a file or folder of the archive.
 */
#include <anx/files.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "stdio_impl.h"

/* Normalise path into out (PATH_MAX bytes). 0, or -1 (ENAMETOOLONG). */
static int normalise(const char *path, char *out)
{
    size_t len = 0;
    out[len++] = '/';
    while (*path) {
        while (*path == '/')
            path++;
        size_t n = strcspn(path, "/");
        if (!n)
            break;
        if (n == 2 && path[0] == '.' && path[1] == '.') {
            while (len > 1 && out[len - 1] != '/')
                len--;
            if (len > 1)
                len--;                 /* the '/' before the removed component */
        } else if (!(n == 1 && path[0] == '.')) {
            if (len + (len > 1) + n + 1 > PATH_MAX) {
                errno = ENAMETOOLONG;
                return -1;
            }
            if (len > 1)
                out[len++] = '/';
            memcpy(out + len, path, n);
            len += n;
        }
        path += n;
    }
    out[len] = 0;
    return 0;
}

char *realpath(const char *restrict path, char *restrict resolved)
{
    char buf[PATH_MAX];
    struct anx_file af;
    if (!path) {
        errno = EINVAL;
        return NULL;
    }
    if (!*path) {
        errno = ENOENT;
        return NULL;
    }
    if (normalise(path, buf))
        return NULL;
    if (libc_file_lookup(buf, &af) != 0 && !libc_path_is_dir(buf)) {
        errno = ENOENT;
        return NULL;
    }
    if (!resolved && !(resolved = malloc(strlen(buf) + 1))) {
        errno = ENOMEM;
        return NULL;
    }
    return strcpy(resolved, buf);
}
