/*
 * <anx/mem.h> on the host (host/host.mk): the heap is the host's malloc,
 * so AddressSanitizer sees every block module code allocates (an overflow
 * or a use after free is caught where it happens, which the image heap's
 * canaries see only at free), and a host tool gets libc's speed. Pages are
 * page-aligned blocks of the same heap. The figures of anx_mem_free_bytes
 * and anx_pmem_stats are the host's physical memory, which is what "bytes
 * free" in an out-of-memory message means on a host.
 *
 * This file replaces core/pmem.c and core/heap.c in a host program: it
 * defines every function of both, so the linker never takes them from
 * libanx.a (tests/unit links those instead, to test them).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/platform.h>

static struct anx_heap_stats stats;

static void *counted(void *p)
{
    if (!p) {
        stats.failures++;
        return NULL;
    }
    stats.allocs++;
    stats.in_use += malloc_usable_size(p);
    if (stats.in_use > stats.peak)
        stats.peak = stats.in_use;
    return p;
}

void anx_heap_init(void) {}

void *anx_malloc(size_t size)
{
    return counted(malloc(size ? size : 1));
}

void *anx_calloc(size_t count, size_t size)
{
    return counted(calloc(count ? count : 1, size ? size : 1));
}

void anx_free(void *p)
{
    if (!p)
        return;
    size_t n = malloc_usable_size(p);
    stats.frees++;
    /* host code may hand module code a block of its own malloc to free */
    stats.in_use = stats.in_use > n ? stats.in_use - n : 0;
    free(p);
}

void *anx_realloc(void *p, size_t size)
{
    if (!p)
        return anx_malloc(size);
    size_t before = malloc_usable_size(p);
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        stats.failures++;
        return NULL;
    }
    stats.in_use = (stats.in_use > before ? stats.in_use - before : 0) + malloc_usable_size(q);
    if (stats.in_use > stats.peak)
        stats.peak = stats.in_use;
    return q;
}

/* posix_memalign, not aligned_alloc: C11's wants size to be a multiple of
 * align, which <anx/mem.h> does not ask of callers. */
void *anx_aligned_alloc(size_t align, size_t size)
{
    void *p = NULL;
    if (align < sizeof(void *))
        align = sizeof(void *);
    if (posix_memalign(&p, align, size ? size : 1) != 0)
        p = NULL;
    return counted(p);
}

size_t anx_malloc_usable_size(void *p)
{
    return p ? malloc_usable_size(p) : 0;
}

/* in_use and peak count usable bytes (what malloc rounded each request
 * up to), a little above the bytes asked for; the image counts the latter. */
void anx_heap_stats(struct anx_heap_stats *st)
{
    *st = stats;
}

/* ---- pages -------------------------------------------------------------- */

/* Each run anx_page_alloc handed out, so that a part of a run can be given
 * back as the image allows; the block is freed when all its pages are. */
struct run {
    struct run *next;
    char *base;
    size_t npages, live;
};
static struct run *runs;

void anx_pmem_init(const struct plat_mem_region *regions, size_t count)
{
    (void)regions, (void)count;     /* the host's pages come from its heap */
}

void *anx_page_alloc(size_t npages)
{
    if (!npages)
        return NULL;
    struct run *r = malloc(sizeof *r);
    void *p = NULL;
    if (!r || posix_memalign(&p, ANX_PAGE_SIZE, npages * ANX_PAGE_SIZE) != 0) {
        free(r);
        return NULL;
    }
    *r = (struct run){runs, p, npages, npages};
    runs = r;
    return p;
}

void anx_page_free(void *addr, size_t npages)
{
    char *a = addr;
    for (struct run **pp = &runs; *pp; pp = &(*pp)->next) {
        struct run *r = *pp;
        if (a < r->base || a + npages * ANX_PAGE_SIZE > r->base + r->npages * ANX_PAGE_SIZE)
            continue;
        if (npages > r->live)
            anx_panic("anx_page_free(%p, %zu): more pages than the run has left", addr, npages);
        r->live -= npages;
        if (!r->live) {
            *pp = r->next;
            free(r->base);
            free(r);
        }
        return;
    }
    anx_panic("anx_page_free(%p, %zu): not pages from anx_page_alloc", addr, npages);
}

size_t anx_mem_free_bytes(size_t *largest)
{
    long pages = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    size_t n = pages > 0 && psize > 0 ? (size_t)pages * (size_t)psize : 0;
    if (largest)
        *largest = n;
    return n;
}

void anx_pmem_stats(struct anx_pmem_stats *st)
{
    long total = sysconf(_SC_PHYS_PAGES), avail = sysconf(_SC_AVPHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    size_t per = psize > 0 ? (size_t)psize / ANX_PAGE_SIZE : 1;
    st->regions = 1;
    st->total_pages = total > 0 ? (size_t)total * per : 0;
    st->free_pages = avail > 0 ? (size_t)avail * per : 0;
    st->largest_free = st->free_pages;
}
