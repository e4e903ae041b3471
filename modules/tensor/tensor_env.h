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
 * Host: cpuid through the compiler. Kernel: anx_cpu_has() once the core
 * offers it (it must also check that the OS enabled the register state,
 * XCR0 for AVX); until then only the architecture baseline. */
int tn_cpu_has(const char *feature);

#endif
