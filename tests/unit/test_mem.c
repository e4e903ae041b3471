/* core/pmem.c and core/heap.c on a host-allocated arena. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "mem"
#include "unit.h"
#include <anx/mem.h>
#include <anx/platform.h>

#define ARENA (4u << 20)
static void *arena;

static void fresh(size_t bytes)
{
    /* pmem keeps its state in statics; re-init over a new arena */
    if (!arena)
        arena = aligned_alloc_host(4096, ARENA);
    struct plat_mem_region r = { (uintptr_t)arena, bytes };
    anx_pmem_init(&r, 1);
    anx_heap_init();
}

TEST(pmem_runs)
{
    fresh(ARENA);
    struct anx_pmem_stats st;
    anx_pmem_stats(&st);
    CHECK_EQ(st.regions, 1);
    CHECK(st.total_pages >= 1020 && st.total_pages < 1024);   /* minus the bitmap */
    CHECK_EQ(st.free_pages, st.total_pages);
    size_t total = st.total_pages;

    char *a = anx_page_alloc(1), *b = anx_page_alloc(10), *c = anx_page_alloc(3);
    CHECK(a && b && c);
    CHECK(((uintptr_t)a & 4095) == 0 && ((uintptr_t)b & 4095) == 0);
    CHECK(b >= a + 4096 || b + 10 * 4096 <= a);
    memset(b, 1, 10 * 4096);                    /* ASan: inside the arena */
    anx_pmem_stats(&st);
    CHECK_EQ(st.free_pages, total - 14);
    anx_page_free(b, 10);
    anx_pmem_stats(&st);
    CHECK_EQ(st.free_pages, total - 4);
    CHECK(anx_page_alloc(0) == NULL);
    CHECK(anx_page_alloc(total) == NULL);       /* fragmented by a and c */
    anx_page_free(a, 1);
    anx_page_free(c, 3);
    char *all = anx_page_alloc(total);
    CHECK(all != NULL);
    CHECK(anx_page_alloc(1) == NULL);
    anx_page_free(all, total);
    anx_pmem_stats(&st);
    CHECK_EQ(st.largest_free, total);
}

TEST(pmem_misuse_panics)
{
    fresh(ARENA);
    char *a = anx_page_alloc(2);
    anx_page_free(a, 2);
    CHECK(EXPECT_PANIC(anx_page_free(a, 2)));
    CHECK(strstr(unit_panic_msg, "double free") != NULL);
    CHECK(EXPECT_PANIC(anx_page_free(a + 1, 1)));
    CHECK(EXPECT_PANIC(anx_page_free((char *)arena + ARENA + 4096 * 10, 1)));
}

TEST(pmem_odd_regions)
{
    struct plat_mem_region r[4] = {
        { 0, 0 },                                         /* empty */
        { (uintptr_t)arena + 100, 4096 },                 /* too small once aligned */
        { (uintptr_t)arena + 4096, 8192 },                /* bitmap eats 1 of 2 pages */
        { (uintptr_t)arena + 65536, 65536 },
    };
    anx_pmem_init(r, 4);
    struct anx_pmem_stats st;
    anx_pmem_stats(&st);
    CHECK_EQ(st.regions, 2);
    CHECK_EQ(st.total_pages, 1 + 15);
}

TEST(heap_basics)
{
    fresh(ARENA);
    struct anx_heap_stats hs;
    char *p = anx_malloc(10);
    CHECK(p && ((uintptr_t)p & 15) == 0);
    memset(p, 'x', 10);
    CHECK(anx_malloc_usable_size(p) >= 10);
    char *q = anx_calloc(100, 3);
    for (int i = 0; i < 300; i++)
        if (q[i]) { CHECK(!"calloc not zeroed"); break; }
    char *big = anx_malloc(100000);
    CHECK(big != NULL);
    memset(big, 1, 100000);
    anx_heap_stats(&hs);
    CHECK_EQ(hs.in_use, 10 + 300 + 100000);
    CHECK(hs.large_pages >= 25);
    p = anx_realloc(p, 5000);                   /* small -> large keeps data */
    CHECK(p && p[0] == 'x' && p[9] == 'x');
    p = anx_realloc(p, 20);                     /* shrink in place */
    CHECK(p && p[9] == 'x');
    anx_free(p);
    anx_free(q);
    anx_free(big);
    anx_free(NULL);
    anx_heap_stats(&hs);
    CHECK_EQ(hs.in_use, 0);
    CHECK_EQ(hs.allocs - hs.frees, 0);
    CHECK(anx_calloc((size_t)-1 / 2, 4) == NULL);
    CHECK(anx_malloc((size_t)-1) == NULL);
    CHECK(anx_realloc(NULL, 8) != NULL);
}

/* A large block shrunk by realloc gives all its pages back when freed,
 * whether it stays large or becomes small (before: free counted the pages
 * of the new size, and the rest were lost for good). */
TEST(heap_realloc_shrink_returns_pages)
{
    unit_heap_init(16u << 20);
    struct anx_heap_stats hs;
    size_t largest, before = anx_mem_free_bytes(&largest);
    for (int i = 0; i < 50; i++) {
        char *p = anx_malloc(100000);             /* 25 pages */
        CHECK(p != NULL);
        memset(p, 'y', 100000);
        p = anx_realloc(p, i & 1 ? 5000 : 100);   /* to 2 pages, or a small block */
        CHECK(p && p[0] == 'y' && p[99] == 'y');
        anx_free(p);
    }
    anx_heap_stats(&hs);
    CHECK_EQ(hs.in_use, 0);
    CHECK_EQ(hs.large_pages, 0);
    /* every page is back but the one the small blocks were carved from */
    CHECK_EQ(anx_mem_free_bytes(&largest) + hs.small_pages * ANX_PAGE_SIZE, before);
    /* growing within the pages it has stays in place */
    char *q = anx_malloc(5000), *q0 = q;
    q = anx_realloc(q, 8000);
    CHECK(q == q0);
    anx_free(q);
    anx_heap_stats(&hs);
    CHECK_EQ(hs.large_pages, 0);
}

