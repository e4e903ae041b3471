/*
 * The heap. Small blocks (up to 2 KiB with overhead) come from per-class
 * free lists carved out of whole pages; larger ones are page runs from
 * pmem. Every block starts with a 16-byte header (magic, class, size) and
 * ends with an 8-byte canary right after the bytes asked for; free and
 * realloc check both and panic on a double free, a foreign pointer or an
 * overflow. Freed small blocks are filled with 0xdf.
 */
#define LOG_TAG "heap"
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/smp.h>
#include <anx/panic.h>
#include <anx/printf.h>
#include <anx/time.h>

#define MAGIC_USED 0xa110c8edu
#define MAGIC_FREE 0xf4eeb10cu
#define MAGIC_ALIGNED 0xa119ed00u
#define CLS_LARGE 0xffffffffu
#define CANARY 0x5ac3c3a55ac3c3a5ull
#define OVERHEAD (sizeof(struct hdr) + sizeof(uint64_t))

struct hdr {
    uint32_t magic;
    uint32_t cls;       /* class index, CLS_LARGE, or (aligned) offset */
    uint64_t size;      /* bytes asked for */
};

struct free_block {
    struct hdr h;
    struct free_block *next;
};

static const uint32_t class_size[] = {
    32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
};
#define NCLASSES (sizeof class_size / sizeof class_size[0])

static struct free_block *free_list[NCLASSES];

