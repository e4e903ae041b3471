/*
 * The host unit-test harness. Include host headers first, then this.
 *
 *     TEST(name) { CHECK(x == 1); CHECK_STR(buf, "abc"); }
 *     int main(void) { RUN(name); return unit_done(); }
 *
 * Each test prints "ok   FILE: name" or "FAIL FILE: name"; run.sh counts
 * them. A check that fails prints where and why and the test goes on.
 */
#ifndef ANX_TEST_UNIT_H
#define ANX_TEST_UNIT_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* host versions, reachable before the renaming below */
static inline int host_strcmp(const char *a, const char *b) { return strcmp(a, b); }
static inline void *aligned_alloc_host(size_t a, size_t n) { return aligned_alloc(a, n); }
static inline void *malloc_host(size_t n) { return malloc(n); }
static inline void free_host(void *p) { free(p); }

#include "rename.h"                 /* host/rename.h */
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>

static int unit_fail_count, unit_passed, unit_failed;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    unit_fail_count++; } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); if (_a != _b) { \
    fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
    unit_fail_count++; } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (!_a || !_b || host_strcmp(_a, _b) != 0) { \
    fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, \
            _a ? _a : "(null)", _b ? _b : "(null)"); unit_fail_count++; } } while (0)

#define TEST(name) static void name(void)
#define RUN(name) do { int _before = unit_fail_count; name(); \
    if (unit_fail_count == _before) { unit_passed++; printf("ok   %s: %s\n", UNIT_FILE, #name); } \
    else { unit_failed++; printf("FAIL %s: %s\n", UNIT_FILE, #name); } fflush(stdout); } while (0)

static inline int unit_done(void)
{
    return unit_failed ? 1 : 0;
}

/* anx_panic as the tests see it (tests/unit/stubs.c): with unit_expect_panic
 * armed, a panic longjmps back; otherwise it aborts the test program. */
extern jmp_buf unit_panic_jmp;
extern int unit_panic_armed;
extern char unit_panic_msg[512];
#define EXPECT_PANIC(stmt) ({ int _p = 0; unit_panic_armed = 1; \
    if (setjmp(unit_panic_jmp) == 0) { stmt; } else { _p = 1; } unit_panic_armed = 0; _p; })

/* Console output captured by the host platform (tests/unit/host_plat.c). */
extern char unit_console[65536];
extern size_t unit_console_len;
void unit_console_clear(void);
/* Fake monotonic clock for the host platform. */
extern unsigned long long unit_time_ns;
extern unsigned long long unit_deadline_ns;
/* What the host platform's real-time clock reads (0 = no RTC). */
extern unsigned long long unit_wall_ns;

/* The core's memory (pmem and the heap) on a host arena of `bytes`: what
 * every test that allocates does first. The arena is never freed. */
static inline void unit_heap_init(size_t bytes)
{
    struct plat_mem_region r = { (uintptr_t)aligned_alloc_host(4096, bytes), bytes };
    anx_pmem_init(&r, 1);
    anx_heap_init();
}

/* As unit_heap_init, then the fake clock, the scheduler and interrupts on:
 * for tests that run threads or wait. */
static inline void unit_threads_init(size_t bytes)
{
    unit_heap_init(bytes);
    anx_time_init(unit_time_ns);
    anx_threads_init();
    plat_irq_enable();
}

#endif
