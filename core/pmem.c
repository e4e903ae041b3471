/*
 * Physical memory: a page allocator over the platform's RAM regions.
 * Each region keeps a bitmap (1 = page in use) in its own first pages;
 * allocation is next-fit over contiguous runs.
 */
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/panic.h>
#include <anx/platform.h>

#define MAX_REGIONS 16

struct region {
    uintptr_t base;     /* first managed page */
    size_t pages;
    size_t free;
    size_t hint;        /* where the next search starts */
    uint8_t *bitmap;
};

static struct region regions[MAX_REGIONS];
static size_t nregions;

static bool test_bit(const struct region *r, size_t i)
{
    return r->bitmap[i / 8] & (1u << (i % 8));
}

static void set_bits(struct region *r, size_t i, size_t n, bool used)
{
    for (; n; n--, i++) {
        if (used)
            r->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
        else
            r->bitmap[i / 8] &= (uint8_t)~(1u << (i % 8));
    }
}

void anx_pmem_init(const struct plat_mem_region *in, size_t count)
{
    nregions = 0;
    for (size_t k = 0; k < count && nregions < MAX_REGIONS; k++) {
        uint64_t base = ANX_ALIGN_UP(in[k].base, (uint64_t)ANX_PAGE_SIZE);
        uint64_t end = ANX_ALIGN_DOWN(in[k].base + in[k].size, (uint64_t)ANX_PAGE_SIZE);
        if (in[k].base + in[k].size < in[k].base)      /* wraps */
            end = ANX_ALIGN_DOWN(~(uint64_t)0, (uint64_t)ANX_PAGE_SIZE);
        if (base < ANX_PAGE_SIZE)                       /* never hand out NULL */
            base = ANX_PAGE_SIZE;
        if (end > (uint64_t)UINTPTR_MAX)
            end = ANX_ALIGN_DOWN((uint64_t)UINTPTR_MAX, (uint64_t)ANX_PAGE_SIZE);
        if (end <= base)
            continue;
        size_t pages = (size_t)((end - base) / ANX_PAGE_SIZE);
        size_t map_bytes = (pages + 7) / 8;
        size_t map_pages = (map_bytes + ANX_PAGE_SIZE - 1) / ANX_PAGE_SIZE;
        if (pages <= map_pages)
            continue;
        struct region *r = &regions[nregions++];
        r->bitmap = (uint8_t *)(uintptr_t)base;
        r->base = (uintptr_t)base + map_pages * ANX_PAGE_SIZE;
        r->pages = pages - map_pages;
        r->free = r->pages;
        r->hint = 0;
        memset(r->bitmap, 0, (r->pages + 7) / 8);
    }
}

/* First free run of n pages in r starting the search at `from`. */
static bool find_run(const struct region *r, size_t from, size_t n, size_t *out)
{
    size_t run = 0;
    for (size_t i = from; i < r->pages; i++) {
        if ((i % 8) == 0 && r->bitmap[i / 8] == 0xff && i + 8 <= r->pages) {
            run = 0;
            i += 7;
            continue;
        }
        if (test_bit(r, i)) {
            run = 0;
            continue;
        }
        if (++run == n) {
            *out = i + 1 - n;
            return true;
        }
    }
    return false;
}

void *anx_page_alloc(size_t npages)
{
    if (npages == 0)
        return NULL;
    unsigned long f = plat_irq_save();
    for (size_t k = 0; k < nregions; k++) {
        struct region *r = &regions[k];
        size_t at;
        if (r->free < npages)
            continue;
        if (find_run(r, r->hint, npages, &at) || (r->hint && find_run(r, 0, npages, &at))) {
            set_bits(r, at, npages, true);
            r->free -= npages;
            r->hint = at + npages < r->pages ? at + npages : 0;
            plat_irq_restore(f);
            return (void *)(r->base + at * ANX_PAGE_SIZE);
        }
    }
    plat_irq_restore(f);
    return NULL;
}

void anx_page_free(void *addr, size_t npages)
{
    uintptr_t a = (uintptr_t)addr;
    if (!addr || npages == 0)
        return;
    if (a & (ANX_PAGE_SIZE - 1))
        anx_panic("pmem: free of unaligned address %p", addr);
    unsigned long f = plat_irq_save();
    for (size_t k = 0; k < nregions; k++) {
        struct region *r = &regions[k];
        if (a < r->base || a >= r->base + r->pages * ANX_PAGE_SIZE)
            continue;
        size_t i = (a - r->base) / ANX_PAGE_SIZE;
        if (npages > r->pages - i)
            anx_panic("pmem: free of %zu pages at %p runs past its region", npages, addr);
        for (size_t j = 0; j < npages; j++)
            if (!test_bit(r, i + j))
                anx_panic("pmem: double free of page %p", (void *)(a + j * ANX_PAGE_SIZE));
        set_bits(r, i, npages, false);
        r->free += npages;
        plat_irq_restore(f);
        return;
    }
    anx_panic("pmem: free of %p, not managed memory", addr);
}

size_t anx_mem_free_bytes(size_t *largest)
{
    struct anx_pmem_stats st;
    anx_pmem_stats(&st);
    if (largest)
        *largest = st.largest_free * ANX_PAGE_SIZE;
    return st.free_pages * ANX_PAGE_SIZE;
}

void anx_pmem_stats(struct anx_pmem_stats *st)
{
    memset(st, 0, sizeof *st);
    unsigned long f = plat_irq_save();
    st->regions = nregions;
    for (size_t k = 0; k < nregions; k++) {
        const struct region *r = &regions[k];
        size_t run = 0;
        st->total_pages += r->pages;
        st->free_pages += r->free;
        for (size_t i = 0; i < r->pages; i++) {
            run = test_bit(r, i) ? 0 : run + 1;
            if (run > st->largest_free)
                st->largest_free = run;
        }
    }
    plat_irq_restore(f);
}
