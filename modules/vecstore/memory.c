/*
 * memory.c - collections over the object store (vecstore.h): each row of an
 * index is the object PREFIX/COLLECTION/ID, written before the row changes,
 * so what a query sees is always on the store too; documents are chunked and
 * embedded here (coll.h: vec_ingest_doc, vec_sync).
 */
#define LOG_TAG "vecstore"
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "chunk.h"
#include "coll.h"
#include "infer.h"
#include "objstore.h"
#include "rank.h"

struct vec_coll vec_colls[VEC_COLL_MAX];
int vec_ncolls;
struct vec_stats vec_stats;

#define OBJ_TYPE "application/x-anx-vector"

bool vec_segment_ok(const char *s, size_t n)
{
    if (!n || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
            return false;
    return true;
}

void vec_fmt_score(float s, char *out)
{
    if (s != s) {
        strlcpy(out, "0", 16);           /* JSON has no NaN; a zero vector scores 0 */
        return;
    }
    bool neg = s < 0;
    long v = (long)((neg ? -s : s) * 10000.0f + 0.5f);
    snprintf(out, 16, "%s%ld.%04ld", neg && v ? "-" : "", v / 10000, v % 10000);
}

struct vec_coll *vec_coll_find(const char *name)
{
    for (int i = 0; i < vec_ncolls; i++)
        if (!strcmp(vec_colls[i].name, name))
            return &vec_colls[i];
    return NULL;
}

int vec_coll_get(const char *name, struct vec_coll **out)
{
    size_t n = strlen(name);
    if (n > VEC_NAME_MAX || !vec_segment_ok(name, n))
        return ANX_EINVAL;
    if ((*out = vec_coll_find(name)))
        return 0;
    if (vec_ncolls == VEC_COLL_MAX)
        return ANX_ENOSPC;
    struct vec_coll *c = &vec_colls[vec_ncolls++];
    memset(c, 0, sizeof(*c));
    strlcpy(c->name, name, sizeof(c->name));
    c->state = "ready";
    *out = c;
    return 0;
}

static void entry_free(void *p)
{
    anx_free(p);
}

/* Free an entry that was a row of c: its terms leave c's BM25 statistics. */
static void entry_drop(struct vec_coll *c, struct vec_entry *e)
{
    if (!e)
        return;
    vec_lex_remove(&c->lex, e->lex);
    anx_free(e);
}

/* Put row id (vector v, entry e) into c's index and e's passage into its
 * BM25 statistics, both or neither; the entry it replaces is dropped. */
static int put_row(struct vec_coll *c, const char *id, const float *v, struct vec_entry *e)
{
    int rc = vec_lex_add(&c->lex, e->text, e->text_len, &e->lex);
    if (rc < 0)
        return rc;
    void *old;
    rc = vec_index_put(&c->x, id, v, e, &old);
    if (rc < 0) {
        vec_lex_remove(&c->lex, e->lex);
        e->lex = NULL;
        return rc;
    }
    entry_drop(c, old);
    return 0;
}

static int object_name(char *out, size_t n, const struct vec_coll *c, const char *id)
{
    int l = snprintf(out, n, "%s%s/%s", CONFIG_VECSTORE_PREFIX, c->name, id);
    return l < 0 || (size_t)l >= n || l > 200 ? ANX_EINVAL : 0;
}

/* Write the object of one row, then put the row (taking e). */
static int store_row(struct vec_coll *c, const char *id, const float *v, int dim,
                     struct vec_entry *e)
{
    if (!c->has_dim) {
        int rc = vec_index_init(&c->x, dim);
        if (rc < 0)
            return rc;
        c->has_dim = true;
    } else if (dim != c->x.dim) {
        return ANX_EINVAL;
    }
    char name[256];
    if (object_name(name, sizeof(name), c, id) < 0 || strlen(id) > VEC_ID_MAX)
        return ANX_EINVAL;
    /* A vector the index would refuse (no direction, NaN) is refused before
     * its object is written, so the store never holds what the index lacks. */
    float *tmp = anx_malloc((size_t)dim * sizeof(float));
    if (!tmp)
        return ANX_ENOMEM;
    memcpy(tmp, v, (size_t)dim * sizeof(float));
    int bad = vec_normalize(tmp, dim);
    anx_free(tmp);
    if (bad < 0)
        return ANX_EINVAL;
    struct vec_record r = {.dim = dim, .version = e->version, .offset = e->offset};
    strlcpy(r.source, e->source, sizeof(r.source));
    strlcpy(r.model, e->model, sizeof(r.model));
    strlcpy(r.object, e->object, sizeof(r.object));
    struct anx_buf b = {0};
    vec_record_encode(&b, &r, v, e->text, e->text_len);
    if (b.oom) {
        anx_buf_free(&b);
        return ANX_ENOMEM;
    }
    /* The provenance, readable without parsing the record (store log, the
     * objects API): which object and version the vector embeds. */
    char ver[16], off[24];
    snprintf(ver, sizeof(ver), "%u", (unsigned)e->version);
    snprintf(off, sizeof(off), "%llu", (unsigned long long)e->offset);
    const char *keys[] = {"model", "source", "source-version", "source-object", "offset"};
    const char *vals[] = {e->model, e->source, ver, e->object, off};
    struct objstore_write_opts o = {.type = OBJ_TYPE, .nmeta = e->source[0] ? 5 : 1,
                                    .keys = keys, .values = vals};
    int rc = os_write(VEC_SELF, name, b.p, b.len, &o, NULL);
    anx_buf_free(&b);
    if (rc < 0)
        return rc;
    bool existed = vec_index_find(&c->x, id) >= 0;
    rc = put_row(c, id, v, e);
    if (rc < 0 && !existed)     /* out of memory: a new id's object goes again */
        os_delete(VEC_SELF, name);
    return rc;
}

static int delete_row(struct vec_coll *c, const char *id)
{
    char name[256];
    if (object_name(name, sizeof(name), c, id) < 0)
        return ANX_EINVAL;
    int rc = os_delete(VEC_SELF, name);
    if (rc < 0 && rc != ANX_ENOENT)
        return rc;
    void *old;
    int rc2 = c->has_dim ? vec_index_del(&c->x, id, &old) : ANX_ENOENT;
    if (rc2 == 0)
        entry_drop(c, old);
    return rc == ANX_ENOENT && rc2 == ANX_ENOENT ? ANX_ENOENT : 0;
}

/* Embed text (NUL-terminated) with the model in use into a new vector. */
static int embed(const char *text, float **out, int *dim, char *model, char *err)
{
    const struct inf_model *m = inf_model_get();
    if (!m) {
        snprintf(err, INF_ERR_MAX, "no model is loaded yet");
        return ANX_EAGAIN;
    }
    int rc = 0;
    float *v = anx_malloc((size_t)m->cfg.dim * sizeof(float));
    if (!v) {
        rc = ANX_ENOMEM;
        snprintf(err, INF_ERR_MAX, "out of memory for a vector");
    } else {
        uint64_t t0 = anx_time_ns();
        rc = inf_embed(m, text, 0, v, NULL, err);
        vec_stats.embed_ns += anx_time_ns() - t0;
        vec_stats.embedded++;
        if (rc == -1)
            rc = ANX_ERANGE;             /* more tokens than the model's context */
    }
    if (rc == 0) {
        *out = v;
        *dim = m->cfg.dim;
        strlcpy(model, m->name, VEC_MODEL_MAX + 1);
    } else {
        anx_free(v);
    }
    inf_model_put(m);
    return rc;
}

/* A row's entry: the passage text[0..len), its source and the model. */
static struct vec_entry *entry_new(const char *text, size_t len, const char *source,
                                   const char *model)
{
    size_t sl = strlen(source), ml = strlen(model);
    struct vec_entry *e = anx_malloc(sizeof(*e) + len + sl + ml + 3);
    if (!e)
        return NULL;
    memset(e, 0, sizeof(*e));
    memcpy(e->text, text ? text : "", len);
    e->text[len] = 0;
    e->text_len = len;
    char *p = e->text + len + 1;
    memcpy(p, source, sl + 1);
    e->source = p;
    memcpy(p + sl + 1, model, ml + 1);
    e->model = p + sl + 1;
    return e;
}

int vec_add(const char *coll, const char *id, const char *text, size_t text_len, const float *v,
            int dim)
{
    size_t il = strlen(id);
    if (il > VEC_ID_MAX || !vec_segment_ok(id, il))
        return ANX_EINVAL;
    if (!v && (!text || !text_len))
        return ANX_EINVAL;
    size_t cl = strlen(coll);
    if (cl > VEC_NAME_MAX || !vec_segment_ok(coll, cl))
        return ANX_EINVAL;
    int rc;
    size_t len = text ? text_len : 0;
    char model[VEC_MODEL_MAX + 1] = "";
    float *mine = NULL;
    if (!v) {
        char err[INF_ERR_MAX], *t = strndup(text, len);     /* NUL-terminated for the model */
        rc = t ? embed(t, &mine, &dim, model, err) : ANX_ENOMEM;
        anx_free(t);
        if (rc < 0) {
            log_warn("%s/%s: %s", coll, id, rc == ANX_ENOMEM ? "out of memory" : err);
            return rc;
        }
        v = mine;
    } else if (dim < 1 || dim > VEC_DIM_MAX) {
        return ANX_EINVAL;
    }
    struct vec_coll *c;           /* made only once there is a vector for it */
    struct vec_entry *e = NULL;
    if ((rc = vec_coll_get(coll, &c)) == 0)
        rc = (e = entry_new(text, len, "", model)) ? store_row(c, id, v, dim, e) : ANX_ENOMEM;
    anx_free(mine);
    if (rc < 0)
        entry_free(e);
    return rc;
}

int vec_delete(const char *coll, const char *id)
{
    struct vec_coll *c = vec_coll_find(coll);
    if (!c)
        return ANX_ENOENT;
    return delete_row(c, id);
}

void vec_hits_free(struct vec_hit *hits, int n)
{
    for (int i = 0; i < n; i++) {
        anx_free(hits[i].text);
        hits[i].text = NULL;
    }
}

/* Row r of c as hit o (its passage copied): 0 or ANX_ENOMEM. */
static int fill_hit(const struct vec_coll *c, size_t r, float score, float cosine, float lexical,
                    struct vec_hit *o)
{
    const struct vec_entry *e = c->x.user[r];
    memset(o, 0, sizeof(*o));
    o->score = score;
    o->cosine = cosine;
    o->lexical = lexical;
    strlcpy(o->id, c->x.ids[r], sizeof(o->id));
    strlcpy(o->source, e->source, sizeof(o->source));
    o->version = e->version;
    o->offset = e->offset;
    o->text_len = e->text_len;
    if (!(o->text = anx_malloc(e->text_len + 1)))
        return ANX_ENOMEM;
    memcpy(o->text, e->text, e->text_len + 1);
    return 0;
}

int vec_query_vector(const char *coll, const float *v, int dim, int k, struct vec_hit *hits, int n)
{
    struct vec_coll *c = vec_coll_find(coll);
    if (!c)
        return ANX_ENOENT;
    if (k > n)
        k = n;
    if (k <= 0 || !c->has_dim || !c->x.n)
        return 0;
    if (dim != c->x.dim)
        return ANX_EINVAL;
    float *q = anx_malloc((size_t)dim * sizeof(float));
    struct vec_index_hit *h = anx_malloc((size_t)k * sizeof(*h));
    if (!q || !h) {
        anx_free(q);
        anx_free(h);
        return ANX_ENOMEM;
    }
    memcpy(q, v, (size_t)dim * sizeof(float));
    int m = vec_normalize(q, dim);
    if (m == 0) {
        uint64_t t0 = anx_time_ns();
        m = vec_index_query(&c->x, q, k, h);
        vec_stats.query_ns += anx_time_ns() - t0;
        vec_stats.queries++;
    }
    for (int i = 0; i < m; i++)
        if (fill_hit(c, h[i].row, h[i].score, h[i].score, 0, &hits[i]) < 0) {
            vec_hits_free(hits, i);
            m = ANX_ENOMEM;
            break;
        }
    anx_free(q);
    anx_free(h);
    return m;
}

enum vec_mode vec_retrieval(void)
{
    int m = vec_mode_parse(CONFIG_VECSTORE_RETRIEVAL);
    return m < 0 ? VEC_MODE_HYBRID : (enum vec_mode)m;     /* anx checked the enum */
}

/* Every row of c scored in mode (q: the text's unit vector, NULL in
 * lexical mode), the rows keep refuses left out, the k best into hits. */
static int rank_rows(struct vec_coll *c, enum vec_mode mode, const float *q, const char *text,
                     int k, struct vec_hit *hits, vec_keep_fn keep, void *arg)
{
    size_t n = c->x.n;
    float *cos = mode != VEC_MODE_LEXICAL ? anx_malloc(n * sizeof(float)) : NULL;
    float *lex = anx_malloc(n * sizeof(float));     /* shown in every mode: cheap */
    bool *skip = keep ? anx_malloc(n * sizeof(bool)) : NULL;
    struct vec_ranked *r = anx_malloc((size_t)k * sizeof(*r));
    int m = ANX_ENOMEM;
    if ((mode != VEC_MODE_LEXICAL && !cos) || !lex || (keep && !skip) || !r)
        goto out;
    uint64_t t0 = anx_time_ns();
    struct vec_lex_query lq;
    vec_lex_query_init(&c->lex, text, &lq);
    for (size_t i = 0; i < n; i++) {
        const struct vec_entry *e = c->x.user[i];
        if (cos)
            cos[i] = vec_dot(q, c->x.vecs + i * (size_t)c->x.dim, c->x.dim);
        lex[i] = vec_lex_score(&c->lex, &lq, e->lex);
        if (skip)
            skip[i] = !keep(c->name, c->x.ids[i], e->source, arg);
    }
    m = vec_rank(mode, cos, lex, (const char *const *)c->x.ids, skip, n, k, r);
    vec_stats.query_ns += anx_time_ns() - t0;
    vec_stats.queries++;
    for (int i = 0; i < m; i++)
        if (fill_hit(c, r[i].row, r[i].score, r[i].cosine, r[i].lexical, &hits[i]) < 0) {
            vec_hits_free(hits, i);
            m = ANX_ENOMEM;
            break;
        }
out:
    anx_free(cos);
    anx_free(lex);
    anx_free(skip);
    anx_free(r);
    return m;
}

int vec_query_text_as(const char *coll, const char *text, enum vec_mode mode, int k,
                      struct vec_hit *hits, int n, vec_keep_fn keep, void *arg)
{
    struct vec_coll *c = vec_coll_find(coll);
    if (!c)
        return ANX_ENOENT;
    if (!text || !text[0])
        return ANX_EINVAL;
    if (k > n)
        k = n;
    float *v = NULL;
    if (mode != VEC_MODE_LEXICAL) {
        int dim;
        char model[VEC_MODEL_MAX + 1], err[INF_ERR_MAX];
        int rc = embed(text, &v, &dim, model, err);
        if (rc < 0)
            return rc;
        /* c again: embedding ran the model, other threads may have run */
        if (!(c = vec_coll_find(coll)) || (c->has_dim && c->x.n && dim != c->x.dim) ||
            vec_normalize(v, dim) < 0) {
            anx_free(v);
            return c ? ANX_EINVAL : ANX_ENOENT;
        }
    }
    int m = k > 0 && c->has_dim && c->x.n ? rank_rows(c, mode, v, text, k, hits, keep, arg) : 0;
    anx_free(v);
    return m;
}

int vec_query_text(const char *coll, const char *text, int k, struct vec_hit *hits, int n)
{
    return vec_query_text_as(coll, text, vec_retrieval(), k, hits, n, NULL, NULL);
}

int vec_collections(void)
{
    return vec_ncolls;
}

int vec_collection_info(int i, struct vec_coll_info *out)
{
    if (i < 0 || i >= vec_ncolls)
        return ANX_ENOENT;
    const struct vec_coll *c = &vec_colls[i];
    size_t docs = 0;
    for (size_t r = 0; c->has_dim && r < c->x.n; r++) {
        size_t l = strlen(c->x.ids[r]);
        const struct vec_entry *e = c->x.user[r];
        if (e->source[0] && l > 2 && !strcmp(c->x.ids[r] + l - 2, "/0"))
            docs++;
    }
    *out = (struct vec_coll_info){c->name, c->prefix, c->has_dim ? c->x.dim : 0,
                                  c->has_dim ? c->x.n : 0, docs, c->state};
    return 0;
}

int vec_collection_rows(const char *coll,
                        int (*fn)(const char *id, const struct vec_hit *row, void *arg), void *arg)
{
    struct vec_coll *c = vec_coll_find(coll);
    if (!c)
        return ANX_ENOENT;
    for (size_t r = 0; c->has_dim && r < c->x.n; r++) {
        const struct vec_entry *e = c->x.user[r];
        struct vec_hit h = {.version = e->version, .offset = e->offset,
                            .text = (char *)e->text,    /* fn only reads it */
                            .text_len = e->text_len};
        strlcpy(h.id, c->x.ids[r], sizeof(h.id));
        strlcpy(h.source, e->source, sizeof(h.source));
        if (fn(c->x.ids[r], &h, arg))
            break;
    }
    return 0;
}

/* ---- names listed under a prefix (os_list's callback may not call the store) ---- */

struct names {
    char **v;
    size_t n, cap;
    uint32_t *ver;
    bool oom;
};

static int collect(const struct objstore_version *v, void *arg)
{
    struct names *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **nv = anx_realloc(l->v, cap * sizeof(*nv));
        if (nv)
            l->v = nv;
        uint32_t *ver = nv ? anx_realloc(l->ver, cap * sizeof(*ver)) : NULL;
        if (ver)
            l->ver = ver;
        if (!nv || !ver) {
            l->oom = true;
            return 1;
        }
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(v->name))) {
        l->oom = true;
        return 1;
    }
    l->ver[l->n++] = v->no;
    return 0;
}

