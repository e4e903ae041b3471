/* The block device registry (core/blockdev.c): registration and names,
 * lookup, and the bounds checks and counters of the checked wrappers, over
 * a RAM disk driver. */
#include <stdint.h>
#include <stdlib.h>
#define UNIT_FILE "blockdev"
#include "unit.h"
#include <anx/blockdev.h>
#include <anx/command.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#define SECTORS 64u
static uint8_t ram[SECTORS * 512];
static unsigned calls, fail_next;

static int ram_read(struct anx_blockdev *bd, uint64_t sector, void *buf, size_t count)
{
    (void)bd;
    calls++;
    if (fail_next) {
        fail_next = 0;
        return -1;
    }
    memcpy(buf, ram + sector * 512, count * 512);
    return 0;
}

static int ram_write(struct anx_blockdev *bd, uint64_t sector, const void *buf, size_t count)
{
    (void)bd;
    calls++;
    memcpy(ram + sector * 512, buf, count * 512);
    return 0;
}

static int ram_flush(struct anx_blockdev *bd)
{
    (void)bd;
    calls++;
    return 0;
}

static const struct anx_blockdev_ops ops = { ram_read, ram_write, ram_flush };
static const struct anx_blockdev_ops ops_noflush = { ram_read, ram_write, NULL };
static struct anx_blockdev d0 = { .driver = "ram", .sectors = SECTORS, .sector_size = 512, .ops = &ops };
static struct anx_blockdev d1 = { .driver = "ram", .sectors = SECTORS, .sector_size = 512, .read_only = true,
                                  .ops = &ops_noflush };

static void setup(void)
{
    unit_threads_init(4u << 20);
}

TEST(register_names)
{
    struct anx_blockdev bad = { .sectors = 8, .sector_size = 500, .ops = &ops };
    CHECK_EQ(anx_blockdev_register(NULL), ANX_EINVAL);
    CHECK_EQ(anx_blockdev_register(&bad), ANX_EINVAL);   /* sector size not a power of two */
    bad.sector_size = 256;
    CHECK_EQ(anx_blockdev_register(&bad), ANX_EINVAL);   /* below 512 */
    CHECK(anx_blockdev_first() == NULL);
    CHECK(anx_command_find("disks") == NULL);
    CHECK(anx_blockdev_register(&d0) == 0);
    CHECK(anx_blockdev_register(&d1) == 0);
    CHECK_EQ(anx_blockdev_register(&d0), ANX_EEXIST);    /* twice */
    CHECK_STR(d0.name, "disk0");
    CHECK_STR(d1.name, "disk1");
    CHECK(anx_blockdev_first() == &d0);
    CHECK(anx_blockdev_next(&d0) == &d1);
    CHECK(anx_blockdev_next(&d1) == NULL);
    CHECK(anx_blockdev_find("disk1") == &d1);
    CHECK(anx_blockdev_find("disk2") == NULL);
    CHECK(anx_blockdev_find(NULL) == NULL);
    CHECK(anx_command_find("disks") != NULL);
}

TEST(bounds)
{
    static uint8_t buf[SECTORS * 512 + 512];
    calls = 0;
    CHECK(anx_blockdev_read(&d0, 0, buf, SECTORS) == 0);
    CHECK(anx_blockdev_read(&d0, SECTORS - 1, buf, 1) == 0);
    CHECK(anx_blockdev_read(&d0, SECTORS, buf, 0) == 0);           /* empty, at the end */
    CHECK_EQ(anx_blockdev_read(&d0, SECTORS, buf, 1), ANX_ERANGE);
    CHECK_EQ(anx_blockdev_read(&d0, SECTORS - 1, buf, 2), ANX_ERANGE);
    CHECK_EQ(anx_blockdev_read(&d0, SECTORS + 1, buf, 0), ANX_ERANGE);
    CHECK_EQ(anx_blockdev_read(&d0, UINT64_MAX, buf, 2), ANX_ERANGE);  /* wraps */
    CHECK_EQ(anx_blockdev_read(&d0, 1, buf, SIZE_MAX), ANX_ERANGE);
    CHECK_EQ(anx_blockdev_write(&d0, SECTORS - 2, buf, 3), ANX_ERANGE);
    CHECK_EQ(anx_blockdev_read(&d0, 0, NULL, 1), ANX_EINVAL);
    CHECK_EQ(anx_blockdev_read(NULL, 0, buf, 1), ANX_EINVAL);
    CHECK(calls == 2);                                   /* only the valid transfers reached the driver */
    CHECK_EQ(d0.stats.errors, 7);
}

TEST(counters)
{
    static uint8_t w[4 * 512], r[4 * 512];
    memset(&d0.stats, 0, sizeof d0.stats);
    for (unsigned i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 3);
    CHECK(anx_blockdev_write(&d0, 10, w, 4) == 0);
    CHECK(anx_blockdev_read(&d0, 10, r, 4) == 0);
    CHECK(memcmp(w, r, sizeof w) == 0);
    CHECK(anx_blockdev_flush(&d0) == 0);
    fail_next = 1;
    CHECK_EQ(anx_blockdev_read(&d0, 10, r, 1), ANX_EIO); /* the driver's error is counted */
    CHECK_EQ(d0.stats.writes, 1);
    CHECK_EQ(d0.stats.write_bytes, 2048);
    CHECK_EQ(d0.stats.reads, 1);
    CHECK_EQ(d0.stats.read_bytes, 2048);
    CHECK_EQ(d0.stats.flushes, 1);
    CHECK_EQ(d0.stats.errors, 1);
}

TEST(read_only_and_no_flush)
{
    static uint8_t buf[512];
    calls = 0;
    CHECK_EQ(anx_blockdev_write(&d1, 0, buf, 1), ANX_EROFS);     /* read-only */
    CHECK(anx_blockdev_read(&d1, 0, buf, 1) == 0);
    CHECK_EQ(anx_blockdev_flush(&d1), ANX_ENOTSUP);   /* no flush: durability cannot be promised */
    CHECK(calls == 1);
    CHECK_EQ(d1.stats.errors, 2);
    CHECK_EQ(anx_blockdev_flush(NULL), ANX_EINVAL);
}

int main(void)
{
    setup();
    RUN(register_names);
    RUN(bounds);
    RUN(counters);
    RUN(read_only_and_no_flush);
    return unit_done();
}
