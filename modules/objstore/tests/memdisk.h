/*
 * memdisk.h - block-I/O shims for the host tests: a disk in memory with a
 * volatile write cache, and a crash at the Nth operation.
 *
 * `img` is what the disk holds durably; `view` is what reads see (durable
 * plus the writes since the last flush). A flush copies the dirty sectors
 * to img. When operation number crash_at (1-based, writes and flushes) is
 * reached, the disk "loses power": each dirty sector is persisted or not
 * at random, some of them torn (a prefix new, the rest old), the crashing
 * write itself may be persisted partly, and every later operation fails.
 * fail_writes / fail_flushes make the next N writes / flushes fail without
 * a crash (a transient I/O error, as QEMU's blkdebug injects): a failed
 * write changes nothing, a failed flush persists nothing; later ones work.
 */
#ifndef MEMDISK_H
#define MEMDISK_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"

struct memdisk {
    uint8_t *img, *view;
    uint8_t *dirty;                 /* per sector */
    uint64_t sectors;
    uint64_t ops, crash_at;         /* crash_at 0 = never */
    int crashed;
    uint64_t rng;
    uint64_t reads, writes, flushes;
    uint32_t fail_writes, fail_flushes;
    struct os_bio bio;
};

static uint64_t md_rand(struct memdisk *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return d->rng;
}

static void md_persist_sector(struct memdisk *d, uint64_t s)
{
    uint64_t r = md_rand(d) % 8;
    uint8_t *dst = d->img + s * OS_SECTOR, *src = d->view + s * OS_SECTOR;
    if (r < 4)
        return;                                   /* lost */
    if (r < 7)
        memcpy(dst, src, OS_SECTOR);              /* made it */
    else
        memcpy(dst, src, md_rand(d) % OS_SECTOR); /* torn */
}

static void md_crash(struct memdisk *d)
{
    for (uint64_t s = 0; s < d->sectors; s++)
        if (d->dirty[s])
            md_persist_sector(d, s);
    d->crashed = 1;
}

static int md_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
    struct memdisk *d = ctx;
    d->reads++;
    if (d->crashed || sector > d->sectors || count > d->sectors - sector)
        return -1;
    memcpy(buf, d->view + sector * OS_SECTOR, (size_t)count * OS_SECTOR);
    return 0;
}

static int md_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
    struct memdisk *d = ctx;
    d->writes++;
    if (d->crashed || sector > d->sectors || count > d->sectors - sector)
        return -1;
    if (d->fail_writes) {
        d->fail_writes--;
        return -1;
    }
    if (++d->ops == d->crash_at) {
        /* the crashing write reaches the cache partly */
        uint64_t part = count ? md_rand(d) % (count + 1) : 0;
        memcpy(d->view + sector * OS_SECTOR, buf, part * OS_SECTOR);
        for (uint64_t i = 0; i < part; i++)
            d->dirty[sector + i] = 1;
        md_crash(d);
        return -1;
    }
    memcpy(d->view + sector * OS_SECTOR, buf, (size_t)count * OS_SECTOR);
    memset(d->dirty + sector, 1, count);
    return 0;
}

static int md_flush(void *ctx)
{
    struct memdisk *d = ctx;
    d->flushes++;
    if (d->crashed)
        return -1;
    if (d->fail_flushes) {
        d->fail_flushes--;
        return -1;
    }
    if (++d->ops == d->crash_at) {
        md_crash(d);
        return -1;
    }
    for (uint64_t s = 0; s < d->sectors; s++)
        if (d->dirty[s]) {
            memcpy(d->img + s * OS_SECTOR, d->view + s * OS_SECTOR, OS_SECTOR);
            d->dirty[s] = 0;
        }
    return 0;
}

/* A disk of `sectors`, holding `init` (or zeros). */
static void md_init(struct memdisk *d, uint64_t sectors, const uint8_t *init)
{
    memset(d, 0, sizeof(*d));
    d->sectors = sectors;
    d->img = calloc(sectors, OS_SECTOR);
    d->view = calloc(sectors, OS_SECTOR);
    d->dirty = calloc(sectors, 1);
    if (init) {
        memcpy(d->img, init, sectors * OS_SECTOR);
        memcpy(d->view, init, sectors * OS_SECTOR);
    }
    d->rng = 0x9e3779b97f4a7c15ull;
    d->bio = (struct os_bio){d, sectors, md_read, md_write, md_flush};
}

static void md_free(struct memdisk *d)
{
    free(d->img);
    free(d->view);
    free(d->dirty);
}

#endif
