/* objstore_module.c - the objstore module: opens the writable layer (RAM or a
 * disk) at init and implements objstore.h over it and the base layer. */
#define LOG_TAG "objstore"
#include <anx/blockdev.h>
#include <anx/data.h>
#include <anx/feed.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/sha256.h>
#include <anx/thread.h>
#include "base.h"
#include "blockio.h"
#include "objstore.h"
#include "store.h"

static struct os_bio bio;
static struct os_store store;
static bool ready;
static bool opening;          /* a disk store not opened yet (until start ends) */
static bool busy;
static char backend_name[16];
static uint8_t manifest[32];

void os_commands_init(void);

static void lock(void)
{
    while (busy)
        anx_yield();          /* cooperative: only I/O inside a call yields */
    busy = true;
}

static void unlock(void)
{
    /* a write after a failed one reopened the store from the disk (store.h) */
    static uint32_t recoveries;
    if (store.recoveries != recoveries) {
        recoveries = store.recoveries;
        log_info("%s: recovered from the disk after a write error: %llu names, %u journal records",
                 backend_name, (unsigned long long)store.ix.nnames, (unsigned)store.replayed);
    }
    busy = false;
}

bool os_ready(void)
{
    return ready;
}

/* Why a call finds no open store: not yet (a disk store opens in the
 * start phase), or never (it could not be opened; the module is failed). */
static int unavailable(void)
{
    return opening ? ANX_EAGAIN : ANX_EBROKEN;
}

/* on_name's answer when the writable layer does not hold the name: the
 * caller then looks in the base layer (the image's files). */
#define NOT_WRITABLE 1

/* The reads by name share one shape: a valid name, not while a disk store
 * is still opening, and the writable layer first. Runs fn on the writable
 * layer's record of name with the store locked and returns its result;
 * ANX_EINVAL (invalid name), ANX_EAGAIN (opening), or NOT_WRITABLE. */
static int on_name(const char *name, int (*fn)(const char *name, struct os_name *nm, void *arg), void *arg)
{
    if (!os_name_valid(name))
        return ANX_EINVAL;
    if (opening)
        return ANX_EAGAIN;
    if (!ready)
        return NOT_WRITABLE;
    lock();
    struct os_name *nm = os_index_name(&store.ix, name);
    int rc = nm ? fn(name, nm, arg) : NOT_WRITABLE;
    unlock();
    return rc;
}

static void describe(const char *name, const struct os_version *v, struct objstore_version *out)
{
    memset(out, 0, sizeof(*out));
    strlcpy(out->name, name, sizeof(out->name));
    out->no = v->no;
    anx_sha256_hex(v->id, out->id);
    out->size = v->size;
    out->time_ns = v->time_ns;
    strlcpy(out->writer, v->writer, sizeof(out->writer));
    anx_sha256_hex(v->manifest, out->manifest);
    out->nparents = v->nparents;
    for (int i = 0; i < v->nparents; i++)
        out->parents[i] = v->parents[i];
    out->nmeta = v->nmeta;
    for (int i = 0; i < v->nmeta; i++) {
        strlcpy(out->key[i], v->meta[i].key, sizeof(out->key[i]));
        strlcpy(out->value[i], v->meta[i].value, sizeof(out->value[i]));
    }
}

/* Every new version and deletion goes to the change feeds (<anx/feed.h>),
 * after the store has it durably. */
static void published(const char *name, const struct os_version *v)
{
    char id[65];
    anx_sha256_hex(v->id, id);
    anx_feed_publish(ANX_FEED_VERSION, name, v->no, id);
}

/* The grant check of every call (objstore.h, "Grants"). */
static bool may(const char *module, const char *name, enum anx_access how)
{
    return anx_object_granted(module, name, how);
}

int os_put(const char *module, const void *data, size_t len, char id[65])
{
    if (!may(module, "*", ANX_ACCESS_WRITE))
        return ANX_EPERM;
    if (!ready)
        return unavailable();
    uint8_t raw[32];
    lock();
    int rc = os_store_put_object(&store, data, len, raw);
    unlock();
    if (!rc)
        anx_sha256_hex(raw, id);
    return rc;
}

