/*
 * http.c - vector memory over HTTP (module vecstore; routes in module.yaml):
 *
 *   GET    /api/v1/mem                    collections: name, prefix, dim, vectors, state
 *   GET    /api/v1/mem/COLL               its rows: id, source, version, offset, length
 *   POST   /api/v1/mem/COLL               add {"id", "text" | "vector"} -> 201
 *   POST   /api/v1/mem/COLL/query         {"text" | "vector", "k", "retrieval"} -> hits,
 *                                          best first, with their cosine and BM25 scores
 *   DELETE /api/v1/mem/COLL/ID            204
 *
 * Errors are {"error": "..."} with 400 (a bad body), 404 (no such collection
 * or id), 503 (no model loaded yet, for text), 403/507 from the store.
 */
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/time.h>
#include "coll.h"
#include "req.h"
#include "router.h"

#define K_MAX 100

static int status_of(int err)
{
    switch (err) {
    case ANX_ENOENT: return 404;
    case ANX_EINVAL: case ANX_ERANGE: return 400;
    case ANX_EAGAIN: case ANX_EBROKEN: return 503;
    case ANX_EPERM: case ANX_EROFS: return 403;
    case ANX_ENOSPC: case ANX_EDQUOT: return 507;
    }
    return 500;
}

static int fail(struct rt_response *rs, int status, const char *msg)
{
    anx_buf_reset(&rs->out);
    rs->status = status;
    rs->content_type = "application/json";
    anx_buf_puts(&rs->out, "{\"error\": ");
    rt_json_str(&rs->out, msg, strlen(msg));
    anx_buf_puts(&rs->out, "}\n");
    return 0;
}

static int fail_err(struct rt_response *rs, int err, const char *what)
{
    char msg[160];
    if (err == ANX_EAGAIN)
        snprintf(msg, sizeof(msg), "%s: no model is loaded yet (or the store is not open)", what);
    else if (err == ANX_ERANGE)
        snprintf(msg, sizeof(msg), "%s: the text has more tokens than the model's context", what);
    else
        snprintf(msg, sizeof(msg), "%s: %s", what, anx_strerror(err));
    return fail(rs, status_of(err), msg);
}

static void str_member(struct anx_buf *b, const char *key, const char *v, size_t n)
{
    anx_buf_printf(b, "\"%s\": ", key);
    rt_json_str(b, v, n);
}

static int list_collections(struct rt_response *rs)
{
    anx_buf_puts(&rs->out, "{\"collections\": [");
    for (int i = 0; i < vec_collections(); i++) {
        struct vec_coll_info ci;
        vec_collection_info(i, &ci);
        anx_buf_puts(&rs->out, i ? ",\n  {" : "\n  {");
        str_member(&rs->out, "name", ci.name, strlen(ci.name));
        anx_buf_puts(&rs->out, ", ");
        str_member(&rs->out, "prefix", ci.prefix, strlen(ci.prefix));
        anx_buf_printf(&rs->out, ", \"dim\": %d, \"vectors\": %zu, \"documents\": %zu, ", ci.dim,
                       ci.vectors, ci.documents);
        str_member(&rs->out, "state", ci.state, strlen(ci.state));
        anx_buf_puts(&rs->out, "}");
    }
    anx_buf_puts(&rs->out, vec_collections() ? "\n]}\n" : "]}\n");
    return 0;
}

struct rows_ctx { struct anx_buf *b; size_t n; };

static int row_json(const char *id, const struct vec_hit *h, void *arg)
{
    struct rows_ctx *c = arg;
    anx_buf_puts(c->b, c->n++ ? ",\n  {" : "\n  {");
    str_member(c->b, "id", id, strlen(id));
    anx_buf_puts(c->b, ", ");
    str_member(c->b, "source", h->source, strlen(h->source));
    anx_buf_printf(c->b, ", \"version\": %u, \"offset\": %llu, \"length\": %zu}",
                   (unsigned)h->version, (unsigned long long)h->offset, h->text_len);
    return c->b->oom;
}

