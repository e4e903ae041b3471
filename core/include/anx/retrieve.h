/*
 * Retrieval: the passages most relevant to a text, for modules that put
 * them into a prompt (openai's retrieval-augmented chat) without depending
 * on the module that indexes them (vecstore). The module that keeps the
 * index registers a retriever; callers ask by collection name:
 *
 *     struct anx_passage p[3];
 *     int n = anx_retrieve("openai", "docs", question, 3, p);
 *     for (int i = 0; i < n; i++)
 *         use(p[i].source, p[i].version, p[i].text);
 *     anx_passages_free(p, n);
 *
 * A caller sees only passages of objects its module may read (the object
 * grants of <anx/module.h>): the retriever checks module against each
 * passage's source.
 */
#ifndef ANX_RETRIEVE_H
#define ANX_RETRIEVE_H

#include <stddef.h>
#include <stdint.h>

/* One passage, best first in an answer. */
struct anx_passage {
    char source[201];               /* the object it was cut from ("docs/faq.md") */
    uint32_t version;               /* ...and that object's version */
    size_t offset;                  /* its first byte in that version */
    float score;                    /* similarity to the query, higher is closer */
    char *text;                     /* the passage (anx_malloc'd; anx_passages_free) */
};

struct anx_retriever {
    const char *name;               /* "vecstore", for messages */
    /* Up to k passages of collection, best first, into out: returns the
     * count, or ANX_ENOENT (it has no such collection), ANX_EAGAIN (not
     * ready: no model loaded yet, or the index is still being built) or
     * another error (<anx/errno.h>; it logs why). */
    int (*query)(const char *module, const char *collection, const char *text, int k,
                 struct anx_passage *out);
    struct anx_retriever *next;     /* private */
};

void anx_retriever_register(struct anx_retriever *r);

/* Asks the retrievers in registration order; the first that has the
 * collection answers. ANX_ENOENT when none has it. */
int anx_retrieve(const char *module, const char *collection, const char *text, int k,
                 struct anx_passage *out);

/* Frees the texts of n passages. */
void anx_passages_free(struct anx_passage *p, int n);

#endif