static void names_free(struct names *l)
{
    for (size_t i = 0; i < l->n; i++)
        anx_free(l->v[i]);
    anx_free(l->v);
    anx_free(l->ver);
}

static int list_names(const char *prefix, struct names *l)
{
    memset(l, 0, sizeof(*l));
    int rc = os_list(VEC_SELF, prefix, collect, l);
    if (rc >= 0 && l->oom)
        rc = ANX_ENOMEM;
    if (rc < 0)
        names_free(l);
    return rc < 0 ? rc : 0;
}

/* ---- rebuilding at boot ---------------------------------------------------------- */

static int load_row(const char *name)
{
    const char *rest = name + strlen(CONFIG_VECSTORE_PREFIX);
    const char *slash = strchr(rest, '/');
    if (!slash || (size_t)(slash - rest) > VEC_NAME_MAX)
        return ANX_EINVAL;
    char cname[VEC_NAME_MAX + 1];
    memcpy(cname, rest, (size_t)(slash - rest));
    cname[slash - rest] = 0;
    const char *id = slash + 1;
    struct vec_coll *c;
    int rc = vec_coll_get(cname, &c);
    if (rc < 0)
        return rc;
    void *data;
    size_t len;
    if ((rc = os_read(VEC_SELF, name, 0, &data, &len, NULL)) < 0)
        return rc;
    struct vec_record r;
    char err[96];
    float *v = NULL;
    struct vec_entry *e = NULL;
    if ((rc = vec_record_parse(data, len, &r, err, sizeof(err))) < 0) {
        log_warn("%s: %s", name, err);
    } else if (c->has_dim && r.dim != c->x.dim) {
        log_warn("%s: %d values where its collection has %d", name, r.dim, c->x.dim);
        rc = ANX_EINVAL;
    } else if (!(v = anx_malloc((size_t)r.dim * sizeof(float))) ||
               !(e = entry_new(r.text, r.text_len, r.source, r.model))) {
        rc = ANX_ENOMEM;
    } else {
        vec_record_vector(&r, v);
        strlcpy(e->object, r.object, sizeof(e->object));
        e->version = r.version;
        e->offset = r.offset;
        if (!c->has_dim && (rc = vec_index_init(&c->x, r.dim)) == 0)
            c->has_dim = true;
        if (rc == 0 && (rc = put_row(c, id, v, e)) == 0)
            e = NULL;
        else if (rc == ANX_EINVAL)
            log_warn("%s: a vector without direction", name);
    }
    entry_free(e);
    anx_free(v);
    anx_free(data);
    return rc;
}

