/* Host tests of virtio-blk request building and splitting (blk_req.c),
 * with the virtqueue (modules/virtio/virtq.c) and a simulated device that
 * walks each descriptor chain and serves it from a RAM disk. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blk_req.h"

static int pass, fail;
#define CHECK(c) do { if (c) pass++; else { fail++; printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

static void notify(struct virtq *vq) { (void)vq; }

/* ---- the simulated device ------------------------------------------------ */

#define DISK_SECTORS 8192u
static uint8_t disk[DISK_SECTORS * VBLK_SECTOR];
static uint16_t dev_last_avail;
static unsigned dev_requests, dev_max_segs, dev_bad;
static uint32_t dev_max_seg_len;

/* Serve every available chain; checks the chain's shape as a device would. */
static void dev_run(struct virtq *vq)
{
    while (dev_last_avail != vq->avail[1]) {
        uint16_t head = vq->avail[2 + (dev_last_avail++ & (vq->size - 1))];
        volatile struct virtq_desc *d[300];
        unsigned n = 0;
        for (uint16_t i = head;; i = vq->desc[i].next) {
            d[n++] = &vq->desc[i];
            if (!(vq->desc[i].flags & VIRTQ_DESC_F_NEXT) || n == 300)
                break;
        }
        dev_requests++;
        struct vblk_hdr *h = (struct vblk_hdr *)(uintptr_t)d[0]->addr;
        uint8_t *status = (uint8_t *)(uintptr_t)d[n - 1]->addr;
        bool ok = d[0]->len == sizeof *h && !(d[0]->flags & VIRTQ_DESC_F_WRITE) && d[n - 1]->len == 1 &&
                  (d[n - 1]->flags & VIRTQ_DESC_F_WRITE);
        uint64_t off = h->sector * VBLK_SECTOR;
        unsigned segs = n - 2;
        if (segs > dev_max_segs)
            dev_max_segs = segs;
        uint64_t total = 0;
        for (unsigned k = 1; k + 1 < n; k++) {
            bool wr = d[k]->flags & VIRTQ_DESC_F_WRITE;
            ok &= h->type == VBLK_T_IN ? wr : !wr;
            ok &= h->type != VBLK_T_FLUSH;
            if (d[k]->len > dev_max_seg_len)
                dev_max_seg_len = d[k]->len;
            total += d[k]->len;
        }
        ok &= total % VBLK_SECTOR == 0 && off + total <= sizeof disk;
        if (!ok) {
            dev_bad++;
            *status = VBLK_S_IOERR;
        } else {
            for (unsigned k = 1; k + 1 < n; k++) {
                void *p = (void *)(uintptr_t)d[k]->addr;
                if (h->type == VBLK_T_IN)
                    memcpy(p, disk + off, d[k]->len);
                else
                    memcpy(disk + off, p, d[k]->len);
                off += d[k]->len;
            }
            *status = VBLK_S_OK;
        }
        volatile struct virtq_used_elem *e =
            (volatile struct virtq_used_elem *)(vq->used + 2) + (vq->used[1] & (vq->size - 1));
        e->id = head;
        e->len = h->type == VBLK_T_IN ? (uint32_t)total + 1 : 1;
        vq->used[1]++;
    }
}

/* The driver's transfer loop, as virtio_blk_module.c runs it (minus the waiting). */
static int transfer(struct virtq *vq, const struct vblk_limits *l, uint32_t type, uint64_t sector,
                    uint8_t *buf, size_t count, unsigned *requests)
{
    if (!vblk_in_range(DISK_SECTORS, sector, count))
        return -1;
    struct virtq_buf bufs[300];
    while (count) {
        size_t n = vblk_chunk_sectors(l, count);
        struct vblk_hdr hdr = { type, 0, sector };
        uint8_t status = 0xff;
        unsigned nout, nin;
        unsigned nb = vblk_build(l, bufs, type, &hdr, (uintptr_t)buf, n * VBLK_SECTOR, &status, &nout, &nin);
        if (!nb || virtio_queue_add(vq, bufs, nout, nin, &hdr) != 0)
            return -1;
        virtio_queue_kick(vq);
        dev_run(vq);
        uint32_t len;
        if (virtio_queue_get(vq, &len) != &hdr || status != VBLK_S_OK)
            return -1;
        (*requests)++;
        sector += n;
        buf += n * VBLK_SECTOR;
        count -= n;
    }
    return 0;
}

