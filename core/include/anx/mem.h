/*
 * Memory: the physical page allocator (core/pmem.c) and the heap
 * (core/heap.c).
 *
 * RAM is used at virtual == physical addresses: the platform maps every
 * region plat_mem_regions() returns that way (see platform.h).
 *
 * The heap serves small blocks from per-size-class free lists carved out
 * of pages, and large blocks as runs of pages. Each block carries a header
 * magic and a tail canary: a double free, a free of a foreign pointer, or a
 * write past the end of a block detected at free/realloc time panics with a
 * message. The heap is for threads; interrupt handlers must not allocate.
 * An allocation that fails logs a warning with the bytes wanted and free
 * ("heap: warning: out of memory: 8388632 bytes wanted, 1572864 bytes free,
 * largest free run 1048576 bytes"), at most one line a second.
 */
#ifndef ANX_MEM_H
#define ANX_MEM_H

#include <stddef.h>
#include <stdint.h>

#define ANX_PAGE_SIZE 4096u

struct plat_mem_region;

/* ---- physical pages ----------------------------------------------------- */

/* Core only: take the usable regions (kmain passes plat_mem_regions()). */
void anx_pmem_init(const struct plat_mem_region *regions, size_t count);

/* npages contiguous pages, page aligned, not zeroed; NULL when none. */
void *anx_page_alloc(size_t npages);
/* Give back a run (must match an earlier allocation or part of one). */
void anx_page_free(void *addr, size_t npages);

struct anx_pmem_stats {
    size_t regions;
    size_t total_pages;    /* managed by the allocator */
    size_t free_pages;
    size_t largest_free;   /* pages in the longest free run */
};
void anx_pmem_stats(struct anx_pmem_stats *st);

/* Free bytes of the page allocator, and (when largest is not NULL) the
 * longest free run in bytes, the most one large allocation can get: for
 * out-of-memory messages ("N bytes wanted, M bytes free"). */
size_t anx_mem_free_bytes(size_t *largest);

/* ---- heap --------------------------------------------------------------- */

/* Core only: start with an empty heap (kmain, after anx_pmem_init). */
void anx_heap_init(void);

void *anx_malloc(size_t size);
void *anx_calloc(size_t count, size_t size);
void *anx_realloc(void *p, size_t size);
void anx_free(void *p);
/* align: a power of two; the result is freed with anx_free. */
void *anx_aligned_alloc(size_t align, size_t size);
/* Usable bytes of a block (>= the size asked for). */
size_t anx_malloc_usable_size(void *p);

struct anx_heap_stats {
    size_t in_use;         /* bytes the callers asked for, live */
    size_t peak;           /* highest in_use */
    size_t allocs, frees;  /* calls that succeeded */
    size_t small_pages;    /* pages holding small blocks */
    size_t large_pages;    /* pages of live large blocks */
    size_t failures;       /* allocations that returned NULL */
};
void anx_heap_stats(struct anx_heap_stats *st);

/* The C names (core/lib/malloc.c) for ported code. */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
void *aligned_alloc(size_t align, size_t size);

#endif
