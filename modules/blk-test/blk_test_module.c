/* Test only: exercise the first block device through <anx/blockdev.h>.
 *
 *   blktest [SEED]    writes a pattern (single sectors, a large transfer
 *                     the driver must split, an unaligned buffer, the last
 *                     sector, four threads at once), flushes, reads it all
 *                     back and compares; checks that out-of-range transfers
 *                     fail. Ends with "blktest: ok ..." or "blktest: FAIL ...".
 *   blkread SECTOR    prints the sector's first 32 bytes as hex and text.
 *
 * Every sector the pattern covers starts with "ANXT", its sector number and
 * the seed, so a later boot can recognise it (tests/boot/blk-persist.sh). */
#include <anx/blockdev.h>
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/thread.h>

#define SECT 512u
#define BASE 2048u            /* first sector used: 1 MiB into the disk */
#define BIG 5000u             /* sectors of the large transfer (~2.4 MiB) */
#define NTHREADS 4
#define SPAN (16u + BIG + 129u)   /* single sectors, big, odd: contiguous */
#define TSECTORS 64u          /* per thread, in 8-sector writes */

static void fill_sector(uint8_t *p, uint64_t sector, uint32_t seed)
{
    memset(p, 0, 32);
    snprintf((char *)p, 32, "ANXT %08llx %08x", (unsigned long long)sector, (unsigned)seed);
    for (unsigned i = 32; i < SECT; i++)
        p[i] = (uint8_t)(sector * 7 + i * 13 + seed);
}

static void fill(uint8_t *p, uint64_t sector, size_t count, uint32_t seed)
{
    for (size_t i = 0; i < count; i++)
        fill_sector(p + i * SECT, sector + i, seed);
}

/* first mismatching sector + 1, or 0 */
static uint64_t check(const uint8_t *p, uint64_t sector, size_t count, uint32_t seed)
{
    uint8_t want[SECT];
    for (size_t i = 0; i < count; i++) {
        fill_sector(want, sector + i, seed);
        if (memcmp(p + i * SECT, want, SECT))
            return sector + i + 1;
    }
    return 0;
}

static int fail(const char *what, uint64_t sector)
{
    anx_printf("blktest: FAIL %s (sector %llu)\n", what, (unsigned long long)sector);
    return 1;
}

/* write, read back (before the flush: the device must already return it) */
static int roundtrip(struct anx_blockdev *bd, uint64_t sector, size_t count, uint32_t seed,
                     uint8_t *wbuf, uint8_t *rbuf)
{
    fill(wbuf, sector, count, seed);
    if (anx_blockdev_write(bd, sector, wbuf, count))
        return fail("write", sector);
    memset(rbuf, 0, count * SECT);
    if (anx_blockdev_read(bd, sector, rbuf, count))
        return fail("read", sector);
    uint64_t bad = check(rbuf, sector, count, seed);
    if (bad)
        return fail("read back differs", bad - 1);
    return 0;
}

struct worker {
    struct anx_blockdev *bd;
    uint64_t sector;
    uint32_t seed;
    int result;
};
static struct anx_waitq workers_done = ANX_WAITQ_INIT;
static int workers_running;

static void worker(void *arg)
{
    struct worker *w = arg;
    uint8_t *buf = anx_malloc(8 * SECT), *rbuf = anx_malloc(8 * SECT);
    w->result = !buf || !rbuf;
    for (unsigned i = 0; i < TSECTORS && !w->result; i += 8)
        w->result = roundtrip(w->bd, w->sector + i, 8, w->seed, buf, rbuf);
    anx_free(buf);
    anx_free(rbuf);
    workers_running--;
    anx_waitq_wake_all(&workers_done);
}

