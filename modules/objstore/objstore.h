/*
 * objstore.h - the object store's C API for other modules.
 *
 * Objects are immutable contents addressed by their SHA-256 (64 hex
 * digits). Names (path-like: "models/tiny", segments of [A-Za-z0-9._-])
 * point at a current version and keep their history; each version records
 * its provenance: the writing module, parent versions, the time (Unix
 * nanoseconds from both writers: the image's RTC-based anx_time_unix_ns,
 * the host tool's clock) and the
 * image's manifest hash, plus small key/value metadata ("type" is the
 * content type).
 *
 * Two layers: the read-only base layer holds the image's `files:` (name =
 * path without the leading '/', version 1, writer "image", verified by
 * hash on every os_read), the writable layer (RAM or disk) shadows
 * it. Other modules reach the current version of a name without depending
 * on this one through <anx/data.h> (objstore_module.c's provider). Every
 * write returns 0 only once durable.
 *
 * Calls block the calling thread (disk I/O) and are serialized by a lock;
 * callbacks run with the lock held and must not call objstore_*.
 * Errors are <anx/errno.h> codes (anx_strerror names them): those of the
 * store (format.h: ANX_EINVAL, ANX_ENOENT, ANX_ENOSPC, ANX_EDQUOT, ANX_EIO,
 * ANX_ECORRUPT, ANX_ENOMEM, ANX_EROFS, ANX_EBROKEN), and while the store
 * is not open ANX_EAGAIN (a disk store before the start phase opened it)
 * or ANX_EBROKEN (it could not be opened: the log says why).
 */
#ifndef OBJSTORE_H
#define OBJSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <anx/errno.h>

#define OBJSTORE_META_MAX 8
#define OBJSTORE_PARENTS_MAX 4

struct objstore_version {
    char name[201];
    uint32_t no;                        /* 1, 2, ... */
    char id[65];                        /* object id, hex */
    uint64_t size;
    uint64_t time_ns;
    char writer[33];
    char manifest[65];                  /* hex; zeros from the host tool */
    int nparents;
    uint32_t parents[OBJSTORE_PARENTS_MAX];
    int nmeta;
    char key[OBJSTORE_META_MAX][33];
    char value[OBJSTORE_META_MAX][201];
    bool base;                          /* from the read-only base layer */
};

struct objstore_write_opts {
    const char *writer;                 /* provenance label; NULL = the calling module */
    const char *type;                   /* content type; NULL = none */
    int nmeta;                          /* more metadata */
    const char *const *keys;
    const char *const *values;
    int nparents;                       /* -1 or 0 with parents NULL: the current version */
    const uint32_t *parents;
};

bool os_ready(void);

/* Grants. Every call below takes the calling module's name first (its
 * own, as module.yaml spells it) and answers ANX_EPERM, with one log line,
 * when the image's grants (<anx/module.h>, "object grants") do not let
 * that module read or write the name: reading covers os_read, os_versions
 * and os_list (which lists only the names the module may read), writing
 * covers os_write, os_link and os_delete. Objects by id reach any name's
 * content, so os_get needs the read grant "*" and os_put the write grant
 * "*". The writer recorded in a version's provenance is the module, or
 * the label o->writer gives. */

/* Store content without a name (gc collects it unless a version names it). */
int os_put(const char *module, const void *data, size_t len, char id[65]);
/* Read an object by id (either layer), verified; *data freed with anx_free. */
int os_get(const char *module, const char *id, void **data, size_t *len);

/* A new version of name holding data; *out (optional) describes it. */
int os_write(const char *module, const char *name, const void *data, size_t len,
             const struct objstore_write_opts *o, struct objstore_version *out);
/* A new version of name pointing at an existing object. */
int os_link(const char *module, const char *name, const char *id, const struct objstore_write_opts *o,
            struct objstore_version *out);
/* Version no (0 = current) of name: its content (*data freed with anx_free;
 * data may be NULL to only stat) and description. */
int os_read(const char *module, const char *name, uint32_t no, void **data, size_t *len,
            struct objstore_version *out);
/* Forget a name and its history (writable layer only). */
int os_delete(const char *module, const char *name);

/* Every version of name, oldest first; fn returns nonzero to stop. */
int os_versions(const char *module, const char *name, int (*fn)(const struct objstore_version *v, void *arg),
                void *arg);
/* The current version of every name starting with prefix ("" = all) that
 * module may read, in name order, writable layer shadowing the base. */
int os_list(const char *module, const char *prefix, int (*fn)(const struct objstore_version *v, void *arg),
            void *arg);

int os_gc(uint32_t *objects, uint64_t *bytes);

struct objstore_df {
    const char *backend;                /* "ram" or "disk0" ... */
    uint64_t capacity, used, quota;
    uint64_t objects, names, versions, unreferenced;
    uint64_t base_files, base_bytes;
    uint64_t journal_used, journal_size, index_bytes, index_max;
};
int os_df(struct objstore_df *df);
/* Verify every object of both layers; each problem goes to report.
 * Returns the number of problems or a negative error. */
int os_check(void (*report)(const char *msg));

#endif