int os_get(const char *module, const char *id, void **data, size_t *len)
{
    if (!may(module, "*", ANX_ACCESS_READ))
        return ANX_EPERM;
    uint8_t raw[32];
    if (os_id_parse(id, raw))
        return ANX_EINVAL;
    if (opening)
        return ANX_EAGAIN;
    if (ready) {
        lock();
        int rc = os_store_read(&store, raw, data, len);
        unlock();
        if (rc != ANX_ENOENT)
            return rc;
    }
    struct anx_file f;
    if (!os_base_find_id(raw, &f))
        return os_base_read(&f, data, len);
    return ANX_ENOENT;
}

static int make_opts(const char *module, const struct objstore_write_opts *o, struct os_put_opts *po,
                     struct os_meta *meta)
{
    memset(po, 0, sizeof(*po));
    po->writer = o && o->writer ? o->writer : module;
    po->manifest = manifest;
    po->meta = meta;
    int n = 0;
    if (o && o->type) {
        if (strlen(o->type) > OS_VAL_MAX)
            return ANX_EINVAL;
        strlcpy(meta[n].key, "type", sizeof(meta[n].key));
        strlcpy(meta[n].value, o->type, sizeof(meta[n].value));
        n++;
    }
    for (int i = 0; o && i < o->nmeta; i++) {
        if (n >= OS_META_MAX || strlen(o->keys[i]) > OS_KEY_MAX || strlen(o->values[i]) > OS_VAL_MAX)
            return ANX_EINVAL;
        strlcpy(meta[n].key, o->keys[i], sizeof(meta[n].key));
        strlcpy(meta[n].value, o->values[i], sizeof(meta[n].value));
        n++;
    }
    po->nmeta = n;
    if (o && o->parents && o->nparents > 0) {
        po->parents = o->parents;
        po->nparents = o->nparents;
    }
    return 0;
}

int os_write(const char *module, const char *name, const void *data, size_t len,
             const struct objstore_write_opts *o, struct objstore_version *out)
{
    if (!may(module, name, ANX_ACCESS_WRITE))
        return ANX_EPERM;
    if (!ready)
        return unavailable();
    struct os_put_opts po;
    struct os_meta meta[OS_META_MAX];
    int rc = make_opts(module, o, &po, meta);
    if (rc)
        return rc;
    struct os_version v;
    lock();
    rc = os_store_put(&store, name, data, len, &po, &v);
    unlock();
    if (!rc)
        published(name, &v);
    if (!rc && out)
        describe(name, &v, out);
    return rc;
}

int os_link(const char *module, const char *name, const char *id, const struct objstore_write_opts *o,
            struct objstore_version *out)
{
    if (!may(module, name, ANX_ACCESS_WRITE))
        return ANX_EPERM;
    if (!ready)
        return unavailable();
    uint8_t raw[32];
    if (os_id_parse(id, raw))
        return ANX_EINVAL;
    struct os_put_opts po;
    struct os_meta meta[OS_META_MAX];
    int rc = make_opts(module, o, &po, meta);
    if (rc)
        return rc;
    struct os_version v;
    lock();
    rc = os_store_link(&store, name, raw, &po, &v);
    if (rc == ANX_ENOENT) {
        /* an object of the base layer: copy it into the writable layer */
        struct anx_file f;
        void *d;
        size_t n;
        if (!os_base_find_id(raw, &f) && !(rc = os_base_read(&f, &d, &n))) {
            rc = os_store_put(&store, name, d, n, &po, &v);
            anx_free(d);
        }
    }
    unlock();
    if (!rc)
        published(name, &v);
    if (!rc && out)
        describe(name, &v, out);
    return rc;
}

struct read_args {
    uint32_t no;
    void **data;
    size_t *len;
    struct objstore_version *out;
};

static int read_version(const char *name, struct os_name *nm, void *arg)
{
    struct read_args *a = arg;
    for (uint32_t i = 0; i < nm->nver; i++)
        if (a->no == 0 ? i == nm->nver - 1 : nm->v[i].no == a->no) {
            describe(name, &nm->v[i], a->out);
            return a->data ? os_store_read(&store, nm->v[i].id, a->data, a->len) : 0;
        }
    return ANX_ENOENT;
}

