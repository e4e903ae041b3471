/*
 * The environment (<stdlib.h>): empty when the image starts, a table of
 * "NAME=value" strings that setenv/putenv fill. environ is this module's
 * (libc_environ), NULL-terminated as POSIX's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *empty[1];
char **libc_environ = empty;
static size_t count;
/* which entries setenv allocated (putenv's belong to the caller) */
static unsigned char *owned;

static int valid_name(const char *name)
{
    return name && *name && !strchr(name, '=');
}

/* The index of NAME's entry, or count. */
static size_t find(const char *name, size_t len)
{
    size_t i = 0;
    while (i < count && !(strncmp(libc_environ[i], name, len) == 0 && libc_environ[i][len] == '='))
        i++;
    return i;
}

char *getenv(const char *name)
{
    size_t len = strlen(name);
    size_t i = find(name, len);
    return i < count ? libc_environ[i] + len + 1 : NULL;
}

/* Replace entry i, or add one when i == count. 0, or -1 (ENOMEM). */
static int put(size_t i, char *entry, int own)
{
    if (i == count) {
        char **ne = malloc((count + 2) * sizeof *ne);
        unsigned char *no = malloc(count + 1);
        if (!ne || !no) {
            free(ne);
            free(no);
            errno = ENOMEM;
            return -1;
        }
        memcpy(ne, libc_environ, count * sizeof *ne);
        if (count)
            memcpy(no, owned, count);
        if (libc_environ != empty)
            free(libc_environ);
        free(owned);
        libc_environ = ne;
        owned = no;
        count++;
        libc_environ[count] = NULL;
    } else if (owned[i]) {
        free(libc_environ[i]);
    }
    libc_environ[i] = entry;
    owned[i] = (unsigned char)own;
    return 0;
}

int setenv(const char *name, const char *value, int overwrite)
{
    if (!valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    size_t len = strlen(name), i = find(name, len);
    if (i < count && !overwrite)
        return 0;
    size_t vlen = strlen(value);
    char *e = malloc(len + vlen + 2);
    if (!e) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(e, name, len);
    e[len] = '=';
    memcpy(e + len + 1, value, vlen + 1);
    if (put(i, e, 1)) {
        free(e);
        return -1;
    }
    return 0;
}

/* The caller's string becomes the entry (changing it changes the
 * variable, as POSIX says); "NAME" without '=' unsets NAME (glibc). */
int putenv(char *entry)
{
    const char *eq = strchr(entry, '=');
    if (!eq)
        return unsetenv(entry);
    if (eq == entry) {
        errno = EINVAL;
        return -1;
    }
    return put(find(entry, (size_t)(eq - entry)), entry, 0);
}

int unsetenv(const char *name)
{
    if (!valid_name(name)) {
        errno = EINVAL;
        return -1;
    }
    size_t i = find(name, strlen(name));
    if (i == count)
        return 0;
    if (owned[i])
        free(libc_environ[i]);
    memmove(&libc_environ[i], &libc_environ[i + 1], (count - i) * sizeof *libc_environ);
    memmove(&owned[i], &owned[i + 1], count - i - 1);
    count--;
    return 0;
}

int clearenv(void)
{
    while (count) {
        count--;
        if (owned[count])
            free(libc_environ[count]);
    }
    libc_environ[0] = NULL;
    return 0;
}