int vec_rebuild(void)
{
    struct names l;
    int rc = list_names(CONFIG_VECSTORE_PREFIX, &l);
    if (rc < 0)
        return rc;
    size_t ok = 0;
    uint64_t t0 = anx_time_ns();
    for (size_t i = 0; i < l.n; i++) {
        if (load_row(l.v[i]) == 0)
            ok++;
        else
            vec_stats.errors++;
        if (i % 64 == 63)
            anx_yield();
    }
    if (l.n)
        log_info("%zu vectors of %d collection%s loaded from %s objects in %llu ms%s", ok,
                 vec_ncolls, vec_ncolls == 1 ? "" : "s", CONFIG_VECSTORE_PREFIX,
                 (unsigned long long)((anx_time_ns() - t0) / ANX_NS_PER_MS),
                 ok < l.n ? " (some skipped: see above)" : "");
    names_free(&l);
    return 0;
}

/* ---- documents ------------------------------------------------------------------- */

/* The row id of chunk i of document name: its name under the prefix, /i. */
static int chunk_id(char *out, size_t n, const struct vec_coll *c, const char *name, int i)
{
    int l = snprintf(out, n, "%s/%d", name + strlen(c->prefix), i);
    return l < 0 || (size_t)l >= n || l > VEC_ID_MAX ? ANX_EINVAL : 0;
}

