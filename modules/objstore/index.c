/* index.c - the in-memory state of a store (objects, names, versions) and
 * the ops that change it. Journal replay and checkpoint load both go
 * through os_index_apply, which validates everything it is given: a disk
 * can only describe states the API could have produced. */
#include "format.h"

uint64_t os_sectors_for(uint64_t bytes)
{
    return (bytes + OS_SECTOR - 1) / OS_SECTOR;
}

void os_index_free(struct os_index *ix)
{
    for (size_t i = 0; i < ix->nnames; i++)
        anx_free(ix->names[i].v);
    anx_free(ix->names);
    anx_free(ix->objs);
    anx_free(ix->pending);
    uint64_t ds = ix->data_sectors;
    memset(ix, 0, sizeof(*ix));
    ix->data_sectors = ds;
}

static bool grow(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 16;
    void *q = anx_realloc(*p, nc * elem);
    if (!q)
        return false;
    *p = q;
    *cap = nc;
    return true;
}

struct os_object *os_index_obj(struct os_index *ix, const uint8_t id[32])
{
    for (size_t i = 0; i < ix->nobjs; i++)
        if (!memcmp(ix->objs[i].id, id, 32))
            return &ix->objs[i];
    return NULL;
}

/* binary search: index of name, or -(insertion point) - 1 */
static long name_pos(struct os_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->nnames;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(ix->names[mid].name, name);
        if (!c)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

struct os_name *os_index_name(struct os_index *ix, const char *name)
{
    long p = name_pos(ix, name);
    return p >= 0 ? &ix->names[p] : NULL;
}

static bool seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* Path-like: segments of [A-Za-z0-9._-]+ joined by '/', no "." or ".."
 * segment, no empty segment, at most OS_NAME_MAX bytes. */
bool os_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > OS_NAME_MAX)
        return false;
    size_t seg = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || name[i] == '/') {
            size_t len = i - seg;
            if (len == 0)
                return false;
            if ((len == 1 && name[seg] == '.') || (len == 2 && name[seg] == '.' && name[seg + 1] == '.'))
                return false;
            seg = i + 1;
        } else if (!seg_char(name[i])) {
            return false;
        }
    }
    return true;
}

static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return an && bn && a < b + bn && b < a + an;
}

