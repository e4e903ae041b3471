/*
 * The date and environment that make the image tools reproducible
 * (grub-mkrescue, xorriso, mtools, grub-mkimage): one epoch for every file
 * date, taken from SOURCE_DATE_EPOCH (reproducible-builds.org) when it is
 * a number, else 2024-01-01; and TZ=UTC, because FAT stores local times
 * (mtools wrote another EFI image in another time zone).
 */
#define _GNU_SOURCE
#include "anx.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_EPOCH 1704067200LL   /* 2024-01-01T00:00:00Z */

time_t build_epoch(void)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    if (e && *e && strspn(e, "0123456789") == strlen(e) && strlen(e) < 12)
        return (time_t)atoll(e);
    return (time_t)DEFAULT_EPOCH;
}

static char *saved_copy(const char *name)
{
    const char *v = getenv(name);
    return v ? xstrdup(v) : NULL;
}

static void restore(const char *name, char *v)
{
    if (v)
        setenv(name, v, 1);
    else
        unsetenv(name);
}

time_t tool_env_enter(struct tool_env *saved)
{
    time_t t = build_epoch();
    saved->epoch = saved_copy("SOURCE_DATE_EPOCH");
    saved->tz = saved_copy("TZ");
    setenv("SOURCE_DATE_EPOCH", xasprintf("%lld", (long long)t), 1);
    setenv("TZ", "UTC", 1);
    return t;
}

void tool_env_leave(struct tool_env *saved)
{
    restore("SOURCE_DATE_EPOCH", saved->epoch);
    restore("TZ", saved->tz);
    saved->epoch = saved->tz = NULL;
}