int os_read(const char *module, const char *name, uint32_t no, void **data, size_t *len,
            struct objstore_version *out)
{
    if (!may(module, name, ANX_ACCESS_READ))
        return ANX_EPERM;
    struct objstore_version tmp;
    struct read_args a = {no, data, len, out ? out : &tmp};
    int rc = on_name(name, read_version, &a);
    if (rc != NOT_WRITABLE)
        return rc;
    struct anx_file f;
    if (os_base_find_name(name, &f) || no > 1)
        return ANX_ENOENT;
    os_base_describe(&f, name, a.out);
    return data ? os_base_read(&f, data, len) : 0;
}

int os_delete(const char *module, const char *name)
{
    if (!may(module, name, ANX_ACCESS_WRITE))
        return ANX_EPERM;
    if (!ready)
        return unavailable();
    lock();
    int rc = os_store_delete(&store, name);
    unlock();
    if (!rc)
        anx_feed_publish(ANX_FEED_DELETE, name, 0, NULL);
    struct anx_file f;
    if (rc == ANX_ENOENT && !os_base_find_name(name, &f))
        rc = ANX_EROFS;
    return rc;
}

struct versions_args {
    int (*fn)(const struct objstore_version *v, void *arg);
    void *arg;
};

static int each_version(const char *name, struct os_name *nm, void *arg)
{
    struct versions_args *a = arg;
    struct objstore_version out;
    for (uint32_t i = 0; i < nm->nver; i++) {
        describe(name, &nm->v[i], &out);
        if (a->fn(&out, a->arg))
            break;
    }
    return 0;
}

int os_versions(const char *module, const char *name, int (*fn)(const struct objstore_version *v, void *arg),
                void *arg)
{
    if (!may(module, name, ANX_ACCESS_READ))
        return ANX_EPERM;
    struct versions_args a = {fn, arg};
    int rc = on_name(name, each_version, &a);
    if (rc != NOT_WRITABLE)
        return rc;
    struct objstore_version out;
    struct anx_file f;
    if (os_base_find_name(name, &f))
        return ANX_ENOENT;
    os_base_describe(&f, name, &out);
    fn(&out, arg);
    return 0;
}

int os_list(const char *module, const char *prefix, int (*fn)(const struct objstore_version *v, void *arg),
            void *arg)
{
    size_t plen = strlen(prefix);
    size_t wi = 0, bi = 0, nb = os_base_count();
    struct objstore_version out;
    char bname[201];
    struct anx_file f;
    if (opening)
        return ANX_EAGAIN;
    if (ready)
        lock();
    size_t nw = ready ? store.ix.nnames : 0;
    int stop = 0;
    /* merge the two sorted lists; a writable name shadows a base one */
    while (!stop && (wi < nw || bi < nb)) {
        const char *wn = wi < nw ? store.ix.names[wi].name : NULL;
        int have_b = 0;
        while (bi < nb && !(have_b = !os_base_at(bi, &f, bname)))
            bi++;
        if (!wn && !have_b)
            break;
        int c = !wn ? 1 : !have_b ? -1 : strcmp(wn, bname);
        if (c <= 0) {
            struct os_name *nm = &store.ix.names[wi++];
            if (c == 0)
                bi++;
            if (!strncmp(nm->name, prefix, plen) && anx_object_grant_test(module, nm->name, ANX_ACCESS_READ)) {
                describe(nm->name, &nm->v[nm->nver - 1], &out);
                stop = fn(&out, arg);
            }
        } else {
            bi++;
            if (!strncmp(bname, prefix, plen) && anx_object_grant_test(module, bname, ANX_ACCESS_READ)) {
                os_base_describe(&f, bname, &out);
                stop = fn(&out, arg);
            }
        }
    }
    if (ready)
        unlock();
    return 0;
}

int os_gc(uint32_t *objects, uint64_t *bytes)
{
    if (!ready)
        return unavailable();
    lock();
    int rc = os_store_gc(&store, objects, bytes);
    unlock();
    return rc;
}

int os_df(struct objstore_df *df)
{
    memset(df, 0, sizeof(*df));
    df->backend = ready ? backend_name : "none";
    struct anx_file f;
    char n[201];
    for (size_t i = 0; i < os_base_count(); i++)
        if (!os_base_at(i, &f, n)) {
            df->base_files++;
            df->base_bytes += f.size;
        }
    if (!ready)
        return 0;
    struct os_df d;
    lock();
    os_store_df(&store, &d);
    unlock();
    df->capacity = d.data_bytes;
    df->used = d.used_bytes;
    df->quota = d.quota;
    df->objects = d.objects;
    df->names = d.names;
    df->versions = d.versions;
    df->unreferenced = d.unreferenced;
    df->journal_used = d.journal_used;
    df->journal_size = d.journal_bytes;
    df->index_bytes = d.index_bytes;
    df->index_max = d.index_max;
    return 0;
}