static bool extent_free(struct os_index *ix, uint64_t start, uint64_t count, const struct os_object *skip)
{
    for (size_t i = 0; i < ix->nobjs; i++)
        if (&ix->objs[i] != skip &&
            overlaps(start, count, ix->objs[i].start, os_sectors_for(ix->objs[i].size)))
            return false;
    for (size_t i = 0; i < ix->npending; i++)
        if (overlaps(start, count, ix->pending[i].start, ix->pending[i].count))
            return false;
    return true;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int os_index_alloc(struct os_index *ix, uint64_t count, uint64_t *start)
{
    if (count == 0) {
        *start = 0;
        return 0;
    }
    /* candidates: 0 and the end of every used extent; take the lowest free */
    size_t n = ix->nobjs + ix->npending + 1;
    uint64_t *cand = anx_malloc(n * sizeof(uint64_t));
    if (!cand)
        return ANX_ENOMEM;
    size_t k = 0;
    cand[k++] = 0;
    for (size_t i = 0; i < ix->nobjs; i++)
        cand[k++] = ix->objs[i].start + os_sectors_for(ix->objs[i].size);
    for (size_t i = 0; i < ix->npending; i++)
        cand[k++] = ix->pending[i].start + ix->pending[i].count;
    qsort(cand, k, sizeof(uint64_t), cmp_u64);
    int rc = ANX_ENOSPC;
    for (size_t i = 0; i < k; i++) {
        if (cand[i] > ix->data_sectors || count > ix->data_sectors - cand[i])
            break;
        if (extent_free(ix, cand[i], count, NULL)) {
            *start = cand[i];
            rc = 0;
            break;
        }
    }
    anx_free(cand);
    return rc;
}

/* ---- encoders ------------------------------------------------------------------ */

void os_enc_obj_add(struct anx_buf *w, const struct os_object *o)
{
    os_w8(w, OP_OBJ_ADD);
    anx_buf_add(w, o->id, 32);
    os_w64(w, o->start);
    os_w64(w, o->size);
}

void os_enc_version(struct anx_buf *w, const char *name, const struct os_version *v)
{
    os_w8(w, OP_VERSION);
    os_wstr8(w, name);
    os_w32(w, v->no);
    anx_buf_add(w, v->id, 32);
    os_w64(w, v->size);
    os_w64(w, v->time_ns);
    os_wstr8(w, v->writer);
    anx_buf_add(w, v->manifest, 32);
    os_w8(w, v->nparents);
    for (int i = 0; i < v->nparents; i++)
        os_w32(w, v->parents[i]);
    os_w8(w, v->nmeta);
    for (int i = 0; i < v->nmeta; i++) {
        os_wstr8(w, v->meta[i].key);
        os_wstr8(w, v->meta[i].value);
    }
}

void os_enc_name_del(struct anx_buf *w, const char *name)
{
    os_w8(w, OP_NAME_DEL);
    os_wstr8(w, name);
}

void os_enc_obj_free(struct anx_buf *w, const uint8_t id[32])
{
    os_w8(w, OP_OBJ_FREE);
    anx_buf_add(w, id, 32);
}

void os_index_encode(const struct os_index *ix, uint64_t generation, struct anx_buf *w)
{
    os_w8(w, OP_CKPT);
    os_w64(w, generation);
    for (size_t i = 0; i < ix->nobjs; i++)
        os_enc_obj_add(w, &ix->objs[i]);
    for (size_t i = 0; i < ix->nnames; i++)
        for (uint32_t k = 0; k < ix->names[i].nver; k++)
            os_enc_version(w, ix->names[i].name, &ix->names[i].v[k]);
}

/* ---- apply ------------------------------------------------------------------------ */

static int apply_obj_add(struct os_index *ix, struct os_rbuf *r, const char **why)
{
    struct os_object o = {0};
    os_rbytes(r, o.id, 32);
    o.start = os_r64(r);
    o.size = os_r64(r);
    if (r->bad)
        return *why = "truncated object record", ANX_ECORRUPT;
    uint64_t ns = os_sectors_for(o.size);
    if (o.size > ix->data_sectors * OS_SECTOR || o.start > ix->data_sectors ||
        ns > ix->data_sectors - o.start)
        return *why = "object extent outside the data region", ANX_ECORRUPT;
    if (os_index_obj(ix, o.id))
        return *why = "object recorded twice", ANX_ECORRUPT;
    if (!extent_free(ix, o.start, ns, NULL))
        return *why = "object extents overlap", ANX_ECORRUPT;
    if (!grow((void **)&ix->objs, &ix->capobjs, ix->nobjs, sizeof(o)))
        return *why = "out of memory", ANX_ENOMEM;
    ix->objs[ix->nobjs++] = o;
    ix->used_bytes += o.size;
    return 0;
}

static int apply_version(struct os_index *ix, struct os_rbuf *r, const char **why)
{
    char name[256];
    struct os_version v;
    memset(&v, 0, sizeof(v));
    os_rstr8(r, name, OS_NAME_MAX);
    v.no = os_r32(r);
    os_rbytes(r, v.id, 32);
    v.size = os_r64(r);
    v.time_ns = os_r64(r);
    os_rstr8(r, v.writer, OS_WRITER_MAX);
    os_rbytes(r, v.manifest, 32);
    v.nparents = os_r8(r);
    if (v.nparents > OS_PARENTS_MAX)
        return *why = "too many parents", ANX_ECORRUPT;
    for (int i = 0; i < v.nparents; i++)
        v.parents[i] = os_r32(r);
    v.nmeta = os_r8(r);
    if (v.nmeta > OS_META_MAX)
        return *why = "too many metadata entries", ANX_ECORRUPT;
    for (int i = 0; i < v.nmeta; i++) {
        os_rstr8(r, v.meta[i].key, OS_KEY_MAX);
        os_rstr8(r, v.meta[i].value, OS_VAL_MAX);
    }
    if (r->bad)
        return *why = "truncated version record", ANX_ECORRUPT;
    if (!os_name_valid(name))
        return *why = "invalid name in version record", ANX_ECORRUPT;
    struct os_object *o = os_index_obj(ix, v.id);
    if (!o || o->size != v.size)
        return *why = "version names a missing object", ANX_ECORRUPT;
    long p = name_pos(ix, name);
    struct os_name *nm;
    if (p < 0) {
        if (!grow((void **)&ix->names, &ix->capnames, ix->nnames, sizeof(*nm)))
            return *why = "out of memory", ANX_ENOMEM;
        size_t at = (size_t)(-p - 1);
        memmove(&ix->names[at + 1], &ix->names[at], (ix->nnames - at) * sizeof(*nm));
        ix->nnames++;
        nm = &ix->names[at];
        memset(nm, 0, sizeof(*nm));
        strlcpy(nm->name, name, sizeof(nm->name));
    } else {
        nm = &ix->names[p];
    }
    uint32_t last = nm->nver ? nm->v[nm->nver - 1].no : 0;
    if (v.no <= last)
        return *why = "version numbers out of order", ANX_ECORRUPT;
    for (int i = 0; i < v.nparents; i++)
        if (v.parents[i] == 0 || v.parents[i] >= v.no)
            return *why = "parent version out of range", ANX_ECORRUPT;
    if (!grow((void **)&nm->v, &nm->cap, nm->nver, sizeof(v)))
        return *why = "out of memory", ANX_ENOMEM;
    nm->v[nm->nver++] = v;
    o->refs++;
    return 0;
}

static int pending_add(struct os_index *ix, uint64_t start, uint64_t count)
{
    if (!count)
        return 0;
    if (!grow((void **)&ix->pending, &ix->cappending, ix->npending, sizeof(struct os_extent)))
        return ANX_ENOMEM;
    ix->pending[ix->npending++] = (struct os_extent){start, count};
    return 0;
}

static int apply_name_del(struct os_index *ix, struct os_rbuf *r, const char **why)
{
    char name[256];
    os_rstr8(r, name, OS_NAME_MAX);
    if (r->bad)
        return *why = "truncated delete record", ANX_ECORRUPT;
    long p = name_pos(ix, name);
    if (p < 0)
        return *why = "delete of a missing name", ANX_ECORRUPT;
    struct os_name *nm = &ix->names[p];
    for (uint32_t k = 0; k < nm->nver; k++) {
        struct os_object *o = os_index_obj(ix, nm->v[k].id);
        if (o && o->refs)
            o->refs--;
    }
    anx_free(nm->v);
    memmove(nm, nm + 1, (ix->nnames - (size_t)p - 1) * sizeof(*nm));
    ix->nnames--;
    return 0;
}

static int apply_obj_free(struct os_index *ix, struct os_rbuf *r, const char **why)
{
    uint8_t id[32];
    os_rbytes(r, id, 32);
    if (r->bad)
        return *why = "truncated free record", ANX_ECORRUPT;
    struct os_object *o = os_index_obj(ix, id);
    if (!o)
        return *why = "free of a missing object", ANX_ECORRUPT;
    if (o->refs)
        return *why = "free of a referenced object", ANX_ECORRUPT;
    if (pending_add(ix, o->start, os_sectors_for(o->size)))
        return *why = "out of memory", ANX_ENOMEM;
    ix->used_bytes -= o->size;
    *o = ix->objs[--ix->nobjs];
    return 0;
}

int os_index_apply(struct os_index *ix, struct os_rbuf *r, const char **why)
{
    uint8_t op = os_r8(r);
    if (r->bad)
        return *why = "truncated op", ANX_ECORRUPT;
    switch (op) {
    case OP_OBJ_ADD: return apply_obj_add(ix, r, why);
    case OP_VERSION: return apply_version(ix, r, why);
    case OP_NAME_DEL: return apply_name_del(ix, r, why);
    case OP_OBJ_FREE: return apply_obj_free(ix, r, why);
    }
    *why = "unknown op";
    return ANX_ECORRUPT;
}

int os_index_apply_all(struct os_index *ix, const uint8_t *p, size_t n, const char **why)
{
    struct os_rbuf r = {p, n, 0, false};
    while (r.off < r.n) {
        int rc = os_index_apply(ix, &r, why);
        if (rc)
            return rc;
    }
    return 0;
}
