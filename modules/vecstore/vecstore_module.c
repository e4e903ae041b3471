/*
 * vecstore_module.c - the module vecstore in the image: its collections from
 * the config, the doors (http.c, commands.c), /metrics, and one thread that
 * rebuilds the indexes from their objects once the store is open, then
 * keeps the collections that follow documents in step with them through
 * the change feed (docs/vecstore.md).
 */
#define LOG_TAG "vecstore"
#include <anx/feed.h>
#include <anx/kernel.h>
#include <anx/lib.h>
#include <anx/log.h>
#include <anx/module.h>
#include <anx/printf.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "coll.h"
#include "infer.h"
#include "objstore.h"
#include "router.h"

static const char *const collections[] = CONFIG_VECSTORE_COLLECTIONS;

static void set_state(const char *state)
{
    for (int i = 0; i < vec_ncolls; i++)
        if (vec_colls[i].prefix[0])
            vec_colls[i].state = state;
}

static void sync_all(void)
{
    for (int i = 0; i < vec_ncolls; i++)
        if (vec_colls[i].prefix[0])
            vec_sync(&vec_colls[i]);
}

static void on_event(struct vec_coll *c, const struct anx_feed_event *ev)
{
    if (ev->kind == ANX_FEED_LOST) {
        log_warn("%s: %llu change events were lost: listing its documents again", c->name,
                 (unsigned long long)ev->lost);
        vec_sync(c);
    } else if (ev->kind == ANX_FEED_DELETE) {
        if (vec_forget_doc(c, ev->name) == 0)
            log_info("%s deleted: its vectors deleted from %s", ev->name, c->name);
    } else {
        vec_ingest_doc(c, ev->name);
    }
}

static void follow_thread(void *arg)
{
    (void)arg;
    anx_boot_wait_ready();
    for (int waited = 0; !os_ready(); waited++) {
        if (waited == 300)
            log_warn("the object store is not open after 30 s: still waiting");
        anx_sleep_ms(100);
    }
    bool follows = false;
    /* One subscription per collection that follows documents, on its
     * prefix only (so our own writes under prefix do not fill the queues),
     * made before the first listing: a version written meanwhile is not
     * missed (it is then seen twice, which costs nothing: up to date). */
    int nsubs = 0;
    for (int i = 0; i < vec_ncolls; i++) {
        struct vec_coll *c = &vec_colls[i];
        if (!c->prefix[0])
            continue;
        int rc = anx_feed_subscribe(VEC_SELF, c->prefix, CONFIG_VECSTORE_FEED_DEPTH, &c->sub);
        if (rc < 0)
            log_warn("%s: cannot follow the change feed (%s): its documents are embedded once, "
                     "at boot", c->name, anx_strerror(rc));
        nsubs += rc == 0;
        follows = true;
    }
    int rc = vec_rebuild();
    if (rc < 0)
        log_warn("the vectors could not be listed from %s: %s", CONFIG_VECSTORE_PREFIX,
                 anx_strerror(rc));
    if (!follows)
        anx_thread_exit();
    if (!inf_loaded_path()[0]) {
        log_warn("no model in this image (infer.model): documents are not embedded");
        set_state("no model");
        for (int i = 0; i < vec_ncolls; i++)
            if (vec_colls[i].sub)
                anx_feed_unsubscribe(vec_colls[i].sub);
        anx_thread_exit();
    }
    const struct inf_model *m;
    bool said = false;
    while (!(m = inf_model_get())) {
        if (!said)
            log_info("waiting for the model to embed documents");
        said = true;
        set_state("waiting for the model");
        anx_sleep_ms(200);
    }
    inf_model_put(m);
    sync_all();
    log_info("following %s", nsubs ? "the change feed" : "nothing (no feed)");
    /* The first subscription is waited on, the others drained after it:
     * with several, the wait is short so theirs are seen within 250 ms. */
    struct vec_coll *first = NULL;
    for (int i = 0; i < vec_ncolls && !first; i++)
        if (vec_colls[i].sub)
            first = &vec_colls[i];
    while (first) {
        struct anx_feed_event ev;
        uint64_t wait = nsubs > 1 ? 250 * ANX_NS_PER_MS : 3600 * ANX_NS_PER_S;
        if (anx_feed_next(first->sub, &ev, wait) == 0)
            on_event(first, &ev);
        for (int i = 0; i < vec_ncolls; i++)
            while (vec_colls[i].sub && anx_feed_next(vec_colls[i].sub, &ev, 0) == 0)
                on_event(&vec_colls[i], &ev);
    }
    anx_thread_exit();
}