static int query(struct rt_response *rs, const char *coll, const struct vec_req *r)
{
    long k = r->has_k ? r->k : CONFIG_VECSTORE_TOP_K;
    if (k < 1 || k > K_MAX)
        return fail(rs, 400, "'k' must be an integer from 1 to 100");
    if (!r->vector && (!r->text || !r->text_len))
        return fail(rs, 400, "a query needs a non-empty 'text' or a 'vector'");
    struct vec_hit *hits = anx_calloc((size_t)k, sizeof(*hits));
    if (!hits)
        return fail_err(rs, ANX_ENOMEM, "query");
    enum vec_mode mode = r->vector ? VEC_MODE_COSINE
                       : r->mode >= 0 ? (enum vec_mode)r->mode : vec_retrieval();
    uint64_t t0 = anx_time_ns();
    int n = r->vector ? vec_query_vector(coll, r->vector, r->dim, (int)k, hits, (int)k)
                      : vec_query_text_as(coll, r->text, mode, (int)k, hits, (int)k, NULL, NULL);
    uint64_t took = anx_time_ns() - t0;
    if (n < 0) {
        anx_free(hits);
        if (n == ANX_EINVAL && r->vector)
            return fail(rs, 400, "the vector has no direction, or its length is not the "
                                 "collection's dimension");
        return fail_err(rs, n, coll);
    }
    rs->content_type = "application/json";
    anx_buf_puts(&rs->out, "{");
    str_member(&rs->out, "collection", coll, strlen(coll));
    anx_buf_printf(&rs->out, ", \"retrieval\": \"%s\", \"took_us\": %llu, \"hits\": [",
                   vec_mode_name(mode), (unsigned long long)(took / ANX_NS_PER_US));
    for (int i = 0; i < n; i++) {
        char score[16], cos[16], lex[16];
        vec_fmt_score(hits[i].score, score);
        vec_fmt_score(hits[i].cosine, cos);
        vec_fmt_score(hits[i].lexical, lex);
        anx_buf_printf(&rs->out, "%s{\"score\": %s, ", i ? ",\n  " : "\n  ", score);
        /* the scores behind a text's ranking (a vector's score is its cosine) */
        if (!r->vector && mode != VEC_MODE_LEXICAL)
            anx_buf_printf(&rs->out, "\"cosine\": %s, ", cos);
        if (!r->vector)
            anx_buf_printf(&rs->out, "\"lexical\": %s, ", lex);
        str_member(&rs->out, "id", hits[i].id, strlen(hits[i].id));
        anx_buf_puts(&rs->out, ", ");
        str_member(&rs->out, "source", hits[i].source, strlen(hits[i].source));
        anx_buf_printf(&rs->out, ", \"version\": %u, \"offset\": %llu, ",
                       (unsigned)hits[i].version, (unsigned long long)hits[i].offset);
        str_member(&rs->out, "text", hits[i].text, hits[i].text_len);
        anx_buf_puts(&rs->out, "}");
    }
    anx_buf_puts(&rs->out, n ? "\n]}\n" : "]}\n");
    vec_hits_free(hits, n);
    anx_free(hits);
    return 0;
}

static int add(struct rt_response *rs, const char *coll, const struct vec_req *r)
{
    if (!r->id)
        return fail(rs, 400, "an add needs an 'id' (letters, digits, '.', '_', '-')");
    if (!r->vector && (!r->text || !r->text_len))
        return fail(rs, 400, "an add needs a non-empty 'text' or a 'vector'");
    int rc = vec_add(coll, r->id, r->text, r->text ? r->text_len : 0, r->vector, r->dim);
    if (rc == ANX_EINVAL)
        return fail(rs, 400, "bad id (one segment of letters, digits, '.', '_', '-'; at most "
                             "160), collection name, or vector (no direction, or not the "
                             "collection's dimension)");
    if (rc < 0)
        return fail_err(rs, rc, coll);
    struct vec_coll_info ci;
    vec_collection_info((int)(vec_coll_find(coll) - vec_colls), &ci);
    rs->status = 201;
    rs->content_type = "application/json";
    anx_buf_puts(&rs->out, "{");
    str_member(&rs->out, "collection", coll, strlen(coll));
    anx_buf_puts(&rs->out, ", ");
    str_member(&rs->out, "id", r->id, strlen(r->id));
    anx_buf_printf(&rs->out, ", \"dim\": %d, \"vectors\": %zu}\n", ci.dim, ci.vectors);
    return 0;
}

static int handle(struct rt_engine *e, const struct rt_request *rq, struct rt_response *rs)
{
    (void)e;
    rs->content_type = "application/json";
    if (!strcmp(rq->route, "vecstore-list"))
        return list_collections(rs);
    size_t cl;
    const char *cp = rt_param(rq, "coll", &cl);
    char coll[VEC_NAME_MAX + 1];
    if (!cp || !cl || cl > VEC_NAME_MAX || !vec_segment_ok(cp, cl))
        return fail(rs, 400, "a collection name is one segment of letters, digits, '.', '_', "
                             "'-' (at most 32)");
    memcpy(coll, cp, cl);
    coll[cl] = 0;
    if (!strcmp(rq->route, "vecstore-rows")) {
        struct rows_ctx c = {&rs->out, 0};
        anx_buf_puts(&rs->out, "{");
        str_member(&rs->out, "collection", coll, cl);
        anx_buf_puts(&rs->out, ", \"vectors\": [");
        int rc = vec_collection_rows(coll, row_json, &c);
        if (rc < 0)
            return fail_err(rs, rc, coll);
        anx_buf_puts(&rs->out, c.n ? "\n]}\n" : "]}\n");
        return 0;
    }
    if (!strcmp(rq->route, "vecstore-delete")) {
        size_t il;
        const char *ip = rt_param(rq, "*", &il);
        char id[VEC_ID_MAX + 1];
        if (!ip || !il || il > VEC_ID_MAX)
            return fail(rs, 400, "no id to delete");
        memcpy(id, ip, il);
        id[il] = 0;
        int rc = vec_delete(coll, id);
        if (rc < 0)
            return fail_err(rs, rc, id);
        rs->status = 204;
        return 0;
    }
    struct vec_req r;
    char err[120];
    int rc = vec_req_parse(rq->body, rq->body_len, &r, err, sizeof(err));
    if (rc < 0) {
        vec_req_free(&r);
        return rc == ANX_ENOMEM ? fail_err(rs, rc, "body") : fail(rs, 400, err);
    }
    rc = !strcmp(rq->route, "vecstore-query") ? query(rs, coll, &r) : add(rs, coll, &r);
    vec_req_free(&r);
    return rc;
}

static struct rt_engine engine = {.name = "vecstore", .handle = handle};

int vec_http_init(void)
{
    return rt_engine_register(&engine);
}
