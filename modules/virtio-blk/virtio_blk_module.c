/* virtio-blk: one anx_blockdev per device, one request queue (queue 0).
 *
 * A read or write is split into requests of at most max_request bytes
 * (and the device's seg_max x size_max); each request is a chain of a
 * header, the caller's buffer itself (RAM is mapped virtual == physical,
 * so no copy) and a status byte. The calling thread adds the chain with
 * interrupts off, kicks, and sleeps until its request is marked done. The
 * interrupt handler drains the used ring, marks each finished request done
 * and wakes every waiter; several threads may have requests in flight.
 * Waits are bounded (WAIT_NS) and then the waiter drains the ring itself,
 * so a lost interrupt costs time, never a hang.
 *
 * Durability: writes are durable only after a flush (VIRTIO_BLK_T_FLUSH).
 * A device that does not offer VIRTIO_BLK_F_FLUSH is registered without
 * ops->flush, so anx_blockdev_flush() fails on it ("no flush"). */
#define LOG_TAG "virtio-blk"
#include <anx/blockdev.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/platform.h>
#include <anx/thread.h>
#include <anx/time.h>

#include "blk_req.h"
#include "virtio.h"

#define F_SIZE_MAX (1ull << 1)
#define F_SEG_MAX (1ull << 2)
#define F_RO (1ull << 5)
#define F_BLK_SIZE (1ull << 6)
#define F_FLUSH (1ull << 9)

/* config space offsets (virtio 1.2 §5.2.4, struct virtio_blk_config) */
#define C_CAPACITY 0
#define C_SIZE_MAX 8
#define C_SEG_MAX 12
#define C_BLK_SIZE 20

#define WAIT_NS 50000000ull         /* re-check the ring this often while waiting */
#define SLOW_NS 5000000000ull       /* warn when one request takes longer */

struct vblk {
    struct virtio_dev *vd;
    struct virtq *vq;
    struct vblk_limits lim;
    struct anx_waitq wait;          /* threads waiting for a completion or descriptors */
    struct virtq_buf *bufs;         /* scratch for building a chain (lim.seg_max + 2) */
    struct anx_blockdev bd;
    uint64_t requests, polled, stalls;
};

/* one request, on the submitting thread's stack */
struct vblk_req {
    struct vblk_hdr hdr;
    volatile uint8_t status;
    volatile bool done;
};

/* interrupts off: mark finished requests done; wake waiters if any */
static void drain(struct vblk *b)
{
    struct vblk_req *r;
    bool any = false;
    while ((r = virtio_queue_get(b->vq, NULL))) {
        r->done = true;
        any = true;
    }
    if (any)
        anx_waitq_wake_all(&b->wait);
}

static void vblk_irq(void *arg, bool config_changed)
{
    struct vblk *b = arg;
    (void)config_changed;
    drain(b);
}

/* Submit one request and wait for it. 0 or -1. virtio 1.2 §5.2.6: the device writes the
 * status byte, VIRTIO_BLK_S_OK (0) on success, so it starts at 0xff. */
static int do_request(struct vblk *b, uint32_t type, uint64_t sector, uintptr_t data, size_t bytes)
{
    struct vblk_req r;
    r.hdr = (struct vblk_hdr){ .type = type, .reserved = 0, .sector = sector };
    r.status = 0xff;
    r.done = false;
    unsigned nout, nin;
    unsigned long f = plat_irq_save();
    /* bufs is shared scratch: build and add with interrupts off, no sleep between */
    unsigned n = vblk_build(&b->lim, b->bufs, type, &r.hdr, data, bytes, (const uint8_t *)&r.status,
                            &nout, &nin);
    if (!n) {
        plat_irq_restore(f);
        return -1;
    }
    while (virtio_queue_add(b->vq, b->bufs, nout, nin, &r) != 0) {
        b->stalls++;                /* queue full: wait for completions, rebuild */
        anx_wait_timeout(&b->wait, WAIT_NS);
        drain(b);
        n = vblk_build(&b->lim, b->bufs, type, &r.hdr, data, bytes, (const uint8_t *)&r.status,
                       &nout, &nin);
    }
    b->requests++;
    virtio_queue_kick(b->vq);
    uint64_t start = anx_time_ns();
    bool warned = false;
    while (!r.done) {
        if (anx_wait_timeout(&b->wait, WAIT_NS) != 0) {
            drain(b);
            if (r.done)
                b->polled++;
        }
        if (!r.done && !warned && anx_time_ns() - start > SLOW_NS) {
            warned = true;
            log_warn("%s: request (type %u, sector %llu) still pending after 5 s", b->bd.name,
                     (unsigned)type, (unsigned long long)sector);
        }
    }
    plat_irq_restore(f);
    if (r.status != VBLK_S_OK) {
        log_warn("%s: %s of sector %llu failed: status %u", b->bd.name,
                 type == VBLK_T_IN ? "read" : type == VBLK_T_OUT ? "write" : "flush",
                 (unsigned long long)sector, (unsigned)r.status);
        return -1;
    }
    return 0;
}

