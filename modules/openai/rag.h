/*
 * rag.h - retrieval-augmented chat: the passages a retriever (<anx/retrieve.h>,
 * the vecstore module) finds for the last user message go before the
 * conversation, each under its source's name and version, and the answer
 * lists them ("sources"). See docs/openai-api.md, "Retrieval".
 */
#ifndef OA_RAG_H
#define OA_RAG_H

#include <anx/buf.h>
#include <anx/retrieve.h>
#include "infer.h"

#define OA_RAG_MAX_K 16

/* The passages a prompt was given, best first. */
struct oa_sources {
    int n;
    struct anx_passage p[OA_RAG_MAX_K];
};

/* *out (anx_malloc'd) = prompt with "Context:\n[NAME vN] PASSAGE\n...\n\n"
 * before its last "User: QUESTION" (at its start when that is not in it),
 * with up to k passages of collection retrieved for question (whitespace
 * runs of a passage folded into one space). Earlier turns stay a prefix
 * that a kept session does not run again. Passages are dropped, worst
 * first, until the prompt leaves reserve tokens of the context ctx
 * (0 = the model's) free for the answer, so retrieval never makes a
 * request that fit fail. src gets the passages used (free with
 * oa_sources_free). Returns 0, or the retriever's error (<anx/errno.h>:
 * ANX_ENOENT no such collection, ANX_EAGAIN not ready) or ANX_ENOMEM,
 * with *out NULL. */
int oa_rag_prompt(const struct inf_model *m, int ctx, int reserve, const char *collection, int k,
                  const char *question, const char *prompt, struct oa_sources *src, char **out);
struct oa_server;
struct oa_request;
struct oa_error;
/* Answer tokens kept free when a request does not set max_tokens. */
#define OA_RAG_RESERVE 64
/* For a chat request to srv (rag_collection set): rq->prompt gets the
 * passages retrieved for rq->question, src the passages. 0, or -1 with e
 * filled: 503 while the collection is not ready (no model yet, still
 * indexing) or memory ran out, 500 when no module has the collection. */
int oa_rag_apply(struct oa_server *srv, struct oa_request *rq, struct oa_sources *src,
                 struct oa_error *e);
/* ", \"sources\": [{\"object\": NAME, \"version\": N, \"offset\": N, \"score\": X}, ...]" */
void oa_sources_json(struct anx_buf *b, const struct oa_sources *src);
void oa_sources_free(struct oa_sources *src);

#endif
