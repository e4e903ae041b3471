/*
 * commands.c - the shell's door to vector memory: `vmem`, which the shell's
 * own `mem` runs when given arguments (`mem add|query|ls ...`; a bare `mem`
 * stays the memory statistics).
 *
 *   vmem add COLL ID TEXT...        embed TEXT with the model and store it as ID
 *   vmem query COLL [-k N] [-m MODE] TEXT...
 *                                   the N (default top_k) best passages, ranked
 *                                   by MODE (default: the config's retrieval)
 *   vmem rm COLL ID                 delete ID
 *   vmem ls [COLL]                  collections, or the rows of one
 *   vmem retrieve MODULE COLL TEXT...
 *                                   what <anx/retrieve.h> gives module MODULE
 *                                   (only passages of objects it may read)
 *   vmem bench N DIM                exact top-10 query time over N random vectors
 *                                   in a scratch index (nothing stored): the
 *                                   in-image figure of tests/bench/vecstore
 */
#include <anx/command.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/printf.h>
#include <anx/random.h>
#include <anx/retrieve.h>
#include <anx/thread.h>
#include <anx/time.h>
#include "coll.h"

/* argv[from..argc) joined with spaces, or NULL (out of memory). */
static char *join(int argc, char **argv, int from)
{
    size_t n = 1;
    for (int i = from; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = anx_malloc(n), *p = s;
    if (!s)
        return NULL;
    for (int i = from; i < argc; i++)
        p += snprintf(p, n - (size_t)(p - s), i > from ? " %s" : "%s", argv[i]);
    *p = 0;
    return s;
}

/* A passage on one line, at most 100 bytes, control bytes as spaces. */
static void show_passage(const char *t, size_t n)
{
    char line[104];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 100; i++)
        line[k++] = (unsigned char)t[i] < 0x20 ? ' ' : t[i];
    while (k > 0 && ((unsigned char)line[k - 1] & 0xC0) == 0x80 && k == 100)
        k--;                                  /* no half character at the cut */
    line[k] = 0;
    anx_printf("    %s%s\n", line, n > k ? " ..." : "");
}

static int ls_row(const char *id, const struct vec_hit *h, void *arg)
{
    (void)arg;
    if (h->source[0])
        anx_printf("  %-24s %s@%u+%llu (%zu bytes)\n", id, h->source, (unsigned)h->version,
                   (unsigned long long)h->offset, h->text_len);
    else
        anx_printf("  %-24s (%zu bytes)\n", id, h->text_len);
    return 0;
}

static int cmd_ls(int argc, char **argv)
{
    if (argc > 2) {
        if (vec_collection_rows(argv[2], ls_row, NULL) < 0) {
            anx_printf("vmem: no collection '%s'\n", argv[2]);
            return 1;
        }
        return 0;
    }
    for (int i = 0; i < vec_collections(); i++) {
        struct vec_coll_info ci;
        vec_collection_info(i, &ci);
        anx_printf("%-16s %6zu vectors  dim %-4d %4zu documents  %s%s%s\n", ci.name, ci.vectors,
                   ci.dim, ci.documents, ci.state, ci.prefix[0] ? "  follows " : "", ci.prefix);
    }
    if (!vec_collections())
        anx_printf("no collections\n");
    return 0;
}

static const char *query_error(int n)
{
    return n == ANX_EAGAIN ? "no model is loaded yet"
           : n == ANX_ERANGE ? "more tokens than the model's context" : anx_strerror(n);
}

static int cmd_query(int argc, char **argv)
{
    int k = CONFIG_VECSTORE_TOP_K, from = 3, mode = vec_retrieval();
    for (; argc > from + 2; from += 2) {
        if (!strcmp(argv[from], "-k"))
            k = atoi(argv[from + 1]);
        else if (!strcmp(argv[from], "-m"))
            mode = vec_mode_parse(argv[from + 1]);
        else
            break;
    }
    if (argc <= from || k < 1 || k > 100 || mode < 0) {
        anx_printf("usage: vmem query COLL [-k 1..100] [-m hybrid|cosine|lexical] TEXT...\n");
        return 1;
    }
    char *text = join(argc, argv, from);
    struct vec_hit *hits = anx_calloc((size_t)k, sizeof(*hits));
    int n = text && hits ? 0 : ANX_ENOMEM;
    uint64_t t0 = anx_time_ns();
    if (!n)
        n = vec_query_text_as(argv[2], text, (enum vec_mode)mode, k, hits, k, NULL, NULL);
    uint64_t us = (anx_time_ns() - t0) / ANX_NS_PER_US;
    if (n < 0) {
        anx_printf("vmem: %s: %s\n", argv[2], query_error(n));
    } else {
        for (int i = 0; i < n; i++) {
            char s[16], c[16], l[16];
            vec_fmt_score(hits[i].score, s);
            vec_fmt_score(hits[i].cosine, c);
            vec_fmt_score(hits[i].lexical, l);
            anx_printf("%s  %s", s, hits[i].id);
            if (hits[i].source[0])
                anx_printf("  (%s version %u, byte %llu)", hits[i].source,
                           (unsigned)hits[i].version, (unsigned long long)hits[i].offset);
            if (mode == VEC_MODE_LEXICAL)
                anx_printf("  bm25 %s\n", l);
            else
                anx_printf("  cosine %s bm25 %s\n", c, l);
            show_passage(hits[i].text, hits[i].text_len);
        }
        anx_printf("%d hit%s (%s) in %llu us\n", n, n == 1 ? "" : "s",
                   vec_mode_name((enum vec_mode)mode), (unsigned long long)us);
        vec_hits_free(hits, n);
    }
    anx_free(hits);
    anx_free(text);
    return n < 0;
}

