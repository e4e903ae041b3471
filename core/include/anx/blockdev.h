/*
 * The block device registry: disk drivers (virtio-blk ...) register a
 * device; storage modules (objstore) find one by name or take the first.
 * Neither side knows the other's headers.
 *
 * Every operation is called from thread context and blocks the calling
 * thread (it waits on a wait queue the driver's interrupt handler wakes);
 * other threads keep running meanwhile. A write is durable only after a
 * successful flush: drivers must pass flush through to the device.
 *
 * Errors are <anx/errno.h> codes: ANX_EINVAL (no device, no buffer, an
 * invalid device at registration), ANX_EEXIST (registered twice),
 * ANX_ERANGE (sectors past the end), ANX_EROFS (a write to a read-only
 * device), ANX_ENOTSUP (flush on a device without one), ANX_EIO (the
 * driver reported a failed transfer).
 */
#ifndef ANX_BLOCKDEV_H
#define ANX_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct anx_blockdev;

struct anx_blockdev_ops {
    /* Transfer `count` sectors starting at `sector`; 0, or nonzero when
     * the device failed (the registry reports ANX_EIO). The registry has
     * checked the range. buf needs no particular alignment. */
    int (*read)(struct anx_blockdev *bd, uint64_t sector, void *buf, size_t count);
    int (*write)(struct anx_blockdev *bd, uint64_t sector, const void *buf, size_t count);
    /* Make every completed write durable; 0, or nonzero (ANX_EIO). */
    int (*flush)(struct anx_blockdev *bd);
};

struct anx_blockdev_stats {
    uint64_t reads, writes, flushes, errors;
    uint64_t read_bytes, write_bytes;
};

struct anx_blockdev {
    /* filled by the driver before anx_blockdev_register() */
    const char *driver;               /* "virtio-blk" */
    uint64_t sectors;                 /* capacity in sectors */
    uint32_t sector_size;             /* bytes, usually 512 */
    bool read_only;
    const struct anx_blockdev_ops *ops;
    void *priv;

    /* set by the registry */
    char name[8];                     /* "disk0", "disk1" ... */
    struct anx_blockdev_stats stats;  /* counted by the registry helpers */
    struct anx_blockdev *next;        /* private */
};

/* 0, ANX_EINVAL (no read/write ops, a sector size that is not a power of
 * two of at least 512, a capacity that overflows bytes) or ANX_EEXIST. */
int anx_blockdev_register(struct anx_blockdev *bd);
struct anx_blockdev *anx_blockdev_first(void);
struct anx_blockdev *anx_blockdev_next(struct anx_blockdev *bd);
struct anx_blockdev *anx_blockdev_find(const char *name);

/* Checked, counted wrappers around ops: bounds-check the range and update
 * stats (every failure on a device counts in errors). Storage code calls
 * these, not ops directly. 0 or an error above. */
int anx_blockdev_read(struct anx_blockdev *bd, uint64_t sector, void *buf, size_t count);
int anx_blockdev_write(struct anx_blockdev *bd, uint64_t sector, const void *buf, size_t count);
int anx_blockdev_flush(struct anx_blockdev *bd);

#endif
