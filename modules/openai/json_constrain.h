/*
 * json_constrain.h - generation that can only write valid JSON.
 *
 * A byte-level JSON state machine (struct oa_jsm) accepts or refuses each
 * byte; a token is allowed when every byte of its text is accepted in turn
 * (oa_jsm_token_ok), so masking the logits of the refused tokens before
 * sampling (greedy or not) can only produce a prefix of a valid document.
 * oa_jsm_close() gives the shortest bytes that finish the document from any
 * state, so a generation cut by max_tokens still closes cleanly: the
 * driver stops sampling when the budget left is no more than that.
 *
 * What it writes is a subset of JSON the strict parser (json.c) always
 * takes: the top value is an object (tool arguments); strings hold
 * printable ASCII and the escapes \" \\ \/ \b \f \n \r \t (no \u, so no
 * lone surrogates; no raw bytes >= 0x80, so no invalid UTF-8); numbers
 * have at most 15 integer digits, 15 fraction digits and a 2-digit
 * exponent (always in the double range); at most one space between tokens
 * (a model cannot stall in whitespace); nesting at most OA_JSM_DEPTH.
 * Given a tool's parameter names (oa_jsm_keys), the top object's keys are
 * those names only, each once (values are not typed: any JSON value).
 *
 * oa_choice constrains to one of a set of strings (a tool's name followed
 * by its closing quote), the same way.
 */
#ifndef OA_JSON_CONSTRAIN_H
#define OA_JSON_CONSTRAIN_H

#include <anx/lib.h>

#define OA_JSM_DEPTH 16
#define OA_JSM_KEY_MAX 63

struct oa_jsm {
    uint8_t st; /* state (json_constrain.c) */
    uint8_t depth;
    uint8_t ws;               /* spaces in a row */
    uint8_t lit;              /* literal: which; number: digits in this part */
    uint8_t pos;              /* literal: bytes matched */
    bool key;                 /* the string is an object key */
    char stack[OA_JSM_DEPTH]; /* '{' or '[' */
    /* The top object's keys, when set (oa_jsm_keys): a key there must be
     * one of them (no escapes), its bytes kept in kb while it is written. */
    const char *const *keys;
    uint8_t nkeys, klen;
    uint32_t used; /* keys written already: each at most once */
    char kb[OA_JSM_KEY_MAX + 1];
};

void oa_jsm_init(struct oa_jsm *m);
/* Allow only these keys (printable ASCII without '"' or '\\', each at most
 * OA_JSM_KEY_MAX bytes; not copied) in the top object: the properties of a
 * tool's parameter schema; at most 32. Each may appear once, and once all
 * are there the object can only close. If one does not qualify, any key is
 * allowed. Call before the first byte. */
void oa_jsm_keys(struct oa_jsm *m, const char *const *keys, int n);
/* Feed one byte: true if accepted (m advanced), false (m unchanged). */
bool oa_jsm_feed(struct oa_jsm *m, uint8_t c);
/* Whether every byte of s[0..n) is accepted from m (m unchanged). n = 0 is
 * refused: a token with no text would not advance. */
bool oa_jsm_token_ok(const struct oa_jsm *m, const char *s, size_t n);
/* The document is complete (nothing more may follow). */
bool oa_jsm_done(const struct oa_jsm *m);
/* The shortest completion into out (NUL-terminated; at most
 * OA_JSM_CLOSE_MAX bytes); returns its length. */
#define OA_JSM_CLOSE_MAX (OA_JSM_DEPTH * 8 + 16)
size_t oa_jsm_close(const struct oa_jsm *m, char *out, size_t cap);

/* One of n strings (not copied): the bytes so far must stay a prefix of one. */
struct oa_choice {
    const char *const *opts;
    int n;
    char got[80];
    size_t len;
};
void oa_choice_init(struct oa_choice *c, const char *const *opts, int n);
bool oa_choice_token_ok(const struct oa_choice *c, const char *s, size_t n);
void oa_choice_feed(struct oa_choice *c, const char *s, size_t n);
/* The option matched in full, or -1. */
int oa_choice_done(const struct oa_choice *c);

/* ---- masking logits ------------------------------------------------------------------- */

/* The text of every token of a vocabulary, decoded once per request. */
struct oa_vocab {
    int n;
    char **piece; /* into text; not NUL-terminated: len */
    size_t *len;
    char *text;
};
/* 0 or ANX_ENOMEM. piece(i) is the token's text (after a non-BOS token).
 * Memory: 16 bytes a token and the text, in three blocks. */
int oa_vocab_init(struct oa_vocab *v, int n,
                  size_t (*piece)(void *arg, int i, char *buf, size_t cap), void *arg);
void oa_vocab_free(struct oa_vocab *v);

/* Set the logits of the tokens m (or c, when m is NULL) refuses to a value
 * no token can win or be sampled with; returns the number allowed. */
int oa_mask_logits(const struct oa_vocab *v, const struct oa_jsm *m, const struct oa_choice *c,
                   float *logits);

#endif
