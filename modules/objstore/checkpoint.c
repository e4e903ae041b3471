/* checkpoint.c - the whole index written as ops into one of two slots;
 * the superblock names the current slot, its length and CRC32C. A new
 * checkpoint goes into the other slot, so the current one stays intact
 * until the superblock switch is durable. */
#include "format.h"

int os_checkpoint_load(struct os_bio *bio, const struct os_super *sb, struct os_index *ix,
                       char *err, size_t errlen)
{
    uint64_t ns = os_sectors_for(sb->ckpt_bytes);
    if (sb->ckpt_bytes < 9 || ns > sb->ckpt_sectors) {
        snprintf(err, errlen, "refusing the disk: checkpoint length out of bounds");
        return ANX_ECORRUPT;
    }
    uint8_t *buf = anx_malloc(ns * OS_SECTOR);
    if (!buf) {
        snprintf(err, errlen, "out of memory loading the checkpoint");
        return ANX_ENOMEM;
    }
    int rc = 0;
    if (bio->read(bio->ctx, sb->ckpt_start[sb->ckpt_slot], buf, (uint32_t)ns)) {
        snprintf(err, errlen, "cannot read the checkpoint: I/O error");
        rc = ANX_EIO;
        goto out;
    }
    if (os_crc32c(0, buf, sb->ckpt_bytes) != sb->ckpt_crc) {
        snprintf(err, errlen, "refusing the disk: checkpoint checksum mismatch");
        rc = ANX_ECORRUPT;
        goto out;
    }
    if (buf[0] != OP_CKPT || os_get64(buf + 1) != sb->generation) {
        snprintf(err, errlen, "refusing the disk: checkpoint of another generation");
        rc = ANX_ECORRUPT;
        goto out;
    }
    const char *why = "";
    rc = os_index_apply_all(ix, buf + 9, sb->ckpt_bytes - 9, &why);
    if (rc)
        snprintf(err, errlen, "refusing the disk: checkpoint: %s", why);
out:
    anx_free(buf);
    return rc;
}

int os_checkpoint_write(struct os_bio *bio, struct os_super *sb, struct os_index *ix)
{
    struct anx_buf w = {0};
    struct os_super next = *sb;
    next.generation = sb->generation + 1;
    next.ckpt_slot = sb->ckpt_slot ^ 1;
    os_index_encode(ix, next.generation, &w);
    if (w.oom) {
        anx_buf_free(&w);
        return ANX_ENOMEM;
    }
    uint64_t ns = os_sectors_for(w.len);
    if (ns > sb->ckpt_sectors) {
        anx_buf_free(&w);
        return ANX_ENOSPC;
    }
    size_t padded = ns * OS_SECTOR;
    uint8_t *buf = anx_calloc(1, padded);
    if (!buf) {
        anx_buf_free(&w);
        return ANX_ENOMEM;
    }
    memcpy(buf, w.p, w.len);
    next.ckpt_bytes = w.len;
    next.ckpt_crc = os_crc32c(0, w.p, w.len);
    next.nonce = os_epoch_nonce(&next);
    anx_buf_free(&w);
    int rc = 0;
    if (bio->write(bio->ctx, next.ckpt_start[next.ckpt_slot], buf, (uint32_t)ns) ||
        bio->flush(bio->ctx) || os_super_write(bio, &next))
        rc = ANX_EIO;
    anx_free(buf);
    if (!rc) {
        *sb = next;
        ix->npending = 0;        /* the freed extents are in no checkpoint now */
    }
    return rc;
}
