/* journal.c - the write-ahead journal: one record per transaction,
 *
 *   0  magic "JRNL"   u32
 *   4  crc32c         u32   over bytes 8 .. 32+len
 *   8  nonce          u64   the epoch's (superblock) nonce
 *   16 seq            u64   0, 1, 2 ... within the epoch
 *   24 len            u32   payload bytes (ops, see index.c)
 *   28 reserved       u32
 *   32 payload, zero-padded to a whole sector
 *
 * Records follow each other from the journal's first sector. Replay stops
 * at the first record that does not check (torn, stale, never written):
 * everything before it was flushed before it was acknowledged. */
#include "format.h"

uint64_t os_journal_rec_sectors(size_t len)
{
    return os_sectors_for((uint64_t)OS_JREC_HDR + len);
}

int os_journal_append(struct os_bio *bio, const struct os_super *sb, struct os_journal *j,
                      const void *payload, size_t len)
{
    uint64_t ns = os_journal_rec_sectors(len);
    if (len > 0xffffffffu || ns > sb->journal_sectors || j->pos > sb->journal_sectors - ns)
        return ANX_ENOSPC;
    uint8_t *buf = anx_calloc(ns, OS_SECTOR);
    if (!buf)
        return ANX_ENOMEM;
    os_put32(buf, OS_JREC_MAGIC);
    os_put64(buf + 8, sb->nonce);
    os_put64(buf + 16, j->seq);
    os_put32(buf + 24, (uint32_t)len);
    memcpy(buf + OS_JREC_HDR, payload, len);
    os_put32(buf + 4, os_crc32c(0, buf + 8, OS_JREC_HDR - 8 + len));
    int rc = 0;
    if (bio->write(bio->ctx, sb->journal_start + j->pos, buf, (uint32_t)ns) || bio->flush(bio->ctx))
        rc = ANX_EIO;
    anx_free(buf);
    if (!rc) {
        j->pos += ns;
        j->seq++;
    }
    return rc;
}

int os_journal_replay(struct os_bio *bio, const struct os_super *sb, struct os_index *ix,
                      struct os_journal *j, uint32_t *records, char *err, size_t errlen)
{
    uint8_t hdr[OS_SECTOR];
    j->pos = 0;
    j->seq = 0;
    *records = 0;
    while (j->pos < sb->journal_sectors) {
        if (bio->read(bio->ctx, sb->journal_start + j->pos, hdr, 1)) {
            snprintf(err, errlen, "cannot read the journal: I/O error");
            return ANX_EIO;
        }
        if (os_get32(hdr) != OS_JREC_MAGIC || os_get64(hdr + 8) != sb->nonce ||
            os_get64(hdr + 16) != j->seq)
            break;                                  /* end of this epoch's records */
        uint64_t len = os_get32(hdr + 24);
        uint64_t ns = os_journal_rec_sectors(len);
        if (ns > sb->journal_sectors - j->pos)
            break;                                  /* cannot be a record of ours */
        uint8_t *buf = anx_malloc(ns * OS_SECTOR);
        if (!buf) {
            snprintf(err, errlen, "out of memory replaying the journal");
            return ANX_ENOMEM;
        }
        if (bio->read(bio->ctx, sb->journal_start + j->pos, buf, (uint32_t)ns)) {
            anx_free(buf);
            snprintf(err, errlen, "cannot read the journal: I/O error");
            return ANX_EIO;
        }
        if (os_get32(buf + 4) != os_crc32c(0, buf + 8, OS_JREC_HDR - 8 + len)) {
            anx_free(buf);
            break;                                  /* torn: never acknowledged */
        }
        const char *why = "";
        int rc = os_index_apply_all(ix, buf + OS_JREC_HDR, len, &why);
        anx_free(buf);
        if (rc) {
            snprintf(err, errlen, "refusing the disk: journal record %llu: %s",
                     (unsigned long long)j->seq, why);
            return rc;
        }
        j->pos += ns;
        j->seq++;
        (*records)++;
    }
    return 0;
}