static void emit_metrics(struct anx_buf *b, void *arg)
{
    (void)arg;
    anx_buf_puts(b, "# HELP anx_vecstore_vectors Vectors per collection.\n"
                    "# TYPE anx_vecstore_vectors gauge\n");
    for (int i = 0; i < vec_collections(); i++) {
        struct vec_coll_info ci;
        vec_collection_info(i, &ci);
        anx_buf_printf(b, "anx_vecstore_vectors{collection=\"%s\"} %zu\n", ci.name, ci.vectors);
    }
    anx_buf_printf(b,
                   "# HELP anx_vecstore_queries_total Index searches.\n"
                   "# TYPE anx_vecstore_queries_total counter\nanx_vecstore_queries_total %llu\n"
                   "# HELP anx_vecstore_query_seconds_total Time in index searches.\n"
                   "# TYPE anx_vecstore_query_seconds_total counter\n"
                   "anx_vecstore_query_seconds_total %llu.%06llu\n"
                   "# HELP anx_vecstore_embedded_total Texts embedded (passages and queries).\n"
                   "# TYPE anx_vecstore_embedded_total counter\nanx_vecstore_embedded_total %llu\n"
                   "# HELP anx_vecstore_documents_total Document versions embedded.\n"
                   "# TYPE anx_vecstore_documents_total counter\n"
                   "anx_vecstore_documents_total %llu\n"
                   "# HELP anx_vecstore_errors_total Vectors or documents that failed.\n"
                   "# TYPE anx_vecstore_errors_total counter\nanx_vecstore_errors_total %llu\n",
                   (unsigned long long)vec_stats.queries,
                   (unsigned long long)(vec_stats.query_ns / ANX_NS_PER_S),
                   (unsigned long long)(vec_stats.query_ns % ANX_NS_PER_S / 1000),
                   (unsigned long long)vec_stats.embedded,
                   (unsigned long long)vec_stats.ingested_docs,
                   (unsigned long long)vec_stats.errors);
}

static struct rt_metrics_source metrics = {.emit = emit_metrics};

static int vecstore_init(void)
{
    if (CONFIG_VECSTORE_CHUNK_OVERLAP > CONFIG_VECSTORE_CHUNK_SIZE / 2) {
        log_error("chunk_overlap (%d) is more than half of chunk_size (%d)",
                  CONFIG_VECSTORE_CHUNK_OVERLAP, CONFIG_VECSTORE_CHUNK_SIZE);
        return ANX_EINVAL;
    }
    size_t pl = strlen(CONFIG_VECSTORE_PREFIX);
    if (!pl || CONFIG_VECSTORE_PREFIX[pl - 1] != '/') {
        log_error("prefix '%s' must end in '/'", CONFIG_VECSTORE_PREFIX);
        return ANX_EINVAL;
    }
    for (const char *const *c = collections; *c; c++) {
        /* "docs/" or "docs": the collection docs follows the names under docs/ */
        char name[VEC_NAME_MAX + 2];
        const char *item = *c;
        while (*item == '/')
            item++;
        size_t n = strlen(item);
        if (n && item[n - 1] == '/')
            n--;
        struct vec_coll *coll;
        int rc = ANX_EINVAL;
        if (n <= VEC_NAME_MAX) {
            memcpy(name, item, n);
            name[n] = 0;
            rc = vec_coll_get(name, &coll);
        }
        if (rc == 0 && !strncmp(CONFIG_VECSTORE_PREFIX, name, n) &&
            CONFIG_VECSTORE_PREFIX[n] == '/')
            rc = ANX_EINVAL;             /* following its own vectors */
        if (rc < 0) {
            log_error("collections: '%s' is not one object-name segment of at most %d "
                      "characters (other than the prefix %s)", *c, VEC_NAME_MAX,
                      CONFIG_VECSTORE_PREFIX);
            return rc;
        }
        snprintf(coll->prefix, sizeof(coll->prefix), "%s/", name);
        coll->state = "starting";
    }
    int rc = vec_http_init();
    if (rc == 0)
        rc = vec_commands_init();
    if (rc < 0) {
        log_error("cannot register the vmem command or the HTTP engine: %s", anx_strerror(rc));
        return rc;
    }
    rt_metrics_register(&metrics);
    vec_retriever_init();
    if (!anx_thread_create("vecstore", follow_thread, NULL, 32 * 1024)) {
        log_error("cannot start the thread (out of memory)");
        return ANX_ENOMEM;
    }
    return 0;
}

ANX_MODULE(vecstore, .init = vecstore_init);
