/*
 * The one portability header of the tensor module. The same sources build
 * into the kernel (freestanding, only <anx/...> headers) and natively on
 * the host (-DANX_HOST: libc and libm; core/lib/math.c is linked too, so
 * host and image compute the same transcendental functions) for tests, the
 * anx-model tool and the training tool.
 */
#ifndef TENSOR_ENV_H
#define TENSOR_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef ANX_HOST
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define tn_malloc malloc
#define tn_calloc calloc
#define tn_realloc realloc
#define tn_free free
static inline void *tn_aligned_alloc(size_t align, size_t size)
{
    return aligned_alloc(align, (size + align - 1) / align * align + (size ? 0 : align));
}
#else
#include <anx/lib.h>
#include <anx/math.h>
#include <anx/mem.h>
#include <anx/printf.h>
#define tn_malloc anx_malloc
#define tn_calloc anx_calloc
#define tn_realloc anx_realloc
#define tn_free anx_free
#define tn_aligned_alloc anx_aligned_alloc
#endif

/* Run-time CPU feature query ("sse2", "avx2", "fma", "f16c", "neon").
 * Image: the platform's answer, which also checks that the register state
 * is enabled (XCR0 for AVX). Host: the compiler's CPUID query. */
#ifdef ANX_HOST
static inline int tn_host_cpu_has(const char *f)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (strcmp(f, "sse2") == 0) return __builtin_cpu_supports("sse2");
    if (strcmp(f, "avx2") == 0) return __builtin_cpu_supports("avx2");
    if (strcmp(f, "fma") == 0) return __builtin_cpu_supports("fma");
    if (strcmp(f, "f16c") == 0) return __builtin_cpu_supports("avx2");  /* gcc 12 cannot ask; every AVX2 CPU has it */
    return 0;
#else
    return strcmp(f, "neon") == 0;      /* the arm64 baseline */
#endif
}
#define tn_env_cpu_has tn_host_cpu_has
#else
#include <anx/platform.h>
#define tn_env_cpu_has plat_cpu_has
#endif

#endif
