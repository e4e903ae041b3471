/*
 * format.h - the object store's on-disk format and the shared in-memory
 * state. Shared, unchanged, by the objstore module and the host tool
 * anx-store (the host build mode, host/host.mk). All I/O goes through
 * struct os_bio.
 *
 * Layout, in 512-byte sectors (all integers little-endian):
 *
 *   0, 1        superblock copies A and B; the valid one with the higher
 *               generation wins (a torn superblock write leaves the other)
 *   8 ...       journal: write-ahead records, appended in order
 *   ...         checkpoint slots 0 and 1 (the index as a list of ops)
 *   ...         data: object contents, one extent per object
 *
 * A write (put, delete, gc) is: object data -> flush -> one journal record
 * (all ops of the transaction, CRC32C) -> flush -> acknowledged. Opening
 * reads the superblock, loads its checkpoint and replays the journal
 * records of the current epoch (nonce + sequence + CRC) until the first
 * one that does not check; then it writes a fresh checkpoint into the
 * other slot, flushes, and switches the superblock (other copy), flushes.
 * Extents freed since the last checkpoint are not reused until the next
 * one, so a checkpoint that is still current never points at overwritten
 * data. Object contents are verified against their SHA-256 id when read.
 */
#ifndef OBJSTORE_FORMAT_H
#define OBJSTORE_FORMAT_H

#include <anx/buf.h>
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/sha256.h>
#include <anx/time.h>

#define OS_SECTOR        512u
#define OS_MAGIC         "ANXSTOR1"
#define OS_VERSION       1u
#define OS_JOURNAL_START 8u
#define OS_JREC_MAGIC    0x4c4e524au    /* "JRNL" */
#define OS_JREC_HDR      32u
#define OS_MIN_SECTORS   1024u          /* 512 KiB */

/* limits (checked when decoding, never trusted) */
#define OS_NAME_MAX      200
#define OS_WRITER_MAX    32
#define OS_KEY_MAX       32
#define OS_VAL_MAX       200
#define OS_META_MAX      8
#define OS_PARENTS_MAX   4

/* Errors are <anx/errno.h> codes: ANX_EINVAL (bad argument or name),
 * ANX_ENOENT (no such name, version or object), ANX_ENOSPC (disk, journal
 * or index full), ANX_EDQUOT (quota exceeded), ANX_EIO (block device
 * error), ANX_ECORRUPT (damaged or foreign data), ANX_ENOMEM, ANX_EROFS
 * (read-only store or layer), ANX_EBROKEN (an earlier write failed and
 * reopening the store from the disk fails too). */

/* ---- block I/O: sectors of OS_SECTOR bytes --------------------------------- */
struct os_bio {
    void *ctx;
    uint64_t sectors;
    int (*read)(void *ctx, uint64_t sector, void *buf, uint32_t count);
    int (*write)(void *ctx, uint64_t sector, const void *buf, uint32_t count);
    int (*flush)(void *ctx);
};

/* ---- superblock (superblock.c) ---------------------------------------------- */
struct os_super {
    uint8_t uuid[16];
    uint64_t total_sectors;
    uint64_t journal_start, journal_sectors;
    uint64_t ckpt_start[2], ckpt_sectors;
    uint64_t data_start, data_sectors;
    uint64_t generation;       /* bumps with every checkpoint */
    uint32_t ckpt_slot;        /* 0 or 1 */
    uint64_t ckpt_bytes;
    uint32_t ckpt_crc;
    uint64_t nonce;            /* journal records of this epoch carry it */
};
/* Geometry for a disk of `sectors`: 0, or ANX_EINVAL when too small. */
int os_super_layout(struct os_super *sb, uint64_t sectors, const uint8_t uuid[16]);
void os_super_encode(const struct os_super *sb, uint8_t out[OS_SECTOR]);
/* Decode and validate one copy against the device size; 0 or ANX_ECORRUPT
 * with why set. */
int os_super_decode(struct os_super *sb, const uint8_t in[OS_SECTOR],
                    uint64_t dev_sectors, const char **why);
/* Read both copies and pick the newest valid one. */
int os_super_read(struct os_bio *bio, struct os_super *sb, char *err, size_t errlen);
/* Write the copy for sb->generation (A for even, B for odd) and flush. */
int os_super_write(struct os_bio *bio, const struct os_super *sb);
uint64_t os_epoch_nonce(const struct os_super *sb);

/* ---- CRC32C (crc32c.c) ------------------------------------------------------- */
uint32_t os_crc32c(uint32_t crc, const void *data, size_t n);

/* ---- encoding helpers (codec.c) ---------------------------------------------- */
/* Little-endian integers appended to the core's growable buffer
 * (<anx/buf.h>; raw bytes with anx_buf_add, out of memory sticky in oom). */
void os_w8(struct anx_buf *w, uint8_t v);
void os_w16(struct anx_buf *w, uint16_t v);
void os_w32(struct anx_buf *w, uint32_t v);
void os_w64(struct anx_buf *w, uint64_t v);
void os_wstr8(struct anx_buf *w, const char *s);   /* u8 length + bytes */

