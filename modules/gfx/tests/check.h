/* The small harness of gfx's host tests: CHECK/CHECK_EQ record a failure
 * and go on; RUN prints "ok   FILE: name" or "FAIL FILE: name". */
#ifndef GFX_TEST_CHECK_H
#define GFX_TEST_CHECK_H
#include <stdio.h>

static int check_failures, check_failed_tests;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); \
    check_failures++; } } while (0)
#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    fprintf(stderr, "  %s:%d: %s == %lld (0x%llx), expected %lld (0x%llx)\n", __FILE__, __LINE__, #a, a_, a_, \
            b_, b_); check_failures++; } } while (0)
#define RUN(t) do { int f0_ = check_failures; t(); if (check_failures == f0_) printf("ok   %s: %s\n", TEST_FILE, #t); \
    else { printf("FAIL %s: %s\n", TEST_FILE, #t); check_failed_tests++; } fflush(stdout); } while (0)
#endif