TEST(heap_aligned)
{
    fresh(ARENA);
    for (size_t a = 1; a <= 8192; a <<= 1) {
        char *p = anx_aligned_alloc(a, 100);
        CHECK(p && ((uintptr_t)p % a) == 0);
        memset(p, 7, 100);
        anx_free(p);
    }
    CHECK(anx_aligned_alloc(3, 10) == NULL);
    CHECK(anx_aligned_alloc(0, 10) == NULL);
    struct anx_heap_stats hs;
    anx_heap_stats(&hs);
    CHECK_EQ(hs.in_use, 0);
    char *p = anx_aligned_alloc(64, 10);
    anx_free(p);
    CHECK(EXPECT_PANIC(anx_free(p)));
}

TEST(heap_detects_misuse)
{
    fresh(ARENA);
    char *p = anx_malloc(24);
    anx_free(p);
    CHECK(EXPECT_PANIC(anx_free(p)));
    CHECK(strstr(unit_panic_msg, "double free") != NULL);

    p = anx_malloc(24);
    p[24] = 0;                                  /* one byte past the end */
    CHECK(EXPECT_PANIC(anx_free(p)));
    CHECK(strstr(unit_panic_msg, "overflow") != NULL);

    char *big = anx_malloc(10000);
    big[10003] = 1;
    CHECK(EXPECT_PANIC(anx_realloc(big, 20000)));

    static _Alignas(16) char not_heap[64];
    CHECK(EXPECT_PANIC(anx_free(not_heap + 16)));
    CHECK(strstr(unit_panic_msg, "not a heap block") != NULL);
    CHECK(EXPECT_PANIC(anx_free(not_heap + 17)));
}

TEST(heap_stress)
{
    enum { N = 600 };
    static char *ptr[N];
    static size_t len[N];
    unsigned seed = 99;
    fresh(ARENA);
    memset(ptr, 0, sizeof ptr);
    for (int round = 0; round < 20000; round++) {
        seed = seed * 1103515245 + 12345;
        int i = (int)((seed >> 8) % N);
        if (ptr[i]) {
            for (size_t k = 0; k < len[i]; k++)
                if ((unsigned char)ptr[i][k] != (unsigned char)(i + k)) {
                    CHECK(!"heap block content changed");
                    return;
                }
            anx_free(ptr[i]);
            ptr[i] = NULL;
        } else {
            size_t n = (seed >> 16) % 8 == 0 ? (seed >> 4) % 20000 : (seed >> 4) % 600;
            ptr[i] = (seed & 1) ? anx_malloc(n) : anx_aligned_alloc(32, n);
            if (!ptr[i])
                continue;
            len[i] = n;
            for (size_t k = 0; k < n; k++)
                ptr[i][k] = (char)(i + k);
        }
    }
    for (int i = 0; i < N; i++)
        anx_free(ptr[i]);
    struct anx_heap_stats hs;
    anx_heap_stats(&hs);
    CHECK_EQ(hs.in_use, 0);
}

TEST(heap_out_of_memory)
{
    fresh(64 * 1024);
    int n = 0;
    while (anx_malloc(5000) && n < 100)
        n++;
    CHECK(n > 0 && n < 100);
    struct anx_heap_stats hs;
    anx_heap_stats(&hs);
    CHECK(hs.failures > 0);
}

/* A failed allocation says how much was wanted and how much is free, once
 * a second at most. */
TEST(heap_out_of_memory_says_how_much)
{
    fresh(64 * 1024);
    size_t largest, free_bytes = anx_mem_free_bytes(&largest);
    CHECK(free_bytes > 0 && free_bytes < 64 * 1024 && largest == free_bytes);
    unit_time_ns += 2000000000ull;          /* past the previous test's line */
    unit_console_clear();
    CHECK(anx_malloc(1u << 20) == NULL);
    char want[160];
    snprintf(want, sizeof want, "heap: warning: out of memory: %u bytes wanted, %zu bytes free, largest free run %zu bytes",
             1u << 20, free_bytes, largest);
    CHECK(strstr(unit_console, want) != NULL);
    CHECK(anx_malloc(2u << 20) == NULL);     /* within the second: counted, not logged */
    CHECK(strstr(unit_console, "2097152 bytes wanted") == NULL);
    unit_time_ns += 2000000000ull;
    CHECK(anx_malloc(3u << 20) == NULL);
    CHECK(strstr(unit_console, "3145728 bytes wanted") != NULL);
    CHECK(strstr(unit_console, "(and 1 more since the last such line)") != NULL);
}

int main(void)
{
    RUN(pmem_runs);
    RUN(pmem_misuse_panics);
    RUN(pmem_odd_regions);
    RUN(heap_basics);
    RUN(heap_aligned);
    RUN(heap_realloc_shrink_returns_pages);
    RUN(heap_detects_misuse);
    RUN(heap_stress);
    RUN(heap_out_of_memory);
    RUN(heap_out_of_memory_says_how_much);
    return unit_done();
}
