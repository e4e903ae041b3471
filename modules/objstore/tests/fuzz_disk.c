/*
 * Fuzz harness for the disk parser (libFuzzer: LLVMFuzzerTestOneInput).
 *
 * A valid store (checkpoint plus journal records) is built once; each
 * input patches it: byte 0 holds flags, then (u16 sector, u16 offset, u8
 * len, bytes) patches. Flags ask to recompute the superblock, checkpoint
 * and journal checksums after patching, so the fuzzer gets past the CRCs
 * and reaches the decoders. Then the image is opened read-only and
 * read-write, every object read, checked, written to and reopened.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store.h"
#include "memdisk.h"

#define FZ_SECTORS 1024

static uint8_t *base;

static void build_base(void)
{
    struct memdisk d;
    struct os_store s;
    char err[200];
    static const uint8_t uuid[16] = {9, 9, 9};
    md_init(&d, FZ_SECTORS, NULL);
    os_store_format(&d.bio, uuid, err, sizeof(err));
    os_store_open(&s, &d.bio, false);
    struct os_meta m = {"type", "text/plain"};
    struct os_put_opts o = {.writer = "fuzz", .meta = &m, .nmeta = 1};
    os_store_put(&s, "a/b", "hello", 5, &o, NULL);
    os_store_put(&s, "a/b", "hello again", 11, &o, NULL);
    os_store_put(&s, "c", "x", 1, NULL, NULL);
    os_store_sync(&s);                                  /* these in the checkpoint */
    os_store_put(&s, "d/e", "journal", 7, &o, NULL);    /* these in the journal */
    os_store_delete(&s, "c");
    uint8_t id[32];
    os_store_put_object(&s, "loose", 5, id);
    os_store_close(&s);
    base = malloc(FZ_SECTORS * OS_SECTOR);
    memcpy(base, d.img, FZ_SECTORS * OS_SECTOR);
    md_free(&d);
}

static void fix_crcs(uint8_t *img, int flags)
{
    for (int c = 0; c < 2; c++) {
        uint8_t *sb = img + c * OS_SECTOR;
        if (memcmp(sb, OS_MAGIC, 8))
            continue;
        uint64_t cstart = os_get64(sb + 56 + 8 * (os_get32(sb + 104) & 1));
        uint64_t cbytes = os_get64(sb + 112);
        if ((flags & 2) && cstart < FZ_SECTORS && cbytes <= (FZ_SECTORS - cstart) * OS_SECTOR)
            os_put32(sb + 120, os_crc32c(0, img + cstart * OS_SECTOR, cbytes));
        if (flags & 4) {
            /* journal records: walk from the start, recomputing CRCs */
            uint64_t js = os_get64(sb + 40), jn = os_get64(sb + 48), pos = 0;
            while (js < FZ_SECTORS && jn <= FZ_SECTORS - js && pos < jn) {
                uint8_t *h = img + (js + pos) * OS_SECTOR;
                if (os_get32(h) != OS_JREC_MAGIC)
                    break;
                uint64_t len = os_get32(h + 24), ns = os_journal_rec_sectors(len);
                if (ns > jn - pos)
                    break;
                os_put32(h + 4, os_crc32c(0, h + 8, OS_JREC_HDR - 8 + len));
                pos += ns;
            }
        }
        if (flags & 1)
            os_put32(sb + 508, os_crc32c(0, sb, 508));
    }
}

static void quiet(void *a, const char *m) { (void)a; (void)m; }

static void exercise(uint8_t *img, bool ro)
{
    struct memdisk d;
    struct os_store s;
    md_init(&d, FZ_SECTORS, img);
    if (os_store_open(&s, &d.bio, ro) == 0) {
        for (size_t i = 0; i < s.ix.nobjs; i++) {
            void *out;
            size_t n;
            if (os_store_read(&s, s.ix.objs[i].id, &out, &n) == 0)
                free(out);
        }
        os_store_check(&s, quiet, NULL);
        struct os_df df;
        os_store_df(&s, &df);
        if (!ro) {
            os_store_put(&s, "a/b", "new", 3, NULL, NULL);
            os_store_delete(&s, "d/e");
            uint32_t o;
            uint64_t b;
            os_store_gc(&s, &o, &b);
            os_store_close(&s);
            if (os_store_open(&s, &d.bio, false) == 0)
                os_store_close(&s);
        } else {
            os_store_close(&s);
        }
    }
    md_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base)
        build_base();
    if (size < 1)
        return 0;
    uint8_t *img = malloc(FZ_SECTORS * OS_SECTOR);
    memcpy(img, base, FZ_SECTORS * OS_SECTOR);
    int flags = data[0];
    size_t off = 1;
    while (off + 5 <= size) {
        uint64_t sec = (data[off] | data[off + 1] << 8) % FZ_SECTORS;
        uint64_t at = sec * OS_SECTOR + ((data[off + 2] | data[off + 3] << 8) % OS_SECTOR);
        size_t len = data[off + 4];
        off += 5;
        for (size_t i = 0; i < len && off < size && at < FZ_SECTORS * OS_SECTOR; i++)
            img[at++] = data[off++];
    }
    fix_crcs(img, flags);
    exercise(img, true);
    exercise(img, false);
    free(img);
    return 0;
}
