/*
 * stat, fstat and folder listing over the image's files archive. The
 * archive is a sorted list of full paths ("/fonts/a.ttf", "/www/x/y"), so
 * a folder is a prefix ending in '/': the files under it are adjacent,
 * and so are those of each sub-folder. readdir walks them from the first
 * and gives each next path component once (a sub-folder as DT_DIR), in
 * the archive's byte order.
 */
#include <anx/files.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stdio_impl.h"

struct libc_dir {
    size_t first, next;                /* archive indexes */
    size_t plen;
    int fd;                            /* dirfd's descriptor, or -1 before it is asked */
    char prefix[PATH_MAX];             /* "/www/" */
    struct dirent ent;
};

/* "/www", "/www/" -> "/www/"; "/", "" -> "/". 0, or -1 (ENAMETOOLONG). */
static int folder_prefix(const char *path, char *out, size_t *len)
{
    size_t l = strlen(path);
    while (l > 0 && path[l - 1] == '/')
        l--;
    if (l + 2 > PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(out, path, l);
    out[l++] = '/';
    out[l] = 0;
    *len = l;
    return 0;
}

/* Compare an archive path with a prefix: <0, 0 (path starts with it), >0. */
static int cmp_prefix(const struct anx_file *f, const char *p, size_t plen)
{
    size_t n = f->path_len < plen ? f->path_len : plen;
    int c = memcmp(f->path, p, n);
    if (c)
        return c;
    return f->path_len < plen ? -1 : 0;
}

/* The index of the first file under prefix, or the count when none. */
static size_t lower_bound(const char *p, size_t plen)
{
    size_t lo = 0, hi = libc_file_count();
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct anx_file f;
        libc_file_at(mid, &f);
        if (cmp_prefix(&f, p, plen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int has_prefix_at(size_t i, const char *p, size_t plen)
{
    struct anx_file f;
    return libc_file_at(i, &f) == 0 && cmp_prefix(&f, p, plen) == 0;
}

int libc_path_is_dir(const char *path)
{
    char p[PATH_MAX];
    size_t plen;
    if (path[0] != '/')
        return 0;                      /* "" and relative paths: no current folder */
    if (folder_prefix(path, p, &plen))
        return 0;
    if (plen == 1)
        return 1;                      /* "/" always is */
    return has_prefix_at(lower_bound(p, plen), p, plen);
}

static void fill(struct stat *st, mode_t mode, size_t size, size_t ino)
{
    memset(st, 0, sizeof *st);
    st->st_mode = mode;
    st->st_size = (off_t)size;
    st->st_nlink = 1;
    st->st_ino = ino;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)((size + 511) / 512);
}

int stat(const char *restrict path, struct stat *restrict st)
{
    struct anx_file f;
    if (libc_file_lookup(path, &f) == 0) {
        fill(st, S_IFREG | 0444, f.size, 1);
        return 0;
    }
    if (libc_path_is_dir(path)) {
        fill(st, S_IFDIR | 0555, 0, 2);
        return 0;
    }
    errno = ENOENT;
    return -1;
}

int fstat(int fd, struct stat *st)
{
    FILE *f = libc_fd_file(fd);
    if (!f) {
        errno = EBADF;
        return -1;
    }
    if (f->kind == LIBC_FILE_DIR)
        fill(st, S_IFDIR | 0555, 0, 2);
    else if (f->kind == LIBC_FILE_ARCHIVE || f->kind == LIBC_FILE_MEM)
        fill(st, S_IFREG | (f->writable ? 0644 : 0444), f->end, (size_t)fd + 3);
    else
        fill(st, 0020000 | 0666, 0, (size_t)fd + 3);      /* S_IFCHR: the console */
    return 0;
}

/* path relative to the folder dirfd names (absolute paths and AT_FDCWD
 * as they are), in buf. NULL with errno set on failure. */
const char *libc_at_path(int dirfd, const char *path, char *buf, size_t n)
{
    if (path[0] == '/' || dirfd == AT_FDCWD)
        return path;
    FILE *d = libc_fd_file(dirfd);
    if (!d || d->kind != LIBC_FILE_DIR) {
        errno = d ? ENOTDIR : EBADF;
        return NULL;
    }
    size_t dl = strlen(d->own), pl = strlen(path);
    if (dl + pl + 1 > n) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    memcpy(buf, d->own, dl);          /* the folder's path ends in '/' */
    memcpy(buf + dl, path, pl + 1);
    return buf;
}

/* stat of path relative to the folder dirfd (<fcntl.h>'s AT_FDCWD: as
 * stat); AT_EMPTY_PATH with "" is fstat(dirfd). AT_SYMLINK_NOFOLLOW
 * changes nothing: the archive has no links. */
int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flags)
{
    char buf[PATH_MAX];
    if (!path[0] && (flags & 0x1000))
        return fstat(dirfd, st);
    const char *p = libc_at_path(dirfd, path, buf, sizeof buf);
    return p ? stat(p, st) : -1;
}

int mkdir(const char *path, mode_t mode)
{
    (void)mode;
    struct stat st;
    errno = stat(path, &st) == 0 ? EEXIST : EROFS;
    return -1;
}

DIR *opendir(const char *path)
{
    struct anx_file f;
    if (libc_file_lookup(path, &f) == 0) {
        errno = ENOTDIR;
        return NULL;
    }
    if (!libc_path_is_dir(path)) {
        errno = ENOENT;
        return NULL;
    }
    DIR *d = calloc(1, sizeof *d);
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    folder_prefix(path, d->prefix, &d->plen);
    d->fd = -1;
    d->first = d->next = lower_bound(d->prefix, d->plen);
    return d;
}

struct dirent *readdir(DIR *d)
{
    struct anx_file f;
    while (libc_file_at(d->next, &f) == 0 && cmp_prefix(&f, d->prefix, d->plen) == 0) {
        const char *rest = f.path + d->plen;
        size_t rlen = f.path_len - d->plen;
        const char *slash = memchr(rest, '/', rlen);
        size_t nlen = slash ? (size_t)(slash - rest) : rlen;
        d->next++;
        if (!nlen || nlen >= sizeof d->ent.d_name)
            continue;                  /* "//" or a name too long for d_name */
        int dir = slash != NULL;
        /* the files of a sub-folder follow each other: give it once */
        if (dir && d->ent.d_type == DT_DIR && !strncmp(d->ent.d_name, rest, nlen) &&
            d->ent.d_name[nlen] == 0)
            continue;
        memcpy(d->ent.d_name, rest, nlen);
        d->ent.d_name[nlen] = 0;
        d->ent.d_type = dir ? DT_DIR : DT_REG;
        d->ent.d_ino = d->next;
        return &d->ent;
    }
    return NULL;
}

void rewinddir(DIR *d)
{
    d->next = d->first;
    d->ent.d_type = DT_UNKNOWN;
    d->ent.d_name[0] = 0;
}

/* A descriptor of the folder (for fstatat, openat ...), opened on first
 * use and closed by closedir. */
int dirfd(DIR *d)
{
    if (d->fd < 0)
        d->fd = libc_fd_open_dir(d->prefix);
    return d->fd;
}

int closedir(DIR *d)
{
    if (d->fd >= 0)
        libc_fd_close(d->fd);
    free(d);
    return 0;
}
