/* superblock.c - geometry, encoding and validation of the two superblock
 * copies. Nothing read from a disk is trusted: every region must lie
 * inside the device and not overlap the others. */
#include "format.h"

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int os_super_layout(struct os_super *sb, uint64_t sectors, const uint8_t uuid[16])
{
    if (sectors < OS_MIN_SECTORS || sectors > (1ull << 40))
        return ANX_EINVAL;
    memset(sb, 0, sizeof(*sb));
    memcpy(sb->uuid, uuid, 16);
    sb->total_sectors = sectors;
    sb->journal_start = OS_JOURNAL_START;
    sb->journal_sectors = clamp(sectors / 16, 128, 65536);
    sb->ckpt_sectors = clamp(sectors / 32, 128, 32768);
    sb->ckpt_start[0] = sb->journal_start + sb->journal_sectors;
    sb->ckpt_start[1] = sb->ckpt_start[0] + sb->ckpt_sectors;
    sb->data_start = (sb->ckpt_start[1] + sb->ckpt_sectors + 7) & ~7ull;
    if (sb->data_start + 64 > sectors)
        return ANX_EINVAL;
    sb->data_sectors = sectors - sb->data_start;
    sb->nonce = os_epoch_nonce(sb);
    return 0;
}

uint64_t os_epoch_nonce(const struct os_super *sb)
{
    uint8_t in[24], h[32];
    memcpy(in, sb->uuid, 16);
    os_put64(in + 16, sb->generation);
    anx_sha256(in, sizeof(in), h);
    return os_get64(h);
}

/* offsets inside the superblock sector */
enum {
    SB_MAGIC = 0, SB_VERSION = 8, SB_SECTOR = 12, SB_UUID = 16, SB_TOTAL = 32,
    SB_JSTART = 40, SB_JSECT = 48, SB_C0 = 56, SB_C1 = 64, SB_CSECT = 72,
    SB_DSTART = 80, SB_DSECT = 88, SB_GEN = 96, SB_SLOT = 104, SB_CBYTES = 112,
    SB_CCRC = 120, SB_NONCE = 128, SB_CRC = 508,
};

void os_super_encode(const struct os_super *sb, uint8_t out[OS_SECTOR])
{
    memset(out, 0, OS_SECTOR);
    memcpy(out + SB_MAGIC, OS_MAGIC, 8);
    os_put32(out + SB_VERSION, OS_VERSION);
    os_put32(out + SB_SECTOR, OS_SECTOR);
    memcpy(out + SB_UUID, sb->uuid, 16);
    os_put64(out + SB_TOTAL, sb->total_sectors);
    os_put64(out + SB_JSTART, sb->journal_start);
    os_put64(out + SB_JSECT, sb->journal_sectors);
    os_put64(out + SB_C0, sb->ckpt_start[0]);
    os_put64(out + SB_C1, sb->ckpt_start[1]);
    os_put64(out + SB_CSECT, sb->ckpt_sectors);
    os_put64(out + SB_DSTART, sb->data_start);
    os_put64(out + SB_DSECT, sb->data_sectors);
    os_put64(out + SB_GEN, sb->generation);
    os_put32(out + SB_SLOT, sb->ckpt_slot);
    os_put64(out + SB_CBYTES, sb->ckpt_bytes);
    os_put32(out + SB_CCRC, sb->ckpt_crc);
    os_put64(out + SB_NONCE, sb->nonce);
    os_put32(out + SB_CRC, os_crc32c(0, out, SB_CRC));
}

/* [s, s+n) inside [lo, hi) */
static bool inside(uint64_t s, uint64_t n, uint64_t lo, uint64_t hi)
{
    return s >= lo && s <= hi && n <= hi - s;
}

