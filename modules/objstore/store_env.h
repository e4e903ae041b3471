/*
 * store_env.h - what the shared object-store code (format, journal,
 * checkpoint, index, store) needs from its surroundings, so the same files
 * compile freestanding in an image (<anx/...> only) and on the host
 * (-DANX_HOST: the anx-store tool and the unit tests).
 */
#ifndef OBJSTORE_STORE_ENV_H
#define OBJSTORE_STORE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef ANX_HOST
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#define os_malloc  malloc
#define os_calloc  calloc
#define os_realloc realloc
#define os_free    free
#define os_snprintf snprintf
static inline uint64_t os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#else
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/time.h>
#define os_malloc  anx_malloc
#define os_calloc  anx_calloc
#define os_realloc anx_realloc
#define os_free    anx_free
#define os_snprintf snprintf
/* Unix time from both writers: the image's wall clock (the board's RTC,
 * <anx/time.h>), the host tool's CLOCK_REALTIME. */
static inline uint64_t os_now_ns(void) { return anx_time_unix_ns(); }
#endif

/* SHA-256 comes from the core's implementation on both sides (the host
 * build compiles core/lib/sha256.c too). */
#include <anx/sha256.h>

#endif
