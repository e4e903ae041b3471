/*
 * Small helpers every other file uses: tracked allocation, string lists,
 * growable buffers, whole-file I/O, paths and a clock.
 */
#define _GNU_SOURCE
#include "anx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Each block carries a header linking it into one list; xfree_all walks it.
 * The header keeps max_align_t alignment for the user part. */
struct ahdr {
    struct ahdr *prev, *next;
    max_align_t align[];
};
static struct ahdr *blocks;
static size_t nblocks, nbytes;

size_t xalloc_blocks(void)
{
    return nblocks;
}

size_t xalloc_bytes(void)
{
    return nbytes;
}

static void *link_block(struct ahdr *h)
{
    if (!h) {
        fputs("anx: out of memory\n", stderr);
        abort();
    }
    nblocks++;
    h->prev = NULL;
    h->next = blocks;
    if (blocks)
        blocks->prev = h;
    blocks = h;
    return h + 1;
}

void *xmalloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(struct ahdr) - 1)
        return link_block(NULL);
    nbytes += n;
    return link_block(malloc(sizeof(struct ahdr) + (n ? n : 1)));
}

void *xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return link_block(NULL);
    void *p = xmalloc(n * size);
    memset(p, 0, n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    if (!p)
        return xmalloc(n);
    struct ahdr *h = (struct ahdr *)p - 1;
    struct ahdr *prev = h->prev, *next = h->next;
    nbytes += n;
    struct ahdr *nh = realloc(h, sizeof(struct ahdr) + (n ? n : 1));
    if (!nh)
        return link_block(NULL);
    /* Relink: neighbours still point at the old address. */
    if (prev)
        prev->next = nh;
    else
        blocks = nh;
    if (next)
        next->prev = nh;
    return nh + 1;
}

void xfree_all(void)
{
    while (blocks) {
        struct ahdr *n = blocks->next;
        free(blocks);
        blocks = n;
    }
    nblocks = nbytes = 0;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void strlist_push(struct strlist *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = xrealloc(l->v, l->cap * sizeof(char *));
    }
    l->v[l->n++] = xstrdup(s);
}

bool strlist_has(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return true;
    return false;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort(struct strlist *l)
{
    if (l->n)
        qsort(l->v, l->n, sizeof(char *), cmpstr);
}

void buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
    b->p[b->n] = 0;
}

void buf_puts(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *tmp = malloc((size_t)n + 1);
    if (!tmp)
        abort();
    va_start(ap, fmt);
    vsnprintf(tmp, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_add(b, tmp, (size_t)n);
    free(tmp);
}

const char *buf_cstr(struct buf *b)
{
    if (!b->p)
        buf_add(b, "", 0);
    return b->p;
}

int read_file(const char *path, char **data, size_t *len, size_t max)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        close(fd);
        return e;
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return -EFBIG;
    }
    size_t n = (size_t)st.st_size, got = 0;
    char *p = xmalloc(n + 1);
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    p[got] = 0;
    *data = p;
    *len = got;
    return 0;
}

int write_file(const char *path, const void *data, size_t len)
{
    char *old;
    size_t oldlen;
    if (read_file(path, &old, &oldlen, len + 1) == 0 && oldlen == len && !memcmp(old, data, len))
        return 0;
    char *tmp = xasprintf("%s.tmp%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = -errno;
            close(fd);
            unlink(tmp);
            return e;
        }
        done += (size_t)w;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = -errno;
        unlink(tmp);
        return e;
    }
    return 0;
}

int copy_file(const char *from, const char *to)
{
    char *data;
    size_t len;
    int e = read_file(from, &data, &len, (size_t)1 << 34);
    if (e)
        return e;
    return write_file(to, data, len);
}

int mkdir_p(const char *path)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0755) < 0 && errno != EEXIST)
                return -errno;
            *s = '/';
        }
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                    continue;
                rm_rf(path_join(path, e->d_name));
            }
            closedir(d);
        }
        return rmdir(path) < 0 ? -errno : 0;
    }
    return unlink(path) < 0 ? -errno : 0;
}

bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *path_join(const char *a, const char *b)
{
    if (b[0] == '/' || !a[0])
        return xstrdup(b);
    size_t la = strlen(a);
    return xasprintf("%s%s%s", a, a[la - 1] == '/' ? "" : "/", b);
}

char *path_dirname(const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s)
        return xstrdup(".");
    if (s == p)
        return xstrdup("/");
    return xstrndup(p, (size_t)(s - p));
}

/* Makes p absolute against the current directory and folds "." and ".."
 * lexically, so displayed paths stay the ones the user typed. */
char *path_abs(const char *p)
{
    char cwd[4096];
    const char *base = "";
    if (p[0] != '/') {
        if (!getcwd(cwd, sizeof cwd))
            strcpy(cwd, "/");
        base = cwd;
    }
    char *full = xasprintf("%s/%s", base, p);
    size_t n = strlen(full);
    char *out = xmalloc(n + 2);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && full[i] == '/')
            i++;
        size_t j = i;
        while (j < n && full[j] != '/')
            j++;
        size_t len = j - i;
        if (len == 0 || (len == 1 && full[i] == '.')) {
            /* skip */
        } else if (len == 2 && full[i] == '.' && full[i + 1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, full + i, len);
            o += len;
        }
        i = j;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = 0;
    return out;
}

const char *path_rel(const char *root, const char *p)
{
    char *a = path_abs(p);
    size_t n = strlen(root);
    if (!strncmp(a, root, n) && a[n] == '/')
        return a + n + 1;
    if (!strcmp(a, root))
        return ".";
    return a;
}

/* Relative to the current directory, climbing with ".." up to three
 * levels (tests/gen/bad -> ../tree/modules/...); absolute beyond that. */
const char *path_display(const char *p)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return p;
    char *a = path_abs(p);
    char *base = xstrdup(cwd);
    struct buf up = {0};
    for (int level = 0; level <= 3; level++) {
        size_t n = strlen(base);
        if (!strcmp(base, "/"))
            break;
        if (!strncmp(a, base, n) && a[n] == '/')
            return xasprintf("%s%s", buf_cstr(&up), a + n + 1);
        if (!strcmp(a, base))
            return level ? xstrndup(up.p, up.n - 1) : ".";
        char *slash = strrchr(base, '/');
        if (!slash || slash == base)
            break;
        *slash = 0;
        buf_puts(&up, "../");
    }
    return a;
}

double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void list_subdirs_with(const char *dir, const char *file, struct strlist *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *sub = path_join(dir, e->d_name);
        if (file_exists(path_join(sub, file)))
            strlist_push(out, e->d_name);
    }
    closedir(d);
    strlist_sort(out);
}
