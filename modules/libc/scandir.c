/*
 * scandir and alphasort (<dirent.h>) over opendir/readdir: the entries a
 * filter keeps, copied to the heap, sorted by the caller's comparison.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int alphasort(const struct dirent **a, const struct dirent **b)
{
    return strcoll((*a)->d_name, (*b)->d_name);
}

static void free_list(struct dirent **list, size_t n)
{
    while (n)
        free(list[--n]);
    free(list);
}

int scandir(const char *path, struct dirent ***out, int (*filter)(const struct dirent *),
            int (*cmp)(const struct dirent **, const struct dirent **))
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent **list = NULL, *e;
    size_t n = 0, cap = 0;
    while ((e = readdir(d))) {
        if (filter && !filter(e))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct dirent **nl = realloc(list, cap * sizeof *list);
            if (!nl)
                goto nomem;
            list = nl;
        }
        if (!(list[n] = malloc(sizeof *e)))
            goto nomem;
        memcpy(list[n++], e, sizeof *e);
    }
    closedir(d);
    if (n > 1 && cmp)
        qsort(list, n, sizeof *list, (int (*)(const void *, const void *))cmp);
    *out = list;
    return (int)n;
nomem:
    free_list(list, n);
    closedir(d);
    errno = ENOMEM;
    return -1;
}