static int transfer(struct vblk *b, uint32_t type, uint64_t sector, uintptr_t buf, size_t count)
{
    if (!vblk_in_range(b->bd.sectors, sector, count))
        return -1;
    while (count) {
        size_t n = vblk_chunk_sectors(&b->lim, count);
        if (do_request(b, type, sector, buf, n * VBLK_SECTOR) != 0)
            return -1;
        sector += n;
        buf += n * VBLK_SECTOR;
        count -= n;
    }
    return 0;
}

static int vblk_read(struct anx_blockdev *bd, uint64_t sector, void *buf, size_t count)
{
    return transfer(bd->priv, VBLK_T_IN, sector, (uintptr_t)buf, count);
}

static int vblk_write(struct anx_blockdev *bd, uint64_t sector, const void *buf, size_t count)
{
    if (bd->read_only)
        return -1;
    return transfer(bd->priv, VBLK_T_OUT, sector, (uintptr_t)buf, count);
}

/* virtio 1.2 §5.2.6: VIRTIO_BLK_T_FLUSH has no data and sector 0; §5.2.6.2: a completed
 * write is stable once a later flush has completed. */
static int vblk_flush(struct anx_blockdev *bd)
{
    return do_request(bd->priv, VBLK_T_FLUSH, 0, 0, 0);
}

static const struct anx_blockdev_ops vblk_ops = {
    .read = vblk_read, .write = vblk_write, .flush = vblk_flush,
};
static const struct anx_blockdev_ops vblk_ops_noflush = {
    .read = vblk_read, .write = vblk_write,
};

/* virtio 1.2 §5.2.5: negotiate the features used here (§5.2.3), set up requestq (0), read
 * the capacity in 512-byte sectors and the segment limits (§5.2.4), then DRIVER_OK. */
static int vblk_probe(struct virtio_dev *vd)
{
    struct vblk *b = anx_calloc(1, sizeof *b);
    if (!b)
        return -1;
    b->vd = vd;
    vd->priv = b;
    anx_waitq_init(&b->wait);
    if (virtio_begin(vd, F_SIZE_MAX | F_SEG_MAX | F_RO | F_BLK_SIZE | F_FLUSH) != 0)
        return -1;
    b->vq = virtio_queue_setup(vd, 0, CONFIG_VIRTIO_BLK_QUEUE_SIZE);
    if (!b->vq) {
        log_warn("%s: queue set-up failed", vd->dev->name);
        virtio_fail(vd);
        return -1;
    }
    uint64_t cap = virtio_cfg32(vd, C_CAPACITY) | (uint64_t)virtio_cfg32(vd, C_CAPACITY + 4) << 32;
    uint32_t size_max = vd->features & F_SIZE_MAX ? virtio_cfg32(vd, C_SIZE_MAX) : 0;
    uint32_t seg_max = vd->features & F_SEG_MAX ? virtio_cfg32(vd, C_SEG_MAX) : 0;
    uint32_t blk_size = vd->features & F_BLK_SIZE ? virtio_cfg32(vd, C_BLK_SIZE) : VBLK_SECTOR;
    if (vblk_limits_init(&b->lim, seg_max, size_max, b->vq->size, CONFIG_VIRTIO_BLK_MAX_REQUEST) != 0) {
        log_warn("%s: unusable limits (seg_max %u, size_max %u)", vd->dev->name, seg_max, size_max);
        virtio_fail(vd);
        return -1;
    }
    b->bufs = anx_calloc(b->lim.seg_max + 2, sizeof *b->bufs);
    if (!b->bufs) {
        virtio_fail(vd);
        return -1;
    }
    if (virtio_irq(vd, vblk_irq, b) != 0)    /* still works, by polling every WAIT_NS */
        log_warn("%s: cannot route irq %d; completions are polled", vd->dev->name, vd->dev->irq);
    virtio_ready(vd);

    b->bd.driver = "virtio-blk";
    b->bd.sectors = cap;
    b->bd.sector_size = VBLK_SECTOR;
    b->bd.read_only = vd->features & F_RO;
    b->bd.ops = vd->features & F_FLUSH ? &vblk_ops : &vblk_ops_noflush;
    b->bd.priv = b;
    if (anx_blockdev_register(&b->bd) != 0) {
        virtio_fail(vd);
        return -1;
    }
    if (!(vd->features & F_FLUSH))
        log_warn("%s: device offers no flush (VIRTIO_BLK_F_FLUSH): writes cannot be made durable",
                 b->bd.name);
    log_info("%s: %s, %s transport%s, irq %d, queue %u, %u x %u-byte segments, %u-byte requests%s",
             b->bd.name, vd->dev->name, vd->dev->bus == ANX_BUS_PCI ? "pci" : "mmio",
             vd->legacy ? " (legacy)" : "", vd->dev->irq, b->vq->size, b->lim.seg_max,
             b->lim.size_max, b->lim.max_request,
             blk_size != VBLK_SECTOR ? " (device block size differs from 512)" : "");
    return 0;
}

static struct virtio_driver vblk_driver = {
    .name = "virtio-blk", .id = VIRTIO_ID_BLOCK, .probe = vblk_probe,
};

static int vblk_init(void)
{
    virtio_driver_register(&vblk_driver);
    return 0;
}

ANX_MODULE(virtio_blk, .init = vblk_init);
