/*
 * retrieve.c - vecstore as a retriever of the core (<anx/retrieve.h>): the
 * openai module's retrieval-augmented chat asks anx_retrieve for passages
 * without depending on this module. A query is vec_query_text_as in the
 * config's retrieval mode (hybrid by default), and the calling module sees
 * only passages whose source object its grants let it read
 * (anx_object_grant_test, <anx/module.h>): the others are left out before
 * ranking, so k passages it may read come back when there are k. A passage
 * added by hand has no source: its own object (PREFIX/COLL/ID) is checked.
 */
#define LOG_TAG "vecstore"
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/mem.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/retrieve.h>
#include "coll.h"

struct caller {
    const char *module;
    size_t withheld;
};

static bool may_read(const char *coll, const char *id, const char *source, void *arg)
{
    struct caller *c = arg;
    char own[256];
    if (!source[0]) {
        snprintf(own, sizeof(own), "%s%s/%s", CONFIG_VECSTORE_PREFIX, coll, id);
        source = own;
    }
    bool ok = anx_object_grant_test(c->module, source, ANX_ACCESS_READ);
    c->withheld += !ok;
    return ok;
}

static int query(const char *module, const char *collection, const char *text, int k,
                 struct anx_passage *out)
{
    if (!vec_coll_find(collection))
        return ANX_ENOENT;
    if (k <= 0)
        return 0;
    struct vec_hit *hits = anx_calloc((size_t)k, sizeof(*hits));
    if (!hits)
        return ANX_ENOMEM;
    struct caller c = {module, 0};
    int n = vec_query_text_as(collection, text, vec_retrieval(), k, hits, k, may_read, &c);
    if (c.withheld)     /* one line a query, not one per passage: not a refusal */
        log_info("retrieval for %s from %s: %zu passages it may not read left out", module,
                 collection, c.withheld);
    for (int i = 0; i < n; i++) {
        struct anx_passage *p = &out[i];
        memset(p, 0, sizeof(*p));
        strlcpy(p->source, hits[i].source, sizeof(p->source));
        if (!p->source[0])
            snprintf(p->source, sizeof(p->source), "%s%s/%s", CONFIG_VECSTORE_PREFIX,
                     collection, hits[i].id);
        p->version = hits[i].version;
        p->offset = (size_t)hits[i].offset;
        p->score = hits[i].score;
        p->text = hits[i].text;         /* handed over: anx_passages_free frees it */
        hits[i].text = NULL;
    }
    anx_free(hits);
    return n;
}

static struct anx_retriever retriever = {.name = "vecstore", .query = query};

void vec_retriever_init(void)
{
    anx_retriever_register(&retriever);
}