/* The pages of a large block of size bytes (with its header and canary). */
static size_t large_pages(uint64_t size)
{
    return (size_t)((size + OVERHEAD + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE);
}

static struct anx_heap_stats stats;

void anx_heap_init(void)
{
    memset(free_list, 0, sizeof free_list);
    memset(&stats, 0, sizeof stats);
}

static void put_canary(struct hdr *h, void *user)
{
    uint64_t c = CANARY;
    (void)h;
    memcpy((char *)user + h->size, &c, sizeof c);
}

static void check_canary(struct hdr *h, void *user)
{
    uint64_t c;
    memcpy(&c, (char *)user + h->size, sizeof c);
    if (c != CANARY)
        anx_panic("heap: overflow past the end of block %p (%llu bytes)", user,
                  (unsigned long long)h->size);
}

/* An allocation failed: count it and say how much was wanted and what is
 * left, so a module's "out of memory" can be traced to a size. At most one
 * line a second (a module retrying in a loop must not flood the log). */
static void *out_of_memory(size_t size)
{
    static uint64_t last_ns;
    static size_t quiet;
    stats.failures++;
    uint64_t now = anx_time_ns();
    if (last_ns && now - last_ns < ANX_NS_PER_S) {
        quiet++;
        return NULL;
    }
    size_t largest, free_bytes = anx_mem_free_bytes(&largest);
    char more[64] = "";
    if (quiet)
        snprintf(more, sizeof more, " (and %zu more since the last such line)", quiet);
    log_warn("out of memory: %zu bytes wanted, %zu bytes free, largest free run %zu bytes%s", size,
             free_bytes, largest, more);
    last_ns = now ? now : 1;
    quiet = 0;
    return NULL;
}

static void account_alloc(size_t size)
{
    stats.allocs++;
    stats.in_use += size;
    if (stats.in_use > stats.peak)
        stats.peak = stats.in_use;
}

static bool refill(size_t c)
{
    char *page = anx_page_alloc(1);
    if (!page)
        return false;
    stats.small_pages++;
    size_t bs = class_size[c];
    for (size_t off = 0; off + bs <= ANX_PAGE_SIZE; off += bs) {
        struct free_block *b = (struct free_block *)(page + off);
        b->h.magic = MAGIC_FREE;
        b->h.cls = (uint32_t)c;
        b->h.size = 0;
        b->next = free_list[c];
        free_list[c] = b;
    }
    return true;
}

void *anx_malloc(size_t size)
{
    struct hdr *h;
    ANX_KERNEL_CPU_ONLY("allocating");

    if (size > ((size_t)1 << 40))
        return out_of_memory(size);
    size_t need = size + OVERHEAD;
    if (need <= class_size[NCLASSES - 1]) {
        size_t c = 0;
        while (class_size[c] < need)
            c++;
        if (!free_list[c] && !refill(c))
            return out_of_memory(size);
        struct free_block *b = free_list[c];
        if (b->h.magic != MAGIC_FREE || b->h.cls != c)
            anx_panic("heap: free list of class %u corrupted at %p (use after free?)",
                      class_size[c], (void *)b);
        free_list[c] = b->next;
        h = &b->h;
        h->cls = (uint32_t)c;
    } else {
        size_t pages = large_pages(size);
        h = anx_page_alloc(pages);
        if (!h)
            return out_of_memory(size);
        stats.large_pages += pages;
        h->cls = CLS_LARGE;
    }
    h->magic = MAGIC_USED;
    h->size = size;
    put_canary(h, h + 1);
    account_alloc(size);
    return h + 1;
}

/* Header of a live block, checked. */
static struct hdr *block_of(void *p, const char *what)
{
    struct hdr *h = (struct hdr *)p - 1;
    if ((uintptr_t)p & 15)
        anx_panic("heap: %s of misaligned pointer %p", what, p);
    if (h->magic == MAGIC_FREE)
        anx_panic("heap: double %s of %p", what, p);
    if (h->magic != MAGIC_USED && h->magic != MAGIC_ALIGNED)
        anx_panic("heap: %s of %p, not a heap block (or its header was overwritten)", what, p);
    if (h->magic == MAGIC_USED && h->cls != CLS_LARGE && h->cls >= NCLASSES)
        anx_panic("heap: %s of %p: corrupted header", what, p);
    check_canary(h, p);
    return h;
}

static size_t usable(struct hdr *h)
{
    if (h->magic == MAGIC_ALIGNED)
        return h->size;
    if (h->cls == CLS_LARGE)
        return ANX_ALIGN_UP(h->size + OVERHEAD, (uint64_t)ANX_PAGE_SIZE) - OVERHEAD;
    return class_size[h->cls] - OVERHEAD;
}

void anx_free(void *p)
{
    if (!p)
        return;
    ANX_KERNEL_CPU_ONLY("freeing");
    struct hdr *h = block_of(p, "free");
    if (h->magic == MAGIC_ALIGNED) {
        void *raw = (char *)p - h->cls;
        h->magic = MAGIC_FREE;       /* a second free of p is caught */
        stats.in_use += ((struct hdr *)raw - 1)->size;   /* only count once */
        stats.in_use -= h->size;
        anx_free(raw);
        return;
    }
    stats.frees++;
    stats.in_use -= h->size;
    if (h->cls == CLS_LARGE) {
        size_t pages = large_pages(h->size);
        h->magic = MAGIC_FREE;
        stats.large_pages -= pages;
        anx_page_free(h, pages);
        return;
    }
    struct free_block *b = (struct free_block *)h;
    size_t c = h->cls;
    memset(p, 0xdf, class_size[c] - sizeof(struct hdr));
    b->h.magic = MAGIC_FREE;
    b->h.size = 0;
    b->next = free_list[c];
    free_list[c] = b;
}

void *anx_calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        return out_of_memory((size_t)-1);
    void *p = anx_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *anx_realloc(void *p, size_t size)
{
    if (!p)
        return anx_malloc(size);
    if (size == 0) {
        anx_free(p);
        return NULL;
    }
    struct hdr *h = block_of(p, "realloc");
    /* In place when it fits; a large block only while it keeps its page
     * count, since free works the pages out from the size it holds. */
    if (h->magic == MAGIC_USED && size <= usable(h) &&
        (h->cls != CLS_LARGE || large_pages(size) == large_pages(h->size))) {
        stats.in_use = stats.in_use - h->size + size;
        if (stats.in_use > stats.peak)
            stats.peak = stats.in_use;
        h->size = size;
        put_canary(h, p);
        return p;
    }
    void *n = anx_malloc(size);
    if (!n)
        return NULL;
    memcpy(n, p, ANX_MIN((size_t)h->size, size));
    anx_free(p);
    return n;
}

void *anx_aligned_alloc(size_t align, size_t size)
{
    ANX_KERNEL_CPU_ONLY("allocating");
    if (align == 0 || (align & (align - 1))) {
        stats.failures++;
        return NULL;
    }
    if (align <= 16)
        return anx_malloc(size);
    if (align > ((size_t)1 << 30) || size > ((size_t)1 << 40)) {
        stats.failures++;
        return NULL;
    }
    char *raw = anx_malloc(size + align + sizeof(uint64_t));
    if (!raw)
        return NULL;
    uintptr_t p = ANX_ALIGN_UP((uintptr_t)raw + sizeof(struct hdr), (uintptr_t)align);
    struct hdr *h = (struct hdr *)p - 1;
    h->magic = MAGIC_ALIGNED;
    h->cls = (uint32_t)(p - (uintptr_t)raw);
    h->size = size;
    put_canary(h, (void *)p);
    /* count the caller's size, not the padded one */
    stats.in_use -= size + align + sizeof(uint64_t);
    stats.in_use += size;
    return (void *)p;
}

size_t anx_malloc_usable_size(void *p)
{
    return p ? usable(block_of(p, "usable_size")) : 0;
}

void anx_heap_stats(struct anx_heap_stats *st)
{
    *st = stats;
}