static struct virtq *new_queue(uint16_t size)
{
    static struct virtq vq;
    static void *mem, **cookie;
    free(mem);
    free(cookie);
    mem = aligned_alloc(4096, virtio_queue_mem_size(size, 4096));
    memset(mem, 0, virtio_queue_mem_size(size, 4096));
    cookie = calloc(size, sizeof *cookie);
    virtio_queue_init(&vq, size, mem, 4096, cookie);
    vq.notify = notify;
    dev_last_avail = 0;
    return &vq;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_limits(void)
{
    struct vblk_limits l;
    /* nothing negotiated: one segment may carry the whole request */
    CHECK(vblk_limits_init(&l, 0, 0, 128, 1 << 20) == 0);
    CHECK(l.seg_max == 126 && l.size_max == 1 << 20 && l.max_request == 1 << 20);
    /* seg_max x size_max smaller than max_request caps the request */
    CHECK(vblk_limits_init(&l, 4, 4096, 128, 1 << 20) == 0);
    CHECK(l.seg_max == 4 && l.size_max == 4096 && l.max_request == 16384);
    /* the queue bounds the segments (header + status need two descriptors) */
    CHECK(vblk_limits_init(&l, 1000, 512, 8, 1 << 20) == 0);
    CHECK(l.seg_max == 6 && l.max_request == 3072);
    /* a size_max not a sector multiple: 3 x 700 = 2100, rounded down to sectors
     * (a sector may straddle two segments) */
    CHECK(vblk_limits_init(&l, 3, 700, 128, 1 << 20) == 0);
    CHECK(l.max_request == 2048);
    /* max_request rounded down to sectors */
    CHECK(vblk_limits_init(&l, 0, 0, 128, 4097) == 0 && l.max_request == 4096);
    /* unusable: less than a sector per request, or too small a queue */
    CHECK(vblk_limits_init(&l, 1, 256, 128, 1 << 20) == -1);
    CHECK(vblk_limits_init(&l, 0, 0, 2, 1 << 20) == -1);
    CHECK(vblk_limits_init(&l, 0, 0, 128, 100) == -1);
}

static void test_chunks(void)
{
    struct vblk_limits l;
    vblk_limits_init(&l, 0, 0, 128, 1 << 20);
    CHECK(vblk_chunk_sectors(&l, 1) == 1);
    CHECK(vblk_chunk_sectors(&l, 2048) == 2048);
    CHECK(vblk_chunk_sectors(&l, 2049) == 2048);
    CHECK(vblk_chunk_sectors(&l, 0) == 0);
}

static void test_build(void)
{
    struct vblk_limits l;
    vblk_limits_init(&l, 4, 1024, 128, 1 << 20);       /* 4 KiB requests */
    struct virtq_buf b[8];
    struct vblk_hdr h = { VBLK_T_OUT, 0, 5 };
    uint8_t status;
    unsigned nout = 99, nin = 99;
    static uint8_t data[8192];
    /* write of 2.5 KiB: header, 1024 + 1024 + 512, status */
    CHECK(vblk_build(&l, b, VBLK_T_OUT, &h, (uintptr_t)data, 2560, &status, &nout, &nin) == 5);
    CHECK(nout == 4 && nin == 1);
    CHECK(b[0].addr == (uintptr_t)&h && b[0].len == 16);
    CHECK(b[1].addr == (uintptr_t)data && b[1].len == 1024);
    CHECK(b[2].addr == (uintptr_t)data + 1024 && b[3].len == 512);
    CHECK(b[4].addr == (uintptr_t)&status && b[4].len == 1);
    /* read: header out, data and status in */
    CHECK(vblk_build(&l, b, VBLK_T_IN, &h, (uintptr_t)data, 4096, &status, &nout, &nin) == 6);
    CHECK(nout == 1 && nin == 5);
    /* flush: header and status only; data refused */
    CHECK(vblk_build(&l, b, VBLK_T_FLUSH, &h, 0, 0, &status, &nout, &nin) == 2);
    CHECK(nout == 1 && nin == 1);
    CHECK(vblk_build(&l, b, VBLK_T_FLUSH, &h, (uintptr_t)data, 512, &status, &nout, &nin) == 0);
    /* refused: empty, not a sector multiple, more than one request holds */
    CHECK(vblk_build(&l, b, VBLK_T_OUT, &h, (uintptr_t)data, 0, &status, &nout, &nin) == 0);
    CHECK(vblk_build(&l, b, VBLK_T_OUT, &h, (uintptr_t)data, 100, &status, &nout, &nin) == 0);
    CHECK(vblk_build(&l, b, VBLK_T_OUT, &h, (uintptr_t)data, 4608, &status, &nout, &nin) == 0);
    CHECK(sizeof(struct vblk_hdr) == 16);
}

static void test_range(void)
{
    CHECK(vblk_in_range(100, 0, 100));
    CHECK(vblk_in_range(100, 99, 1));
    CHECK(vblk_in_range(100, 100, 0));
    CHECK(!vblk_in_range(100, 100, 1));
    CHECK(!vblk_in_range(100, 99, 2));
    CHECK(!vblk_in_range(100, 101, 0));
    CHECK(!vblk_in_range(100, UINT64_MAX, 2));
    CHECK(!vblk_in_range(UINT64_MAX, 1, (size_t)-1) || sizeof(size_t) < 8);
}

/* Transfers through the queue and the simulated device: split by the
 * limits, unaligned buffers, data intact, shape of every chain valid. */
static void test_transfer(uint32_t seg_max, uint32_t size_max, uint16_t qsize, uint32_t max_request)
{
    struct vblk_limits l;
    CHECK(vblk_limits_init(&l, seg_max, size_max, qsize, max_request) == 0);
    struct virtq *vq = new_queue(qsize);
    size_t count = 1000;
    uint8_t *w = malloc(count * VBLK_SECTOR + 1), *r = malloc(count * VBLK_SECTOR + 3);
    for (size_t i = 0; i < count * VBLK_SECTOR; i++)
        w[1 + i] = (uint8_t)(i * 7 + seg_max);
    dev_requests = dev_max_segs = dev_bad = 0;
    dev_max_seg_len = 0;
    unsigned reqs = 0;
    CHECK(transfer(vq, &l, VBLK_T_OUT, 77, w + 1, count, &reqs) == 0);
    size_t per = l.max_request / VBLK_SECTOR;
    CHECK(reqs == (count + per - 1) / per);
    CHECK(memcmp(disk + 77 * VBLK_SECTOR, w + 1, count * VBLK_SECTOR) == 0);
    memset(r, 0, count * VBLK_SECTOR + 3);
    CHECK(transfer(vq, &l, VBLK_T_IN, 77, r + 3, count, &reqs) == 0);
    CHECK(memcmp(r + 3, w + 1, count * VBLK_SECTOR) == 0);
    CHECK(dev_bad == 0);
    CHECK(dev_max_segs <= l.seg_max && (!seg_max || dev_max_segs <= seg_max));
    CHECK(dev_max_seg_len <= l.size_max && (!size_max || dev_max_seg_len <= size_max));
    CHECK(vq->num_free == vq->size);                    /* every descriptor came back */
    /* out of range: refused before reaching the device */
    unsigned before = dev_requests;
    CHECK(transfer(vq, &l, VBLK_T_IN, DISK_SECTORS - 10, r, 11, &reqs) == -1);
    CHECK(dev_requests == before);
    free(w);
    free(r);
}

int main(void)
{
    test_limits();
    test_chunks();
    test_build();
    test_range();
    test_transfer(0, 0, 128, 1 << 20);         /* QEMU's usual offer */
    test_transfer(4, 4096, 128, 1 << 20);      /* small segments: 16 KiB requests */
    test_transfer(126, 65536, 128, 256 << 10);
    test_transfer(0, 700, 8, 1 << 20);         /* odd size_max, tiny queue */
    test_transfer(1, 512, 4, 512);             /* one sector per request */
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
