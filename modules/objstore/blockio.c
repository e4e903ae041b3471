/* blockio.c - the store's block I/O inside an image: anx_blockdev_* for a
 * disk, a page run for RAM. */
#include <anx/blockdev.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include "blockio.h"

static int bd_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
    return anx_blockdev_read(ctx, sector, buf, count) ? -1 : 0;
}

static int bd_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
    return anx_blockdev_write(ctx, sector, buf, count) ? -1 : 0;
}

static int bd_flush(void *ctx)
{
    return anx_blockdev_flush(ctx) ? -1 : 0;
}

int os_bio_blockdev(struct os_bio *bio, struct anx_blockdev *bd, const char **why)
{
    if (bd->sector_size != OS_SECTOR) {
        *why = "sector size is not 512 bytes";
        return ANX_ENOTSUP;
    }
    if (bd->read_only) {
        *why = "device is read-only";
        return ANX_EROFS;
    }
    *bio = (struct os_bio){bd, bd->sectors, bd_read, bd_write, bd_flush};
    return 0;
}

struct ramdisk {
    uint8_t *mem;
    uint64_t sectors;
};
static struct ramdisk ram;

static int ram_read(void *ctx, uint64_t sector, void *buf, uint32_t count)
{
    struct ramdisk *r = ctx;
    if (sector > r->sectors || count > r->sectors - sector)
        return -1;
    memcpy(buf, r->mem + sector * OS_SECTOR, (size_t)count * OS_SECTOR);
    return 0;
}

static int ram_write(void *ctx, uint64_t sector, const void *buf, uint32_t count)
{
    struct ramdisk *r = ctx;
    if (sector > r->sectors || count > r->sectors - sector)
        return -1;
    memcpy(r->mem + sector * OS_SECTOR, buf, (size_t)count * OS_SECTOR);
    return 0;
}

static int ram_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

int os_bio_ram(struct os_bio *bio, uint64_t bytes)
{
    size_t pages = (size_t)(bytes / 4096);
    ram.mem = anx_page_alloc(pages);
    if (!ram.mem)
        return ANX_ENOMEM;
    memset(ram.mem, 0, pages * 4096);
    ram.sectors = (uint64_t)pages * 4096 / OS_SECTOR;
    *bio = (struct os_bio){&ram, ram.sectors, ram_read, ram_write, ram_flush};
    return 0;
}