/* Delete the rows of document name from its chunk number from on. A scan
 * of the rows rather than ids from..: a passage that could not be embedded
 * leaves a gap in the numbers. Deleting row r moves the last into it. */
static int drop_chunks(struct vec_coll *c, const char *name, int from)
{
    size_t pl = strlen(name) - strlen(c->prefix);
    for (size_t r = 0; c->has_dim && r < c->x.n;) {
        const struct vec_entry *e = c->x.user[r];
        const char *id = c->x.ids[r];
        bool ours = !strcmp(e->source, name) && !strncmp(id, name + strlen(c->prefix), pl) &&
                    id[pl] == '/' && atoi(id + pl + 1) >= from;
        if (!ours) {
            r++;
            continue;
        }
        char copy[VEC_ID_MAX + 1];
        strlcpy(copy, id, sizeof(copy));
        int rc = delete_row(c, copy);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int vec_forget_doc(struct vec_coll *c, const char *name)
{
    return drop_chunks(c, name, 0);
}

/* Whether the rows of name embed the version v with the model in use: by
 * object id, as a writable version 1 may shadow the base layer's version 1. */
static bool up_to_date(const struct vec_coll *c, const char *name, const struct objstore_version *v)
{
    char id[VEC_ID_MAX + 16];
    if (!c->has_dim || chunk_id(id, sizeof(id), c, name, 0) < 0)
        return false;
    long r = vec_index_find(&c->x, id);
    if (r < 0)
        return false;
    const struct vec_entry *e = c->x.user[r];
    const struct inf_model *m = inf_model_get();
    bool same = m && e->version == v->no && !strcmp(e->object, v->id) &&
                !strcmp(e->source, name) && !strcmp(e->model, m->name);
    if (m)
        inf_model_put(m);
    return same;
}

int vec_ingest_doc(struct vec_coll *c, const char *name)
{
    void *data;
    size_t len;
    struct objstore_version v;
    int rc = os_read(VEC_SELF, name, 0, NULL, NULL, &v);
    if (rc < 0)
        return rc == ANX_ENOENT ? vec_forget_doc(c, name) : rc;
    if (up_to_date(c, name, &v))
        return 0;
    if (v.size > CONFIG_VECSTORE_MAX_DOCUMENT) {
        log_warn("%s: %llu bytes, more than max_document: not embedded", name,
                 (unsigned long long)v.size);
        return ANX_ERANGE;
    }
    if ((rc = os_read(VEC_SELF, name, v.no, &data, &len, &v)) < 0)
        return rc;
    if (memchr(data, 0, len)) {
        log_warn("%s: holds NUL bytes (not text): not embedded", name);
        anx_free(data);
        return ANX_EINVAL;
    }
    int n = vec_chunk_text(data, len, CONFIG_VECSTORE_CHUNK_SIZE, CONFIG_VECSTORE_CHUNK_OVERLAP,
                           NULL, 0);
    struct vec_chunk *ch = n > 0 ? anx_malloc((size_t)n * sizeof(*ch)) : NULL;
    if (n < 0 || (n > 0 && !ch)) {
        anx_free(data);
        return n < 0 ? n : ANX_ENOMEM;
    }
    vec_chunk_text(data, len, CONFIG_VECSTORE_CHUNK_SIZE, CONFIG_VECSTORE_CHUNK_OVERLAP, ch, n);
    uint64_t t0 = anx_time_ns();
    int done = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        char id[VEC_ID_MAX + 16];
        if ((rc = chunk_id(id, sizeof(id), c, name, i)) < 0) {
            log_warn("%s: the name is too long for a vector id", name);
            break;
        }
        const char *text = (const char *)data + ch[i].off;
        char *t = strndup(text, ch[i].len), model[VEC_MODEL_MAX + 1], err[INF_ERR_MAX];
        float *vec = NULL;
        int dim;
        rc = t ? embed(t, &vec, &dim, model, err) : ANX_ENOMEM;
        anx_free(t);
        if (rc < 0) {
            log_warn("%s: passage %d: %s%s", name, i, rc == ANX_ENOMEM ? "out of memory" : err,
                     rc == ANX_ERANGE ? ": skipped (a smaller chunk_size fits)" : "");
            if (rc == ANX_ERANGE)
                rc = 0;                 /* the other passages still count */
            continue;
        }
        struct vec_entry *e = entry_new(text, ch[i].len, name, model);
        if (!e) {
            rc = ANX_ENOMEM;
        } else {
            strlcpy(e->object, v.id, sizeof(e->object));
            e->version = v.no;
            e->offset = ch[i].off;
            if ((rc = store_row(c, id, vec, dim, e)) < 0)
                entry_free(e);
            else
                done++;
        }
        anx_free(vec);
        anx_yield();            /* let requests in between passages */
    }
    if (rc == 0)
        rc = drop_chunks(c, name, n);
    if (rc == 0) {
        vec_stats.ingested_docs++;
        log_info("%s version %u: %d passage%s embedded into %s in %llu ms", name,
                 (unsigned)v.no, done, done == 1 ? "" : "s", c->name,
                 (unsigned long long)((anx_time_ns() - t0) / ANX_NS_PER_MS));
    } else {
        vec_stats.errors++;
        log_warn("%s: %d of %d passages embedded: %s", name, done, n, anx_strerror(rc));
    }
    anx_free(ch);
    anx_free(data);
    return rc;
}

int vec_sync(struct vec_coll *c)
{
    struct names l;
    int rc = list_names(c->prefix, &l);
    if (rc < 0)
        return rc;
    c->state = "syncing";
    for (size_t i = 0; i < l.n; i++)
        vec_ingest_doc(c, l.v[i]);
    /* Rows of documents that are gone (deleted while the image was off):
     * deleting row r moves the last row into it, so r is looked at again. */
    for (size_t r = 0; c->has_dim && r < c->x.n;) {
        const struct vec_entry *e = c->x.user[r];
        bool gone = e->source[0] && !strncmp(e->source, c->prefix, strlen(c->prefix));
        for (size_t i = 0; gone && i < l.n; i++)
            gone = strcmp(l.v[i], e->source) != 0;
        char id[VEC_ID_MAX + 1];
        strlcpy(id, c->x.ids[r], sizeof(id));
        if (!gone || delete_row(c, id) < 0)
            r++;
    }
    c->state = "ready";
    names_free(&l);
    return 0;
}
