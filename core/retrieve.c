/* Retrieval: the registered retrievers, asked by collection (<anx/retrieve.h>). */
#include <anx/errno.h>
#include <anx/mem.h>
#include <anx/retrieve.h>

static struct anx_retriever *retrievers, **last = &retrievers;

void anx_retriever_register(struct anx_retriever *r)
{
    r->next = 0;
    *last = r;
    last = &r->next;
}

int anx_retrieve(const char *module, const char *collection, const char *text, int k,
                 struct anx_passage *out)
{
    if (k <= 0)
        return 0;
    for (struct anx_retriever *r = retrievers; r; r = r->next) {
        int n = r->query(module, collection, text, k, out);
        if (n != ANX_ENOENT)
            return n;
    }
    return ANX_ENOENT;
}

void anx_passages_free(struct anx_passage *p, int n)
{
    for (int i = 0; i < n; i++) {
        anx_free(p[i].text);
        p[i].text = 0;
    }
}
