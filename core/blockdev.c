/* The block device registry (<anx/blockdev.h>): disk drivers register
 * devices, storage code finds them and goes through the checked, counted
 * wrappers. The `disks` command lists them (registered with the first
 * disk, as `devices` is with the first scan). */
#define LOG_TAG "blockdev"
#include <anx/blockdev.h>
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/printf.h>

static struct anx_blockdev *disks, **disks_tail = &disks;
static unsigned ndisks;

static int cmd_disks(int argc, char **argv);
static struct anx_command disks_cmd = {
    .name = "disks", .summary = "List the block devices with their size and counters",
    .usage = "disks", .fn = cmd_disks,
};

static bool power_of_two(uint32_t v)
{
    return v && !(v & (v - 1));
}

int anx_blockdev_register(struct anx_blockdev *bd)
{
    if (!bd || !bd->ops || !bd->ops->read || !bd->ops->write || !power_of_two(bd->sector_size) ||
        bd->sector_size < 512 || bd->sectors > UINT64_MAX / bd->sector_size)
        return ANX_EINVAL;
    for (struct anx_blockdev *d = disks; d; d = d->next)
        if (d == bd)
            return ANX_EEXIST;
    if (!disks)
        anx_command_register(&disks_cmd);
    snprintf(bd->name, sizeof bd->name, "disk%u", ndisks++);
    memset(&bd->stats, 0, sizeof bd->stats);
    bd->next = NULL;
    *disks_tail = bd;
    disks_tail = &bd->next;
    log_info("%s: %s, %llu sectors of %u bytes (%llu MiB)%s%s", bd->name,
             bd->driver ? bd->driver : "?", (unsigned long long)bd->sectors, bd->sector_size,
             (unsigned long long)(bd->sectors * bd->sector_size >> 20),
             bd->read_only ? ", read-only" : "", bd->ops->flush ? "" : ", no flush");
    return 0;
}

struct anx_blockdev *anx_blockdev_first(void)
{
    return disks;
}

struct anx_blockdev *anx_blockdev_next(struct anx_blockdev *bd)
{
    return bd ? bd->next : NULL;
}

struct anx_blockdev *anx_blockdev_find(const char *name)
{
    for (struct anx_blockdev *d = disks; d; d = d->next)
        if (name && strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

/* The range [sector, sector + count) lies on the device (no overflow). */
static bool in_range(const struct anx_blockdev *bd, uint64_t sector, size_t count)
{
    return sector <= bd->sectors && (uint64_t)count <= bd->sectors - sector;
}

/* Count a failed call on the device and return its error. */
static int failed(struct anx_blockdev *bd, int err)
{
    bd->stats.errors++;
    return err;
}

int anx_blockdev_read(struct anx_blockdev *bd, uint64_t sector, void *buf, size_t count)
{
    if (!bd)
        return ANX_EINVAL;
    if (!buf && count)
        return failed(bd, ANX_EINVAL);
    if (!in_range(bd, sector, count))
        return failed(bd, ANX_ERANGE);
    if (!count)
        return 0;
    if (bd->ops->read(bd, sector, buf, count) != 0)
        return failed(bd, ANX_EIO);
    bd->stats.reads++;
    bd->stats.read_bytes += (uint64_t)count * bd->sector_size;
    return 0;
}

int anx_blockdev_write(struct anx_blockdev *bd, uint64_t sector, const void *buf, size_t count)
{
    if (!bd)
        return ANX_EINVAL;
    if (bd->read_only)
        return failed(bd, ANX_EROFS);
    if (!buf && count)
        return failed(bd, ANX_EINVAL);
    if (!in_range(bd, sector, count))
        return failed(bd, ANX_ERANGE);
    if (!count)
        return 0;
    if (bd->ops->write(bd, sector, buf, count) != 0)
        return failed(bd, ANX_EIO);
    bd->stats.writes++;
    bd->stats.write_bytes += (uint64_t)count * bd->sector_size;
    return 0;
}

/* A device without ops->flush cannot promise durability: flush fails. */
int anx_blockdev_flush(struct anx_blockdev *bd)
{
    if (!bd)
        return ANX_EINVAL;
    if (!bd->ops->flush)
        return failed(bd, ANX_ENOTSUP);
    if (bd->ops->flush(bd) != 0)
        return failed(bd, ANX_EIO);
    bd->stats.flushes++;
    return 0;
}

static int cmd_disks(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    if (!disks) {
        anx_printf("no disks\n");
        return 0;
    }
    for (struct anx_blockdev *d = disks; d; d = d->next) {
        const struct anx_blockdev_stats *s = &d->stats;
        anx_printf("%s: %s, %llu sectors of %u bytes (%llu MiB)%s%s\n", d->name,
                   d->driver ? d->driver : "?", (unsigned long long)d->sectors, d->sector_size,
                   (unsigned long long)(d->sectors * d->sector_size >> 20),
                   d->read_only ? ", read-only" : "", d->ops->flush ? "" : ", no flush");
        anx_printf("  reads %llu (%llu bytes), writes %llu (%llu bytes), flushes %llu, errors %llu\n",
                   (unsigned long long)s->reads, (unsigned long long)s->read_bytes,
                   (unsigned long long)s->writes, (unsigned long long)s->write_bytes,
                   (unsigned long long)s->flushes, (unsigned long long)s->errors);
    }
    return 0;
}
