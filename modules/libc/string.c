/*
 * <string.h> beyond the core's: strerror, strtok(_r), strpbrk, memrchr,
 * strcasestr, strsep, stpcpy, strcat, strncat, strcoll, strxfrm.
 */
#define _GNU_SOURCE     /* strcasestr's declaration (string.h) */
#include <ctype.h>
#include <errno.h>
#include <string.h>

char *strcat(char *restrict dst, const char *restrict src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
    char *d = dst + strlen(dst);
    size_t l = strnlen(src, n);
    memcpy(d, src, l);
    d[l] = 0;
    return dst;
}

static const struct { int err; const char *text; } errors[] = {
    {0, "Success"}, {EPERM, "Operation not permitted"}, {ENOENT, "No such file or directory"},
    {EINTR, "Interrupted system call"}, {EIO, "Input/output error"}, {EBADF, "Bad file descriptor"},
    {EAGAIN, "Resource temporarily unavailable"}, {ENOMEM, "Cannot allocate memory"},
    {EACCES, "Permission denied"}, {EFAULT, "Bad address"}, {EBUSY, "Device or resource busy"},
    {EEXIST, "File exists"}, {ENOTDIR, "Not a directory"}, {EISDIR, "Is a directory"},
    {EINVAL, "Invalid argument"}, {ENFILE, "Too many open files in system"},
    {EMFILE, "Too many open files"}, {EFBIG, "File too large"}, {ENOSPC, "No space left on device"},
    {ESPIPE, "Illegal seek"}, {EROFS, "Read-only file system"}, {EPIPE, "Broken pipe"},
    {EDOM, "Numerical argument out of domain"}, {ERANGE, "Numerical result out of range"},
    {ENAMETOOLONG, "File name too long"}, {ENOSYS, "Function not implemented"},
    {ENOTEMPTY, "Directory not empty"}, {EOVERFLOW, "Value too large for defined data type"},
    {EILSEQ, "Invalid or incomplete multibyte or wide character"},
    {ENOTSUP, "Operation not supported"}, {ETIMEDOUT, "Connection timed out"},
    {E2BIG, "Argument list too long"}, {ENODEV, "No such device"},
    {ENOTTY, "Inappropriate ioctl for device"}, {EAFNOSUPPORT, "Address family not supported by protocol"},
};

/* glibc's texts, so messages read the same as on a host. */
static const char *error_text(int err)
{
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].err == err)
            return errors[i].text;
    return NULL;
}

static char unknown_buf[32];

int strerror_r(int err, char *buf, size_t n)
{
    const char *t = error_text(err);
    if (!t) {
        strlcpy(buf, "Unknown error ", n);
        size_t l = strlen(buf);
        char num[16];
        int k = 0;
        unsigned v = err < 0 ? (unsigned)-err : (unsigned)err;
        do {
            num[k++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        if (err < 0)
            num[k++] = '-';
        while (k && l + 1 < n)
            buf[l++] = num[--k];
        if (l < n)
            buf[l] = 0;
        return EINVAL;
    }
    return strlcpy(buf, t, n) >= n ? ERANGE : 0;
}

char *strerror(int err)
{
    const char *t = error_text(err);
    if (t)
        return (char *)t;
    strerror_r(err, unknown_buf, sizeof unknown_buf);
    return unknown_buf;
}

char *strpbrk(const char *s, const char *accept)
{
    s += strcspn(s, accept);
    return *s ? (char *)s : NULL;
}

char *strtok_r(char *restrict s, const char *restrict sep, char **restrict save)
{
    if (!s)
        s = *save;
    if (!s)
        return NULL;
    s += strspn(s, sep);
    if (!*s) {
        *save = NULL;
        return NULL;
    }
    char *e = s + strcspn(s, sep);
    if (*e)
        *e++ = 0;
    else
        e = NULL;
    *save = e;
    return s;
}

char *strtok(char *restrict s, const char *restrict sep)
{
    static char *save;
    return strtok_r(s, sep, &save);
}

void *memrchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    while (n--)
        if (p[n] == (unsigned char)c)
            return (void *)(p + n);
    return NULL;
}

char *strcasestr(const char *h, const char *n)
{
    size_t l = strlen(n);
    for (; *h; h++)
        if (!strncasecmp(h, n, l))
            return (char *)h;
    return l ? NULL : (char *)h;
}

char *strsep(char **s, const char *sep)
{
    char *t = *s;
    if (!t)
        return NULL;
    char *e = t + strcspn(t, sep);
    if (*e)
        *e++ = 0;
    else
        e = NULL;
    *s = e;
    return t;
}

char *stpcpy(char *restrict dst, const char *restrict src)
{
    size_t l = strlen(src);
    memcpy(dst, src, l + 1);
    return dst + l;
}

/* The C locale: collation is byte order. */
int strcoll(const char *a, const char *b) { return strcmp(a, b); }

size_t strxfrm(char *restrict dst, const char *restrict src, size_t n)
{
    size_t l = strlen(src);
    if (n)
        strlcpy(dst, src, n);
    return l;
}
