/*
 * mmap/munmap (<sys/mman.h>) as page-aligned heap copies, each recorded
 * in a list so that munmap can check the address and free it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "stdio_impl.h"

#define PAGE 4096

struct mapping {
    void *addr;
    size_t len;
    struct mapping *next;
};
static struct mapping *mappings;

/* Check the request; the errno to fail with, or 0. */
static int check(size_t len, int prot, int flags, int fd, off_t off, FILE **file)
{
    int share = flags & (MAP_PRIVATE | MAP_SHARED);
    if ((prot & PROT_EXEC) || (flags & MAP_FIXED))
        return ENOTSUP;
    if (!len || !share || share == (MAP_PRIVATE | MAP_SHARED) || off < 0 || off % PAGE)
        return EINVAL;
    if (flags & MAP_ANONYMOUS)
        return 0;
    *file = libc_fd_file(fd);
    if (!*file)
        return EBADF;
    if ((*file)->kind != LIBC_FILE_ARCHIVE)
        return ENODEV;
    if ((prot & PROT_WRITE) && share == MAP_SHARED)
        return EACCES;                 /* the descriptor is read-only */
    return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    (void)addr;                        /* a hint only: the heap decides */
    FILE *f = NULL;
    int err = check(len, prot, flags, fd, off, &f);
    if (err) {
        errno = err;
        return MAP_FAILED;
    }
    size_t size = (len + PAGE - 1) / PAGE * PAGE;
    struct mapping *m = malloc(sizeof *m);
    void *p = size >= len ? aligned_alloc(PAGE, size) : NULL;
    if (!m || !p) {
        free(m);
        free(p);
        errno = ENOMEM;
        return MAP_FAILED;
    }
    memset(p, 0, size);
    if (f && (size_t)off < f->end) {
        size_t avail = f->end - (size_t)off;
        memcpy(p, f->data + off, len < avail ? len : avail);
    }
    *m = (struct mapping){p, len, mappings};
    mappings = m;
    return p;
}

int munmap(void *addr, size_t len)
{
    for (struct mapping **pm = &mappings; *pm; pm = &(*pm)->next) {
        struct mapping *m = *pm;
        if (m->addr != addr)
            continue;
        if (len == 0 || (len + PAGE - 1) / PAGE != (m->len + PAGE - 1) / PAGE)
            break;                     /* part of a mapping: not supported */
        *pm = m->next;
        free(m->addr);
        free(m);
        return 0;
    }
    errno = EINVAL;
    return -1;
}
