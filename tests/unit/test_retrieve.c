/* Retrieval (core/retrieve.c): retrievers are asked in registration order,
 * the first that has the collection answers, the caller's module reaches
 * it, and "no such collection" from all of them is ANX_ENOENT. */
#include <string.h>
#define UNIT_FILE "retrieve"
#include "unit.h"
#include <anx/errno.h>
#include <anx/lib.h>
#include <anx/mem.h>
#include <anx/retrieve.h>

static int docs_calls;

static int docs_query(const char *module, const char *collection, const char *text, int k,
                      struct anx_passage *out)
{
    CHECK_STR(module, "openai");
    if (strcmp(collection, "docs"))
        return ANX_ENOENT;
    docs_calls++;
    int n = k < 2 ? k : 2;
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        strlcpy(out[i].source, i ? "docs/b.md" : "docs/a.md", sizeof out[i].source);
        out[i].version = 1;
        out[i].score = 1.0f - 0.25f * (float)i;
        out[i].text = anx_malloc(strlen(text) + 1);
        memcpy(out[i].text, text, strlen(text) + 1);
    }
    return n;
}

static int notes_query(const char *module, const char *collection, const char *text, int k,
                       struct anx_passage *out)
{
    (void)module; (void)text; (void)k; (void)out;
    return strcmp(collection, "notes") ? ANX_ENOENT : ANX_EAGAIN;   /* no model yet */
}

static struct anx_retriever docs = {.name = "docs", .query = docs_query};
static struct anx_retriever notes = {.name = "notes", .query = notes_query};

TEST(first_retriever_with_the_collection_answers)
{
    anx_retriever_register(&notes);
    anx_retriever_register(&docs);
    struct anx_passage p[4];
    CHECK_EQ(anx_retrieve("openai", "docs", "what is it?", 4, p), 2);
    CHECK_STR(p[0].source, "docs/a.md");
    CHECK_STR(p[1].text, "what is it?");
    CHECK(p[0].score > p[1].score);
    anx_passages_free(p, 2);
    CHECK(p[0].text == NULL && p[1].text == NULL);
    CHECK_EQ(anx_retrieve("openai", "docs", "x", 1, p), 1);
    anx_passages_free(p, 1);
    CHECK_EQ(docs_calls, 2);
}

TEST(not_ready_and_unknown)
{
    struct anx_passage p[2];
    CHECK_EQ(anx_retrieve("openai", "notes", "x", 2, p), ANX_EAGAIN);
    CHECK_EQ(anx_retrieve("openai", "nothing", "x", 2, p), ANX_ENOENT);
    CHECK_EQ(anx_retrieve("openai", "docs", "x", 0, p), 0);   /* k = 0 asks nobody */
    CHECK_EQ(docs_calls, 2);
}

int main(void)
{
    unit_heap_init(1 << 20);
    RUN(first_retriever_with_the_collection_answers);
    RUN(not_ready_and_unknown);
    return unit_done();
}