struct os_rbuf { const uint8_t *p; size_t n, off; bool bad; };
uint8_t os_r8(struct os_rbuf *r);
uint16_t os_r16(struct os_rbuf *r);
uint32_t os_r32(struct os_rbuf *r);
uint64_t os_r64(struct os_rbuf *r);
void os_rbytes(struct os_rbuf *r, void *d, size_t n);
/* u8 length + bytes into out (max bytes + NUL); bad if longer than max. */
void os_rstr8(struct os_rbuf *r, char *out, size_t max);

void os_put32(uint8_t *p, uint32_t v);
void os_put64(uint8_t *p, uint64_t v);
uint32_t os_get32(const uint8_t *p);
uint64_t os_get64(const uint8_t *p);

/* ---- in-memory state (index.c) ------------------------------------------------ */
struct os_meta { char key[OS_KEY_MAX + 1]; char value[OS_VAL_MAX + 1]; };

struct os_version {
    uint32_t no;                          /* 1, 2, ... within its name */
    uint8_t id[32];                       /* object = SHA-256 of content */
    uint64_t size;
    uint64_t time_ns;
    char writer[OS_WRITER_MAX + 1];       /* module that wrote it */
    uint8_t manifest[32];                 /* image manifest hash (0 = host) */
    uint8_t nparents;
    uint32_t parents[OS_PARENTS_MAX];     /* earlier version numbers */
    uint8_t nmeta;
    struct os_meta meta[OS_META_MAX];
};

struct os_name {
    char name[OS_NAME_MAX + 1];
    uint32_t nver;
    size_t cap;
    struct os_version *v;                 /* oldest first; v[nver-1] current */
};

struct os_object {
    uint8_t id[32];
    uint64_t start;                       /* sector, relative to data_start */
    uint64_t size;                        /* bytes */
    uint32_t refs;                        /* versions naming it */
};

struct os_extent { uint64_t start, count; };

/* ops: journal records and checkpoints are sequences of these */
enum { OP_CKPT = 1, OP_OBJ_ADD = 2, OP_VERSION = 3, OP_NAME_DEL = 4, OP_OBJ_FREE = 5 };

struct os_index {
    struct os_object *objs; size_t nobjs, capobjs;
    struct os_name *names; size_t nnames, capnames;   /* sorted by name */
    struct os_extent *pending; size_t npending, cappending; /* freed since checkpoint */
    uint64_t used_bytes;                  /* sum of object sizes */
    uint64_t data_sectors;                /* region bound for validation */
};

void os_index_free(struct os_index *ix);
struct os_object *os_index_obj(struct os_index *ix, const uint8_t id[32]);
struct os_name *os_index_name(struct os_index *ix, const char *name);
bool os_name_valid(const char *name);
/* Apply one encoded op from r; 0 or ANX_ECORRUPT/ANX_ENOMEM with *why. */
int os_index_apply(struct os_index *ix, struct os_rbuf *r, const char **why);
/* Apply every op in [p, p+n): 0 or an error. */
int os_index_apply_all(struct os_index *ix, const uint8_t *p, size_t n, const char **why);
/* Encoders of the ops. */
void os_enc_obj_add(struct anx_buf *w, const struct os_object *o);
void os_enc_version(struct anx_buf *w, const char *name, const struct os_version *v);
void os_enc_name_del(struct anx_buf *w, const char *name);
void os_enc_obj_free(struct anx_buf *w, const uint8_t id[32]);
/* The whole state as ops (a checkpoint payload), led by OP_CKPT gen. */
void os_index_encode(const struct os_index *ix, uint64_t generation, struct anx_buf *w);
/* First-fit free extent of count sectors that overlaps no object and no
 * pending extent: 0 with *start, or ANX_ENOSPC. */
int os_index_alloc(struct os_index *ix, uint64_t count, uint64_t *start);
uint64_t os_sectors_for(uint64_t bytes);

/* ---- journal (journal.c) ------------------------------------------------------ */
struct os_journal { uint64_t pos; uint64_t seq; };   /* next record: sector offset, sequence */
/* Replay the records of sb's epoch into ix; sets j to the tail. 0, or an
 * error with err set (a record that checks but does not apply). */
int os_journal_replay(struct os_bio *bio, const struct os_super *sb, struct os_index *ix,
                      struct os_journal *j, uint32_t *records, char *err, size_t errlen);
/* Sectors a record of `len` payload bytes takes. */
uint64_t os_journal_rec_sectors(size_t len);
/* Write one record at j->pos and flush; ANX_ENOSPC when it does not fit. */
int os_journal_append(struct os_bio *bio, const struct os_super *sb, struct os_journal *j,
                      const void *payload, size_t len);

/* ---- checkpoint (checkpoint.c) -------------------------------------------------- */
/* Load sb's checkpoint into an empty ix. */
int os_checkpoint_load(struct os_bio *bio, const struct os_super *sb, struct os_index *ix,
                       char *err, size_t errlen);
/* Write ix into the other slot, flush, switch the superblock (sb updated
 * on success: generation+1, new nonce), flush; pending extents released. */
int os_checkpoint_write(struct os_bio *bio, struct os_super *sb, struct os_index *ix);

#endif
