/*
 * The corpus (fortune cookie files) and the tokenizer trainer: byte-pair
 * merges learned on the corpus, written as a llama2.c tokenizer.bin whose
 * scores make modules/infer's merge-by-score encoding apply the merges in
 * the order they were learned. See docs/training.md.
 */
#ifndef BPE_H
#define BPE_H

#include <stddef.h>
#include "infer.h"

struct corpus {
    char **text;                    /* one fortune each, NUL-terminated */
    int n, cap;
    size_t bytes;
};
/* Every regular file in dir whose name has no '.' and is not in skip
 * (comma-separated names), in name order; '%' lines separate texts. */
int corpus_load(struct corpus *c, const char *dir, const char *skip, char *err, size_t errn);
void corpus_free(struct corpus *c);

struct vocab {
    int n;
    char **piece;                   /* raw bytes, NUL-terminated */
    float *score;
};
/* 0 <unk>, 1 BOS, 2 EOS, 3..258 <0x00>..<0xFF>, then every character seen at
 * least min_char times, then merges until size is reached. */
int bpe_train(struct vocab *v, const struct corpus *c, int size, int min_char);
int bpe_write(const struct vocab *v, const char *path);
void vocab_free(struct vocab *v);

/* Encode one text as BOS + infer's encoding of it (with its dummy " "
 * prefix), chunk by chunk; appends to *out (grown as needed). Returns the
 * token count added or -1. */
int bpe_encode(const struct inf_tokenizer *t, const char *text, int **out, size_t *n,
               size_t *cap);

#endif
