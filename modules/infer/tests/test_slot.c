/* slot.c: a swap while sessions hold the model in use. The new model is
 * handed out from then on; the old one stays whole (ASan would see a use
 * after free) until the last session puts it back, then it and its bytes
 * are freed and its tensors leave the registry (LeakSanitizer sees any
 * leak); a model swapped out while free goes at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <anx/mem.h>
#include "slot.h"
#include "tensor.h"

static int pass, fail;
#define CHECK(c) do { if (c) { pass++; } else { fail++; printf("FAIL infer/slot: %s (line %d)\n", #c, __LINE__); } } while (0)

/* A model with nothing loaded but a named embedding tensor and owned bytes. */
static struct inf_loaded *fake(const char *name)
{
    struct inf_loaded *l = anx_calloc(1, sizeof *l);
    strcpy(l->m.tok_emb.name, name);
    l->md = anx_malloc(4096);
    l->mown = true;
    return l;
}

int main(void)
{
    struct inf_loaded *a = fake("a.emb"), *b = fake("b.emb"), *c = fake("c.emb");
    CHECK(inf_model_get() == NULL && inf_model_version() == 0);
    inf_slot_install(a);
    CHECK(inf_model_version() == 1);
    CHECK(inf_loaded_model() == &a->m && tn_find("a.emb"));

    const struct inf_model *s1 = inf_model_get(), *s2 = inf_model_get();
    CHECK(s1 == &a->m && s2 == &a->m && a->refs == 2);
    inf_slot_install(b);                        /* two sessions hold a */
    CHECK(inf_slot_swaps() == 1 && inf_loaded_model() == &b->m && inf_model_version() == 2);
    CHECK(a->retired && a->refs == 2 && tn_find("a.emb") && tn_find("b.emb"));
    const struct inf_model *s3 = inf_model_get();
    CHECK(s3 == &b->m);                         /* a new session gets the new model */
    inf_model_put(s1);
    CHECK(a->refs == 1 && tn_find("a.emb"));    /* still held */
    inf_model_put(s2);                          /* the last: a is freed */
    CHECK(tn_find("a.emb") == NULL && tn_find("b.emb"));

    inf_model_put(s3);                          /* b in use, free: stays */
    CHECK(inf_loaded_model() == &b->m && b->refs == 0 && tn_find("b.emb"));
    inf_slot_install(c);                        /* nobody holds b: freed at once */
    CHECK(inf_slot_swaps() == 2 && tn_find("b.emb") == NULL && tn_find("c.emb"));
    CHECK(inf_model_version() == 3);
    CHECK(inf_model_get() == &c->m);
    inf_model_put(&c->m);
    printf("%s infer/slot: a swap while sessions hold the old model (%d checks)\n",
           fail ? "FAIL" : "ok  ", pass + fail);
    printf("%d passed, %d failed\n", fail ? 0 : 1, fail ? 1 : 0);
    return fail != 0;
}
