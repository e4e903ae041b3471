/* store.c - the store operations on top of the format: the write path
 * (data, flush, journal record, flush, then the in-memory index), reads
 * verified by hash, gc, check. */
#include "store.h"

int os_id_parse(const char *hex, uint8_t id[32])
{
    if (strlen(hex) != 64)
        return ANX_EINVAL;
    for (int i = 0; i < 64; i++) {
        char c = hex[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
                c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return ANX_EINVAL;
        id[i / 2] = (uint8_t)(i & 1 ? (id[i / 2] << 4) | v : v);
    }
    return 0;
}

const char *os_meta_get(const struct os_version *v, const char *key)
{
    for (int i = 0; i < v->nmeta; i++)
        if (!strcmp(v->meta[i].key, key))
            return v->meta[i].value;
    return NULL;
}

int os_store_format(struct os_bio *bio, const uint8_t uuid[16], char *err, size_t errlen)
{
    struct os_super sb;
    if (os_super_layout(&sb, bio->sectors, uuid)) {
        snprintf(err, errlen, "device too small: an object store needs at least %u KiB",
                 OS_MIN_SECTORS * OS_SECTOR / 1024);
        return ANX_EINVAL;
    }
    struct os_index ix = {0};
    struct anx_buf w = {0};
    os_index_encode(&ix, 0, &w);
    uint8_t sec[OS_SECTOR] = {0};
    if (w.oom) {
        anx_buf_free(&w);
        return ANX_ENOMEM;
    }
    memcpy(sec, w.p, w.len);
    sb.ckpt_slot = 0;
    sb.ckpt_bytes = w.len;
    sb.ckpt_crc = os_crc32c(0, w.p, w.len);
    anx_buf_free(&w);
    uint8_t zero[OS_SECTOR] = {0};
    /* copy B first: a store formatted before may have left a newer one */
    if (bio->write(bio->ctx, 1, zero, 1) || bio->write(bio->ctx, sb.journal_start, zero, 1) ||
        bio->write(bio->ctx, sb.ckpt_start[0], sec, 1) || bio->flush(bio->ctx) ||
        os_super_write(bio, &sb)) {
        snprintf(err, errlen, "cannot write the new store: I/O error");
        return ANX_EIO;
    }
    return 0;
}

int os_store_open(struct os_store *s, struct os_bio *bio, bool readonly)
{
    memset(s, 0, sizeof(*s));
    s->bio = bio;
    s->readonly = readonly;
    int rc = os_super_read(bio, &s->sb, s->err, sizeof(s->err));
    if (rc)
        return rc;
    s->ix.data_sectors = s->sb.data_sectors;
    rc = os_checkpoint_load(bio, &s->sb, &s->ix, s->err, sizeof(s->err));
    if (!rc)
        rc = os_journal_replay(bio, &s->sb, &s->ix, &s->j, &s->replayed, s->err, sizeof(s->err));
    if (!rc && !readonly) {
        /* start a fresh epoch: whatever lies past the journal's tail is
         * stale from now on, and replayed frees release their space */
        rc = os_checkpoint_write(bio, &s->sb, &s->ix);
        if (rc)
            snprintf(s->err, sizeof(s->err), "cannot write a checkpoint: %s", anx_strerror(rc));
        s->j.pos = s->j.seq = 0;
    }
    if (rc)
        os_index_free(&s->ix);
    return rc;
}

void os_store_close(struct os_store *s)
{
    os_index_free(&s->ix);
}

/* After a failed write the disk may hold less than the index (the write
 * never landed) or more (it landed, its flush failed): the disk is the
 * truth. Reopen from it as after a crash, which also starts a new epoch, so
 * nothing is ever appended after a record the device may have half taken.
 * Until a reopen succeeds the store stays broken and keeps the index it had
 * (reads go on; writes fail with ANX_EBROKEN). */
static int recover(struct os_store *s)
{
    struct os_store *fresh = anx_malloc(sizeof(*fresh));
    if (!fresh)
        return ANX_ENOMEM;
    int rc = os_store_open(fresh, s->bio, false);
    if (!rc) {
        fresh->quota = s->quota;
        fresh->recoveries = s->recoveries + 1;
        os_store_close(s);
        *s = *fresh;
    }
    anx_free(fresh);
    return rc;
}

static int writable(struct os_store *s)
{
    if (s->readonly)
        return ANX_EROFS;
    if (s->broken && recover(s))
        return ANX_EBROKEN;
    return 0;
}

static uint64_t str_enc(const char *x) { return 1 + strlen(x); }

static uint64_t version_enc(const char *name, const struct os_version *v)
{
    uint64_t n = 1 + str_enc(name) + 4 + 32 + 8 + 8 + str_enc(v->writer) + 32 + 1 + 4u * v->nparents + 1;
    for (int i = 0; i < v->nmeta; i++)
        n += str_enc(v->meta[i].key) + str_enc(v->meta[i].value);
    return n;
}

/* Bytes a checkpoint of the current index takes. */
static uint64_t index_bytes(struct os_store *s)
{
    uint64_t n = 9 + 49 * (uint64_t)s->ix.nobjs;
    for (size_t i = 0; i < s->ix.nnames; i++)
        for (uint32_t k = 0; k < s->ix.names[i].nver; k++)
            n += version_enc(s->ix.names[i].name, &s->ix.names[i].v[k]);
    return n;
}

/* Make a transaction durable, then apply it to the index. */
static int commit(struct os_store *s, struct anx_buf *w, uint64_t index_growth)
{
    if (w->oom)
        return ANX_ENOMEM;
    if (index_bytes(s) + index_growth > s->sb.ckpt_sectors * OS_SECTOR)
        return ANX_ENOSPC;
    int rc = os_journal_append(s->bio, &s->sb, &s->j, w->p, w->len);
    if (rc == ANX_ENOSPC && os_journal_rec_sectors(w->len) <= s->sb.journal_sectors) {
        rc = os_checkpoint_write(s->bio, &s->sb, &s->ix);
        if (!rc) {
            s->j.pos = s->j.seq = 0;
            rc = os_journal_append(s->bio, &s->sb, &s->j, w->p, w->len);
        }
    }
    if (rc == ANX_EIO || rc == ANX_ENOMEM)
        s->broken = rc == ANX_EIO;
    if (rc)
        return rc;
    const char *why;
    if (os_index_apply_all(&s->ix, (const uint8_t *)w->p, w->len, &why)) {
        s->broken = true;          /* durable but not applied: reopen recovers */
        return ANX_EBROKEN;
    }
    return 0;
}

static int write_data(struct os_store *s, uint64_t start, const void *data, size_t len)
{
    uint64_t full = len / OS_SECTOR, tail = len % OS_SECTOR;
    uint64_t at = s->sb.data_start + start;
    if (full && s->bio->write(s->bio->ctx, at, data, (uint32_t)full))
        return ANX_EIO;
    if (tail) {
        uint8_t sec[OS_SECTOR] = {0};
        memcpy(sec, (const uint8_t *)data + full * OS_SECTOR, tail);
        if (s->bio->write(s->bio->ctx, at + full, sec, 1))
            return ANX_EIO;
    }
    if (s->bio->flush(s->bio->ctx))
        return ANX_EIO;
    return 0;
}

/* Store content unless present; adds an OBJ_ADD op to w for a new one. */
static int stage_object(struct os_store *s, const void *data, size_t len, uint8_t id[32],
                        struct anx_buf *w, uint64_t *growth)
{
    anx_sha256(data, len, id);
    if (os_index_obj(&s->ix, id))
        return 0;
    uint64_t limit = s->quota ? s->quota : s->sb.data_sectors * OS_SECTOR;
    if (len > limit || s->ix.used_bytes > limit - len)
        return ANX_EDQUOT;
    struct os_object o = {0};
    memcpy(o.id, id, 32);
    o.size = len;
    int rc = os_index_alloc(&s->ix, os_sectors_for(len), &o.start);
    if (rc)
        return rc;
    rc = write_data(s, o.start, data, len);
    if (rc) {
        s->broken = true;
        return rc;
    }
    os_enc_obj_add(w, &o);
    *growth += 49;
    return 0;
}

int os_store_put_object(struct os_store *s, const void *data, size_t len, uint8_t id[32])
{
    int rc = writable(s);
    if (rc)
        return rc;
    struct anx_buf w = {0};
    uint64_t growth = 0;
    rc = stage_object(s, data, len, id, &w, &growth);
    if (!rc && w.len)
        rc = commit(s, &w, growth);
    anx_buf_free(&w);
    return rc;
}

static int make_version(struct os_store *s, const char *name, const uint8_t id[32], uint64_t size,
                        const struct os_put_opts *o, struct os_version *v)
{
    static const struct os_put_opts none;
    if (!o)
        o = &none;
    if (!os_name_valid(name))
        return ANX_EINVAL;
    memset(v, 0, sizeof(*v));
    struct os_name *nm = os_index_name(&s->ix, name);
    v->no = nm ? nm->v[nm->nver - 1].no + 1 : 1;
    memcpy(v->id, id, 32);
    v->size = size;
    v->time_ns = anx_time_unix_ns();
    const char *writer = o->writer ? o->writer : "host";
    if (strlen(writer) > OS_WRITER_MAX)
        return ANX_EINVAL;
    strlcpy(v->writer, writer, sizeof(v->writer));
    if (o->manifest)
        memcpy(v->manifest, o->manifest, 32);
    if (o->parents) {
        if (o->nparents < 0 || o->nparents > OS_PARENTS_MAX)
            return ANX_EINVAL;
        for (int i = 0; i < o->nparents; i++) {
            if (o->parents[i] == 0 || o->parents[i] >= v->no)
                return ANX_EINVAL;
            v->parents[i] = o->parents[i];
        }
        v->nparents = (uint8_t)o->nparents;
    } else if (nm) {
        v->parents[0] = v->no - 1 > 0 ? nm->v[nm->nver - 1].no : 0;
        v->nparents = 1;
    }
    if (o->nmeta < 0 || o->nmeta > OS_META_MAX)
        return ANX_EINVAL;
    for (int i = 0; i < o->nmeta; i++) {
        if (!o->meta[i].key[0] || strlen(o->meta[i].key) > OS_KEY_MAX ||
            strlen(o->meta[i].value) > OS_VAL_MAX)
            return ANX_EINVAL;
        v->meta[i] = o->meta[i];
    }
    v->nmeta = (uint8_t)o->nmeta;
    return 0;
}

int os_store_put(struct os_store *s, const char *name, const void *data, size_t len,
           const struct os_put_opts *o, struct os_version *out)
{
    int rc = writable(s);
    if (rc)
        return rc;
    struct os_version v;
    uint8_t id[32];
    anx_sha256(data, len, id);
    rc = make_version(s, name, id, len, o, &v);     /* validate before writing data */
    if (rc)
        return rc;
    struct anx_buf w = {0};
    uint64_t growth = 0;
    rc = stage_object(s, data, len, id, &w, &growth);
    if (!rc) {
        os_enc_version(&w, name, &v);
        growth += version_enc(name, &v);
        rc = commit(s, &w, growth);
    }
    anx_buf_free(&w);
    if (!rc && out)
        *out = v;
    return rc;
}

int os_store_link(struct os_store *s, const char *name, const uint8_t id[32],
            const struct os_put_opts *o, struct os_version *out)
{
    int rc = writable(s);
    if (rc)
        return rc;
    struct os_object *obj = os_index_obj(&s->ix, id);
    if (!obj)
        return ANX_ENOENT;
    struct os_version v;
    rc = make_version(s, name, id, obj->size, o, &v);
    if (rc)
        return rc;
    struct anx_buf w = {0};
    os_enc_version(&w, name, &v);
    rc = commit(s, &w, version_enc(name, &v));
    anx_buf_free(&w);
    if (!rc && out)
        *out = v;
    return rc;
}

int os_store_read(struct os_store *s, const uint8_t id[32], void **data, size_t *len)
{
    struct os_object *o = os_index_obj(&s->ix, id);
    if (!o)
        return ANX_ENOENT;
    uint64_t ns = os_sectors_for(o->size);
    uint8_t *buf = anx_malloc(ns ? ns * OS_SECTOR : 1);
    if (!buf)
        return ANX_ENOMEM;
    if (ns && s->bio->read(s->bio->ctx, s->sb.data_start + o->start, buf, (uint32_t)ns)) {
        anx_free(buf);
        return ANX_EIO;
    }
    uint8_t h[32];
    anx_sha256(buf, o->size, h);
    if (memcmp(h, id, 32)) {
        anx_free(buf);
        return ANX_ECORRUPT;
    }
    *data = buf;
    *len = o->size;
    return 0;
}

int os_store_delete(struct os_store *s, const char *name)
{
    int rc = writable(s);
    if (rc)
        return rc;
    if (!os_name_valid(name))
        return ANX_EINVAL;
    if (!os_index_name(&s->ix, name))
        return ANX_ENOENT;
    struct anx_buf w = {0};
    os_enc_name_del(&w, name);
    rc = commit(s, &w, 0);
    anx_buf_free(&w);
    return rc;
}

int os_store_gc(struct os_store *s, uint32_t *objects, uint64_t *bytes)
{
    int rc = writable(s);
    if (rc)
        return rc;
    *objects = 0;
    *bytes = 0;
    for (;;) {
        /* a batch of frees per record, so a record always fits the journal */
        struct anx_buf w = {0};
        uint32_t n = 0;
        uint64_t b = 0;
        for (size_t i = 0; i < s->ix.nobjs && n < 64; i++)
            if (!s->ix.objs[i].refs) {
                os_enc_obj_free(&w, s->ix.objs[i].id);
                n++;
                b += s->ix.objs[i].size;
            }
        if (!n)
            break;
        rc = commit(s, &w, 0);
        anx_buf_free(&w);
        if (rc)
            return rc;
        *objects += n;
        *bytes += b;
    }
    return os_store_sync(s);
}

int os_store_sync(struct os_store *s)
{
    int rc = writable(s);
    if (rc)
        return rc;
    rc = os_checkpoint_write(s->bio, &s->sb, &s->ix);
    if (rc) {
        s->broken = rc == ANX_EIO;
        return rc;
    }
    s->j.pos = s->j.seq = 0;
    return 0;
}

int os_store_check(struct os_store *s, void (*report)(void *arg, const char *msg), void *arg)
{
    int problems = 0;
    char msg[200], hex[65];
    for (size_t i = 0; i < s->ix.nobjs; i++) {
        struct os_object *o = &s->ix.objs[i];
        void *d;
        size_t n;
        int rc = os_store_read(s, o->id, &d, &n);
        if (rc == ANX_ENOMEM)
            return rc;
        if (rc) {
            anx_sha256_hex(o->id, hex);
            snprintf(msg, sizeof(msg), "object %s: %s", hex, anx_strerror(rc));
            report(arg, msg);
            problems++;
        } else {
            anx_free(d);
        }
        uint32_t refs = 0;
        for (size_t k = 0; k < s->ix.nnames; k++)
            for (uint32_t v = 0; v < s->ix.names[k].nver; v++)
                refs += !memcmp(s->ix.names[k].v[v].id, o->id, 32);
        if (refs != o->refs) {
            anx_sha256_hex(o->id, hex);
            snprintf(msg, sizeof(msg), "object %s: reference count %u, should be %u", hex,
                     (unsigned)o->refs, (unsigned)refs);
            report(arg, msg);
            problems++;
        }
    }
    return problems;
}

void os_store_df(struct os_store *s, struct os_df *df)
{
    memset(df, 0, sizeof(*df));
    df->data_bytes = s->sb.data_sectors * OS_SECTOR;
    df->used_bytes = s->ix.used_bytes;
    df->quota = s->quota ? s->quota : df->data_bytes;
    df->objects = s->ix.nobjs;
    df->names = s->ix.nnames;
    for (size_t i = 0; i < s->ix.nnames; i++)
        df->versions += s->ix.names[i].nver;
    for (size_t i = 0; i < s->ix.nobjs; i++)
        df->unreferenced += !s->ix.objs[i].refs;
    df->journal_bytes = s->sb.journal_sectors * OS_SECTOR;
    df->journal_used = s->j.pos * OS_SECTOR;
    df->index_bytes = index_bytes(s);
    df->index_max = s->sb.ckpt_sectors * OS_SECTOR;
}
