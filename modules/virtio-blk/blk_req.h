/* virtio-blk request layout and splitting, free of device access so the
 * host tests (tests/test_blk_req.c) can drive it. */
#ifndef VIRTIO_BLK_REQ_H
#define VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio.h"

#define VBLK_SECTOR 512u            /* the protocol's sector, whatever blk_size says */

#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4

#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2

/* The request header, device-readable (little-endian: x86_64, arm64). */
struct vblk_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

/* What one request may carry, from the negotiated features. */
struct vblk_limits {
    uint32_t seg_max;               /* data descriptors per request (>= 1) */
    uint32_t size_max;              /* bytes per data descriptor (>= 1) */
    uint32_t max_request;           /* bytes per request (a sector multiple) */
};

/* Limits from the device's offer: seg_max/size_max are 0 when their
 * feature was not negotiated; queue_size bounds the descriptors a chain may
 * use (header + data + status). Returns -1 when no request can carry even
 * one sector. */
int vblk_limits_init(struct vblk_limits *l, uint32_t seg_max, uint32_t size_max, uint16_t queue_size,
                     uint32_t max_request);

/* Sectors the next request of a `count`-sector transfer carries (>= 1 for
 * count >= 1). */
size_t vblk_chunk_sectors(const struct vblk_limits *l, size_t count);

/* Lay out one request as a descriptor chain in bufs (room for
 * seg_max + 2): header, the data split at size_max, status byte. For
 * VBLK_T_FLUSH bytes must be 0. Returns the number of buffers and sets
 * nout/nin (device-readable / device-writable); 0 when the data does not
 * fit the limits. */
unsigned vblk_build(const struct vblk_limits *l, struct virtq_buf *bufs, uint32_t type,
                    const struct vblk_hdr *hdr, uintptr_t data, size_t bytes, const uint8_t *status,
                    unsigned *nout, unsigned *nin);

/* Is [sector, sector + count) on a device of `capacity` sectors? */
bool vblk_in_range(uint64_t capacity, uint64_t sector, size_t count);

#endif
