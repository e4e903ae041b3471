/*
 * Intrinsics for the x86_64 kernels in both builds. gcc's <mm_malloc.h>
 * (pulled in by the intrinsic headers) includes <stdlib.h>, which a
 * freestanding -nostdinc build lacks; its include guard is set first since
 * the kernels never call _mm_malloc.
 */
#ifndef SIMD_X86_H
#define SIMD_X86_H
#ifndef _MM_MALLOC_H_INCLUDED
#define _MM_MALLOC_H_INCLUDED
#endif
#include <immintrin.h>
#endif