/* What the core's retrieval (<anx/retrieve.h>) gives a module: the
 * passages it may read, as anx_retrieve hands them to openai's chat. */
static int cmd_retrieve(int argc, char **argv)
{
    if (argc < 5) {
        anx_printf("usage: vmem retrieve MODULE COLL TEXT...\n");
        return 1;
    }
    char *text = join(argc, argv, 4);
    struct anx_passage p[CONFIG_VECSTORE_TOP_K];
    int n = text ? anx_retrieve(argv[2], argv[3], text, CONFIG_VECSTORE_TOP_K, p) : ANX_ENOMEM;
    anx_free(text);
    if (n < 0) {
        anx_printf("vmem: %s: %s\n", argv[3], query_error(n));
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char s[16];
        vec_fmt_score(p[i].score, s);
        anx_printf("%s  %s version %u, byte %zu\n", s, p[i].source, (unsigned)p[i].version,
                   p[i].offset);
        show_passage(p[i].text, strlen(p[i].text));
    }
    anx_printf("%d passage%s for %s\n", n, n == 1 ? "" : "s", argv[2]);
    anx_passages_free(p, n);
    return 0;
}

static int cmd_add(int argc, char **argv)
{
    if (argc < 5) {
        anx_printf("usage: vmem add COLL ID TEXT...\n");
        return 1;
    }
    char *text = join(argc, argv, 4);
    int rc = text ? vec_add(argv[2], argv[3], text, strlen(text), NULL, 0) : ANX_ENOMEM;
    anx_free(text);
    if (rc < 0) {
        anx_printf("vmem: %s/%s: %s\n", argv[2], argv[3],
                   rc == ANX_EAGAIN ? "no model is loaded yet"
                   : rc == ANX_EINVAL ? "bad collection or id (one segment of letters, digits, "
                                        "'.', '_', '-')" : anx_strerror(rc));
        return 1;
    }
    anx_printf("added %s/%s\n", argv[2], argv[3]);
    return 0;
}

static void random_unit(float *v, int dim)
{
    for (int d = 0; d < dim; d++)
        v[d] = (float)(anx_random_u32() >> 8) / 8388608.0f - 1.0f;
    vec_normalize(v, dim);
}

static int cmd_bench(int argc, char **argv)
{
    long n = argc > 2 ? atoi(argv[2]) : 0, dim = argc > 3 ? atoi(argv[3]) : 0;
    if (n < 1 || n > 1000000 || dim < 1 || dim > VEC_DIM_MAX) {
        anx_printf("usage: vmem bench N(1..1000000) DIM(1..%d)\n", VEC_DIM_MAX);
        return 1;
    }
    struct vec_index x;
    vec_index_init(&x, (int)dim);
    float *v = anx_malloc((size_t)dim * sizeof(float));
    int rc = v ? 0 : ANX_ENOMEM;
    char id[24];
    uint64_t t0 = anx_time_ns();
    for (long i = 0; i < n && rc == 0; i++) {
        random_unit(v, (int)dim);
        snprintf(id, sizeof(id), "v%ld", i);
        rc = vec_index_put(&x, id, v, NULL, NULL);
    }
    uint64_t add_ns = anx_time_ns() - t0;
    if (rc == 0) {
        struct vec_index_hit hits[10];
        int reps = n >= 100000 ? 5 : n >= 10000 ? 20 : 100;
        uint64_t q_ns = 0;
        for (int r = 0; r < reps; r++) {
            random_unit(v, (int)dim);
            t0 = anx_time_ns();
            vec_index_query(&x, v, 10, hits);
            q_ns += anx_time_ns() - t0;
            anx_yield();
        }
        anx_printf("vecstore-bench: dim %ld, %ld vectors: %llu us/query (top-10, %d queries), "
                   "add %llu ns/vector\n", dim, n,
                   (unsigned long long)(q_ns / (uint64_t)reps / 1000), reps,
                   (unsigned long long)(add_ns / (uint64_t)n));
    } else {
        anx_printf("vmem bench: %s after %zu vectors\n", anx_strerror(rc), x.n);
    }
    anx_free(v);
    vec_index_free(&x, NULL);
    return rc < 0;
}

static int cmd_vmem(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "ls";
    if (!strcmp(sub, "ls"))
        return cmd_ls(argc, argv);
    if (!strcmp(sub, "query"))
        return cmd_query(argc, argv);
    if (!strcmp(sub, "add"))
        return cmd_add(argc, argv);
    if (!strcmp(sub, "retrieve"))
        return cmd_retrieve(argc, argv);
    if (!strcmp(sub, "bench"))
        return cmd_bench(argc, argv);
    if (!strcmp(sub, "rm") && argc == 4) {
        int rc = vec_delete(argv[2], argv[3]);
        if (rc < 0)
            anx_printf("vmem: %s/%s: %s\n", argv[2], argv[3], anx_strerror(rc));
        return rc < 0;
    }
    anx_printf("usage: vmem add COLL ID TEXT... | query COLL [-k N] [-m MODE] TEXT... | "
               "rm COLL ID | ls [COLL] | retrieve MODULE COLL TEXT... | bench N DIM\n");
    return 1;
}

static struct anx_command vmem_cmd = {
    .name = "vmem",
    .summary = "Vector memory: add, query, list passages (also: mem add|query|rm|ls)",
    .usage = "vmem add COLL ID TEXT... | query COLL [-k N] [-m MODE] TEXT... | rm COLL ID | "
             "ls [COLL] | retrieve MODULE COLL TEXT... | bench N DIM",
    .fn = cmd_vmem,
    .scope = "objects",
};

int vec_commands_init(void)
{
    return anx_command_register(&vmem_cmd);
}
