/* The standard C names of the heap (<anx/mem.h>), for ported code. */
#include <anx/mem.h>

void *malloc(size_t size) { return anx_malloc(size); }
void *calloc(size_t count, size_t size) { return anx_calloc(count, size); }
void *realloc(void *p, size_t size) { return anx_realloc(p, size); }
void free(void *p) { anx_free(p); }
void *aligned_alloc(size_t align, size_t size) { return anx_aligned_alloc(align, size); }
