/*
 * Host tests of retrieval-augmented chat (rag.c) with a stand-in retriever
 * registered through the core (<anx/retrieve.h>): the context block names
 * each passage's source and version, folds whitespace, drops the worst
 * passages when the context is short, passes a retriever's error through,
 * and the answer's "sources" JSON. Needs stories260K's tokenizer
 * (STORIES_BIN/STORIES_TOK); says skip without it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/errno.h>
#include <anx/mem.h>
#include "rag.h"
#define OA_TEST_PREFIX "rag: "
#include "oa_test.h"

static const char *const texts[] = {
    "The secret code of the  blue\n\ndoor is 4417.",
    "Lily has a red ball and a small dog named Max who likes to run in the park every day.",
    "Tom went to the market to buy apples, bread and milk for his mother, who was sick in bed.",
};

static char asked[64];

static int query(const char *module, const char *collection, const char *text, int k,
                 struct anx_passage *out)
{
    snprintf(asked, sizeof(asked), "%s/%s/%s", module, collection, text);
    if (!strcmp(collection, "busy"))
        return ANX_EAGAIN;
    if (strcmp(collection, "docs"))
        return ANX_ENOENT;
    int n = k < 3 ? k : 3;
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        snprintf(out[i].source, sizeof(out[i].source), "docs/%c.md", 'a' + i);
        out[i].version = (uint32_t)(i + 1);
        out[i].offset = (size_t)i * 100;
        out[i].score = 0.9f - 0.3f * (float)i;
        out[i].text = anx_malloc(strlen(texts[i]) + 1);
        strcpy(out[i].text, texts[i]);
    }
    return n;
}

static struct anx_retriever fake = {.name = "fake", .query = query};

int main(void)
{
    size_t bn = 0, tn = 0;
    void *bin = slurp(getenv("STORIES_BIN"), &bn), *tok = slurp(getenv("STORIES_TOK"), &tn);
    if (!bin || !tok) {
        printf("skip  rag: needs STORIES_BIN and STORIES_TOK (../shared/testdata/models)\n");
        return 0;
    }
    struct inf_model m;
    char err[INF_ERR_MAX];
    if (inf_model_load(&m, "stories260K.bin", bin, bn, tok, tn, err) < 0) {
        printf("FAIL rag: load: %s\n", err);
        return 1;
    }
    anx_retriever_register(&fake);
    const char *prompt = "User: What is the code of the blue door?\nAssistant:";
    struct oa_sources src;
    char *out;
    int rc = oa_rag_prompt(&m, 0, 64, "docs", 3, "code of the blue door?", prompt, &src, &out);
    check(rc == 0 && src.n == 3 && out, "three passages fit the model's context (rc %d, n %d)", rc, src.n);
    check(!strcmp(asked, "openai/docs/code of the blue door?"),
          "the retriever gets the module, collection and question (%s)", asked);
    const char *want = "Context:\n[docs/a.md v1] The secret code of the blue door is 4417.\n[docs/b.md v2] ";
    check(out && !strncmp(out, want, strlen(want)), "passages under their names, whitespace folded: %.90s",
          out ? out : "");
    check(out && strlen(out) > strlen(prompt) && !strcmp(out + strlen(out) - strlen(prompt), prompt),
          "the conversation follows the context");
    struct anx_buf b = {0};
    oa_sources_json(&b, &src);
    anx_buf_add(&b, "", 1);
    check(b.p && strstr(b.p, "\"sources\": [{\"object\": \"docs/a.md\", \"version\": 1, \"offset\": 0, "
                             "\"score\": 0.9000}, {\"object\": \"docs/b.md\""),
          "sources JSON: %.120s", b.p ? b.p : "");
    anx_buf_free(&b);
    anx_free(out);
    oa_sources_free(&src);

    /* A context just big enough for the best passage and 30 tokens of answer. */
    char one[512];
    snprintf(one, sizeof(one), "Context:\n[docs/a.md v1] The secret code of the blue door is 4417.\n\n%s",
             prompt);
    int toks[512];
    int need = inf_encode(&m.tok, one, true, false, toks, 512);   /* room for every byte */
    rc = oa_rag_prompt(&m, need + 30, 30, "docs", 3, "q", prompt, &src, &out);
    check(rc == 0 && src.n == 1 && out && !strcmp(out, one),
          "a short context keeps the best passage only (%d tokens; kept %d)", need, src.n);
    anx_free(out);
    oa_sources_free(&src);
    /* No room at all: the prompt as it was, no sources. */
    rc = oa_rag_prompt(&m, 20, 19, "docs", 3, "q", prompt, &src, &out);
    check(rc == 0 && src.n == 0 && out && !strcmp(out, prompt), "no room: the prompt unchanged, no sources");
    anx_free(out);
    oa_sources_free(&src);

    /* A conversation: the context goes before the last user message. */
    const char *conv = "User: Hi\nAssistant: Hello.\nUser: Where is the key?\nAssistant:";
    rc = oa_rag_prompt(&m, 0, 16, "docs", 1, "Where is the key?", conv, &src, &out);
    const char *want2 = "User: Hi\nAssistant: Hello.\nContext:\n[docs/a.md v1] The secret code of the blue door "
                        "is 4417.\n\nUser: Where is the key?\nAssistant:";
    check(rc == 0 && out && !strcmp(out, want2), "the context goes before the last user message: %s",
          out ? out : "");
    anx_free(out);
    oa_sources_free(&src);

    rc = oa_rag_prompt(&m, 0, 0, "nothing", 3, "q", prompt, &src, &out);
    check(rc == ANX_ENOENT && !out && src.n == 0, "an unknown collection: ANX_ENOENT");
    rc = oa_rag_prompt(&m, 0, 0, "busy", 3, "q", prompt, &src, &out);
    check(rc == ANX_EAGAIN && !out, "a retriever not ready: ANX_EAGAIN");
    inf_model_free(&m);
    free(bin);
    free(tok);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