static void (*check_report)(const char *msg);
static void check_cb(void *arg, const char *msg)
{
    (void)arg;
    check_report(msg);
}

int os_check(void (*report)(const char *msg))
{
    int problems = 0;
    struct anx_file f;
    char n[201], msg[260];
    for (size_t i = 0; i < os_base_count(); i++)
        if (!os_base_at(i, &f, n) && anx_file_verify(&f)) {
            snprintf(msg, sizeof(msg), "base %s: content does not match its hash", n);
            report(msg);
            problems++;
        }
    if (ready) {
        check_report = report;
        lock();
        int rc = os_store_check(&store, check_cb, NULL);
        unlock();
        if (rc < 0)
            return rc;
        problems += rc;
    }
    return problems;
}

/* ---- init ------------------------------------------------------------------------- */

static bool blank(struct os_bio *b)
{
    static uint8_t buf[OS_SECTOR];
    for (uint64_t s = 0; s < 128 && s < b->sectors; s++) {
        if (b->read(b->ctx, s, buf, 1))
            return false;
        for (size_t i = 0; i < OS_SECTOR; i++)
            if (buf[i])
                return false;
    }
    return true;
}

static void make_uuid(uint8_t uuid[16])
{
    struct anx_sha256 h;
    uint64_t t = anx_time_unix_ns() ^ anx_time_ns();   /* differs between boots and disks */
    uint8_t d[32];
    anx_sha256_init(&h);
    anx_sha256_update(&h, &t, sizeof(t));
    anx_sha256_update(&h, CONFIG_MANIFEST_SHA256, strlen(CONFIG_MANIFEST_SHA256));
    anx_sha256_update(&h, &uuid, sizeof(void *));
    anx_sha256_final(&h, d);
    memcpy(uuid, d, 16);
}

static int open_disk(void)
{
    struct anx_blockdev *bd = CONFIG_OBJSTORE_DEVICE[0] ? anx_blockdev_find(CONFIG_OBJSTORE_DEVICE)
                                                       : anx_blockdev_first();
    const char *why;
    if (!bd) {
        log_error("no block device%s%s: the writable layer is off (attach a disk: anx run --disk FILE)",
                  CONFIG_OBJSTORE_DEVICE[0] ? " " : "", CONFIG_OBJSTORE_DEVICE);
        return ANX_ENOENT;
    }
    strlcpy(backend_name, bd->name, sizeof(backend_name));
    int rc = os_bio_blockdev(&bio, bd, &why);
    if (rc) {
        log_error("%s: %s", bd->name, why);
        return rc;
    }
    if (CONFIG_OBJSTORE_FORMAT && blank(&bio)) {
        uint8_t uuid[16];
        char err[200];
        make_uuid(uuid);
        if ((rc = os_store_format(&bio, uuid, err, sizeof(err)))) {
            log_error("%s: %s", bd->name, err);
            return rc;
        }
        log_info("%s: formatted a new store (%llu MiB)", bd->name,
                 (unsigned long long)(bd->sectors * OS_SECTOR >> 20));
    }
    return 0;
}

static int open_store(void)
{
    int rc = os_store_open(&store, &bio, false);
    if (rc) {
        log_error("%s: %s", backend_name, store.err);
        return rc;                  /* base layer only; the module is failed, the image boots */
    }
    store.quota = CONFIG_OBJSTORE_QUOTA;
    ready = true;
    struct os_df d;
    os_store_df(&store, &d);
    log_info("%s: %llu names, %llu objects, %llu/%llu KiB used%s", backend_name,
             (unsigned long long)d.names, (unsigned long long)d.objects,
             (unsigned long long)(d.used_bytes >> 10), (unsigned long long)(d.quota >> 10),
             store.replayed ? " (journal replayed)" : "");
    return 0;
}

