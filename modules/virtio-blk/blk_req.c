/* virtio-blk request layout and splitting (see blk_req.h). */
#include "blk_req.h"

#define SEGS_CAP 256u               /* descriptors of data per request we ever use */

/* virtio 1.2 §5.2.4: seg_max bounds the data segments of one request, size_max the
 * length of each; the header and status take two more descriptors. */
int vblk_limits_init(struct vblk_limits *l, uint32_t seg_max, uint32_t size_max, uint16_t queue_size,
                     uint32_t max_request)
{
    if (queue_size < 3)
        return -1;
    uint32_t segs = queue_size - 2u;
    if (seg_max && seg_max < segs)
        segs = seg_max;
    if (segs > SEGS_CAP)
        segs = SEGS_CAP;
    uint32_t req = max_request / VBLK_SECTOR * VBLK_SECTOR;
    uint32_t size = size_max ? size_max : req;
    if (!size)
        return -1;
    if ((uint64_t)segs * size < req)
        req = (uint32_t)((uint64_t)segs * size / VBLK_SECTOR * VBLK_SECTOR);
    if (req < VBLK_SECTOR)
        return -1;
    l->seg_max = segs;
    l->size_max = size;
    l->max_request = req;
    return 0;
}

size_t vblk_chunk_sectors(const struct vblk_limits *l, size_t count)
{
    size_t most = l->max_request / VBLK_SECTOR;
    return count < most ? count : most;
}

/* virtio 1.2 §5.2.6: a request is a device-readable header (type, reserved, sector), the
 * data (readable for a write, writable for a read), then a writable status byte. */
unsigned vblk_build(const struct vblk_limits *l, struct virtq_buf *bufs, uint32_t type,
                    const struct vblk_hdr *hdr, uintptr_t data, size_t bytes, const uint8_t *status,
                    unsigned *nout, unsigned *nin)
{
    if (type == VBLK_T_FLUSH ? bytes != 0 : (bytes == 0 || bytes % VBLK_SECTOR || bytes > l->max_request))
        return 0;
    unsigned n = 0;
    bufs[n++] = (struct virtq_buf){ (uintptr_t)hdr, sizeof *hdr };
    size_t nseg = 0;
    while (bytes) {
        uint32_t len = bytes < l->size_max ? (uint32_t)bytes : l->size_max;
        if (++nseg > l->seg_max)
            return 0;
        bufs[n++] = (struct virtq_buf){ data, len };
        data += len;
        bytes -= len;
    }
    bufs[n++] = (struct virtq_buf){ (uintptr_t)status, 1 };
    /* out: header (+ data for a write); in: (data for a read +) status */
    *nout = type == VBLK_T_OUT ? n - 1 : 1;
    *nin = n - *nout;
    return n;
}

bool vblk_in_range(uint64_t capacity, uint64_t sector, size_t count)
{
    return sector <= capacity && (uint64_t)count <= capacity - sector;
}
