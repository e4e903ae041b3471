/*
 * <assert.h>: a failed assert panics the image (<anx/panic.h>) with the
 * expression, file and line. NDEBUG turns it off as in C. Not guarded:
 * each inclusion redefines assert for the current NDEBUG, as C requires.
 */
#include "libc_defs.h"

_Noreturn void libc_assert_fail(const char *expr, const char *file, int line, const char *func);

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e) ((e) ? (void)0 : libc_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
#ifndef static_assert
#define static_assert _Static_assert
#endif
