/*
 * What every host test of the openai module shares: the "ok"/"FAIL" line of
 * a check and its counts, and reading a model file whole (NULL for a path
 * that is NULL or cannot be read). A test may define OA_TEST_PREFIX (like
 * "rag: ") before including it to name itself on every line.
 */
#ifndef OA_TEST_H
#define OA_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "infer.h"

#ifndef OA_TEST_PREFIX
#define OA_TEST_PREFIX ""
#endif

static int passed, failed;

static inline void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "ok   " OA_TEST_PREFIX : "FAIL " OA_TEST_PREFIX);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok)
        passed++;
    else
        failed++;
}

static inline void *slurp(const char *path, size_t *n)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long l = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = l >= 0 ? malloc((size_t)l + 1) : NULL;
    if (p && fread(p, 1, (size_t)l, f) != (size_t)l) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *n = p ? (size_t)l : 0;
    return p;
}

/* stories260K from STORIES_BIN/STORIES_TOK (../shared/testdata/models) into
 * *m, its files' bytes in *md and *td (freed by the caller after
 * inf_model_free): 1. Without the variables: 0 and a skip line naming test.
 * A file that does not read or load: -1 and the FAIL line "WHAT: load
 * stories260K". */
static inline int load_stories260k(const char *test, const char *what, struct inf_model *m,
                                   void **md, void **td)
{
    const char *mb = getenv("STORIES_BIN"), *tb = getenv("STORIES_TOK");
    if (!mb || !tb) {
        printf("skip  %s: STORIES_BIN/STORIES_TOK not set (../shared/testdata/models is absent)\n",
               test);
        return 0;
    }
    size_t ms, ts;
    char err[INF_ERR_MAX];
    *md = slurp(mb, &ms);
    *td = slurp(tb, &ts);
    if (!*md || !*td || inf_model_load(m, "/models/stories260K.bin", *md, ms, *td, ts, err) < 0) {
        check(0, "%s: load stories260K", what);
        free(*md);
        free(*td);
        return -1;
    }
    return 1;
}

#endif