/* Object names as named data (<anx/data.h>), so a module such as infer can
 * load "models/tiny", or the router serve "www/index.html", without
 * depending on the object store: the current version with its id and
 * content type. A name only the base layer has is given in place (it is an
 * image file: no copy, and not re-hashed, as the image's files are not
 * when served directly). */
static int current_data(const char *name, struct os_name *nm, void *arg)
{
    struct anx_data *out = arg;
    const struct os_version *v = &nm->v[nm->nver - 1];
    void *d;
    size_t n;
    int rc = os_store_read(&store, v->id, &d, &n);
    if (rc) {
        log_error("%s: cannot read version %u: %s", name, (unsigned)v->no, anx_strerror(rc));
        return rc;
    }
    out->data = d;
    out->size = n;
    out->owned = true;
    out->has_sha256 = true;
    memcpy(out->sha256, v->id, sizeof(out->sha256));
    for (int i = 0; i < v->nmeta; i++)
        if (!strcmp(v->meta[i].key, "type"))
            strlcpy(out->type, v->meta[i].value, sizeof(out->type));
    return 0;
}

static int data_get(const char *module, const char *name, struct anx_data *out)
{
    if (!os_name_valid(name))
        return ANX_ENOENT;
    if (!may(module, name, ANX_ACCESS_READ))
        return ANX_EPERM;
    int rc = on_name(name, current_data, out);
    if (rc == ANX_EINVAL)
        return ANX_ENOENT;
    if (rc != NOT_WRITABLE)
        return rc;
    char path[OS_NAME_MAX + 2] = "/";
    struct anx_file f;
    strlcat(path, name, sizeof(path));
    if (anx_file_lookup(path, &f) < 0)
        return ANX_ENOENT;
    struct objstore_version bv;
    os_base_describe(&f, name, &bv);
    out->data = f.data;
    out->size = f.size;
    out->has_sha256 = true;
    memcpy(out->sha256, f.sha256, sizeof(out->sha256));
    strlcpy(out->type, bv.value[0], sizeof(out->type));
    return 0;
}

static struct anx_data_provider data_provider = { .name = "objstore", .get = data_get };

/* A RAM store opens at init; a disk store at start, once every driver
 * (virtio-blk) has registered its devices. */
static int objstore_init(void)
{
    anx_data_provider_register(&data_provider);
    if (os_id_parse(CONFIG_MANIFEST_SHA256, manifest))
        memset(manifest, 0, sizeof(manifest));
    os_commands_init();
    /* until start has opened the disk (its I/O yields: httpd may already
     * serve), reads answer ANX_EAGAIN, never the base layer alone */
    if (!strcmp(CONFIG_OBJSTORE_BACKEND, "disk")) {
        opening = true;
        return 0;
    }
    strlcpy(backend_name, "ram", sizeof(backend_name));
    uint8_t uuid[16];
    char err[200];
    make_uuid(uuid);
    int rc = os_bio_ram(&bio, CONFIG_OBJSTORE_SIZE);
    if (rc) {
        size_t largest, free_bytes = anx_mem_free_bytes(&largest);
        log_error("cannot allocate a %llu KiB RAM store: %llu bytes wanted, %zu bytes free "
                  "(largest free run %zu): make objstore.size smaller or memory: larger",
                  (unsigned long long)(CONFIG_OBJSTORE_SIZE >> 10), (unsigned long long)CONFIG_OBJSTORE_SIZE,
                  free_bytes, largest);
        return rc;
    }
    if ((rc = os_store_format(&bio, uuid, err, sizeof(err)))) {
        log_error("cannot format the RAM store: %s", err);
        return rc;
    }
    return open_store();
}

/* A disk store that cannot open leaves the image with the base layer only:
 * every write would fail, so the module is failed (module.h), with the
 * error line open_disk/open_store logged as the reason. */
static void objstore_start(void)
{
    if (!strcmp(CONFIG_OBJSTORE_BACKEND, "disk")) {
        int rc = open_disk();
        if (!rc)
            rc = open_store();
        if (rc) {
            char why[160];
            anx_log_last_error(why, sizeof(why));
            const char *r = !strncmp(why, "objstore: ", 10) ? why + 10 : why;
            anx_module_fail("objstore", rc, "%s", r);
        }
    }
    opening = false;
}

ANX_MODULE(objstore, .init = objstore_init, .start = objstore_start);
