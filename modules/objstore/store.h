/*
 * store.h - one object store on one block device: the operations the
 * objstore module and the anx-store host tool share. Not thread-safe: the
 * caller serializes (the module holds a lock around every call).
 *
 * Every write is acknowledged (returns 0) only after it is durable. After
 * a failed write the store is "broken": the next write first reopens it
 * from the disk (recovery, as after a crash) and fails with ANX_EBROKEN
 * while that reopen fails; reads go on from the index it had meanwhile.
 */
#ifndef OBJSTORE_STORE_H
#define OBJSTORE_STORE_H

#include "format.h"

struct os_store {
    struct os_bio *bio;
    struct os_super sb;
    struct os_index ix;
    struct os_journal j;
    uint64_t quota;            /* bytes of objects, 0 = the disk's size */
    bool readonly, broken;
    uint32_t replayed;         /* journal records replayed at open */
    uint32_t recoveries;       /* reopens after a failed write (store.c recover) */
    char err[200];             /* why open failed */
};

struct os_put_opts {
    const char *writer;                 /* module name; NULL = "host" */
    const uint8_t *manifest;            /* 32 bytes or NULL (zeros) */
    const struct os_meta *meta;
    int nmeta;
    const uint32_t *parents;            /* NULL: the name's current version */
    int nparents;
};

/* Write an empty store over the whole device (uuid: 16 random bytes). */
int os_store_format(struct os_bio *bio, const uint8_t uuid[16], char *err, size_t errlen);
/* Open (recover) a store; on failure s->err says why. readonly opens
 * write nothing to the device. */
int os_store_open(struct os_store *s, struct os_bio *bio, bool readonly);
void os_store_close(struct os_store *s);

/* A new object (no name; collected by gc until a version names it). */
int os_store_put_object(struct os_store *s, const void *data, size_t len, uint8_t id[32]);
/* A new version of name with this content; *out (optional) gets it. */
int os_store_put(struct os_store *s, const char *name, const void *data, size_t len,
           const struct os_put_opts *o, struct os_version *out);
/* A new version of name pointing at an existing object. */
int os_store_link(struct os_store *s, const char *name, const uint8_t id[32],
            const struct os_put_opts *o, struct os_version *out);
/* Read an object, verified against its id; *data is anx_free'd by the caller. */
int os_store_read(struct os_store *s, const uint8_t id[32], void **data, size_t *len);
/* Forget a name and its history (objects become collectable). */
int os_store_delete(struct os_store *s, const char *name);
/* Free every object no version names; then checkpoint. */
int os_store_gc(struct os_store *s, uint32_t *objects, uint64_t *bytes);
/* Write a checkpoint now (also empties the journal). */
int os_store_sync(struct os_store *s);
/* Verify every object's content and the index; report each problem.
 * Returns the number of problems, or a negative error. */
int os_store_check(struct os_store *s, void (*report)(void *arg, const char *msg), void *arg);

struct os_df {
    uint64_t data_bytes, used_bytes, quota;
    uint64_t objects, names, versions, unreferenced;
    uint64_t journal_bytes, journal_used, index_bytes, index_max;
};
void os_store_df(struct os_store *s, struct os_df *df);

/* hex -> id (64 hex digits, either case); id -> hex is the core's
 * anx_sha256_hex (<anx/sha256.h>). 0 or ANX_EINVAL. */
int os_id_parse(const char *hex, uint8_t id[32]);
const char *os_meta_get(const struct os_version *v, const char *key);

#endif
