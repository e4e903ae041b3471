/* blockio.h - os_bio back ends inside an image: a block device from the
 * registry, or RAM. */
#ifndef OBJSTORE_BLOCKIO_H
#define OBJSTORE_BLOCKIO_H

#include <anx/blockdev.h>
#include "format.h"

/* 0, or ANX_ENOTSUP (sector size not 512) / ANX_EROFS with *why. */
int os_bio_blockdev(struct os_bio *bio, struct anx_blockdev *bd, const char **why);
/* A RAM disk of `bytes` (rounded down to sectors), zeroed. 0 or ANX_ENOMEM. */
int os_bio_ram(struct os_bio *bio, uint64_t bytes);

#endif