static int cmd_blktest(int argc, char **argv)
{
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    struct anx_blockdev *bd = anx_blockdev_first();
    if (!bd) {
        anx_printf("blktest: FAIL no disk\n");
        return 1;
    }
    uint64_t need = BASE + 16 + BIG + 200 + NTHREADS * TSECTORS;
    if (bd->sector_size != SECT || bd->sectors < need || bd->read_only) {
        anx_printf("blktest: FAIL %s unusable (needs %llu writable 512-byte sectors)\n", bd->name,
                   (unsigned long long)need);
        return 1;
    }
    uint8_t *w = anx_malloc((SPAN + 1) * SECT), *r = anx_malloc((SPAN + 1) * SECT);
    if (!w || !r) {
        anx_free(w);
        anx_free(r);
        return fail("out of memory", 0);
    }
    int rc = 0;
    uint64_t s = BASE, big = BASE + 16, odd = big + BIG, thr = odd + 200, last = bd->sectors - 1;
    /* single sectors, a large transfer, an unaligned buffer, the last sector */
    for (unsigned i = 0; i < 16 && !rc; i++)
        rc = roundtrip(bd, s + i, 1, seed, w, r);
    if (!rc)
        rc = roundtrip(bd, big, BIG, seed, w, r);
    if (!rc)
        rc = roundtrip(bd, odd, 129, seed, w + 1, r + 3);
    if (!rc)
        rc = roundtrip(bd, last, 1, seed, w, r);
    /* concurrent requests from several threads */
    static struct worker ws[NTHREADS];
    for (int i = 0; i < NTHREADS && !rc; i++) {
        ws[i] = (struct worker){ bd, thr + (uint64_t)i * TSECTORS, seed + (uint32_t)i, 0 };
        workers_running++;
        if (!anx_thread_create("blktest", worker, &ws[i], 0)) {
            workers_running--;
            rc = fail("thread", 0);
        }
    }
    while (workers_running)
        anx_wait(&workers_done);
    for (int i = 0; i < NTHREADS && !rc; i++)
        if (ws[i].result)
            rc = fail("concurrent writer", ws[i].sector);
    /* bounds: past the end, straddling the end */
    if (!rc && anx_blockdev_read(bd, bd->sectors, r, 1) == 0)
        rc = fail("read past the end succeeded", bd->sectors);
    if (!rc && anx_blockdev_write(bd, last, w, 2) == 0)
        rc = fail("write across the end succeeded", last);
    if (!rc && anx_blockdev_flush(bd))
        rc = fail("flush", 0);
    /* everything again after the flush */
    if (!rc) {
        memset(r, 0, (SPAN + 1) * SECT);
        uint64_t bad = 0;
        if (anx_blockdev_read(bd, s, r, SPAN) || (bad = check(r, s, SPAN, seed)))
            rc = fail("read after flush", bad ? bad - 1 : s);
    }
    for (int i = 0; i < NTHREADS && !rc; i++) {
        uint64_t bad = 0;
        if (anx_blockdev_read(bd, ws[i].sector, r, TSECTORS) ||
            (bad = check(r, ws[i].sector, TSECTORS, ws[i].seed)))
            rc = fail("threads' data after flush", bad ? bad - 1 : ws[i].sector);
    }
    anx_free(w);
    anx_free(r);
    if (!rc)
        anx_printf("blktest: ok %s seed %u, %llu sectors written, flushed, read back\n", bd->name,
                   (unsigned)seed, (unsigned long long)(SPAN + 1 + NTHREADS * TSECTORS));
    return rc;
}

static int cmd_blkread(int argc, char **argv)
{
    struct anx_blockdev *bd = anx_blockdev_first();
    if (argc != 2) {
        anx_printf("usage: blkread SECTOR\n");
        return 1;
    }
    if (!bd) {
        anx_printf("blkread: no disk\n");
        return 1;
    }
    uint64_t sector = strtoull(argv[1], NULL, 0);
    uint8_t *buf = anx_malloc(bd->sector_size);
    if (!buf || anx_blockdev_read(bd, sector, buf, 1)) {
        anx_printf("blkread: cannot read sector %llu of %s\n", (unsigned long long)sector, bd->name);
        anx_free(buf);
        return 1;
    }
    char text[33];
    anx_printf("%s %llu:", bd->name, (unsigned long long)sector);
    for (unsigned i = 0; i < 32; i++) {
        anx_printf(" %02x", buf[i]);
        text[i] = buf[i] >= 32 && buf[i] < 127 ? (char)buf[i] : '.';
    }
    text[32] = 0;
    anx_printf("  |%s|\n", text);
    anx_free(buf);
    return 0;
}

static struct anx_command blktest_cmd = {
    .name = "blktest", .summary = "Write, flush, read back and compare a pattern on the first disk",
    .usage = "blktest [SEED]", .fn = cmd_blktest,
};
static struct anx_command blkread_cmd = {
    .name = "blkread", .summary = "Print the first 32 bytes of a sector of the first disk",
    .usage = "blkread SECTOR", .fn = cmd_blkread,
};

static int blk_test_init(void)
{
    anx_command_register(&blktest_cmd);
    return anx_command_register(&blkread_cmd);
}

ANX_MODULE(blk_test, .init = blk_test_init);