int os_super_decode(struct os_super *sb, const uint8_t in[OS_SECTOR],
                    uint64_t dev_sectors, const char **why)
{
    memset(sb, 0, sizeof(*sb));
    if (memcmp(in + SB_MAGIC, OS_MAGIC, 8)) {
        *why = "no object store signature (not an Anunix store disk)";
        return ANX_ECORRUPT;
    }
    if (os_get32(in + SB_CRC) != os_crc32c(0, in, SB_CRC)) {
        *why = "superblock checksum mismatch";
        return ANX_ECORRUPT;
    }
    if (os_get32(in + SB_VERSION) != OS_VERSION) {
        *why = "unsupported format version";
        return ANX_ECORRUPT;
    }
    if (os_get32(in + SB_SECTOR) != OS_SECTOR) {
        *why = "unsupported sector size";
        return ANX_ECORRUPT;
    }
    memcpy(sb->uuid, in + SB_UUID, 16);
    sb->total_sectors = os_get64(in + SB_TOTAL);
    sb->journal_start = os_get64(in + SB_JSTART);
    sb->journal_sectors = os_get64(in + SB_JSECT);
    sb->ckpt_start[0] = os_get64(in + SB_C0);
    sb->ckpt_start[1] = os_get64(in + SB_C1);
    sb->ckpt_sectors = os_get64(in + SB_CSECT);
    sb->data_start = os_get64(in + SB_DSTART);
    sb->data_sectors = os_get64(in + SB_DSECT);
    sb->generation = os_get64(in + SB_GEN);
    sb->ckpt_slot = os_get32(in + SB_SLOT);
    sb->ckpt_bytes = os_get64(in + SB_CBYTES);
    sb->ckpt_crc = os_get32(in + SB_CCRC);
    sb->nonce = os_get64(in + SB_NONCE);

    uint64_t t = sb->total_sectors;
    if (t > dev_sectors) {
        *why = "the store is larger than the device (truncated image?)";
        return ANX_ECORRUPT;
    }
    /* regions in order, inside the store, not overlapping */
    if (sb->journal_start < 2 || sb->journal_sectors < 16 || sb->ckpt_sectors < 16 ||
        !inside(sb->journal_start, sb->journal_sectors, 2, t) ||
        sb->ckpt_start[0] < sb->journal_start + sb->journal_sectors ||
        !inside(sb->ckpt_start[0], sb->ckpt_sectors, 2, t) ||
        sb->ckpt_start[1] < sb->ckpt_start[0] + sb->ckpt_sectors ||
        !inside(sb->ckpt_start[1], sb->ckpt_sectors, 2, t) ||
        sb->data_start < sb->ckpt_start[1] + sb->ckpt_sectors ||
        !inside(sb->data_start, sb->data_sectors, 2, t)) {
        *why = "superblock regions out of bounds";
        return ANX_ECORRUPT;
    }
    if (sb->ckpt_slot > 1 || sb->ckpt_bytes > sb->ckpt_sectors * OS_SECTOR) {
        *why = "superblock checkpoint pointer out of bounds";
        return ANX_ECORRUPT;
    }
    if (sb->nonce != os_epoch_nonce(sb)) {
        *why = "superblock journal nonce mismatch";
        return ANX_ECORRUPT;
    }
    return 0;
}

int os_super_read(struct os_bio *bio, struct os_super *sb, char *err, size_t errlen)
{
    uint8_t buf[2][OS_SECTOR];
    struct os_super c[2];
    const char *why[2] = {"", ""};
    int ok[2];
    if (bio->sectors < OS_MIN_SECTORS) {
        snprintf(err, errlen, "device too small for an object store (%llu sectors)",
                 (unsigned long long)bio->sectors);
        return ANX_ECORRUPT;
    }
    if (bio->read(bio->ctx, 0, buf, 2)) {
        snprintf(err, errlen, "cannot read the superblock: I/O error");
        return ANX_EIO;
    }
    for (int i = 0; i < 2; i++)
        ok[i] = os_super_decode(&c[i], buf[i], bio->sectors, &why[i]) == 0;
    /* both copies must describe the same store */
    if (ok[0] && ok[1] && memcmp(c[0].uuid, c[1].uuid, 16))
        ok[1] = 0, why[1] = "superblock copies disagree";
    if (!ok[0] && !ok[1]) {
        snprintf(err, errlen, "refusing the disk: %s", why[0]);
        return ANX_ECORRUPT;
    }
    int pick = !ok[0] ? 1 : !ok[1] ? 0 : (c[1].generation > c[0].generation);
    *sb = c[pick];
    return 0;
}

int os_super_write(struct os_bio *bio, const struct os_super *sb)
{
    uint8_t buf[OS_SECTOR];
    os_super_encode(sb, buf);
    if (bio->write(bio->ctx, sb->generation & 1, buf, 1) || bio->flush(bio->ctx))
        return ANX_EIO;
    return 0;
}
